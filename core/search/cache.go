package search

import (
	"container/list"
	"context"
	"fmt"
	"sync"
	"time"
)

// Cached is an Index with a cache of search results in front of it: a
// county's searches repeat (扶贫, 招聘, 2026年 …), and a repeated search is
// answered from memory. Every write through the Cached index empties the
// cache, so with the embedded index (one process writes) a result is never
// stale; with a shared cluster, where other replicas write, a result lives
// at most TTL.
type Cached struct {
	Index
	size int
	ttl  time.Duration

	mu    sync.Mutex
	gen   uint64
	order *list.List // of *cacheEntry, most recent first
	byKey map[string]*list.Element
}

type cacheEntry struct {
	key string
	gen uint64
	at  time.Time
	res Result
}

// NewCached puts a cache of size results, each kept at most ttl, in
// front of idx.
func NewCached(idx Index, size int, ttl time.Duration) *Cached {
	return &Cached{Index: idx, size: size, ttl: ttl, order: list.New(), byKey: map[string]*list.Element{}}
}

func (c *Cached) invalidate() {
	c.mu.Lock()
	c.gen++
	c.order.Init()
	c.byKey = map[string]*list.Element{}
	c.mu.Unlock()
}

// Upsert implements Index and empties the cache.
func (c *Cached) Upsert(ctx context.Context, docs ...Doc) error {
	defer c.invalidate()
	return c.Index.Upsert(ctx, docs...)
}

// Delete implements Index and empties the cache.
func (c *Cached) Delete(ctx context.Context, ids ...string) error {
	defer c.invalidate()
	return c.Index.Delete(ctx, ids...)
}

// Search implements Index: from the cache when it can.
func (c *Cached) Search(ctx context.Context, q Query) (*Result, error) {
	q.normalise()
	key := fmt.Sprintf("%q|%v|%v|%q|%q|%d|%d|%s|%d|%d|%t", q.Text, q.Tenants, q.ExcludeTenants, q.Types, q.Fields,
		q.From.UnixNano(), q.To.UnixNano(), q.Sort, q.Offset, q.Limit, q.Facets)
	c.mu.Lock()
	if el, ok := c.byKey[key]; ok {
		e := el.Value.(*cacheEntry)
		if e.gen == c.gen && time.Since(e.at) < c.ttl {
			c.order.MoveToFront(el)
			res := e.res
			res.Hits = append([]Hit(nil), e.res.Hits...)
			c.mu.Unlock()
			return &res, nil
		}
		c.order.Remove(el)
		delete(c.byKey, key)
	}
	gen := c.gen
	c.mu.Unlock()

	res, err := c.Index.Search(ctx, q)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen == c.gen {
		e := &cacheEntry{key: key, gen: gen, at: time.Now(), res: *res}
		e.res.Hits = append([]Hit(nil), res.Hits...)
		c.byKey[key] = c.order.PushFront(e)
		for c.order.Len() > c.size {
			old := c.order.Back()
			c.order.Remove(old)
			delete(c.byKey, old.Value.(*cacheEntry).key)
		}
	}
	return res, nil
}
