package account_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"yiwang/core/audit"
	"yiwang/core/store"
	"yiwang/core/store/storetest"
	"yiwang/core/web"
	"yiwang/core/web/webtest"
	"yiwang/sso"
	"yiwang/sso/provider"
	"yiwang/tenants"
)

func TestLoginFlow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := webtest.NewSSOEnv(t, db)
		b := e.Browser(t)
		// The 登录 link of a page, as the layout draws it.
		home := b.Get(e.Portal + "/site/rsj/")
		if webtest.UserOn(home) != "" || !strings.Contains(home.Body, `href="/site/rsj/account/login?r=%2fsite%2frsj%2f"`) {
			t.Fatalf("anonymous page: user %q, no login link", webtest.UserOn(home))
		}
		p := b.Login(e.Portal+"/site/rsj/account/login?r=/site/rsj/", "citizen", provider.DemoPassword, "")
		if p.Status != 200 || p.URL != e.Portal+"/site/rsj/" || webtest.UserOn(p) != "张小民" {
			t.Fatalf("after login: %d %s user %q", p.Status, p.URL, webtest.UserOn(p))
		}
		// The flow: authorization request with PKCE and nonce, callback on
		// the central host.
		var auth, cb *webtest.Hop
		for i := range b.Hops {
			h := &b.Hops[i]
			if strings.Contains(h.URL, "/idp/authorize") && auth == nil {
				auth = h
			}
			if strings.Contains(h.URL, "/account/callback") {
				cb = h
			}
		}
		if auth == nil || cb == nil {
			t.Fatalf("no authorization request or callback in %+v", b.Hops)
		}
		q := mustParse(t, auth.URL).Query()
		for _, k := range []string{"state", "nonce", "code_challenge"} {
			if q.Get(k) == "" {
				t.Errorf("authorization request lacks %s: %s", k, auth.URL)
			}
		}
		if q.Get("code_challenge_method") != "S256" || q.Get("redirect_uri") != e.Portal+"/account/callback" {
			t.Errorf("authorization request: %s", auth.URL)
		}
		// The session cookie: HttpOnly, SameSite=Lax, host-wide, not
		// Secure on plain HTTP.
		var sc string
		for _, c := range cb.SetCookie {
			if strings.HasPrefix(c, "yw_session=") && !strings.HasPrefix(c, "yw_session=;") {
				sc = c
			}
		}
		for _, want := range []string{"HttpOnly", "SameSite=Lax", "Path=/"} {
			if !strings.Contains(sc, want) {
				t.Errorf("session cookie %q lacks %s", sc, want)
			}
		}
		if strings.Contains(sc, "Secure") || strings.Contains(sc, "Max-Age") {
			t.Errorf("session cookie %q: want a browser-session cookie without Secure on http", sc)
		}
		// The account is keyed by issuer and subject; the session is in
		// the database.
		var n int
		webtest.Must(t, db.GetContext(context.Background(), &n, `SELECT COUNT(*) FROM sso_accounts a JOIN sso_sessions s ON s.account_id = a.id
			WHERE a.issuer = ? AND a.subject = ? AND s.ended_at IS NULL AND a.name = ?`, e.Prov.Issuer(), "demo-citizen", "张小民"))
		if n != 1 {
			t.Errorf("open sessions of issuer+sub = %d, want 1", n)
		}
		// The account page knows the person; a citizen has no console.
		acct := b.Get(e.Portal + "/account/")
		if acct.Status != 200 || !strings.Contains(acct.Body, "张小民") || strings.Contains(acct.Body, `class="bar-admin"`) {
			t.Errorf("account page: %d", acct.Status)
		}
		if p := b.Get(e.Portal + "/admin/"); p.Status != http.StatusForbidden {
			t.Errorf("citizen on /admin/: %d, want 403", p.Status)
		}
		if p := b.Get(e.Portal + "/account/logout"); p.Status != 200 || !strings.Contains(p.Body, `action="/account/logout"`) {
			t.Errorf("logout page: %d", p.Status)
		}
		// Error pages drawn before the site is resolved show the user too.
		if p := b.Get(e.Portal + "/site/nosuch/"); p.Status != http.StatusNotFound || webtest.UserOn(p) != "张小民" {
			t.Errorf("unknown site while signed in: %d user %q", p.Status, webtest.UserOn(p))
		}
		// Logging in again at the provider is silent (its own session).
		b.Reset()
		p = b.Get(e.Portal + "/account/login?again=1&r=/sites/")
		if webtest.UserOn(p) != "张小民" || p.URL != e.Portal+"/sites/" {
			t.Errorf("second login: %s user %q", p.URL, webtest.UserOn(p))
		}
	})
}

func TestSSOOntoSecondHostByTicket(t *testing.T) {
	e := webtest.NewSSOEnv(t, storetest.SQLite(t))
	b := e.Browser(t)
	// Before any login the sub-site asks the central host once, comes
	// back anonymous, and does not ask again at once.
	p := b.Get(e.JYJ + "/col/gzdt/")
	if p.Status != 200 || p.URL != e.JYJ+"/col/gzdt/" || webtest.UserOn(p) != "" || !b.Visited("/account/relay") {
		t.Fatalf("anonymous first visit: %d %s user %q", p.Status, p.URL, webtest.UserOn(p))
	}
	b.Reset()
	b.Get(e.JYJ + "/")
	if b.Visited("/account/relay") {
		t.Error("anonymous second visit asked the central host again")
	}

	// A host the platform does not hand tickets to (an address typed by
	// hand) is not redirected either.
	b.Reset()
	if p := b.Get("http://127.0.0.1:" + e.Port + "/"); p.Status != 200 || b.Visited("/account/relay") {
		t.Errorf("127.0.0.1: %d, asked the central host: %v", p.Status, b.Visited("/account/relay"))
	}

	b.LoginDemo("citizen")
	// Crawlers and feed readers are never redirected.
	c := &http.Client{Transport: e.Transport(), CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(e.JYJ + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("a client without navigation headers got %d", resp.StatusCode)
	}

	// A fresh look at the sub-site: the probe lapses, the browser is
	// signed in there without typing.
	e.Clock.Advance(0)
	b.Jar.SetCookies(mustParse(t, e.JYJ+"/"), []*http.Cookie{{Name: "yw_sso_probe", Value: "", MaxAge: -1, Path: "/"}})
	b.Reset()
	p = b.Get(e.JYJ + "/col/gzdt/?page=1")
	if webtest.UserOn(p) != "张小民" || p.URL != e.JYJ+"/col/gzdt/?page=1" {
		t.Fatalf("jyj after portal login: %s user %q; hops %+v", p.URL, webtest.UserOn(p), b.Hops)
	}
	if !b.Visited("/account/relay") || !b.Visited(e.JYJ+"/account/sso?t=") || b.Visited("/idp/") {
		t.Errorf("expected relay and ticket, no provider: %+v", b.Hops)
	}
	if c := b.Cookie(e.JYJ, "yw_session"); c == nil {
		t.Error("jyj has no session cookie of its own")
	}

	// Clicking 登录 on a host that has no session yet also goes through
	// at once: path-served sub-site on the portal host shares the cookie,
	// so try a browser with only a portal session on jyj's login link.
	b2 := e.Browser(t)
	b2.LoginDemo("citizen")
	b2.Reset()
	p = b2.Get(e.JYJ + "/account/login?r=/sitemap/")
	if webtest.UserOn(p) != "张小民" || p.URL != e.JYJ+"/sitemap/" || b2.Visited("/idp/") {
		t.Errorf("登录 on jyj with a portal session: %s user %q", p.URL, webtest.UserOn(p))
	}
}

func TestTicketRefused(t *testing.T) {
	e := webtest.NewSSOEnv(t, storetest.SQLite(t))
	b := e.Browser(t)
	b.LoginDemo("citizen")
	ticket := func() string {
		t.Helper()
		h := b.Once("GET", e.Portal+"/account/relay?"+url.Values{"r": {e.JYJ + "/sitemap/"}}.Encode(), nil)
		u := mustParse(t, h.Location)
		if h.Status != http.StatusSeeOther || u.Host != "jyj.localhost:"+e.Port || u.Path != "/account/sso" || u.Query().Get("t") == "" {
			t.Fatalf("relay: %d %s", h.Status, h.Location)
		}
		return h.Location
	}
	for _, tc := range []struct {
		name string
		use  func(t *testing.T, tick string) webtest.Page
	}{
		{"replayed", func(t *testing.T, tick string) webtest.Page {
			if p := e.Browser(t).Get(tick); webtest.UserOn(p) != "张小民" {
				t.Fatalf("first use refused: %d", p.Status)
			}
			return e.Browser(t).Get(tick)
		}},
		{"expired", func(t *testing.T, tick string) webtest.Page {
			e.Clock.Advance(31 * time.Second)
			defer e.Clock.Advance(-31 * time.Second)
			return e.Browser(t).Get(tick)
		}},
		{"wrong host", func(t *testing.T, tick string) webtest.Page {
			u := mustParse(t, tick)
			u.Host = "localhost:" + e.Port
			p := e.Browser(t).Get(u.String())
			if p.Status != http.StatusBadRequest {
				t.Errorf("ticket on the portal host: %d", p.Status)
			}
			return e.Browser(t).Get(tick) // spent: the right host refuses it now
		}},
		{"forged", func(t *testing.T, tick string) webtest.Page {
			u := mustParse(t, tick)
			u.RawQuery = url.Values{"t": {"AAAA" + u.Query().Get("t")[4:]}}.Encode()
			return e.Browser(t).Get(u.String())
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.use(t, ticket())
			if p.Status != http.StatusBadRequest || webtest.UserOn(p) != "" || !strings.Contains(p.Body, "登录凭据无效") {
				t.Errorf("ticket %s: %d user %q", tc.name, p.Status, webtest.UserOn(p))
			}
		})
	}
}

func TestLogoutOnOneHostEndsAll(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := webtest.NewSSOEnv(t, db)
		b := e.Browser(t)
		b.LoginDemo("citizen")
		if p := b.Get(e.JYJ + "/"); webtest.UserOn(p) != "张小民" {
			t.Fatalf("not signed in on jyj: %q", webtest.UserOn(p))
		}
		portalCookie := b.Cookie(e.Portal, "yw_session")
		b.Reset()
		p := b.Post(e.JYJ+"/account/logout", url.Values{"csrf": {b.CSRF(e.JYJ + "/")}})
		if p.URL != e.JYJ+"/" || webtest.UserOn(p) != "" {
			t.Fatalf("after logout on jyj: %s user %q", p.URL, webtest.UserOn(p))
		}
		// RP-initiated logout at the provider, back through the central host.
		if !b.Visited("/idp/end_session?") || !b.Visited("/account/logged-out") {
			t.Errorf("no RP-initiated logout: %+v", b.Hops)
		}
		if p := b.Get(e.Portal + "/"); webtest.UserOn(p) != "" {
			t.Errorf("portal still signed in after logout on jyj: %q", webtest.UserOn(p))
		}
		// The old portal cookie is worthless everywhere.
		stale := e.Browser(t)
		stale.Jar.SetCookies(mustParse(t, e.Portal+"/"), []*http.Cookie{portalCookie})
		if p := stale.Get(e.Portal + "/site/rsj/"); webtest.UserOn(p) != "" {
			t.Errorf("ended session's cookie still works: %q", webtest.UserOn(p))
		}
		// The provider's session ended too: logging in asks for a password.
		p = b.Get(e.Portal + "/account/login?r=/")
		if !strings.Contains(p.URL, "/idp/authorize") || !strings.Contains(p.Body, `name="password"`) {
			t.Errorf("login after logout did not ask for a password: %s", p.URL)
		}
	})
}

func TestBackchannelLogout(t *testing.T) {
	e := webtest.NewSSOEnv(t, storetest.SQLite(t))
	b := e.Browser(t)
	b.LoginDemo("citizen")
	other := e.Browser(t)
	other.LoginDemo("reviewer")
	if n := e.Prov.LogoutEverywhere(context.Background(), "demo-citizen"); n != 1 {
		t.Fatalf("provider ended %d sessions, want 1", n)
	}
	if p := b.Get(e.Portal + "/"); webtest.UserOn(p) != "" {
		t.Errorf("back-channel logout left the session: %q", webtest.UserOn(p))
	}
	if p := other.Get(e.Portal + "/"); webtest.UserOn(p) != "王审核" {
		t.Errorf("another person's session ended too: %q", webtest.UserOn(p))
	}
	post := func(tok string) int {
		resp, err := (&http.Client{Transport: e.Transport()}).PostForm(e.Portal+"/account/backchannel-logout", url.Values{"logout_token": {tok}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	// A token by sub (no sid) works once; a replay and a forgery are refused.
	tok, err := e.Prov.LogoutToken("yiwang", "demo-reviewer", "")
	webtest.Must(t, err)
	if s := post(tok); s != 200 {
		t.Errorf("logout token by sub: %d", s)
	}
	if p := other.Get(e.Portal + "/"); webtest.UserOn(p) != "" {
		t.Errorf("logout by sub left the session")
	}
	if s := post(tok); s != 400 {
		t.Errorf("replayed logout token: %d, want 400", s)
	}
	forger, err := rsa.GenerateKey(rand.Reader, 2048)
	webtest.Must(t, err)
	fp, err := provider.New(provider.Config{Issuer: e.Prov.Issuer(), Key: forger})
	webtest.Must(t, err)
	forged, err := fp.LogoutToken("yiwang", "demo-citizen", "")
	webtest.Must(t, err)
	if s := post(forged); s != 400 {
		t.Errorf("forged logout token: %d, want 400", s)
	}
	wrongAud, err := e.Prov.LogoutToken("someone-else", "demo-citizen", "")
	webtest.Must(t, err)
	if s := post(wrongAud); s != 400 {
		t.Errorf("logout token for another client: %d, want 400", s)
	}
}

func TestForgedStateOrNonceRefused(t *testing.T) {
	e := webtest.NewSSOEnv(t, storetest.SQLite(t))
	// callbackURL runs a login up to the provider's answer and returns the
	// callback URL without visiting it; tamper changes the authorization
	// request first.
	callbackURL := func(b *webtest.Browser, tamper func(url.Values)) string {
		t.Helper()
		h := b.Once("GET", e.Portal+"/account/login?r=/", nil)
		u := mustParse(t, h.Location)
		if tamper != nil {
			q := u.Query()
			tamper(q)
			u.RawQuery = q.Encode()
		}
		p := b.Get(u.String())
		f := url.Values{"req": {webtest.Field(webtest.ReqRe, p.Body)}, "bind": {webtest.Field(webtest.BindRe, p.Body)}, "username": {"citizen"}, "password": {provider.DemoPassword}}
		h = b.Once("POST", e.Portal+"/idp/login", f)
		if h.Status != http.StatusFound || !strings.Contains(h.Location, "/account/callback?") {
			t.Fatalf("provider answered %d %s", h.Status, h.Location)
		}
		return h.Location
	}
	refused := func(t *testing.T, b *webtest.Browser, cb string) {
		t.Helper()
		p := b.Get(cb)
		if p.Status != http.StatusBadRequest || webtest.UserOn(p) != "" {
			t.Errorf("callback %s: %d user %q, want 400 and nobody", cb, p.Status, webtest.UserOn(p))
		}
		if c := b.Cookie(e.Portal, "yw_session"); c != nil {
			t.Errorf("refused sign-in set a session cookie")
		}
	}
	t.Run("forged state", func(t *testing.T) {
		b := e.Browser(t)
		cb := mustParse(t, callbackURL(b, nil))
		q := cb.Query()
		q.Set("state", "forged-"+q.Get("state"))
		cb.RawQuery = q.Encode()
		refused(t, b, cb.String())
	})
	t.Run("state of another browser", func(t *testing.T) {
		cb := callbackURL(e.Browser(t), nil)
		refused(t, e.Browser(t), cb) // login CSRF: the victim has no state cookie
	})
	t.Run("forged nonce", func(t *testing.T) {
		b := e.Browser(t)
		refused(t, b, callbackURL(b, func(q url.Values) { q.Set("nonce", "attacker-chosen-nonce") }))
		if !strings.Contains(e.Logs.String(), "nonce mismatch") {
			t.Error("nonce mismatch not logged")
		}
	})
	t.Run("replayed callback", func(t *testing.T) {
		b := e.Browser(t)
		cb := callbackURL(b, nil)
		if p := b.Get(cb); webtest.UserOn(p) != "张小民" {
			t.Fatalf("first callback: %d", p.Status)
		}
		fresh := e.Browser(t)
		refused(t, fresh, cb)
	})
	t.Run("PKCE verifier missing", func(t *testing.T) {
		b := e.Browser(t)
		p := b.Get(callbackURL(b, func(q url.Values) { q.Set("code_challenge", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA") }))
		if p.Status != http.StatusBadRequest || webtest.UserOn(p) != "" {
			t.Errorf("wrong PKCE challenge: %d user %q", p.Status, webtest.UserOn(p))
		}
	})
}

// consoleURL fills a console route for tenant code on its site.
func consoleURL(e *webtest.SSOEnv, base, code string, r web.ConsoleRoute) string {
	return base + strings.TrimPrefix(strings.ReplaceAll(r.Path, "{code}", code), "/")
}

func TestEditorOfOneTenantForbiddenOnAnother(t *testing.T) {
	e := webtest.NewSSOEnv(t, storetest.SQLite(t))
	webtest.EnableOptionalRooms(t, e) // every optional page of the county console too
	for _, want := range []string{"/admin/county/search/rebuild", "/admin/county/calendar/days", "/admin/county/certs", "/admin/county/supervision"} {
		if !slices.ContainsFunc(e.Srv.ConsoleRoutes(), func(r web.ConsoleRoute) bool { return r.Path == want }) {
			t.Fatalf("console routes lack %s", want)
		}
	}
	b := e.Browser(t)
	b.LoginDemo("editor") // editor of jyj, second factor at the provider
	if p := b.Get(e.JYJ + "/admin/"); p.Status != 200 || !strings.Contains(p.Body, "信息编辑") {
		t.Fatalf("editor's own console: %d", p.Status)
	}
	if p := b.Get(e.JYJ + "/"); !strings.Contains(p.Body, `class="bar-admin" href="/admin/"`) {
		t.Error("no 管理 link on the editor's own site")
	}
	if p := b.Get(e.Portal + "/site/rsj/"); strings.Contains(p.Body, `class="bar-admin"`) {
		t.Error("管理 link on another tenant's site")
	}
	token := b.CSRF(e.Portal + "/site/rsj/")
	for _, r := range e.Srv.ConsoleRoutes() {
		for _, site := range []struct{ name, base string }{{"rsj", e.Portal + "/site/rsj/"}, {"portal", e.Portal + "/"}} {
			t.Run(r.Method+" "+site.name+" "+r.Path, func(t *testing.T) {
				u := consoleURL(e, site.base, "rsj", r)
				var h webtest.Hop
				if r.Method == "GET" {
					h = b.Once("GET", u, nil)
				} else {
					h = b.Once("POST", u, url.Values{"csrf": {token}, "account": {"1"}, "role": {"editor"}, "tenant": {"rsj"},
						"name": {"改名"}, "code": {"hack"}, "host": {"evil.example"}, "action": {"archive"}})
				}
				if h.Status != http.StatusForbidden {
					t.Errorf("%s %s: %d %s, want 403", r.Method, u, h.Status, h.Location)
				}
			})
		}
	}
	// Nothing changed, and the refusals are in the audit log.
	rsj, err := e.TS.ByCode(context.Background(), "rsj")
	webtest.Must(t, err)
	if rsj.Status != tenants.Active || strings.Contains(rsj.Name, "改名") {
		t.Errorf("rsj changed: %+v", rsj)
	}
	es, err := audit.List(context.Background(), e.DB, audit.Filter{Action: "console.denied", Limit: 1000})
	webtest.Must(t, err)
	if len(es) < len(e.Srv.ConsoleRoutes()) || es[0].Result != "denied" || es[0].RemoteAddr == "" || !strings.HasPrefix(es[0].Actor, "user:") {
		t.Errorf("denied attempts audited: %d entries, first %+v", len(es), es)
	}
}

func TestStaffWithoutSecondFactorCannotReachConsole(t *testing.T) {
	e := webtest.NewSSOEnv(t, storetest.SQLite(t))
	b := e.Browser(t)
	// nomfa is an editor of jyj; the provider asserts no second factor.
	p := b.Login(e.JYJ+"/account/login?r=/admin/", webtest.NoMFA.Username, webtest.NoMFA.Password, "")
	if !strings.Contains(p.URL, "/account/totp") || webtest.UserOn(p) != webtest.NoMFA.Name {
		t.Fatalf("staff login without a second factor landed on %s", p.URL)
	}
	for _, u := range []string{e.JYJ + "/admin/", e.JYJ + "/admin/members", e.Portal + "/admin/county/"} {
		h := b.Once("GET", u, nil)
		if h.Status == http.StatusOK {
			t.Errorf("GET %s without a second factor: 200", u)
		}
		if p := b.Get(u); strings.Contains(p.Body, "可用功能") || strings.Contains(p.Body, "县级平台管理</h1>") {
			t.Errorf("GET %s showed the console without a second factor", u)
		}
	}
	tok := b.CSRF(e.JYJ + "/")
	if h := b.Once("POST", e.JYJ+"/admin/members/grant", url.Values{"csrf": {tok}, "account": {"1"}, "role": {"editor"}}); h.Status != http.StatusForbidden {
		t.Errorf("POST without a second factor: %d", h.Status)
	}
	// Enrol a platform TOTP code: a wrong code is refused, the right one
	// opens the console, and the same code cannot be used twice.
	p = b.Get(e.JYJ + "/account/totp?r=" + url.QueryEscape(e.JYJ+"/admin/"))
	secret := webtest.Field(regexp.MustCompile(`class="totp-secret">([A-Z2-7]+)<`), p.Body)
	if secret == "" || !strings.Contains(p.Body, `src="data:image/png;base64,`) {
		t.Fatalf("no enrolment on the TOTP page: %d %s", p.Status, p.URL)
	}
	tok = webtest.Field(webtest.CSRFRe, p.Body)
	p = b.Post(e.JYJ+"/account/totp", url.Values{"csrf": {tok}, "r": {e.JYJ + "/admin/"}, "code": {"000000"}})
	if p.Status != http.StatusBadRequest {
		t.Errorf("wrong TOTP code: %d", p.Status)
	}
	code, err := totp.GenerateCode(secret, e.Clock.Now())
	webtest.Must(t, err)
	p = b.Post(e.JYJ+"/account/totp", url.Values{"csrf": {tok}, "r": {e.JYJ + "/admin/"}, "code": {code}})
	if p.Status != 200 || p.URL != e.JYJ+"/admin/" || !strings.Contains(p.Body, "可用功能") {
		t.Fatalf("after enrolment: %d %s", p.Status, p.URL)
	}
	// Next sign-in: the enrolled code is asked for, and a used code fails.
	b2 := e.Browser(t)
	p = b2.Login(e.Portal+"/account/login?r=/", webtest.NoMFA.Username, webtest.NoMFA.Password, "")
	if !strings.Contains(p.URL, "/account/totp") || strings.Contains(p.Body, "totp-secret") {
		t.Fatalf("second sign-in: %s (enrolment shown again?)", p.URL)
	}
	p = b2.Post(webtest.HostOf(p)+"/account/totp", url.Values{"csrf": {webtest.Field(webtest.CSRFRe, p.Body)}, "r": {e.JYJ + "/admin/"}, "code": {code}})
	if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "已使用") {
		t.Errorf("reused TOTP code: %d", p.Status)
	}
	e.Clock.Advance(30 * time.Second)
	next, _ := totp.GenerateCode(secret, e.Clock.Now())
	p = b2.Post(webtest.HostOf(p)+"/account/totp", url.Values{"csrf": {webtest.Field(webtest.CSRFRe, p.Body)}, "r": {e.JYJ + "/admin/"}, "code": {next}})
	if p.URL != e.JYJ+"/admin/" || !strings.Contains(p.Body, "可用功能") {
		t.Errorf("second factor on the portal, then the console on jyj: %d %s", p.Status, p.URL)
	}
	es, err := audit.List(context.Background(), e.DB, audit.Filter{Action: "account.totp.enrol"})
	webtest.Must(t, err)
	if len(es) != 1 {
		t.Errorf("TOTP enrolment audited %d times", len(es))
	}
}

func TestReturnURLsAreChecked(t *testing.T) {
	e := webtest.NewSSOEnv(t, storetest.SQLite(t))
	b := e.Browser(t)
	b.LoginDemo("citizen")
	for _, r := range []string{
		"https://evil.example/", "//evil.example/", "/\\evil.example/", "http://localhost:" + e.Port + "@evil.example/",
		"javascript:alert(1)", "http://jyj.localhost:1/", "http://127.0.0.1:" + e.Port + "/", "http://evil.localhost:" + e.Port + "/",
		"data:text/html,hi", "http://localhost:" + e.Port + "\r\nSet-Cookie:x=1", "ftp://localhost:" + e.Port + "/",
	} {
		t.Run(r, func(t *testing.T) {
			b.Reset()
			p := b.Get(e.Portal + "/account/login?r=" + url.QueryEscape(r))
			if mustParse(t, p.URL).Host != "localhost:"+e.Port || p.URL != e.Portal+"/" {
				t.Errorf("login with r=%s ended at %s", r, p.URL)
			}
			h := b.Once("GET", e.Portal+"/account/relay?r="+url.QueryEscape(r), nil)
			if h.Status != http.StatusBadRequest {
				t.Errorf("relay with r=%s: %d %s", r, h.Status, h.Location)
			}
			h = b.Once("GET", e.Portal+"/account/logged-out?state="+url.QueryEscape(r), nil)
			if h.Status != http.StatusOK {
				t.Errorf("logged-out with state=%s: %d %s", r, h.Status, h.Location)
			}
		})
	}
}

func TestCSRFAndOriginChecks(t *testing.T) {
	e := webtest.NewSSOEnv(t, storetest.SQLite(t))
	b := e.Browser(t)
	b.LoginDemo("citizen")
	tok := b.CSRF(e.Portal + "/")
	other := e.Browser(t)
	other.LoginDemo("reviewer")
	for _, tc := range []struct {
		name string
		form url.Values
		hdr  map[string]string
	}{
		{"no token", url.Values{}, nil},
		{"another person's token", url.Values{"csrf": {webtest.Field(webtest.CSRFRe, other.Get(e.Portal+"/").Body)}}, nil},
		{"cross-origin", url.Values{"csrf": {tok}}, map[string]string{"Origin": "http://evil.example"}},
		{"cross-site fetch", url.Values{"csrf": {tok}}, map[string]string{"Sec-Fetch-Site": "cross-site"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", e.Portal+"/account/logout", strings.NewReader(tc.form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range tc.hdr {
				req.Header.Set(k, v)
			}
			c := *b.C
			c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			resp, err := c.Do(req)
			webtest.Must(t, err)
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("status %d, want 403", resp.StatusCode)
			}
			if p := b.Get(e.Portal + "/"); webtest.UserOn(p) != "张小民" {
				t.Fatal("a refused logout logged out")
			}
		})
	}
}

func TestLoginIsRateLimited(t *testing.T) {
	e := webtest.NewSSOEnv(t, storetest.SQLite(t))
	b := e.Browser(t)
	limited := false
	for i := 0; i < 70 && !limited; i++ {
		h := b.Once("GET", e.Portal+"/account/login?r=/", nil)
		limited = h.Status == http.StatusTooManyRequests
	}
	if !limited {
		t.Error("70 login starts a minute from one address were not limited")
	}
	// The provider limits password guesses per address and account.
	c := e.Browser(t)
	p := c.Get(e.Portal + "/idp/authorize?" + url.Values{"client_id": {"yiwang"}, "redirect_uri": {e.Portal + "/account/callback"},
		"response_type": {"code"}, "scope": {"openid"}, "code_challenge": {"x"}, "code_challenge_method": {"S256"}}.Encode())
	f := url.Values{"req": {webtest.Field(webtest.ReqRe, p.Body)}, "bind": {webtest.Field(webtest.BindRe, p.Body)}, "username": {"admin"}}
	last := 0
	for i := 0; i < 15; i++ {
		f.Set("password", "guess")
		last = c.Once("POST", e.Portal+"/idp/login", f).Status
	}
	if last != http.StatusTooManyRequests {
		t.Errorf("15 password guesses: last status %d, want 429", last)
	}
}

func TestGroupsClaimGrantsRoles(t *testing.T) {
	e := webtest.NewSSOEnv(t, storetest.SQLite(t))
	b := e.Browser(t)
	p := b.Login(e.Portal+"/account/login?r=/site/rsj/admin/", webtest.Groupy.Username, webtest.Groupy.Password, webtest.Groupy.TOTPSecret)
	if p.Status != 200 || !strings.Contains(p.Body, "信息审核") {
		t.Fatalf("reviewer from the groups claim: %d %s", p.Status, p.URL)
	}
	acc, err := sso.EnsureAccount(context.Background(), e.DB, e.Prov.Issuer(), webtest.Groupy.Subject, "", "", false, store.Now())
	webtest.Must(t, err)
	ms, err := tenants.NewMemberships(e.DB).Of(context.Background(), acc.ID)
	webtest.Must(t, err)
	if len(ms) != 1 || ms[0].Role != tenants.Reviewer || ms[0].TenantCode != "rsj" || ms[0].Source != tenants.SourceIdP {
		t.Errorf("memberships from groups: %+v", ms)
	}
}

func TestSiteAdminAndCountyConsoles(t *testing.T) {
	e := webtest.NewSSOEnv(t, storetest.SQLite(t))
	ctx := context.Background()
	// The citizen exists once they have logged in.
	cit := e.Browser(t)
	cit.LoginDemo("citizen")
	citizen, err := sso.EnsureAccount(ctx, e.DB, e.Prov.Issuer(), "demo-citizen", "", "", false, store.Now())
	webtest.Must(t, err)
	id := func(a *sso.Account) string { return strconv.FormatInt(a.ID, 10) }

	// jyjadmin: site admin of jyj, platform TOTP on first login.
	sa := e.Browser(t)
	p := sa.Login(e.JYJ+"/account/login?r=/admin/", "jyjadmin", provider.DemoPassword, "")
	secret := webtest.Field(regexp.MustCompile(`class="totp-secret">([A-Z2-7]+)<`), p.Body)
	code, _ := totp.GenerateCode(secret, e.Clock.Now())
	p = sa.Post(webtest.HostOf(p)+"/account/totp", url.Values{"csrf": {webtest.Field(webtest.CSRFRe, p.Body)}, "r": {e.JYJ + "/admin/"}, "code": {code}})
	if !strings.Contains(p.Body, "工作人员与角色") {
		t.Fatalf("site admin console: %d %s", p.Status, p.URL)
	}
	p = sa.Get(e.JYJ + "/admin/members?q=" + url.QueryEscape("张小民"))
	if !strings.Contains(p.Body, "张小民") {
		t.Fatal("member search did not find the citizen")
	}
	tok := webtest.Field(webtest.CSRFRe, p.Body)
	p = sa.Post(e.JYJ+"/admin/members/grant", url.Values{"csrf": {tok}, "account": {id(citizen)}, "role": {"handler"}})
	if !strings.Contains(p.Body, "已授予角色") || !strings.Contains(p.Body, "信件和申请办理") {
		t.Errorf("grant handler: %d %s", p.Status, p.URL)
	}
	p = sa.Post(e.JYJ+"/admin/members/grant", url.Values{"csrf": {tok}, "account": {id(citizen)}, "role": {"site_admin"}})
	if p.Status != http.StatusForbidden {
		t.Errorf("site admin granting site_admin: %d, want 403", p.Status)
	}
	if p := sa.Get(e.JYJ + "/admin/audit"); !strings.Contains(p.Body, "role.grant") || !strings.Contains(p.Body, "刘站长") {
		t.Errorf("tenant audit log lacks the grant by name")
	}
	if h := sa.Once("GET", e.Portal+"/admin/county/", nil); h.Status != http.StatusForbidden {
		t.Errorf("site admin on the county console: %d", h.Status)
	}

	// The county office.
	adm := e.Browser(t)
	adm.LoginDemo("admin")
	p = adm.Get(e.Portal + "/admin/county/")
	if p.Status != 200 || !strings.Contains(p.Body, "思南县教育局") {
		t.Fatalf("county console: %d", p.Status)
	}
	tok = webtest.Field(webtest.CSRFRe, p.Body)
	p = adm.Post(e.Portal+"/admin/county/tenants", url.Values{"csrf": {tok}, "code": {"cstest"}, "name": {"思南县测试局"}, "kind": {"department"}, "domains": {"cstest.localhost"}})
	if p.URL != e.Portal+"/admin/county/tenants/cstest?done=create" {
		t.Fatalf("create tenant: %d %s", p.Status, p.URL)
	}
	p = adm.Post(e.Portal+"/admin/county/tenants", url.Values{"csrf": {tok}, "code": {"Bad Code"}, "name": {"x"}, "kind": {"department"}})
	if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "站点代码") {
		t.Errorf("invalid tenant: %d", p.Status)
	}
	p = adm.Post(e.Portal+"/admin/county/tenants/cstest", url.Values{"csrf": {tok}, "name": {"思南县测试局"}, "kind": {"department"},
		"sponsor": {"思南县测试局"}, "icp": {"黔ICP备99999999号-1"}, "phone": {"0856-1234567"}})
	if !strings.Contains(p.Body, "站点信息已保存") {
		t.Errorf("update footer facts: %d", p.Status)
	}
	// The unit's 统一社会信用代码: a typo is refused, a right code (made
	// up here by the standard's check) is kept, typed in lower case.
	body := "12522427MB00000" + "1X"
	orgCode := body + string(tenants.CreditCheckChar(body))
	wrong := body + "0"
	if wrong == orgCode {
		wrong = body + "1"
	}
	p = adm.Post(e.Portal+"/admin/county/tenants/cstest", url.Values{"csrf": {tok}, "name": {"思南县测试局"}, "kind": {"department"},
		"sponsor": {"思南县测试局"}, "icp": {"黔ICP备99999999号-1"}, "phone": {"0856-1234567"}, "org_code": {wrong}})
	if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "校验码不对") || !strings.Contains(p.Body, `for="t-orgcode">统一社会信用代码`) {
		t.Errorf("wrong org code: %d", p.Status)
	}
	p = adm.Post(e.Portal+"/admin/county/tenants/cstest", url.Values{"csrf": {tok}, "name": {"思南县测试局"}, "kind": {"department"},
		"sponsor": {"思南县测试局"}, "icp": {"黔ICP备99999999号-1"}, "phone": {"0856-1234567"}, "org_code": {strings.ToLower(orgCode)}})
	if !strings.Contains(p.Body, "站点信息已保存") || !strings.Contains(p.Body, `value="`+orgCode+`"`) {
		t.Errorf("update org code: %d", p.Status)
	}
	p = adm.Post(e.Portal+"/admin/county/tenants/cstest/domains", url.Values{"csrf": {tok}, "host": {"jyj.localhost"}})
	if p.Status != http.StatusConflict {
		t.Errorf("mapping another tenant's domain: %d, want 409", p.Status)
	}
	p = adm.Post(e.Portal+"/admin/county/tenants/cstest/status", url.Values{"csrf": {tok}, "action": {"archive"}})
	if !strings.Contains(p.Body, "站点已归档") {
		t.Errorf("archive: %d", p.Status)
	}
	ts, err := e.TS.ByCode(ctx, "cstest")
	webtest.Must(t, err)
	if ts.Status != tenants.Archived || ts.ICP != "黔ICP备99999999号-1" || ts.PrimaryDomain() != "cstest.localhost" || ts.OrgCode != orgCode {
		t.Errorf("tenant after console: %+v", ts)
	}
	p = adm.Get(e.Portal + "/admin/county/roles?q=" + url.QueryEscape("张"))
	if p.Status != 200 || !strings.Contains(p.Body, `<option value="rsj">`) || !strings.Contains(p.Body, "张小民") {
		t.Errorf("county roles search: %d", p.Status)
	}
	p = adm.Post(e.Portal+"/admin/county/roles/grant", url.Values{"csrf": {tok}, "account": {id(citizen)}, "tenant": {"rsj"}, "role": {"editor"}})
	if !strings.Contains(p.Body, "已授予角色") {
		t.Errorf("county grant: %d %s", p.Status, p.URL)
	}
	p = adm.Post(e.Portal+"/admin/county/roles/revoke", url.Values{"csrf": {tok}, "account": {id(citizen)}, "tenant": {"rsj"}, "role": {"editor"}})
	if !strings.Contains(p.Body, "已收回角色") {
		t.Errorf("county revoke: %d", p.Status)
	}
	// The audit viewer: filters, who (by name), from where, result.
	p = adm.Get(e.Portal + "/admin/county/audit?action=tenant.&tenant=cstest")
	for _, want := range []string{"tenant.create", "tenant.update", "tenant.archive", "陈管理", "127.0.0.1"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("audit viewer lacks %q", want)
		}
	}
	if strings.Contains(p.Body, "role.grant") {
		t.Error("audit filter by action ignored")
	}
	p = adm.Get(e.Portal + "/admin/county/audit?result=error")
	if !strings.Contains(p.Body, "tenant.create") || !strings.Contains(p.Body, "失败") {
		t.Error("failed create not in the audit log")
	}
	// No web route deletes or edits the log.
	for _, m := range []string{"DELETE", "PUT", "POST"} {
		h := adm.Once(m, e.Portal+"/admin/county/audit", url.Values{"csrf": {tok}})
		if h.Status == http.StatusOK || h.Status == http.StatusSeeOther {
			t.Errorf("%s on the audit log: %d", m, h.Status)
		}
	}
	// The platform admin opening the county console on a sub-site is
	// sent to the portal.
	adm.Get(e.JYJ + "/") // signed in there by ticket
	if h := adm.Once("GET", e.JYJ+"/admin/county/roles", nil); h.Status != http.StatusSeeOther || h.Location != e.Portal+"/admin/county/roles" {
		t.Errorf("county console on jyj: %d %s", h.Status, h.Location)
	}
}

func TestRolesOfRequest(t *testing.T) {
	e := webtest.NewSSOEnv(t, storetest.SQLite(t))
	var got [][]tenants.Role
	var perms []string
	declared := []tenants.Permission{{Name: "mailbox.write", Kind: tenants.KindPublic}, {Name: "mailbox.reply", Kind: tenants.KindHandle},
		{Name: "mailbox.settings", Kind: tenants.KindAdmin}}
	e.Srv.HandleSite("GET /probe-roles", func(w http.ResponseWriter, r *http.Request) {
		got = append(got, web.RolesOf(r))
		perms = web.PermissionsOf(r, declared)
	})
	b := e.Browser(t)
	b.Get(e.JYJ + "/probe-roles")
	b.LoginDemo("handler")
	b.Get(e.JYJ + "/account/login?r=/probe-roles") // jyj asked the central host before the login: 登录 goes through at once
	b.Get(e.Portal + "/site/rsj/probe-roles")
	want := [][]tenants.Role{nil, {tenants.Citizen, tenants.Handler}, {tenants.Citizen}}
	if len(got) != 3 {
		t.Fatalf("calls: %v", got)
	}
	for i := range want {
		if strings.Join(roleNames(got[i]), ",") != strings.Join(roleNames(want[i]), ",") {
			t.Errorf("call %d: roles %v, want %v", i, got[i], want[i])
		}
	}
	if strings.Join(perms, ",") != "mailbox.write" {
		t.Errorf("permissions on rsj: %v", perms)
	}
}

// hostOf is the scheme and host of the page's URL.
func roleNames(rs []tenants.Role) []string {
	var out []string
	for _, r := range rs {
		out = append(out, string(r))
	}
	return out
}

func mustParse(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return u
}

func TestTwoProvidersCitizenAndStaff(t *testing.T) {
	e := webtest.NewSSOEnv(t, storetest.SQLite(t), func(c *sso.Config) {
		base := c.Providers[0]
		citizen, staff := base, base
		citizen.Name, citizen.Label = "citizen", "公众用户登录"
		staff.Name, staff.Label = "staff", "工作人员登录"
		c.Providers = []sso.ProviderConfig{citizen, staff}
	})
	b := e.Browser(t)
	p := b.Get(e.JYJ + "/account/login?r=/admin/")
	if p.URL != e.Portal+"/account/login?r="+url.QueryEscape(e.JYJ+"/admin/") || !strings.Contains(p.Body, "公众用户登录") || !strings.Contains(p.Body, "工作人员登录") {
		t.Fatalf("no choice of provider: %d %s", p.Status, p.URL)
	}
	m := regexp.MustCompile(`href="(\?[^"]*p=staff[^"]*)"`).FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatal("no staff login link")
	}
	staffURL := e.Portal + "/account/login" + strings.ReplaceAll(m[1], "&amp;", "&")
	d := webtest.Demo("editor")
	p = b.Login(staffURL, d.Username, provider.DemoPassword, d.TOTPSecret)
	if p.URL != e.JYJ+"/admin/" || !strings.Contains(p.Body, "信息编辑") {
		t.Fatalf("staff login: %d %s", p.Status, p.URL)
	}
	var prov string
	webtest.Must(t, e.DB.GetContext(context.Background(), &prov, `SELECT provider FROM sso_sessions WHERE ended_at IS NULL`))
	if prov != "staff" {
		t.Errorf("session provider %q", prov)
	}
	// A back-channel logout from the issuer ends it, whichever of the two
	// names the session was opened under.
	e.Prov.LogoutEverywhere(context.Background(), "demo-editor")
	if p := b.Get(e.JYJ + "/"); webtest.UserOn(p) != "" {
		t.Error("back-channel logout missed the staff provider's session")
	}
}

// TestSessionKeptWhenDatabaseFails: a session lookup the database cannot
// answer (a Galera node lost, a failover) neither signs the person out nor
// lets a form through as nobody's, to be refused as a forgery: the form is
// answered 503, and once the database answers the person is signed in as
// before.
func TestSessionKeptWhenDatabaseFails(t *testing.T) {
	db := storetest.SQLite(t)
	e := webtest.NewSSOEnv(t, db)
	b := e.Browser(t)
	b.LoginDemo("citizen")
	tok := b.CSRF(e.Portal + "/")
	before := b.Cookie(e.Portal, "yw_session")
	_, err := db.Exec(`ALTER TABLE sso_host_sessions RENAME TO sso_host_sessions_away`)
	webtest.Must(t, err)

	req, _ := http.NewRequest("POST", e.Portal+"/account/logout", strings.NewReader(url.Values{"csrf": {tok}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	c := *b.C
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Do(req)
	webtest.Must(t, err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("a form while sessions cannot be read: %d (Retry-After %q), want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	b.Get(e.Portal + "/")
	if got := b.Cookie(e.Portal, "yw_session"); got == nil || got.Value != before.Value {
		t.Errorf("the session cookie was dropped while the database failed: %v", got)
	}

	_, err = db.Exec(`ALTER TABLE sso_host_sessions_away RENAME TO sso_host_sessions`)
	webtest.Must(t, err)
	if p := b.Get(e.Portal + "/"); webtest.UserOn(p) != "张小民" {
		t.Errorf("after the database answers again: signed in as %q, want 张小民", webtest.UserOn(p))
	}
}
