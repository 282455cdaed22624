package admin

import (
	"net/http"
	"strconv"
	"strings"

	"yiwang/core"
	"yiwang/core/audit"
	"yiwang/core/content"
	"yiwang/core/web"
	"yiwang/core/web/account"
	"yiwang/sso"
	"yiwang/tenants"
)

// Consoles are the department console of every site (/admin/): the
// dashboard, the staff and their roles, the site's audit log. Their routes
// are in core/web/host/routes.go, each behind the sign-on's access rule.
type Consoles struct {
	srv *web.Server
	acc *account.Accounts
}

// NewConsoles makes the department console over s with sign-on acc.
func NewConsoles(s *web.Server, acc *account.Accounts) *Consoles { return &Consoles{srv: s, acc: acc} }

// consoleSite is another site of the person's, with its console.
type consoleSite struct{ Name, AdminURL string }

// dashboardView is the data of admin_home.html.
type dashboardView struct {
	Roles   []tenants.Role
	Entries []web.AdminEntry
	Columns []*content.Column
	Counts  map[int64]int
	Sites   []consoleSite
	County  string
}

// Dashboard is a site's console home: the person's roles, the console
// pages they may use, the site's columns and their other sites.
func (a *Consoles) Dashboard(w http.ResponseWriter, r *http.Request, u *sso.User) {
	site := web.SiteOf(r)
	t := site.Tenant
	roles := u.Roles(t.ID)
	v := dashboardView{}
	for _, x := range roles {
		if x != tenants.Citizen {
			v.Roles = append(v.Roles, x)
		}
	}
	if tenants.Allows(roles, tenants.PermMembers) {
		v.Entries = append(v.Entries, web.AdminEntry{Title: "工作人员与角色", URL: site.Base + "admin/members", Description: "为本站工作人员分配或收回编辑、审核、办理、访谈主持角色。"})
	}
	if tenants.Allows(roles, tenants.PermAuditTenant) {
		v.Entries = append(v.Entries, web.AdminEntry{Title: "审计日志", URL: site.Base + "admin/audit", Description: "查看本站工作人员的操作记录。"})
	}
	for _, fn := range a.srv.AdminEntrySources() {
		v.Entries = append(v.Entries, fn(r, t, roles)...)
	}
	if tenants.Allows(roles, tenants.PermContentEdit) {
		cols, err := a.srv.Content().Columns(r.Context(), t.ID, false)
		if err != nil {
			a.srv.RenderError(w, r, err)
			return
		}
		v.Columns = web.FlattenColumns(cols)
		if v.Counts, err = a.srv.Content().ArticleCounts(r.Context(), t.ID); err != nil {
			a.srv.RenderError(w, r, err)
			return
		}
	}
	if u.PlatformAdmin() {
		v.County = web.SiteBase(r, site.Portal) + "admin/county/"
	}
	byID := map[int64]*tenants.Tenant{}
	for _, x := range web.Tenants(r) {
		byID[x.ID] = x
	}
	seen := map[int64]bool{t.ID: true}
	for _, m := range u.EffectiveMemberships() {
		if x := byID[m.TenantID]; x != nil && !seen[x.ID] && x.Status == tenants.Active {
			seen[x.ID] = true
			v.Sites = append(v.Sites, consoleSite{Name: x.Name, AdminURL: web.SiteBase(r, x) + "admin/"})
		}
	}
	a.srv.RenderStatus(w, r, "admin_home", "管理后台 - "+t.Name, adminCrumbs(r), v, http.StatusOK)
}

// MembersView is the data of admin_members.html (a tenant's staff) and,
// with County set, of the county console's roles page.
type MembersView struct {
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

// Members lists the site's staff and their roles, with the forms to
// grant and revoke them.
func (a *Consoles) Members(w http.ResponseWriter, r *http.Request, u *sso.User) {
	a.renderMembers(w, r, u, "", http.StatusOK)
}

func (a *Consoles) renderMembers(w http.ResponseWriter, r *http.Request, u *sso.User, errMsg string, status int) {
	t := web.SiteOf(r).Tenant
	ms, err := a.acc.SSO().Memberships().OnTenant(r.Context(), t.ID)
	if err != nil {
		a.srv.RenderError(w, r, err)
		return
	}
	v := MembersView{Members: ms, Query: strings.TrimSpace(r.URL.Query().Get("q")), Done: ConsoleDone(r.URL.Query().Get("done")),
		Action: web.SiteOf(r).Base + "admin/members/"}
	if errMsg != "" {
		v.Done = ""
	}
	for _, role := range tenants.TenantRoles {
		if tenants.CanGrant(u.EffectiveMemberships(), t.ID, role) {
			v.Grantable = append(v.Grantable, role)
		}
	}
	if v.Query != "" {
		if v.Found, err = sso.FindAccounts(r.Context(), a.srv.DB(), v.Query, 20); err != nil {
			a.srv.RenderError(w, r, err)
			return
		}
	}
	a.srv.RenderStatus(w, r, "admin_members", "工作人员与角色 - "+t.Name, adminCrumbs(r, web.Crumb{Name: "工作人员与角色", URL: ""}),
		web.ConsoleForm{Data: v, Error: errMsg}, status)
}

// ConsoleDone is the message of a console form that succeeded, by the
// code its redirect carries.
func ConsoleDone(code string) string {
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
func (a *Consoles) MemberChange(grant bool) func(w http.ResponseWriter, r *http.Request, u *sso.User) {
	return func(w http.ResponseWriter, r *http.Request, u *sso.User) {
		t := web.SiteOf(r).Tenant
		err := a.ChangeRole(r, u, grant, t.ID, r.PostFormValue("account"), r.PostFormValue("role"))
		if err != nil {
			if core.ErrorCode(err) == core.EINTERNAL || core.ErrorCode(err) == core.EUNAVAIL {
				a.srv.RenderError(w, r, err)
				return
			}
			a.renderMembers(w, r, u, core.ErrorMessage(err), web.StatusOf(err))
			return
		}
		done := "revoke"
		if grant {
			done = "grant"
		}
		http.Redirect(w, r, web.SiteOf(r).Base+"admin/members?done="+done, http.StatusSeeOther)
	}
}

// ChangeRole checks and makes one grant or revocation; a refused or
// failed one is audited too.
func (a *Consoles) ChangeRole(r *http.Request, u *sso.User, grant bool, tenantID int64, account, roleName string) error {
	action := "role.revoke"
	if grant {
		action = "role.grant"
	}
	fail := func(err error) error {
		a.acc.Audit(r, u, audit.Entry{Action: action, TenantID: consoleTenantRef(tenantID), Target: "account:" + account,
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
	ms := a.acc.SSO().Memberships()
	if grant {
		err = ms.Grant(r.Context(), u.Actor(), a.acc.ClientIP(r), id, tenantID, role)
	} else {
		err = ms.Revoke(r.Context(), u.Actor(), a.acc.ClientIP(r), id, tenantID, role)
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
