package account

import (
	"fmt"
	"net/http"
	"net/url"

	"yiwang/core"
	"yiwang/core/audit"
	"yiwang/core/web"
	"yiwang/sso"
	"yiwang/tenants"
)

// The consoles' access rules: every console route needs a signed-in
// person whose sign-in passed a second factor and whose roles allow it;
// anything else is 403 (staff who still owe a second factor are sent to
// give it).

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
		u := web.UserOf(r)
		t := web.SiteOf(r).Tenant
		switch {
		case u == nil && r.Method == http.MethodGet:
			a.toLogin(w, r)
		case u == nil:
			a.srv.RenderError(w, r, core.Errorf(core.EFORBID, "请先登录。"))
		case u.NeedsMFA() && tenants.HasStaffRole(u.HeldRoles(t.ID)) && r.Method == http.MethodGet:
			back := web.Absolute(r, web.SiteOf(r).Base+acctTrimSlash(r.URL.RequestURI()))
			http.Redirect(w, r, web.SiteOf(r).Base+"account/totp?"+url.Values{"r": {back}}.Encode(), http.StatusSeeOther)
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
		site := web.SiteOf(r)
		if !site.Tenant.IsPortal() {
			if r.Method != http.MethodGet {
				a.srv.RenderError(w, r, core.Errorf(core.ENOTFOUND, "县级平台管理只在门户网站上提供。"))
				return
			}
			http.Redirect(w, r, web.SiteBase(r, site.Portal)+acctTrimSlash(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		h(w, r, u)
	})
}

// CountyGate runs h for platform admins on the portal, through the
// sign-on room's console rule.
func CountyGate(s *web.Server, h func(w http.ResponseWriter, r *http.Request, a *Accounts, u *sso.User)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		acc := Of(r)
		if acc == nil {
			s.RenderError(w, r, core.Errorf(core.EFORBID, "统一身份认证未启用，管理功能不可用。"))
			return
		}
		acc.County(func(w http.ResponseWriter, r *http.Request, u *sso.User) { h(w, r, acc, u) })(w, r)
	}
}

func (a *Accounts) denied(w http.ResponseWriter, r *http.Request, u *sso.User, msg string) {
	t := web.SiteOf(r).Tenant
	a.Audit(r, u, audit.Entry{Action: "console.denied", TenantID: &t.ID, Target: r.Method + " " + r.URL.Path, Result: "denied"})
	a.srv.RenderError(w, r, core.Errorf(core.EFORBID, "%s", msg))
}

// ActorAt names u with their address, for stores whose audit entries
// take no address of their own (tenants.Store).
func (a *Accounts) ActorAt(r *http.Request, u *sso.User) string {
	return fmt.Sprintf("%s@%s", u.Actor(), a.ClientIP(r))
}
