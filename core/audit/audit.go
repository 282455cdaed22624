// Package audit writes the platform's audit log: who did what, on which
// tenant, when, from where, with what result. Entries are only ever added.
package audit

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"yiwang/core/store"
)

// Entry is one line of the audit log.
type Entry struct {
	ID         int64     `db:"id"`
	At         time.Time `db:"at"`
	Actor      string    `db:"actor"`  // "cli:root", "user:12", "system"
	Action     string    `db:"action"` // "tenant.create", "tenant.archive" …
	TenantID   *int64    `db:"tenant_id"`
	Target     string    `db:"target"`
	Detail     string    `db:"detail"`
	RemoteAddr string    `db:"remote_addr"`
	Result     string    `db:"result"` // "ok" or "error"
}

// Write adds e to the log through x (a *sqlx.DB or *sqlx.Tx).
func Write(ctx context.Context, x sqlx.ExecerContext, e Entry) error {
	if db, ok := x.(*store.DB); ok {
		// Not in a transaction of the caller's: the entry gets one of its
		// own, so that an insert the database rolls back whole (1213: a
		// Galera node certified a conflicting write first) is made again
		// (see sqldb.Tx) instead of the record being lost.
		return db.Tx(ctx, func(tx *sqlx.Tx) error { return Write(ctx, tx, e) })
	}
	if e.At.IsZero() {
		e.At = store.Now()
	}
	if e.Result == "" {
		e.Result = "ok"
	}
	_, err := x.ExecContext(ctx, `INSERT INTO audit_log (at, actor, action, tenant_id, target, detail, remote_addr, result)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, e.At, e.Actor, e.Action, e.TenantID, e.Target, e.Detail, e.RemoteAddr, e.Result)
	if err != nil {
		return fmt.Errorf("audit %s %s: %w", e.Action, e.Target, err)
	}
	return nil
}

// Filter selects entries; zero fields match everything.
type Filter struct {
	TenantID *int64
	Action   string
	Since    time.Time
	Limit    int
}

// List returns entries newest first.
func List(ctx context.Context, db *store.DB, f Filter) ([]Entry, error) {
	q := `SELECT id, at, actor, action, tenant_id, target, detail, remote_addr, result FROM audit_log WHERE 1=1`
	var args []any
	if f.TenantID != nil {
		q += ` AND tenant_id = ?`
		args = append(args, *f.TenantID)
	}
	if f.Action != "" {
		q += ` AND action = ?`
		args = append(args, f.Action)
	}
	if !f.Since.IsZero() {
		q += ` AND at >= ?`
		args = append(args, f.Since.UTC())
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	q += fmt.Sprintf(` ORDER BY id DESC LIMIT %d`, f.Limit)
	var out []Entry
	if err := db.SelectContext(ctx, &out, q, args...); err != nil {
		return nil, fmt.Errorf("list audit log: %w", err)
	}
	return out, nil
}
