package county_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/pquerna/otp/totp"
	"yiwang/core/audit"
	"yiwang/core/store/storetest"
	"yiwang/core/web/webtest"
	"yiwang/sso/provider"
)

// TestCountyResetsASecondFactor: a site admin enrols a platform second
// factor; the county office sees it on the roles page and resets it (a
// lost phone); at the next sign-in the site admin is asked to enrol anew.
func TestCountyResetsASecondFactor(t *testing.T) {
	e := webtest.NewSSOEnv(t, storetest.SQLite(t))
	secretRe := regexp.MustCompile(`class="totp-secret">([A-Z2-7]+)<`)
	enrol := func() string {
		t.Helper()
		sa := e.Browser(t)
		p := sa.Login(e.JYJ+"/account/login?r=/admin/", "jyjadmin", provider.DemoPassword, "")
		secret := webtest.Field(secretRe, p.Body)
		if secret == "" {
			t.Fatalf("no enrolment page: %d %s", p.Status, p.URL)
		}
		code, _ := totp.GenerateCode(secret, e.Clock.Now())
		p = sa.Post(webtest.HostOf(p)+"/account/totp", url.Values{"csrf": {webtest.Field(webtest.CSRFRe, p.Body)}, "r": {e.JYJ + "/admin/"}, "code": {code}})
		if !strings.Contains(p.Body, "工作人员与角色") {
			t.Fatalf("after enrolling: %d %s", p.Status, p.URL)
		}
		return secret
	}
	first := enrol()

	adm := e.Browser(t)
	adm.LoginDemo("admin")
	p := adm.Get(e.Portal + "/admin/county/roles")
	if !strings.Contains(p.Body, "本平台的动态验证码") || !strings.Contains(p.Body, "重置刘站长的动态验证码") || !strings.Contains(p.Body, "已绑定") {
		t.Fatalf("roles page lacks jyjadmin's second factor:\n%.3000s", p.Body)
	}
	id := webtest.Field(regexp.MustCompile(`name="account" value="(\d+)">\s*<button type="submit" class="danger" aria-label="重置刘站长`), p.Body)
	tok := webtest.Field(webtest.CSRFRe, p.Body)
	p = adm.Post(e.Portal+"/admin/county/roles/mfa-reset", url.Values{"csrf": {tok}, "account": {id}})
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "已重置动态验证码") || strings.Contains(p.Body, "重置刘站长的动态验证码") {
		t.Fatalf("after the reset: %d\n%.2000s", p.Status, p.Body)
	}
	if p := adm.Post(e.Portal+"/admin/county/roles/mfa-reset", url.Values{"csrf": {tok}, "account": {id}}); p.Status != http.StatusNotFound || !strings.Contains(p.Body, "没有设置动态验证码") {
		t.Errorf("reset again: %d", p.Status)
	}
	if h := adm.Once("POST", e.Portal+"/admin/county/roles/mfa-reset", url.Values{"account": {id}}); h.Status != http.StatusForbidden {
		t.Errorf("reset without a CSRF token: %d, want 403", h.Status)
	}
	es, err := audit.List(t.Context(), e.DB, audit.Filter{})
	webtest.Must(t, err)
	var resets int
	for _, en := range es {
		if en.Action == "account.totp.reset" && en.Target == id {
			resets++
		}
	}
	if resets != 1 {
		t.Errorf("%d reset audit entries for account %s, want 1", resets, id)
	}

	// Signing in again, the site admin is asked to enrol a new secret.
	if second := enrol(); second == first {
		t.Error("the new enrolment reuses the old secret")
	}

	// Only the county office resets, even with a valid form token.
	sa := e.Browser(t)
	sa.LoginDemo("editor")
	if h := sa.Once("POST", e.Portal+"/admin/county/roles/mfa-reset", url.Values{"csrf": {sa.CSRF(e.Portal + "/account/")}, "account": {id}}); h.Status != http.StatusForbidden {
		t.Errorf("an editor resetting a second factor: %d, want 403", h.Status)
	}
}
