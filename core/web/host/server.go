// Package host assembles the HTTP side: the shared layer (core/web) and
// its rooms (core/web/site, the sign-on and the consoles), with the one
// route table of the host (routes.go). core/cli builds the server here
// and enables each optional room; core/modules mounts the modules on it.
package host

import (
	"context"
	"log/slog"
	"net/http"

	"yiwang/core/calendar"
	"yiwang/core/content"
	"yiwang/core/monitor"
	"yiwang/core/search"
	"yiwang/core/store"
	"yiwang/core/web"
	"yiwang/core/web/account"
	"yiwang/core/web/admin"
	"yiwang/core/web/county"
	"yiwang/core/web/site"
	"yiwang/sso"
	"yiwang/tenants"
)

// Server is the shared layer's server with its rooms: every method of
// web.Server, and the Enable… calls that add a room and its routes.
type Server struct {
	*web.Server
	pages   *site.Pages
	monitor *county.Monitor
}

// New builds a server with the top routes and the public site; it fails
// when a template does not parse.
func New(cfg web.Config, db *store.DB, ts *tenants.Store, cs *content.Store, log *slog.Logger) (*Server, error) {
	srv, err := web.New(cfg, db, ts, cs, log)
	if err != nil {
		return nil, err
	}
	s := &Server{Server: srv, pages: site.New(srv), monitor: county.NewMonitor(srv)}
	s.topRoutes()
	s.siteRoutes(s.pages)
	return s, nil
}

// CountyGate runs h for platform admins on the portal, through the
// sign-on's county rule.
func (s *Server) CountyGate(h func(w http.ResponseWriter, r *http.Request, a *account.Accounts, u *sso.User)) http.HandlerFunc {
	return account.CountyGate(s.Server, h)
}

// MountSearch adds the search page on every site, over idx.
func (s *Server) MountSearch(idx search.Index) { s.searchRoutes(s.pages, idx) }

// EnableAccounts installs sign-on, the account pages and the consoles.
// Call before serving.
func (s *Server) EnableAccounts(svc *sso.Service, opts account.Options) *account.Accounts {
	a := account.New(s.Server, svc, opts)
	d := admin.NewConsoles(s.Server, a)
	s.accountRoutes(a)
	s.consoleRoutes(a, d, county.NewOffice(s.Server, a, d, s.monitor))
	return a
}

// EnableEditorial installs the editorial console and the public routes of
// uploaded files and videos. Sign-on (EnableAccounts) must be enabled for
// the console to open; without it every console route answers 403.
func (s *Server) EnableEditorial(d *content.Desk, opts admin.EditorialOptions) {
	e := admin.NewEditorial(s.Server, d, opts)
	s.articleRoutes(e)
	s.columnRoutes(e)
	s.submissionRoutes(e)
	s.videoRoutes(e)
	s.storageRoutes(county.NewStoragePage(s.Server, e))
	s.AddAdminEntries(e.Entries)
}

// EnableCalendar adds /admin/county/calendar on the portal, for platform
// admins.
func (s *Server) EnableCalendar(cs *calendar.Store) {
	s.calendarRoutes(county.NewCalendarConsole(s.Server, cs))
}

// EnableCertsConsole adds /admin/county/certs on the portal, for platform
// admins. stored lists the certificates; https says whether the process
// serves HTTPS itself (else TLS ends in front of it, and the page says
// so).
func (s *Server) EnableCertsConsole(stored county.CertsLister, https bool) {
	s.certsRoutes(county.NewCertsConsole(s.Server, stored, https))
}

// EnableModuleConsole adds the county console's page for enabling
// modules per tenant: /admin/county/modules on the portal, platform
// admins only, every change audited by the host.
func (s *Server) EnableModuleConsole(mc county.ModuleConsole) {
	s.moduleConsoleRoutes(county.NewModulesPage(s.Server, mc))
}

// EnableSearchConsole adds /admin/county/search on the portal, for
// platform admins. describe names the backend ("bleve:data/search");
// stale reports that this server's own index misses changes another
// server applies (several servers on an embedded index).
func (s *Server) EnableSearchConsole(idx search.Index, describe string, stale func() bool) {
	s.searchConsoleRoutes(county.NewSearchConsole(s.Server, idx, describe, stale))
}

// EnableSupervision adds /admin/county/supervision: every module's
// figures per tenant this month, as tables and bar charts, for platform
// admins on the portal.
func (s *Server) EnableSupervision(sv county.Supervision) {
	s.supervisionRoutes(county.NewSupervisionPage(s.monitor, sv))
}

// RefreshMonitor gathers the facts of the daily check for yesterday in
// the background (serve runs it every ten minutes), so that the county
// office's page evaluates them without reading the county's data.
func (s *Server) RefreshMonitor(ctx context.Context) error { return s.monitor.RefreshMonitor(ctx) }

// OldestCases are the longest-waiting letter or request of each site, by
// tenant code, from the last background gathering (none before one).
func (s *Server) OldestCases() map[string]monitor.OpenCase { return s.monitor.OldestCases() }
