package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sync"

	"yiwang/core"
	"yiwang/core/audit"
	"yiwang/sso"
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

// Gate decides whether u may use a console route on tenant t.
type Gate func(u *sso.User, t *tenants.Tenant) bool

// Allows is the console gate of permission p: the person's roles on the
// tenant carry it.
func Allows(p tenants.Permission) Gate {
	return func(u *sso.User, t *tenants.Tenant) bool { return tenants.Allows(u.Roles(t.ID), p) }
}

func platformAdmin(u *sso.User, _ *tenants.Tenant) bool { return u.PlatformAdmin() }

// Staff wraps a console handler with its access rule.
func (a *Accounts) Staff(allowed Gate, h func(w http.ResponseWriter, r *http.Request, u *sso.User)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Robots-Tag", "noindex")
		u := UserOf(r)
		t := SiteOf(r).Tenant
		switch {
		case u == nil && r.Method == http.MethodGet:
			a.toLogin(w, r)
		case u == nil:
			a.srv.RenderError(w, r, core.Errorf(core.EFORBID, "请先登录。"))
		case u.NeedsMFA() && tenants.HasStaffRole(u.HeldRoles(t.ID)) && r.Method == http.MethodGet:
			back := Absolute(r, SiteOf(r).Base+acctTrimSlash(r.URL.RequestURI()))
			http.Redirect(w, r, SiteOf(r).Base+"account/totp?"+url.Values{"r": {back}}.Encode(), http.StatusSeeOther)
		case u.NeedsMFA() && tenants.HasStaffRole(u.HeldRoles(t.ID)):
			a.denied(w, r, u, "工作人员须先完成动态验证码验证，才能使用管理功能。")
		case !allowed(u, t):
			a.denied(w, r, u, "您没有权限使用“"+t.Name+"”的这项管理功能。")
		default:
			h(w, r, u)
		}
	}
}

// County wraps a county-console handler: platform admins only, on the
// portal (a platform admin who opens it on a sub-site is sent there).
func (a *Accounts) County(h func(w http.ResponseWriter, r *http.Request, u *sso.User)) http.HandlerFunc {
	return a.Staff(platformAdmin, func(w http.ResponseWriter, r *http.Request, u *sso.User) {
		site := SiteOf(r)
		if !site.Tenant.IsPortal() {
			if r.Method != http.MethodGet {
				a.srv.RenderError(w, r, core.Errorf(core.ENOTFOUND, "县级平台管理只在门户网站上提供。"))
				return
			}
			http.Redirect(w, r, SiteBase(r, site.Portal)+acctTrimSlash(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		h(w, r, u)
	})
}

// CountyGate runs h for platform admins on the portal, through the
// sign-on room's console rule.
func (s *Server) CountyGate(h func(w http.ResponseWriter, r *http.Request, a *Accounts, u *sso.User)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		acc, _ := r.Context().Value(accountsKey{}).(*Accounts)
		if acc == nil {
			s.RenderError(w, r, core.Errorf(core.EFORBID, "统一身份认证未启用，管理功能不可用。"))
			return
		}
		acc.County(func(w http.ResponseWriter, r *http.Request, u *sso.User) { h(w, r, acc, u) })(w, r)
	}
}

func (a *Accounts) denied(w http.ResponseWriter, r *http.Request, u *sso.User, msg string) {
	t := SiteOf(r).Tenant
	a.Audit(r, u, audit.Entry{Action: "console.denied", TenantID: &t.ID, Target: r.Method + " " + r.URL.Path, Result: "denied"})
	a.srv.RenderError(w, r, core.Errorf(core.EFORBID, "%s", msg))
}

// ConsoleForm wraps a console page's data with the message of a failed
// form: the data of every console page template.
type ConsoleForm struct {
	Data  any
	Error string
}

// ActorAt names u with their address, for stores whose audit entries
// take no address of their own (tenants.Store).
func (a *Accounts) ActorAt(r *http.Request, u *sso.User) string {
	return fmt.Sprintf("%s@%s", u.Actor(), a.ClientIP(r))
}
