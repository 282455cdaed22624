package cli_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"yiwang/core/blob"
	"yiwang/core/blob/blobtest"
	"yiwang/core/store"
)

// yiwang files move copies the folder's files to a bucket with their
// checksums, and a second run finds them there; usage and sweep answer.
func TestFilesCommand(t *testing.T) {
	clearEnv(t)
	t.Setenv("YIWANG_BLOB", "")
	ctx := context.Background()
	data := filepath.Join(t.TempDir(), "data")
	mustRun(t, "tenants", "import", seedFile, "--data", data)
	// Files uploaded by a release before the store: rows and a folder.
	db, err := store.Open(ctx, "", data)
	if err != nil {
		t.Fatal(err)
	}
	var jyj int64
	must(t, db.Get(&jyj, `SELECT id FROM tenants WHERE code = 'jyj'`))
	for i, body := range []string{"%PDF-1.7 第一份", "%PDF-1.7 第二份"} {
		key := "jyj/2026/11/" + strings.Repeat(string(rune('a'+i)), 32) + ".pdf"
		p := filepath.Join(data, "uploads", filepath.FromSlash(key))
		must(t, os.MkdirAll(filepath.Dir(p), 0o750))
		must(t, os.WriteFile(p, []byte(body), 0o640))
		sum := sha256.Sum256([]byte(body))
		_, err := db.Exec(`INSERT INTO attachments (tenant_id, token, name, path, mime, size, sha256, created_by, created_at) VALUES (?, ?, ?, ?, 'application/pdf', ?, ?, 1, ?)`,
			jyj, strings.Repeat(string(rune('a'+i)), 32), "通知.pdf", key, len(body), hex.EncodeToString(sum[:]), store.Now())
		must(t, err)
	}
	db.Close()

	cfg := blobtest.S3Config(t)
	prefix := "cli" + strings.ReplaceAll(time.Now().Format("150405.000000"), ".", "")
	to := "s3://" + url.UserPassword(cfg.AccessKey, cfg.SecretKey).String() + "@" + cfg.Endpoint + "/" + cfg.Bucket + "/" + prefix + "?secure=false&region=us-east-1&create=true"
	r := mustRun(t, "files", "move", "--to", to, "--data", data)
	if !strings.Contains(r.stdout, "共 2 个文件：复制 2 个") {
		t.Errorf("move: %s\n%s", r.stdout, r.stderr)
	}
	r = mustRun(t, "files", "move", "--to", to, "--data", data)
	if !strings.Contains(r.stdout, "复制 0 个") || !strings.Contains(r.stdout, "校验和一致 2 个") {
		t.Errorf("second move: %s", r.stdout)
	}
	c := cfg
	c.Prefix = prefix + "/"
	s3, err := blob.NewS3(ctx, c)
	must(t, err)
	in, err := s3.Stat(ctx, "jyj/2026/11/"+strings.Repeat("a", 32)+".pdf")
	if err != nil || in.Size != int64(len("%PDF-1.7 第一份")) {
		t.Errorf("moved object: %+v %v", in, err)
	}
	r = mustRun(t, "files", "usage", "--data", data)
	if !strings.Contains(r.stdout, "jyj") || !strings.Contains(r.stdout, "2 个文件") {
		t.Errorf("usage: %s", r.stdout)
	}
	// An orphan in the folder goes; the recorded files stay.
	orphan := filepath.Join(data, "uploads", "jyj", "2026", "11", "orphan.pdf")
	must(t, os.WriteFile(orphan, []byte("x"), 0o640))
	r = mustRun(t, "files", "sweep", "--grace", "0s", "--data", data)
	if !strings.Contains(r.stdout, "清除了 1 个") {
		t.Errorf("sweep: %s", r.stdout)
	}
	if _, err := os.Stat(orphan); err == nil {
		t.Error("the orphan is still there")
	}
	if r := run(t, "files", "move", "--data", data); r.code != 2 {
		t.Errorf("move without --to: exit %d", r.code)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
