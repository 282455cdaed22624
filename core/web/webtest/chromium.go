package webtest

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"yiwang/plugins/sdk/sdktest/browsertest"
)

// EnvAxe names axe-core's axe.min.js (npm install axe-core). CI installs
// it and sets the variable, so the accessibility check runs there; a
// machine without it skips the test with a message saying how to run it.
const EnvAxe = "YIWANG_AXE"

// Chromium is a browser context for t, closed when t ends.
func Chromium(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(browsertest.Start(t), 5*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// Must fails t on err.
func Must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// PortalSessionInBrowser signs username in over HTTP (sign-on itself is
// tested elsewhere) and hands the portal session to the browser.
func (e *SSOEnv) PortalSessionInBrowser(t *testing.T, ctx context.Context, username string) {
	t.Helper()
	b := e.Browser(t)
	b.LoginDemo(username)
	b.Get(e.Portal + "/admin/")
	c := b.Cookie(e.Portal, "yw_session")
	if c == nil {
		t.Fatalf("%s has no session on the portal", username)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(e.Portal+"/sitemap/"),
		chromedp.Evaluate[chromedp.Void](`document.cookie = "yw_session=`+c.Value+`; path=/"`)); err != nil {
		t.Fatal(err)
	}
}
