package county

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"yiwang/core"
	"yiwang/core/audit"
	"yiwang/core/web"
	"yiwang/core/web/admin"
	"yiwang/sso"
	"yiwang/tenants"
)

// The county office's console: tenants (create, archive, restore,
// domains, footer facts), roles on every tenant, and the audit log.
// Changes go through tenants.Store and tenants.Memberships, which audit
// them in the transaction that makes them; refused and failed ones are
// audited here.

// countyView is the data of admin_county.html.
type countyView struct {
	Tenants []*tenants.Tenant
	Kinds   []tenants.Kind
	Form    *tenants.Tenant // the create form's values after a failed try
	Domains string
	Done    string
	Entries []web.AdminEntry
	Notices []web.CountyNotice
}

func (a *Office) countyCrumbs(r *http.Request, more ...web.Crumb) []web.Crumb {
	return append([]web.Crumb{{Name: "管理后台", URL: web.SiteOf(r).Base + "admin/"}, {Name: "县级平台管理", URL: web.SiteOf(r).Base + "admin/county/"}}, more...)
}

func (a *Office) CountyHome(w http.ResponseWriter, r *http.Request, u *sso.User) {
	a.renderCounty(w, r, u, nil, "", "", http.StatusOK)
}

func (a *Office) renderCounty(w http.ResponseWriter, r *http.Request, u *sso.User, form *tenants.Tenant, domains, errMsg string, status int) {
	ts, err := a.srv.TenantStore().List(r.Context())
	if err != nil {
		a.srv.RenderError(w, r, err)
		return
	}
	v := countyView{Tenants: ts, Kinds: tenants.Kinds[1:], Form: form, Domains: domains, Done: admin.ConsoleDone(r.URL.Query().Get("done")),
		Notices: a.srv.CountyNoticesOf(r)}
	if v.Form == nil {
		v.Form = &tenants.Tenant{Kind: tenants.Department}
	}
	// The entries of the portal for a platform admin include the
	// county-wide ones (the plugin host's: enabling modules per tenant).
	for _, fn := range a.srv.AdminEntrySources() {
		v.Entries = append(v.Entries, fn(r, web.SiteOf(r).Tenant, u.Roles(web.SiteOf(r).Tenant.ID))...)
	}
	a.srv.RenderStatus(w, r, "admin_county", "县级平台管理", a.countyCrumbs(r), web.ConsoleForm{Data: v, Error: errMsg}, status)
}

// consoleTenantForm reads the editable fields of a tenant from a form.
func consoleTenantForm(r *http.Request, t *tenants.Tenant) {
	f := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	t.Name, t.Sponsor, t.SiteIDCode, t.ICP, t.PSB = f("name"), f("sponsor"), f("site_id_code"), f("icp"), f("psb")
	t.Address, t.Phone, t.Email, t.ThemeColor, t.LogoURL = f("address"), f("phone"), f("email"), f("theme_color"), f("logo_url")
	t.OrgCode = tenants.NormalizeOrgCode(f("org_code"))
	if k := tenants.Kind(f("kind")); k != "" && !t.IsPortal() {
		t.Kind = k
	}
	if n, err := strconv.Atoi(f("sort")); err == nil {
		t.Sort = n
	}
}

func consoleDomains(s string) []string {
	var out []string
	for _, d := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == ' ' || r == '\n' || r == '\r' || r == '\t' }) {
		out = append(out, tenants.NormalizeHost(d))
	}
	return out
}

func (a *Office) CountyCreate(w http.ResponseWriter, r *http.Request, u *sso.User) {
	t := &tenants.Tenant{Code: strings.ToLower(strings.TrimSpace(r.PostFormValue("code")))}
	consoleTenantForm(r, t)
	if t.Kind == tenants.Portal {
		t.Kind = ""
	}
	t.Domains = consoleDomains(r.PostFormValue("domains"))
	if t.Sponsor == "" {
		t.Sponsor = t.Name
	}
	if err := a.srv.TenantStore().Create(r.Context(), a.acc.ActorAt(r, u), t); err != nil {
		a.countyFailed(w, r, u, "tenant.create", nil, t.Code, err, func(msg string, status int) {
			a.renderCounty(w, r, u, t, r.PostFormValue("domains"), msg, status)
		})
		return
	}
	a.srv.InvalidateTenants()
	http.Redirect(w, r, web.SiteOf(r).Base+"admin/county/tenants/"+t.Code+"?done=create", http.StatusSeeOther)
}

// countyFailed audits a refused or failed change and shows the form
// again with the message, or the error page when the database failed.
func (a *Office) countyFailed(w http.ResponseWriter, r *http.Request, u *sso.User, action string, tenantID *int64, target string, err error, again func(msg string, status int)) {
	a.acc.Audit(r, u, audit.Entry{Action: action, TenantID: tenantID, Target: target, Detail: core.ErrorMessage(err), Result: "error"})
	switch core.ErrorCode(err) {
	case core.EINVALID, core.ECONFLICT, core.EFORBID, core.ENOTFOUND:
		again(core.ErrorMessage(err), web.StatusOf(err))
	default:
		a.srv.RenderError(w, r, err)
	}
}

// tenantView is the data of admin_tenant.html.
type tenantView struct {
	T       *tenants.Tenant
	Kinds   []tenants.Kind
	Members []tenants.Membership
	SiteURL string
	Done    string
}

func (a *Office) CountyTenant(w http.ResponseWriter, r *http.Request, u *sso.User) {
	t, err := a.srv.TenantStore().ByCode(r.Context(), r.PathValue("code"))
	if err != nil {
		a.srv.RenderError(w, r, err)
		return
	}
	a.renderTenant(w, r, t, "", http.StatusOK)
}

func (a *Office) renderTenant(w http.ResponseWriter, r *http.Request, t *tenants.Tenant, errMsg string, status int) {
	ms, err := a.acc.SSO().Memberships().OnTenant(r.Context(), t.ID)
	if err != nil {
		a.srv.RenderError(w, r, err)
		return
	}
	v := tenantView{T: t, Kinds: tenants.Kinds[1:], Members: ms, SiteURL: web.SiteBase(r, t), Done: admin.ConsoleDone(r.URL.Query().Get("done"))}
	a.srv.RenderStatus(w, r, "admin_tenant", t.Name+" - 县级平台管理", a.countyCrumbs(r, web.Crumb{Name: t.Name, URL: ""}), web.ConsoleForm{Data: v, Error: errMsg}, status)
}

// countyChange runs one change to the tenant named in the path and
// answers: back to its page, or the page again with the message.
func (a *Office) countyChange(w http.ResponseWriter, r *http.Request, u *sso.User, action string,
	change func(t *tenants.Tenant) (done string, err error)) {
	t, err := a.srv.TenantStore().ByCode(r.Context(), r.PathValue("code"))
	if err != nil {
		a.srv.RenderError(w, r, err)
		return
	}
	done, err := change(t)
	if err != nil {
		a.countyFailed(w, r, u, action, &t.ID, t.Code, err, func(msg string, status int) {
			if fresh, ferr := a.srv.TenantStore().ByCode(r.Context(), t.Code); ferr == nil {
				t = fresh
			}
			a.renderTenant(w, r, t, msg, status)
		})
		return
	}
	a.srv.InvalidateTenants()
	http.Redirect(w, r, web.SiteOf(r).Base+"admin/county/tenants/"+url.PathEscape(t.Code)+"?done="+done, http.StatusSeeOther)
}

func (a *Office) CountyUpdate(w http.ResponseWriter, r *http.Request, u *sso.User) {
	a.countyChange(w, r, u, "tenant.update", func(t *tenants.Tenant) (string, error) {
		consoleTenantForm(r, t)
		return "update", a.srv.TenantStore().Update(r.Context(), a.acc.ActorAt(r, u), t)
	})
}

func (a *Office) CountyStatus(w http.ResponseWriter, r *http.Request, u *sso.User) {
	action := r.PostFormValue("action")
	a.countyChange(w, r, u, "tenant."+action, func(t *tenants.Tenant) (string, error) {
		st := tenants.Archived
		switch action {
		case "archive":
		case "restore":
			st = tenants.Active
		default:
			return "", core.Errorf(core.EINVALID, "未知操作“%s”", action)
		}
		_, err := a.srv.TenantStore().SetStatus(r.Context(), a.acc.ActorAt(r, u), t.Code, st)
		return action, err
	})
}

func (a *Office) CountyDomainAdd(w http.ResponseWriter, r *http.Request, u *sso.User) {
	a.countyChange(w, r, u, "tenant.domain.add", func(t *tenants.Tenant) (string, error) {
		host := tenants.NormalizeHost(r.PostFormValue("host"))
		if owner, err := a.srv.TenantStore().DomainOwner(r.Context(), host); err != nil {
			return "", err
		} else if owner != "" && owner != t.Code {
			return "", core.Errorf(core.ECONFLICT, "域名“%s”已映射到站点“%s”", host, owner)
		}
		return "domain", a.srv.TenantStore().AddDomain(r.Context(), a.acc.ActorAt(r, u), t.Code, host, r.PostFormValue("primary") == "1")
	})
}

func (a *Office) CountyDomainRemove(w http.ResponseWriter, r *http.Request, u *sso.User) {
	a.countyChange(w, r, u, "tenant.domain.remove", func(t *tenants.Tenant) (string, error) {
		return "domain", a.srv.TenantStore().RemoveDomain(r.Context(), a.acc.ActorAt(r, u), t.Code, r.PostFormValue("host"))
	})
}

func (a *Office) CountyRoles(w http.ResponseWriter, r *http.Request, u *sso.User) {
	a.renderCountyRoles(w, r, u, "", http.StatusOK)
}

func (a *Office) renderCountyRoles(w http.ResponseWriter, r *http.Request, u *sso.User, errMsg string, status int) {
	ms, err := a.acc.SSO().Memberships().All(r.Context())
	if err != nil {
		a.srv.RenderError(w, r, err)
		return
	}
	ts, err := a.srv.TenantStore().List(r.Context())
	if err != nil {
		a.srv.RenderError(w, r, err)
		return
	}
	v := admin.MembersView{County: true, Tenants: ts, Members: ms, Grantable: tenants.StaffRoles,
		Query: strings.TrimSpace(r.URL.Query().Get("q")), Action: web.SiteOf(r).Base + "admin/county/roles/"}
	if errMsg == "" {
		v.Done = admin.ConsoleDone(r.URL.Query().Get("done"))
	}
	if v.Query != "" {
		if v.Found, err = sso.FindAccounts(r.Context(), a.srv.DB(), v.Query, 20); err != nil {
			a.srv.RenderError(w, r, err)
			return
		}
	}
	if v.Factors, err = sso.SecondFactors(r.Context(), a.srv.DB()); err != nil {
		a.srv.RenderError(w, r, err)
		return
	}
	a.srv.RenderStatus(w, r, "admin_members", "角色管理 - 县级平台管理", a.countyCrumbs(r, web.Crumb{Name: "角色管理", URL: ""}),
		web.ConsoleForm{Data: v, Error: errMsg}, status)
}

// CountyRoleChange grants or revokes a role on any tenant (or the
// platform-wide platform_admin).
func (a *Office) CountyRoleChange(grant bool) func(w http.ResponseWriter, r *http.Request, u *sso.User) {
	return func(w http.ResponseWriter, r *http.Request, u *sso.User) {
		var tenantID int64
		if code := strings.TrimSpace(r.PostFormValue("tenant")); code != "" {
			t, err := a.srv.TenantStore().ByCode(r.Context(), code)
			if err != nil {
				a.renderCountyRoles(w, r, u, core.ErrorMessage(err), web.StatusOf(err))
				return
			}
			tenantID = t.ID
		}
		if err := a.adm.ChangeRole(r, u, grant, tenantID, r.PostFormValue("account"), r.PostFormValue("role")); err != nil {
			if core.ErrorCode(err) == core.EINTERNAL || core.ErrorCode(err) == core.EUNAVAIL {
				a.srv.RenderError(w, r, err)
				return
			}
			a.renderCountyRoles(w, r, u, core.ErrorMessage(err), web.StatusOf(err))
			return
		}
		done := "revoke"
		if grant {
			done = "grant"
		}
		http.Redirect(w, r, web.SiteOf(r).Base+"admin/county/roles?done="+done, http.StatusSeeOther)
	}
}

// CountyMFAReset removes a person's platform second factor (a lost
// phone): they enrol again at their next staff sign-in. Audited.
func (a *Office) CountyMFAReset(w http.ResponseWriter, r *http.Request, u *sso.User) {
	id, err := strconv.ParseInt(r.PostFormValue("account"), 10, 64)
	if err != nil {
		a.renderCountyRoles(w, r, u, "请选择要重置动态验证码的用户。", http.StatusBadRequest)
		return
	}
	if err := sso.ResetTOTP(r.Context(), a.srv.DB(), u.Actor(), id); err != nil {
		if code := core.ErrorCode(err); code == core.EINTERNAL || code == core.EUNAVAIL {
			a.srv.RenderError(w, r, err)
			return
		}
		a.renderCountyRoles(w, r, u, core.ErrorMessage(err), web.StatusOf(err))
		return
	}
	http.Redirect(w, r, web.SiteOf(r).Base+"admin/county/roles?done=mfa", http.StatusSeeOther)
}

// CountyAudit is the audit log of every tenant, or of one chosen.
func (a *Office) CountyAudit(w http.ResponseWriter, r *http.Request, u *sso.User) {
	f := admin.ReadAuditFilter(r)
	var tid *int64
	if f.Tenant != "" {
		t, err := a.srv.TenantStore().ByCode(r.Context(), f.Tenant)
		if err != nil {
			a.srv.RenderError(w, r, err)
			return
		}
		tid = &t.ID
	}
	a.adm.RenderAudit(w, r, f, tid, true, a.countyCrumbs(r, web.Crumb{Name: "审计日志", URL: ""}))
}
