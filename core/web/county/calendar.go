package county

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"yiwang/core"
	"yiwang/core/calendar"
	"yiwang/core/content"
	"yiwang/core/web"
	"yiwang/core/web/account"
	"yiwang/sso"
	"yiwang/tenants"
)

// The county office's working-day calendar: the State Council's holidays
// and make-up working days with the county's own corrections laid over
// them, a year at a time, and the years deadlines can be counted in. The
// modules' deadlines (the mailbox's working days) follow a change within
// the calendar store's cache time; every change is audited by the store.

// NewCalendarConsole makes the county console's calendar page over cs
// (/admin/county/calendar on the portal, for platform admins): its console
// entry and notices. Its routes are added by core/web/host.
func NewCalendarConsole(s *web.Server, cs *calendar.Store) CalendarConsole {
	c := CalendarConsole{srv: s, cs: cs}
	s.AddConsoleRoutes(web.ConsoleRoute{Method: "GET", Path: "/admin/county/calendar"},
		web.ConsoleRoute{Method: "POST", Path: "/admin/county/calendar/days"},
		web.ConsoleRoute{Method: "POST", Path: "/admin/county/calendar/days/clear"},
		web.ConsoleRoute{Method: "POST", Path: "/admin/county/calendar/years"})
	s.AddAdminEntries(func(r *http.Request, t *tenants.Tenant, roles []tenants.Role) []web.AdminEntry {
		if !onPortalFor(t, roles) {
			return nil
		}
		return []web.AdminEntry{{Title: "工作日历", URL: web.SiteOf(r).Base + "admin/county/calendar", Description: "法定节假日和调休、县里的修订，以及可计算期限的年份。"}}
	})
	s.AddCountyNotices(func(r *http.Request) []web.CountyNotice {
		cal, err := cs.Current(r.Context())
		if err != nil {
			return []web.CountyNotice{{Text: "工作日历读取失败：" + err.Error()}}
		}
		covered := map[int]bool{}
		for _, y := range cal.Years() {
			covered[y] = true
		}
		var out []web.CountyNotice
		for _, y := range missingYears(covered, time.Now().In(content.Location)) {
			out = append(out, web.CountyNotice{Text: fmt.Sprintf("工作日历尚未收录 %d 年，该年度的办件期限无法计算：国务院办公厅的放假安排公布后请录入并确认。", y),
				URL: web.SiteOf(r).Base + "admin/county/calendar?year=" + strconv.Itoa(y)})
		}
		return out
	})
	return c
}

type CalendarConsole struct {
	srv *web.Server
	cs  *calendar.Store
}

// calendarForm is what the forms were given, kept after a refusal.
type calendarForm struct {
	Date, Kind, Holiday, Source string
	Year, YearSource            string
}

type calendarView struct {
	Year             int
	Covered          bool  // deadlines can be counted in Year
	Years            []int // every covered year
	Missing          []int // this year or next, not covered: a warning
	PrevURL, NextURL string
	Months           []calMonth
	Working, Off     int // in Year (when covered)
	Corrections      []calendar.Entry
	Action           string
	Done             string
	Form             calendarForm
	Today            string
}

type calMonth struct {
	Title string
	Weeks [][]calCell
}

type calCell struct {
	Day     int // 0: a blank before the first or after the last
	Kind    calendar.Kind
	Label   string // what the day is, in words, for screen readers and the title
	Holiday string
	County  bool // the county office's correction
	Today   bool
}

func (c CalendarConsole) render(w http.ResponseWriter, r *http.Request, form calendarForm, errMsg string, status int) {
	ctx := r.Context()
	now := time.Now().In(content.Location)
	year := now.Year()
	if y, err := strconv.Atoi(r.URL.Query().Get("year")); err == nil && y >= 2000 && y <= 2100 {
		year = y
	}
	cal, err := c.cs.Current(ctx)
	if err != nil {
		c.srv.RenderError(w, r, err)
		return
	}
	layer, err := c.cs.Layer(ctx)
	if err != nil {
		c.srv.RenderError(w, r, err)
		return
	}
	base := web.SiteOf(r).Base + "admin/county/calendar"
	v := calendarView{Year: year, Years: cal.Years(), Action: base, Form: form, Today: calendar.DateOf(now).String(),
		PrevURL: base + "?year=" + strconv.Itoa(year-1), NextURL: base + "?year=" + strconv.Itoa(year+1)}
	covered := map[int]bool{}
	for _, y := range v.Years {
		covered[y] = true
	}
	v.Covered = covered[year]
	v.Missing = missingYears(covered, now)
	county := map[calendar.Date]bool{}
	for _, e := range layer.Entries {
		county[e.Date] = true
		if e.Date.Year == year {
			v.Corrections = append(v.Corrections, e)
		}
	}
	// A year not yet covered is drawn from what has been entered so far,
	// marked as not in force.
	draw := cal
	if !v.Covered {
		if draw, err = cal.With(calendar.Layer{Name: "preview", Years: []int{year}}); err != nil {
			c.srv.RenderError(w, r, err)
			return
		}
	}
	for m := time.January; m <= time.December; m++ {
		month := calMonth{Title: fmt.Sprintf("%d月", int(m))}
		first := calendar.NewDate(year, m, 1)
		week := make([]calCell, (int(first.Weekday())+6)%7) // Monday first
		for d := first; d.Month == m; d = d.AddDays(1) {
			day, err := draw.Day(d)
			if err != nil {
				c.srv.RenderError(w, r, err)
				return
			}
			cell := calCell{Day: d.Day, Kind: day.Kind, Holiday: day.Holiday, County: county[d], Today: d.String() == v.Today}
			cell.Label = dayLabel(day, cell.County)
			if v.Covered {
				if day.Kind.Working() {
					v.Working++
				} else {
					v.Off++
				}
			}
			week = append(week, cell)
			if len(week) == 7 {
				month.Weeks = append(month.Weeks, week)
				week = nil
			}
		}
		if len(week) > 0 {
			month.Weeks = append(month.Weeks, append(week, make([]calCell, 7-len(week))...))
		}
		v.Months = append(v.Months, month)
	}
	switch r.URL.Query().Get("done") {
	case "set":
		v.Done = "已保存修订。两分钟内，新受理的办件按新的日历计算期限，在办件的期限也随之重新计算。"
	case "clear":
		v.Done = "已清除修订，这一天恢复按国务院通知或周末规则计算。"
	case "year":
		v.Done = "已确认该年度的节假日安排，此后可在该年度计算期限。"
	}
	crumbs := crumbs(r, "工作日历")
	c.srv.RenderStatus(w, r, "admin_calendar", fmt.Sprintf("工作日历 %d年 - 县级平台管理", year), crumbs, web.ConsoleForm{Data: v, Error: errMsg}, status)
}

func dayLabel(d calendar.Day, county bool) string {
	var s string
	switch d.Kind {
	case calendar.Holiday:
		s = "放假"
		if d.Holiday != "" {
			s = d.Holiday + "放假"
		}
	case calendar.Makeup:
		s = "调休上班"
		if d.Holiday != "" {
			s = d.Holiday + "调休上班"
		}
	case calendar.Weekend:
		s = "周末休息"
	default:
		s = "工作日"
	}
	if county {
		s += "（县里修订）"
	}
	return s
}

// formDate reads a date field (2026-10-08).
func formDate(r *http.Request, key string) (calendar.Date, error) {
	v := strings.TrimSpace(r.PostFormValue(key))
	d, err := calendar.ParseDate(v)
	if err != nil {
		return calendar.Date{}, core.Errorf(core.EINVALID, "日期“%s”无效，请按 2026-10-08 的格式填写", v)
	}
	return d, nil
}

// after answers a change: back to the year's page, or the page again
// with the reason it was refused.
func (c CalendarConsole) after(w http.ResponseWriter, r *http.Request, year int, done string, form calendarForm, err error) {
	if err != nil {
		if code := core.ErrorCode(err); code == core.EINTERNAL || code == core.EUNAVAIL {
			c.srv.RenderError(w, r, err)
			return
		}
		q := r.URL.Query()
		q.Set("year", strconv.Itoa(year))
		r.URL.RawQuery = q.Encode()
		c.render(w, r, form, core.ErrorMessage(err), web.StatusOf(err))
		return
	}
	http.Redirect(w, r, web.SiteOf(r).Base+"admin/county/calendar?"+url.Values{"year": {strconv.Itoa(year)}, "done": {done}}.Encode(), http.StatusSeeOther)
}

func (c CalendarConsole) SetDay(w http.ResponseWriter, r *http.Request, _ *account.Accounts, u *sso.User) {
	f := calendarForm{Date: strings.TrimSpace(r.PostFormValue("date")), Kind: r.PostFormValue("kind"),
		Holiday: strings.TrimSpace(r.PostFormValue("holiday")), Source: strings.TrimSpace(r.PostFormValue("source"))}
	d, err := formDate(r, "date")
	year := time.Now().In(content.Location).Year()
	if err == nil {
		year = d.Year
		switch {
		case f.Kind != "off" && f.Kind != "work":
			err = core.Errorf(core.EINVALID, "请选择“放假”或“调休上班”")
		case len([]rune(f.Holiday)) > 20:
			err = core.Errorf(core.EINVALID, "节日名称最多 20 个字")
		case len([]rune(f.Source)) > 200:
			err = core.Errorf(core.EINVALID, "依据最多 200 个字")
		default:
			err = c.cs.SetDay(r.Context(), u.Actor(), d, f.Kind == "off", f.Holiday, f.Source)
		}
	}
	c.after(w, r, year, "set", f, err)
}

func (c CalendarConsole) ClearDay(w http.ResponseWriter, r *http.Request, _ *account.Accounts, u *sso.User) {
	d, err := formDate(r, "date")
	year := time.Now().In(content.Location).Year()
	if err == nil {
		year = d.Year
		err = c.cs.ClearDay(r.Context(), u.Actor(), d)
	}
	c.after(w, r, year, "clear", calendarForm{}, err)
}

func (c CalendarConsole) AddYear(w http.ResponseWriter, r *http.Request, _ *account.Accounts, u *sso.User) {
	f := calendarForm{Year: strings.TrimSpace(r.PostFormValue("year")), YearSource: strings.TrimSpace(r.PostFormValue("source"))}
	year, err := strconv.Atoi(f.Year)
	if err != nil {
		year = time.Now().In(content.Location).Year()
		err = core.Errorf(core.EINVALID, "年份“%s”无效", f.Year)
	} else if len([]rune(f.YearSource)) > 200 {
		err = core.Errorf(core.EINVALID, "依据最多 200 个字")
	} else {
		err = c.cs.AddYear(r.Context(), u.Actor(), year, f.YearSource)
	}
	c.after(w, r, year, "year", f, err)
}

// missingYears are this year and the next when the calendar lacks them:
// deadlines reach into the next year from autumn on.
func missingYears(covered map[int]bool, now time.Time) []int {
	var out []int
	for _, y := range []int{now.Year(), now.Year() + 1} {
		if !covered[y] {
			out = append(out, y)
		}
	}
	return out
}

// Page is the calendar console's month view.
func (c CalendarConsole) Page(w http.ResponseWriter, r *http.Request, _ *account.Accounts, _ *sso.User) {
	c.render(w, r, calendarForm{}, "", http.StatusOK)
}
