package changes_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"

	"github.com/jmoiron/sqlx"

	"yiwang/core/changes"
	"yiwang/core/store"
	"yiwang/core/store/storetest"
)

// The feed hands every committed change to every follower once; a
// rolled-back one never; a follower starting late does not replay what
// was before it; a row committed late with a smaller id is still seen.
func TestFeed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		must(t, changes.Record(ctx, db, 7, "/old/"))
		a, b := changes.NewFeed(db, log), changes.NewFeed(db, log)
		var gotA, gotB []changes.Change
		a.Subscribe(func(c changes.Change) { gotA = append(gotA, c) })
		b.Subscribe(func(c changes.Change) { gotB = append(gotB, c) })
		must(t, a.Prime(ctx))
		must(t, b.Prime(ctx))

		must(t, db.Tx(ctx, func(tx *sqlx.Tx) error { return changes.Record(ctx, tx, 2, "/mailbox/") }))
		rollback := errors.New("rolled back")
		if err := db.Tx(ctx, func(tx *sqlx.Tx) error {
			if err := changes.Record(ctx, tx, 3, ""); err != nil {
				return err
			}
			return rollback
		}); !errors.Is(err, rollback) {
			t.Fatal(err)
		}
		must(t, changes.Record(ctx, db, changes.AllTenants, ""))
		for _, f := range []*changes.Feed{a, b} {
			if n, err := f.Poll(ctx); err != nil || n != 2 {
				t.Fatalf("poll: %d changes (%v), want 2", n, err)
			}
			if n, _ := f.Poll(ctx); n != 0 {
				t.Fatalf("a second poll hands out %d again", n)
			}
		}
		for _, got := range [][]changes.Change{gotA, gotB} {
			if len(got) != 2 || got[0].TenantID != 2 || got[0].Prefix != "/mailbox/" || got[1].TenantID != changes.AllTenants {
				t.Errorf("changes %+v", got)
			}
		}

		// An id far ahead committed first, then a smaller one: both seen.
		var last int64
		must(t, db.GetContext(ctx, &last, `SELECT MAX(id) FROM page_changes`))
		_, err := db.ExecContext(ctx, db.Rebind(`INSERT INTO page_changes (id, tenant_id, prefix, at) VALUES (?, 5, '', ?)`), last+10, store.Now())
		must(t, err)
		if n, _ := a.Poll(ctx); n != 1 {
			t.Fatalf("%d changes after the far id", n)
		}
		_, err = db.ExecContext(ctx, db.Rebind(`INSERT INTO page_changes (id, tenant_id, prefix, at) VALUES (?, 6, '', ?)`), last+5, store.Now())
		must(t, err)
		if n, _ := a.Poll(ctx); n != 1 || gotA[len(gotA)-1].TenantID != 6 {
			t.Fatalf("the late, smaller id was missed: %+v", gotA)
		}
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
