package county

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"yiwang/core"
	"yiwang/core/content"
	"yiwang/core/monitor"
	"yiwang/core/web"
	"yiwang/sso"
	"yiwang/tenants"
)

// The county office's daily check (网站监测, 一日一检查): every site held
// against the thresholds, worst first, with each finding linking to the
// page where it is fixed; the staff's use of the platform per unit on the
// checked day; the thresholds, which the county office edits.

type monitorSite struct {
	*monitor.Site
	URL, Page string
	Use       *monitor.Use
	Trend     template.HTML // articles per week
	OnTime    monitor.OnTime
	OnTimeBar template.HTML
}

type monitorView struct {
	Day, Prev, Next string
	Sites           []monitorSite
	Vetoed, Flagged int
	Unused          int
	Settings        []monitor.Setting
	Problem, Saved  string
	RiskChart       template.HTML
	UseChart        template.HTML
	ModulesDown     []string
	Columns         []*content.Column // the portal's list columns, for the drafts
	Week, Month     string
	Gathered        string // when the facts were read
}

// monitorDay is the checked day: ?day=YYYY-MM-DD, yesterday by default
// (the day that is over).
func monitorDay(r *http.Request) time.Time {
	now := time.Now().In(content.Location)
	d, err := time.ParseInLocation("2006-01-02", r.URL.Query().Get("day"), content.Location)
	if err != nil || d.After(now) {
		y := now.AddDate(0, 0, -1)
		d = time.Date(y.Year(), y.Month(), y.Day(), 0, 0, 0, 0, content.Location)
	}
	return d
}

// monitorSnapshot is the facts of the last background gathering, which
// the page reads instead of gathering them on request.
type monitorSnapshot struct {
	mu    sync.Mutex
	day   string
	facts monitor.Facts
	down  []string
	at    time.Time
}

// snapshotFresh is how long a gathering serves the page.
const snapshotFresh = 30 * time.Minute

// RefreshMonitor gathers the facts of the daily check for yesterday in
// the background (serve runs it every ten minutes), so that the county
// office's page evaluates them without reading the county's data.
func (s *Monitor) RefreshMonitor(ctx context.Context) error {
	day := monitorDay(&http.Request{URL: &url.URL{}})
	f, down, err := s.gatherMonitor(ctx, day)
	if err != nil {
		return err
	}
	s.snap.mu.Lock()
	s.snap.day, s.snap.facts, s.snap.down, s.snap.at = day.Format("2006-01-02"), f, down, time.Now()
	s.snap.mu.Unlock()
	return nil
}

// monitorFacts are the facts of day: the background gathering's when it
// is of that day and fresh, else gathered now. The time says when.
func (s *Monitor) monitorFacts(ctx context.Context, day time.Time) (monitor.Facts, []string, time.Time, error) {
	s.snap.mu.Lock()
	sday, facts, down, at := s.snap.day, s.snap.facts, s.snap.down, s.snap.at
	s.snap.mu.Unlock()
	if sday == day.Format("2006-01-02") && time.Since(at) < snapshotFresh {
		return facts, down, at, nil
	}
	f, down, err := s.gatherMonitor(ctx, day)
	return f, down, time.Now(), err
}

// gatherMonitor reads what the monitors read, once for every site.
func (s *Monitor) gatherMonitor(ctx context.Context, day time.Time) (monitor.Facts, []string, error) {
	ms := monitor.NewStore(s.srv.DB())
	var f monitor.Facts
	var err error
	now := time.Now()
	if f.Fresh, err = s.srv.Content().Freshness(ctx, now.AddDate(0, 0, -30)); err != nil {
		return f, nil, err
	}
	if f.Columns, err = ms.ListColumns(ctx); err != nil {
		return f, nil, err
	}
	if f.Use, err = ms.StaffUse(ctx, day, day.AddDate(0, 0, 1)); err != nil {
		return f, nil, err
	}
	if f.Probes, err = ms.Availability(ctx, now.AddDate(0, 0, -7)); err != nil {
		return f, nil, err
	}
	if f.Text, err = ms.TextHits(ctx); err != nil {
		return f, nil, err
	}
	if f.Links, err = ms.BrokenLinks(ctx); err != nil {
		return f, nil, err
	}
	if f.Weekly, err = ms.WeeklyPublished(ctx, now, monitor.TrendWeeks); err != nil {
		return f, nil, err
	}
	f.Oldest = map[int64]monitor.OpenCase{}
	f.OnTime = map[int64]monitor.OnTime{}
	var down []string
	s.mu.Lock()
	sv := s.supervision
	s.mu.Unlock()
	if sv != nil {
		figs, err := sv.Figures(ctx, now.AddDate(0, -1, 0), now)
		if err != nil {
			return f, nil, err
		}
		for _, m := range figs {
			if m.Err != "" {
				down = append(down, m.Title)
				continue
			}
			for _, row := range m.Rows {
				o := f.OnTime[row.Tenant.ID]
				o.AddOnTime(row.Values)
				f.OnTime[row.Tenant.ID] = o
				days := int(row.Values["oldest_open_days"])
				if days > 0 && days > f.Oldest[row.Tenant.ID].Days {
					f.Oldest[row.Tenant.ID] = monitor.OpenCase{Module: m.Module, Title: m.Title, Days: days}
				}
			}
		}
	}
	return f, down, nil
}

func (s *Monitor) monitorView(r *http.Request) (*monitorView, error) {
	ctx := r.Context()
	day := monitorDay(r)
	facts, down, gathered, err := s.monitorFacts(ctx, day)
	if err != nil {
		return nil, err
	}
	th, err := monitor.NewStore(s.srv.DB()).Thresholds(ctx)
	if err != nil {
		return nil, err
	}
	ts, err := s.srv.TenantStore().List(ctx)
	if err != nil {
		return nil, err
	}
	base := web.SiteOf(r).Base
	v := &monitorView{Day: day.Format("2006-01-02"), Prev: day.AddDate(0, 0, -1).Format("2006-01-02"), Settings: th.Settings(), ModulesDown: down,
		Gathered: gathered.In(content.Location).Format("2006-01-02 15:04")}
	if next := day.AddDate(0, 0, 1); next.Before(time.Now().In(content.Location).Truncate(24 * time.Hour)) {
		v.Next = next.Format("2006-01-02")
	}
	var risk, use []web.Bar
	for _, site := range monitor.Evaluate(ts, facts, th, content.FreshnessRules, time.Now()) {
		ms := monitorSite{Site: site, URL: web.SiteBase(r, site.Tenant), Page: base + "admin/county/monitor/" + site.Tenant.Code + "?day=" + v.Day, Use: facts.Use[site.Tenant.ID]}
		if ms.Use == nil {
			ms.Use = &monitor.Use{}
		}
		weekly := facts.Weekly[site.Tenant.ID]
		if weekly == nil {
			weekly = make([]int, monitor.TrendWeeks)
		}
		ms.Trend = web.Sparkline(fmt.Sprintf("近%d周每周发布篇数", monitor.TrendWeeks), weekly)
		ms.OnTime = facts.OnTime[site.Tenant.ID]
		if ms.OnTime.Closed > 0 {
			ms.OnTimeBar = web.ShareBar(ms.OnTime.Share())
		}
		if site.Vetoes > 0 {
			v.Vetoed++
		}
		if len(site.Findings) > 0 {
			v.Flagged++
		}
		if ms.Use.Total() == 0 {
			v.Unused++
		}
		if n := len(site.Findings); n > 0 && len(risk) < 20 {
			color := "#8a5a00"
			if site.Vetoes > 0 {
				color = "#a8141c"
			}
			risk = append(risk, web.Bar{Name: site.Tenant.Name, V: float64(n), Color: color})
		}
		use = append(use, web.Bar{Name: site.Tenant.Name, V: float64(ms.Use.Total()), Color: "#1e5a8a"})
		v.Sites = append(v.Sites, ms)
	}
	v.RiskChart = web.HorizontalBars("monitor-risk", "问题最多的站点（红色为有单项否决）", risk, false)
	if len(use) > 20 {
		use = use[:0:0]
		for _, site := range v.Sites {
			if site.Use.Total() > 0 {
				use = append(use, web.Bar{Name: site.Tenant.Name, V: float64(site.Use.Total()), Color: "#1e5a8a"})
			}
		}
	}
	v.UseChart = web.HorizontalBars("monitor-use", v.Day+" 各单位工作人员操作次数（含登录人数）", use, true)
	portal := web.SiteOf(r).Tenant
	cols, err := s.srv.Content().Columns(ctx, portal.ID, false)
	if err != nil {
		return nil, err
	}
	for _, c := range cols {
		if c.Type == content.ColumnList {
			v.Columns = append(v.Columns, c)
		}
	}
	v.Week = monitor.ExposureDraft(nil, day).Title
	v.Month = lastMonth(time.Now()).Format("2006年1月")
	return v, nil
}

// lastMonth is the first day of the month before the one of now.
func lastMonth(now time.Time) time.Time {
	now = now.In(content.Location)
	return time.Date(now.Year(), now.Month()-1, 1, 0, 0, 0, 0, content.Location)
}

// CountyMonitorDraft drafts the weekly exposure or the monthly summary as
// an article of the chosen portal column and opens it in the editorial
// desk, where the county office edits it and sends it through review.
func (a *Office) CountyMonitorDraft(w http.ResponseWriter, r *http.Request, u *sso.User) {
	ctx := r.Context()
	portal := web.SiteOf(r).Tenant
	col, err := strconv.ParseInt(r.PostFormValue("column"), 10, 64)
	if err != nil {
		a.renderMonitor(w, r, "请选择发布的栏目。", false, http.StatusBadRequest)
		return
	}
	var d monitor.Draft
	switch r.PostFormValue("kind") {
	case "exposure":
		v, err := a.mon.monitorView(r)
		if err != nil {
			a.srv.RenderError(w, r, err)
			return
		}
		sites := make([]*monitor.Site, len(v.Sites))
		for i, s := range v.Sites {
			sites[i] = s.Site
		}
		d = monitor.ExposureDraft(sites, monitorDay(r))
	case "summary":
		from := lastMonth(time.Now())
		to := from.AddDate(0, 1, 0)
		figs, err := monitor.NewStore(a.srv.DB()).MonthFigures(ctx, from, to)
		if err != nil {
			a.srv.RenderError(w, r, err)
			return
		}
		a.mon.addCaseFigures(ctx, figs, from, to)
		ts, err := a.srv.TenantStore().List(ctx)
		if err != nil {
			a.srv.RenderError(w, r, err)
			return
		}
		d = monitor.SummaryDraft(ts, figs, from)
	default:
		a.renderMonitor(w, r, "请选择要起草的内容。", false, http.StatusBadRequest)
		return
	}
	actor := content.Actor{TenantID: portal.ID, UserID: u.ID, Name: u.DisplayName(), Roles: u.Roles(portal.ID), RemoteAddr: a.acc.ClientIP(r)}
	m, err := content.NewDesk(a.srv.Content()).Create(ctx, actor, content.Input{ColumnID: col, Title: d.Title, Summary: d.Summary, Body: d.Body, Source: "县政府办公室"})
	if err != nil {
		if core.ErrorCode(err) == core.EINVALID || core.ErrorCode(err) == core.ENOTFOUND {
			a.renderMonitor(w, r, core.ErrorMessage(err), false, http.StatusBadRequest)
			return
		}
		a.srv.RenderError(w, r, err)
		return
	}
	http.Redirect(w, r, web.SiteOf(r).Base+"admin/articles/"+strconv.FormatInt(m.ID, 10)+"/edit", http.StatusSeeOther)
}

// addCaseFigures adds the letters and requests each unit's modules
// closed in [from, to) to figs.
func (s *Monitor) addCaseFigures(ctx context.Context, figs map[int64]*monitor.MonthFigures, from, to time.Time) {
	s.mu.Lock()
	sv := s.supervision
	s.mu.Unlock()
	if sv == nil {
		return
	}
	mfs, err := sv.Figures(ctx, from, to)
	if err != nil {
		s.srv.Log().Warn("monthly summary: module figures", "err", err)
		return
	}
	for _, m := range mfs {
		for _, row := range m.Rows {
			n := int(row.Values["closed"] + row.Values["requests_answered"])
			if n == 0 {
				continue
			}
			if figs[row.Tenant.ID] == nil {
				figs[row.Tenant.ID] = &monitor.MonthFigures{}
			}
			figs[row.Tenant.ID].Cases += n
		}
	}
}

func (a *Office) CountyMonitor(w http.ResponseWriter, r *http.Request, _ *sso.User) {
	a.renderMonitor(w, r, "", r.URL.Query().Get("saved") != "", http.StatusOK)
}

func (a *Office) renderMonitor(w http.ResponseWriter, r *http.Request, problem string, saved bool, status int) {
	v, err := a.mon.monitorView(r)
	if err != nil {
		a.srv.RenderError(w, r, err)
		return
	}
	v.Problem = problem
	if saved {
		v.Saved = "监测阈值已保存，立即生效。"
	}
	crumbs := []web.Crumb{{Name: "管理后台", URL: web.SiteOf(r).Base + "admin/"}, {Name: "县级平台管理", URL: web.SiteOf(r).Base + "admin/county/"}, {Name: "网站监测", URL: ""}}
	a.srv.RenderStatus(w, r, "admin_monitor", "网站监测 - 县级平台管理", crumbs, v, status)
}

func (a *Office) CountyMonitorSite(w http.ResponseWriter, r *http.Request, _ *sso.User) {
	v, err := a.mon.monitorView(r)
	if err != nil {
		a.srv.RenderError(w, r, err)
		return
	}
	code := r.PathValue("code")
	for _, site := range v.Sites {
		if site.Tenant.Code == code {
			crumbs := []web.Crumb{{Name: "管理后台", URL: web.SiteOf(r).Base + "admin/"}, {Name: "县级平台管理", URL: web.SiteOf(r).Base + "admin/county/"},
				{Name: "网站监测", URL: web.SiteOf(r).Base + "admin/county/monitor?day=" + v.Day}, {Name: site.Tenant.Name, URL: ""}}
			a.srv.RenderStatus(w, r, "admin_monitor_site", site.Tenant.Name+" - 网站监测", crumbs,
				map[string]any{"Site": site, "Day": v.Day, "Rank": rankOf(v.Sites, code), "Of": len(v.Sites)}, http.StatusOK)
			return
		}
	}
	a.srv.RenderError(w, r, core.Errorf(core.ENOTFOUND, "没有这个在用站点：%s", code))
}

func rankOf(sites []monitorSite, code string) int {
	for i, s := range sites {
		if s.Tenant.Code == code {
			return i + 1
		}
	}
	return 0
}

func (a *Office) CountyMonitorSettings(w http.ResponseWriter, r *http.Request, u *sso.User) {
	values := map[string]string{}
	for _, x := range monitor.Defaults.Settings() {
		values[x.Key] = r.PostFormValue(x.Key)
	}
	if _, err := monitor.NewStore(a.srv.DB()).SaveThresholds(r.Context(), a.acc.ActorAt(r, u), a.acc.ClientIP(r), values); err != nil {
		if core.ErrorCode(err) == core.EINVALID {
			a.renderMonitor(w, r, core.ErrorMessage(err), false, http.StatusBadRequest)
			return
		}
		a.srv.RenderError(w, r, err)
		return
	}
	http.Redirect(w, r, web.SiteOf(r).Base+"admin/county/monitor?saved=1", http.StatusSeeOther)
}

// SiteAvailability answers /healthz/sites on the portal: every active
// site's probes of the last 7 days, for an outside prober or a status
// page to read (nothing in it is private).
func (s *Monitor) SiteAvailability(w http.ResponseWriter, r *http.Request) {
	if !web.SiteOf(r).Tenant.IsPortal() {
		s.srv.RenderError(w, r, core.Errorf(core.ENOTFOUND, "页面不存在"))
		return
	}
	av, err := monitor.NewStore(s.srv.DB()).Availability(r.Context(), time.Now().AddDate(0, 0, -7))
	if err != nil {
		s.srv.RenderError(w, r, err)
		return
	}
	ts, err := s.srv.TenantStore().List(r.Context())
	if err != nil {
		s.srv.RenderError(w, r, err)
		return
	}
	type site struct {
		Code   string     `json:"code"`
		Name   string     `json:"name"`
		URL    string     `json:"url"`
		Probes int        `json:"probes_7d"`
		Bad    int        `json:"bad_7d"`
		Share  float64    `json:"bad_share_7d"`
		LastAt *time.Time `json:"last_probe_at,omitempty"`
		LastOK bool       `json:"last_ok"`
		Veto   bool       `json:"veto"`
	}
	out := []site{}
	for _, t := range ts {
		if t.Status != tenants.Active {
			continue
		}
		a := av[t.ID]
		out = append(out, site{Code: t.Code, Name: t.Name, URL: web.Absolute(r, web.SiteBase(r, t)), Probes: a.Total, Bad: a.Bad, Share: a.Share(),
			LastAt: a.Last, LastOK: a.LastOK, Veto: a.Share() >= monitor.AvailabilityVeto})
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(map[string]any{"sites": out, "slow_after_seconds": int(monitor.SlowAfter.Seconds()), "veto_share": monitor.AvailabilityVeto})
}

// monitorNotice tells the county console's home how many sites fail.
func (s *Monitor) monitorNotice(r *http.Request) []web.CountyNotice {
	v, err := s.monitorView(r)
	if err != nil || v.Vetoed == 0 {
		return nil
	}
	return []web.CountyNotice{{Text: fmt.Sprintf("有 %d 个站点触及单项否决指标。", v.Vetoed), URL: web.SiteOf(r).Base + "admin/county/monitor"}}
}

// OldestCases are the longest-waiting letter or request of each site, by
// tenant code, from the last background gathering (none before one).
func (s *Monitor) OldestCases() map[string]monitor.OpenCase {
	s.snap.mu.Lock()
	oldest := s.snap.facts.Oldest
	s.snap.mu.Unlock()
	all, err := s.srv.RegisteredTenants(context.Background())
	out := map[string]monitor.OpenCase{}
	if err != nil {
		return out
	}
	for _, t := range all {
		if oc, ok := oldest[t.ID]; ok && oc.Days > 0 {
			out[t.Code] = oc
		}
	}
	return out
}
