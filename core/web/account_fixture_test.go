package web_test

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

func rsaKey(t testing.TB) *rsa.PrivateKey {
	testKeyOnce.Do(func() {
		var err error
		if testKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			t.Fatal(err)
		}
	})
	return testKey
}

// testClock is a clock tests can move forward.
type testClock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.off += d
	c.mu.Unlock()
}

// Accounts of the test provider beyond the demo ones.
var (
	noMFA  = provider.Account{Username: "nomfa", Password: "pw-nomfa", Subject: "test-nomfa", Name: "孙无验证", Email: "nomfa@example.cn"}
	groupy = provider.Account{Username: "groupy", Password: "pw-groupy", Subject: "test-groupy", Name: "周分组", TOTPSecret: "GROUPYGROUPYGROU",
		Groups: []string{"yiwang:rsj:reviewer", "yiwang:nosuch:editor", "other:group"}}
)

// ssoEnv is a running platform with sign-on.
type ssoEnv struct {
	t      *testing.T
	db     *store.DB
	ts     *tenants.Store
	srv    *host.Server
	svc    *sso.Service
	prov   *provider.Provider
	clock  *testClock
	addr   string // 127.0.0.1:PORT
	port   string
	portal string // http://localhost:PORT
	jyj    string // http://jyj.localhost:PORT
	logs   *bytes.Buffer
}

// dialer sends every host name to the test server.
func (e *ssoEnv) transport() *http.Transport {
	d := &net.Dialer{Timeout: 5 * time.Second}
	return &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return d.DialContext(ctx, network, e.addr)
	}}
}

func newSSOEnv(t *testing.T, db *store.DB, tune ...func(*sso.Config)) *ssoEnv {
	t.Helper()
	ctx := context.Background()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	e := &ssoEnv{t: t, db: db, ts: tenants.NewStore(db), clock: &testClock{}, addr: ln.Addr().String(), port: port,
		portal: "http://localhost:" + port, jyj: "http://jyj.localhost:" + port, logs: &bytes.Buffer{}}
	cs := content.NewStore(db)
	if err := e.ts.EnsureTemplate(ctx); err != nil {
		t.Fatal(err)
	}
	e.ts.OnCreate = func(ctx context.Context, tx *sqlx.Tx, tn *tenants.Tenant) error {
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
	if _, err := e.ts.Import(ctx, "test", rows); err != nil {
		t.Fatal(err)
	}
	if err := e.ts.AddDomain(ctx, "test", "jyj", "jyj.localhost", true); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(&lockedWriter{w: e.logs}, &slog.HandlerOptions{Level: slog.LevelInfo}))
	client := &http.Client{Transport: e.transport(), Timeout: 10 * time.Second}
	accounts := append(provider.DemoAccounts(), noMFA, groupy)
	e.prov, err = provider.New(provider.Config{
		Issuer: e.portal + "/idp", Accounts: accounts, Key: rsaKey(t), Log: log, Now: e.clock.Now, HTTPClient: client,
		Clients: []provider.Client{{ID: "yiwang", Secret: "test-secret",
			RedirectURIs:           []string{e.portal + "/account/callback"},
			PostLogoutRedirectURIs: []string{e.portal + "/account/logged-out"},
			BackchannelLogoutURI:   e.portal + "/account/backchannel-logout"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	ms := tenants.NewMemberships(db)
	cfg := sso.Config{AccountURL: e.portal, Log: log, Now: e.clock.Now, SealKey: []byte("0123456789abcdef0123456789abcdef"),
		Providers: []sso.ProviderConfig{{Name: "builtin", Issuer: e.prov.Issuer(), ClientID: "yiwang", ClientSecret: "test-secret",
			Scopes: []string{"openid", "profile", "email", "groups"}, GroupsClaim: "groups", HTTPClient: client}}}
	for _, f := range tune {
		f(&cfg)
	}
	e.svc, err = sso.New(ctx, db, e.ts, ms, cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.srv, err = host.New(web.Config{PortalHost: "localhost", RegistryTTL: time.Nanosecond}, db, e.ts, cs, log)
	if err != nil {
		t.Fatal(err)
	}
	e.srv.Handle("/idp/", e.prov)
	e.srv.EnableAccounts(e.svc, web.AccountsOptions{ExemptPrefixes: []string{"/idp/"}})
	// The demo roles, and the test account without a second factor as an
	// editor of jyj.
	for _, d := range provider.Demo() {
		acc, err := sso.EnsureAccount(ctx, db, e.prov.Issuer(), d.Subject, d.Name, d.Email, false, store.Now())
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range d.Grants {
			e.grant(acc.ID, g.Tenant, tenants.Role(g.Role))
		}
	}
	acc, err := sso.EnsureAccount(ctx, db, e.prov.Issuer(), noMFA.Subject, noMFA.Name, "", false, store.Now())
	if err != nil {
		t.Fatal(err)
	}
	e.grant(acc.ID, "jyj", tenants.Editor)

	hs := &http.Server{Handler: e.srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(ctx)
		if t.Failed() {
			t.Logf("server log:\n%s", e.logs.String())
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

func (e *ssoEnv) grant(accountID int64, code string, role tenants.Role) {
	e.t.Helper()
	var tid int64
	if code != "" {
		tn, err := e.ts.ByCode(context.Background(), code)
		if err != nil {
			e.t.Fatal(err)
		}
		tid = tn.ID
	}
	if err := tenants.NewMemberships(e.db).Grant(context.Background(), "test", "", accountID, tid, role); err != nil {
		e.t.Fatal(err)
	}
}

// hop is one request and answer a browser saw.
type hop struct {
	Method, URL string
	Status      int
	Location    string
	SetCookie   []string
}

// browserClient is a cookie-keeping client that sends what a browser's
// top-level navigation sends and records every hop, redirects included.
type browserClient struct {
	e    *ssoEnv
	t    *testing.T
	c    *http.Client
	jar  *cookiejar.Jar
	mu   sync.Mutex
	hops []hop
}

type recorder struct {
	b    *browserClient
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
		rt.b.hops = append(rt.b.hops, hop{Method: r.Method, URL: r.URL.String(), Status: resp.StatusCode,
			Location: resp.Header.Get("Location"), SetCookie: resp.Header.Values("Set-Cookie")})
		rt.b.mu.Unlock()
	}
	return resp, err
}

func (e *ssoEnv) browser(t *testing.T) *browserClient {
	jar, _ := cookiejar.New(nil)
	b := &browserClient{e: e, t: t, jar: jar}
	b.c = &http.Client{Jar: jar, Transport: recorder{b: b, next: e.transport()}, Timeout: 20 * time.Second}
	return b
}

// page is an answer after redirects.
type page struct {
	Status int
	URL    string
	Body   string
}

func (b *browserClient) do(req *http.Request) page {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return page{resp.StatusCode, resp.Request.URL.String(), string(body)}
}

// get follows redirects to the end.
func (b *browserClient) get(u string) page {
	b.t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	return b.do(req)
}

// post submits a form and follows redirects.
func (b *browserClient) post(u string, form url.Values) page {
	b.t.Helper()
	req, _ := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Mode", "navigate")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if pu, err := url.Parse(u); err == nil {
		req.Header.Set("Origin", pu.Scheme+"://"+pu.Host)
	}
	return b.do(req)
}

// once makes one request without following redirects.
func (b *browserClient) once(method, u string, form url.Values) hop {
	b.t.Helper()
	c := *b.c
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
		b.t.Fatalf("%s %s: %v", method, u, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return hop{Method: method, URL: u, Status: resp.StatusCode, Location: resp.Header.Get("Location"), SetCookie: resp.Header.Values("Set-Cookie")}
}

func (b *browserClient) reset() {
	b.mu.Lock()
	b.hops = nil
	b.mu.Unlock()
}

// visited reports whether a recorded hop's URL contains s.
func (b *browserClient) visited(s string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, h := range b.hops {
		if strings.Contains(h.URL, s) {
			return true
		}
	}
	return false
}

var (
	reqRe  = regexp.MustCompile(`name="req" value="([^"]*)"`)
	bindRe = regexp.MustCompile(`name="bind" value="([^"]*)"`)
	csrfRe = regexp.MustCompile(`name="csrf" value="([^"]*)"`)
	userRe = regexp.MustCompile(`class="bar-user">([^<]*)<`)
)

func field(re *regexp.Regexp, body string) string {
	m := re.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

// userOn is the name in the page's user area, "" for nobody.
func userOn(p page) string { return field(userRe, p.Body) }

// providerForm submits the provider's login page (and its second-factor
// page when the account has one) and returns where that leads.
func (b *browserClient) providerForm(p page, username, password, otpSecret string) page {
	b.t.Helper()
	if !strings.Contains(p.URL, "/idp/authorize") {
		b.t.Fatalf("expected the provider's login page, got %d %s", p.Status, p.URL)
	}
	f := url.Values{"req": {field(reqRe, p.Body)}, "bind": {field(bindRe, p.Body)}, "username": {username}, "password": {password}}
	p = b.post(b.e.portal+"/idp/login", f)
	if otpSecret != "" {
		code, err := totp.GenerateCode(otpSecret, b.e.clock.Now())
		if err != nil {
			b.t.Fatal(err)
		}
		p = b.post(b.e.portal+"/idp/otp", url.Values{"req": {field(reqRe, p.Body)}, "bind": {field(bindRe, p.Body)}, "code": {code}})
	}
	return p
}

// login signs in from start (a page's 登录 link) and returns the page
// the browser lands on.
func (b *browserClient) login(start, username, password, otpSecret string) page {
	b.t.Helper()
	return b.providerForm(b.get(start), username, password, otpSecret)
}

func demo(username string) provider.DemoAccount {
	for _, d := range provider.Demo() {
		if d.Username == username {
			return d
		}
	}
	panic("no demo account " + username)
}

// loginDemo signs a demo account in on the portal.
func (b *browserClient) loginDemo(username string) page {
	b.t.Helper()
	d := demo(username)
	p := b.login(b.e.portal+"/account/login?r=/", d.Username, provider.DemoPassword, d.TOTPSecret)
	if userOn(p) != d.Name {
		b.t.Fatalf("after login as %s: landed on %d %s showing user %q", username, p.Status, p.URL, userOn(p))
	}
	return p
}

// csrf reads the token of the forms on a page of host.
func (b *browserClient) csrf(pageURL string) string {
	b.t.Helper()
	tok := field(csrfRe, b.get(pageURL).Body)
	if tok == "" {
		b.t.Fatalf("no csrf token on %s", pageURL)
	}
	return tok
}

// cookie returns the browser's cookie name on u's host.
func (b *browserClient) cookie(u, name string) *http.Cookie {
	pu, _ := url.Parse(u)
	for _, c := range b.jar.Cookies(pu) {
		if c.Name == name {
			return c
		}
	}
	return nil
}
