package webtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/pquerna/otp/totp"
	"yiwang/core/content"
	"yiwang/core/store"
	"yiwang/core/web"
	"yiwang/core/web/account"
	"yiwang/core/web/host"
	"yiwang/sso"
	"yiwang/sso/provider"
	"yiwang/tenants"
)

// The sign-on tests run the whole platform over real HTTP on a loopback
// port, with the built-in OpenID Provider, under two host names:
// localhost:PORT (the portal and central account host) and
// jyj.localhost:PORT (the education bureau's own host). Clients dial the
// test server whatever the host name.

var (
	testKeyOnce sync.Once
	testKey     *rsa.PrivateKey
)

// RSAKey is the provider's signing key, made once per test binary.
func RSAKey(t testing.TB) *rsa.PrivateKey {
	testKeyOnce.Do(func() {
		var err error
		if testKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			t.Fatal(err)
		}
	})
	return testKey
}

// TestClock is a clock tests can move forward.
type TestClock struct {
	mu  sync.Mutex
	off time.Duration
}

// Now is the clock's time.
func (c *TestClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

// Advance moves the clock forward by d.
func (c *TestClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.off += d
	c.mu.Unlock()
}

// Accounts of the test provider beyond the demo ones.
var (
	NoMFA  = provider.Account{Username: "nomfa", Password: "pw-nomfa", Subject: "test-nomfa", Name: "孙无验证", Email: "nomfa@example.cn"}
	Groupy = provider.Account{Username: "groupy", Password: "pw-groupy", Subject: "test-groupy", Name: "周分组", TOTPSecret: "GROUPYGROUPYGROU",
		Groups: []string{"yiwang:rsj:reviewer", "yiwang:nosuch:editor", "other:group"}}
)

// SSOEnv is a running platform with sign-on: the built-in provider under
// /idp/, the portal (and central account host) at Portal, the education
// bureau's own host at JYJ.
type SSOEnv struct {
	T      *testing.T
	DB     *store.DB
	TS     *tenants.Store
	Srv    *host.Server
	SVC    *sso.Service
	Prov   *provider.Provider
	Clock  *TestClock
	Addr   string // 127.0.0.1:PORT
	Port   string
	Portal string // http://localhost:PORT
	JYJ    string // http://jyj.localhost:PORT
	Logs   *bytes.Buffer
}

// Transport dials the test server whatever the host name.
func (e *SSOEnv) Transport() *http.Transport {
	d := &net.Dialer{Timeout: 5 * time.Second}
	return &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return d.DialContext(ctx, network, e.Addr)
	}}
}

// NewSSOEnv runs the platform with sign-on on db, on a loopback port,
// with the demo accounts' roles; tune adjusts the sign-on configuration.
func NewSSOEnv(t *testing.T, db *store.DB, tune ...func(*sso.Config)) *SSOEnv {
	t.Helper()
	ctx := context.Background()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	e := &SSOEnv{T: t, DB: db, TS: tenants.NewStore(db), Clock: &TestClock{}, Addr: ln.Addr().String(), Port: port,
		Portal: "http://localhost:" + port, JYJ: "http://jyj.localhost:" + port, Logs: &bytes.Buffer{}}
	cs := content.NewStore(db)
	if err := e.TS.EnsureTemplate(ctx); err != nil {
		t.Fatal(err)
	}
	e.TS.OnCreate = func(ctx context.Context, tx *sqlx.Tx, tn *tenants.Tenant) error {
		tpl, err := tenants.ReadTemplate(ctx, tx)
		if err != nil {
			return err
		}
		return cs.ApplyTemplate(ctx, tx, tn, tpl)
	}
	rows, err := tenants.ParseSeed(bytes.NewReader(tenants.ReferenceSeed))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.TS.Import(ctx, "test", rows); err != nil {
		t.Fatal(err)
	}
	if err := e.TS.AddDomain(ctx, "test", "jyj", "jyj.localhost", true); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(&lockedWriter{w: e.Logs}, &slog.HandlerOptions{Level: slog.LevelInfo}))
	client := &http.Client{Transport: e.Transport(), Timeout: 10 * time.Second}
	accounts := append(provider.DemoAccounts(), NoMFA, Groupy)
	e.Prov, err = provider.New(provider.Config{
		Issuer: e.Portal + "/idp", Accounts: accounts, Key: RSAKey(t), Log: log, Now: e.Clock.Now, HTTPClient: client,
		Clients: []provider.Client{{ID: "yiwang", Secret: "test-secret",
			RedirectURIs:           []string{e.Portal + "/account/callback"},
			PostLogoutRedirectURIs: []string{e.Portal + "/account/logged-out"},
			BackchannelLogoutURI:   e.Portal + "/account/backchannel-logout"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	ms := tenants.NewMemberships(db)
	cfg := sso.Config{AccountURL: e.Portal, Log: log, Now: e.Clock.Now, SealKey: []byte("0123456789abcdef0123456789abcdef"),
		Providers: []sso.ProviderConfig{{Name: "builtin", Issuer: e.Prov.Issuer(), ClientID: "yiwang", ClientSecret: "test-secret",
			Scopes: []string{"openid", "profile", "email", "groups"}, GroupsClaim: "groups", HTTPClient: client}}}
	for _, f := range tune {
		f(&cfg)
	}
	e.SVC, err = sso.New(ctx, db, e.TS, ms, cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.Srv, err = host.New(web.Config{PortalHost: "localhost", RegistryTTL: time.Nanosecond}, db, e.TS, cs, log)
	if err != nil {
		t.Fatal(err)
	}
	e.Srv.Handle("/idp/", e.Prov)
	e.Srv.EnableAccounts(e.SVC, account.Options{ExemptPrefixes: []string{"/idp/"}})
	// The demo roles, and the test account without a second factor as an
	// editor of jyj.
	for _, d := range provider.Demo() {
		acc, err := sso.EnsureAccount(ctx, db, e.Prov.Issuer(), d.Subject, d.Name, d.Email, false, store.Now())
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range d.Grants {
			e.Grant(acc.ID, g.Tenant, tenants.Role(g.Role))
		}
	}
	acc, err := sso.EnsureAccount(ctx, db, e.Prov.Issuer(), NoMFA.Subject, NoMFA.Name, "", false, store.Now())
	if err != nil {
		t.Fatal(err)
	}
	e.Grant(acc.ID, "jyj", tenants.Editor)

	hs := &http.Server{Handler: e.Srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(ctx)
		if t.Failed() {
			t.Logf("server log:\n%s", e.Logs.String())
		}
	})
	return e
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// Grant gives the account role on the tenant with code ("" for the
// platform).
func (e *SSOEnv) Grant(accountID int64, code string, role tenants.Role) {
	e.T.Helper()
	var tid int64
	if code != "" {
		tn, err := e.TS.ByCode(context.Background(), code)
		if err != nil {
			e.T.Fatal(err)
		}
		tid = tn.ID
	}
	if err := tenants.NewMemberships(e.DB).Grant(context.Background(), "test", "", accountID, tid, role); err != nil {
		e.T.Fatal(err)
	}
}

// Hop is one request and answer a browser saw.
type Hop struct {
	Method, URL string
	Status      int
	Location    string
	SetCookie   []string
}

// Browser is a cookie-keeping client that sends what a browser's
// top-level navigation sends and records every hop, redirects included.
type Browser struct {
	e    *SSOEnv
	T    *testing.T
	C    *http.Client
	Jar  *cookiejar.Jar // the browser's cookies
	mu   sync.Mutex
	Hops []Hop // every request and answer, redirects included
}

type recorder struct {
	b    *Browser
	next http.RoundTripper
}

func (rt recorder) RoundTrip(r *http.Request) (*http.Response, error) {
	r.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) test")
	r.Header.Set("Accept", "text/html,application/xhtml+xml")
	if r.Header.Get("Sec-Fetch-Mode") == "" {
		r.Header.Set("Sec-Fetch-Mode", "navigate")
		r.Header.Set("Sec-Fetch-Dest", "document")
	}
	resp, err := rt.next.RoundTrip(r)
	if err == nil {
		rt.b.mu.Lock()
		rt.b.Hops = append(rt.b.Hops, Hop{Method: r.Method, URL: r.URL.String(), Status: resp.StatusCode,
			Location: resp.Header.Get("Location"), SetCookie: resp.Header.Values("Set-Cookie")})
		rt.b.mu.Unlock()
	}
	return resp, err
}

// Browser is a new browser with no cookies.
func (e *SSOEnv) Browser(t *testing.T) *Browser {
	jar, _ := cookiejar.New(nil)
	b := &Browser{e: e, T: t, Jar: jar}
	b.C = &http.Client{Jar: jar, Transport: recorder{b: b, next: e.Transport()}, Timeout: 20 * time.Second}
	return b
}

// Page is an answer after redirects.
type Page struct {
	Status int
	URL    string
	Body   string
}

// Do sends req and follows redirects to the end.
func (b *Browser) Do(req *http.Request) Page {
	b.T.Helper()
	resp, err := b.C.Do(req)
	if err != nil {
		b.T.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return Page{resp.StatusCode, resp.Request.URL.String(), string(body)}
}

// Get follows redirects to the end.
func (b *Browser) Get(u string) Page {
	b.T.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	return b.Do(req)
}

// Post submits a form and follows redirects.
func (b *Browser) Post(u string, form url.Values) Page {
	b.T.Helper()
	req, _ := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Mode", "navigate")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if pu, err := url.Parse(u); err == nil {
		req.Header.Set("Origin", pu.Scheme+"://"+pu.Host)
	}
	return b.Do(req)
}

// Once makes one request without following redirects.
func (b *Browser) Once(method, u string, form url.Values) Hop {
	b.T.Helper()
	c := *b.C
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, u, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if pu, err := url.Parse(u); err == nil {
			req.Header.Set("Origin", pu.Scheme+"://"+pu.Host)
		}
	}
	resp, err := c.Do(req)
	if err != nil {
		b.T.Fatalf("%s %s: %v", method, u, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return Hop{Method: method, URL: u, Status: resp.StatusCode, Location: resp.Header.Get("Location"), SetCookie: resp.Header.Values("Set-Cookie")}
}

func (b *Browser) Reset() {
	b.mu.Lock()
	b.Hops = nil
	b.mu.Unlock()
}

// Visited reports whether a recorded hop's URL contains s.
func (b *Browser) Visited(s string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, h := range b.Hops {
		if strings.Contains(h.URL, s) {
			return true
		}
	}
	return false
}

// The fields of the provider's forms, the forms' token and the name
// in the layout's user area.
var (
	ReqRe  = regexp.MustCompile(`name="req" value="([^"]*)"`)
	BindRe = regexp.MustCompile(`name="bind" value="([^"]*)"`)
	CSRFRe = regexp.MustCompile(`name="csrf" value="([^"]*)"`)
	UserRe = regexp.MustCompile(`class="bar-user">([^<]*)<`)
)

// Field is the first submatch of re in body, "" for none.
func Field(re *regexp.Regexp, body string) string {
	m := re.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

// HostOf is the scheme and host the page was answered from.
func HostOf(p Page) string {
	u, _ := url.Parse(p.URL)
	return u.Scheme + "://" + u.Host
}

// UserOn is the name in the page's user area, "" for nobody.
func UserOn(p Page) string { return Field(UserRe, p.Body) }

// ProviderForm submits the provider's login page (and its second-factor
// page when the account has one) and returns where that leads.
func (b *Browser) ProviderForm(p Page, username, password, otpSecret string) Page {
	b.T.Helper()
	if !strings.Contains(p.URL, "/idp/authorize") {
		b.T.Fatalf("expected the provider's login page, got %d %s", p.Status, p.URL)
	}
	f := url.Values{"req": {Field(ReqRe, p.Body)}, "bind": {Field(BindRe, p.Body)}, "username": {username}, "password": {password}}
	p = b.Post(b.e.Portal+"/idp/login", f)
	if otpSecret != "" {
		code, err := totp.GenerateCode(otpSecret, b.e.Clock.Now())
		if err != nil {
			b.T.Fatal(err)
		}
		p = b.Post(b.e.Portal+"/idp/otp", url.Values{"req": {Field(ReqRe, p.Body)}, "bind": {Field(BindRe, p.Body)}, "code": {code}})
	}
	return p
}

// Login signs in from start (a page's 登录 link) and returns the page
// the browser lands on.
func (b *Browser) Login(start, username, password, otpSecret string) Page {
	b.T.Helper()
	return b.ProviderForm(b.Get(start), username, password, otpSecret)
}

// Demo is the demo account with username.
func Demo(username string) provider.DemoAccount {
	for _, d := range provider.Demo() {
		if d.Username == username {
			return d
		}
	}
	panic("no demo account " + username)
}

// LoginDemo signs a demo account in on the portal.
func (b *Browser) LoginDemo(username string) Page {
	b.T.Helper()
	d := Demo(username)
	p := b.Login(b.e.Portal+"/account/login?r=/", d.Username, provider.DemoPassword, d.TOTPSecret)
	if UserOn(p) != d.Name {
		b.T.Fatalf("after login as %s: landed on %d %s showing user %q", username, p.Status, p.URL, UserOn(p))
	}
	return p
}

// CSRF reads the token of the forms on a page of host.
func (b *Browser) CSRF(pageURL string) string {
	b.T.Helper()
	tok := Field(CSRFRe, b.Get(pageURL).Body)
	if tok == "" {
		b.T.Fatalf("no csrf token on %s", pageURL)
	}
	return tok
}

// Cookie returns the browser's cookie name on u's host.
func (b *Browser) Cookie(u, name string) *http.Cookie {
	pu, _ := url.Parse(u)
	for _, c := range b.Jar.Cookies(pu) {
		if c.Name == name {
			return c
		}
	}
	return nil
}
