// Package web is the host's HTTP side: it resolves the tenant of each
// request by host name or /site/<code>/ path, keeps one canonical URL per
// page, and renders core pages in the shared layout.
package web

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"

	"yiwang/core"
	"yiwang/core/changes"
	"yiwang/core/content"
	"yiwang/core/pagecache"
	"yiwang/core/store"
	"yiwang/tenants"
)

// Config is what the server needs to know about where it runs.
type Config struct {
	// PortalHost is the host name of the portal when the portal has no
	// mapped domain: links from a sub-site's own domain back to the portal
	// and to path-served sub-sites go there. Default "localhost".
	PortalHost string
	// TrustProxy takes the scheme from X-Forwarded-Proto, for a server
	// behind a TLS-terminating load balancer.
	TrustProxy bool
	// RegistryTTL bounds how long a tenant change made elsewhere takes to show.
	RegistryTTL time.Duration
}

// Server serves every tenant's pages.
type Server struct {
	cfg     Config
	db      *store.DB
	tenants *tenants.Store
	content *content.Store
	log     *slog.Logger
	reg     *registry
	views   *views
	site    *http.ServeMux
	// sitePatterns are the patterns added to site, for SiteRoutes.
	sitePatterns []string
	top          *http.ServeMux
	ext          Extensions

	mu          sync.Mutex
	extraRoutes []ConsoleRoute // console routes of the pages enabled on this server
	// bodyLimits raise the request body limit for the routes under a path
	// segment that take large files (/admin/uploads, a module's /<name>/…).
	bodyLimits    map[string]int64
	countyNotices []func(r *http.Request) []CountyNotice
	cases         Cases // the account page's 我的办件, nil without modules

	watch dbWatch // whether the database answers, see WatchDatabase

	pages   *pagecache.Cache // nil without a page cache
	memo    *siteMemo        // nil without the change feed
	changes *changes.Feed
	videos  *content.Desk // the videos of 电视新闻 columns, nil without the editorial console
}

// defaultBodyLimit bounds the body of any unsafe request: forms are small.
const defaultBodyLimit = 10 << 20

// AllowBodyUnder lets requests to any route under the path segment seg
// (".../seg" or ".../seg/...", with or without the /site/<code>/ prefix)
// carry up to n bytes: uploads, and the plugin host's modules, whose forms
// may carry pictures.
func (s *Server) AllowBodyUnder(seg string, n int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.bodyLimits == nil {
		s.bodyLimits = map[string]int64{}
	}
	s.bodyLimits[seg] = n
}

// bodyLimit is how many bytes a request to path may carry.
func (s *Server) bodyLimit(path string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	limit := int64(defaultBodyLimit)
	for seg, n := range s.bodyLimits {
		if strings.HasSuffix(path, "/"+seg) || strings.Contains(path, "/"+seg+"/") {
			limit = max(limit, n)
		}
	}
	return limit
}

// New builds a server without routes (core/web/host adds them); it fails
// when a template does not parse.
func New(cfg Config, db *store.DB, ts *tenants.Store, cs *content.Store, log *slog.Logger) (*Server, error) {
	if cfg.PortalHost == "" {
		cfg.PortalHost = "localhost"
	}
	if cfg.RegistryTTL == 0 {
		cfg.RegistryTTL = 5 * time.Second
	}
	v, err := parseViews()
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, db: db, tenants: ts, content: cs, log: log, views: v,
		reg: newRegistry(ts, cfg.RegistryTTL)}
	s.site, s.top = http.NewServeMux(), http.NewServeMux()
	return s, nil
}

// Handler is the whole HTTP surface, with its middleware.
func (s *Server) Handler() http.Handler {
	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.top.ServeHTTP(w, r)
		// The top-level routes (/healthz, /static/) name themselves;
		// ServeSite names the site route it served.
		if l := routeLabelOf(r); l != nil && l.Pattern == "" && r.Pattern != "/" {
			l.Pattern = r.Pattern
		}
	})
	for i := len(s.ext.Wrap) - 1; i >= 0; i-- {
		h = s.ext.Wrap[i](h)
	}
	h = s.cachedFirst(s.logRequests(s.securityHeaders(s.keepBody(s.whileDatabaseAnswers(h)))))
	for i := len(s.ext.Observe) - 1; i >= 0; i-- {
		h = s.ext.Observe[i](h)
	}
	return s.requestIDs(s.recoverPanics(h))
}

// InvalidateTenants makes the next request see tenant changes at once.
func (s *Server) InvalidateTenants() { s.reg.invalidate() }

// Healthz answers whether the database answers, for load balancers.
func (s *Server) Healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := s.db.PingContext(ctx); err != nil {
		s.log.Error("healthz: database unreachable", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("database unavailable\n"))
		return
	}
	_, _ = w.Write([]byte("ok\n"))
}

// siteKey carries the resolved site of a request.
type siteKey struct{}

// reqSite is what the resolution learned about a request.
type reqSite struct {
	tenant *tenants.Tenant
	snap   *snapshot
	link   *linker
	base   string // this site's base for links on this page: "/", "/site/jyj/" or absolute
}

func siteOf(r *http.Request) *reqSite { return r.Context().Value(siteKey{}).(*reqSite) }

// ServeSite resolves the tenant and hands the request, with the site
// prefix removed, to the site routes.
func (s *Server) ServeSite(w http.ResponseWriter, r *http.Request) {
	snap, err := s.reg.get(r.Context())
	if err != nil || snap.portal == nil {
		if err == nil {
			err = core.Errorf(core.EUNAVAIL, "平台尚未导入县政府门户站点，请先运行 yiwang tenants import")
		}
		s.plainError(w, r, err)
		return
	}
	host := tenants.NormalizeHost(r.Host)
	l := &linker{scheme: scheme(r, s.cfg.TrustProxy), port: port(r.Host), host: host, portalHost: s.cfg.PortalHost, portal: snap.portal}

	hostTenant := snap.byHost[host]
	if hostTenant == nil && strings.HasSuffix(host, ".localhost") {
		// Development names <code>.localhost reach a tenant without DNS;
		// unmapped, they are an alias that redirects to the canonical URL.
		if t := snap.byCode[strings.TrimSuffix(host, ".localhost")]; t != nil {
			l.portalHere = false
			s.redirectCanonical(w, r, l.absolute(l.siteBase(t)), r.URL.Path)
			return
		}
	}
	l.portalHere = hostTenant == nil || hostTenant.IsPortal()

	t, rest := snap.portal, r.URL.Path
	if hostTenant != nil {
		t = hostTenant
	}
	if code, after, ok := sitePath(r.URL.Path); ok {
		target := snap.byCode[code]
		switch {
		case target == nil:
			s.renderError(w, r, &reqSite{tenant: t, snap: snap, link: l, base: l.siteBase(t)},
				core.Errorf(core.ENOTFOUND, "没有找到代码为“%s”的站点", code))
			return
		case !l.portalHere || target.IsPortal() || target.PrimaryDomain() != "":
			s.redirectCanonical(w, r, l.absolute(l.siteBase(target)), after)
			return
		case after == "" || after[0] != '/':
			http.Redirect(w, r, "/site/"+code+"/"+strings.TrimPrefix(after, "/")+query(r), http.StatusMovedPermanently)
			return
		}
		t, rest = target, after
	} else if hostTenant != nil && hostTenant.PrimaryDomain() != host {
		s.redirectCanonical(w, r, l.absolute(l.siteBase(hostTenant)), r.URL.Path)
		return
	}

	site := &reqSite{tenant: t, snap: snap, link: l, base: l.siteBase(t)}
	label := routeLabelOf(r)
	if label != nil {
		label.Tenant = t.Code
	}
	if t.Status == tenants.Archived {
		s.renderError(w, r, site, &core.Error{Code: core.EGONE,
			Message: "“" + t.Name + "”网站已归档，不再更新和提供访问。如需查询该单位信息，请访问" + snap.portal.Name + "门户网站。"})
		return
	}
	if err := bodyErr(r); err != nil {
		s.renderError(w, r, site, err)
		return
	}
	// Clean the rest here, not in the mux: the mux's own redirect would
	// drop the /site/<code> prefix.
	if c := cleanPath(rest); c != rest {
		http.Redirect(w, r, strings.TrimSuffix(site.base, "/")+c+query(r), http.StatusMovedPermanently)
		return
	}
	r2 := r.Clone(context.WithValue(r.Context(), siteKey{}, site))
	r2.URL.Path, r2.URL.RawPath = rest, ""
	s.servePage(w, r, r2, site, rest)
	if label != nil {
		label.Pattern = r2.Pattern
	}
}

func (s *Server) redirectCanonical(w http.ResponseWriter, r *http.Request, base, rest string) {
	http.Redirect(w, r, strings.TrimSuffix(base, "/")+"/"+strings.TrimPrefix(rest, "/")+query(r), http.StatusMovedPermanently)
}

// sitePath splits /site/<code>/rest into code and /rest ("" when the
// path is just /site/<code>).
func sitePath(p string) (code, rest string, ok bool) {
	if !strings.HasPrefix(p, "/site/") {
		return "", "", false
	}
	code, rest, _ = strings.Cut(p[len("/site/"):], "/")
	if code == "" {
		return "", "", false
	}
	if rest != "" || strings.HasSuffix(p, "/") {
		rest = "/" + rest
	}
	return strings.ToLower(code), rest, true
}

func cleanPath(p string) string {
	if p == "" {
		return "/"
	}
	c := path.Clean(p)
	if strings.HasSuffix(p, "/") && c != "/" {
		c += "/"
	}
	return c
}

func query(r *http.Request) string {
	if r.URL.RawQuery == "" {
		return ""
	}
	return "?" + r.URL.RawQuery
}

func scheme(r *http.Request, trustProxy bool) string {
	if trustProxy {
		if p := r.Header.Get("X-Forwarded-Proto"); p == "https" || p == "http" {
			return p
		}
	}
	if r.TLS != nil {
		return "https"
	}
	return "http"
}

func port(hostport string) string {
	if _, p, err := net.SplitHostPort(hostport); err == nil {
		return p
	}
	return ""
}

// linker builds links between sites as seen from one request: a link to
// a site served on this host is a path; any other is absolute.
type linker struct {
	scheme, port, host string
	portalHost         string
	portal             *tenants.Tenant
	portalHere         bool // this host serves the portal and path-served sub-sites
}

// key names the link form: two requests with the same key get the same
// links to every site.
func (l *linker) key() string {
	if l.portalHere {
		return "p|" + l.scheme + "|" + l.port
	}
	return "s|" + l.scheme + "|" + l.port + "|" + l.host
}

func (l *linker) hostURL(host string) string {
	u := l.scheme + "://" + host
	if l.port != "" && !(l.scheme == "http" && l.port == "80") && !(l.scheme == "https" && l.port == "443") {
		u += ":" + l.port
	}
	return u
}

func (l *linker) portalRoot() string {
	if l.portalHere {
		return "/"
	}
	if d := l.portal.PrimaryDomain(); d != "" {
		return l.hostURL(d) + "/"
	}
	return l.hostURL(l.portalHost) + "/"
}

// siteBase is the canonical base URL of t, relative when t lives here.
func (l *linker) siteBase(t *tenants.Tenant) string {
	if d := t.PrimaryDomain(); d != "" && !t.IsPortal() {
		if d == l.host {
			return "/"
		}
		return l.hostURL(d) + "/"
	}
	if t.IsPortal() {
		return l.portalRoot()
	}
	return l.portalRoot() + "site/" + t.Code + "/"
}

// absolute makes a link absolute on this request's host.
func (l *linker) absolute(u string) string {
	if strings.HasPrefix(u, "/") {
		return l.hostURL(l.host) + u
	}
	return u
}
