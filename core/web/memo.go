package web

import (
	"context"
	"strconv"
	"sync"

	"yiwang/core/changes"
	"yiwang/core/content"
)

// siteMemo keeps what every page of a site reads (its column tree, its
// home page's newest articles) from one change of the site to the next,
// so that a signed-in visitor's page, which the page cache never holds,
// costs no query for them either. It follows the same change feed as the
// page cache; without the feed it is off and every read goes to the
// database.
type siteMemo struct {
	mu   sync.Mutex
	gens map[int64]uint64 // per tenant, counted up by its changes
	all  uint64           // counted up by changes of every tenant
	vals map[string]memoVal
}

type memoVal struct {
	gen, all uint64
	v        any
}

func newSiteMemo() *siteMemo {
	return &siteMemo{gens: map[int64]uint64{}, vals: map[string]memoVal{}}
}

// drop forgets what is kept of tenantID (of every tenant for
// changes.AllTenants).
func (m *siteMemo) drop(tenantID int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if tenantID == changes.AllTenants {
		m.all++
		clear(m.vals)
		return
	}
	m.gens[tenantID]++
}

// get returns the value kept under key for tenantID, or loads and keeps
// it; a value loaded while a change arrived is handed out but not kept.
func (m *siteMemo) get(tenantID int64, key string, load func() (any, error)) (any, error) {
	m.mu.Lock()
	gen, all := m.gens[tenantID], m.all
	if v, ok := m.vals[key]; ok && v.gen == gen && v.all == all {
		m.mu.Unlock()
		return v.v, nil
	}
	m.mu.Unlock()
	v, err := load()
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	if m.gens[tenantID] == gen && m.all == all {
		m.vals[key] = memoVal{gen: gen, all: all, v: v}
	}
	m.mu.Unlock()
	return v, nil
}

// siteColumns is the tenant's visible column tree, kept between changes
// when the feed is on. Callers only read it.
func (s *Server) siteColumns(ctx context.Context, tenantID int64) ([]*content.Column, error) {
	if s.memo == nil {
		return s.content.Columns(ctx, tenantID, false)
	}
	v, err := s.memo.get(tenantID, "cols|"+strconv.FormatInt(tenantID, 10), func() (any, error) {
		return s.content.Columns(ctx, tenantID, false)
	})
	if err != nil {
		return nil, err
	}
	return v.([]*content.Column), nil
}

// latestByColumn is the tenant's newest n articles per column, kept
// between changes when the feed is on. Callers only read it.
func (s *Server) latestByColumn(ctx context.Context, tenantID int64, n int) (map[int64][]*content.Article, error) {
	if s.memo == nil {
		return s.content.LatestByColumn(ctx, tenantID, n)
	}
	v, err := s.memo.get(tenantID, "latest|"+strconv.FormatInt(tenantID, 10)+"|"+strconv.Itoa(n), func() (any, error) {
		return s.content.LatestByColumn(ctx, tenantID, n)
	})
	if err != nil {
		return nil, err
	}
	return v.(map[int64][]*content.Article), nil
}
