package web

import (
	"html/template"
	"net/http"

	"yiwang/tenants"
)

// The host's other rooms (sign-on, modules, search, consoles) extend the
// web server through these few points rather than by editing its route
// table or layout: each registers its routes and fills its part of the
// page from its own files.

// Site is what a handler learns about the site a request is for.
type Site struct {
	Tenant *tenants.Tenant
	Portal *tenants.Tenant
	// Base is the site's base URL for links on this page ("/",
	// "/site/jyj/" or absolute).
	Base string
	// PortalBase is the portal's base URL as seen from this request.
	PortalBase string
	// Here reports whether the request arrived by the tenant's own host
	// rather than by /site/<code>/ under the portal.
	Here bool
}

// SiteOf returns the site of a request routed through the site routes.
func SiteOf(r *http.Request) Site {
	rs := siteOf(r)
	return Site{Tenant: rs.tenant, Portal: rs.snap.portal, Base: rs.base,
		PortalBase: rs.link.siteBase(rs.snap.portal), Here: !rs.link.portalHere || rs.tenant.IsPortal()}
}

// SiteBase returns the canonical base URL of any tenant as seen from r:
// relative when it is served on r's host, absolute otherwise.
func SiteBase(r *http.Request, t *tenants.Tenant) string { return siteOf(r).link.siteBase(t) }

// Absolute makes a site-relative URL absolute on r's host.
func Absolute(r *http.Request, u string) string { return siteOf(r).link.absolute(u) }

// Tenants returns the registry snapshot the request was resolved with,
// in directory order, archived ones included.
func Tenants(r *http.Request) []*tenants.Tenant { return siteOf(r).snap.all }

// HandleSite adds a route to every site, relative to the site's base
// (e.g. "GET /search", "/mailbox/", "GET /admin/{$}"). The handler runs
// after tenant resolution: SiteOf works, archived tenants never reach it.
func (s *Server) HandleSite(pattern string, h http.HandlerFunc) {
	s.mu.Lock()
	s.sitePatterns = append(s.sitePatterns, pattern)
	s.mu.Unlock()
	s.site.HandleFunc(pattern, h)
}

// SiteRoutes lists the patterns of every site route, in the order they
// were added: the route table a test walks to prove that each route
// refuses whoever has no business there.
func (s *Server) SiteRoutes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.sitePatterns...)
}

// Handle adds a route outside any site (e.g. the central account host's
// callback), before tenant resolution.
func (s *Server) Handle(pattern string, h http.Handler) { s.top.Handle(pattern, h) }

// Viewer is the signed-in person as the layout shows them.
type Viewer struct {
	Name     string
	Staff    bool   // holds a staff role on some tenant
	AdminURL string // the console this person may open here, "" if none
	Unread   int    // unread notices in the site inbox
}

// NavEntry is a link the layout adds after the tenant's columns (a
// module's public entry, such as 县长信箱).
type NavEntry struct {
	Name, URL string
}

// Extensions fill the per-request parts of the layout that belong to
// other rooms. Each is optional.
type Extensions struct {
	// Viewer returns who is signed in on this request, nil for nobody.
	Viewer func(r *http.Request) *Viewer
	// CSRFToken returns the token forms on this page must carry.
	CSRFToken func(w http.ResponseWriter, r *http.Request) string
	// Nav returns the extra navigation entries of the tenant.
	Nav func(r *http.Request, t *tenants.Tenant) []NavEntry
	// Wrap wraps the whole handler (sessions, CSRF checks, rate limits).
	Wrap []func(http.Handler) http.Handler
	// Observe wraps even the page cache's answers, which come before
	// Wrap: what must see every request (the metrics).
	Observe []func(http.Handler) http.Handler
	// Anonymous tells, before any middleware runs, whether a request is
	// surely an anonymous visitor's that Wrap would pass as it is (no
	// session cookie, no sign-on probe due): only such a request is
	// answered from the page cache ahead of the middleware.
	Anonymous func(r *http.Request) bool
}

// Extend installs the extensions. Call before serving.
func (s *Server) Extend(e Extensions) {
	if e.Viewer != nil {
		s.ext.Viewer = e.Viewer
	}
	if e.CSRFToken != nil {
		s.ext.CSRFToken = e.CSRFToken
	}
	if e.Nav != nil {
		s.ext.Nav = e.Nav
	}
	if e.Anonymous != nil {
		s.ext.Anonymous = e.Anonymous
	}
	s.ext.Wrap = append(s.ext.Wrap, e.Wrap...)
	s.ext.Observe = append(s.ext.Observe, e.Observe...)
}

// Fragment is a page body produced elsewhere (by a module through the
// plugin host, or by a console) that the server wraps in the layout.
type Fragment struct {
	Title  string
	Crumbs []Crumb
	HTML   string // trusted: produced by html/template or sanitized
	Status int
	// Column marks a navigation entry as current.
	Current string
}

// HTMLSafe marks the fragment's HTML as trusted for the layout.
func (f Fragment) HTMLSafe() template.HTML { return template.HTML(f.HTML) } //nolint:gosec // see Fragment.HTML

// RenderFragment answers r with f in the site's shared layout.
func (s *Server) RenderFragment(w http.ResponseWriter, r *http.Request, f Fragment) {
	site := siteOf(r)
	p, err := s.newPage(w, r, site, f.Title)
	if err != nil {
		s.renderError(w, r, site, err)
		return
	}
	p.Crumbs = append(p.Crumbs, f.Crumbs...)
	p.Current = f.Current
	if f.Status != 0 {
		p.Status = f.Status
	}
	p.Meta.ColumnName = f.Title
	p.Data = f
	s.render(w, r, "fragment", p)
}

// RenderError answers r with err as a page in the site's layout, with the
// status its code maps to.
func (s *Server) RenderError(w http.ResponseWriter, r *http.Request, err error) {
	s.renderError(w, r, siteOf(r), err)
}

// RenderPage renders one of the server's page templates with data, in the
// site's layout. Templates other rooms need live in web/templates too, so
// that every page is parsed and checked at start.
func (s *Server) RenderPage(w http.ResponseWriter, r *http.Request, name, title string, crumbs []Crumb, data any) {
	s.renderData(w, r, name, title, crumbs, data, 0)
}

// renderData renders page template name with data in the site's layout,
// with status (0: 200).
func (s *Server) renderData(w http.ResponseWriter, r *http.Request, name, title string, crumbs []Crumb, data any, status int) {
	site := siteOf(r)
	p, err := s.newPage(w, r, site, title)
	if err != nil {
		s.renderError(w, r, site, err)
		return
	}
	p.Crumbs = append(p.Crumbs, crumbs...)
	p.Meta.ColumnName = title
	p.Data = data
	if status != 0 {
		p.Status = status
	}
	s.render(w, r, name, p)
}
