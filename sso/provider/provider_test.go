package provider_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/pquerna/otp/totp"
	"golang.org/x/oauth2"
	"yiwang/sso/provider"
)

var (
	keyOnce sync.Once
	key     *rsa.PrivateKey
)

type op struct {
	p        *provider.Provider
	srv      *httptest.Server
	issuer   string
	redirect string
	mu       sync.Mutex
	logouts  []string // logout tokens the client received
}

func newOP(t *testing.T) *op {
	t.Helper()
	keyOnce.Do(func() { key, _ = rsa.GenerateKey(rand.Reader, 2048) })
	o := &op{}
	mux := http.NewServeMux()
	mux.HandleFunc("/idp/", func(w http.ResponseWriter, r *http.Request) {
		if a := r.Header.Get("X-Test-Remote"); a != "" {
			r.RemoteAddr = a // stands for a visitor at another address
		}
		o.p.ServeHTTP(w, r)
	})
	mux.HandleFunc("POST /rp/backchannel", func(w http.ResponseWriter, r *http.Request) {
		o.mu.Lock()
		o.logouts = append(o.logouts, r.PostFormValue("logout_token"))
		o.mu.Unlock()
	})
	o.srv = httptest.NewServer(mux)
	t.Cleanup(o.srv.Close)
	o.issuer, o.redirect = o.srv.URL+"/idp", o.srv.URL+"/rp/callback"
	var err error
	o.p, err = provider.New(provider.Config{Issuer: o.issuer, Key: key, Accounts: provider.DemoAccounts(),
		Clients: []provider.Client{{ID: "rp", Secret: "s3cret", RedirectURIs: []string{o.redirect},
			PostLogoutRedirectURIs: []string{o.srv.URL + "/rp/bye"}, BackchannelLogoutURI: o.srv.URL + "/rp/backchannel"}}})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func (o *op) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func (o *op) oauth(t *testing.T) (*oidc.Provider, *oauth2.Config) {
	t.Helper()
	p, err := oidc.NewProvider(context.Background(), o.issuer)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	return p, &oauth2.Config{ClientID: "rp", ClientSecret: "s3cret", Endpoint: p.Endpoint(), RedirectURL: o.redirect,
		Scopes: []string{oidc.ScopeOpenID, "profile", "email"}}
}

type answer struct {
	status   int
	location *url.URL
	body     string
}

func do(t *testing.T, c *http.Client, method, u string, form url.Values) answer {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, u, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	loc, _ := resp.Location()
	return answer{resp.StatusCode, loc, string(b)}
}

var (
	reqRe  = regexp.MustCompile(`name="req" value="([^"]*)"`)
	bindRe = regexp.MustCompile(`name="bind" value="([^"]*)"`)
)

func match(re *regexp.Regexp, s string) string {
	if m := re.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	return ""
}

// login runs the authorization request to its code.
func (o *op) login(t *testing.T, c *http.Client, conf *oauth2.Config, verifier, nonce, user, otpSecret string) *url.URL {
	t.Helper()
	a := do(t, c, "GET", conf.AuthCodeURL("st-1", oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), nil)
	if a.status == http.StatusFound {
		return a.location // a session at the provider already
	}
	if a.status != 200 || !strings.Contains(a.body, "统一身份认证") {
		t.Fatalf("login page: %d", a.status)
	}
	a = do(t, c, "POST", o.issuer+"/login", url.Values{"req": {match(reqRe, a.body)}, "bind": {match(bindRe, a.body)},
		"username": {user}, "password": {provider.DemoPassword}})
	if otpSecret != "" {
		if a.status != 200 || !strings.Contains(a.body, `name="code"`) {
			t.Fatalf("second-factor page: %d", a.status)
		}
		bad := do(t, c, "POST", o.issuer+"/otp", url.Values{"req": {match(reqRe, a.body)}, "bind": {match(bindRe, a.body)}, "code": {"000000"}})
		if bad.status != http.StatusUnauthorized {
			t.Errorf("wrong TOTP code: %d", bad.status)
		}
		code, _ := totp.GenerateCode(otpSecret, time.Now())
		a = do(t, c, "POST", o.issuer+"/otp", url.Values{"req": {match(reqRe, a.body)}, "bind": {match(bindRe, a.body)}, "code": {code}})
	}
	if a.status != http.StatusFound || a.location == nil {
		t.Fatalf("login answered %d", a.status)
	}
	return a.location
}

func TestDiscoveryAndCodeFlow(t *testing.T) {
	o := newOP(t)
	p, conf := o.oauth(t)
	var meta struct {
		EndSession string   `json:"end_session_endpoint"`
		PKCE       []string `json:"code_challenge_methods_supported"`
		BC         bool     `json:"backchannel_logout_supported"`
	}
	if err := p.Claims(&meta); err != nil || meta.EndSession != o.issuer+"/end_session" || !slices.Equal(meta.PKCE, []string{"S256"}) || !meta.BC {
		t.Fatalf("discovery: %+v %v", meta, err)
	}
	c := o.client()
	verifier := oauth2.GenerateVerifier()
	cb := o.login(t, c, conf, verifier, "n-123", "editor", "YIWANGDEMOEDITOR")
	if cb.Query().Get("state") != "st-1" || cb.Query().Get("iss") != o.issuer || !strings.HasPrefix(cb.String(), o.redirect) {
		t.Fatalf("callback: %s", cb)
	}
	code := cb.Query().Get("code")
	// The wrong verifier spends the code.
	if _, err := conf.Exchange(context.Background(), code, oauth2.VerifierOption(oauth2.GenerateVerifier())); err == nil {
		t.Fatal("exchange with the wrong PKCE verifier succeeded")
	}
	if _, err := conf.Exchange(context.Background(), code, oauth2.VerifierOption(verifier)); err == nil {
		t.Fatal("a code worked after a failed exchange")
	}
	cb = o.login(t, c, conf, verifier, "n-456", "editor", "") // provider session: no password now
	tok, err := conf.Exchange(context.Background(), cb.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conf.Exchange(context.Background(), cb.Query().Get("code"), oauth2.VerifierOption(verifier)); err == nil {
		t.Error("a code worked twice")
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := p.Verifier(&oidc.Config{ClientID: "rp"}).Verify(context.Background(), raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
		t.Errorf("at_hash: %v", err)
	}
	var claims struct {
		Name string   `json:"name"`
		AMR  []string `json:"amr"`
		SID  string   `json:"sid"`
	}
	_ = idt.Claims(&claims)
	if idt.Subject != "demo-editor" || idt.Nonce != "n-456" || claims.Name != "李文编" || !slices.Equal(claims.AMR, []string{"pwd", "otp"}) || claims.SID == "" {
		t.Errorf("id token: sub %s nonce %s claims %+v", idt.Subject, idt.Nonce, claims)
	}
	ui, err := p.UserInfo(context.Background(), oauth2.StaticTokenSource(tok))
	if err != nil || ui.Subject != "demo-editor" || ui.Email != "editor@example.cn" {
		t.Errorf("userinfo: %+v %v", ui, err)
	}
	// A citizen without TOTP gets amr ["pwd"] only.
	c2 := o.client()
	cb = o.login(t, c2, conf, verifier, "n", "citizen", "")
	tok, err = conf.Exchange(context.Background(), cb.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	idt, _ = p.Verifier(&oidc.Config{ClientID: "rp"}).Verify(context.Background(), tok.Extra("id_token").(string))
	_ = idt.Claims(&claims)
	if !slices.Equal(claims.AMR, []string{"pwd"}) {
		t.Errorf("citizen amr: %v", claims.AMR)
	}
}

func TestAuthorizationRequestsRefused(t *testing.T) {
	o := newOP(t)
	good := url.Values{"client_id": {"rp"}, "redirect_uri": {o.redirect}, "response_type": {"code"}, "scope": {"openid"},
		"state": {"s"}, "code_challenge": {"abc"}, "code_challenge_method": {"S256"}}
	for _, tc := range []struct {
		name      string
		change    func(url.Values)
		status    int
		errorCode string // in the redirect, when the redirect URI is trusted
	}{
		{"unknown client", func(v url.Values) { v.Set("client_id", "evil") }, 400, ""},
		{"unregistered redirect", func(v url.Values) { v.Set("redirect_uri", "https://evil.example/cb") }, 400, ""},
		{"no PKCE", func(v url.Values) { v.Del("code_challenge") }, 302, "invalid_request"},
		{"plain PKCE", func(v url.Values) { v.Set("code_challenge_method", "plain") }, 302, "invalid_request"},
		{"implicit flow", func(v url.Values) { v.Set("response_type", "token") }, 302, "unsupported_response_type"},
		{"not OpenID", func(v url.Values) { v.Set("scope", "profile") }, 302, "invalid_scope"},
		{"prompt=none without session", func(v url.Values) { v.Set("prompt", "none") }, 302, "login_required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := url.Values{}
			for k, x := range good {
				v[k] = slices.Clone(x)
			}
			tc.change(v)
			a := do(t, o.client(), "GET", o.issuer+"/authorize?"+v.Encode(), nil)
			if a.status != tc.status {
				t.Fatalf("status %d, want %d", a.status, tc.status)
			}
			if tc.errorCode != "" && (a.location.Query().Get("error") != tc.errorCode || a.location.Query().Get("state") != "s" ||
				!strings.HasPrefix(a.location.String(), o.redirect)) {
				t.Errorf("redirect %s", a.location)
			}
		})
	}
	// The login form needs the browser that asked for it (CSRF).
	c := o.client()
	a := do(t, c, "GET", o.issuer+"/authorize?"+good.Encode(), nil)
	f := url.Values{"req": {match(reqRe, a.body)}, "bind": {match(bindRe, a.body)}, "username": {"citizen"}, "password": {provider.DemoPassword}}
	if a := do(t, o.client(), "POST", o.issuer+"/login", f); a.status != 400 {
		t.Errorf("login form from another browser: %d", a.status)
	}
	f.Set("password", "wrong")
	if a := do(t, c, "POST", o.issuer+"/login", f); a.status != 401 || !strings.Contains(a.body, "用户名或密码不正确") {
		t.Errorf("wrong password: %d", a.status)
	}
}

func TestTokenEndpointRefusals(t *testing.T) {
	o := newOP(t)
	_, conf := o.oauth(t)
	c := o.client()
	verifier := oauth2.GenerateVerifier()
	code := o.login(t, c, conf, verifier, "n", "citizen", "").Query().Get("code")
	post := func(form url.Values, user, pass string) int {
		req, _ := http.NewRequest("POST", o.issuer+"/token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	base := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {o.redirect}, "code_verifier": {verifier}}
	if s := post(base, "rp", "wrong"); s != 401 {
		t.Errorf("wrong client secret: %d", s)
	}
	other := url.Values{}
	for k, v := range base {
		other[k] = v
	}
	other.Set("redirect_uri", o.srv.URL+"/elsewhere")
	if s := post(other, "rp", "s3cret"); s != 400 {
		t.Errorf("other redirect_uri: %d", s)
	}
	if s := post(base, "rp", "s3cret"); s != 400 {
		t.Errorf("code after a refused exchange: %d (codes are spent on first presentation)", s)
	}
}

func TestEndSessionAndBackchannel(t *testing.T) {
	o := newOP(t)
	p, conf := o.oauth(t)
	c := o.client()
	verifier := oauth2.GenerateVerifier()
	cb := o.login(t, c, conf, verifier, "n", "citizen", "")
	tok, err := conf.Exchange(context.Background(), cb.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	hint := tok.Extra("id_token").(string)
	q := url.Values{"id_token_hint": {hint}, "post_logout_redirect_uri": {"https://evil.example/"}, "state": {"x"}}
	if a := do(t, c, "GET", o.issuer+"/end_session?"+q.Encode(), nil); a.status != 400 {
		t.Errorf("unregistered post-logout URI: %d", a.status)
	}
	q.Set("post_logout_redirect_uri", o.srv.URL+"/rp/bye")
	a := do(t, c, "GET", o.issuer+"/end_session?"+q.Encode(), nil)
	if a.status != 302 || a.location.Path != "/rp/bye" || a.location.Query().Get("state") != "x" {
		t.Fatalf("end session: %d %v", a.status, a.location)
	}
	// The session at the provider ended: the next request asks for a password.
	if a := do(t, c, "GET", conf.AuthCodeURL("s", oauth2.S256ChallengeOption(verifier)), nil); a.status != 200 {
		t.Errorf("authorize after logout: %d", a.status)
	}
	// The client heard of it by back-channel, with a token go-oidc accepts.
	o.mu.Lock()
	got := slices.Clone(o.logouts)
	o.mu.Unlock()
	if len(got) != 1 {
		t.Fatalf("back-channel logout tokens: %d", len(got))
	}
	lt, err := p.Verifier(&oidc.Config{ClientID: "rp"}).VerifyLogout(context.Background(), got[0])
	if err != nil || lt.Subject != "demo-citizen" || lt.SessionID == "" {
		t.Errorf("logout token: %+v %v", lt, err)
	}
}

func TestDemoModeShowsAccountsAndCodes(t *testing.T) {
	keyOnce.Do(func() { key, _ = rsa.GenerateKey(rand.Reader, 2048) })
	var p *provider.Provider
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { p.ServeHTTP(w, r) }))
	defer srv.Close()
	var err error
	p, err = provider.New(provider.Config{Issuer: srv.URL + "/idp", Key: key, Accounts: provider.DemoAccounts(), Demo: true,
		Clients: []provider.Client{{ID: "rp", Secret: "s", RedirectURIs: []string{srv.URL + "/cb"}}}})
	if err != nil {
		t.Fatal(err)
	}
	c := (&op{}).client()
	q := url.Values{"client_id": {"rp"}, "redirect_uri": {srv.URL + "/cb"}, "response_type": {"code"}, "scope": {"openid"},
		"code_challenge": {"x"}, "code_challenge_method": {"S256"}}
	a := do(t, c, "GET", srv.URL+"/idp/authorize?"+q.Encode(), nil)
	if a.status != 200 || !strings.Contains(a.body, "密码均为 "+provider.DemoPassword) || !strings.Contains(a.body, "<td>jyjadmin</td>") {
		t.Fatalf("demo login page: %d\n%s", a.status, a.body)
	}
	a = do(t, c, "POST", srv.URL+"/idp/login", url.Values{"req": {match(reqRe, a.body)}, "bind": {match(bindRe, a.body)},
		"username": {"admin"}, "password": {provider.DemoPassword}})
	code, _ := totp.GenerateCode("YIWANGDEMOADMINS", time.Now())
	if a.status != 200 || !strings.Contains(a.body, "当前验证码为 <strong>") {
		t.Fatalf("demo second-factor page: %d", a.status)
	}
	shown := regexp.MustCompile(`当前验证码为 <strong>(\d{6})</strong>`).FindStringSubmatch(a.body)
	if shown == nil || (shown[1] != code && time.Now().Unix()%30 > 1) {
		t.Errorf("shown code %v, current %s", shown, code)
	}
}

// fromAddr makes c's requests come from addr, as the provider sees them.
type fromAddr struct {
	addr string
	next http.RoundTripper
}

func (f fromAddr) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Test-Remote", f.addr)
	return f.next.RoundTrip(r)
}

// Bad passwords from one address lock that address out of the account,
// not the account's owner at another address.
func TestGuessingFromOneAddressDoesNotLockTheAccountElsewhere(t *testing.T) {
	o := newOP(t)
	_, conf := o.oauth(t)
	attempt := func(c *http.Client, password string) int {
		a := do(t, c, "GET", conf.AuthCodeURL("st", oidc.Nonce("n"), oauth2.S256ChallengeOption(oauth2.GenerateVerifier())), nil)
		a = do(t, c, "POST", o.issuer+"/login", url.Values{"req": {match(reqRe, a.body)}, "bind": {match(bindRe, a.body)},
			"username": {"citizen"}, "password": {password}})
		return a.status
	}
	guesser := o.client()
	guesser.Transport = fromAddr{"203.0.113.9:4000", http.DefaultTransport}
	refused := 0
	for range 15 {
		if attempt(guesser, "wrong") == http.StatusTooManyRequests {
			refused++
		}
	}
	if refused == 0 {
		t.Fatal("15 bad passwords from one address within a minute were never refused")
	}
	owner := o.client()
	owner.Transport = fromAddr{"198.51.100.7:5000", http.DefaultTransport}
	if got := attempt(owner, provider.DemoPassword); got != http.StatusFound {
		t.Fatalf("the account's owner at another address answered %d, want 302 (signed in)", got)
	}
}
