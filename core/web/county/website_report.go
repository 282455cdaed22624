package county

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"yiwang/core"
	"yiwang/core/content"
	"yiwang/core/monitor"
	"yiwang/core/web"
	"yiwang/plugins/sdk/printdoc"
	"yiwang/sso"
	"yiwang/tenants"
)

// The yearly website report (政府网站工作年度报表) of every site, on the
// county console: the platform's counts beside the values people enter,
// published per site, exported as one table for the county.

func reportYear(r *http.Request) int {
	y, err := strconv.Atoi(r.URL.Query().Get("year"))
	now := time.Now().In(content.Location)
	if err != nil || y < 2000 || y > now.Year() {
		y = now.Year()
		if now.Month() == time.January {
			y-- // January is the month of last year's report
		}
	}
	return y
}

// yearModules are the modules' figures of the year for one tenant.
func (s *Monitor) yearModules(ctx context.Context, tenantID int64, year int) monitor.ModuleYear {
	out := monitor.ModuleYear{}
	s.mu.Lock()
	sv := s.supervision
	s.mu.Unlock()
	if sv == nil {
		return out
	}
	from := time.Date(year, 1, 1, 0, 0, 0, 0, content.Location)
	figs, err := sv.Figures(ctx, from, from.AddDate(1, 0, 0))
	if err != nil {
		s.srv.Log().Warn("website report: module figures", "err", err)
		return out
	}
	for _, m := range figs {
		for _, row := range m.Rows {
			if row.Tenant.ID == tenantID {
				out[m.Module] = row.Values
			}
		}
	}
	return out
}

type reportLine struct {
	monitor.YearField
	Value    string
	Computed bool
}

type reportView struct {
	Site       *tenants.Tenant
	Year       int
	Report     *monitor.YearReport
	Sections   []string
	Lines      map[string][]reportLine
	Problem    string
	Action     string
	Published  bool
	YearChoice []int
}

func (s *Monitor) reportView(r *http.Request, t *tenants.Tenant, year int) (*reportView, error) {
	ctx := r.Context()
	ms := monitor.NewStore(s.srv.DB())
	rep, err := ms.YearReport(ctx, t.ID, year)
	if err != nil {
		return nil, err
	}
	v := &reportView{Site: t, Year: year, Report: rep, Lines: map[string][]reportLine{}, Published: rep.Status == "published",
		Action: web.SiteOf(r).Base + "admin/county/website-report/" + t.Code + "?year=" + strconv.Itoa(year)}
	var counts map[string]string
	if !v.Published {
		if counts, err = ms.YearCounts(ctx, t, web.Absolute(r, web.SiteBase(r, t)), year, s.yearModules(ctx, t.ID, year)); err != nil {
			return nil, err
		}
	}
	for _, f := range monitor.YearForm {
		if len(v.Lines[f.Section]) == 0 {
			v.Sections = append(v.Sections, f.Section)
		}
		l := reportLine{YearField: f, Value: rep.Values[f.Key], Computed: f.Auto}
		if f.Auto && !v.Published {
			l.Value = counts[f.Key]
		}
		v.Lines[f.Section] = append(v.Lines[f.Section], l)
	}
	return v, nil
}

func (a *Office) CountyReports(w http.ResponseWriter, r *http.Request, _ *sso.User) {
	ctx := r.Context()
	year := reportYear(r)
	ts, err := a.srv.TenantStore().List(ctx)
	if err != nil {
		a.srv.RenderError(w, r, err)
		return
	}
	reps, err := monitor.NewStore(a.srv.DB()).YearReports(ctx, year)
	if err != nil {
		a.srv.RenderError(w, r, err)
		return
	}
	if r.URL.Query().Get("format") == "csv" {
		a.mon.reportsCSV(w, r, ts, year)
		return
	}
	type row struct {
		Site   *tenants.Tenant
		Status string
		URL    string
	}
	var rows []row
	published := 0
	for _, t := range ts {
		if t.Status != tenants.Active {
			continue
		}
		st := "未填报"
		if rp := reps[t.ID]; rp != nil {
			st = map[string]string{"draft": "草稿", "published": "已发布"}[rp.Status]
			if rp.Status == "published" {
				published++
			}
		}
		rows = append(rows, row{t, st, web.SiteOf(r).Base + "admin/county/website-report/" + t.Code + "?year=" + strconv.Itoa(year)})
	}
	crumbs := []web.Crumb{{Name: "管理后台", URL: web.SiteOf(r).Base + "admin/"}, {Name: "县级平台管理", URL: web.SiteOf(r).Base + "admin/county/"}, {Name: "网站年度报表", URL: ""}}
	a.srv.RenderStatus(w, r, "admin_website_reports", "网站年度报表 - 县级平台管理", crumbs, map[string]any{
		"Year": year, "Due": strconv.Itoa(year+1) + "-01-31", "Rows": rows, "Published": published,
		"CSV": web.SiteOf(r).Base + "admin/county/website-report?" + url.Values{"year": {strconv.Itoa(year)}, "format": {"csv"}}.Encode()}, http.StatusOK)
}

// reportsCSV is every active site's report of the year as one table, a
// row per site and a column per line of the form.
func (s *Monitor) reportsCSV(w http.ResponseWriter, r *http.Request, ts []*tenants.Tenant, year int) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(strconv.Itoa(year)+"年政府网站工作年度报表.csv"))
	_, _ = w.Write([]byte("\uFEFF"))
	cw := csv.NewWriter(w)
	head := []string{"单位代码", "状态"}
	for _, f := range monitor.YearForm {
		head = append(head, f.Section+"/"+f.Label)
	}
	_ = cw.Write(head)
	for _, t := range ts {
		if t.Status != tenants.Active {
			continue
		}
		v, err := s.reportView(r, t, year)
		if err != nil {
			s.srv.Log().Warn("website report csv", "site", t.Code, "err", err)
			continue
		}
		row := []string{t.Code, map[bool]string{true: "已发布", false: "未发布"}[v.Published]}
		for _, sec := range v.Sections {
			for _, l := range v.Lines[sec] {
				row = append(row, l.Value)
			}
		}
		_ = cw.Write(row)
	}
	cw.Flush()
}

func (a *Office) reportSite(w http.ResponseWriter, r *http.Request) (*tenants.Tenant, bool) {
	t, err := a.srv.TenantStore().ByCode(r.Context(), r.PathValue("code"))
	if err != nil {
		a.srv.RenderError(w, r, core.Errorf(core.ENOTFOUND, "没有这个站点：%s", r.PathValue("code")))
		return nil, false
	}
	return t, true
}

func (a *Office) CountyReport(w http.ResponseWriter, r *http.Request, _ *sso.User) {
	t, ok := a.reportSite(w, r)
	if !ok {
		return
	}
	if r.URL.Query().Get("format") == "pdf" {
		a.mon.reportPDF(w, r, t)
		return
	}
	a.renderReport(w, r, t, "", http.StatusOK)
}

// reportPDF is one site's yearly report as the printed form: published
// reports with their frozen counts, drafts marked as such.
func (s *Monitor) reportPDF(w http.ResponseWriter, r *http.Request, t *tenants.Tenant) {
	v, err := s.reportView(r, t, reportYear(r))
	if err != nil {
		s.srv.RenderError(w, r, err)
		return
	}
	title := t.Name + strconv.Itoa(v.Year) + "年政府网站工作年度报表"
	sub := "草稿，未发布；平台统计数字为当前计算值"
	if v.Published && v.Report.PublishedAt != nil {
		sub = "发布于 " + v.Report.PublishedAt.In(content.Location).Format("2006-01-02 15:04")
	}
	doc := printdoc.Doc{Title: title, Subtitle: sub}
	for _, sec := range v.Sections {
		rows := [][]string{{"指标", "数值"}}
		for _, l := range v.Lines[sec] {
			label := l.Label
			if l.Unit != "" {
				label += "（" + l.Unit + "）"
			}
			value := l.Value
			if value == "" {
				value = "—"
			}
			rows = append(rows, []string{label, value})
		}
		doc.Blocks = append(doc.Blocks, printdoc.Block{Heading: sec, Table: rows})
	}
	var b bytes.Buffer
	if err := printdoc.Write(&b, doc); err != nil {
		if errors.Is(err, printdoc.ErrNoFont) {
			err = core.Errorf(core.EUNAVAIL, printdoc.NoFontMessage)
		}
		s.srv.RenderError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", "inline; filename*=UTF-8''"+url.PathEscape(title+".pdf"))
	_, _ = w.Write(b.Bytes())
}

func (a *Office) renderReport(w http.ResponseWriter, r *http.Request, t *tenants.Tenant, problem string, status int) {
	v, err := a.mon.reportView(r, t, reportYear(r))
	if err != nil {
		a.srv.RenderError(w, r, err)
		return
	}
	v.Problem = problem
	crumbs := []web.Crumb{{Name: "管理后台", URL: web.SiteOf(r).Base + "admin/"}, {Name: "县级平台管理", URL: web.SiteOf(r).Base + "admin/county/"},
		{Name: "网站年度报表", URL: web.SiteOf(r).Base + "admin/county/website-report?year=" + strconv.Itoa(v.Year)}, {Name: t.Name, URL: ""}}
	a.srv.RenderStatus(w, r, "admin_website_report", t.Name+" "+strconv.Itoa(v.Year)+" 年度报表", crumbs, v, status)
}

func (a *Office) CountyReportSave(w http.ResponseWriter, r *http.Request, u *sso.User) {
	t, ok := a.reportSite(w, r)
	if !ok {
		return
	}
	year := reportYear(r)
	entered := map[string]string{}
	for _, f := range monitor.YearForm {
		if !f.Auto {
			if v, ok := r.PostForm[f.Key]; ok && len(v) > 0 {
				entered[f.Key] = v[0]
			}
		}
	}
	action := r.PostFormValue("action")
	var counts map[string]string
	if action == "publish" {
		var err error
		if counts, err = monitor.NewStore(a.srv.DB()).YearCounts(r.Context(), t, web.Absolute(r, web.SiteBase(r, t)), year, a.mon.yearModules(r.Context(), t.ID, year)); err != nil {
			a.srv.RenderError(w, r, err)
			return
		}
	}
	err := monitor.NewStore(a.srv.DB()).SaveYearReport(r.Context(), a.acc.ActorAt(r, u), a.acc.ClientIP(r), t.ID, year, entered, counts, action == "publish", action == "reopen")
	if err != nil {
		if c := core.ErrorCode(err); c == core.EINVALID || c == core.ECONFLICT {
			a.renderReport(w, r, t, core.ErrorMessage(err), http.StatusBadRequest)
			return
		}
		a.srv.RenderError(w, r, err)
		return
	}
	http.Redirect(w, r, web.SiteOf(r).Base+"admin/county/website-report/"+t.Code+"?year="+strconv.Itoa(year), http.StatusSeeOther)
}
