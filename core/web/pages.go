package web

import (
	"context"
	"net/http"
	"strings"
	"time"

	"yiwang/core/changes"
	"yiwang/core/pagecache"
)

// The page cache of anonymous pages (core/pagecache) and the change feed
// that keeps it true (core/changes): core's public routes mark their
// pages cacheable, modules declare theirs with Cache-Control, and every
// write that changes what a visitor sees records a change the feed hands
// to every host process.

// registrySafetyTTL is how long the tenant registry is trusted when the
// change feed tells of every tenant change.
const registrySafetyTTL = 10 * time.Minute

// pageTTL is how long a core page is kept when nothing changes it.
const pageTTL = pagecache.MaxTTL

// UsePages turns the page cache on, fed by feed: the cache drops what a
// change names, and a change of every tenant (the registry, a template)
// also reloads the tenant registry.
func (s *Server) UsePages(c *pagecache.Cache, feed *changes.Feed) {
	s.pages, s.changes, s.memo = c, feed, newSiteMemo()
	// Tenant changes arrive through the feed; the registry's own reload
	// is a safety net only.
	s.reg.ttl.Store(int64(registrySafetyTTL))
	feed.Subscribe(func(ch changes.Change) {
		if ch.Prefix == "" {
			s.memo.drop(ch.TenantID) // before the pages, which are drawn from it
		}
		c.Apply(ch)
		if ch.TenantID == changes.AllTenants {
			s.reg.invalidate()
		}
	})
}

// PageCache is the server's page cache, nil when off.
func (s *Server) PageCache() *pagecache.Cache { return s.pages }

// Cacheable marks a core page as one the page cache may keep.
func Cacheable(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		pagecache.Cacheable(r, pageTTL)
		h(w, r)
	}
}

// servePage hands a site request to the site routes, through the page
// cache for reads; after a write it reads the feed at once, so that this
// process shows the change on the next page it serves.
func (s *Server) servePage(w http.ResponseWriter, orig, r *http.Request, site *reqSite, rest string) {
	if s.pages == nil {
		s.site.ServeHTTP(w, r)
		return
	}
	if UnsafeMethod(r.Method) {
		s.site.ServeHTTP(w, r)
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 2*time.Second)
		defer cancel()
		if _, err := s.changes.Poll(ctx); err != nil {
			s.log.Warn("page changes: poll after a write", "err", err)
		}
		return
	}
	s.pages.Serve(w, r, pagecache.Page{
		Key:       pageKey(orig, scheme(orig, s.cfg.TrustProxy)),
		TenantID:  site.tenant.ID,
		Site:      site.tenant.Code,
		Path:      rest,
		Anonymous: UserOf(r) == nil && r.Header.Get("Authorization") == "",
	}, s.site)
}

// cachedFirst answers an anonymous read from the page cache before any
// other middleware: the stored answer carries the headers it was drawn
// with (the security policy among them), and nothing of the request but
// its key decides it. Everything else goes on to next.
func (s *Server) cachedFirst(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.pages != nil && (r.Method == http.MethodGet || r.Method == http.MethodHead) && r.Header.Get("Authorization") == "" &&
			!strings.HasPrefix(r.URL.Path, "/static/") && (s.ext.Anonymous == nil || s.ext.Anonymous(r)) {
			if e := s.pages.Peek(pageKey(r, scheme(r, s.cfg.TrustProxy)), time.Now()); e != nil {
				if l := routeLabelOf(r); l != nil {
					l.Pattern, l.Tenant = e.Pattern, e.Site
				}
				pagecache.Hit(w, r, e)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// pageKey is what makes two anonymous requests the same page: scheme,
// host, path, the query in a fixed order without tracking parameters,
// and large-text mode, the one cookie that changes an anonymous page.
func pageKey(r *http.Request, scheme string) string {
	k := scheme + "://" + strings.ToLower(r.Host) + r.URL.Path
	if r.URL.RawQuery != "" {
		q := r.URL.Query()
		for k := range q {
			if strings.HasPrefix(k, "utm_") {
				delete(q, k)
			}
		}
		if len(q) > 0 {
			k += "?" + q.Encode()
		}
	}
	if elderOn(r) {
		k += "|elder"
	}
	return k
}
