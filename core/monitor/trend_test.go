package monitor_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"yiwang/core/content"
	"yiwang/core/monitor"
	"yiwang/core/store"
	"yiwang/core/store/storetest"
	"yiwang/tenants"
)

// The dashboard's weekly updates: an article falls in the week of its
// publication time, the newest week last; one just outside the window,
// a draft and another tenant's article are not counted.
func TestWeeklyPublished(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ts := tenants.NewStore(db)
		cs := content.NewStore(db)
		var sites []*tenants.Tenant
		var cols []*content.Column
		for _, code := range []string{"sa", "sb"} {
			tn := &tenants.Tenant{Code: code, Name: "单位" + code, Kind: tenants.Department}
			must(t, ts.Create(ctx, "test", tn))
			col := &content.Column{TenantID: tn.ID, Slug: "gzdt", Name: "工作动态", Type: content.ColumnList}
			must(t, cs.CreateColumn(ctx, db, col))
			sites, cols = append(sites, tn), append(cols, col)
		}
		article := func(i int, at time.Time, published bool) {
			a := content.Article{TenantID: sites[i].ID, ColumnID: cols[i].ID, Title: "报道", Body: "<p>正文</p>"}
			must(t, cs.SaveDraft(ctx, db, &a))
			status := "draft"
			if published {
				status = "published"
			}
			_, err := db.ExecContext(ctx, db.Rebind(`UPDATE articles SET status = ?, published_at = ? WHERE id = ?`), status, at.UTC(), a.ID)
			must(t, err)
		}
		week := 7 * 24 * time.Hour
		article(0, now.Add(-time.Hour), true)          // this week
		article(0, now.Add(-week+time.Minute), true)   // this week, at its start
		article(0, now.Add(-week-time.Minute), true)   // the week before
		article(0, now.Add(-8*week+time.Minute), true) // the oldest week shown
		article(0, now.Add(-8*week-time.Minute), true) // outside the window
		article(0, now.Add(-2*time.Hour), false)       // a draft
		article(1, now.Add(-3*week-time.Hour), true)   // the other site
		got, err := monitor.NewStore(db).WeeklyPublished(ctx, now, monitor.TrendWeeks)
		must(t, err)
		if want := []int{1, 0, 0, 0, 0, 0, 1, 2}; !slices.Equal(got[sites[0].ID], want) {
			t.Errorf("site a: %v, want %v", got[sites[0].ID], want)
		}
		if want := []int{0, 0, 0, 0, 1, 0, 0, 0}; !slices.Equal(got[sites[1].ID], want) {
			t.Errorf("site b: %v, want %v", got[sites[1].ID], want)
		}
	})
}

// Letters and requests closed in time, summed over the modules that
// report them; a site that closed nothing has nothing to be late with.
func TestOnTime(t *testing.T) {
	var o monitor.OnTime
	if o.Share() != 1 {
		t.Errorf("nothing closed: share %v", o.Share())
	}
	o.AddOnTime(map[string]float64{"closed": 8, "closed_on_time": 7, "received": 20})
	o.AddOnTime(map[string]float64{"requests_answered": 2, "requests_on_time": 1})
	if o.Closed != 10 || o.InTime != 8 || o.Share() != 0.8 {
		t.Errorf("closed %d, in time %d, share %v", o.Closed, o.InTime, o.Share())
	}
}

// The weekly exposure names exactly the sites the check finds failing or
// vetoed, in the ranking's order, each with its counts and its first
// problems; a site with warnings only is not exposed.
func TestExposureMatchesTheFindings(t *testing.T) {
	a, b, c := site(1), site(2), site(3)
	for _, s := range []*tenants.Tenant{a, b, c} {
		s.Sponsor, s.SiteIDCode, s.ICP, s.PSB = "县政府办", "5224270001", "黔ICP备00000001号", "黔公网安备52242702000001号"
	}
	f := monitor.Facts{
		Columns: map[int64][]monitor.ColumnCount{1: {{Slug: "x", Name: "栏目甲", N: 0}}},
		Oldest: map[int64]monitor.OpenCase{
			2: {Module: "mailbox", Title: "县长信箱", Days: 95},
			3: {Module: "mailbox", Title: "县长信箱", Days: 31},
		},
		Use: map[int64]*monitor.Use{1: {Written: 1}, 2: {SignIns: 1}, 3: {SignIns: 1}},
	}
	sites := monitor.Evaluate([]*tenants.Tenant{a, b, c}, f, monitor.Defaults, nil, now)
	d := monitor.ExposureDraft(sites, now)
	var exposed []*monitor.Site
	for _, s := range sites {
		if s.Vetoes > 0 || s.Fails > 0 {
			exposed = append(exposed, s)
		}
	}
	if len(exposed) != 2 || d.Summary != "2 个站点存在问题" {
		t.Fatalf("%d sites fail; the draft says %q", len(exposed), d.Summary)
	}
	last := -1
	for _, s := range exposed {
		row := fmt.Sprintf("<tr><td>%s</td><td>%d</td><td>%d</td>", s.Tenant.Name, s.Vetoes, s.Fails)
		at := strings.Index(d.Body, row)
		if at < 0 || at < last {
			t.Errorf("%s missing or out of order in %s", row, d.Body)
		}
		last = at
		for _, finding := range s.Findings {
			if finding.Level >= monitor.Fail && !strings.Contains(d.Body, finding.Text) {
				t.Errorf("%s's problem %q not exposed", s.Tenant.Name, finding.Text)
			}
		}
	}
	if strings.Contains(d.Body, c.Name) {
		t.Errorf("a site with warnings only is exposed: %s", d.Body)
	}
	if _, week := now.ISOWeek(); !strings.Contains(d.Title, fmt.Sprintf("第%d周", week)) {
		t.Errorf("title %q", d.Title)
	}
}
