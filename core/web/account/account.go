package account

import (
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"yiwang/core/notices"
	"yiwang/core/web"
	"yiwang/sso"
	"yiwang/tenants"
)

// Sign-on on the web side. Every host keeps its own session cookie, which
// points at a central session in the database; the OIDC flow runs on the
// central account host only, and other hosts get their cookie from a
// one-time ticket the central host gives them (see ARCHITECTURE.md, SSO).

const (
	sessionCookie = "yw_session"   // this host's session (random; the database keeps its hash)
	probeCookie   = "yw_sso_probe" // this host asked the central host recently
	stateCookie   = "yw_oidc_"     // + part of the state's hash: binds a sign-in to the browser
)

// Options tune sign-on.
type Options struct {
	// ExemptPrefixes are paths outside the platform's CSRF and session
	// handling (the built-in provider's /idp/, which has its own).
	ExemptPrefixes []string
	// ProbeEvery is how long a host without a session waits before it
	// asks the central host again whether the browser signed in there
	// (default 5 minutes). Clicking 登录 asks at once.
	ProbeEvery time.Duration
	// PlatformName names the platform in authenticator apps.
	PlatformName string
}

// Accounts is sign-on installed on a server: the /account/ routes, the
// consoles under /admin/, the session and CSRF middleware and the user
// area of the layout.
type Accounts struct {
	srv   *web.Server
	sso   *sso.Service
	opts  Options
	inbox *notices.Store

	// Limits are counted in the database: they hold across restarts and
	// across every host process.
	limLogin, limTicket, limTOTP, limBack sso.RateLimiter
}

// New installs sign-on on s: the session and CSRF middleware and
// the user area of the layout. Its routes (the
// /account/ pages and the consoles) are added by core/web/host. Call
// before serving.
func New(s *web.Server, svc *sso.Service, opts Options) *Accounts {
	if opts.ProbeEvery == 0 {
		opts.ProbeEvery = 5 * time.Minute
	}
	if opts.PlatformName == "" {
		opts.PlatformName = "政府网站集约化平台"
	}
	a := &Accounts{srv: s, sso: svc, opts: opts, inbox: notices.NewStore(s.DB()),
		limLogin:  sso.NewSharedLimiter(s.DB(), "login", 60, time.Minute, s.Log()),
		limTicket: sso.NewSharedLimiter(s.DB(), "ticket", 60, time.Minute, s.Log()),
		limTOTP:   sso.NewSharedLimiter(s.DB(), "totp", 5, 5*time.Minute, s.Log()),
		limBack:   sso.NewSharedLimiter(s.DB(), "backchannel", 120, time.Minute, s.Log()),
	}
	s.Extend(web.Extensions{Viewer: a.viewer, CSRFToken: a.csrfToken, Wrap: []func(http.Handler) http.Handler{a.sessions, a.checkCSRF},
		Anonymous: a.anonymous})
	return a
}

// central reports whether r arrived at the central account host.
func (a *Accounts) central(r *http.Request) bool {
	return tenants.NormalizeHost(r.Host) == a.sso.AccountHost()
}

func (a *Accounts) exempt(p string) bool {
	if p == "/healthz" || strings.HasPrefix(p, "/static/") || strings.HasPrefix(p, "/theme/") {
		return true
	}
	for _, x := range a.opts.ExemptPrefixes {
		if strings.HasPrefix(p, x) {
			return true
		}
	}
	return false
}

// anonymous: no session cookie to look up and no sign-on probe to send,
// so sessions would pass the request on as nobody's.
func (a *Accounts) anonymous(r *http.Request) bool {
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		return false
	}
	return !a.shouldProbe(r)
}

// sessions finds the request's user from this host's cookie, and sends a
// browser that has none here to the central host once in a while, so that
// a person signed in on any site is signed in on this one without a click.
func (a *Accounts) sessions(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.exempt(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		a.widenFormAction(w, r)
		var u *sso.User
		if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
			u, err = a.sso.Lookup(r.Context(), r.Host, c.Value)
			switch {
			case err != nil:
				// The database did not answer (a node lost, a failover): the
				// person may well be signed in, so the cookie stays, or a
				// blip would sign them out of the site for good. An unsafe
				// request is refused as unavailable, to be sent again,
				// rather than let through as nobody's and refused as a
				// forgery (its token is the session's).
				a.srv.Log().Error("sso: session lookup", "host", r.Host, "err", err)
				if r.Method != http.MethodGet && r.Method != http.MethodHead {
					w.Header().Set("Retry-After", "5")
					http.Error(w, "服务暂时不可用，请稍后重新提交。", http.StatusServiceUnavailable)
					return
				}
			case u == nil:
				a.setCookie(w, r, sessionCookie, "", -1) // ended or unknown
			}
		}
		if u == nil && a.shouldProbe(r) {
			a.setCookie(w, r, probeCookie, "1", int(a.opts.ProbeEvery.Seconds()))
			q := url.Values{"r": {a.here(r)}}
			w.Header().Set("Cache-Control", "no-store")
			http.Redirect(w, r, a.sso.AccountURL()+"/account/relay?"+q.Encode(), http.StatusFound)
			return
		}
		if u != nil {
			w.Header().Set("Cache-Control", "private, no-cache")
			w.Header().Add("Vary", "Cookie")
			r = web.WithUser(r, u)
		}
		next.ServeHTTP(w, r)
	})
}

// shouldProbe: a browser's top-level page request on a host other than the
// central one, not asked about lately. Crawlers and feed readers send no
// navigation headers and are never redirected.
func (a *Accounts) shouldProbe(r *http.Request) bool {
	if r.Method != http.MethodGet || a.central(r) || strings.HasPrefix(r.URL.Path, "/account/") ||
		strings.Contains(r.URL.Path, "/account/") || strings.HasSuffix(r.URL.Path, ".xml") {
		return false
	}
	if _, err := r.Cookie(probeCookie); err == nil {
		return false
	}
	ua := strings.ToLower(r.UserAgent())
	if ua == "" || strings.Contains(ua, "bot") || strings.Contains(ua, "spider") || strings.Contains(ua, "crawl") {
		return false
	}
	// Only hosts the central host will send a ticket to (not an address
	// typed by hand, such as 127.0.0.1:8080).
	if all, err := a.srv.RegisteredTenants(r.Context()); err != nil || !a.servedIn(all, r.Host) {
		return false
	}
	if mode := r.Header.Get("Sec-Fetch-Mode"); mode != "" {
		return mode == "navigate" && r.Header.Get("Sec-Fetch-Dest") == "document"
	}
	// Plain-HTTP hosts that are not localhost get no fetch metadata.
	return r.Header.Get("Upgrade-Insecure-Requests") == "1" && strings.Contains(r.Header.Get("Accept"), "text/html")
}

// widenFormAction lets the platform's forms end, through redirects, at
// the central host and the providers (Chromium checks form-action on every
// redirect after a form post: logout goes on to the provider's
// end_session_endpoint).
func (a *Accounts) widenFormAction(w http.ResponseWriter, r *http.Request, extra ...string) {
	h := w.Header()
	csp := h.Get("Content-Security-Policy")
	if csp == "" {
		return
	}
	srcs := append([]string{a.sso.AccountURL()}, a.sso.Origins()...)
	srcs = append(srcs, extra...)
	var parts []string
	for _, d := range strings.Split(csp, ";") {
		d = strings.TrimSpace(d)
		if strings.HasPrefix(d, "form-action ") {
			d = "form-action 'self'"
			for _, s := range srcs {
				if s != "" && !strings.Contains(d, " "+s) {
					d += " " + s
				}
			}
		}
		parts = append(parts, d)
	}
	h.Set("Content-Security-Policy", strings.Join(parts, "; "))
}

// here is the absolute URL of the request.
func (a *Accounts) here(r *http.Request) string {
	return web.Scheme(r, a.srv.Config().TrustProxy) + "://" + r.Host + r.URL.RequestURI()
}

func (a *Accounts) secure(r *http.Request) bool {
	return web.Scheme(r, a.srv.Config().TrustProxy) == "https"
}

func (a *Accounts) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: a.secure(r), SameSite: http.SameSiteLaxMode})
}

// returnTarget checks a place to return to after login or logout: a path
// on this host, or an absolute URL on a host the platform serves (a
// tenant's domain, the portal host, the central host) on the central
// host's port, by http(s). Anything else is refused: no open redirect.
func (a *Accounts) returnTarget(r *http.Request, raw string) (*url.URL, bool) {
	if raw == "" || len(raw) > 2000 || strings.ContainsAny(raw, "\\\r\n\t") {
		return nil, false
	}
	if strings.HasPrefix(raw, "/") {
		if web.LocalReturn(raw, "") == "" {
			return nil, false
		}
		raw = web.Scheme(r, a.srv.Config().TrustProxy) + "://" + r.Host + raw
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil || u.Host == "" || u.Opaque != "" {
		return nil, false
	}
	if a.sso.Secure() && u.Scheme != "https" {
		return nil, false
	}
	if p := u.EscapedPath(); p == "" {
		u.Path = "/"
	} else if web.LocalReturn(p, "") == "" {
		return nil, false
	}
	if web.Port(u.Host) != a.sso.AccountPort() && !(web.Port(u.Host) == acctDefaultPort(u.Scheme) && a.sso.AccountPort() == "") {
		return nil, false
	}
	if !a.servedHost(r, u.Hostname()) {
		return nil, false
	}
	u.Fragment, u.RawFragment = "", ""
	return u, true
}

func acctDefaultPort(scheme string) string {
	if scheme == "https" {
		return "443"
	}
	return "80"
}

// servedHost reports whether the platform serves host: an active tenant's
// domain, the portal host, or the central host.
func (a *Accounts) servedHost(r *http.Request, host string) bool {
	return a.servedIn(web.Tenants(r), host)
}

func (a *Accounts) servedIn(all []*tenants.Tenant, host string) bool {
	host = tenants.NormalizeHost(host)
	if host == "" {
		return false
	}
	if host == a.sso.AccountHost() || host == tenants.NormalizeHost(a.srv.Config().PortalHost) {
		return true
	}
	for _, t := range all {
		if t.Status != tenants.Active {
			continue
		}
		for _, d := range t.Domains {
			if d == host {
				return true
			}
		}
	}
	return false
}

// siteHome is the absolute URL of the request's site home.
func (a *Accounts) siteHome(r *http.Request) string {
	return web.Absolute(r, web.SiteOf(r).Base)
}

// ClientIP is the address a request came from: the proxy's last
// X-Forwarded-For entry when the server trusts its proxy.
func (a *Accounts) ClientIP(r *http.Request) string {
	if a.srv.Config().TrustProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			if ip := strings.TrimSpace(parts[len(parts)-1]); ip != "" {
				return ip
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// SSO is the sign-on service.
func (a *Accounts) SSO() *sso.Service { return a.sso }

// viewer fills the layout's user area.
func (a *Accounts) viewer(r *http.Request) *web.Viewer {
	u := web.UserOf(r)
	if u == nil {
		return nil
	}
	v := &web.Viewer{Name: u.DisplayName(), Staff: u.Staff()}
	if n, err := a.inbox.Unread(r.Context(), u.ID); err == nil {
		v.Unread = n
	}
	// Error pages drawn before the site is attached to the request (an
	// unknown /site/<code>/) have no tenant to open a console for.
	if rs, ok := web.Resolved(r); ok && tenants.HasStaffRole(u.HeldRoles(rs.Tenant.ID)) {
		v.AdminURL = rs.Base + "admin/"
	}
	return v
}

// acctNotice is the data of account_notice.html.
type acctNotice struct {
	Heading, Message string
	Links            []web.Crumb
}

func (a *Accounts) notice(w http.ResponseWriter, r *http.Request, status int, heading, msg string, links ...web.Crumb) {
	if len(links) == 0 {
		links = []web.Crumb{{Name: "返回首页", URL: web.SiteOf(r).Base}}
	}
	a.srv.RenderStatus(w, r, "account_notice", heading, []web.Crumb{{Name: heading, URL: ""}}, acctNotice{heading, msg, links}, status)
}
