package cli_test

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestRolesCommand(t *testing.T) {
	clearEnv(t)
	data := []string{"--data", filepath.Join(t.TempDir(), "data")}
	args := func(a ...string) []string { return append(a, data...) }
	mustRun(t, args("tenants", "import", seedFile)...)

	// Nobody has logged in yet: --issuer is needed, then the account is
	// registered so that the role is there at the first login.
	for _, tc := range []struct {
		name string
		args []string
		code int
		out  string
	}{
		{"no subcommand", []string{"roles"}, 2, ""},
		{"unknown subcommand", []string{"roles", "promote"}, 2, "未知子命令"},
		{"bad role", args("roles", "grant", "--role", "god", "--tenant", "jyj", "--sub", "x", "--issuer", "https://idp.example"), 2, "角色“god”无效"},
		{"tenant role without tenant", args("roles", "grant", "--role", "editor", "--sub", "x", "--issuer", "https://idp.example"), 2, "需要 --tenant"},
		{"platform role with tenant", args("roles", "grant", "--role", "platform_admin", "--tenant", "jyj", "--sub", "x"), 2, "不要给 --tenant"},
		{"no user", args("roles", "grant", "--role", "editor", "--tenant", "jyj"), 2, "--account"},
		{"no issuer yet", args("roles", "grant", "--role", "editor", "--tenant", "jyj", "--sub", "li"), 2, "--issuer"},
		{"no such tenant", args("roles", "grant", "--role", "editor", "--tenant", "nosuch", "--sub", "li", "--issuer", "https://idp.example"), 1, "没有找到站点"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, tc.args...)
			if r.code != tc.code || !strings.Contains(r.stdout+r.stderr, tc.out) {
				t.Errorf("exit %d, want %d; output %q, want %q", r.code, tc.code, r.stdout+r.stderr, tc.out)
			}
		})
	}
	r := mustRun(t, args("roles", "grant", "--role", "editor", "--tenant", "jyj", "--sub", "li", "--issuer", "https://idp.example", "--name", "李文编")...)
	if !strings.Contains(r.stdout, "已授予 李文编") {
		t.Errorf("grant: %q", r.stdout)
	}
	// One issuer now: --issuer may be left out.
	mustRun(t, args("roles", "grant", "--role", "platform_admin", "--sub", "chen", "--name", "陈管理")...)
	mustRun(t, args("roles", "grant", "--role", "reviewer", "--tenant", "jyj", "--account", "1")...)
	r = mustRun(t, args("roles", "list", "--tenant", "jyj")...)
	if !strings.Contains(r.stdout, "editor") || !strings.Contains(r.stdout, "reviewer") || strings.Contains(r.stdout, "platform_admin") {
		t.Errorf("list jyj:\n%s", r.stdout)
	}
	r = mustRun(t, args("roles", "list")...)
	if !strings.Contains(r.stdout, "（全平台）  platform_admin") || !strings.Contains(r.stdout, "陈管理") {
		t.Errorf("list:\n%s", r.stdout)
	}
	r = mustRun(t, args("roles", "accounts", "李")...)
	if !strings.Contains(r.stdout, "李文编") || strings.Contains(r.stdout, "陈管理") {
		t.Errorf("accounts:\n%s", r.stdout)
	}
	mustRun(t, args("roles", "revoke", "--role", "editor", "--tenant", "jyj", "--sub", "li")...)
	if r := run(t, args("roles", "revoke", "--role", "editor", "--tenant", "jyj", "--sub", "li")...); r.code != 1 {
		t.Errorf("revoking a role not held: exit %d", r.code)
	}
	if r := run(t, args("roles", "revoke", "--role", "editor", "--tenant", "jyj", "--sub", "nobody")...); r.code != 1 || !strings.Contains(r.stderr, "没有找到") {
		t.Errorf("revoking from an unknown account: exit %d %q", r.code, r.stderr)
	}
}
