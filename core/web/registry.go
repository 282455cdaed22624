package web

import (
	"context"
	"sync"
	"time"

	"yiwang/tenants"
)

// registry is a snapshot of the tenants, reloaded when older than ttl, so
// that resolving a host or drawing the site directory costs no query. A
// change made by the CLI in another process shows within ttl.
type registry struct {
	store *tenants.Store
	ttl   time.Duration

	mu     sync.Mutex
	snap   *snapshot
	loaded time.Time
}

type snapshot struct {
	all    []*tenants.Tenant
	byCode map[string]*tenants.Tenant
	byHost map[string]*tenants.Tenant
	portal *tenants.Tenant

	// dirHTML caches the rendered directory by link form.
	dirHTML sync.Map
}

func (r *registry) get(ctx context.Context) (*snapshot, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.snap != nil && time.Since(r.loaded) < r.ttl {
		return r.snap, nil
	}
	ts, err := r.store.List(ctx)
	if err != nil {
		if r.snap != nil {
			// Serve the last good snapshot while the database is away;
			// the pages themselves will report it if it stays away.
			return r.snap, nil
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
	r.snap, r.loaded = s, time.Now()
	return s, nil
}

// invalidate makes the next request reload.
func (r *registry) invalidate() {
	r.mu.Lock()
	r.snap = nil
	r.mu.Unlock()
}

// dirGroup is one kind of site in the directory.
type dirGroup struct {
	Label string
	Sites []dirSite
}

type dirSite struct {
	Name, URL string
}
