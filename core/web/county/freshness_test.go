package county_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"yiwang/core/content"
	"yiwang/core/store"
	"yiwang/core/store/storetest"
	"yiwang/core/web/webtest"
)

// TestUpdateMonitoring: the county office sees how long each site's
// watched columns have gone without an article, the overdue ones first
// and flagged, as a table and a chart.
func TestUpdateMonitoring(t *testing.T) {
	e := webtest.NewSSOEnv(t, storetest.SQLite(t))
	ctx := context.Background()
	cs := content.NewStore(e.DB)
	publish := func(code, slug, title string, daysAgo int) {
		t.Helper()
		tn, err := e.TS.ByCode(ctx, code)
		webtest.Must(t, err)
		col, err := cs.Column(ctx, tn.ID, slug)
		webtest.Must(t, err)
		a := content.Article{TenantID: tn.ID, ColumnID: col.ID, Title: title, Body: "<p>正文</p>"}
		webtest.Must(t, cs.SaveDraft(ctx, e.DB, &a))
		webtest.Must(t, cs.Publish(ctx, "test", tn.ID, a.ID))
		_, err = e.DB.Exec(`UPDATE articles SET published_at = ? WHERE id = ?`, store.Now().AddDate(0, 0, -daysAgo), a.ID)
		webtest.Must(t, err)
	}
	// Every watched column of jyj fresh; rsj's news 20 days old.
	publish("jyj", "gzdt", "县教育局召开会议", 1)
	publish("jyj", "tzgg", "关于开学的通知", 10)
	publish("jyj", "zcwj", "县教育局关于规范办学的意见", 100)
	publish("rsj", "gzdt", "县人社局开展招聘会", 20)

	adm := e.Browser(t)
	adm.LoginDemo("admin")
	p := adm.Get(e.Portal + "/admin/county/freshness")
	if p.Status != http.StatusOK {
		t.Fatalf("update monitoring: %d", p.Status)
	}
	for _, want := range []string{"工作动态 14 天、通知公告 180 天、政策文件 180 天", "个站点的受监测栏目超期未更新",
		"（1 天前）；近 30 天 1 篇", "（20 天前，超期）；近 30 天 1 篇", "从未发布，超期", `<svg class="bar-chart" role="img"`, "各站点工作动态距上次更新的天数"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("update monitoring lacks %q", want)
		}
	}
	// The only site with every watched column fresh comes last.
	rows := strings.Split(p.Body, "<tr>")
	if last := rows[len(rows)-1]; !strings.Contains(last, "思南县教育局") {
		t.Errorf("the last row is not the fresh site:\n%.500s", last)
	}
	if home := adm.Get(e.Portal + "/admin/county/"); !strings.Contains(home.Body, "个站点的受监测栏目超期未更新") {
		t.Error("the county console's home does not warn of overdue sites")
	}
	ed := e.Browser(t)
	ed.LoginDemo("editor")
	if h := ed.Once("GET", e.Portal+"/admin/county/freshness", nil); h.Status != http.StatusForbidden {
		t.Errorf("editor on update monitoring: %d, want 403", h.Status)
	}
}
