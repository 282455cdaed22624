package interview

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/sdktest"
	"yiwang/plugins/sdk/sdktest/browsertest"
)

// TestBrowserViewerSeesAnswerWithoutReload: in a real Chromium, a viewer
// opens the live page of an interview served by the real plugin process,
// with its event channel fanned out as the host does; staff post an
// answer; it appears on the viewer's page without a reload.
func TestBrowserViewerSeesAnswerWithoutReload(t *testing.T) {
	ctx, cancel := context.WithTimeout(browsertest.Start(t), 90*time.Second)
	defer cancel()
	h := sdktest.Process(t, Module, sdktest.Options{})
	id := plan(t, h, jyj, "双减工作在线访谈", time.Now().Add(-time.Minute))
	srv := httptest.NewServer(browsertest.Site(h, jyj, nil))
	defer func() {
		srv.CloseClientConnections() // the page's event stream never ends by itself
		srv.Close()
	}()
	text := func() string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/site/jyj/interview/"+id),
		chromedp.WaitVisible("#iv-status"),
	)
	if err == nil {
		_, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`window.notReloaded = true`))
	}
	if err != nil {
		t.Fatalf("open the live page: %v\n%s", err, text())
	}
	// Give the EventSource a moment to connect (it follows from the
	// page's last event id, so an answer posted before would come too).
	time.Sleep(300 * time.Millisecond)
	posted := time.Now()
	r := h.Post(jyj, host, "/admin/interview/"+id+"/answers", url.Values{"speaker": {"县教育局局长"}, "body": {"<p>课后服务覆盖全县所有义务教育学校。</p>"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("answer: %d %s", r.Status, r.Text())
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(`li.iv-answer`)); err != nil {
		t.Fatalf("the answer did not appear: %v\n%s", err, text())
	}
	t.Logf("answer on the page %v after it was posted", time.Since(posted).Round(time.Millisecond))
	if same, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.notReloaded === true`)); err != nil || !same {
		t.Fatalf("the page was reloaded (%v)", err)
	}
	if page := text(); !strings.Contains(page, "课后服务覆盖全县所有义务教育学校") || !strings.Contains(page, "县教育局局长") {
		t.Errorf("page: %s", page)
	}
}

// TestBrowserPagesMeetWCAG21AA runs axe-core's WCAG 2.0/2.1 A and AA
// rules in Chromium on every kind of interview page (list and archive,
// notice, live, transcript, the asker's questions, the staff pages), on
// a desktop and a phone viewport. Like core/web's check, it runs when
// YIWANG_AXE names axe.min.js (CI sets it).
func TestBrowserPagesMeetWCAG21AA(t *testing.T) {
	axePath := os.Getenv("YIWANG_AXE")
	if axePath == "" {
		t.Skip("accessibility check not run: set YIWANG_AXE to axe-core's axe.min.js (npm install axe-core)")
	}
	axe, err := os.ReadFile(axePath)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(browsertest.Start(t), 3*time.Minute)
	defer cancel()
	h := sdktest.Process(t, Module, sdktest.Options{Demo: true})
	notice := plan(t, h, jyj, "招生政策解读", time.Now().Add(24*time.Hour))
	live := plan(t, h, jyj, "双减工作在线访谈", time.Now().Add(-time.Minute))
	expect(t, h.Post(jyj, citizen, "/interview/"+notice+"/ask", url.Values{"question": {"今年的招生范围有变化吗？"}}), 200, "ask")
	expect(t, h.Post(jyj, host, "/admin/interview/"+live+"/answers", url.Values{"speaker": {"县教育局局长"}, "body": {"<p>课后服务覆盖全县。</p>"}}), http.StatusSeeOther, "answer")
	var past string
	for _, m := range regexp.MustCompile(`interview/(\d+)">义务教育均衡发展`).FindAllStringSubmatch(h.Get(jyj, nil, "/interview/").HTML, -1) {
		past = m[1]
	}
	sites := map[string]*httptest.Server{}
	for name, u := range map[string]*sdk.User{"anonymous": nil, "citizen": citizen, "host": host} {
		srv := httptest.NewServer(browsertest.Site(h, jyj, u))
		defer func() { srv.CloseClientConnections(); srv.Close() }()
		sites[name] = srv
	}
	pages := []struct{ who, path string }{
		{"anonymous", "/site/jyj/interview/"}, {"anonymous", "/site/jyj/interview/" + notice}, {"citizen", "/site/jyj/interview/" + notice},
		{"anonymous", "/site/jyj/interview/" + live}, {"anonymous", "/site/jyj/interview/" + past}, {"citizen", "/site/jyj/interview/my/"},
		{"host", "/site/jyj/admin/interview/"}, {"host", "/site/jyj/admin/interview/" + notice}, {"host", "/site/jyj/admin/interview/" + live},
		{"host", "/site/jyj/admin/interview/new"},
	}
	for _, vp := range []struct {
		name string
		w, h int64
	}{{"desktop", 1280, 900}, {"phone", 390, 844}} {
		for _, p := range pages {
			t.Run(vp.name+" "+p.who+" "+p.path, func(t *testing.T) {
				if err := chromedp.Do(ctx, chromedp.EmulateViewport(vp.w, vp.h), chromedp.Navigate(sites[p.who].URL+p.path), chromedp.WaitVisible("h1")); err != nil {
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
}
