package sdk

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// EventLog keeps a module's event channels in its own database, in a
// table named events that the module's migrations create:
//
//	CREATE TABLE events (
//		id {{id}},
//		tenant_id BIGINT NOT NULL,
//		channel VARCHAR(64) NOT NULL,
//		type VARCHAR(32) NOT NULL,
//		data {{text}} NOT NULL,
//		created_at {{time}} NOT NULL
//	) {{table}};
//	CREATE INDEX ix_events_channel ON events (tenant_id, channel, id);
//
// Events carry the table's ids, so they survive restarts of the module
// and the host, and a subscriber resumes after the last id it saw. Tx
// writes events together with the rows they announce (an answer and its
// event commit together or not at all), one transaction at a time, so
// ids become visible in increasing order (a MySQL auto-increment handed
// out in one transaction but committed after a later one would otherwise
// be skipped by a follower). Its Events is a Streamer's Events.
type EventLog struct {
	db *DB
	// Poll is how often followers look at the table even when this
	// process wrote nothing (another process of the module); default 2 s.
	Poll time.Duration

	mu   sync.Mutex    // one writing transaction at a time
	wmu  sync.Mutex    // guards wake
	wake chan struct{} // closed when events are committed, then replaced
}

// NewEventLog keeps events in db's events table.
func NewEventLog(db *DB) *EventLog {
	return &EventLog{db: db, Poll: 2 * time.Second, wake: make(chan struct{})}
}

// Emit stores one event in the transaction of EventLog.Tx.
type Emit func(channel, typ, data string) (id int64, err error)

// Tx runs fn in a transaction of the tenant in which emit stores events;
// followers see them once it commits.
func (l *EventLog) Tx(ctx context.Context, tenantID int64, fn func(s *Scope, emit Emit) error) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	wrote := false
	err := l.db.Tx(ctx, tenantID, func(s *Scope) error {
		return fn(s, func(channel, typ, data string) (int64, error) {
			if !ValidChannel(channel) {
				return 0, fmt.Errorf("event channel %q is not a valid name", channel)
			}
			id, err := s.Insert(ctx, `INSERT INTO events (tenant_id, channel, type, data, created_at)
				VALUES (:tenant_id, :channel, :type, :data, :now)`, Args{"channel": channel, "type": typ, "data": data, "now": time.Now().UTC()})
			if err != nil {
				return 0, fmt.Errorf("store event: %w", err)
			}
			wrote = true
			return id, nil
		})
	})
	if err == nil && wrote {
		l.wmu.Lock()
		close(l.wake)
		l.wake = make(chan struct{})
		l.wmu.Unlock()
	}
	return err
}

func (l *EventLog) waiter() <-chan struct{} {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	return l.wake
}

// Last returns the id of the channel's latest event, 0 when none: a page
// rendered with what exists now tells its script to follow from there.
func (l *EventLog) Last(ctx context.Context, tenantID int64, channel string) (int64, error) {
	var id int64
	err := l.db.Tenant(tenantID).Get(ctx, &id, `SELECT COALESCE(MAX(id), 0) FROM events WHERE tenant_id = :tenant_id AND channel = :channel`,
		Args{"channel": channel})
	if err != nil {
		return 0, fmt.Errorf("last event of %s: %w", channel, err)
	}
	return id, nil
}

type eventRow struct {
	ID   int64  `db:"id"`
	Type string `db:"type"`
	Data string `db:"data"`
}

// Events sends the ready marker, the channel's events after after (up
// to until when until > 0), then follows new ones until ctx ends:
// sdk.Streamer's contract, once the caller has checked the channel.
func (l *EventLog) Events(ctx context.Context, tenantID int64, channel string, after, until int64, send func(Event) error) error {
	if err := send(Event{Type: EventReady}); err != nil {
		return err
	}
	scope := l.db.Tenant(tenantID)
	for {
		wake := l.waiter() // before reading, so a commit after the read is not missed
		var rows []eventRow
		q := `SELECT id, type, data FROM events WHERE tenant_id = :tenant_id AND channel = :channel AND id > :after`
		args := Args{"channel": channel, "after": after}
		if until > 0 {
			q += ` AND id <= :until`
			args["until"] = until
		}
		if err := scope.Select(ctx, &rows, q+` ORDER BY id LIMIT 500`, args); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("read events of %s: %w", channel, err)
		}
		for _, r := range rows {
			if err := send(Event{ID: r.ID, Type: r.Type, Data: r.Data}); err != nil {
				return err
			}
			after = r.ID
		}
		if len(rows) == 500 {
			continue
		}
		if until > 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-wake:
		case <-time.After(l.Poll):
		}
	}
}
