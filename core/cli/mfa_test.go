package cli_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"yiwang/core/audit"
	"yiwang/core/store"
)

func TestMFACommand(t *testing.T) {
	clearEnv(t)
	dir := filepath.Join(t.TempDir(), "data")
	data := []string{"--data", dir}
	args := func(a ...string) []string { return append(a, data...) }
	mustRun(t, args("tenants", "import", seedFile)...)
	mustRun(t, args("roles", "grant", "--role", "editor", "--tenant", "jyj", "--sub", "li", "--issuer", "https://idp.example", "--name", "李文编")...)
	mustRun(t, args("roles", "grant", "--role", "editor", "--tenant", "jyj", "--sub", "wang", "--name", "王审核")...)

	ctx := context.Background()
	db, err := store.Open(ctx, "", dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	exec := func(q string, a ...any) {
		t.Helper()
		if _, err := db.Exec(q, a...); err != nil {
			t.Fatal(err)
		}
	}
	exec(`INSERT INTO sso_totp (account_id, secret, created_at) VALUES (1, 'v1:x', ?), (2, 'v1:y', ?)`, store.Now(), store.Now())
	exec(`INSERT INTO sso_secrets (name, value, created_at) VALUES ('seal-key-fingerprint', 'abc', ?)`, store.Now())
	rows := func() int {
		var n int
		if err := db.Get(&n, `SELECT COUNT(*) FROM sso_totp`); err != nil {
			t.Fatal(err)
		}
		return n
	}

	r := mustRun(t, args("mfa", "reset", "--sub", "li")...)
	if !strings.Contains(r.stdout, "已清除 李文编（编号 1）的动态验证码") || rows() != 1 {
		t.Errorf("reset li: %q, %d rows left", r.stdout, rows())
	}
	if r := run(t, args("mfa", "reset", "--account", "1")...); r.code == 0 || !strings.Contains(r.stderr, "没有设置动态验证码") {
		t.Errorf("reset again: exit %d %q", r.code, r.stderr)
	}
	if r := run(t, args("mfa", "rekey")...); r.code != 2 || !strings.Contains(r.stderr, "--yes") || rows() != 1 {
		t.Errorf("rekey without --yes: exit %d %q, %d rows", r.code, r.stderr, rows())
	}
	r = mustRun(t, args("mfa", "rekey", "--yes")...)
	var fp int
	if err := db.Get(&fp, `SELECT COUNT(*) FROM sso_secrets WHERE name = 'seal-key-fingerprint'`); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.stdout, "已清除 1 个动态验证码") || rows() != 0 || fp != 0 {
		t.Errorf("rekey: %q, %d rows, %d key records", r.stdout, rows(), fp)
	}
	es, err := audit.List(ctx, db, audit.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range es {
		if strings.HasPrefix(e.Action, "account.totp.") {
			got = append(got, e.Action)
		}
	}
	if len(got) != 2 {
		t.Errorf("audit: %v, want a reset and a rekey", got)
	}
}
