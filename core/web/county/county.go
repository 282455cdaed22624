// Package county is the county office's consoles under /admin/county/ on
// the portal, for platform admins: the tenants, their domains and roles,
// the audit log of every tenant (tenants.go), update monitoring
// (freshness.go), the daily check (monitor.go), the yearly website
// reports (website_report.go), the modules' figures (supervision.go), and
// the optional pages: the working-day calendar, the HTTPS certificates,
// the modules enabled per tenant, the search index and storage. Each
// page's constructor adds its console entry, its county notices and its
// routes' list for the access tests; the routes themselves are in
// core/web/host/routes.go, behind the sign-on's county rule. The
// templates (admin_county.html, admin_tenant.html, admin_calendar.html, …:
// the file named for the page) are the shared layer's, parsed with the
// layout at start.
package county

import (
	"net/http"
	"slices"
	"sync"

	"yiwang/core/web"
	"yiwang/core/web/account"
	"yiwang/core/web/admin"
	"yiwang/tenants"
)

// Monitor holds what the county's monitoring pages read: the facts of
// the last background gathering and the modules' figures.
type Monitor struct {
	srv         *web.Server
	mu          sync.Mutex
	supervision Supervision // the modules' figures, nil without modules
	snap        monitorSnapshot
}

// NewMonitor is the monitoring of s's sites, without the modules' figures
// until the supervision page is enabled.
func NewMonitor(s *web.Server) *Monitor { return &Monitor{srv: s} }

// Office is the county office's own console over the shared layer's
// server, with sign-on and the department console it shares forms with.
type Office struct {
	srv *web.Server
	acc *account.Accounts
	adm *admin.Consoles
	mon *Monitor
}

// NewOffice makes the county console: its notices (stale sites, sites
// that fail the daily check) on the console home.
func NewOffice(s *web.Server, acc *account.Accounts, adm *admin.Consoles, mon *Monitor) *Office {
	s.AddCountyNotices(mon.freshnessNotice)
	s.AddCountyNotices(mon.monitorNotice)
	return &Office{srv: s, acc: acc, adm: adm, mon: mon}
}

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
