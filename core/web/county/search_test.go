package county_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"yiwang/core/audit"
	"yiwang/core/content"
	"yiwang/core/search"
	"yiwang/core/store/storetest"
	"yiwang/core/web/webtest"
	"yiwang/plugins/sdk/sdktest/browsertest"
)

// searchConsoleEnv is the sign-on test platform with a search index, its
// console, and the worker that a server would run.
func searchConsoleEnv(t *testing.T) (*webtest.SSOEnv, *search.Feeder, int) {
	t.Helper()
	e := webtest.NewSSOEnv(t, storetest.SQLite(t))
	idx, err := search.OpenBleve(filepath.Join(t.TempDir(), "search"), search.BleveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	feed := &search.Feeder{DB: e.DB, Index: idx, Tenants: e.TS, Articles: search.Articles{Content: content.NewStore(e.DB)}}
	e.Srv.EnableSearchConsole(idx, "bleve:test", feed.Bystander)
	var published int
	if err := e.DB.Get(&published, `SELECT COUNT(*) FROM articles WHERE status = 'published'`); err != nil {
		t.Fatal(err)
	}
	return e, feed, published
}

func drainAll(t *testing.T, f *search.Feeder) {
	t.Helper()
	for {
		n, err := f.Drain(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

// TestSearchConsoleRebuilds: the county office sees the index's state,
// asks for a rebuild, follows it to the end, and the request is audited;
// nobody else may.
func TestSearchConsoleRebuilds(t *testing.T) {
	e, feed, published := searchConsoleEnv(t)
	adm := e.Browser(t)
	adm.LoginDemo("admin")
	p := adm.Get(e.Portal + "/admin/county/search")
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "bleve:test") || !strings.Contains(p.Body, "还没有重建过") || strings.Contains(p.Body, "不再更新") {
		t.Fatalf("search console: %d\n%.1500s", p.Status, p.Body)
	}
	tok := webtest.Field(webtest.CSRFRe, p.Body)
	p = adm.Post(e.Portal+"/admin/county/search/rebuild", url.Values{"csrf": {tok}, "tenant": {""}})
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "已请求重建索引") || !strings.Contains(p.Body, "等待服务开始重建") ||
		!strings.Contains(p.Body, `data-pending="true"`) || !strings.Contains(p.Body, "待写入索引的变更</th><td>1 项") {
		t.Fatalf("after asking: %d\n%.3000s", p.Status, p.Body)
	}
	status := func() map[string]any {
		t.Helper()
		s := adm.Get(e.Portal + "/admin/county/search/status")
		var v map[string]any
		if err := json.Unmarshal([]byte(s.Body), &v); err != nil {
			t.Fatalf("status: %v %q", err, s.Body)
		}
		return v
	}
	if s := status(); s["Pending"] != true || s["Running"] != false {
		t.Errorf("status while waiting: %v", s)
	}
	drainAll(t, feed)
	want := "共写入 " + strconv.Itoa(published) + " 篇"
	if s := status(); s["Pending"] != false || s["Percent"] != float64(100) || !strings.Contains(s["State"].(string), want) {
		t.Errorf("status after the rebuild: %v, want %q", s, want)
	}
	p = adm.Get(e.Portal + "/admin/county/search")
	if !strings.Contains(p.Body, want) || !strings.Contains(p.Body, "文档数</th><td>"+strconv.Itoa(published)+" 篇") || !strings.Contains(p.Body, `data-pending="false"`) {
		t.Errorf("page after the rebuild lacks %q or the count\n%.3000s", want, p.Body)
	}
	if p = adm.Post(e.Portal+"/admin/county/search/rebuild", url.Values{"csrf": {tok}, "tenant": {"nosuch"}}); p.Status != http.StatusNotFound {
		t.Errorf("rebuild of an unknown site: %d", p.Status)
	}
	if h := adm.Once("POST", e.Portal+"/admin/county/search/rebuild", url.Values{"tenant": {""}}); h.Status != http.StatusForbidden {
		t.Errorf("POST without a CSRF token: %d, want 403", h.Status)
	}
	es, err := audit.List(context.Background(), e.DB, audit.Filter{})
	webtest.Must(t, err)
	var asked int
	for _, en := range es {
		if en.Action == "search.rebuild" {
			asked++
		}
	}
	if asked != 1 {
		t.Errorf("%d search.rebuild audit entries, want 1", asked)
	}
	ed := e.Browser(t)
	ed.LoginDemo("editor")
	for _, path := range []string{"/admin/county/search", "/admin/county/search/status"} {
		if h := ed.Once("GET", e.Portal+path, nil); h.Status != http.StatusForbidden {
			t.Errorf("editor on %s: %d, want 403", path, h.Status)
		}
	}
}

// TestSearchConsoleFollowsTheRebuildInTheBrowser: the page, left open,
// says the rebuild finished without being reloaded; and it meets WCAG 2.1
// AA on a desktop and a phone.
func TestSearchConsoleFollowsTheRebuildInTheBrowser(t *testing.T) {
	e, feed, _ := searchConsoleEnv(t)
	ctx := webtest.Chromium(t)
	e.PortalSessionInBrowser(t, ctx, "admin")
	if err := chromedp.Do(ctx, chromedp.Navigate(e.Portal+"/admin/county/search"),
		chromedp.WaitVisible(`form[action$="/rebuild"] button`),
		chromedp.Click(`form[action$="/rebuild"] button`),
		chromedp.WaitVisible(".form-done"),
	); err != nil {
		t.Fatal(err)
	}
	drainAll(t, feed)
	deadline := time.Now().Add(15 * time.Second)
	for {
		state, err := chromedp.Run(ctx, chromedp.Text("#rebuild-state"))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(state, "完成") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the open page still says %q 15 s after the rebuild finished", state)
		}
		time.Sleep(200 * time.Millisecond)
	}
	axePath := os.Getenv(webtest.EnvAxe)
	if axePath == "" {
		t.Skipf("not checked with axe-core: set %s", webtest.EnvAxe)
	}
	axe, err := os.ReadFile(axePath)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []struct {
		name string
		w, h int64
	}{{"desktop", 1280, 900}, {"phone", 390, 844}} {
		t.Run("axe "+v.name, func(t *testing.T) {
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(v.w, v.h), chromedp.Navigate(e.Portal+"/admin/county/search"), chromedp.WaitReady("main")); err != nil {
				t.Fatal(err)
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

// TestSearchConsoleWarnsOfAStaleEmbeddedIndex: with an embedded index on
// several servers, only one applies the outbox; the others say so.
func TestSearchConsoleWarnsOfAStaleEmbeddedIndex(t *testing.T) {
	e, feed, _ := searchConsoleEnv(t)
	ctx := context.Background()
	other := &search.Feeder{DB: e.DB, Index: feed.Index, Tenants: e.TS, Articles: feed.Articles}
	webtest.Must(t, search.RequestRebuild(ctx, e.DB, "test", 0))
	if _, err := other.Drain(ctx); err != nil { // takes the lease
		t.Fatal(err)
	}
	webtest.Must(t, search.RequestRebuild(ctx, e.DB, "test", 0))
	if n, err := feed.Drain(ctx); err != nil || n != 0 {
		t.Fatalf("second server drained %d (%v)", n, err)
	}
	if !feed.Bystander() || other.Bystander() {
		t.Fatalf("bystander: this %v, the lease holder %v", feed.Bystander(), other.Bystander())
	}
	adm := e.Browser(t)
	adm.LoginDemo("admin")
	if p := adm.Get(e.Portal + "/admin/county/search"); !strings.Contains(p.Body, "本服务器的搜索结果不再更新") {
		t.Error("the console does not warn of the stale index")
	}
	if p := adm.Get(e.Portal + "/admin/county/"); !strings.Contains(p.Body, "内嵌搜索索引不再收到更新") {
		t.Error("the county console's home does not warn of the stale index")
	}
	shared := &search.Feeder{DB: e.DB, Index: feed.Index, Tenants: e.TS, Articles: feed.Articles, Shared: true}
	if _, err := shared.Drain(ctx); err != nil || shared.Bystander() {
		t.Errorf("a server on a shared index is a bystander: %v", err)
	}
}
