package site_test

import (
	"fmt"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/chromedp/chromedp"
	"yiwang/core/content"
	"yiwang/core/web/webtest"
	"yiwang/plugins/sdk/sdktest/browsertest"
)

// TestSearchPagesMeetWCAG21AA runs axe-core's WCAG 2.1 A and AA rules on
// the search pages (results with facets and pages, no results with
// suggestions, the empty form, the filters open) on a desktop and a phone.
func TestSearchPagesMeetWCAG21AA(t *testing.T) {
	axePath := os.Getenv(webtest.EnvAxe)
	if axePath == "" {
		t.Skipf("accessibility check not run: set %s to axe-core's axe.min.js (npm install axe-core)", webtest.EnvAxe)
	}
	axe, err := os.ReadFile(axePath)
	if err != nil {
		t.Fatalf("%s=%s: %v", webtest.EnvAxe, axePath, err)
	}
	f := newSearchFixture(t)
	for i := 0; i < 12; i++ {
		f.Publish(t, "jyj", "gzdt", content.Article{Title: fmt.Sprintf("县教育局召开第%d次教育扶贫推进会", i+1), Body: "<p>会议部署教育扶贫工作。</p>"})
	}
	f.Publish(t, "portal", "tzgg", content.Article{Title: "关于做好扶贫工作的通知", Body: "<p>县教育局配合。</p>"})
	f.drain(t)
	srv := httptest.NewServer(f.H)
	defer srv.Close()
	ctx := webtest.Chromium(t)
	pages := []string{"/search", "/search?q=%E6%95%99%E8%82%B2%E5%B1%80", "/search?q=%E6%89%B6%E8%B4%AB&page=2&sort=time",
		"/site/jyj/search?q=%E9%98%B2%E6%B1%9B", "/site/jyj/search?q=%E6%89%B6%E8%B4%AB&type=article&from=2020-01-01"}
	for _, v := range []struct {
		name          string
		width, height int64
	}{{"desktop", 1280, 900}, {"phone", 390, 844}} {
		for _, p := range pages {
			t.Run(v.name+" "+p, func(t *testing.T) {
				if err := chromedp.Do(ctx, chromedp.EmulateViewport(v.width, v.height), chromedp.Navigate(srv.URL+p)); err != nil {
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
