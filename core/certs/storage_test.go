package certs_test

import (
	"context"
	"testing"
	"time"

	"github.com/caddyserver/certmagic"
	"yiwang/core/certs"
	"yiwang/core/certs/certtest"
	"yiwang/core/store"
	"yiwang/core/store/storetest"
)

func TestStorageConformance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		certtest.Run(t, func(t *testing.T) certmagic.Storage {
			if _, err := db.Exec(`DELETE FROM cert_storage`); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(`DELETE FROM cert_locks`); err != nil {
				t.Fatal(err)
			}
			s := certs.NewStorage(db)
			s.Poll = 50 * time.Millisecond
			return s
		})
	})
}

// TestFileStorageConformance runs the suite on certmagic's own file
// storage: the suite asks of a backend what certmagic's reference does.
func TestFileStorageConformance(t *testing.T) {
	certtest.Run(t, func(t *testing.T) certmagic.Storage {
		return &certmagic.FileStorage{Path: t.TempDir()}
	})
}

// TestStaleLockIsTakenOver: a replica that died holding a lock stops
// refreshing it, and another takes it once it has expired; a live
// holder's refreshes keep it.
func TestStaleLockIsTakenOver(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	live, other := certs.NewStorage(db), certs.NewStorage(db)
	for _, s := range []*certs.Storage{live, other} {
		s.LockTTL, s.Poll = 600*time.Millisecond, 50*time.Millisecond
	}
	if err := live.Lock(ctx, "renew_a.com"); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 1500*time.Millisecond)
	defer cancel()
	if err := other.Lock(short, "renew_a.com"); err == nil {
		t.Fatal("a lock kept fresh by its live holder was taken over")
	}
	// A holder that died: its row is there, nobody refreshes it.
	if _, err := db.Exec(`INSERT INTO cert_locks (name, holder, expires_at) VALUES ('issue_b.com', 'dead', ?)`, store.Now().Add(200*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	wait, cancel2 := context.WithTimeout(ctx, 3*time.Second)
	defer cancel2()
	if err := other.Lock(wait, "issue_b.com"); err != nil {
		t.Fatalf("a dead holder's lock was not taken over: %v", err)
	}
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(other.Unlock(ctx, "issue_b.com"))
	must(live.Unlock(ctx, "renew_a.com"))
}
