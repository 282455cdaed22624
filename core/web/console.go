package web

import (
	"net/http"
	"slices"
	"sync"

	"yiwang/tenants"
)

// The consoles. /admin/ on every site is the department console: staff see
// the actions their roles on that site allow. /admin/county/ (served on
// the portal) is the county office's: tenants, domains, footer facts,
// roles, the audit log. Every console route needs a signed-in person whose
// sign-in passed a second factor and whose roles allow it; anything else
// is 403 (staff who still owe a second factor are sent to give it).

// ConsoleRoute is one route of the consoles, relative to a site's base.
type ConsoleRoute struct{ Method, Path string }

// consoleRoutes are the console routes every server has; the county
// office's optional pages add theirs with addConsoleRoutes.
var consoleRoutes = []ConsoleRoute{
	{"GET", "/admin/"},
	{"GET", "/admin/members"},
	{"POST", "/admin/members/grant"},
	{"POST", "/admin/members/revoke"},
	{"GET", "/admin/audit"},
	{"GET", "/admin/county/"},
	{"POST", "/admin/county/tenants"},
	{"GET", "/admin/county/tenants/{code}"},
	{"POST", "/admin/county/tenants/{code}"},
	{"POST", "/admin/county/tenants/{code}/status"},
	{"POST", "/admin/county/tenants/{code}/domains"},
	{"POST", "/admin/county/tenants/{code}/domains/remove"},
	{"GET", "/admin/county/roles"},
	{"POST", "/admin/county/roles/grant"},
	{"POST", "/admin/county/roles/revoke"},
	{"POST", "/admin/county/roles/mfa-reset"},
	{"GET", "/admin/county/audit"},
	{"GET", "/admin/county/freshness"},
	{"GET", "/admin/county/monitor"},
	{"POST", "/admin/county/monitor"},
	{"GET", "/admin/county/monitor/{code}"},
	{"POST", "/admin/county/monitor/draft"},
	{"GET", "/admin/county/website-report"},
	{"GET", "/admin/county/website-report/{code}"},
	{"POST", "/admin/county/website-report/{code}"},
}

// ConsoleRoutes lists every console route of s ({code} stands for a
// tenant code), so that tests can check each one's access rules.
func (s *Server) ConsoleRoutes() []ConsoleRoute {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append(append([]ConsoleRoute(nil), consoleRoutes...), s.extraRoutes...)
}

// AddConsoleRoutes adds routes of a console page to ConsoleRoutes, for
// the access tests.
func (s *Server) AddConsoleRoutes(rs ...ConsoleRoute) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.extraRoutes = append(s.extraRoutes, rs...)
}

// AdminEntry is a link in the department console (a module's admin page).
type AdminEntry struct {
	Title, URL, Description string
}

// AdminEntries returns the entries of tenant t that a person with roles
// (second factor passed) may use, for the consoles.
type AdminEntries func(r *http.Request, t *tenants.Tenant, roles []tenants.Role) []AdminEntry

// adminEntries holds each server's entry sources; the plugin host may add
// its own before or after sign-on is enabled.
var adminEntries = struct {
	sync.Mutex
	m map[*Server][]AdminEntries
}{m: map[*Server][]AdminEntries{}}

// AddAdminEntries adds entries to the department console (and, on the
// portal, to the county console): the plugin host adds each enabled
// module's /admin/<module>/ page here, and its county-wide page for
// enabling modules per tenant.
func (s *Server) AddAdminEntries(fn AdminEntries) {
	adminEntries.Lock()
	adminEntries.m[s] = append(adminEntries.m[s], fn)
	adminEntries.Unlock()
}

// AdminEntrySources are the sources of console entries added so far.
func (s *Server) AdminEntrySources() []AdminEntries {
	adminEntries.Lock()
	defer adminEntries.Unlock()
	return slices.Clone(adminEntries.m[s])
}

// CountyNotice is a problem the county office should see on its console
// home: the text, and the page that deals with it.
type CountyNotice struct{ Text, URL string }

// AddCountyNotices adds a source of county notices (the calendar lacking
// a year, certificates about to lapse, a stale search index).
func (s *Server) AddCountyNotices(fn func(r *http.Request) []CountyNotice) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.countyNotices = append(s.countyNotices, fn)
}

// CountyNoticesOf are the county notices of every source for r.
func (s *Server) CountyNoticesOf(r *http.Request) []CountyNotice {
	s.mu.Lock()
	fns := slices.Clone(s.countyNotices)
	s.mu.Unlock()
	var out []CountyNotice
	for _, fn := range fns {
		out = append(out, fn(r)...)
	}
	return out
}

// ConsoleForm wraps a console page's data with the message of a failed
// form: the data of every console page template.
type ConsoleForm struct {
	Data  any
	Error string
}
