package county

import (
	"context"
	"net/http"
	"strings"

	"yiwang/core"
	"yiwang/core/web"
	"yiwang/core/web/account"
	"yiwang/sso"
	"yiwang/tenants"
)

// ModuleInfo describes a module the host runs, for the county console.
type ModuleInfo struct {
	Name, Title, Version string
	Running              bool
}

// ModuleConsole is what the county console needs of the plugin host to
// switch modules on and off per tenant. The host implements it; the web
// server only draws the page and checks who may use it.
type ModuleConsole interface {
	Modules() []ModuleInfo
	// Enabled returns, per tenant id, the modules enabled there.
	Enabled(ctx context.Context) (map[int64]map[string]bool, error)
	// SetEnabled enables or disables module for the tenant with code; the
	// host audits the change and applies it at once. settings, when not
	// nil, replaces the tenant's settings (a JSON object).
	SetEnabled(ctx context.Context, actor, code, module string, on bool, settings *string) error
}

// moduleConsoleView is the data of admin_modules.html.
type moduleConsoleView struct {
	Modules []ModuleInfo
	Groups  []moduleConsoleGroup
	Action  string
	Done    string
}

type moduleConsoleGroup struct {
	Label string
	Rows  []moduleConsoleRow
}

type moduleConsoleRow struct {
	Tenant *tenants.Tenant
	On     map[string]bool
}

// ModulesPage is the county console's page for enabling modules per
// tenant.
type ModulesPage struct {
	s  *web.Server
	mc ModuleConsole
}

// NewModulesPage makes the county console's page for enabling modules
// per tenant (/admin/county/modules on the portal, platform admins only,
// every change audited by the host): its console entry; its routes are
// added by core/web/host.
func NewModulesPage(s *web.Server, mc ModuleConsole) *ModulesPage {
	s.AddConsoleRoutes(web.ConsoleRoute{Method: "GET", Path: "/admin/county/modules"},
		web.ConsoleRoute{Method: "POST", Path: "/admin/county/modules"})
	s.AddAdminEntries(func(r *http.Request, t *tenants.Tenant, roles []tenants.Role) []web.AdminEntry {
		if !onPortalFor(t, roles) {
			return nil
		}
		return []web.AdminEntry{{Title: "模块管理", URL: web.SiteOf(r).Base + "admin/county/modules", Description: "为各站点启用或停用信息公开、领导信箱、在线访谈、专题专栏等模块；停用不删除数据。"}}
	})
	return &ModulesPage{s: s, mc: mc}
}

// Page lists every tenant with the modules enabled on it.
func (m *ModulesPage) Page(w http.ResponseWriter, r *http.Request, _ *account.Accounts, _ *sso.User) {
	m.render(w, r, "", http.StatusOK)
}

// Change enables or disables a module for a tenant.
func (m *ModulesPage) Change(w http.ResponseWriter, r *http.Request, _ *account.Accounts, u *sso.User) {
	m.change(w, r, u)
}

func (m *ModulesPage) render(w http.ResponseWriter, r *http.Request, errMsg string, status int) {
	s, mc := m.s, m.mc
	enabled, err := mc.Enabled(r.Context())
	if err != nil {
		s.RenderError(w, r, err)
		return
	}
	ts, err := s.TenantStore().List(r.Context())
	if err != nil {
		s.RenderError(w, r, err)
		return
	}
	v := moduleConsoleView{Modules: mc.Modules(), Action: web.SiteOf(r).Base + "admin/county/modules"}
	switch r.URL.Query().Get("done") {
	case "enabled":
		v.Done = "模块已启用，立即生效。"
	case "disabled":
		v.Done = "模块已停用：该站点的模块页面返回 404、导航入口消失，数据保留，重新启用即恢复。"
	}
	for _, k := range tenants.Kinds {
		g := moduleConsoleGroup{Label: k.Label()}
		for _, t := range ts {
			if t.Kind == k && t.Status == tenants.Active {
				on := enabled[t.ID]
				if on == nil {
					on = map[string]bool{}
				}
				g.Rows = append(g.Rows, moduleConsoleRow{Tenant: t, On: on})
			}
		}
		if len(g.Rows) > 0 {
			v.Groups = append(v.Groups, g)
		}
	}
	crumbs := crumbs(r, "模块管理")
	s.RenderStatus(w, r, "admin_modules", "模块管理 - 县级平台管理", crumbs, web.ConsoleForm{Data: v, Error: errMsg}, status)
}

// change enables or disables a module for a tenant.
func (m *ModulesPage) change(w http.ResponseWriter, r *http.Request, u *sso.User) {
	code, module := strings.TrimSpace(r.PostFormValue("tenant")), strings.TrimSpace(r.PostFormValue("module"))
	on := r.PostFormValue("action") == "enable"
	var settings *string
	if v, ok := r.PostForm["settings"]; ok && strings.TrimSpace(v[0]) != "" {
		settings = &v[0]
	}
	known := false
	for _, info := range m.mc.Modules() {
		known = known || info.Name == module
	}
	err := error(nil)
	if !known {
		err = core.Errorf(core.EINVALID, "没有名为“%s”的模块", module)
	} else {
		err = m.mc.SetEnabled(r.Context(), u.Actor(), code, module, on, settings)
	}
	if err != nil {
		m.render(w, r, core.ErrorMessage(err), web.StatusOf(err))
		return
	}
	done := "disabled"
	if on {
		done = "enabled"
	}
	http.Redirect(w, r, web.SiteOf(r).Base+"admin/county/modules?done="+done+"#t-"+code, http.StatusSeeOther)
}
