package account_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"
	"yiwang/core/certs"
	"yiwang/core/store/storetest"
	"yiwang/core/web/webtest"
	"yiwang/plugins/sdk/sdktest/browsertest"
	"yiwang/sso/provider"
)

// ssoChromium starts Chromium with localhost and *.localhost pinned to
// the IPv4 address the test server listens on (Chromium already takes
// them as loopback). The limit only ends a hung browser: the WCAG walk
// over every console takes 20 s on an idle machine and several times that
// on a loaded one.
func ssoChromium(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(browsertest.Start(t,
		chromedp.Flag("host-resolver-rules", "MAP localhost 127.0.0.1, MAP *.localhost 127.0.0.1")), 6*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// TestBrowserSignOnAcrossHosts: a citizen logs in on the portal in a
// real Chromium and is then logged in on the education bureau's own host
// without typing anything; logging out there logs out of the portal too.
func TestBrowserSignOnAcrossHosts(t *testing.T) {
	e := webtest.NewSSOEnv(t, storetest.SQLite(t))
	st := certs.NewStorage(e.DB)
	e.Srv.EnableCertsConsole(func(ctx context.Context) ([]certs.Certificate, error) { return certs.Stored(ctx, st) }, false)
	ctx := ssoChromium(t)
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(sel, chromedp.NodeVisible))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return strings.TrimSpace(s)
	}
	location := func() string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	// On the portal: 登录, the provider's page, name and password.
	err := chromedp.Do(ctx,
		chromedp.Navigate(e.Portal+"/"),
		chromedp.Click("a.bar-login", chromedp.NodeVisible),
		chromedp.WaitVisible("#username"),
		chromedp.SendKeys("#username", "citizen"),
		chromedp.SendKeys("#password", provider.DemoPassword),
		chromedp.Click(`button[type="submit"]`),
		chromedp.WaitVisible(".bar-user"),
	)
	if err != nil {
		t.Fatalf("login on the portal: %v", err)
	}
	if got := text(".bar-user"); got != "张小民" {
		t.Fatalf("portal shows user %q", got)
	}
	if got := location(); got != e.Portal+"/" {
		t.Errorf("after login the portal is at %s", got)
	}

	// The sub-site on its own host: signed in without a click.
	if err := chromedp.Do(ctx, chromedp.Navigate(e.JYJ+"/col/gzdt/"), chromedp.WaitVisible(".bar-user")); err != nil {
		t.Fatalf("sub-site host: %v (at %s)", err, location())
	}
	if got := text(".bar-user"); got != "张小民" {
		t.Fatalf("sub-site shows user %q", got)
	}
	if got := location(); got != e.JYJ+"/col/gzdt/" {
		t.Errorf("sub-site ended at %s", got)
	}

	// Logging out on the sub-site (through the provider's end_session and
	// back) ends the portal's session too.
	if err := chromedp.Do(ctx, chromedp.Click(".bar-logout button", chromedp.NodeVisible), chromedp.WaitVisible("a.bar-login")); err != nil {
		t.Fatalf("logout on the sub-site: %v (at %s)", err, location())
	}
	if got := location(); got != e.JYJ+"/" {
		t.Errorf("after logout the browser is at %s", got)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(e.Portal+"/"), chromedp.WaitVisible("a.bar-login")); err != nil {
		t.Fatalf("portal after logout: %v", err)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(".bar-user").length`)); err != nil || n != 0 {
		t.Errorf("portal still shows a user after logout on the sub-site (%d, %v)", n, err)
	}
}

// TestAccountPagesMeetWCAG21AA runs axe-core's WCAG 2.0/2.1 A and AA rules
// on the sign-on pages and the consoles, on a desktop and a phone. It
// needs axe-core (YIWANG_AXE, which CI sets, as for the public pages).
func TestAccountPagesMeetWCAG21AA(t *testing.T) {
	axePath := os.Getenv("YIWANG_AXE")
	if axePath == "" {
		t.Skip("accessibility check not run: set YIWANG_AXE to axe-core's axe.min.js (npm install axe-core)")
	}
	axe, err := os.ReadFile(axePath)
	if err != nil {
		t.Fatalf("YIWANG_AXE=%s: %v", axePath, err)
	}
	e := webtest.NewSSOEnv(t, storetest.SQLite(t))
	// The editorial room, for the video console and the storage page.
	webtest.EnableEditorial(t, e)
	ctx := ssoChromium(t)
	check := func(name string) {
		t.Helper()
		for _, v := range []struct {
			name string
			w, h int64
		}{{"desktop", 1280, 900}, {"phone", 390, 844}} {
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(v.w, v.h)); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			found, err := browsertest.WCAG(ctx, axe)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range found {
				t.Errorf("%s (%s): %s", name, v.name, f)
			}
		}
	}
	visit := func(u string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(u), chromedp.WaitVisible("h1")); err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		check(u)
	}
	login := func(user string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(e.Portal+"/account/login?r=/admin/"), chromedp.WaitVisible("#username"),
			chromedp.SendKeys("#username", user), chromedp.SendKeys("#password", provider.DemoPassword),
			chromedp.Click(`button[type="submit"]`),
			// Both demo staff accounts are asked for a code next: by the
			// platform (enrolment) or by the provider. (The login page has
			// an h1 too, so waiting for one proves nothing.)
			chromedp.WaitVisible("#code")); err != nil {
			t.Fatal(err)
		}
	}
	// The provider's login page, and a site administrator's TOTP enrolment.
	if err := chromedp.Do(ctx, chromedp.Navigate(e.Portal+"/account/login?r=/"), chromedp.WaitVisible("#username")); err != nil {
		t.Fatal(err)
	}
	check("provider login")
	login("jyjadmin")
	check("TOTP enrolment")
	visit(e.Portal + "/account/")
	visit(e.Portal + "/account/logout")
	visit(e.JYJ + "/account/sso?t=spent")
	if err := chromedp.Do(ctx, chromedp.Navigate(e.Portal+"/account/logout"), chromedp.Click(".account-box button", chromedp.NodeVisible),
		chromedp.WaitVisible("a.bar-login")); err != nil {
		t.Fatal(err)
	}
	// The platform admin (second factor at the provider) on every console.
	login("admin")
	code, err := totp.GenerateCode(webtest.Demo("admin").TOTPSecret, e.Clock.Now())
	webtest.Must(t, err)
	if err := chromedp.Do(ctx, chromedp.SendKeys("#code", code), chromedp.Click(`button[type="submit"]`), chromedp.WaitVisible(".admin-entries")); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/admin/", "/site/rsj/admin/members?q=%E5%BC%A0", "/admin/audit", "/admin/county/", "/admin/county/tenants/jyj",
		"/admin/county/roles?q=%E6%9D%8E", "/admin/county/audit", "/admin/county/certs", "/admin/county/freshness", "/admin/county/monitor", "/admin/county/monitor/jyj", "/admin/county/website-report", "/admin/county/website-report/jyj",
		"/admin/county/storage", "/site/jyj/admin/videos/"} {
		visit(e.Portal + p)
	}
}
