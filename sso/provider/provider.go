// Package provider is the built-in OpenID Provider of the default run: a
// small but real one, over HTTP, with discovery, JWKS, RS256-signed ID
// tokens, the authorization-code flow with PKCE (S256, required), userinfo,
// RP-initiated logout (end_session_endpoint) and back-channel logout to
// its clients. It keeps its state in memory and its accounts in its
// configuration: it exists so that `go run . serve` has somebody to log in
// with. It is never the production path: production points the platform
// at the province's identity platform or any other OpenID Provider.
package provider

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/pquerna/otp/totp"
	"yiwang/sso"
)

// Account is a person the provider knows.
type Account struct {
	Username, Password string
	Subject            string
	Name, Email        string
	// TOTPSecret, when set, makes the login ask for a code after the
	// password and assert amr ["pwd","otp"].
	TOTPSecret string
	Groups     []string
}

// Client is a relying party registered at the provider.
type Client struct {
	ID, Secret             string
	RedirectURIs           []string
	PostLogoutRedirectURIs []string
	BackchannelLogoutURI   string
}

// Config configures the provider.
type Config struct {
	// Issuer is the provider's URL, e.g. http://localhost:8080/idp; the
	// handler answers the paths under it.
	Issuer   string
	Accounts []Account
	Clients  []Client
	Key      *rsa.PrivateKey
	// Demo shows the demo accounts on the login page and the current code
	// on the second-factor page.
	Demo bool
	Log  *slog.Logger
	Now  func() time.Time
	// HTTPClient posts back-channel logout tokens (default: 5 s timeout).
	HTTPClient *http.Client
	// Limiter counts sign-in attempts (default: in this process only); the
	// host passes one kept in its database, so that the limit holds across
	// restarts and host processes.
	Limiter sso.RateLimiter
}

// Provider is the built-in OpenID Provider.
type Provider struct {
	cfg    Config
	issuer *url.URL
	prefix string // the issuer's path
	signer jose.Signer
	logout jose.Signer
	jwks   []byte
	kid    string
	limit  sso.RateLimiter
	log    *slog.Logger
	client *http.Client

	mu       sync.Mutex
	pending  map[string]*authz     // authorization requests waiting for a login
	codes    map[string]*grant     // authorization codes
	tokens   map[string]*grant     // access tokens
	sessions map[string]*opSession // by cookie value
}

// authz is an authorization request in flight.
type authz struct {
	client                    *Client
	redirectURI, state, nonce string
	challenge, scope          string
	binding                   string // CSRF: equals the browser's cookie
	username                  string // set after the password step
	created                   time.Time
}

// grant is what an authorization code or access token stands for.
type grant struct {
	client      *Client
	redirectURI string
	challenge   string
	nonce       string
	scope       string
	account     *Account
	authTime    time.Time
	amr         []string
	sid         string
	expires     time.Time
}

// opSession is a login at the provider.
type opSession struct {
	sid      string
	account  *Account
	authTime time.Time
	amr      []string
	expires  time.Time
	clients  map[string]bool // clients that received tokens in this session
}

const (
	sessionCookie = "yw_idp"
	bindCookie    = "yw_idp_bind"
	sessionTTL    = 8 * time.Hour
	codeTTL       = time.Minute
	tokenTTL      = 10 * time.Minute
	pendingTTL    = 15 * time.Minute
)

// New builds the provider.
func New(cfg Config) (*Provider, error) {
	u, err := url.Parse(strings.TrimSuffix(cfg.Issuer, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("provider: issuer %q must be an http(s) URL", cfg.Issuer)
	}
	if cfg.Key == nil {
		return nil, errors.New("provider: a signing key is required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 5 * time.Second}
	}
	cfg.Issuer = u.String()
	der, err := x509.MarshalPKIXPublicKey(&cfg.Key.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("provider: %w", err)
	}
	sum := sha256.Sum256(der)
	kid := base64.RawURLEncoding.EncodeToString(sum[:12])
	jwk := jose.JSONWebKey{Key: cfg.Key, KeyID: kid, Algorithm: string(jose.RS256), Use: "sig"}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jwk}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return nil, fmt.Errorf("provider: signer: %w", err)
	}
	logout, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jwk}, (&jose.SignerOptions{}).WithType("logout+jwt"))
	if err != nil {
		return nil, fmt.Errorf("provider: signer: %w", err)
	}
	jwks, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &cfg.Key.PublicKey, KeyID: kid, Algorithm: string(jose.RS256), Use: "sig"}}})
	if err != nil {
		return nil, fmt.Errorf("provider: jwks: %w", err)
	}
	seen := map[string]bool{}
	for _, a := range cfg.Accounts {
		if a.Username == "" || a.Subject == "" || seen[a.Username] {
			return nil, fmt.Errorf("provider: account %q needs a unique username and a subject", a.Username)
		}
		seen[a.Username] = true
	}
	limit := cfg.Limiter
	if limit == nil {
		limit = sso.NewLimiter(10, time.Minute)
	}
	return &Provider{cfg: cfg, issuer: u, prefix: u.Path, signer: signer, logout: logout, jwks: jwks, kid: kid,
		limit: limit, log: cfg.Log, client: cfg.HTTPClient,
		pending: map[string]*authz{}, codes: map[string]*grant{}, tokens: map[string]*grant{}, sessions: map[string]*opSession{}}, nil
}

// Issuer is the provider's issuer URL.
func (p *Provider) Issuer() string { return p.cfg.Issuer }

// Prefix is the path the provider answers under ("/idp").
func (p *Provider) Prefix() string { return p.prefix }

// ServeHTTP answers the provider's endpoints under the issuer's path, on
// the issuer's host only.
func (p *Provider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.EqualFold(r.Host, p.issuer.Host) || !strings.HasPrefix(r.URL.Path, p.prefix+"/") {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	// The login form posts here and the answer redirects to the client's
	// redirect URI and, from there, to whichever tenant host the person
	// came from. Chromium applies form-action to every redirect after a
	// form post, so this page cannot restrict it to 'self' as the
	// platform's pages do; the scheme sources keep it to http(s).
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self' http: https:")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	h.Set("Referrer-Policy", "no-referrer")
	switch path := strings.TrimPrefix(r.URL.Path, p.prefix); {
	case path == "/.well-known/openid-configuration" && r.Method == http.MethodGet:
		p.discovery(w)
	case path == "/jwks" && r.Method == http.MethodGet:
		h.Set("Cache-Control", "public, max-age=300")
		h.Set("Content-Type", "application/json")
		_, _ = w.Write(p.jwks)
	case path == "/authorize" && r.Method == http.MethodGet:
		p.authorize(w, r)
	case path == "/login" && r.Method == http.MethodPost:
		p.login(w, r)
	case path == "/otp" && r.Method == http.MethodPost:
		p.otp(w, r)
	case path == "/token" && r.Method == http.MethodPost:
		p.token(w, r)
	case path == "/userinfo" && (r.Method == http.MethodGet || r.Method == http.MethodPost):
		p.userinfo(w, r)
	case path == "/end_session" && (r.Method == http.MethodGet || r.Method == http.MethodPost):
		p.endSession(w, r)
	case path == "/style.css" && r.Method == http.MethodGet:
		h.Set("Content-Type", "text/css; charset=utf-8")
		h.Set("Cache-Control", "public, max-age=3600")
		_, _ = w.Write([]byte(styleCSS))
	default:
		http.NotFound(w, r)
	}
}

func (p *Provider) discovery(w http.ResponseWriter) {
	iss := p.cfg.Issuer
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                iss,
		"authorization_endpoint":                iss + "/authorize",
		"token_endpoint":                        iss + "/token",
		"userinfo_endpoint":                     iss + "/userinfo",
		"jwks_uri":                              iss + "/jwks",
		"end_session_endpoint":                  iss + "/end_session",
		"response_types_supported":              []string{"code"},
		"response_modes_supported":              []string{"query"},
		"grant_types_supported":                 []string{"authorization_code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"scopes_supported":                      []string{"openid", "profile", "email", "groups"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"code_challenge_methods_supported":      []string{"S256"},
		"claims_supported":                      []string{"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "amr", "acr", "sid", "name", "preferred_username", "email", "groups"},
		"backchannel_logout_supported":          true,
		"backchannel_logout_session_supported":  true,
		"prompt_values_supported":               []string{"none", "login"},
	})
}

func (p *Provider) clientByID(id string) *Client {
	for i := range p.cfg.Clients {
		if p.cfg.Clients[i].ID == id {
			return &p.cfg.Clients[i]
		}
	}
	return nil
}

func (p *Provider) accountByName(name string) *Account {
	for i := range p.cfg.Accounts {
		if p.cfg.Accounts[i].Username == name {
			return &p.cfg.Accounts[i]
		}
	}
	return nil
}

// authorize validates the request; with a provider session (and no
// prompt=login) it answers at once with a code, otherwise it shows the
// login page.
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	c := p.clientByID(q.Get("client_id"))
	redirect := q.Get("redirect_uri")
	if c == nil || !slices.Contains(c.RedirectURIs, redirect) {
		// Never redirect to an unregistered URI.
		p.page(w, http.StatusBadRequest, pageData{Title: "登录请求无效", Error: "应用未登记或回调地址不符，无法登录。"})
		return
	}
	fail := func(code, desc string) {
		u, _ := url.Parse(redirect)
		v := u.Query()
		v.Set("error", code)
		v.Set("error_description", desc)
		if s := q.Get("state"); s != "" {
			v.Set("state", s)
		}
		v.Set("iss", p.cfg.Issuer)
		u.RawQuery = v.Encode()
		http.Redirect(w, r, u.String(), http.StatusFound)
	}
	switch {
	case q.Get("response_type") != "code":
		fail("unsupported_response_type", "only response_type=code is supported")
		return
	case !slices.Contains(strings.Fields(q.Get("scope")), "openid"):
		fail("invalid_scope", "scope must include openid")
		return
	case q.Get("code_challenge") == "" || q.Get("code_challenge_method") != "S256":
		fail("invalid_request", "PKCE with code_challenge_method=S256 is required")
		return
	}
	a := &authz{client: c, redirectURI: redirect, state: q.Get("state"), nonce: q.Get("nonce"), challenge: q.Get("code_challenge"),
		scope: q.Get("scope"), created: p.cfg.Now()}
	prompt := strings.Fields(q.Get("prompt"))
	if s := p.session(r); s != nil && !slices.Contains(prompt, "login") {
		p.issueCode(w, r, a, s)
		return
	}
	if slices.Contains(prompt, "none") {
		fail("login_required", "no session at the provider")
		return
	}
	id := random(18)
	a.binding = random(18)
	p.mu.Lock()
	p.sweep()
	p.pending[id] = a
	p.mu.Unlock()
	p.setCookie(w, bindCookie, a.binding, 0)
	p.page(w, http.StatusOK, pageData{Title: "统一身份认证登录", Step: "password", Request: id, Binding: a.binding})
}

// pendingFor returns the request a form names, checking the browser's
// binding cookie against the form (CSRF).
func (p *Provider) pendingFor(r *http.Request) (string, *authz) {
	id := r.PostFormValue("req")
	c, err := r.Cookie(bindCookie)
	p.mu.Lock()
	a := p.pending[id]
	p.mu.Unlock()
	if a == nil || err != nil || subtle.ConstantTimeCompare([]byte(c.Value), []byte(a.binding)) != 1 ||
		subtle.ConstantTimeCompare([]byte(r.PostFormValue("bind")), []byte(a.binding)) != 1 ||
		p.cfg.Now().Sub(a.created) > pendingTTL {
		return "", nil
	}
	return id, a
}

// allow spends an attempt of the visitor's address and of key (an account
// name) as tried from that address. The account's own budget is per
// address: someone guessing a colleague's password from one address must
// not lock the colleague out everywhere else.
func (p *Provider) allow(w http.ResponseWriter, r *http.Request, key string) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	for _, k := range []string{"ip:" + host, key + "|ip:" + host} {
		if ok, wait := p.limit.Allow(k); !ok {
			w.Header().Set("Retry-After", fmt.Sprint(int(wait.Seconds())+1))
			p.page(w, http.StatusTooManyRequests, pageData{Title: "尝试次数过多", Error: "尝试次数过多，请稍后再试。"})
			return false
		}
	}
	return true
}

func (p *Provider) login(w http.ResponseWriter, r *http.Request) {
	id, a := p.pendingFor(r)
	if a == nil {
		p.page(w, http.StatusBadRequest, pageData{Title: "登录请求已失效", Error: "登录请求已失效，请返回网站重新点击“登录”。"})
		return
	}
	user := strings.TrimSpace(r.PostFormValue("username"))
	if !p.allow(w, r, "user:"+user) {
		return
	}
	acc := p.accountByName(user)
	if acc == nil || subtle.ConstantTimeCompare([]byte(acc.Password), []byte(r.PostFormValue("password"))) != 1 {
		p.log.Info("provider: login failed", "username", user)
		p.page(w, http.StatusUnauthorized, pageData{Title: "统一身份认证登录", Step: "password", Request: id, Binding: a.binding,
			Username: user, Error: "用户名或密码不正确。"})
		return
	}
	if acc.TOTPSecret != "" {
		p.mu.Lock()
		a.username = acc.Username
		p.mu.Unlock()
		p.page(w, http.StatusOK, p.otpPage(id, a, acc, ""))
		return
	}
	p.finish(w, r, a, acc, []string{"pwd"})
}

func (p *Provider) otpPage(id string, a *authz, acc *Account, msg string) pageData {
	d := pageData{Title: "动态验证码", Step: "otp", Request: id, Binding: a.binding, Username: acc.Username, Error: msg}
	if p.cfg.Demo {
		d.DemoCode, _ = totp.GenerateCode(acc.TOTPSecret, p.cfg.Now())
	}
	return d
}

func (p *Provider) otp(w http.ResponseWriter, r *http.Request) {
	id, a := p.pendingFor(r)
	if a == nil || a.username == "" {
		p.page(w, http.StatusBadRequest, pageData{Title: "登录请求已失效", Error: "登录请求已失效，请返回网站重新点击“登录”。"})
		return
	}
	acc := p.accountByName(a.username)
	if !p.allow(w, r, "otp:"+a.username) {
		return
	}
	if _, ok := sso.MatchTOTP(acc.TOTPSecret, r.PostFormValue("code"), p.cfg.Now()); !ok {
		p.page(w, http.StatusUnauthorized, p.otpPage(id, a, acc, "动态验证码不正确，请重新输入。"))
		return
	}
	p.finish(w, r, a, acc, []string{"pwd", "otp"})
}

// finish opens a provider session and answers the request with a code.
func (p *Provider) finish(w http.ResponseWriter, r *http.Request, a *authz, acc *Account, amr []string) {
	s := &opSession{sid: random(18), account: acc, authTime: p.cfg.Now(), amr: amr, expires: p.cfg.Now().Add(sessionTTL), clients: map[string]bool{}}
	cookie := random(24)
	p.mu.Lock()
	for id, x := range p.pending {
		if x == a {
			delete(p.pending, id)
		}
	}
	p.sessions[cookie] = s
	p.mu.Unlock()
	p.setCookie(w, sessionCookie, cookie, 0)
	p.setCookie(w, bindCookie, "", -1)
	p.log.Info("provider: login", "username", acc.Username, "amr", strings.Join(amr, ","))
	p.issueCode(w, r, a, s)
}

func (p *Provider) issueCode(w http.ResponseWriter, r *http.Request, a *authz, s *opSession) {
	code := random(24)
	p.mu.Lock()
	p.codes[code] = &grant{client: a.client, redirectURI: a.redirectURI, challenge: a.challenge, nonce: a.nonce, scope: a.scope,
		account: s.account, authTime: s.authTime, amr: s.amr, sid: s.sid, expires: p.cfg.Now().Add(codeTTL)}
	s.clients[a.client.ID] = true
	p.mu.Unlock()
	u, _ := url.Parse(a.redirectURI)
	v := u.Query()
	v.Set("code", code)
	if a.state != "" {
		v.Set("state", a.state)
	}
	v.Set("iss", p.cfg.Issuer)
	u.RawQuery = v.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// session returns the provider session of the browser.
func (p *Provider) session(r *http.Request) *opSession {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.sessions[c.Value]
	if s == nil || p.cfg.Now().After(s.expires) {
		return nil
	}
	return s
}

// token exchanges a code for tokens: client authenticated, code single
// use and unexpired, redirect URI the same, PKCE verifier matching.
func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		tokenError(w, http.StatusBadRequest, "invalid_request", "malformed form")
		return
	}
	id, secret, basic := r.BasicAuth()
	if basic {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	c := p.clientByID(id)
	if c == nil || subtle.ConstantTimeCompare([]byte(c.Secret), []byte(secret)) != 1 {
		w.Header().Set("WWW-Authenticate", `Basic realm="token"`)
		tokenError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed")
		return
	}
	if r.PostForm.Get("grant_type") != "authorization_code" {
		tokenError(w, http.StatusBadRequest, "unsupported_grant_type", "only authorization_code is supported")
		return
	}
	code := r.PostForm.Get("code")
	p.mu.Lock()
	g := p.codes[code]
	delete(p.codes, code) // single use, whatever happens next
	p.mu.Unlock()
	switch {
	case g == nil || p.cfg.Now().After(g.expires):
		tokenError(w, http.StatusBadRequest, "invalid_grant", "unknown, used or expired code")
		return
	case g.client.ID != c.ID:
		tokenError(w, http.StatusBadRequest, "invalid_grant", "code was issued to another client")
		return
	case r.PostForm.Get("redirect_uri") != g.redirectURI:
		tokenError(w, http.StatusBadRequest, "invalid_grant", "redirect_uri differs from the authorization request")
		return
	}
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	if subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(g.challenge)) != 1 {
		tokenError(w, http.StatusBadRequest, "invalid_grant", "PKCE verification failed")
		return
	}
	access := random(32)
	now := p.cfg.Now()
	at := *g
	at.expires = now.Add(tokenTTL)
	p.mu.Lock()
	p.tokens[access] = &at
	p.mu.Unlock()
	claims := p.profile(g.account, g.scope)
	ah := sha256.Sum256([]byte(access))
	for k, v := range map[string]any{
		"iss": p.cfg.Issuer, "sub": g.account.Subject, "aud": c.ID, "iat": now.Unix(), "exp": now.Add(tokenTTL).Unix(),
		"auth_time": g.authTime.Unix(), "amr": g.amr, "sid": g.sid, "at_hash": base64.RawURLEncoding.EncodeToString(ah[:16]),
	} {
		claims[k] = v
	}
	if g.nonce != "" {
		claims["nonce"] = g.nonce
	}
	if slices.Contains(g.amr, "otp") {
		claims["acr"] = "urn:yiwang:mfa"
	}
	idt, err := p.sign(p.signer, claims)
	if err != nil {
		tokenError(w, http.StatusInternalServerError, "server_error", "signing failed")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"access_token": access, "token_type": "Bearer", "expires_in": int(tokenTTL.Seconds()),
		"id_token": idt, "scope": g.scope})
}

// profile is the claims the scopes release.
func (p *Provider) profile(a *Account, scope string) map[string]any {
	c := map[string]any{"sub": a.Subject}
	sc := strings.Fields(scope)
	if slices.Contains(sc, "profile") {
		c["name"], c["preferred_username"] = a.Name, a.Username
	}
	if slices.Contains(sc, "email") && a.Email != "" {
		c["email"], c["email_verified"] = a.Email, true
	}
	if slices.Contains(sc, "groups") {
		c["groups"] = append([]string{}, a.Groups...)
	}
	return c
}

func (p *Provider) userinfo(w http.ResponseWriter, r *http.Request) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	p.mu.Lock()
	g := p.tokens[strings.TrimSpace(tok)]
	p.mu.Unlock()
	if !ok || g == nil || p.cfg.Now().After(g.expires) {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_token"})
		return
	}
	writeJSON(w, http.StatusOK, p.profile(g.account, g.scope))
}

// endSession is RP-initiated logout: the provider session ends, the
// clients that took part hear of it by back-channel, and the browser
// goes to a registered post-logout URI (with state) or sees a notice.
func (p *Provider) endSession(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	hint := r.Form.Get("id_token_hint")
	clientID := r.Form.Get("client_id")
	var hinted struct {
		Aud any    `json:"aud"`
		Sid string `json:"sid"`
	}
	if hint != "" {
		obj, err := jose.ParseSignedCompact(hint, []jose.SignatureAlgorithm{jose.RS256})
		var payload []byte
		if err == nil {
			payload, err = obj.Verify(&p.cfg.Key.PublicKey)
		}
		if err != nil || json.Unmarshal(payload, &hinted) != nil {
			p.page(w, http.StatusBadRequest, pageData{Title: "退出请求无效", Error: "退出请求无效。"})
			return
		}
		if aud, ok := hinted.Aud.(string); ok && clientID == "" {
			clientID = aud
		}
	}
	redirect := r.Form.Get("post_logout_redirect_uri")
	if redirect != "" {
		c := p.clientByID(clientID)
		if c == nil || !slices.Contains(c.PostLogoutRedirectURIs, redirect) {
			p.page(w, http.StatusBadRequest, pageData{Title: "退出请求无效", Error: "退出后返回的地址未登记。"})
			return
		}
	}
	var ended []*opSession
	p.mu.Lock()
	cookie, _ := r.Cookie(sessionCookie)
	for k, s := range p.sessions {
		if (cookie != nil && k == cookie.Value) || (hinted.Sid != "" && s.sid == hinted.Sid) {
			ended = append(ended, s)
			delete(p.sessions, k)
		}
	}
	p.mu.Unlock()
	p.setCookie(w, sessionCookie, "", -1)
	for _, s := range ended {
		p.notify(r.Context(), s)
	}
	if redirect != "" {
		u, _ := url.Parse(redirect)
		v := u.Query()
		if st := r.Form.Get("state"); st != "" {
			v.Set("state", st)
		}
		u.RawQuery = v.Encode()
		http.Redirect(w, r, u.String(), http.StatusFound)
		return
	}
	p.page(w, http.StatusOK, pageData{Title: "已退出", Message: "您已退出统一身份认证。"})
}

// LogoutEverywhere ends every provider session of a subject and tells
// the clients by back-channel, as an operator of a real provider would
// when an account is disabled. It returns how many sessions it ended.
func (p *Provider) LogoutEverywhere(ctx context.Context, subject string) int {
	var ended []*opSession
	p.mu.Lock()
	for k, s := range p.sessions {
		if s.account.Subject == subject {
			ended = append(ended, s)
			delete(p.sessions, k)
		}
	}
	p.mu.Unlock()
	for _, s := range ended {
		p.notify(ctx, s)
	}
	return len(ended)
}

// notify posts a logout token for the session to each client that took
// part and registered a back-channel logout URI.
func (p *Provider) notify(ctx context.Context, s *opSession) {
	for i := range p.cfg.Clients {
		c := &p.cfg.Clients[i]
		if c.BackchannelLogoutURI == "" || !s.clients[c.ID] {
			continue
		}
		tok, err := p.LogoutToken(c.ID, s.account.Subject, s.sid)
		if err != nil {
			p.log.Error("provider: logout token", "err", err)
			continue
		}
		if err := p.post(ctx, c.BackchannelLogoutURI, tok); err != nil {
			p.log.Warn("provider: back-channel logout failed", "client", c.ID, "err", err)
		}
	}
}

func (p *Provider) post(ctx context.Context, uri, token string) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, uri, strings.NewReader(url.Values{"logout_token": {token}}.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := p.client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("%s answered %s", uri, resp.Status)
	}
	return nil
}

// LogoutToken signs a back-channel logout token for a client.
func (p *Provider) LogoutToken(clientID, subject, sid string) (string, error) {
	now := p.cfg.Now()
	c := map[string]any{
		"iss": p.cfg.Issuer, "aud": clientID, "iat": now.Unix(), "exp": now.Add(2 * time.Minute).Unix(), "jti": random(16),
		"events": map[string]any{"http://schemas.openid.net/event/backchannel-logout": map[string]any{}},
	}
	if subject != "" {
		c["sub"] = subject
	}
	if sid != "" {
		c["sid"] = sid
	}
	return p.sign(p.logout, c)
}

func (p *Provider) sign(s jose.Signer, claims map[string]any) (string, error) {
	b, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	obj, err := s.Sign(b)
	if err != nil {
		return "", err
	}
	return obj.CompactSerialize()
}

// sweep forgets expired requests, codes, tokens and sessions; p.mu held.
func (p *Provider) sweep() {
	now := p.cfg.Now()
	for k, a := range p.pending {
		if now.Sub(a.created) > pendingTTL {
			delete(p.pending, k)
		}
	}
	for k, g := range p.codes {
		if now.After(g.expires) {
			delete(p.codes, k)
		}
	}
	for k, g := range p.tokens {
		if now.After(g.expires) {
			delete(p.tokens, k)
		}
	}
	for k, s := range p.sessions {
		if now.After(s.expires) {
			delete(p.sessions, k)
		}
	}
}

func (p *Provider) setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: p.prefix + "/", MaxAge: maxAge, HttpOnly: true,
		Secure: p.issuer.Scheme == "https", SameSite: http.SameSiteLaxMode})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func tokenError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

func random(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
