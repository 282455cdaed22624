package search

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
	"yiwang/core/audit"
	"yiwang/core/search/outbox"
	"yiwang/core/store"
)

// Rebuild is the last rebuild asked for, as the county console shows it.
type Rebuild struct {
	TenantID    int64      `db:"tenant_id"`
	RequestedBy string     `db:"requested_by"`
	RequestedAt time.Time  `db:"requested_at"`
	StartedAt   *time.Time `db:"started_at"`
	FinishedAt  *time.Time `db:"finished_at"`
	Done        int        `db:"done"`
	Total       int        `db:"total"`
	Error       string     `db:"error"`
}

// Running reports whether the rebuild has started and not finished.
func (r *Rebuild) Running() bool { return r.StartedAt != nil && r.FinishedAt == nil }

// Percent is how far it has got, 0 to 100.
func (r *Rebuild) Percent() int {
	switch {
	case r.FinishedAt != nil && r.Error == "":
		return 100
	case r.Total <= 0:
		return 0
	}
	return min(100, r.Done*100/r.Total)
}

// RequestRebuild asks the server's worker to rebuild the index for one
// tenant (0: all) from the database, and records who asked, in one
// transaction with the audit entry.
func RequestRebuild(ctx context.Context, db *store.DB, actor string, tenantID int64) error {
	return db.Tx(ctx, func(tx *sqlx.Tx) error {
		if err := outbox.Write(ctx, tx, outbox.Reindex, tenantID, "", nil); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM search_rebuild WHERE name = 'last'`); err != nil {
			return fmt.Errorf("request rebuild: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO search_rebuild (name, tenant_id, requested_by, requested_at) VALUES ('last', ?, ?, ?)`,
			tenantID, actor, store.Now()); err != nil {
			return fmt.Errorf("request rebuild: %w", err)
		}
		return audit.Write(ctx, tx, audit.Entry{Actor: actor, Action: "search.rebuild", TenantID: nonZero(tenantID),
			Target: "tenant " + strconv.FormatInt(tenantID, 10), Detail: "rebuild of the search index asked for"})
	})
}

func nonZero(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// LastRebuild returns the last rebuild asked for; nil when there was none.
func LastRebuild(ctx context.Context, db *store.DB) (*Rebuild, error) {
	var r Rebuild
	err := db.GetContext(ctx, &r, `SELECT tenant_id, requested_by, requested_at, started_at, finished_at, done, total, error FROM search_rebuild WHERE name = 'last'`)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read rebuild state: %w", err)
	}
	return &r, nil
}

// Backlog is what waits in the outbox.
type Backlog struct {
	Pending   int
	Oldest    *time.Time // the oldest waiting change
	Failing   int        // rows that failed at least once
	LastError string
}

// OutboxBacklog reads the outbox's state for the console.
func OutboxBacklog(ctx context.Context, db *store.DB) (*Backlog, error) {
	var b Backlog
	var row struct {
		N      int `db:"n"`
		Failed int `db:"failed"`
	}
	if err := db.GetContext(ctx, &row, `SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN attempts > 0 THEN 1 ELSE 0 END), 0) AS failed FROM search_outbox`); err != nil {
		return nil, fmt.Errorf("read search outbox: %w", err)
	}
	b.Pending, b.Failing = row.N, row.Failed
	if b.Pending > 0 {
		var oldest time.Time
		if err := db.GetContext(ctx, &oldest, `SELECT created_at FROM search_outbox ORDER BY id LIMIT 1`); err != nil {
			return nil, fmt.Errorf("read search outbox: %w", err)
		}
		b.Oldest = &oldest
	}
	if b.Failing > 0 {
		if err := db.GetContext(ctx, &b.LastError, `SELECT last_error FROM search_outbox WHERE attempts > 0 ORDER BY id DESC LIMIT 1`); err != nil {
			return nil, fmt.Errorf("read search outbox: %w", err)
		}
	}
	return &b, nil
}

// rebuildTracker writes a rebuild's progress for the console, at most
// once a second, and keeps the worker's lease while the rebuild runs
// longer than the lease (so that no other replica starts the same one).
type rebuildTracker struct {
	f    *Feeder
	ctx  context.Context
	last time.Time
}

func (f *Feeder) startRebuild(ctx context.Context) *rebuildTracker {
	if _, err := f.DB.ExecContext(ctx, `UPDATE search_rebuild SET started_at = ?, finished_at = NULL, done = 0, total = 0, error = '' WHERE name = 'last'`, store.Now()); err != nil {
		f.log().Warn("search: rebuild state", "err", err)
	}
	return &rebuildTracker{f: f, ctx: ctx, last: time.Now()}
}

func (t *rebuildTracker) progress(done, total int) {
	if time.Since(t.last) < time.Second {
		return
	}
	t.last = time.Now()
	if _, err := t.f.lease(t.ctx); err != nil {
		t.f.log().Warn("search: renew lease during a rebuild", "err", err)
	}
	if _, err := t.f.DB.ExecContext(t.ctx, `UPDATE search_rebuild SET done = ?, total = ? WHERE name = 'last'`, done, total); err != nil {
		t.f.log().Warn("search: rebuild state", "err", err)
	}
}

func (t *rebuildTracker) finish(done int, err error) {
	msg := ""
	if err != nil {
		msg = err.Error()
		if len(msg) > 500 {
			msg = msg[:500]
		}
	}
	if _, werr := t.f.DB.ExecContext(t.ctx, `UPDATE search_rebuild SET finished_at = ?, done = ?, total = CASE WHEN total < ? THEN ? ELSE total END, error = ? WHERE name = 'last'`,
		store.Now(), done, done, done, msg); werr != nil {
		t.f.log().Warn("search: rebuild state", "err", werr)
	}
}
