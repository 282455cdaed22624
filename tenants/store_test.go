package tenants_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
	"yiwang/core"
	"yiwang/core/audit"
	"yiwang/core/store"
	"yiwang/core/store/storetest"
	"yiwang/tenants"
)

func TestCreate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := tenants.NewStore(db)

		jyj := newTenant("jyj", "思南县教育局", "jyj.example.cn", "edu.example.cn")
		jyj.Sort, jyj.Phone, jyj.ThemeColor = 2, "0856-7220002", "#1a5fb4"
		must(t, s.Create(ctx, "user:1", jyj))
		if jyj.ID == 0 || jyj.Status != tenants.Active || jyj.CreatedAt.IsZero() {
			t.Errorf("Create did not fill ID, status and dates: %+v", jyj)
		}

		got, err := s.ByCode(ctx, "jyj")
		must(t, err)
		if got.ID != jyj.ID || got.Name != "思南县教育局" || got.Kind != tenants.Department || got.Sort != 2 ||
			got.Phone != "0856-7220002" || got.ThemeColor != "#1a5fb4" || got.Status != tenants.Active || got.ArchivedAt != nil {
			t.Errorf("stored tenant differs: %+v", got)
		}
		if want := []string{"jyj.example.cn", "edu.example.cn"}; !reflect.DeepEqual(got.Domains, want) {
			t.Errorf("domains = %q, want %q (the first is primary)", got.Domains, want)
		}
		byID, err := s.ByID(ctx, jyj.ID)
		must(t, err)
		if byID.Code != "jyj" {
			t.Errorf("ByID found %q", byID.Code)
		}

		es := auditEntries(t, db, "tenant.create")
		if len(es) != 1 || es[0].Actor != "user:1" || es[0].Target != "jyj" || es[0].TenantID == nil || *es[0].TenantID != jyj.ID {
			t.Errorf("tenant.create audit entries = %+v", es)
		}

		_, err = s.ByCode(ctx, "nosuch")
		wantCode(t, err, core.ENOTFOUND)
		_, err = s.ByID(ctx, 999999)
		wantCode(t, err, core.ENOTFOUND)
	})
}

func TestCreateRefusesInvalidTenants(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := tenants.NewStore(db)
		tests := []struct {
			name   string
			tenant tenants.Tenant
		}{
			{"uppercase code", tenants.Tenant{Code: "JYJ", Name: "教育局", Kind: tenants.Department}},
			{"one-letter code", tenants.Tenant{Code: "j", Name: "教育局", Kind: tenants.Department}},
			{"reserved code", tenants.Tenant{Code: "admin", Name: "教育局", Kind: tenants.Department}},
			{"empty name", tenants.Tenant{Code: "jyj", Name: " ", Kind: tenants.Department}},
			{"unknown kind", tenants.Tenant{Code: "jyj", Name: "教育局", Kind: "bureau"}},
			{"no kind", tenants.Tenant{Code: "jyj", Name: "教育局"}},
			{"bad theme colour", tenants.Tenant{Code: "jyj", Name: "教育局", Kind: tenants.Department, ThemeColor: "blue"}},
			{"domain with a port", tenants.Tenant{Code: "jyj", Name: "教育局", Kind: tenants.Department, Domains: []string{"jyj.example.cn:8080"}}},
			{"uppercase domain", tenants.Tenant{Code: "jyj", Name: "教育局", Kind: tenants.Department, Domains: []string{"JYJ.example.cn"}}},
		}
		for _, tc := range tests {
			x := tc.tenant
			err := s.Create(ctx, "test", &x)
			if core.ErrorCode(err) != core.EINVALID {
				t.Errorf("%s: Create = %v, want %s", tc.name, err, core.EINVALID)
			}
		}
		if n := countTenants(t, db); n != 0 {
			t.Errorf("%d tenants created from invalid input", n)
		}
	})
}

func TestCreateRefusesConflicts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := tenants.NewStore(db)
		must(t, s.Create(ctx, "test", &tenants.Tenant{Code: "portal", Name: "思南县人民政府", Kind: tenants.Portal}))
		must(t, s.Create(ctx, "test", newTenant("jyj", "思南县教育局", "jyj.example.cn")))

		tests := []struct {
			name   string
			tenant *tenants.Tenant
		}{
			{"duplicate code", newTenant("jyj", "另一个教育局")},
			{"duplicate code of the portal", &tenants.Tenant{Code: "portal", Name: "门户", Kind: tenants.Portal}},
			{"second portal", &tenants.Tenant{Code: "xian", Name: "另一个门户", Kind: tenants.Portal}},
			{"domain of another tenant", newTenant("rsj", "思南县人社局", "rsj.example.cn", "jyj.example.cn")},
		}
		for _, tc := range tests {
			err := s.Create(ctx, "test", tc.tenant)
			if core.ErrorCode(err) != core.ECONFLICT {
				t.Errorf("%s: Create = %v, want %s", tc.name, err, core.ECONFLICT)
			}
		}
		if n := countTenants(t, db); n != 2 {
			t.Errorf("%d tenants, want the first 2 only", n)
		}
		if n := countDomains(t, db); n != 1 {
			t.Errorf("%d domains mapped, want 1 (a refused tenant maps none)", n)
		}
		if _, err := s.ByCode(ctx, "rsj"); core.ErrorCode(err) != core.ENOTFOUND {
			t.Errorf("tenant with a taken domain was created: %v", err)
		}
		if n := len(auditEntries(t, db, "tenant.create")); n != 2 {
			t.Errorf("%d tenant.create audit entries, want 2", n)
		}
	})
}

func TestOnCreateRunsInTheCreatingTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := tenants.NewStore(db)
		provisionErr := errors.New("no column template")

		var seen struct {
			code    string
			domains []string
			calls   int
		}
		s.OnCreate = func(ctx context.Context, tx *sqlx.Tx, x *tenants.Tenant) error {
			seen.calls++
			// The new row and its domains are visible inside the transaction.
			if err := tx.GetContext(ctx, &seen.code, `SELECT code FROM tenants WHERE id = ?`, x.ID); err != nil {
				return err
			}
			seen.domains = nil
			if err := tx.SelectContext(ctx, &seen.domains, `SELECT host FROM tenant_domains WHERE tenant_id = ? ORDER BY host`, x.ID); err != nil {
				return err
			}
			// What the hook writes shares the tenant's fate.
			if err := audit.Write(ctx, tx, audit.Entry{Actor: "hook", Action: "test.provision", TenantID: &x.ID, Target: x.Code}); err != nil {
				return err
			}
			if strings.HasPrefix(x.Code, "fail") {
				return provisionErr
			}
			return nil
		}

		must(t, s.Create(ctx, "test", newTenant("jyj", "思南县教育局", "jyj.example.cn")))
		if seen.calls != 1 || seen.code != "jyj" || !reflect.DeepEqual(seen.domains, []string{"jyj.example.cn"}) {
			t.Errorf("hook saw code %q, domains %q in %d calls; want jyj with its domain, once", seen.code, seen.domains, seen.calls)
		}
		if n := len(auditEntries(t, db, "test.provision")); n != 1 {
			t.Errorf("%d entries written by the hook, want 1", n)
		}

		err := s.Create(ctx, "test", newTenant("failx", "开通失败的单位", "failx.example.cn"))
		if !errors.Is(err, provisionErr) {
			t.Fatalf("Create = %v, want the hook's error", err)
		}
		if seen.code != "failx" {
			t.Errorf("hook did not see the failing tenant inside the transaction (saw %q)", seen.code)
		}
		if _, err := s.ByCode(ctx, "failx"); core.ErrorCode(err) != core.ENOTFOUND {
			t.Errorf("tenant whose provisioning failed exists: %v", err)
		}
		if owner, err := s.DomainOwner(ctx, "failx.example.cn"); err != nil || owner != "" {
			t.Errorf("domain of the failed tenant is mapped to %q (%v)", owner, err)
		}
		if n := len(auditEntries(t, db, "test.provision")); n != 1 {
			t.Errorf("%d entries written by the hook, want 1: the failed one must be rolled back", n)
		}
		if n := len(auditEntries(t, db, "tenant.create")); n != 1 {
			t.Errorf("%d tenant.create entries, want 1", n)
		}
		if n := countTenants(t, db); n != 1 {
			t.Errorf("%d tenants, want 1", n)
		}

		// The code is free again: the failed attempt left nothing behind.
		s.OnCreate = nil
		must(t, s.Create(ctx, "test", newTenant("failx", "第二次开通", "failx.example.cn")))
	})
}

func TestSetStatus(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := tenants.NewStore(db)
		must(t, s.Create(ctx, "test", &tenants.Tenant{Code: "portal", Name: "思南县人民政府", Kind: tenants.Portal}))
		jyj := newTenant("jyj", "思南县教育局", "jyj.example.cn")
		must(t, s.Create(ctx, "test", jyj))

		_, err := s.SetStatus(ctx, "test", "portal", tenants.Archived)
		wantCode(t, err, core.EINVALID)
		if p, _ := s.ByCode(ctx, "portal"); p.Status != tenants.Active {
			t.Errorf("portal status = %s after a refused archive", p.Status)
		}
		_, err = s.SetStatus(ctx, "test", "nosuch", tenants.Archived)
		wantCode(t, err, core.ENOTFOUND)
		_, err = s.SetStatus(ctx, "test", "jyj", tenants.Status("deleted"))
		wantCode(t, err, core.EINVALID)

		got, err := s.SetStatus(ctx, "user:1", "jyj", tenants.Archived)
		must(t, err)
		if got.Status != tenants.Archived || got.ArchivedAt == nil {
			t.Errorf("SetStatus returned status %s, archived at %v", got.Status, got.ArchivedAt)
		}
		stored, err := s.ByCode(ctx, "jyj")
		must(t, err)
		if stored.ID != jyj.ID || stored.Status != tenants.Archived || stored.ArchivedAt == nil {
			t.Errorf("archived tenant: %+v; want the same row, archived, with ArchivedAt", stored)
		}
		if stored.ArchivedAt != nil && stored.ArchivedAt.Before(jyj.CreatedAt) {
			t.Errorf("archived at %v, before it was created at %v", stored.ArchivedAt, jyj.CreatedAt)
		}
		if owner, _ := s.DomainOwner(ctx, "jyj.example.cn"); owner != "jyj" {
			t.Errorf("archiving unmapped the domain (owner %q)", owner)
		}
		if n := countTenants(t, db); n != 2 {
			t.Errorf("%d tenants after archiving, want 2: archiving keeps the row", n)
		}

		// Archiving again is a no-op and writes nothing.
		_, err = s.SetStatus(ctx, "user:1", "jyj", tenants.Archived)
		must(t, err)

		got, err = s.SetStatus(ctx, "user:2", "jyj", tenants.Active)
		must(t, err)
		if got.Status != tenants.Active || got.ArchivedAt != nil {
			t.Errorf("restored tenant: status %s, archived at %v; want active with no ArchivedAt", got.Status, got.ArchivedAt)
		}

		for _, tc := range []struct{ action, actor string }{{"tenant.archive", "user:1"}, {"tenant.restore", "user:2"}} {
			es := auditEntries(t, db, tc.action)
			if len(es) != 1 {
				t.Errorf("%d %s audit entries, want 1", len(es), tc.action)
				continue
			}
			if e := es[0]; e.Actor != tc.actor || e.Target != "jyj" || e.TenantID == nil || *e.TenantID != jyj.ID {
				t.Errorf("%s audit entry = %+v", tc.action, e)
			}
		}
	})
}

func TestDomains(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := tenants.NewStore(db)
		must(t, s.Create(ctx, "test", newTenant("jyj", "思南县教育局")))
		must(t, s.Create(ctx, "test", newTenant("rsj", "思南县人社局", "rsj.example.cn")))

		domainsOf := func(code string) []string {
			t.Helper()
			x, err := s.ByCode(ctx, code)
			must(t, err)
			return x.Domains
		}
		steps := []struct {
			name     string
			do       func() error
			wantCode string
			want     []string // domains of jyj afterwards, primary first
		}{
			{"the first domain is primary even when not asked",
				func() error { return s.AddDomain(ctx, "test", "jyj", "JYJ.LocalHost:8080", false) }, "",
				[]string{"jyj.localhost"}},
			{"a second domain is added after the primary",
				func() error { return s.AddDomain(ctx, "test", "jyj", "edu.example.cn", false) }, "",
				[]string{"jyj.localhost", "edu.example.cn"}},
			{"a primary domain goes first",
				func() error { return s.AddDomain(ctx, "test", "jyj", "WWW.JYJ.example.cn.", true) }, "",
				[]string{"www.jyj.example.cn", "edu.example.cn", "jyj.localhost"}},
			{"adding the primary again without --primary keeps it primary",
				func() error { return s.AddDomain(ctx, "test", "jyj", "www.jyj.example.cn", false) }, "",
				[]string{"www.jyj.example.cn", "edu.example.cn", "jyj.localhost"}},
			{"an existing domain can be made primary",
				func() error { return s.AddDomain(ctx, "test", "jyj", "jyj.localhost", true) }, "",
				[]string{"jyj.localhost", "edu.example.cn", "www.jyj.example.cn"}},
			{"a domain of another tenant is refused",
				func() error { return s.AddDomain(ctx, "test", "jyj", "RSJ.example.cn", true) }, core.ECONFLICT,
				[]string{"jyj.localhost", "edu.example.cn", "www.jyj.example.cn"}},
			{"an invalid host is refused",
				func() error { return s.AddDomain(ctx, "test", "jyj", "example.cn/jyj", false) }, core.EINVALID,
				[]string{"jyj.localhost", "edu.example.cn", "www.jyj.example.cn"}},
			{"an unknown tenant is not found",
				func() error { return s.AddDomain(ctx, "test", "nosuch", "nosuch.example.cn", false) }, core.ENOTFOUND,
				[]string{"jyj.localhost", "edu.example.cn", "www.jyj.example.cn"}},
			{"removing an unmapped host is not found",
				func() error { return s.RemoveDomain(ctx, "test", "jyj", "rsj.example.cn") }, core.ENOTFOUND,
				[]string{"jyj.localhost", "edu.example.cn", "www.jyj.example.cn"}},
			{"removing from an unknown tenant is not found",
				func() error { return s.RemoveDomain(ctx, "test", "nosuch", "jyj.localhost") }, core.ENOTFOUND,
				[]string{"jyj.localhost", "edu.example.cn", "www.jyj.example.cn"}},
			{"removing normalises the host",
				func() error { return s.RemoveDomain(ctx, "test", "jyj", "EDU.example.cn:443") }, "",
				[]string{"jyj.localhost", "www.jyj.example.cn"}},
			{"removing the primary promotes another",
				func() error { return s.RemoveDomain(ctx, "test", "jyj", "jyj.localhost") }, "",
				[]string{"www.jyj.example.cn"}},
		}
		for _, st := range steps {
			err := st.do()
			if st.wantCode == "" && err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			if st.wantCode != "" && core.ErrorCode(err) != st.wantCode {
				t.Fatalf("%s: error %v, want %s", st.name, err, st.wantCode)
			}
			if got := domainsOf("jyj"); !reflect.DeepEqual(got, st.want) {
				t.Errorf("%s: jyj domains %q, want %q", st.name, got, st.want)
			}
		}
		if got := domainsOf("rsj"); !reflect.DeepEqual(got, []string{"rsj.example.cn"}) {
			t.Errorf("rsj domains %q after jyj tried to take one", got)
		}

		for _, tc := range []struct{ host, want string }{
			{"www.jyj.example.cn", "jyj"},
			{"WWW.JYJ.example.cn", "jyj"},
			{"rsj.example.cn", "rsj"},
			{"jyj.localhost", ""},
			{"nosuch.example.cn", ""},
		} {
			got, err := s.DomainOwner(ctx, tc.host)
			must(t, err)
			if got != tc.want {
				t.Errorf("DomainOwner(%q) = %q, want %q", tc.host, got, tc.want)
			}
		}

		adds := auditEntries(t, db, "tenant.domain.add")
		removes := auditEntries(t, db, "tenant.domain.remove")
		if len(adds) != 5 || len(removes) != 2 {
			t.Errorf("%d domain.add and %d domain.remove audit entries, want 5 and 2", len(adds), len(removes))
		}
		if len(adds) > 0 && adds[len(adds)-1].Detail != "jyj.localhost" {
			t.Errorf("first domain.add entry names %q, want the normalised host", adds[len(adds)-1].Detail)
		}
	})
}

func TestListIsInDirectoryOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := tenants.NewStore(db)
		for _, x := range []*tenants.Tenant{
			{Code: "zgh", Name: "总工会", Kind: tenants.Other, Sort: 1},
			{Code: "stjd", Name: "思唐街道", Kind: tenants.Township, Sort: 2},
			{Code: "rsj", Name: "人社局", Kind: tenants.Department, Sort: 9},
			{Code: "jyj", Name: "教育局", Kind: tenants.Department, Sort: 2, Domains: []string{"jyj.example.cn", "a.jyj.example.cn"}},
			{Code: "kjj", Name: "科技局", Kind: tenants.Department, Sort: 2},
			{Code: "gzbjd", Name: "关中坝街道", Kind: tenants.Township, Sort: 1},
			{Code: "portal", Name: "县政府", Kind: tenants.Portal, Sort: 5},
		} {
			must(t, s.Create(ctx, "test", x))
		}
		ts, err := s.List(ctx)
		must(t, err)
		var codes []string
		for _, x := range ts {
			codes = append(codes, x.Code)
		}
		if want := "portal jyj kjj rsj gzbjd stjd zgh"; strings.Join(codes, " ") != want {
			t.Errorf("List order %q, want %q", strings.Join(codes, " "), want)
		}
		if want := []string{"jyj.example.cn", "a.jyj.example.cn"}; !reflect.DeepEqual(ts[1].Domains, want) {
			t.Errorf("List gave jyj domains %q, want %q", ts[1].Domains, want)
		}
	})
}
