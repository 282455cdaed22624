package county_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"yiwang/core/audit"
	"yiwang/core/modules"
	"yiwang/core/modules/modulestest"
	"yiwang/core/store/storetest"
	"yiwang/core/web/webtest"
)

func TestCountyConsoleEnablesModulesPerTenant(t *testing.T) {
	e := webtest.NewSSOEnv(t, storetest.SQLite(t))
	ctx := context.Background()
	ms := modules.NewStore(e.DB, e.TS)
	e.Srv.EnableModuleConsole(modulestest.StoreConsole{S: ms})

	adm := e.Browser(t)
	adm.LoginDemo("admin")
	p := adm.Get(e.Portal + "/admin/county/modules")
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "思南县教育局") || !strings.Contains(p.Body, "为思南县教育局启用专题专栏") {
		t.Fatalf("module console: %d, lacks the tenants and their switches", p.Status)
	}
	tok := webtest.Field(webtest.CSRFRe, p.Body)
	p = adm.Post(e.Portal+"/admin/county/modules", url.Values{"csrf": {tok}, "tenant": {"jyj"}, "module": {"topics"}, "action": {"enable"}})
	if !strings.Contains(p.Body, "模块已启用") || !strings.Contains(p.Body, "为思南县教育局停用专题专栏") {
		t.Fatalf("enable topics for jyj: %d", p.Status)
	}
	if es, _ := ms.List(ctx, modules.Filter{TenantCode: "jyj", Module: "topics", EnabledOnly: true}); len(es) != 1 {
		t.Fatalf("topics not enabled for jyj in the store: %+v", es)
	}
	p = adm.Post(e.Portal+"/admin/county/modules", url.Values{"csrf": {tok}, "tenant": {"jyj"}, "module": {"topics"}, "action": {"disable"}})
	if !strings.Contains(p.Body, "模块已停用") {
		t.Fatalf("disable topics for jyj: %d", p.Status)
	}
	if es, _ := ms.List(ctx, modules.Filter{TenantCode: "jyj", Module: "topics"}); len(es) != 1 || es[0].Enabled {
		t.Fatalf("disabling must keep the row, switched off: %+v", es)
	}
	p = adm.Post(e.Portal+"/admin/county/modules", url.Values{"csrf": {tok}, "tenant": {"jyj"}, "module": {"nosuch"}, "action": {"enable"}})
	if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "没有名为“nosuch”的模块") {
		t.Errorf("unknown module: %d", p.Status)
	}
	if h := adm.Once("POST", e.Portal+"/admin/county/modules", url.Values{"tenant": {"jyj"}, "module": {"topics"}, "action": {"enable"}}); h.Status != http.StatusForbidden {
		t.Errorf("POST without a CSRF token: %d, want 403", h.Status)
	}
	entries, err := audit.List(ctx, e.DB, audit.Filter{Limit: 50})
	webtest.Must(t, err)
	var changes int
	for _, en := range entries {
		if strings.HasPrefix(en.Action, "module.") && en.Target != "" {
			changes++
		}
	}
	if changes < 2 {
		t.Errorf("audit log has %d module changes, want the enable and the disable", changes)
	}

	// An editor of a department is refused the county console.
	ed := e.Browser(t)
	ed.LoginDemo("editor")
	if h := ed.Once("GET", e.Portal+"/admin/county/modules", nil); h.Status != http.StatusForbidden {
		t.Errorf("editor on the module console: %d, want 403", h.Status)
	}
}
