package cli_test

import (
	"context"
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
