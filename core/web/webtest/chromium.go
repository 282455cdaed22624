package webtest

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"
)

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
