package cli_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"yiwang/core/store"
)

// yiwang audit: the tenants import writes audit records; seal chains
// them; verify passes, then names a changed record and exits 1.
func TestAuditVerify(t *testing.T) {
	clearEnv(t)
	data := t.TempDir()
	mustRun(t, "tenants", "import", seedFile, "--data", data)
	if r := mustRun(t, "audit", "seal", "--data", data); !strings.Contains(r.stdout, "封存") {
		t.Fatalf("seal: %s", r.stdout)
	}
	if r := mustRun(t, "audit", "verify", "--data", data); !strings.Contains(r.stdout, "哈希链完整") {
		t.Fatalf("verify: %s", r.stdout)
	}
	db, err := store.Open(context.Background(), "sqlite:"+filepath.Join(data, "yiwang.db"), "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE audit_log SET actor = 'cli:someone-else' WHERE seal_seq = 1`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	r := run(t, "audit", "verify", "--data", data)
	if r.code != 1 || !strings.Contains(r.stdout, "第 1 条记录") || !strings.Contains(r.stdout, "被修改过") {
		t.Fatalf("verify after a change: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

// yiwang audit archive: never within 180 days; records older than the
// days asked for go to a new file and leave the table, and the chain
// still verifies; with nothing old, no file is left behind.
func TestAuditArchive(t *testing.T) {
	clearEnv(t)
	data := t.TempDir()
	mustRun(t, "tenants", "import", seedFile, "--data", data)
	db, err := store.Open(context.Background(), "sqlite:"+filepath.Join(data, "yiwang.db"), "")
	if err != nil {
		t.Fatal(err)
	}
	// The import's records, dated two years back.
	if _, err := db.Exec(`UPDATE audit_log SET at = ?`, store.Now().AddDate(-2, 0, 0)); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.Get(&n, `SELECT COUNT(*) FROM audit_log`); err != nil || n == 0 {
		t.Fatalf("%d records (%v)", n, err)
	}
	db.Close()
	mustRun(t, "audit", "seal", "--data", data)
	file := filepath.Join(t.TempDir(), "audit-2024.jsonl")
	if r := run(t, "audit", "archive", "--days", "100", file, "--data", data); r.code == 0 || !strings.Contains(r.stderr, "至少保留 180 天") {
		t.Fatalf("archive within the retention: exit %d %q", r.code, r.stderr)
	}
	r := mustRun(t, "audit", "archive", "--days", "365", file, "--data", data)
	if !strings.Contains(r.stdout, fmt.Sprintf("共 %d 条记录", n)) {
		t.Fatalf("archive: %s", r.stdout)
	}
	if b, err := os.ReadFile(file); err != nil || strings.Count(string(b), "\n") != n {
		t.Errorf("the archive file: %d lines (%v)", strings.Count(string(b), "\n"), err)
	}
	mustRun(t, "audit", "seal", "--data", data)
	if r := mustRun(t, "audit", "verify", "--data", data); !strings.Contains(r.stdout, "哈希链完整") {
		t.Fatalf("verify after archiving: %s", r.stdout)
	}
	again := filepath.Join(t.TempDir(), "again.jsonl")
	if r := mustRun(t, "audit", "archive", again, "--data", data); !strings.Contains(r.stdout, "无需归档") {
		t.Errorf("archive with nothing old: %s", r.stdout)
	}
	if _, err := os.Stat(again); !os.IsNotExist(err) {
		t.Error("an empty archive file was left behind")
	}
}
