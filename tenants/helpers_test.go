package tenants_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"yiwang/core"
	"yiwang/core/audit"
	"yiwang/core/store"
	"yiwang/tenants"
)

// header is the header line every seed file carries.
var header = strings.Join(tenants.SeedColumns, "\t")

// row builds a seed line with the given code, name, kind, sort and
// domains; the footer columns are filled with plausible values.
func row(code, name, kind, sort, domains string) string {
	return strings.Join([]string{code, name, kind, sort, name, "", "黔ICP备00000000号-1", "黔公网安备 00000000000000号",
		"思南县", "0856-0000000", code + "@example.cn", domains, ""}, "\t")
}

// seedFile joins lines with LF and a final newline.
func seedFile(lines ...string) string { return strings.Join(lines, "\n") + "\n" }

// parse parses a seed file that must be valid.
func parse(t *testing.T, text string) []*tenants.Tenant {
	t.Helper()
	ts, err := tenants.ParseSeed(strings.NewReader(text))
	if err != nil {
		t.Fatalf("ParseSeed: %v", err)
	}
	return ts
}

// reference parses a fresh copy of the embedded reference seed.
func reference(t *testing.T) []*tenants.Tenant {
	t.Helper()
	ts, err := tenants.ParseSeed(bytes.NewReader(tenants.ReferenceSeed))
	if err != nil {
		t.Fatalf("ParseSeed(ReferenceSeed): %v", err)
	}
	return ts
}

// wantCode fails unless err carries the core error code want.
func wantCode(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", want)
	}
	if got := core.ErrorCode(err); got != want {
		t.Fatalf("error code = %s, want %s (error: %v)", got, want, err)
	}
}

// must fails on err.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// countTenants counts the rows of the registry, archived included.
func countTenants(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	must(t, db.GetContext(context.Background(), &n, `SELECT COUNT(*) FROM tenants`))
	return n
}

// countDomains counts the mapped host names.
func countDomains(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	must(t, db.GetContext(context.Background(), &n, `SELECT COUNT(*) FROM tenant_domains`))
	return n
}

// auditEntries lists the audit log entries with action, newest first.
func auditEntries(t *testing.T, db *store.DB, action string) []audit.Entry {
	t.Helper()
	es, err := audit.List(context.Background(), db, audit.Filter{Action: action, Limit: 1000})
	must(t, err)
	return es
}

// snapshot renders the registry in a comparable form: one line per
// tenant with the fields an import may touch.
func snapshot(t *testing.T, s *tenants.Store) string {
	t.Helper()
	ts, err := s.List(context.Background())
	must(t, err)
	var b strings.Builder
	for _, x := range ts {
		b.WriteString(strings.Join([]string{x.Code, x.Name, string(x.Kind), string(x.Status), x.Sponsor, x.Phone,
			strings.Join(x.Domains, ","), x.UpdatedAt.String()}, "|"))
		b.WriteByte('\n')
	}
	return b.String()
}

// newTenant is a valid department with code and name.
func newTenant(code, name string, domains ...string) *tenants.Tenant {
	return &tenants.Tenant{Code: code, Name: name, Kind: tenants.Department, Sponsor: name, Domains: domains}
}
