package monitor_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"yiwang/core/content"
	"yiwang/core/monitor"
	"yiwang/core/store"
	"yiwang/core/store/storetest"
	"yiwang/tenants"
)

// The daily check at a county's size: 75 sites of 10 list columns and
// 100,000 published articles, a day of 1,000 staff sign-ins and 3,000
// actions, a week of probes. One op gathers every fact and evaluates
// every site, as the console page does. Run:
//
//	YIWANG_TEST_MYSQL='root@tcp(127.0.0.1:3306)/' go test -run '^$' -bench DailyCheck -benchtime 10x ./core/monitor/
func BenchmarkDailyCheck(b *testing.B) {
	for _, name := range []string{"sqlite", "mysql"} {
		b.Run(name, func(b *testing.B) {
			var db *store.DB
			if name == "sqlite" {
				db = storetest.SQLite(b)
			} else {
				db = storetest.MySQL(b)
			}
			ctx := context.Background()
			ts := seedCounty(b, db)
			cs := content.NewStore(db)
			ms := monitor.NewStore(db)
			day := time.Now().In(content.Location).Truncate(24*time.Hour).AddDate(0, 0, -1)
			for b.Loop() {
				var f monitor.Facts
				var err error
				if f.Fresh, err = cs.Freshness(ctx, time.Now().AddDate(0, 0, -30)); err != nil {
					b.Fatal(err)
				}
				if f.Columns, err = ms.ListColumns(ctx); err != nil {
					b.Fatal(err)
				}
				if f.Use, err = ms.StaffUse(ctx, day, day.AddDate(0, 0, 1)); err != nil {
					b.Fatal(err)
				}
				if f.Probes, err = ms.Availability(ctx, time.Now().AddDate(0, 0, -7)); err != nil {
					b.Fatal(err)
				}
				if f.Text, err = ms.TextHits(ctx); err != nil {
					b.Fatal(err)
				}
				if f.Links, err = ms.BrokenLinks(ctx); err != nil {
					b.Fatal(err)
				}
				if f.Weekly, err = ms.WeeklyPublished(ctx, time.Now(), monitor.TrendWeeks); err != nil {
					b.Fatal(err)
				}
				if sites := monitor.Evaluate(ts, f, monitor.Defaults, content.FreshnessRules, time.Now()); len(sites) != len(ts) {
					b.Fatalf("%d sites evaluated", len(sites))
				}
			}
		})
	}
}

func seedCounty(b *testing.B, db *store.DB) []*tenants.Tenant {
	b.Helper()
	ctx := context.Background()
	tstore := tenants.NewStore(db)
	var ts []*tenants.Tenant
	var cols [][]int64
	for i := 0; i < 75; i++ {
		t := &tenants.Tenant{Code: fmt.Sprintf("u%02d", i), Name: fmt.Sprintf("第%d单位", i), Kind: tenants.Department, Sponsor: "x", Status: tenants.Active}
		if err := tstore.Create(ctx, "bench", t); err != nil {
			b.Fatal(err)
		}
		ts = append(ts, t)
		var ids []int64
		for j, slug := range []string{"gzdt", "tzgg", "zcwj", "c4", "c5", "c6", "c7", "c8", "c9", "c10"} {
			c := &content.Column{TenantID: t.ID, Slug: slug, Name: slug, Type: content.ColumnList, Sort: j}
			if err := content.NewStore(db).CreateColumn(ctx, db, c); err != nil {
				b.Fatal(err)
			}
			ids = append(ids, c.ID)
		}
		cols = append(cols, ids)
	}
	insert := func(prefix string, rows []string, args []any) {
		if len(rows) == 0 {
			return
		}
		if _, err := db.ExecContext(ctx, prefix+strings.Join(rows, ","), args...); err != nil {
			b.Fatal(err)
		}
	}
	now := store.Now()
	var rows []string
	var args []any
	for i := 0; i < 100000; i++ {
		t := i % 75
		at := now.Add(-time.Duration(i) * 15 * time.Minute)
		rows = append(rows, "(?, ?, ?, '', 'published', ?, ?, ?)")
		args = append(args, ts[t].ID, cols[t][(i/75)%9], fmt.Sprint("文章", i), at, at, at) // the tenth column stays empty
		if len(rows) == 500 {
			insert(`INSERT INTO articles (tenant_id, column_id, title, body, status, published_at, created_at, updated_at) VALUES `, rows, args)
			rows, args = rows[:0], args[:0]
		}
	}
	insert(`INSERT INTO articles (tenant_id, column_id, title, body, status, published_at, created_at, updated_at) VALUES `, rows, args)
	rows, args = rows[:0], args[:0]
	yesterday := time.Now().In(content.Location).Truncate(24*time.Hour).AddDate(0, 0, -1).Add(10 * time.Hour).UTC()
	for i := 0; i < 4000; i++ {
		tid := ts[i%75].ID
		action := "article.save"
		if i < 1000 {
			action = "account.login"
		}
		rows = append(rows, "(?, ?, ?, ?, '', '')")
		args = append(args, yesterday, fmt.Sprintf("user:%d", i%300), action, tid)
		if len(rows) == 500 {
			insert(`INSERT INTO audit_log (at, actor, action, tenant_id, target, detail) VALUES `, rows, args)
			rows, args = rows[:0], args[:0]
		}
	}
	insert(`INSERT INTO audit_log (at, actor, action, tenant_id, target, detail) VALUES `, rows, args)
	rows, args = rows[:0], args[:0]
	for i := 0; i < 75*140; i++ {
		rows = append(rows, "(?, ?, ?, 200, 20, '')")
		args = append(args, ts[i%75].ID, now.Add(-time.Duration(i)*time.Minute), boolOf(i%97 != 0))
		if len(rows) == 500 {
			insert(`INSERT INTO monitor_probes (tenant_id, at, ok, status, millis, error) VALUES `, rows, args)
			rows, args = rows[:0], args[:0]
		}
	}
	insert(`INSERT INTO monitor_probes (tenant_id, at, ok, status, millis, error) VALUES `, rows, args)
	// A county's tables have statistics; freshly bulk-loaded ones have
	// none until InnoDB's background pass, and the first plans are bad.
	if db.DriverName() == "mysql" {
		for _, t := range []string{"articles", "site_columns", "audit_log", "monitor_probes"} {
			if _, err := db.ExecContext(ctx, "ANALYZE TABLE "+t); err != nil {
				b.Fatal(err)
			}
		}
	}
	return ts
}

func boolOf(b bool) int {
	if b {
		return 1
	}
	return 0
}
