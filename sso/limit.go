package sso

import (
	"math"
	"sync"
	"time"
)

// Limiter is a token bucket per key (an address, an account): n events
// per window, with bursts of up to n. It lives in one process, so with k
// replicas a client gets at most k times the rate: enough against
// guessing passwords and codes, which is what it is for.
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
