package cli_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

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

// A backup restored onto a fresh data folder serves the same pages,
// letters and module data as the platform it was taken from; a damaged
// backup restores nothing, and a folder with a database is never written.
func TestRestoreServesTheSamePages(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	clearEnv(t)
	data := filepath.Join(t.TempDir(), "data")
	s := startServe(t, data)
	s.waitHealthy(2 * time.Minute)
	before := restorePages(s)
	s.stop()

	dir := filepath.Join(t.TempDir(), "backup")
	mustRun(t, "backup", dir, "--data", data, "--with-key")

	// A damaged backup: nothing restored.
	damaged := filepath.Join(t.TempDir(), "damaged")
	if err := os.CopyFS(damaged, os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(damaged, "modules", "mailbox.db"), []byte("not a database"), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(t.TempDir(), "bad")
	if r := run(t, "restore", damaged, "--data", bad); r.code == 0 || !strings.Contains(r.stderr, "备份已损坏") {
		t.Fatalf("restoring a damaged backup: exit %d %q", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(bad, store.DefaultFile)); !os.IsNotExist(err) {
		t.Error("a damaged backup left a database behind")
	}
	if r := run(t, "restore", dir, "--data", data); r.code == 0 || !strings.Contains(r.stderr, "已有数据库") {
		t.Errorf("restoring over a live folder: exit %d %q", r.code, r.stderr)
	}

	fresh := filepath.Join(t.TempDir(), "restored")
	r := mustRun(t, "restore", dir, "--data", fresh)
	if !strings.Contains(r.stdout, "已从") {
		t.Errorf("restore: %q", r.stdout)
	}
	s2 := startServe(t, fresh, "--demo=false")
	s2.waitHealthy(2 * time.Minute)
	after := restorePages(s2)
	for p := range before {
		if after[p] != before[p] {
			t.Errorf("%s differs after the restore", p)
		}
	}
	if !strings.Contains(before["/mailbox/"], "mailbox/public/") {
		t.Error("the mailbox shows no published letter to compare")
	}
}

// restorePages reads the pages a restore must serve unchanged: every kind
// of site, and a page of each module, with the server's address taken out.
func restorePages(s *server) map[string]string {
	portOf := regexp.MustCompile(`localhost:\d+|127\.0\.0\.1:\d+`)
	out := map[string]string{}
	for _, p := range []string{"/", "/site/rsj/", "/sites/", "/topics/", "/mailbox/", "/disclosure/", "/interview/"} {
		out[p] = portOf.ReplaceAllString(s.mustGet(p, http.StatusOK), "HOST")
	}
	return out
}
