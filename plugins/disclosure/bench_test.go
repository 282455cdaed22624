package disclosure

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/sdktest"
	"yiwang/plugins/sdk/sqldb"
)

// The county-wide catalogue at the size of a county: 100,000 items over
// 75 tenants (the portal holding the most), read through the real plugin
// process on both databases. Run:
//
//	YIWANG_TEST_MYSQL='root@tcp(127.0.0.1:3306)/' go test -run '^$' -bench CountyCatalogue -benchtime 200x ./plugins/disclosure/
const (
	benchTenants = 75
	benchItems   = 100000
)

func BenchmarkCountyCatalogue(b *testing.B) {
	tenants := make([]*sdk.Tenant, benchTenants)
	for i := range tenants {
		t := &sdk.Tenant{ID: int64(i + 1), Code: fmt.Sprintf("u%02d", i), Name: fmt.Sprintf("思南县第%d单位", i+1), Kind: "department", Status: "active",
			OrgCode: fmt.Sprintf("BENCH%02d", i)}
		if i == 0 {
			t.Code, t.Kind, t.Name = "portal", "portal", "思南县人民政府"
		}
		tenants[i] = t
	}
	for _, db := range []string{"sqlite", "mysql"} {
		b.Run(db, func(b *testing.B) {
			dsn := "sqlite:" + b.TempDir() + "/module.db"
			if db == "mysql" {
				dsn = sdktest.MySQLDSN(b)
			}
			h := sdktest.Process(b, Module, sdktest.Options{Tenants: tenants, DSN: dsn, Host: sdktest.NewFakeHost(tenants...)})
			cats := seedCatalogue(b, dsn, tenants)
			for _, page := range []struct{ name, path string }{
				{"platform", "/disclosure/platform"},
				{"platform-category-year", fmt.Sprintf("/disclosure/platform?cat=%d&year=2025", cats[1])},
				{"platform-page-50", "/disclosure/platform?page=50"},
				{"platform-one-unit", "/disclosure/platform?unit=u07&year=2024"},
				{"tenant-list-category", fmt.Sprintf("/disclosure/list?cat=%d", cats[1])},
			} {
				b.Run(page.name, func(b *testing.B) {
					tenant := tenants[0]
					if strings.HasPrefix(page.name, "tenant") {
						tenant = tenants[7]
					}
					req := h.Wire(sdktest.Request{Tenant: tenant, Path: page.path})
					ctx := context.Background()
					for b.Loop() {
						res, err := h.Handle(ctx, req)
						if err != nil || res.GetStatus() != http.StatusOK || !strings.Contains(res.GetFragment().GetHtml(), "xxgk-list") {
							b.Fatalf("%s: %v %v", page.path, err, res.GetStatus())
						}
					}
				})
			}
		})
	}
}

// seedCatalogue writes the published items straight into the module's
// database, in multi-row statements, and returns the category ids.
func seedCatalogue(b *testing.B, dsn string, tenants []*sdk.Tenant) []int64 {
	b.Helper()
	ctx := context.Background()
	db, err := sqldb.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var cats []int64
	if err := db.SelectContext(ctx, &cats, `SELECT id FROM disclosure_categories WHERE tenant_id = 0 ORDER BY sort, id`); err != nil || len(cats) == 0 {
		b.Fatalf("categories: %v", err)
	}
	start := time.Now()
	const batch = 500
	base := time.Date(2023, 1, 1, 0, 0, 0, 0, cst)
	var rows []string
	var args []any
	flush := func() {
		if len(rows) == 0 {
			return
		}
		if _, err := db.ExecContext(ctx, `INSERT INTO disclosure_items (tenant_id, category_id, index_no, seq_year, title, publisher, written_on,
			published_at, validity, summary, body, status, withdraw_reason, review_note, created_at, updated_at) VALUES `+strings.Join(rows, ","), args...); err != nil {
			b.Fatal(err)
		}
		rows, args = rows[:0], args[:0]
	}
	seq := map[string]int{}
	for i := 0; i < benchItems; i++ {
		// The portal holds a fifth of the county's items, the rest spread.
		t := tenants[0]
		if i%5 != 0 {
			t = tenants[1+i%(len(tenants)-1)]
		}
		at := base.Add(time.Duration(i) * 17 * time.Minute) // about three years
		year := at.Year()
		key := fmt.Sprintf("%d/%d", t.ID, year)
		seq[key]++
		rows = append(rows, "(?, ?, ?, ?, ?, ?, ?, ?, 'valid', '', '', 'published', '', '', ?, ?)")
		args = append(args, t.ID, cats[(i/3)%len(cats)], fmt.Sprintf("%s/%d-%05d", t.OrgCode, year, seq[key]), year,
			fmt.Sprintf("关于第%d项工作的通知", i), t.Name, at.Format("2006-01-02"), at.UTC(), at.UTC(), at.UTC())
		if len(rows) == batch {
			flush()
		}
	}
	flush()
	// Statistics as a running server has them, which a bulk load outruns.
	analyze := "ANALYZE"
	if db.Dialect == sqldb.MySQL {
		analyze = "ANALYZE TABLE disclosure_items"
	}
	if _, err := db.ExecContext(ctx, analyze); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d items over %d tenants in %v", benchItems, len(tenants), time.Since(start).Round(time.Millisecond))
	return cats
}
