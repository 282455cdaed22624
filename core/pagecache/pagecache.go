// Package pagecache keeps rendered anonymous pages in memory, with their
// compressed forms, and answers them with validators (ETag, 304) until a
// change drops them. Pages are kept per tenant so that a change of one
// site's pages drops those and no others; memory is bounded by bytes,
// least recently used first.
package pagecache

import (
	"container/list"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"yiwang/core/changes"
)

// Entry is one stored page.
type Entry struct {
	Key         string
	TenantID    int64
	Path        string // site-relative, for prefix invalidation
	Pattern     string // the route that drew it, for the metrics' label
	Site        string // the tenant's code, for the metrics' label
	ContentType string
	Modified    time.Time
	ETag        string
	Body        []byte // as rendered
	Gzip        []byte // nil when compression does not pay
	Brotli      []byte
	// Header is the rest of the answer as it was drawn (security
	// headers, the site's policy), for an answer given before the
	// middleware that set them runs (Hit).
	Header  http.Header
	Expires time.Time
	size    int64
}

// Stats are the cache's counters, for the metrics.
type Stats struct {
	Hits, Misses, Stores, Evictions, Invalidations int64
	Bytes, Entries                                 int64
	MaxBytes                                       int64
}

// Cache is the page cache of one process.
type Cache struct {
	max int64

	mu       sync.Mutex
	size     int64
	lru      *list.List // of *Entry, most recent first
	items    map[string]*list.Element
	byTenant map[int64]map[string]*list.Element
	// gen counts invalidations; a page rendered while one happened is not
	// stored, since it may show what was just changed away.
	gen atomic.Uint64

	hits, misses, stores, evictions, invalidations atomic.Int64
}

// New returns a cache holding at most maxBytes of pages.
func New(maxBytes int64) *Cache {
	return &Cache{max: maxBytes, lru: list.New(), items: map[string]*list.Element{}, byTenant: map[int64]map[string]*list.Element{}}
}

// Generation is the invalidation count, taken before rendering a page and
// handed back to Put.
func (c *Cache) Generation() uint64 { return c.gen.Load() }

// Get returns the fresh entry of key, or nil.
func (c *Cache) Get(key string, now time.Time) *Entry {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		c.misses.Add(1)
		return nil
	}
	e := el.Value.(*Entry)
	if now.After(e.Expires) {
		c.remove(el)
		c.misses.Add(1)
		return nil
	}
	c.lru.MoveToFront(el)
	c.hits.Add(1)
	return e
}

// Peek returns the fresh entry of key, or nil, counting a hit but not a
// miss: the request goes on to Serve, which counts it.
func (c *Cache) Peek(key string, now time.Time) *Entry {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		return nil
	}
	e := el.Value.(*Entry)
	if now.After(e.Expires) {
		return nil
	}
	c.lru.MoveToFront(el)
	c.hits.Add(1)
	return e
}

// Put stores e unless an invalidation happened since gen, or e alone is
// more than an eighth of the cache.
func (c *Cache) Put(e *Entry, gen uint64) bool {
	e.size = int64(len(e.Key) + len(e.Body) + len(e.Gzip) + len(e.Brotli) + 256)
	if e.size > c.max/8 {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen.Load() != gen {
		return false
	}
	if el, ok := c.items[e.Key]; ok {
		c.remove(el)
	}
	el := c.lru.PushFront(e)
	c.items[e.Key] = el
	if c.byTenant[e.TenantID] == nil {
		c.byTenant[e.TenantID] = map[string]*list.Element{}
	}
	c.byTenant[e.TenantID][e.Key] = el
	c.size += e.size
	for c.size > c.max {
		c.remove(c.lru.Back())
		c.evictions.Add(1)
	}
	c.stores.Add(1)
	return true
}

func (c *Cache) remove(el *list.Element) {
	e := el.Value.(*Entry)
	c.lru.Remove(el)
	delete(c.items, e.Key)
	if m := c.byTenant[e.TenantID]; m != nil {
		delete(m, e.Key)
		if len(m) == 0 {
			delete(c.byTenant, e.TenantID)
		}
	}
	c.size -= e.size
}

// Invalidate drops the pages of tenantID (every tenant for
// changes.AllTenants) whose path starts with prefix.
func (c *Cache) Invalidate(tenantID int64, prefix string) int {
	c.gen.Add(1)
	c.invalidations.Add(1)
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	drop := func(m map[string]*list.Element) {
		for _, el := range m {
			if strings.HasPrefix(el.Value.(*Entry).Path, prefix) {
				c.remove(el)
				n++
			}
		}
	}
	if tenantID == changes.AllTenants {
		for _, m := range c.byTenant {
			drop(m)
		}
	} else {
		drop(c.byTenant[tenantID])
	}
	return n
}

// Apply is Invalidate for a change read from the feed.
func (c *Cache) Apply(ch changes.Change) { c.Invalidate(ch.TenantID, ch.Prefix) }

// Stats returns the counters.
func (c *Cache) Stats() Stats {
	c.mu.Lock()
	size, n := c.size, int64(len(c.items))
	c.mu.Unlock()
	return Stats{Hits: c.hits.Load(), Misses: c.misses.Load(), Stores: c.stores.Load(), Evictions: c.evictions.Load(),
		Invalidations: c.invalidations.Load(), Bytes: size, Entries: n, MaxBytes: c.max}
}
