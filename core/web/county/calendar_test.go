package county_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"yiwang/core/audit"
	"yiwang/core/calendar"
	"yiwang/core/store/storetest"
	"yiwang/core/web/webtest"
	"yiwang/plugins/sdk/sdktest/browsertest"
)

// TestCalendarConsoleCorrectsTheWorkingDays: the county office sees a
// year as month grids, lays a day off over the official calendar, clears
// it, is told why a wrong entry is refused, declares a new year, and every
// change reaches the calendar in force and the audit log.
func TestCalendarConsoleCorrectsTheWorkingDays(t *testing.T) {
	e := webtest.NewSSOEnv(t, storetest.SQLite(t))
	ctx := context.Background()
	cs := calendar.NewStore(e.DB)
	cs.TTL = 0 // every read sees the last change
	e.Srv.EnableCalendar(cs)

	adm := e.Browser(t)
	adm.LoginDemo("admin")
	p := adm.Get(e.Portal + "/admin/county/calendar?year=2026")
	if p.Status != http.StatusOK {
		t.Fatalf("calendar page: %d", p.Status)
	}
	for _, want := range []string{"工作日历 2026年", "<caption>2026年2月</caption>",
		// 2026-02-17 is the first day of the Spring Festival, 02-14 a make-up Saturday.
		`title="春节放假">17<span class="cal-mark" aria-hidden="true">休</span>`, `title="春节调休上班">14<span class="cal-mark" aria-hidden="true">班</span>`,
		"2026 年共有工作日", "没有县里的修订"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("calendar page lacks %q", want)
		}
	}
	tok := webtest.Field(webtest.CSRFRe, p.Body)
	cal, _ := cs.Current(ctx)
	oct9 := calendar.NewDate(2026, 10, 9)
	if ok, _ := cal.IsWorkingDay(oct9); !ok {
		t.Fatal("2026-10-09 should be a working day in the official calendar")
	}

	// A day off for the county (a Friday).
	p = adm.Post(e.Portal+"/admin/county/calendar/days", url.Values{"csrf": {tok}, "date": {"2026-10-09"}, "kind": {"off"}, "holiday": {"防汛"}, "source": {"思府办发〔2026〕30号"}})
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "已保存修订") || !strings.Contains(p.Body, "思府办发〔2026〕30号") ||
		!strings.Contains(p.Body, `cal-holiday cal-county" title="防汛放假（县里修订）">9`) {
		t.Fatalf("set a day off: %d\n%.2000s", p.Status, p.Body)
	}
	cal, _ = cs.Current(ctx)
	if ok, _ := cal.IsWorkingDay(oct9); ok {
		t.Error("2026-10-09 is still a working day after the county's correction")
	}

	// Refused with the reason, the form kept: a weekday cannot be a
	// make-up working day, and a correction needs its source.
	for _, c := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"date": {"2026-10-13"}, "kind": {"work"}, "source": {"通知"}}, "本来就是工作日"},
		{url.Values{"date": {"2026-10-10"}, "kind": {"off"}, "source": {""}}, "请注明依据"},
		{url.Values{"date": {"2026-13-01"}, "kind": {"off"}, "source": {"通知"}}, "日期“2026-13-01”无效"},
		{url.Values{"date": {"2026-10-10"}, "kind": {"maybe"}, "source": {"通知"}}, "请选择"},
	} {
		c.form.Set("csrf", tok)
		p = adm.Post(e.Portal+"/admin/county/calendar/days", c.form)
		if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, c.want) {
			t.Errorf("POST %v: %d, want 400 with %q", c.form, p.Status, c.want)
		}
		if d := c.form.Get("date"); !strings.Contains(p.Body, `value="`+d+`"`) {
			t.Errorf("POST %v: the form lost the date", c.form)
		}
	}

	p = adm.Post(e.Portal+"/admin/county/calendar/days/clear", url.Values{"csrf": {tok}, "date": {"2026-10-09"}})
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "已清除修订") {
		t.Fatalf("clear: %d", p.Status)
	}
	cal, _ = cs.Current(ctx)
	if ok, _ := cal.IsWorkingDay(oct9); !ok {
		t.Error("2026-10-09 is not a working day again after clearing")
	}

	// 2027 is not covered: the county console's home and the page warn,
	// and the year is declared.
	if p := adm.Get(e.Portal + "/admin/county/"); !strings.Contains(p.Body, "工作日历尚未收录 2027 年") {
		t.Error("the county console's home does not warn of the missing 2027")
	}
	p = adm.Get(e.Portal + "/admin/county/calendar?year=2027")
	if !strings.Contains(p.Body, "2027 年尚未确认") {
		t.Error("the 2027 page does not say the year is not in force")
	}
	p = adm.Post(e.Portal+"/admin/county/calendar/years", url.Values{"csrf": {tok}, "year": {"2027"}, "source": {"国办发明电〔2027〕1号"}})
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "已确认该年度") {
		t.Fatalf("declare 2027: %d", p.Status)
	}
	cal, _ = cs.Current(ctx)
	if _, err := cal.IsWorkingDay(calendar.NewDate(2027, 3, 1)); err != nil {
		t.Errorf("2027 declared but not covered: %v", err)
	}
	if p := adm.Get(e.Portal + "/admin/county/"); strings.Contains(p.Body, "尚未收录 2027 年") {
		t.Error("the county console still warns of 2027 after it was declared")
	}

	if h := adm.Once("POST", e.Portal+"/admin/county/calendar/days", url.Values{"date": {"2026-10-09"}, "kind": {"off"}, "source": {"x"}}); h.Status != http.StatusForbidden {
		t.Errorf("POST without a CSRF token: %d, want 403", h.Status)
	}
	entries, err := audit.List(ctx, e.DB, audit.Filter{Limit: 50})
	webtest.Must(t, err)
	var changes []string
	for _, en := range entries {
		if strings.HasPrefix(en.Action, "calendar.") {
			changes = append(changes, en.Action)
		}
	}
	if len(changes) != 3 {
		t.Errorf("audit log has calendar changes %v, want set, clear and year", changes)
	}

	ed := e.Browser(t)
	ed.LoginDemo("editor")
	if h := ed.Once("GET", e.Portal+"/admin/county/calendar", nil); h.Status != http.StatusForbidden {
		t.Errorf("editor on the calendar page: %d, want 403", h.Status)
	}
}

// TestCalendarConsoleInTheBrowser: the county office enters a day off with
// the form in Chromium, and the page meets WCAG 2.1 AA on a desktop, a
// phone, and a phone in large-text mode.
func TestCalendarConsoleInTheBrowser(t *testing.T) {
	e := webtest.NewSSOEnv(t, storetest.SQLite(t))
	e.Srv.EnableCalendar(calendar.NewStore(e.DB))
	ctx := webtest.Chromium(t)
	e.PortalSessionInBrowser(t, ctx, "admin")
	if err := chromedp.Do(ctx, chromedp.Navigate(e.Portal+"/admin/county/calendar?year=2026"),
		chromedp.WaitVisible("#cal-date"),
		chromedp.SetValue("#cal-date", "2026-10-09"),
		chromedp.Click("#cal-off"),
		chromedp.SendKeys("#cal-holiday", "防汛"),
		chromedp.SendKeys("#cal-source", "思府办发〔2026〕30号"),
		chromedp.Click(`form[action$="/days"] button[type="submit"]`),
		chromedp.WaitVisible(".form-done"),
	); err != nil {
		t.Fatal(err)
	}
	table, err := chromedp.Run(ctx, chromedp.Text(".data-table"))
	if err != nil || !strings.Contains(table, "2026-10-09") || !strings.Contains(table, "思府办发〔2026〕30号") {
		t.Fatalf("corrections after the form: %q %v", table, err)
	}

	// axe-core's WCAG 2.1 A and AA rules when it is at hand (as in CI);
	// on every view, no sideways scrolling of the page.
	var axe []byte
	if p := os.Getenv(webtest.EnvAxe); p != "" {
		if axe, err = os.ReadFile(p); err != nil {
			t.Fatal(err)
		}
	}
	for _, v := range []struct {
		name  string
		w, h  int64
		elder bool
	}{{"desktop", 1280, 900, false}, {"phone", 390, 844, false}, {"phone large text", 390, 844, true}} {
		t.Run(v.name, func(t *testing.T) {
			steps := []chromedp.Action[chromedp.Void]{chromedp.EmulateViewport(v.w, v.h)}
			if v.elder {
				steps = append(steps, chromedp.Navigate(e.Portal+"/prefs/elder?on=1&r=/"))
			}
			steps = append(steps, chromedp.Navigate(e.Portal+"/admin/county/calendar?year=2026"), chromedp.WaitReady("main"))
			if err := chromedp.Do(ctx, steps...); err != nil {
				t.Fatal(err)
			}
			over, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth - window.innerWidth`))
			if err != nil {
				t.Fatal(err)
			}
			if over > 0 {
				t.Errorf("the page is %dpx wider than the %dpx window", over, v.w)
			}
			if axe == nil {
				t.Skipf("not checked with axe-core: set %s", webtest.EnvAxe)
			}
			found, err := browsertest.WCAG(ctx, axe)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range found {
				t.Error(f)
			}
		})
	}
}
