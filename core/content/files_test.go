package content_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"yiwang/core"
	"yiwang/core/blob"
	"yiwang/core/blob/blobtest"
	"yiwang/core/content"
	"yiwang/core/store"
	"yiwang/core/store/storetest"
)

// eachStore runs fn on a fresh local store and on a fresh prefix of a
// real S3 server (see blobtest.S3).
func eachStore(t *testing.T, fn func(t *testing.T, st blob.Store)) {
	t.Run("local", func(t *testing.T) {
		s, err := blob.NewLocal(t.TempDir())
		must(t, err)
		fn(t, s)
	})
	t.Run("s3", func(t *testing.T) { fn(t, blobtest.S3(t)) })
}

func pdf(n int) []byte { return append([]byte("%PDF-1.7\n"), blobtest.Bytes(uint64(n), 1000+n)...) }

// Uploads go through whichever store the desk is given; on S3 the
// object is there, readable, with the digest recorded at upload.
func TestUploadsThroughEveryStore(t *testing.T) {
	ctx := context.Background()
	eachStore(t, func(t *testing.T, st blob.Store) {
		storetest.Each(t, func(t *testing.T, db *store.DB) {
			k := newDesk(t, newFixture(t, db))
			cfg := content.UploadConfig{Store: st, MaxUpload: 1 << 20, TenantQuota: 10 << 10}
			at, err := k.d.Upload(ctx, k.editorA, cfg, "通知.pdf", bytes.NewReader(pdf(1)))
			must(t, err)
			o, err := st.Open(ctx, at.Path)
			must(t, err)
			var b bytes.Buffer
			b.ReadFrom(o)
			o.Close()
			if !bytes.Equal(b.Bytes(), pdf(1)) {
				t.Fatal("stored bytes differ")
			}
			// Past the quota: refused in Chinese, nothing stored.
			var before int
			st.List(ctx, "", func(blob.Info) error { before++; return nil })
			_, err = k.d.Upload(ctx, k.editorA, cfg, "大.pdf", bytes.NewReader(pdf(12000)))
			wantCode(t, err, core.EINVALID)
			if !strings.Contains(core.ErrorMessage(err), "存储空间不足") {
				t.Errorf("quota message = %q", core.ErrorMessage(err))
			}
			var after int
			st.List(ctx, "", func(blob.Info) error { after++; return nil })
			if after != before {
				t.Errorf("a refused upload left %d objects", after-before)
			}
		})
	})
}

// The county office sets a tenant's quota; the others keep the default.
func TestQuotaPerTenant(t *testing.T) {
	ctx := context.Background()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		k := newDesk(t, newFixture(t, db))
		st, _ := blob.NewLocal(t.TempDir())
		cfg := content.UploadConfig{Store: st, MaxUpload: 1 << 20, TenantQuota: 4 << 10}
		_, err := k.d.Upload(ctx, k.editorA, cfg, "a.pdf", bytes.NewReader(pdf(4000)))
		wantCode(t, err, core.EINVALID)
		wantCode(t, k.d.SetQuota(ctx, k.editorA, k.a.ID, 1<<20), core.EFORBID)
		must(t, k.d.SetQuota(ctx, k.county, k.a.ID, 1<<20))
		_, err = k.d.Upload(ctx, k.editorA, cfg, "a.pdf", bytes.NewReader(pdf(4000)))
		must(t, err)
		_, err = k.d.Upload(ctx, k.editorB, cfg, "a.pdf", bytes.NewReader(pdf(4000)))
		wantCode(t, err, core.EINVALID)
		if n := k.auditCount(t, k.a.ID, "storage.quota"); n != 1 {
			t.Errorf("quota changes audited %d times", n)
		}
		rows, err := k.d.Storage(ctx, k.county, cfg.TenantQuota)
		must(t, err)
		var found bool
		for _, r := range rows {
			if r.TenantID == k.a.ID {
				found = true
				if r.Files != 1 || r.Bytes != int64(len(pdf(4000))) || r.Quota != 1<<20 || !r.QuotaSet {
					t.Errorf("jyj storage = %+v", r)
				}
			}
			if r.TenantID == k.b.ID && (r.Files != 0 || r.Quota != 4<<10 || r.QuotaSet) {
				t.Errorf("mzj storage = %+v", r)
			}
		}
		if !found {
			t.Error("jyj not in the storage view")
		}
		_, err = k.d.Storage(ctx, k.editorA, 0)
		wantCode(t, err, core.EFORBID)
		must(t, k.d.SetQuota(ctx, k.county, k.a.ID, 0)) // back to the default
		rows, _ = k.d.Storage(ctx, k.county, cfg.TenantQuota)
		for _, r := range rows {
			if r.TenantID == k.a.ID && (r.QuotaSet || r.Quota != 4<<10) {
				t.Errorf("after reset: %+v", r)
			}
		}
	})
}

// The folder's files move to the bucket with their checksums; a second
// run skips what is there, a damaged source file is named and not
// copied, and the server reads the moved files from the bucket.
func TestMoveFilesToS3(t *testing.T) {
	ctx := context.Background()
	dst := blobtest.S3(t)
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		k := newDesk(t, newFixture(t, db))
		dir := t.TempDir()
		src, _ := blob.NewLocal(dir)
		cfg := content.UploadConfig{Store: src, MaxUpload: 1 << 20, TenantQuota: 1 << 30}
		var ats []*content.Attachment
		for i := range 5 {
			at, err := k.d.Upload(ctx, k.editorA, cfg, fmt.Sprintf("文件%d.pdf", i), bytes.NewReader(pdf(i)))
			must(t, err)
			ats = append(ats, at)
		}
		// Interrupted after two files.
		cctx, cancel := context.WithCancel(ctx)
		rep, err := content.MoveFiles(cctx, db, src, dst, func(done, total int, _ int64) {
			if done == 2 {
				cancel()
			}
		})
		if err == nil || rep.Copied != 2 {
			t.Fatalf("interrupted move: %+v, %v", rep, err)
		}
		// One source file not yet copied is damaged before the move goes on.
		var damaged *content.Attachment
		for _, at := range ats {
			if _, err := dst.Stat(ctx, at.Path); err != nil {
				damaged = at
			}
		}
		must(t, os.WriteFile(filepath.Join(dir, filepath.FromSlash(damaged.Path)), []byte("%PDF-damaged"), 0o640))
		var seen []int
		rep, err = content.MoveFiles(ctx, db, src, dst, func(done, total int, _ int64) { seen = append(seen, done) })
		must(t, err)
		if rep.Total != 5 || rep.Skipped != 2 || rep.Copied != 2 || len(rep.Failed) != 1 || !strings.Contains(rep.Failed[0], damaged.Path) {
			t.Fatalf("resumed move = %+v", rep)
		}
		if len(seen) != 5 || seen[4] != 5 {
			t.Errorf("progress = %v", seen)
		}
		if _, err := dst.Stat(ctx, damaged.Path); err == nil {
			t.Error("the damaged file reached the bucket")
		}
		for _, at := range ats {
			if at == damaged {
				continue
			}
			in, err := dst.Stat(ctx, at.Path)
			must(t, err)
			if in.Size != at.Size || in.SHA256 != at.SHA256 {
				t.Errorf("%s in the bucket: %+v, want %d %s", at.Path, in, at.Size, at.SHA256)
			}
		}
		rep, err = content.MoveFiles(ctx, db, src, dst, nil)
		must(t, err)
		if rep.Skipped != 4 || rep.Copied != 0 {
			t.Errorf("third run = %+v", rep)
		}
	})
}

// The sweeper removes objects no record names, and only those.
func TestSweepRemovesOrphans(t *testing.T) {
	ctx := context.Background()
	eachStore(t, func(t *testing.T, st blob.Store) {
		db := storetest.SQLite(t)
		k := newDesk(t, newFixture(t, db))
		cfg := content.UploadConfig{Store: st, MaxUpload: 1 << 20, TenantQuota: 1 << 30}
		at, err := k.d.Upload(ctx, k.editorA, cfg, "留.pdf", bytes.NewReader(pdf(1)))
		must(t, err)
		for _, key := range []string{"jyj/2026/01/orphan.pdf", "tmp/deadbeef/0000000000000000"} {
			_, err := st.Put(ctx, key, strings.NewReader("x"), 1, blob.PutOptions{})
			must(t, err)
		}
		// A fresh orphan is spared by the grace period.
		rep, err := content.Sweep(ctx, db, st, time.Hour)
		must(t, err)
		if rep.Objects != 0 {
			t.Fatalf("swept fresh objects: %+v", rep)
		}
		rep, err = content.Sweep(ctx, db, st, -time.Minute)
		must(t, err)
		if rep.Objects != 2 {
			t.Fatalf("sweep = %+v, want 2 objects", rep)
		}
		var keys []string
		st.List(ctx, "", func(in blob.Info) error { keys = append(keys, in.Key); return nil })
		if len(keys) != 1 || keys[0] != at.Path {
			t.Errorf("left %v, want only %s", keys, at.Path)
		}
	})
}
