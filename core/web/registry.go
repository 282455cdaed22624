package web

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"yiwang/tenants"
)

// registry is a snapshot of the tenants, reloaded when older than ttl, so
// that resolving a host or drawing the site directory costs no query.
// With the change feed a tenant change elsewhere reloads it at once
// (invalidate) and ttl is only a safety net; without, a change made by
// the CLI in another process shows within ttl. Reading it takes no lock:
// every request reads it.
type registry struct {
	store *tenants.Store
	ttl   atomic.Int64 // nanoseconds

	cur  atomic.Pointer[loadedSnapshot] // nil: reload on the next request
	mu   sync.Mutex                     // one reload at a time
	last *snapshot                      // the last good one, while the database is away
}

type loadedSnapshot struct {
	snap *snapshot
	at   time.Time
}

type snapshot struct {
	all    []*tenants.Tenant
	byCode map[string]*tenants.Tenant
	byHost map[string]*tenants.Tenant
	portal *tenants.Tenant

	// dirHTML caches the rendered directory by link form.
	dirHTML sync.Map
}

func newRegistry(store *tenants.Store, ttl time.Duration) *registry {
	r := &registry{store: store}
	r.ttl.Store(int64(ttl))
	return r
}

func (r *registry) fresh() *snapshot {
	if l := r.cur.Load(); l != nil && time.Since(l.at) < time.Duration(r.ttl.Load()) {
		return l.snap
	}
	return nil
}

func (r *registry) get(ctx context.Context) (*snapshot, error) {
	if s := r.fresh(); s != nil {
		return s, nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if s := r.fresh(); s != nil {
		return s, nil // another request reloaded it meanwhile
	}
	ts, err := r.store.List(ctx)
	if err != nil {
		if r.last != nil {
			// Serve the last good snapshot while the database is away;
			// the pages themselves will report it if it stays away.
			return r.last, nil
		}
		return nil, err
	}
	s := &snapshot{all: ts, byCode: map[string]*tenants.Tenant{}, byHost: map[string]*tenants.Tenant{}}
	for _, t := range ts {
		s.byCode[t.Code] = t
		for _, h := range t.Domains {
			s.byHost[h] = t
		}
		if t.Kind == tenants.Portal {
			s.portal = t
		}
	}
	r.last = s
	r.cur.Store(&loadedSnapshot{snap: s, at: time.Now()})
	return s, nil
}

// invalidate makes the next request reload.
func (r *registry) invalidate() { r.cur.Store(nil) }

// DirGroup is one kind of site in the directory.
type DirGroup struct {
	Label string
	Sites []DirSite
}

// DirSite is a site of the directory.
type DirSite struct {
	Name, URL string
}
