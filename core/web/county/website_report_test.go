package county_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"yiwang/core/content"
	"yiwang/core/store/storetest"
	"yiwang/core/web/webtest"
)

// The yearly website report of a seeded year: the platform's counts
// (articles of the year, its news column) beside entered values; numbers
// checked; publishing freezes the counts; a published report is reopened
// before it changes; the county's table has a row per site.
func TestWebsiteReport(t *testing.T) {
	e := webtest.NewSSOEnv(t, storetest.SQLite(t))
	ctx := context.Background()
	cs := content.NewStore(e.DB)
	jyj, err := e.TS.ByCode(ctx, "jyj")
	webtest.Must(t, err)
	at := func(slug string, when time.Time) {
		t.Helper()
		col, err := cs.Column(ctx, jyj.ID, slug)
		webtest.Must(t, err)
		a := content.Article{TenantID: jyj.ID, ColumnID: col.ID, Title: slug + when.Format("0102"), Body: "<p>正文</p>"}
		webtest.Must(t, cs.SaveDraft(ctx, e.DB, &a))
		webtest.Must(t, cs.Publish(ctx, "test", jyj.ID, a.ID))
		_, err = e.DB.Exec(`UPDATE articles SET published_at = ? WHERE id = ?`, when.UTC(), a.ID)
		webtest.Must(t, err)
	}
	// 2025: three news items and one notice; one news item of 2024.
	for _, d := range []string{"2025-01-02", "2025-06-30", "2025-12-31"} {
		when, _ := time.ParseInLocation("2006-01-02 15:04", d+" 10:00", content.Location)
		at("gzdt", when)
	}
	at("tzgg", time.Date(2025, 3, 1, 9, 0, 0, 0, content.Location))
	at("gzdt", time.Date(2024, 12, 31, 23, 0, 0, 0, content.Location))

	adm := e.Browser(t)
	adm.LoginDemo("admin")
	u := e.Portal + "/admin/county/website-report/jyj?year=2025"
	p := adm.Get(u)
	if p.Status != http.StatusOK {
		t.Fatalf("report: %d", p.Status)
	}
	for _, want := range []string{`<span id="wr-info_total">4</span>`, `<span id="wr-info_news">3</span>`, `<span id="wr-site_kind">部门网站</span>`, `name="visits"`, "2026-01-31 前发布"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	tok := webtest.Field(webtest.CSRFRe, p.Body)
	if r := adm.Post(u, url.Values{"csrf": {tok}, "action": {"save"}, "visits": {"很多"}}); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "网站总访问量”应为不小于 0 的整数") {
		t.Fatalf("a word for a number: %d", r.Status)
	}
	if r := adm.Post(u, url.Values{"csrf": {tok}, "action": {"publish"}, "visits": {"120000"}, "sec_owner": {"张三（信息中心）"}}); r.Status != http.StatusOK || !strings.Contains(r.Body, "已于") {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	if pdf := adm.Get(u + "&format=pdf"); pdf.Status != http.StatusOK || !strings.HasPrefix(pdf.Body, "%PDF-") {
		t.Errorf("the published report as PDF: %d %.40q", pdf.Status, pdf.Body)
	}
	// An article published into 2025 afterwards does not change the published report.
	at("gzdt", time.Date(2025, 8, 8, 8, 0, 0, 0, content.Location))
	p = adm.Get(u)
	if !strings.Contains(p.Body, `<span id="wr-info_total">4</span>`) || !strings.Contains(p.Body, `<span id="wr-visits">120000</span>`) {
		t.Errorf("the published report moved: %s", p.Body)
	}
	if r := adm.Post(u, url.Values{"csrf": {tok}, "action": {"save"}, "visits": {"1"}}); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "已发布") {
		t.Errorf("a published report changed without reopening: %d", r.Status)
	}
	if r := adm.Post(u, url.Values{"csrf": {tok}, "action": {"reopen"}}); r.Status != http.StatusOK || !strings.Contains(r.Body, `<span id="wr-info_total">5</span>`) || !strings.Contains(r.Body, `value="120000"`) {
		t.Errorf("reopened: %d", r.Status)
	}
	list := adm.Get(e.Portal + "/admin/county/website-report?year=2025")
	if !strings.Contains(list.Body, "思南县教育局") || !strings.Contains(list.Body, "草稿") {
		t.Errorf("the county's list: %s", list.Body)
	}
	csv := adm.Get(e.Portal + "/admin/county/website-report?year=2025&format=csv")
	if !strings.Contains(csv.Body, "基本信息/网站名称") || !strings.Contains(csv.Body, "jyj,未发布,思南县教育局") {
		t.Errorf("the county's table: %.400s", csv.Body)
	}
	var n int
	webtest.Must(t, e.DB.Get(&n, `SELECT COUNT(*) FROM audit_log WHERE action LIKE 'website_report.%'`))
	if n != 2 {
		t.Errorf("%d audit records, want publish and reopen", n)
	}
	ed := e.Browser(t)
	ed.LoginDemo("editor")
	if h := ed.Once("GET", u, nil); h.Status != http.StatusForbidden {
		t.Errorf("editor on the report: %d", h.Status)
	}
}
