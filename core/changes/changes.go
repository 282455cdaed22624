// Package changes is the change feed of public pages: writes that change
// what visitors see record which tenant's pages (and under which path)
// they touch, in the database, inside their own transaction; every host
// process follows the feed and drops what its page cache holds of them.
// The database carries it so that every replica sharing it learns of a
// change within a poll, and a change whose transaction rolls back is never
// seen.
package changes

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"

	"yiwang/core/store"
)

// AllTenants names every tenant: the registry, a column template or the
// shared footer changed.
const AllTenants int64 = 0

// Change is one row of the feed: the pages of TenantID (every tenant for
// AllTenants) whose site-relative path starts with Prefix ("" for all).
type Change struct {
	ID       int64  `db:"id"`
	TenantID int64  `db:"tenant_id"`
	Prefix   string `db:"prefix"`
}

// Record adds a change to the feed through x, normally the transaction
// of the write itself.
func Record(ctx context.Context, x sqlx.ExecerContext, tenantID int64, prefix string) error {
	if len(prefix) > 200 {
		prefix = prefix[:200]
	}
	q := `INSERT INTO page_changes (tenant_id, prefix, at) VALUES (?, ?, ?)`
	if b, ok := x.(interface{ Rebind(string) string }); ok {
		q = b.Rebind(q)
	}
	if _, err := x.ExecContext(ctx, q, tenantID, prefix, store.Now()); err != nil {
		return fmt.Errorf("record page change of tenant %d: %w", tenantID, err)
	}
	return nil
}

// Feed follows the change feed for one process and hands each change to
// its subscribers once.
type Feed struct {
	db  *store.DB
	log *slog.Logger
	// Every is the pause between polls; a write made through this process
	// asks for a poll at once (Poll), so it shows here without waiting.
	Every time.Duration
	// Window is how far back each poll reads. Rows are read by time, not
	// by id after the last one seen, because ids are not committed in
	// their order (two writers, or Galera's interleaved AUTO_INCREMENT):
	// a row committed late with a smaller id must still be seen.
	Window time.Duration
	// Keep is how long rows stay in the table.
	Keep time.Duration

	mu     sync.Mutex
	seen   map[int64]time.Time
	subs   []func(Change)
	pruned time.Time
	polled time.Time
}

// NewFeed returns the feed of db.
func NewFeed(db *store.DB, log *slog.Logger) *Feed {
	return &Feed{db: db, log: log, Every: 250 * time.Millisecond, Window: 30 * time.Second, Keep: 10 * time.Minute,
		seen: map[int64]time.Time{}}
}

// Subscribe calls fn for every change read from now on.
func (f *Feed) Subscribe(fn func(Change)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.subs = append(f.subs, fn)
}

// Prime marks every change already in the feed as seen, so that a
// starting process, whose cache is empty, does not replay them.
func (f *Feed) Prime(ctx context.Context) error {
	_, err := f.read(ctx, false)
	return err
}

// Poll reads the changes not seen yet and hands them out; it returns how
// many there were.
func (f *Feed) Poll(ctx context.Context) (int, error) { return f.read(ctx, true) }

func (f *Feed) read(ctx context.Context, deliver bool) (int, error) {
	now := time.Now()
	var rows []Change
	if err := f.db.SelectContext(ctx, &rows, f.db.Rebind(`SELECT id, tenant_id, prefix FROM page_changes WHERE at >= ? ORDER BY id`),
		store.Now().Add(-f.Window)); err != nil {
		return 0, fmt.Errorf("read page changes: %w", err)
	}
	f.mu.Lock()
	var fresh []Change
	for _, c := range rows {
		if _, ok := f.seen[c.ID]; ok {
			continue
		}
		f.seen[c.ID] = now
		fresh = append(fresh, c)
	}
	for id, at := range f.seen {
		if now.Sub(at) > 2*f.Window {
			delete(f.seen, id)
		}
	}
	subs := f.subs
	f.polled = now
	f.mu.Unlock()
	if deliver {
		for _, c := range fresh {
			for _, fn := range subs {
				fn(c)
			}
		}
	}
	return len(fresh), nil
}

// Run polls until ctx ends, and now and then removes rows every process
// has had time to read.
func (f *Feed) Run(ctx context.Context) {
	t := time.NewTicker(f.Every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := f.Poll(ctx); err != nil && ctx.Err() == nil {
			f.log.Warn("page changes: poll", "err", err)
		}
		if time.Since(f.pruned) > time.Minute {
			f.pruned = time.Now()
			if _, err := f.db.ExecContext(ctx, f.db.Rebind(`DELETE FROM page_changes WHERE at < ?`), store.Now().Add(-f.Keep)); err != nil && ctx.Err() == nil {
				f.log.Warn("page changes: prune", "err", err)
			}
		}
	}
}
