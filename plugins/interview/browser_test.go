package interview

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
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
