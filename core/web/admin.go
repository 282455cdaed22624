package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"yiwang/core"
	"yiwang/core/audit"
	"yiwang/core/content"
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

func (s *Server) adminEntrySources() []AdminEntries {
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

func (s *Server) countyNoticesOf(r *http.Request) []CountyNotice {
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
	a.audit(r, u, audit.Entry{Action: "console.denied", TenantID: &t.ID, Target: r.Method + " " + r.URL.Path, Result: "denied"})
	a.srv.RenderError(w, r, core.Errorf(core.EFORBID, "%s", msg))
}

// adminCrumbs starts a console page's breadcrumbs.
func adminCrumbs(r *http.Request, more ...Crumb) []Crumb {
	return append([]Crumb{{"管理后台", SiteOf(r).Base + "admin/"}}, more...)
}

// dashboardView is the data of admin_home.html.
type dashboardView struct {
	Roles   []tenants.Role
	Entries []AdminEntry
	Columns []*content.Column
	Counts  map[int64]int
	Sites   []accountSite
	County  string
}

func (a *Accounts) Dashboard(w http.ResponseWriter, r *http.Request, u *sso.User) {
	site := SiteOf(r)
	t := site.Tenant
	roles := u.Roles(t.ID)
	v := dashboardView{}
	for _, x := range roles {
		if x != tenants.Citizen {
			v.Roles = append(v.Roles, x)
		}
	}
	if tenants.Allows(roles, tenants.PermMembers) {
		v.Entries = append(v.Entries, AdminEntry{"工作人员与角色", site.Base + "admin/members", "为本站工作人员分配或收回编辑、审核、办理、访谈主持角色。"})
	}
	if tenants.Allows(roles, tenants.PermAuditTenant) {
		v.Entries = append(v.Entries, AdminEntry{"审计日志", site.Base + "admin/audit", "查看本站工作人员的操作记录。"})
	}
	for _, fn := range a.srv.adminEntrySources() {
		v.Entries = append(v.Entries, fn(r, t, roles)...)
	}
	if tenants.Allows(roles, tenants.PermContentEdit) {
		cols, err := a.srv.content.Columns(r.Context(), t.ID, false)
		if err != nil {
			a.srv.RenderError(w, r, err)
			return
		}
		v.Columns = FlattenColumns(cols)
		if v.Counts, err = a.srv.content.ArticleCounts(r.Context(), t.ID); err != nil {
			a.srv.RenderError(w, r, err)
			return
		}
	}
	if u.PlatformAdmin() {
		v.County = SiteBase(r, site.Portal) + "admin/county/"
	}
	byID := map[int64]*tenants.Tenant{}
	for _, x := range Tenants(r) {
		byID[x.ID] = x
	}
	seen := map[int64]bool{t.ID: true}
	for _, m := range u.EffectiveMemberships() {
		if x := byID[m.TenantID]; x != nil && !seen[x.ID] && x.Status == tenants.Active {
			seen[x.ID] = true
			v.Sites = append(v.Sites, accountSite{Name: x.Name, AdminURL: SiteBase(r, x) + "admin/"})
		}
	}
	a.srv.RenderStatus(w, r, "admin_home", "管理后台 - "+t.Name, adminCrumbs(r), v, http.StatusOK)
}

// membersView is the data of admin_members.html (a tenant's staff) and,
// with County set, of the county console's roles page.
type membersView struct {
	County    bool
	Tenants   []*tenants.Tenant // county: the tenants to choose from
	Members   []tenants.Membership
	Grantable []tenants.Role
	Query     string
	Found     []sso.Account
	Done      string
	Action    string // where the grant and revoke forms post, without the last segment
	// Factors are the platform second factors (county console only).
	Factors []sso.SecondFactor
}

func (a *Accounts) Members(w http.ResponseWriter, r *http.Request, u *sso.User) {
	a.renderMembers(w, r, u, "", http.StatusOK)
}

func (a *Accounts) renderMembers(w http.ResponseWriter, r *http.Request, u *sso.User, errMsg string, status int) {
	t := SiteOf(r).Tenant
	ms, err := a.sso.Memberships().OnTenant(r.Context(), t.ID)
	if err != nil {
		a.srv.RenderError(w, r, err)
		return
	}
	v := membersView{Members: ms, Query: strings.TrimSpace(r.URL.Query().Get("q")), Done: consoleDone(r.URL.Query().Get("done")),
		Action: SiteOf(r).Base + "admin/members/"}
	if errMsg != "" {
		v.Done = ""
	}
	for _, role := range tenants.TenantRoles {
		if tenants.CanGrant(u.EffectiveMemberships(), t.ID, role) {
			v.Grantable = append(v.Grantable, role)
		}
	}
	if v.Query != "" {
		if v.Found, err = sso.FindAccounts(r.Context(), a.srv.db, v.Query, 20); err != nil {
			a.srv.RenderError(w, r, err)
			return
		}
	}
	a.srv.RenderStatus(w, r, "admin_members", "工作人员与角色 - "+t.Name, adminCrumbs(r, Crumb{"工作人员与角色", ""}),
		ConsoleForm{Data: v, Error: errMsg}, status)
}

// ConsoleForm wraps a console page's data with the message of a failed
// form: the data of every console page template.
type ConsoleForm struct {
	Data  any
	Error string
}

func consoleDone(code string) string {
	switch code {
	case "grant":
		return "已授予角色。"
	case "revoke":
		return "已收回角色。"
	case "create":
		return "站点已创建，已按标准栏目模板生成栏目。"
	case "update":
		return "站点信息已保存。"
	case "archive":
		return "站点已归档，页面将返回 410，数据保留。"
	case "restore":
		return "站点已恢复访问。"
	case "domain":
		return "域名映射已更新。"
	case "mfa":
		return "已重置动态验证码，此人下次进入管理后台时重新绑定。"
	}
	return ""
}

// MemberChange grants or revokes a role on this tenant.
func (a *Accounts) MemberChange(grant bool) func(w http.ResponseWriter, r *http.Request, u *sso.User) {
	return func(w http.ResponseWriter, r *http.Request, u *sso.User) {
		t := SiteOf(r).Tenant
		err := a.changeRole(r, u, grant, t.ID, r.PostFormValue("account"), r.PostFormValue("role"))
		if err != nil {
			if core.ErrorCode(err) == core.EINTERNAL || core.ErrorCode(err) == core.EUNAVAIL {
				a.srv.RenderError(w, r, err)
				return
			}
			a.renderMembers(w, r, u, core.ErrorMessage(err), StatusOf(err))
			return
		}
		done := "revoke"
		if grant {
			done = "grant"
		}
		http.Redirect(w, r, SiteOf(r).Base+"admin/members?done="+done, http.StatusSeeOther)
	}
}

// changeRole checks and makes one grant or revocation; a refused or
// failed one is audited too.
func (a *Accounts) changeRole(r *http.Request, u *sso.User, grant bool, tenantID int64, account, roleName string) error {
	action := "role.revoke"
	if grant {
		action = "role.grant"
	}
	fail := func(err error) error {
		a.audit(r, u, audit.Entry{Action: action, TenantID: consoleTenantRef(tenantID), Target: "account:" + account,
			Detail: roleName + ": " + core.ErrorMessage(err), Result: "error"})
		return err
	}
	id, err := strconv.ParseInt(strings.TrimSpace(account), 10, 64)
	if err != nil || id <= 0 {
		return fail(core.Errorf(core.EINVALID, "请选择要授权的用户。"))
	}
	role, err := tenants.ParseRole(roleName)
	if err != nil {
		return fail(err)
	}
	if role.Global() {
		tenantID = 0
	}
	if !tenants.CanGrant(u.EffectiveMemberships(), tenantID, role) {
		return fail(core.Errorf(core.EFORBID, "您不能授予或收回“%s”角色。", role.Label()))
	}
	ms := a.sso.Memberships()
	if grant {
		err = ms.Grant(r.Context(), u.Actor(), a.ClientIP(r), id, tenantID, role)
	} else {
		err = ms.Revoke(r.Context(), u.Actor(), a.ClientIP(r), id, tenantID, role)
	}
	if err != nil {
		return fail(err)
	}
	return nil
}

func consoleTenantRef(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// actorAt names u with their address, for stores whose audit entries
// take no address of their own (tenants.Store).
func (a *Accounts) actorAt(r *http.Request, u *sso.User) string {
	return fmt.Sprintf("%s@%s", u.Actor(), a.ClientIP(r))
}
