package audit_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"yiwang/core"
	"yiwang/core/audit"
	"yiwang/core/store"
	"yiwang/core/store/storetest"
)

// Records older than the retention leave the table only through an
// archive: written out with their hashes, recorded as the anchor the
// remaining chain is verified from. Younger records, a retention under
// 180 days and a broken chain are refused; the archive file verifies
// against its record, and a changed file does not.
func TestArchive(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now()
		write := func(age time.Duration, action string) {
			t.Helper()
			if err := audit.Write(ctx, db, audit.Entry{At: store.Now().Add(-age), Actor: "user:1", Action: action, Target: "x"}); err != nil {
				t.Fatal(err)
			}
		}
		for i := range 30 {
			write(400*24*time.Hour-time.Duration(i)*time.Hour, "old.save")
		}
		for i := range 10 {
			write(10*24*time.Hour-time.Duration(i)*time.Hour, "new.save")
		}
		seal := func() {
			t.Helper()
			for {
				n, err := audit.Seal(ctx, db, 500)
				if err != nil {
					t.Fatal(err)
				}
				if n == 0 {
					return
				}
			}
		}
		seal()

		var buf bytes.Buffer
		if _, err := audit.ArchiveBefore(ctx, db, now.Add(-100*24*time.Hour), &buf, "a.jsonl", "cli:root", nil); core.ErrorCode(err) != core.EINVALID {
			t.Fatalf("archiving within the retention: %v", err)
		}
		// A changed record: the broken chain is not archived, nothing goes.
		var id int64
		if err := db.GetContext(ctx, &id, `SELECT MIN(id) FROM audit_log WHERE action = 'old.save'`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, `UPDATE audit_log SET detail = '改过' WHERE id = ?`, id+5); err != nil {
			t.Fatal(err)
		}
		if _, err := audit.ArchiveBefore(ctx, db, now.Add(-365*24*time.Hour), &bytes.Buffer{}, "a.jsonl", "cli:root", nil); core.ErrorCode(err) != core.ECONFLICT {
			t.Fatalf("archiving a broken chain: %v", err)
		}
		if _, err := db.ExecContext(ctx, `UPDATE audit_log SET detail = '' WHERE id = ?`, id+5); err != nil {
			t.Fatal(err)
		}
		a, err := audit.ArchiveBefore(ctx, db, now.Add(-365*24*time.Hour), &buf, "a.jsonl", "cli:root", nil)
		if err != nil || a == nil || a.Records != 30 || a.FromSeq != 1 || a.ToSeq != 30 {
			t.Fatalf("archive: %+v %v", a, err)
		}
		if lines := strings.Count(buf.String(), "\n"); lines != 30 {
			t.Errorf("the file has %d lines", lines)
		}
		var left int
		if err := db.GetContext(ctx, &left, `SELECT COUNT(*) FROM audit_log WHERE action = 'old.save'`); err != nil || left != 0 {
			t.Errorf("%d archived records still in the table (%v)", left, err)
		}
		if err := audit.VerifyArchive(ctx, db, a, bytes.NewReader(buf.Bytes())); err != nil {
			t.Errorf("the archive file: %v", err)
		}
		changed := bytes.Replace(buf.Bytes(), []byte("old.save"), []byte("old.edit"), 1)
		if err := audit.VerifyArchive(ctx, db, a, bytes.NewReader(changed)); err == nil {
			t.Error("a changed archive file verified")
		}

		// The chain that stays verifies from the anchor, and goes on
		// being sealed after it.
		write(0, "after.archive")
		seal()
		rep, err := audit.Verify(ctx, db, nil)
		if err != nil || len(rep.Problems) != 0 || rep.Sealed != 12 {
			t.Fatalf("after archiving: %+v %v", rep, err)
		}
		if again, err := audit.ArchiveBefore(ctx, db, now.Add(-365*24*time.Hour), &bytes.Buffer{}, "b.jsonl", "cli:root", nil); err != nil || again != nil {
			t.Errorf("a second archive with nothing old: %+v %v", again, err)
		}

	})
}
