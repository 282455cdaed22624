package interview

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"time"

	"yiwang/plugins/sdk"
)

// listed is an interview in a list, with the site it belongs to.
type listed struct {
	*Interview
	Phase string
	URL   string
	Site  string // the unit's name, on the portal's county-wide archive
}

// index lists the site's announced and live interviews and its archive;
// the portal's archive holds every enabling site's past interviews.
func (h *Handler) index(w http.ResponseWriter, r *http.Request) {
	t := sdk.TenantOf(r)
	now := h.now()
	// The list moves with the clock (an announced interview goes live at
	// its hour), so it is kept only briefly.
	sdk.Cacheable(w, time.Minute)
	ivs, err := listInterviews(r.Context(), h.db(r))
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	var current, past []listed
	for _, iv := range ivs {
		ph := iv.Phase(now)
		if !iv.Public(now) {
			continue
		}
		l := listed{Interview: iv, Phase: ph, URL: sdk.URL(r, "interview/"+iv.Channel())}
		if ph == PhaseNotice || ph == PhaseLive {
			current = append(current, l)
		} else {
			past = append(past, l)
		}
	}
	sort.Slice(current, func(i, j int) bool { return current[i].StartsAt.Before(current[j].StartsAt) })
	if t.IsPortal() {
		others, err := h.countyArchive(r, now)
		if err != nil {
			sdk.Fail(w, err)
			return
		}
		past = append(past, others...)
		sort.SliceStable(past, func(i, j int) bool { return past[i].StartsAt.After(past[j].StartsAt) })
	}
	h.render(w, r, "index", NavTitle, nil, http.StatusOK, map[string]any{"Current": current, "Past": past, "Portal": t.IsPortal()})
}

// countyArchive reads the past interviews of every other enabling site in
// one query, with links to the site that held them.
func (h *Handler) countyArchive(r *http.Request, now time.Time) ([]listed, error) {
	var ids []int64
	sites := map[int64]*sdk.Tenant{}
	for _, tc := range h.env.Tenants() {
		if tc.Tenant.IsPortal() {
			continue
		}
		tn := tc.Tenant
		ids = append(ids, tn.ID)
		sites[tn.ID] = &tn
	}
	if len(ids) == 0 {
		return nil, nil
	}
	var ivs []*Interview
	if err := h.env.DB.Across(ids).Select(r.Context(), &ivs, `SELECT `+interviewCols+` FROM interviews
		WHERE tenant_id IN (:tenant_ids) AND published = 1 AND transcript_at IS NOT NULL ORDER BY starts_at DESC LIMIT 200`, nil); err != nil {
		return nil, fmt.Errorf("county archive: %w", err)
	}
	var out []listed
	for _, iv := range ivs {
		st := sites[iv.TenantID]
		out = append(out, listed{Interview: iv, Phase: iv.Phase(now), Site: st.Name,
			URL: sdk.URL(r, "site/"+st.Code+"/interview/"+iv.Channel())})
	}
	return out, nil
}

// publicInterview reads an interview people may see now; a draft or one
// not yet announced is not found, except for staff.
func (h *Handler) publicInterview(r *http.Request) (*Interview, error) {
	id, err := idOf(r, "id")
	if err != nil {
		return nil, err
	}
	iv, err := getInterview(r.Context(), h.db(r), id)
	if err != nil {
		return nil, err
	}
	if !iv.Public(h.now()) && !sdk.Can(r, PermHost) {
		return nil, sdk.Errorf(sdk.ENOTFOUND, "这期访谈不存在，可能已被删除或地址有误。")
	}
	return iv, nil
}

// pageData is what the interview page shows.
type pageData struct {
	IV       *Interview
	Phase    string
	Answers  []*Answer // live
	After    []*Answer // answered after the interview
	LastID   int64     // the last event the page shows: the script follows from there
	Events   string    // the event stream's URL
	CanAsk   bool
	SignedIn bool
	Login    string
	Problem  string
	Done     string
	Text     string // the question being written, kept after a refusal
	Max      int
	Waiting  int // approved questions not yet answered
}

func (h *Handler) page(w http.ResponseWriter, r *http.Request) {
	iv, err := h.publicInterview(r)
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	h.renderPage(w, r, iv, http.StatusOK, "", "", "")
}

func (h *Handler) renderPage(w http.ResponseWriter, r *http.Request, iv *Interview, status int, problem, done, text string) {
	ctx := r.Context()
	s := h.db(r)
	last, err := h.log.Last(ctx, iv.TenantID, iv.Channel())
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	as, err := answersOf(ctx, s, iv.ID)
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	ph := iv.Phase(h.now())
	d := pageData{IV: iv, Phase: ph, LastID: last, Events: sdk.URL(r, "interview/events/"+iv.Channel()) + "?after=" + strconv.FormatInt(last, 10),
		SignedIn: sdk.UserOf(r) != nil, Login: sdk.LoginURL(r), Problem: problem, Done: done, Text: text, Max: settingsOf(r).QuestionMax}
	d.CanAsk = (ph == PhaseNotice || ph == PhaseLive) && sdk.Can(r, PermAsk)
	for _, a := range as {
		if a.Phase == "after" {
			d.After = append(d.After, a)
		} else {
			d.Answers = append(d.Answers, a)
		}
	}
	if u, err := url.Parse(iv.VideoURL); err == nil && u.Scheme == "https" && u.Host != "" {
		w.Header().Set(sdk.HeaderStreamOrigin, "https://"+u.Host)
	}
	if ph == PhaseArchived && status == http.StatusOK && sdk.UserOf(r) == nil {
		sdk.Cacheable(w, 10*time.Minute) // a transcript changes only by staff, who say so
	}
	title := iv.Title
	h.render(w, r, "interview", title, []sdk.Crumb{{Name: title}}, status, d)
}

// ask takes a citizen's question: signed in, while questions are open,
// within the length limit and the hourly limit, plain text.
func (h *Handler) ask(w http.ResponseWriter, r *http.Request) {
	iv, err := h.publicInterview(r)
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	u := sdk.UserOf(r)
	if u == nil {
		http.Redirect(w, r, sdk.LoginURL(r), http.StatusSeeOther)
		return
	}
	text := r.PostFormValue("question")
	if !sdk.Can(r, PermAsk) {
		sdk.Fail(w, sdk.Errorf(sdk.EFORBID, "您没有在本站提问的权限。"))
		return
	}
	if ph := iv.Phase(h.now()); ph != PhaseNotice && ph != PhaseLive {
		h.renderPage(w, r, iv, http.StatusConflict, "本期访谈已结束，不再接受提问。", "", text)
		return
	}
	body, problem := plain("问题", text, settingsOf(r).QuestionMax, true)
	if problem != "" {
		h.renderPage(w, r, iv, http.StatusBadRequest, problem, "", text)
		return
	}
	if !h.allow(r, "user:"+strconv.FormatInt(u.ID, 10)) {
		h.renderPage(w, r, iv, http.StatusTooManyRequests, fmt.Sprintf("提问过于频繁：每人每小时最多提 %d 个问题，请稍后再试。", questionsPerHour), "", text)
		return
	}
	now := h.now().UTC()
	if _, err := h.db(r).Insert(r.Context(), `INSERT INTO interview_questions (tenant_id, interview_id, user_id, user_name, body, status, created_at, updated_at)
		VALUES (:tenant_id, :iv, :uid, :name, :body, 'pending', :now, :now)`,
		sdk.Args{"iv": iv.ID, "uid": u.ID, "name": u.Name, "body": body, "now": now}); err != nil {
		sdk.Fail(w, fmt.Errorf("store question: %w", err))
		return
	}
	h.renderPage(w, r, iv, http.StatusOK, "", "您的问题已提交，经工作人员审核后转给嘉宾。审核结果可在“我的提问”中查看。", "")
}

// mine lists the signed-in person's questions on this site.
func (h *Handler) mine(w http.ResponseWriter, r *http.Request) {
	u := sdk.UserOf(r)
	if u == nil {
		http.Redirect(w, r, sdk.LoginURL(r), http.StatusSeeOther)
		return
	}
	type row struct {
		*Question
		Title string
		URL   string
	}
	var qs []*Question
	s := h.db(r)
	if err := s.Select(r.Context(), &qs, `SELECT * FROM interview_questions WHERE tenant_id = :tenant_id AND user_id = :uid ORDER BY id DESC`,
		sdk.Args{"uid": u.ID}); err != nil {
		sdk.Fail(w, err)
		return
	}
	titles := map[int64]string{}
	var rows []row
	for _, q := range qs {
		if _, ok := titles[q.InterviewID]; !ok {
			if iv, err := getInterview(r.Context(), s, q.InterviewID); err == nil {
				titles[q.InterviewID] = iv.Title
			}
		}
		rows = append(rows, row{Question: q, Title: titles[q.InterviewID], URL: sdk.URL(r, "interview/"+strconv.FormatInt(q.InterviewID, 10))})
	}
	h.render(w, r, "mine", "我的提问", []sdk.Crumb{{Name: "我的提问"}}, http.StatusOK, rows)
}

// photo serves a guest's or an answer's photo of an interview people may
// see.
func (h *Handler) photo(w http.ResponseWriter, r *http.Request) {
	iv, err := h.publicInterview(r)
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	pid, err := idOf(r, "pid")
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	p, err := getPhoto(r.Context(), h.db(r), iv.ID, pid)
	if err == nil && p.Key != "" {
		var f *sdk.File
		if f, err = h.env.Host.ReadFile(r.Context(), iv.TenantID, p.Key); err == nil {
			p.Data = f.Data
		}
	}
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	w.Header().Set("Content-Type", p.ContentType)
	w.Header().Set("Cache-Control", "public, max-age=86400")
	_, _ = w.Write(p.Data)
}

// questionState is the Chinese label of a question as its asker sees it.
func questionState(q *Question) string {
	switch {
	case q.Answered == "live":
		return "已在访谈中答复"
	case q.Answered == "after":
		return "已在访谈后答复"
	case q.Status == QPending:
		return "待审核"
	case q.Status == QApproved:
		return "已采纳，等待答复"
	case q.Status == QMerged:
		return "与其他网友的问题合并答复"
	case q.Status == QRejected:
		return "未采纳"
	}
	return q.Status
}

// interviewOf is used by Cases and Tick: an interview by id of a tenant.
func (h *Handler) interviewOf(ctx context.Context, tenantID, id int64) (*Interview, error) {
	return getInterview(ctx, h.env.DB.Tenant(tenantID), id)
}
