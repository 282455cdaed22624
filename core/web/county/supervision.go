package county

import (
	"context"
	"html/template"
	"net/http"
	"time"

	"yiwang/core/content"
	"yiwang/core/web"
	"yiwang/core/web/account"
	"yiwang/sso"
	"yiwang/tenants"
)

// Supervision is what the county office's dashboard needs of the plugin
// host: each module's figures for each tenant that enables it.
type Supervision interface {
	// Figures returns, per module, the figures of every enabling tenant
	// over [from, to).
	Figures(ctx context.Context, from, to time.Time) ([]ModuleFigures, error)
}

// ModuleFigures are one module's figures across tenants.
type ModuleFigures struct {
	Module, Title string
	Columns       []FigureColumn // the stats the module reports, in its order
	Rows          []FigureRow
	Err           string // the module could not answer (down): said on the page
}

// FigureColumn is one reported stat.
type FigureColumn struct{ Name, Title, Unit string }

// FigureRow is one tenant's values, by column name.
type FigureRow struct {
	Tenant *tenants.Tenant
	Values map[string]float64
}

// NewSupervisionPage makes /admin/county/supervision: every module's
// figures per tenant this month, as tables and bar charts, for platform
// admins on the portal. The daily check and the website reports read
// the same figures from m. Its route is added by core/web/host.
func NewSupervisionPage(m *Monitor, sv Supervision) *SupervisionPage {
	s := m
	s.mu.Lock()
	s.supervision = sv
	s.mu.Unlock()
	s.srv.AddConsoleRoutes(web.ConsoleRoute{Method: "GET", Path: "/admin/county/supervision"})
	s.srv.AddAdminEntries(func(r *http.Request, t *tenants.Tenant, roles []tenants.Role) []web.AdminEntry {
		if !onPortalFor(t, roles) {
			return nil
		}
		return []web.AdminEntry{{Title: "监管统计", URL: web.SiteOf(r).Base + "admin/county/supervision", Description: "各站点各模块本月的办理情况：在办、超期、最久未办结等，表格和图表。"}}
	})
	return &SupervisionPage{s: s, sv: sv}
}

// SupervisionPage is the county console's figures of every module.
type SupervisionPage struct {
	s  *Monitor
	sv Supervision
}

// Page shows this month's figures of every module.
func (p *SupervisionPage) Page(w http.ResponseWriter, r *http.Request, a *account.Accounts, u *sso.User) {
	p.s.supervisionPage(p.sv)(w, r, a, u)
}

type supervisionView struct {
	From, To string
	Modules  []ModuleFigures
}

// Chart draws one column of the figures as horizontal bars, largest
// first: an SVG with a title and description, the table beside it
// carries the same numbers for screen readers.
func (m ModuleFigures) Chart(col string) template.HTML {
	var title string
	for _, c := range m.Columns {
		if c.Name == col {
			title = c.Title
		}
	}
	var bars []web.Bar
	for _, r := range m.Rows {
		if v := r.Values[col]; v > 0 {
			bars = append(bars, web.Bar{Name: r.Tenant.Name, V: v, Color: ""})
		}
	}
	return web.HorizontalBars("c-"+m.Module+"-"+col, m.Title+"："+title+"（按站点）", bars, true)
}

// Value formats a row's value of column col.
func (r FigureRow) Value(col string) string { return web.FormatFigure(r.Values[col]) }

// supervisionPage shows this month's figures of every module.
func (s *Monitor) supervisionPage(sv Supervision) func(w http.ResponseWriter, r *http.Request, _ *account.Accounts, _ *sso.User) {
	return func(w http.ResponseWriter, r *http.Request, _ *account.Accounts, _ *sso.User) {
		now := time.Now().In(content.Location)
		from := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, content.Location)
		figs, err := sv.Figures(r.Context(), from, now)
		if err != nil {
			s.srv.RenderError(w, r, err)
			return
		}
		crumbs := []web.Crumb{{Name: "管理后台", URL: web.SiteOf(r).Base + "admin/"}, {Name: "县级平台管理", URL: web.SiteOf(r).Base + "admin/county/"}, {Name: "监管统计", URL: ""}}
		s.srv.RenderStatus(w, r, "admin_supervision", "监管统计 - 县级平台管理", crumbs,
			supervisionView{From: from.Format("2006-01-02"), To: now.Format("2006-01-02"), Modules: figs}, http.StatusOK)
	}
}
