package sso

import (
	"strings"
	"testing"
	"time"

	"yiwang/core/store"
	"yiwang/core/store/storetest"
)

// Two limiters on one database stand for two host processes, or for one
// process before and after a restart: they spend the same budget.
func TestSharedLimiterHoldsAcrossProcessesAndRestarts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
		clock := func() time.Time { return at }
		a := NewSharedLimiter(db, "letter", 3, time.Hour, nil)
		b := NewSharedLimiter(db, "letter", 3, time.Hour, nil)
		a.now, b.now = clock, clock

		for i, l := range []*SharedLimiter{a, b, a} {
			if ok, _ := l.Allow("ip:10.0.0.1"); !ok {
				t.Fatalf("event %d refused within the budget", i+1)
			}
		}
		ok, wait := b.Allow("ip:10.0.0.1")
		if ok {
			t.Fatal("the fourth event in the hour, on the other process, was allowed")
		}
		if wait <= 0 || wait > time.Hour {
			t.Errorf("wait %v, want within the hour", wait)
		}
		restarted := NewSharedLimiter(db, "letter", 3, time.Hour, nil)
		restarted.now = clock
		if ok, _ := restarted.Allow("ip:10.0.0.1"); ok {
			t.Fatal("a restarted process forgot the spent budget")
		}
		if ok, _ := a.Allow("ip:10.0.0.2"); !ok {
			t.Fatal("another address shares the first one's budget")
		}
		if ok, _ := NewSharedLimiter(db, "query", 3, time.Hour, nil).Allow("ip:10.0.0.1"); !ok {
			t.Fatal("a limiter of another name shares the budget")
		}

		// Two windows later the old counts no longer weigh.
		at = at.Add(2 * time.Hour)
		if ok, _ := a.Allow("ip:10.0.0.1"); !ok {
			t.Fatal("still refused two windows later")
		}
	})
}

func TestSharedLimiterSlidingWindow(t *testing.T) {
	db := storetest.SQLite(t)
	at := time.Date(2026, 3, 2, 10, 59, 0, 0, time.UTC) // a minute before the window ends
	l := NewSharedLimiter(db, "login", 4, time.Hour, nil)
	l.now = func() time.Time { return at }
	for range 4 {
		if ok, _ := l.Allow("k"); !ok {
			t.Fatal("refused within budget")
		}
	}
	// Just after the fixed window turns, the previous hour still counts
	// almost fully: a burst at the boundary cannot double the rate.
	at = at.Add(2 * time.Minute)
	if ok, _ := l.Allow("k"); ok {
		t.Fatal("allowed right after the window turned, with the previous window full")
	}
}

func TestSharedLimiterFallsBackWhenTheDatabaseIsGone(t *testing.T) {
	db := storetest.SQLite(t)
	l := NewSharedLimiter(db, "login", 2, time.Minute, nil)
	db.Close()
	for i := range 2 {
		if ok, _ := l.Allow("k"); !ok {
			t.Fatalf("event %d refused by the fallback within budget", i+1)
		}
	}
	if ok, _ := l.Allow("k"); ok {
		t.Fatal("the fallback does not limit")
	}
}

func TestLimitKeyStaysWithinTheColumn(t *testing.T) {
	long := strings.Repeat("用户", 200)
	k := limitKey("login", long)
	if len(k) > 191 {
		t.Fatalf("key of %d bytes", len(k))
	}
	if k == limitKey("login", long+"x") {
		t.Fatal("distinct long keys collide")
	}
}
