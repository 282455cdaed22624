package tenants_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
	"yiwang/core"
	"yiwang/core/store"
	"yiwang/core/store/storetest"
	"yiwang/tenants"
)

func TestImportReferenceSeedIsIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := tenants.NewStore(db)
		created := 0
		s.OnCreate = func(ctx context.Context, tx *sqlx.Tx, x *tenants.Tenant) error {
			created++
			return nil
		}

		steps := []struct {
			name  string
			seed  func() []*tenants.Tenant
			want  tenants.ImportResult
			hooks int
		}{
			{"first import creates every tenant", func() []*tenants.Tenant { return reference(t) },
				tenants.ImportResult{Created: 75}, 75},
			{"importing again changes nothing", func() []*tenants.Tenant { return reference(t) },
				tenants.ImportResult{Unchanged: 75}, 0},
			{"a renamed row updates exactly that tenant", func() []*tenants.Tenant {
				ts := reference(t)
				for _, x := range ts {
					if x.Code == "jyj" {
						x.Name = "思南县教育局（更名）"
					}
				}
				return ts
			}, tenants.ImportResult{Updated: 1, Unchanged: 74}, 0},
			{"the renamed file imported again changes nothing", func() []*tenants.Tenant {
				ts := reference(t)
				for _, x := range ts {
					if x.Code == "jyj" {
						x.Name = "思南县教育局（更名）"
					}
				}
				return ts
			}, tenants.ImportResult{Unchanged: 75}, 0},
		}
		for _, st := range steps {
			created = 0
			res, err := s.Import(ctx, "cli:test", st.seed())
			if err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			if res != st.want {
				t.Errorf("%s: result %+v, want %+v", st.name, res, st.want)
			}
			if created != st.hooks {
				t.Errorf("%s: OnCreate ran %d times, want %d", st.name, created, st.hooks)
			}
			if n := countTenants(t, db); n != 75 {
				t.Errorf("%s: %d tenants in the registry, want 75", st.name, n)
			}
		}

		jyj, err := s.ByCode(ctx, "jyj")
		must(t, err)
		if jyj.Name != "思南县教育局（更名）" {
			t.Errorf("jyj name = %q after the update", jyj.Name)
		}
		ts, err := s.List(ctx)
		must(t, err)
		if ts[0].Code != "portal" || ts[0].SiteIDCode == "" {
			t.Errorf("the directory does not start with the portal: %+v", ts[0])
		}

		es := auditEntries(t, db, "tenant.import")
		want := []string{"created 0, updated 0, unchanged 75", "created 0, updated 1, unchanged 74",
			"created 0, updated 0, unchanged 75", "created 75, updated 0, unchanged 0"}
		if len(es) != len(want) {
			t.Fatalf("%d tenant.import audit entries, want %d", len(es), len(want))
		}
		for i, e := range es {
			if e.Detail != want[i] || e.Actor != "cli:test" || e.Result != "ok" {
				t.Errorf("audit entry %d = %+v, want detail %q by cli:test", i, e, want[i])
			}
		}
	})
}

func TestImportKeepsWhatTheSeedDoesNotCarry(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := tenants.NewStore(db)
		_, err := s.Import(ctx, "test", reference(t))
		must(t, err)

		// Settings made in the admin and a tenant the file does not list.
		jyj, err := s.ByCode(ctx, "jyj")
		must(t, err)
		jyj.ThemeColor, jyj.LogoURL = "#1A5FB4", "/static/jyj.png"
		must(t, s.Update(ctx, "test", jyj))
		_, err = s.SetStatus(ctx, "test", "jyj", tenants.Archived)
		must(t, err)
		must(t, s.Create(ctx, "test", newTenant("xyz", "未列入种子的单位")))

		ts := reference(t)
		for _, x := range ts {
			if x.Code == "jyj" {
				x.Phone = "0856-7777777"
			}
		}
		res, err := s.Import(ctx, "test", ts)
		must(t, err)
		if res != (tenants.ImportResult{Updated: 1, Unchanged: 74}) {
			t.Errorf("result %+v", res)
		}

		jyj, err = s.ByCode(ctx, "jyj")
		must(t, err)
		if jyj.Phone != "0856-7777777" {
			t.Errorf("phone = %q, the import did not update it", jyj.Phone)
		}
		if jyj.Status != tenants.Archived || jyj.ArchivedAt == nil {
			t.Errorf("the import changed the status: %s, archived at %v; an import never restores or archives", jyj.Status, jyj.ArchivedAt)
		}
		if jyj.ThemeColor != "#1A5FB4" || jyj.LogoURL != "/static/jyj.png" {
			t.Errorf("the import reset theme %q and logo %q set in the admin", jyj.ThemeColor, jyj.LogoURL)
		}
		if _, err := s.ByCode(ctx, "xyz"); err != nil {
			t.Errorf("a tenant missing from the file was touched: %v", err)
		}
		if n := countTenants(t, db); n != 76 {
			t.Errorf("%d tenants, want 76", n)
		}
	})
}

func TestImportOfDomains(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := tenants.NewStore(db)
		file := func(jyjDomains string) []*tenants.Tenant {
			return parse(t, seedFile(header,
				row("portal", "思南县人民政府", "portal", "1", "www.example.cn,example.cn"),
				row("jyj", "思南县教育局", "department", "2", jyjDomains)))
		}

		steps := []struct {
			name        string
			jyjDomains  string
			want        tenants.ImportResult
			wantDomains []string // as stored: primary first
		}{
			{"created with three domains, not in alphabetical order", "jyj.example.cn,zz.jyj.example.cn,aa.jyj.example.cn",
				tenants.ImportResult{Created: 2}, []string{"jyj.example.cn", "aa.jyj.example.cn", "zz.jyj.example.cn"}},
			{"the same file again changes nothing", "jyj.example.cn,zz.jyj.example.cn,aa.jyj.example.cn",
				tenants.ImportResult{Unchanged: 2}, []string{"jyj.example.cn", "aa.jyj.example.cn", "zz.jyj.example.cn"}},
			{"the other domains listed in another order change nothing", "jyj.example.cn,aa.jyj.example.cn,zz.jyj.example.cn",
				tenants.ImportResult{Unchanged: 2}, []string{"jyj.example.cn", "aa.jyj.example.cn", "zz.jyj.example.cn"}},
			{"another primary domain is an update", "zz.jyj.example.cn,jyj.example.cn,aa.jyj.example.cn",
				tenants.ImportResult{Updated: 1, Unchanged: 1}, []string{"zz.jyj.example.cn", "aa.jyj.example.cn", "jyj.example.cn"}},
			{"a dropped domain is unmapped", "zz.jyj.example.cn",
				tenants.ImportResult{Updated: 1, Unchanged: 1}, []string{"zz.jyj.example.cn"}},
			{"an empty domains field keeps the mapped domains", "",
				tenants.ImportResult{Unchanged: 2}, []string{"zz.jyj.example.cn"}},
		}
		for _, st := range steps {
			res, err := s.Import(ctx, "test", file(st.jyjDomains))
			if err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			if res != st.want {
				t.Errorf("%s: result %+v, want %+v", st.name, res, st.want)
			}
			jyj, err := s.ByCode(ctx, "jyj")
			must(t, err)
			if strings.Join(jyj.Domains, ",") != strings.Join(st.wantDomains, ",") {
				t.Errorf("%s: domains %q, want %q", st.name, jyj.Domains, st.wantDomains)
			}
		}
		for host, want := range map[string]string{"www.example.cn": "portal", "zz.jyj.example.cn": "jyj", "jyj.example.cn": ""} {
			got, err := s.DomainOwner(ctx, host)
			must(t, err)
			if got != want {
				t.Errorf("DomainOwner(%s) = %q, want %q", host, got, want)
			}
		}
	})
}

func TestImportOfAnUnparsableFileImportsNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := tenants.NewStore(db)
		// The whole reference seed, then a row with an unknown kind.
		text := string(tenants.ReferenceSeed) + row("newa", "新单位", "bureau", "1", "") + "\n"
		rows, err := tenants.ParseSeed(strings.NewReader(text))
		var se *tenants.SeedError
		if !errors.As(err, &se) || se.Field != "kind" {
			t.Fatalf("ParseSeed error = %v, want a SeedError on field kind", err)
		}
		if rows != nil {
			t.Fatalf("ParseSeed returned %d rows along with the error", len(rows))
		}
		res, err := s.Import(ctx, "test", rows)
		must(t, err)
		if res != (tenants.ImportResult{}) || countTenants(t, db) != 0 {
			t.Errorf("importing the rows of a bad file: %+v, %d tenants; want nothing", res, countTenants(t, db))
		}
	})
}

func TestFailedImportLeavesTheRegistryAsItWas(t *testing.T) {
	hookErr := errors.New("column template unavailable")
	renamedPortal := replaceOnce(string(tenants.ReferenceSeed), "portal\t思南县人民政府\t", "portal\t思南县人民政府（新）\t")

	tests := []struct {
		name     string
		setup    func(t *testing.T, s *tenants.Store)
		hook     func(ctx context.Context, tx *sqlx.Tx, x *tenants.Tenant) error
		seed     string
		wantCode string
		wantErr  error
	}{
		{
			name: "on an empty registry, the last row maps a domain another tenant has",
			setup: func(t *testing.T, s *tenants.Store) {
				must(t, s.Create(context.Background(), "test", newTenant("zzz", "先建的单位", "taken.example.cn")))
			},
			seed:     string(tenants.ReferenceSeed) + row("newb", "新单位乙", "other", "9", "taken.example.cn") + "\n",
			wantCode: core.ECONFLICT,
		},
		{
			name: "after updates and creations earlier in the file, a row maps a domain another tenant has",
			setup: func(t *testing.T, s *tenants.Store) {
				_, err := s.Import(context.Background(), "test", reference(t))
				must(t, err)
				must(t, s.Create(context.Background(), "test", newTenant("zzz", "先建的单位", "taken.example.cn")))
			},
			seed: renamedPortal +
				row("newa", "新单位甲", "other", "9", "newa.example.cn") + "\n" +
				row("newb", "新单位乙", "other", "10", "newb.example.cn,taken.example.cn") + "\n" +
				row("newc", "新单位丙", "other", "11", "") + "\n",
			wantCode: core.ECONFLICT,
		},
		{
			name: "an update of an existing tenant takes a domain another tenant has",
			setup: func(t *testing.T, s *tenants.Store) {
				_, err := s.Import(context.Background(), "test", reference(t))
				must(t, err)
				must(t, s.Create(context.Background(), "test", newTenant("zzz", "先建的单位", "taken.example.cn")))
			},
			seed: replaceOnce(renamedPortal, "cl@sinan.gov.cn\t", "cl@sinan.gov.cn\ttaken.example.cn") +
				row("newa", "新单位甲", "other", "9", "") + "\n",
			wantCode: core.ECONFLICT,
		},
		{
			name: "provisioning a late row fails",
			hook: func(ctx context.Context, tx *sqlx.Tx, x *tenants.Tenant) error {
				if x.Code == "cl" {
					return hookErr
				}
				return nil
			},
			seed:     string(tenants.ReferenceSeed),
			wantCode: core.EINTERNAL,
			wantErr:  hookErr,
		},
		{
			name: "a portal of another code already exists",
			setup: func(t *testing.T, s *tenants.Store) {
				must(t, s.Create(context.Background(), "test", &tenants.Tenant{Code: "xian", Name: "另一个门户", Kind: tenants.Portal}))
			},
			seed:     string(tenants.ReferenceSeed),
			wantCode: core.ECONFLICT,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, db *store.DB) {
				ctx := context.Background()
				s := tenants.NewStore(db)
				if tc.setup != nil {
					tc.setup(t, s)
				}
				s.OnCreate = tc.hook
				rows := parse(t, tc.seed)

				before, tenantsBefore, domainsBefore := snapshot(t, s), countTenants(t, db), countDomains(t, db)
				importsBefore := len(auditEntries(t, db, "tenant.import"))

				res, err := s.Import(ctx, "test", rows)
				if err == nil || core.ErrorCode(err) != tc.wantCode {
					t.Errorf("Import = %v, want a %s error", err, tc.wantCode)
				}
				if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
					t.Errorf("error %v does not wrap %v", err, tc.wantErr)
				}
				if res != (tenants.ImportResult{}) {
					t.Errorf("a failed import reports %+v", res)
				}
				if n := countTenants(t, db); n != tenantsBefore {
					t.Errorf("%d tenants after the failed import, %d before: half imported", n, tenantsBefore)
				}
				if n := countDomains(t, db); n != domainsBefore {
					t.Errorf("%d domains after the failed import, %d before", n, domainsBefore)
				}
				if after := snapshot(t, s); after != before {
					t.Errorf("registry changed by a failed import:\nbefore:\n%s\nafter:\n%s", before, after)
				}
				if n := len(auditEntries(t, db, "tenant.import")); n != importsBefore {
					t.Errorf("a failed import wrote an audit entry (%d, was %d)", n, importsBefore)
				}
			})
		})
	}
}

// replaceOnce replaces the one occurrence of old in s; it panics when old
// does not occur exactly once, so that a changed seed file cannot turn a
// test into one that checks nothing.
func replaceOnce(s, old, new string) string {
	if n := strings.Count(s, old); n != 1 {
		panic(fmt.Sprintf("%q occurs %d times, want once", old, n))
	}
	return strings.Replace(s, old, new, 1)
}
