package sso

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"yiwang/core/store"
)

// RateLimiter spends one event of a key (an address, an account and an
// address, a user); when the key's budget is spent it reports how long
// until the next event is allowed.
type RateLimiter interface {
	Allow(key string) (bool, time.Duration)
}

var (
	_ RateLimiter = (*Limiter)(nil)
	_ RateLimiter = (*SharedLimiter)(nil)
)

// Limiter is a token bucket per key held in one process: n events per
// window, with bursts of up to n. It is the fallback of SharedLimiter and
// what a component without a database (the provider in a unit test) uses.
type Limiter struct {
	rate  float64 // tokens per second
	burst float64
	now   func() time.Time

	mu sync.Mutex
	m  map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

// NewLimiter allows n events per window per key.
func NewLimiter(n int, window time.Duration) *Limiter {
	return &Limiter{rate: float64(n) / window.Seconds(), burst: float64(n), now: time.Now, m: map[string]*bucket{}}
}

// Allow spends one token of key; when none is left it reports how long
// until one is.
func (l *Limiter) Allow(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.m) > 50000 {
		l.sweep(now)
	}
	b := l.m[key]
	if b == nil {
		b = &bucket{tokens: l.burst, at: now}
		l.m[key] = b
	}
	b.tokens = math.Min(l.burst, b.tokens+now.Sub(b.at).Seconds()*l.rate)
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
	return false, wait
}

// sweep forgets keys whose buckets have refilled.
func (l *Limiter) sweep(now time.Time) {
	for k, b := range l.m {
		if b.tokens+now.Sub(b.at).Seconds()*l.rate >= l.burst {
			delete(l.m, k)
		}
	}
}

// SharedLimiter counts events in the platform database, so a limit holds
// across restarts and across every host process on the database: n events
// per window per key, estimated over a sliding window from two fixed ones
// (the current window's count plus the previous one's, weighted by how
// much of it still overlaps). If the database cannot be reached, it falls
// back to a limiter in this process rather than refusing every form.
type SharedLimiter struct {
	db     *store.DB
	name   string
	n      int
	window time.Duration
	local  *Limiter
	log    *slog.Logger
	now    func() time.Time
	calls  atomic.Int64
}

// NewSharedLimiter allows n events per window per key; name keeps the keys
// of limiters with different budgets apart ("login", "mailbox-letter").
func NewSharedLimiter(db *store.DB, name string, n int, window time.Duration, log *slog.Logger) *SharedLimiter {
	if log == nil {
		log = slog.Default()
	}
	return &SharedLimiter{db: db, name: name, n: n, window: window, local: NewLimiter(n, window), log: log, now: time.Now}
}

// Allow spends one event of key.
func (l *SharedLimiter) Allow(key string) (bool, time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	ok, wait, err := l.allow(ctx, key)
	if err != nil {
		l.log.Warn("rate limit: database unavailable, counting in this process", "limiter", l.name, "err", err)
		return l.local.Allow(key)
	}
	return ok, wait
}

func (l *SharedLimiter) allow(ctx context.Context, key string) (bool, time.Duration, error) {
	now := l.now()
	w := int64(l.window / time.Second)
	if w < 1 {
		w = 1
	}
	sec := now.Unix()
	win := sec / w
	k := limitKey(l.name, key)
	upsert := `INSERT INTO rate_hits (k, win, hits, expires) VALUES (?, ?, 1, ?)
		ON CONFLICT (k, win) DO UPDATE SET hits = hits + 1`
	if l.db.Dialect == store.MySQL {
		upsert = `INSERT INTO rate_hits (k, win, hits, expires) VALUES (?, ?, 1, ?)
		ON DUPLICATE KEY UPDATE hits = hits + 1`
	}
	if _, err := l.db.ExecContext(ctx, l.db.Rebind(upsert), k, win, (win+2)*w); err != nil {
		return false, 0, err
	}
	var rows []struct {
		Win  int64 `db:"win"`
		Hits int64 `db:"hits"`
	}
	if err := l.db.SelectContext(ctx, &rows, l.db.Rebind(`SELECT win, hits FROM rate_hits WHERE k = ? AND win >= ?`), k, win-1); err != nil {
		return false, 0, err
	}
	var cur, prev int64
	for _, r := range rows {
		switch r.Win {
		case win:
			cur = r.Hits
		case win - 1:
			prev = r.Hits
		}
	}
	if l.calls.Add(1)%500 == 0 {
		if _, err := l.db.ExecContext(ctx, l.db.Rebind(`DELETE FROM rate_hits WHERE expires < ?`), sec); err != nil {
			l.log.Warn("rate limit: sweep", "err", err)
		}
	}
	into := float64(sec-win*w) / float64(w) // how far into the current window
	estimate := float64(prev)*(1-into) + float64(cur)
	if estimate <= float64(l.n) {
		return true, 0, nil
	}
	// Wait until the previous window has faded enough, or the current one
	// has ended.
	wait := time.Duration((win+1)*w-sec) * time.Second
	if prev > 0 && float64(cur) <= float64(l.n) {
		need := 1 - (float64(l.n)-float64(cur))/float64(prev) // fraction of the window that must pass
		if d := time.Duration((need-into)*float64(w)) * time.Second; d > 0 && d < wait {
			wait = d
		}
	}
	if wait < time.Second {
		wait = time.Second
	}
	return false, wait, nil
}

// limitKey keeps stored keys within the column, whatever a caller puts in
// (an address, a user name a visitor typed).
func limitKey(name, key string) string {
	k := name + ":" + key
	if len(k) <= 160 {
		return k
	}
	sum := sha256.Sum256([]byte(k))
	return name + ":sha256:" + hex.EncodeToString(sum[:])
}
