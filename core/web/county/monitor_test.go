package county_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"yiwang/core/content"
	"yiwang/core/store"
	"yiwang/core/store/storetest"
	"yiwang/core/web/webtest"
)

// The county office's daily check: every site ranked by risk, the empty
// columns' veto where five or more are empty, each finding linking to
// where it is fixed, staff use of the checked day, and thresholds the
// county office changes (refused when out of order).
func TestDailyCheck(t *testing.T) {
	e := webtest.NewSSOEnv(t, storetest.SQLite(t))
	ctx := context.Background()
	cs := content.NewStore(e.DB)
	jyj, err := e.TS.ByCode(ctx, "jyj")
	webtest.Must(t, err)
	// Every list column of jyj gets an article: no empty columns left.
	cols, err := cs.Columns(ctx, jyj.ID, false)
	webtest.Must(t, err)
	for _, c := range cols {
		if c.Type != content.ColumnList {
			continue
		}
		a := content.Article{TenantID: jyj.ID, ColumnID: c.ID, Title: c.Name + "的文章", Body: "<p>正文</p>"}
		webtest.Must(t, cs.SaveDraft(ctx, e.DB, &a))
		webtest.Must(t, cs.Publish(ctx, "test", jyj.ID, a.ID))
	}
	// Staff use yesterday at jyj.
	_, err = e.DB.Exec(`INSERT INTO audit_log (at, actor, action, tenant_id, target, detail) VALUES (?, 'user:1', 'article.create', ?, '', '')`,
		store.Now().AddDate(0, 0, -1), jyj.ID)
	webtest.Must(t, err)

	adm := e.Browser(t)
	adm.LoginDemo("admin")
	p := adm.Get(e.Portal + "/admin/county/monitor")
	if p.Status != http.StatusOK {
		t.Fatalf("daily check: %d %s", p.Status, p.Body)
	}
	for _, want := range []string{"网站监测（一日一检查）", "没有站点触及单项否决指标", `<svg class="bar-chart" role="img"`, "监测阈值", `name="monitor.empty_veto"`} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("the daily check lacks %q", want)
		}
	}
	// jyj's row carries its articles of the last eight weeks, newest week
	// last, counted here from the articles themselves.
	var thisWeek int
	webtest.Must(t, e.DB.Get(&thisWeek, e.DB.Rebind(`SELECT COUNT(*) FROM articles WHERE tenant_id = ? AND status = 'published' AND published_at >= ?`),
		jyj.ID, time.Now().AddDate(0, 0, -7).UTC()))
	row := p.Body[strings.Index(p.Body, "各站点按风险排序"):]
	row = row[strings.Index(row, ">思南县教育局</a>"):]
	row = row[:strings.Index(row, "</tr>")]
	if want := fmt.Sprintf("近8周每周发布篇数：0、0、0、0、0、0、0、%d", thisWeek); thisWeek == 0 || !strings.Contains(row, want) {
		t.Errorf("jyj's weekly updates: want %q in %s", want, row)
	}
	if !strings.Contains(row, "无办结") {
		t.Errorf("jyj closed nothing last month: %s", row)
	}
	// The test template has three list columns: rsj's are all empty,
	// under the veto line of five.
	rsj := adm.Get(e.Portal + "/admin/county/monitor/rsj")
	if !strings.Contains(rsj.Body, "栏目“工作动态”是空白栏目") || strings.Contains(rsj.Body, "达到单项否决线") || !strings.Contains(rsj.Body, "/site/rsj/admin/columns/") {
		t.Errorf("rsj's findings: %s", rsj.Body)
	}
	j := adm.Get(e.Portal + "/admin/county/monitor/jyj")
	if strings.Contains(j.Body, "空白栏目") || !strings.Contains(j.Body, "<th scope=\"row\">撰写、修改文章</th><td>1</td>") {
		t.Errorf("jyj's findings: %s", j.Body)
	}
	// Thresholds: out of order refused; an empty-column veto line of 3
	// makes rsj fail and rank above jyj.
	form := url.Values{"csrf": {webtest.Field(webtest.CSRFRe, p.Body)}, "monitor.stale_veto": {"5"}, "monitor.empty_veto": {"3"},
		"monitor.open_warn": {"60"}, "monitor.open_warn2": {"30"}, "monitor.open_veto": {"90"}}
	if r := adm.Post(e.Portal+"/admin/county/monitor", form); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "预警天数应小于严重预警天数") {
		t.Fatalf("thresholds out of order: %d", r.Status)
	}
	form.Set("monitor.open_warn", "30")
	form.Set("monitor.open_warn2", "60")
	r := adm.Post(e.Portal+"/admin/county/monitor", form)
	if r.Status != http.StatusOK || !strings.Contains(r.Body, "监测阈值已保存") || !strings.Contains(r.Body, "个站点触及单项否决指标") {
		t.Fatalf("thresholds saved: %d", r.Status)
	}
	table := r.Body[strings.Index(r.Body, "各站点按风险排序"):]
	if strings.Index(table, "思南县教育局") < strings.Index(table, "思南县人力资源和社会保障局") {
		t.Error("jyj ranks above rsj")
	}
	if rsj := adm.Get(e.Portal + "/admin/county/monitor/rsj"); !strings.Contains(rsj.Body, "3 个空白栏目，达到单项否决线（3 个）") {
		t.Errorf("the lowered threshold did not apply: %s", rsj.Body)
	}
	if home := adm.Get(e.Portal + "/admin/county/"); !strings.Contains(home.Body, "个站点触及单项否决指标") {
		t.Error("the county console's home does not warn of vetoed sites")
	}
	// A week of probes: 2 of rsj's 20 failed (10%), a veto; jyj's all answered.
	rsjT, err := e.TS.ByCode(ctx, "rsj")
	webtest.Must(t, err)
	for i := 0; i < 20; i++ {
		for _, tn := range []int64{rsjT.ID, jyj.ID} {
			ok := 1
			if tn == rsjT.ID && i < 2 {
				ok = 0
			}
			_, err := e.DB.Exec(`INSERT INTO monitor_probes (tenant_id, at, ok, status, millis, error) VALUES (?, ?, ?, 200, 30, '')`, tn, store.Now().Add(-time.Duration(i)*time.Hour), ok)
			webtest.Must(t, err)
		}
	}
	if rsj := adm.Get(e.Portal + "/admin/county/monitor/rsj"); !strings.Contains(rsj.Body, "近 7 天首页探测 20 次，2 次失败或超过 15 秒（10.0%），达到单项否决线（5%）") {
		t.Errorf("rsj's availability: %s", rsj.Body)
	}
	var status struct {
		Sites []struct {
			Code   string `json:"code"`
			Probes int    `json:"probes_7d"`
			Bad    int    `json:"bad_7d"`
			Veto   bool   `json:"veto"`
		} `json:"sites"`
	}
	anon := e.Browser(t)
	js := anon.Get(e.Portal + "/healthz/sites")
	webtest.Must(t, json.Unmarshal([]byte(js.Body), &status))
	seen := 0
	for _, s := range status.Sites {
		switch s.Code {
		case "rsj":
			seen++
			if s.Probes != 20 || s.Bad != 2 || !s.Veto {
				t.Errorf("rsj in /healthz/sites: %+v", s)
			}
		case "jyj":
			seen++
			if s.Probes != 20 || s.Bad != 0 || s.Veto {
				t.Errorf("jyj in /healthz/sites: %+v", s)
			}
		}
	}
	if seen != 2 {
		t.Errorf("/healthz/sites: %s", js.Body)
	}
	// The weekly exposure and the monthly summary, drafted into a portal
	// column and opened in the desk.
	portal, err := e.TS.ByCode(ctx, "portal")
	webtest.Must(t, err)
	pcols, err := cs.Columns(ctx, portal.ID, false)
	webtest.Must(t, err)
	var col int64
	for _, c := range pcols {
		if c.Type == content.ColumnList {
			col = c.ID
			break
		}
	}
	tok := webtest.Field(webtest.CSRFRe, adm.Get(e.Portal+"/admin/county/monitor").Body)
	for kind, want := range map[string]string{"exposure": "周全县政府网站监测情况通报", "summary": "全县政府网站工作小结"} {
		h := adm.Once("POST", e.Portal+"/admin/county/monitor/draft", url.Values{"csrf": {tok}, "kind": {kind}, "column": {fmt.Sprint(col)}})
		if h.Status != http.StatusSeeOther || !strings.Contains(h.Location, "/admin/articles/") || !strings.HasSuffix(h.Location, "/edit") {
			t.Fatalf("%s draft: %d %s", kind, h.Status, h.Location)
		}
		var a struct {
			Title  string `db:"title"`
			Body   string `db:"body"`
			Status string `db:"status"`
		}
		webtest.Must(t, e.DB.Get(&a, `SELECT title, body, status FROM articles WHERE tenant_id = ? AND column_id = ? AND title LIKE ?`, portal.ID, col, "%"+want+"%"))
		if a.Status != "draft" || !strings.Contains(a.Body, "思南县人力资源和社会保障局") {
			t.Errorf("%s draft: %+v", kind, a)
		}
	}
	if h := adm.Once("POST", e.Portal+"/admin/county/monitor/draft", url.Values{"csrf": {tok}, "kind": {"exposure"}}); h.Status != http.StatusBadRequest {
		t.Errorf("a draft without its column: %d", h.Status)
	}
	ed := e.Browser(t)
	ed.LoginDemo("editor")
	for _, u := range []string{"/admin/county/monitor", "/admin/county/monitor/jyj"} {
		if h := ed.Once("GET", e.Portal+u, nil); h.Status != http.StatusForbidden {
			t.Errorf("editor on %s: %d, want 403", u, h.Status)
		}
	}
}

// The page reads the background gathering while it is fresh: a change
// made after it shows only at the next gathering.
func TestDailyCheckReadsTheGathering(t *testing.T) {
	e := webtest.NewSSOEnv(t, storetest.SQLite(t))
	ctx := context.Background()
	webtest.Must(t, e.Srv.RefreshMonitor(ctx))
	rsj, err := e.TS.ByCode(ctx, "rsj")
	webtest.Must(t, err)
	cs := content.NewStore(e.DB)
	col, err := cs.Column(ctx, rsj.ID, "gzdt")
	webtest.Must(t, err)
	a := content.Article{TenantID: rsj.ID, ColumnID: col.ID, Title: "新动态", Body: "<p>正文</p>"}
	webtest.Must(t, cs.SaveDraft(ctx, e.DB, &a))
	webtest.Must(t, cs.Publish(ctx, "test", rsj.ID, a.ID))
	adm := e.Browser(t)
	adm.LoginDemo("admin")
	if p := adm.Get(e.Portal + "/admin/county/monitor/rsj"); !strings.Contains(p.Body, "栏目“工作动态”是空白栏目") {
		t.Fatal("the page did not read the gathering made before the article")
	}
	webtest.Must(t, e.Srv.RefreshMonitor(ctx))
	if p := adm.Get(e.Portal + "/admin/county/monitor/rsj"); strings.Contains(p.Body, "栏目“工作动态”是空白栏目") {
		t.Fatal("the next gathering did not see the article")
	}
}
