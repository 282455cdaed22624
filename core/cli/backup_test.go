package cli_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"yiwang/core/store"
)

func TestBackupCommand(t *testing.T) {
	clearEnv(t)
	ctx := context.Background()
	data := filepath.Join(t.TempDir(), "data")
	mustRun(t, "tenants", "import", seedFile, "--data", data)
	// A module's database, as the plugin host would have made it.
	mdb, err := store.Open(ctx, "sqlite:"+filepath.Join(data, "modules", "topics.db"), "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mdb.Exec(`CREATE TABLE topics (id INTEGER PRIMARY KEY, title TEXT)`); err != nil {
		t.Fatal(err)
	}
	if _, err := mdb.Exec(`INSERT INTO topics (title) VALUES ('脱贫攻坚')`); err != nil {
		t.Fatal(err)
	}
	mdb.Close()
	if err := os.WriteFile(filepath.Join(data, "secret.key"), []byte("c2VjcmV0\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	dir := filepath.Join(t.TempDir(), "backup-1")
	r := mustRun(t, "backup", dir, "--data", data)
	if !strings.Contains(r.stdout, "已备份 2 个文件") || !strings.Contains(r.stdout, "没有放进备份") {
		t.Errorf("backup: %q", r.stdout)
	}
	manifest, err := os.ReadFile(filepath.Join(dir, "MANIFEST.txt"))
	if err != nil || !strings.Contains(string(manifest), "yiwang.db") || !strings.Contains(string(manifest), "modules/topics.db") ||
		!strings.Contains(string(manifest), "schema version") {
		t.Errorf("manifest: %q %v", manifest, err)
	}
	cp, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "yiwang.db"), "")
	if err != nil {
		t.Fatal(err)
	}
	var tenants int
	if err := cp.Get(&tenants, `SELECT COUNT(*) FROM tenants`); err != nil || tenants != 75 {
		t.Errorf("copy holds %d tenants (%v), want 75", tenants, err)
	}
	cp.Close()
	// The backup is in the audit log of the database it copied.
	src, err := store.Open(ctx, "", data)
	if err != nil {
		t.Fatal(err)
	}
	var audited int
	if err := src.Get(&audited, `SELECT COUNT(*) FROM audit_log WHERE action = 'backup' AND target = ?`, dir); err != nil || audited != 1 {
		t.Errorf("%d audit entries for the backup (%v), want 1", audited, err)
	}
	src.Close()
	mcp, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "modules", "topics.db"), "")
	if err != nil {
		t.Fatal(err)
	}
	var title string
	if err := mcp.Get(&title, `SELECT title FROM topics`); err != nil || title != "脱贫攻坚" {
		t.Errorf("module copy: %q %v", title, err)
	}
	mcp.Close()
	if _, err := os.Stat(filepath.Join(dir, "secret.key")); !os.IsNotExist(err) {
		t.Error("the seal key was copied without --with-key")
	}

	// Never over an earlier backup; with the key when asked; never MySQL.
	if r := run(t, "backup", dir, "--data", data); r.code != 2 || !strings.Contains(r.stderr, "已存在且不为空") {
		t.Errorf("backup into a used directory: exit %d %q", r.code, r.stderr)
	}
	dir2 := filepath.Join(t.TempDir(), "backup-2")
	mustRun(t, "backup", dir2, "--with-key", "--data", data)
	if b, err := os.ReadFile(filepath.Join(dir2, "secret.key")); err != nil || string(b) != "c2VjcmV0\n" {
		t.Errorf("--with-key: %q %v", b, err)
	}
	if r := run(t, "backup", filepath.Join(t.TempDir(), "b3"), "--db", "mysql://u:p@tcp(127.0.0.1:1)/x"); r.code == 0 {
		t.Error("a MySQL backup was attempted")
	}
}
