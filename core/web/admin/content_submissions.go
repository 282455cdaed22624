package admin

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"yiwang/core"
	"yiwang/core/content"
	"yiwang/core/web"
)

// 信息报送 in the console: the queue of submissions a collecting tenant
// (the portal) receives, what this tenant sent, hand-recorded submissions
// to outside sites, and the statistics with a ranking and a chart.

// submissionsView is the data of admin_content_submissions.html.
type submissionsView struct {
	Collects  bool
	Queue     *content.SubmissionPage
	Decide    *content.SubmissionPage
	Sent      *content.SubmissionPage
	Externals []string
	Today     string
	Error     string
	Done      bool
	CanWrite  bool
}

func (e *Editorial) Submissions(w http.ResponseWriter, r *http.Request, a content.Actor) {
	e.renderSubmissions(w, r, a, nil)
}

func (e *Editorial) renderSubmissions(w http.ResponseWriter, r *http.Request, a content.Actor, actErr error) {
	ctx := r.Context()
	v := submissionsView{Externals: content.ExternalTargets, Today: time.Now().In(content.Location).Format("2006-01-02"),
		Done: r.URL.Query().Get("done") == "1", CanWrite: a.Can(content.PermWrite)}
	var err error
	if v.Collects, err = e.d.Collects(ctx, a.TenantID); err != nil {
		e.s.RenderError(w, r, err)
		return
	}
	if v.Collects && a.Can(content.PermAdopt) {
		if v.Queue, err = e.d.Queue(ctx, a, content.QueueFilter{Status: content.SubPending, Size: 100}); err != nil {
			e.s.RenderError(w, r, err)
			return
		}
		if v.Decide, err = e.d.Queue(ctx, a, content.QueueFilter{Status: "decide", Size: 100}); err != nil {
			e.s.RenderError(w, r, err)
			return
		}
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	if v.Sent, err = e.d.Sent(ctx, a, content.QueueFilter{Page: page, Size: 50}); err != nil {
		e.s.RenderError(w, r, err)
		return
	}
	status := http.StatusOK
	if actErr != nil {
		v.Error, v.Done, status = core.ErrorMessage(actErr), false, web.StatusOf(actErr)
	}
	e.s.RenderStatus(w, r, "admin_content_submissions", "信息报送 - "+web.SiteOf(r).Tenant.Name, adminCrumbs(r, web.Crumb{Name: "信息报送", URL: ""}), v, status)
}

func (e *Editorial) SubmissionDo(do func(r *http.Request, a content.Actor) error) staffHandler {
	return func(w http.ResponseWriter, r *http.Request, a content.Actor) {
		if err := do(r, a); err != nil {
			e.renderSubmissions(w, r, a, err)
			return
		}
		http.Redirect(w, r, web.SiteOf(r).Base+"admin/submissions/?done=1", http.StatusSeeOther)
	}
}

// submissionView is the data of admin_content_submission.html.
type submissionView struct {
	S      *content.Submission
	Source *content.Manuscript
	Error  string
}

func (e *Editorial) Submission(w http.ResponseWriter, r *http.Request, a content.Actor) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	e.renderSubmission(w, r, a, id, nil)
}

func (e *Editorial) renderSubmission(w http.ResponseWriter, r *http.Request, a content.Actor, id int64, actErr error) {
	s, src, err := e.d.SourceText(r.Context(), a, id)
	if err != nil && s == nil {
		e.s.RenderError(w, r, err)
		return
	}
	v := submissionView{S: s, Source: src}
	status := http.StatusOK
	if actErr != nil {
		v.Error, status = core.ErrorMessage(actErr), web.StatusOf(actErr)
	}
	e.s.RenderStatus(w, r, "admin_content_submission", "处理报送 - "+s.Title,
		adminCrumbs(r, web.Crumb{Name: "信息报送", URL: web.SiteOf(r).Base + "admin/submissions/"}, web.Crumb{Name: s.Title, URL: ""}), v, status)
}

func (e *Editorial) Adopt(w http.ResponseWriter, r *http.Request, a content.Actor) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	var edits *content.Input
	if r.PostFormValue("edit") == "1" {
		in := formInput(r)
		edits = &in
	}
	if _, err := e.d.Adopt(r.Context(), a, id, edits, r.PostFormValue("note")); err != nil {
		e.renderSubmission(w, r, a, id, err)
		return
	}
	http.Redirect(w, r, web.SiteOf(r).Base+"admin/submissions/?done=1", http.StatusSeeOther)
}

func (e *Editorial) SubAction(do func(r *http.Request, a content.Actor, id int64) error) staffHandler {
	return func(w http.ResponseWriter, r *http.Request, a content.Actor) {
		id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err := do(r, a, id); err != nil {
			e.renderSubmission(w, r, a, id, err)
			return
		}
		http.Redirect(w, r, web.SiteOf(r).Base+"admin/submissions/?done=1", http.StatusSeeOther)
	}
}

// statsView is the data of admin_content_stats.html.
type statsView struct {
	Rows     []content.StatRow
	Period   string
	From, To string // dates shown, Beijing time, To inclusive
	Target   string
	Targets  []string
	Periods  []kindOption
	Chart    *barChart
	Totals   content.StatRow
	County   bool
	Subtitle string
}

// period turns the form's choice into [from, to) in UTC and the dates shown.
func period(p, fromS, toS string, now time.Time) (from, to time.Time, shownFrom, shownTo string) {
	now = now.In(content.Location)
	y, m, _ := now.Date()
	switch p {
	case "month":
		from = time.Date(y, m, 1, 0, 0, 0, 0, content.Location)
		to = from.AddDate(0, 1, 0)
	case "lastmonth":
		to = time.Date(y, m, 1, 0, 0, 0, 0, content.Location)
		from = to.AddDate(0, -1, 0)
	case "custom":
		f, err1 := time.ParseInLocation("2006-01-02", fromS, content.Location)
		t, err2 := time.ParseInLocation("2006-01-02", toS, content.Location)
		if err1 == nil && err2 == nil && !t.Before(f) {
			from, to = f, t.AddDate(0, 0, 1)
			break
		}
		fallthrough
	default: // this year
		from = time.Date(y, 1, 1, 0, 0, 0, 0, content.Location)
		to = from.AddDate(1, 0, 0)
	}
	return from, to, from.Format("2006-01-02"), to.AddDate(0, 0, -1).Format("2006-01-02")
}

func (e *Editorial) Stats(w http.ResponseWriter, r *http.Request, a content.Actor) {
	q := r.URL.Query()
	v := statsView{Period: q.Get("period"), Target: q.Get("target"), County: a.County()}
	if v.Period == "" {
		v.Period = "year"
	}
	from, to, sf, st := period(v.Period, q.Get("from"), q.Get("to"), time.Now())
	v.From, v.To = sf, st
	v.Periods = []kindOption{{"year", "本年度"}, {"month", "本月"}, {"lastmonth", "上月"}, {"custom", "自定义"}}
	var err error
	if v.Targets, err = e.d.StatTargets(r.Context()); err != nil {
		e.s.RenderError(w, r, err)
		return
	}
	if v.Rows, err = e.d.Stats(r.Context(), a, content.StatsFilter{From: from, To: to, Target: v.Target}); err != nil {
		e.s.RenderError(w, r, err)
		return
	}
	for _, row := range v.Rows {
		v.Totals.Submitted += row.Submitted
		v.Totals.Adopted += row.Adopted
		v.Totals.Rejected += row.Rejected
		v.Totals.Pending += row.Pending
	}
	switch v.Target {
	case "":
		v.Subtitle = "全部报送对象"
	case "platform":
		v.Subtitle = "本平台（门户及汇集站点）"
	default:
		v.Subtitle = v.Target
	}
	v.Chart = newBarChart(v.Rows, 15)
	e.s.RenderStatus(w, r, "admin_content_stats", "信息报送统计", adminCrumbs(r, web.Crumb{Name: "信息报送", URL: web.SiteOf(r).Base + "admin/submissions/"}, web.Crumb{Name: "统计", URL: ""}), v, http.StatusOK)
}

// barChart is a server-drawn SVG of the ranking: for each tenant a bar of
// submitted and, over it, a bar of adopted. The table beside it carries
// the same figures for screen readers and for copying.
type barChart struct {
	Width, Height int
	LabelWidth    int
	Bars          []chartBar
	Ticks         []chartTick
	Summary       string
}

type chartBar struct {
	Y, TextY                     int
	Label                        string
	SubmittedW, AdoptedW, ValueX int
	Submitted, Adopted           int
	SubmittedTitle               string
}

type chartTick struct {
	X     int
	Label string
}

func newBarChart(rows []content.StatRow, n int) *barChart {
	var shown []content.StatRow
	maxV := 0
	for _, r := range rows {
		if r.Submitted == 0 || len(shown) == n {
			continue
		}
		shown = append(shown, r)
		maxV = max(maxV, r.Submitted)
	}
	if len(shown) == 0 {
		return nil
	}
	c := &barChart{Width: 720, LabelWidth: 200, Height: 30*len(shown) + 40}
	plot := c.Width - c.LabelWidth - 60
	scale := func(x int) int { return x * plot / maxV }
	for i, r := range shown {
		label := []rune(r.TenantName)
		if len(label) > 12 {
			label = append(label[:11], '…')
		}
		y := 10 + 30*i
		c.Bars = append(c.Bars, chartBar{Y: y, TextY: y + 15, Label: string(label), SubmittedW: max(1, scale(r.Submitted)), AdoptedW: scale(r.Adopted),
			ValueX: c.LabelWidth + scale(r.Submitted) + 6, Submitted: r.Submitted, Adopted: r.Adopted,
			SubmittedTitle: fmt.Sprintf("%s：报送 %d 篇，采用 %d 篇，采用率 %s", r.TenantName, r.Submitted, r.Adopted, r.RatePercent())})
	}
	for _, f := range []int{0, 1, 2, 3, 4} {
		v := maxV * f / 4
		if n := len(c.Ticks); n > 0 && c.Ticks[n-1].Label == strconv.Itoa(v) {
			continue // small figures: one tick per value
		}
		c.Ticks = append(c.Ticks, chartTick{X: c.LabelWidth + scale(v), Label: strconv.Itoa(v)})
	}
	c.Summary = fmt.Sprintf("按采用数排名前 %d 的单位：浅色条为报送数，深色条为采用数。", len(shown))
	return c
}
