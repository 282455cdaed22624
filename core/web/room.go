package web

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"yiwang/core"
	"yiwang/core/content"
	"yiwang/core/store"
	"yiwang/tenants"
)

// What the rooms (core/web/site, account, admin, county) use of the
// shared layer: the server's stores, the page every template gets and
// its rendering, the error page, and the few request helpers every room
// needs. A room holds the *Server it was built on and reaches nothing
// else of it.

// DB is the platform database the server was built on.
func (s *Server) DB() *store.DB { return s.db }

// TenantStore is the tenant registry's store (the county console changes
// tenants through it).
func (s *Server) TenantStore() *tenants.Store { return s.tenants }

// Content is the store of columns and articles.
func (s *Server) Content() *content.Store { return s.content }

// Log is the server's logger.
func (s *Server) Log() *slog.Logger { return s.log }

// Config is what the server was told about where it runs.
func (s *Server) Config() Config { return s.cfg }

// NewPage fills the shared parts of a page of r's site (layout, columns,
// directory, user area, meta tags, the breadcrumbs up to the site) for a
// page titled title; the handler adds its own and renders it with Render.
func (s *Server) NewPage(w http.ResponseWriter, r *http.Request, title string) (*Page, error) {
	return s.newPage(w, r, siteOf(r), title)
}

// Render writes p with the page template name in the layout, buffered:
// a template error is an error page, not half a page.
func (s *Server) Render(w http.ResponseWriter, r *http.Request, name string, p *Page) {
	s.render(w, r, name, p)
}

// RenderStatus renders a page template in the layout with a status, not
// to be kept by any cache (the consoles' and the account's pages).
func (s *Server) RenderStatus(w http.ResponseWriter, r *http.Request, name, title string, crumbs []Crumb, data any, status int) {
	w.Header().Set("Cache-Control", "no-store")
	s.renderData(w, r, name, title, crumbs, data, status)
}

// LatestByColumn is the tenant's newest n articles per column, kept
// between changes when the change feed is on. Callers only read it.
func (s *Server) LatestByColumn(ctx context.Context, tenantID int64, n int) (map[int64][]*content.Article, error) {
	return s.latestByColumn(ctx, tenantID, n)
}

// Videos is the desk that lists the videos of 电视新闻 columns, nil
// until the editorial console is enabled (UseVideos).
func (s *Server) Videos() *content.Desk {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.videos
}

// UseVideos makes the public column pages list d's videos.
func (s *Server) UseVideos(d *content.Desk) {
	s.mu.Lock()
	s.videos = d
	s.mu.Unlock()
}

// StatusOf is the HTTP status of err (core.HTTPStatus of its code).
func StatusOf(err error) int { return core.HTTPStatus(core.ErrorCode(err)) }

// Directory is the site directory of r: the active sites grouped by kind,
// linked as seen from r.
func Directory(r *http.Request) []DirGroup { return directory(siteOf(r)) }

// QuerySuffix is r's query with its "?", "" without one: what a redirect
// keeps of the request.
func QuerySuffix(r *http.Request) string { return query(r) }

// FlattenColumns lists a column tree depth first.
func FlattenColumns(cs []*content.Column) []*content.Column {
	var out []*content.Column
	for _, c := range cs {
		out = append(out, c)
		out = append(out, FlattenColumns(c.Children)...)
	}
	return out
}

// ElderCookie remembers the large-text mode on a host.
const ElderCookie = "yw_elder"

// elderOn reports whether r asks for large-text mode.
func elderOn(r *http.Request) bool {
	c, err := r.Cookie(ElderCookie)
	return err == nil && c.Value == "1"
}

// LocalReturn accepts only a path on this host as a place to return to:
// never another host, whatever the encoding; anything else is fallback.
func LocalReturn(ret, fallback string) string {
	if ret == "" || !strings.HasPrefix(ret, "/") || strings.HasPrefix(ret, "//") || strings.HasPrefix(ret, "/\\") ||
		strings.ContainsAny(ret, "\\\r\n\t") {
		return fallback
	}
	u, err := url.Parse(ret)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return fallback
	}
	return ret
}

// WriteJSON answers v as JSON with status, never cached (the consoles'
// answers to their scripts).
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// PortalHost is the portal's host name when it has no mapped domain.
func (s *Server) PortalHost() string { return s.cfg.PortalHost }

// ProbeTarget is the host and path a request for t's home page carries,
// as a visitor's browser would send it.
func (s *Server) ProbeTarget(t *tenants.Tenant) (host, path string) {
	switch {
	case t.IsPortal():
		if d := t.PrimaryDomain(); d != "" {
			return d, "/"
		}
		return s.cfg.PortalHost, "/"
	case t.PrimaryDomain() != "":
		return t.PrimaryDomain(), "/"
	}
	return s.cfg.PortalHost, "/site/" + t.Code + "/"
}

// RegisteredTenants are the tenant registry's snapshot (every tenant, in
// directory order, archived ones included), as requests see it.
func (s *Server) RegisteredTenants(ctx context.Context) ([]*tenants.Tenant, error) {
	snap, err := s.reg.get(ctx)
	if err != nil {
		return nil, err
	}
	return snap.all, nil
}

// Scheme is r's scheme, from X-Forwarded-Proto when trustProxy.
func Scheme(r *http.Request, trustProxy bool) string { return scheme(r, trustProxy) }

// Port is the port of a host:port, "" without one.
func Port(hostport string) string { return port(hostport) }

// PlainStyle is the style element of the pages drawn without the layout.
func PlainStyle(r *http.Request) string { return plainStyle(r) }

// BodyErr is the reason the edge refused r's body, if it did.
func BodyErr(r *http.Request) error { return bodyErr(r) }

// TooLarge is the refusal of a body past its limit, if r's was.
func TooLarge(r *http.Request) error { return tooLarge(r) }

// RefuseBody makes err the reason r's body is refused: ServeSite answers
// it in the site's layout before any handler runs.
func RefuseBody(r *http.Request, err error) *http.Request { return refuseBody(r, err) }

// Resolved is the site of r and whether r was resolved to one yet (an
// error answered before routing, such as an unknown /site/<code>/, has
// none).
func Resolved(r *http.Request) (Site, bool) {
	if _, ok := r.Context().Value(siteKey{}).(*reqSite); !ok {
		return Site{}, false
	}
	return SiteOf(r), true
}
