// Package county is the county office's consoles under /admin/county/ on
// the portal, for platform admins: the working-day calendar, the HTTPS
// certificates, the modules enabled per tenant and the search index. Each
// page's constructor adds its console entry, its county notices and its
// routes' list for the access tests; the routes themselves are in
// core/web/host/routes.go, behind web.Server.CountyGate. The templates
// (admin_calendar.html, admin_certs.html, admin_modules.html,
// admin_search.html) are the shared layer's, parsed with the layout at
// start.
package county

import (
	"net/http"
	"slices"

	"yiwang/core/web"
	"yiwang/tenants"
)

// crumbs are a county console page's breadcrumbs, ending at the page.
func crumbs(r *http.Request, page string) []web.Crumb {
	base := web.SiteOf(r).Base
	return []web.Crumb{{Name: "管理后台", URL: base + "admin/"}, {Name: "县级平台管理", URL: base + "admin/county/"}, {Name: page}}
}

// onPortalFor reports whether a county console entry shows: on the
// portal, for a platform admin.
func onPortalFor(t *tenants.Tenant, roles []tenants.Role) bool {
	return t.IsPortal() && slices.Contains(roles, tenants.PlatformAdmin)
}
