package web_test

import (
	"fmt"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/chromedp/chromedp"
	"yiwang/core/content"
	"yiwang/core/store/storetest"
	"yiwang/core/web/admin"
	"yiwang/core/web/webtest"
	"yiwang/plugins/sdk/sdktest/browsertest"
)

// TestPagesMeetWCAG21AA runs axe-core's WCAG 2.0/2.1 A and AA rules in a
// real Chromium on every kind of core page, on a desktop and a phone
// viewport, and in large-text mode.
func TestPagesMeetWCAG21AA(t *testing.T) {
	axePath := os.Getenv(webtest.EnvAxe)
	if axePath == "" {
		t.Skipf("accessibility check not run: set %s to axe-core's axe.min.js (npm install axe-core)", webtest.EnvAxe)
	}
	axe, err := os.ReadFile(axePath)
	if err != nil {
		t.Fatalf("%s=%s: %v", webtest.EnvAxe, axePath, err)
	}
	f := webtest.NewFixture(t, storetest.SQLite(t))
	a := f.Publish(t, "jyj", "gzdt", content.Article{Title: "县教育局召开秋季开学工作会", Source: "思南县教育局",
		Body: "<p>会议强调，要切实做好秋季开学各项工作。</p><h3>工作要求</h3><ul><li>抓好安全</li><li>抓好质量</li></ul>"})
	for i := 0; i < 25; i++ {
		f.Publish(t, "jyj", "tzgg", content.Article{Title: fmt.Sprintf("关于做好第%d项工作的通知", i+1)})
	}
	// A 电视新闻 column with a video, and the video's page.
	d := content.NewDesk(f.Content)
	cfg := content.UploadConfig{Store: webtest.LocalBlobs(t), TempDir: t.TempDir()}
	f.Srv.EnableEditorial(d, admin.EditorialOptions{Uploads: cfg})
	f.H = f.Srv.Handler()
	v := webtest.StoreVideo(t, f, d, cfg, webtest.TinyMP4(t))
	srv := httptest.NewServer(f.H)
	defer srv.Close()

	ctx := webtest.Chromium(t)
	pages := []string{"/", "/site/jyj/", "/site/jyj/col/tzgg/", "/site/jyj/col/tzgg/?page=2",
		fmt.Sprintf("/site/jyj/art/%d", a.ID), "/site/jyj/col/xxgk/", "/site/jyj/sitemap/", "/sites/", "/site/jyj/no-such-page",
		"/site/jyj/col/dsxw/", fmt.Sprintf("/site/jyj/video/%d", v.ID)}
	views := []struct {
		name          string
		width, height int64
		elder         bool
	}{
		{"desktop", 1280, 900, false},
		{"phone", 390, 844, false},
		{"phone large text", 390, 844, true},
	}
	for _, v := range views {
		for _, p := range pages {
			t.Run(v.name+" "+p, func(t *testing.T) {
				var steps []chromedp.Action[chromedp.Void]
				steps = append(steps, chromedp.EmulateViewport(v.width, v.height))
				if v.elder {
					steps = append(steps, chromedp.Navigate(srv.URL+"/site/jyj/prefs/elder?on=1&r=/"))
				}
				steps = append(steps, chromedp.Navigate(srv.URL+p))
				if err := chromedp.Do(ctx, steps...); err != nil {
					t.Fatal(err)
				}
				found, err := browsertest.WCAG(ctx, axe)
				if err != nil {
					t.Fatal(err)
				}
				for _, v := range found {
					t.Error(v)
				}
			})
		}
	}
}

// browser starts Chromium for the test with a bound on the whole run.
