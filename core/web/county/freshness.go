package county

import (
	"fmt"
	"html/template"
	"net/http"
	"sort"
	"time"

	"yiwang/core/content"
	"yiwang/core/web"
	"yiwang/sso"
	"yiwang/tenants"
)

// The county office's update monitoring (网站监测): how long since each
// site's watched columns last published, flagged past the thresholds of
// content.FreshnessRules, as a table and a chart, worst first.

type freshCell struct {
	Last   string // date, "" for never
	Days   int    // since the last article; -1 for never
	Over   bool
	Recent int
}

type freshRow struct {
	Site, URL string
	Cells     []freshCell // one per rule
	Worst     int         // days of the most overdue watched column, for ordering
	Over      bool
}

type freshnessView struct {
	Rules []content.FreshnessRule
	Rows  []freshRow
	Over  int
	Chart template.HTML
	Since string
}

func (a *Office) CountyFreshness(w http.ResponseWriter, r *http.Request, _ *sso.User) {
	v, err := a.mon.freshnessView(r)
	if err != nil {
		a.srv.RenderError(w, r, err)
		return
	}
	crumbs := []web.Crumb{{Name: "管理后台", URL: web.SiteOf(r).Base + "admin/"}, {Name: "县级平台管理", URL: web.SiteOf(r).Base + "admin/county/"}, {Name: "更新情况", URL: ""}}
	a.srv.RenderStatus(w, r, "admin_freshness", "更新情况 - 县级平台管理", crumbs, v, http.StatusOK)
}

// freshnessNotice tells the county console's home how many sites are
// overdue.
func (s *Monitor) freshnessNotice(r *http.Request) []web.CountyNotice {
	v, err := s.freshnessView(r)
	if err != nil || v.Over == 0 {
		return nil
	}
	return []web.CountyNotice{{Text: fmt.Sprintf("有 %d 个站点的受监测栏目超期未更新。", v.Over), URL: web.SiteOf(r).Base + "admin/county/freshness"}}
}

func (s *Monitor) freshnessView(r *http.Request) (*freshnessView, error) {
	ctx := r.Context()
	now := time.Now()
	fs, err := s.srv.Content().Freshness(ctx, now.AddDate(0, 0, -30))
	if err != nil {
		return nil, err
	}
	type key struct {
		t int64
		s string
	}
	by := map[key]content.Freshness{}
	for _, f := range fs {
		by[key{f.TenantID, f.Slug}] = f
	}
	ts, err := s.srv.TenantStore().List(ctx)
	if err != nil {
		return nil, err
	}
	v := &freshnessView{Rules: content.FreshnessRules, Since: now.AddDate(0, 0, -30).In(content.Location).Format("2006-01-02")}
	for _, t := range ts {
		if t.Status != tenants.Active {
			continue
		}
		row := freshRow{Site: t.Name, URL: web.SiteBase(r, t)}
		for _, rule := range content.FreshnessRules {
			c := freshCell{Days: -1, Over: true}
			if f, ok := by[key{t.ID, rule.Slug}]; ok && f.Last != nil {
				c.Last = f.Last.In(content.Location).Format("2006-01-02")
				c.Days = int(now.Sub(*f.Last).Hours() / 24)
				c.Over = c.Days > rule.Days
				c.Recent = f.Recent
			}
			if c.Over {
				row.Over = true
				over := c.Days - rule.Days
				if c.Days < 0 {
					over = 1 << 30 // never published: the worst
				}
				row.Worst = max(row.Worst, over)
			}
			row.Cells = append(row.Cells, c)
		}
		if row.Over {
			v.Over++
		}
		v.Rows = append(v.Rows, row)
	}
	sort.SliceStable(v.Rows, func(i, j int) bool { return v.Rows[i].Worst > v.Rows[j].Worst })
	// The chart: days since the news column's last article, per site.
	var bars []web.Bar
	first := content.FreshnessRules[0]
	for _, row := range v.Rows {
		c := row.Cells[0]
		if c.Days < 0 {
			continue
		}
		color := ""
		if !c.Over {
			color = "#1e6b34"
		}
		bars = append(bars, web.Bar{Name: row.Site, V: float64(c.Days), Color: color})
	}
	v.Chart = web.HorizontalBars("fresh-days", fmt.Sprintf("各站点%s距上次更新的天数", first.Name), bars, true)
	return v, nil
}
