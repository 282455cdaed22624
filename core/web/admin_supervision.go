package web

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"sort"
	"strings"
	"time"

	"yiwang/core/content"
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
// admins on the portal.
func NewSupervisionPage(s *Server, sv Supervision) *SupervisionPage {
	s.mu.Lock()
	s.supervision = sv
	s.mu.Unlock()
	s.addConsoleRoutes(ConsoleRoute{"GET", "/admin/county/supervision"})
	s.AddAdminEntries(func(r *http.Request, t *tenants.Tenant, roles []tenants.Role) []AdminEntry {
		if !t.IsPortal() || !hasRole(roles, tenants.PlatformAdmin) {
			return nil
		}
		return []AdminEntry{{"监管统计", SiteOf(r).Base + "admin/county/supervision", "各站点各模块本月的办理情况：在办、超期、最久未办结等，表格和图表。"}}
	})
	return &SupervisionPage{s: s, sv: sv}
}

// SupervisionPage is the county console's figures of every module.
type SupervisionPage struct {
	s  *Server
	sv Supervision
}

// Page shows this month's figures of every module.
func (p *SupervisionPage) Page(w http.ResponseWriter, r *http.Request, a *Accounts, u *sso.User) {
	p.s.supervisionPage(p.sv)(w, r, a, u)
}

func hasRole(rs []tenants.Role, want tenants.Role) bool {
	for _, r := range rs {
		if r == want {
			return true
		}
	}
	return false
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
	var bars []hbar
	for _, r := range m.Rows {
		if v := r.Values[col]; v > 0 {
			bars = append(bars, hbar{r.Tenant.Name, v, ""})
		}
	}
	return horizontalBars("c-"+m.Module+"-"+col, m.Title+"："+title+"（按站点）", bars, true)
}

// hbar is one bar: its label, its value, and its colour ("" for the
// theme's).
type hbar struct {
	Name  string
	V     float64
	Color string
}

// horizontalBars draws bars as an SVG with a title, largest first when
// sorted (else in the order given); the table beside it carries the same
// numbers for screen readers. Nothing for no bars.
func horizontalBars(id, title string, bars []hbar, sorted bool) template.HTML {
	if len(bars) == 0 {
		return ""
	}
	bars = append([]hbar(nil), bars...)
	if sorted {
		sort.SliceStable(bars, func(i, j int) bool { return bars[i].V > bars[j].V })
	}
	max := 0.0
	for _, x := range bars {
		max = maxf(max, x.V)
	}
	const rowH, labelW, barW = 26, 220, 360
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="bar-chart" role="img" aria-labelledby="%s-t" viewBox="0 0 %d %d" width="100%%">`, id, labelW+barW+60, rowH*len(bars)+10)
	fmt.Fprintf(&b, `<title id="%s-t">%s</title>`, id, template.HTMLEscapeString(title))
	for i, x := range bars {
		y := 5 + i*rowH
		w := 2
		if max > 0 {
			w = max2(int(x.V/max*barW), 2)
		}
		color := x.Color
		if color == "" {
			color = "#a8141c"
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" font-size="13" fill="#1f1f1f">%s</text>`, labelW-6, y+17, template.HTMLEscapeString(x.Name))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="18" fill="%s"></rect>`, labelW, y+3, w, template.HTMLEscapeString(color))
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="13" fill="#1f1f1f">%s</text>`, labelW+w+6, y+17, formatFigure(x.V))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // every text is escaped above
}

func max2(a, b int) int {
	if a > b {
		return a
	}
	return b
}

func maxf(a, b float64) float64 {
	if a > b {
		return a
	}
	return b
}

// Value formats a row's value of column col.
func (r FigureRow) Value(col string) string { return formatFigure(r.Values[col]) }

func formatFigure(v float64) string {
	if v == float64(int64(v)) {
		return fmt.Sprint(int64(v))
	}
	return fmt.Sprintf("%.1f", v)
}

// sparkline draws a short series of counts as small bars for a table
// cell, oldest first, with the numbers spoken in its label; a week with
// nothing is a red tick, so a gap shows at a glance.
func sparkline(label string, values []int) template.HTML {
	if len(values) == 0 {
		return ""
	}
	peak := 0
	spoken := make([]string, len(values))
	for i, v := range values {
		peak = max2(peak, v)
		spoken[i] = fmt.Sprint(v)
	}
	const barW, gap, h = 8, 2, 24
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="sparkline" role="img" aria-label="%s" viewBox="0 0 %d %d" width="%d" height="%d">`,
		template.HTMLEscapeString(label+"："+strings.Join(spoken, "、")), len(values)*(barW+gap), h, len(values)*(barW+gap), h)
	fmt.Fprintf(&b, `<title>%s</title>`, template.HTMLEscapeString(label+"："+strings.Join(spoken, "、")))
	for i, v := range values {
		x := i * (barW + gap)
		if v == 0 {
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="2" fill="#a8141c"></rect>`, x, h-2, barW)
			continue
		}
		bh := max2(v*(h-2)/max2(peak, 1), 3)
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="#1e5a8a"></rect>`, x, h-bh, barW, bh)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // every text is escaped above
}

// shareBar draws a part of a whole (0 to 1) as a filled bar for a table
// cell; the figure is written beside it in the page, so the bar itself
// only repeats it for the eye.
func shareBar(share float64) template.HTML {
	const w, h = 60, 10
	fill := int(share*w + 0.5)
	color := "#1e6b34"
	if share < 0.9 {
		color = "#a8141c"
	}
	return template.HTML(fmt.Sprintf(`<svg class="share-bar" aria-hidden="true" viewBox="0 0 %d %d" width="%d" height="%d"><rect width="%d" height="%d" fill="none" stroke="#595959"></rect><rect width="%d" height="%d" fill="%s"></rect></svg>`,
		w, h, w, h, w, h, fill, h, color)) //nolint:gosec // numbers only
}

// supervisionPage shows this month's figures of every module.
func (s *Server) supervisionPage(sv Supervision) func(w http.ResponseWriter, r *http.Request, _ *Accounts, _ *sso.User) {
	return func(w http.ResponseWriter, r *http.Request, _ *Accounts, _ *sso.User) {
		now := time.Now().In(content.Location)
		from := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, content.Location)
		figs, err := sv.Figures(r.Context(), from, now)
		if err != nil {
			s.RenderError(w, r, err)
			return
		}
		crumbs := []Crumb{{"管理后台", SiteOf(r).Base + "admin/"}, {"县级平台管理", SiteOf(r).Base + "admin/county/"}, {"监管统计", ""}}
		s.RenderStatus(w, r, "admin_supervision", "监管统计 - 县级平台管理", crumbs,
			supervisionView{From: from.Format("2006-01-02"), To: now.Format("2006-01-02"), Modules: figs}, http.StatusOK)
	}
}
