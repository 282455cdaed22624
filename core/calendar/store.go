package calendar

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"yiwang/core"
	"yiwang/core/audit"
	"yiwang/core/store"
)

// CountyName names the county office's layer in explanations.
const CountyName = "县政府办公室修订"

// Store keeps the county office's corrections in the platform database
// and answers the calendar in force: the official dates with the
// corrections laid over them. Every change is audited.
type Store struct {
	db *store.DB

	// The calendar is read on every deadline computation; a short cache
	// keeps that cheap, and a change made by another process shows within
	// the TTL.
	TTL    time.Duration
	mu     sync.Mutex
	cached *Calendar
	at     time.Time
}

// NewStore returns a store on the platform database.
func NewStore(db *store.DB) *Store { return &Store{db: db, TTL: 30 * time.Second} }

type dayRow struct {
	Day     string `db:"day"`
	Off     bool   `db:"off"`
	Holiday string `db:"holiday"`
	Source  string `db:"source"`
}

// Layer returns the county office's corrections.
func (s *Store) Layer(ctx context.Context) (Layer, error) {
	l := Layer{Name: CountyName}
	var rows []dayRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT day, off, holiday, source FROM calendar_days ORDER BY day`); err != nil {
		return l, fmt.Errorf("read calendar corrections: %w", err)
	}
	for _, r := range rows {
		d, err := ParseDate(r.Day)
		if err != nil {
			return l, fmt.Errorf("calendar correction %q: %w", r.Day, err)
		}
		l.Entries = append(l.Entries, Entry{Date: d, Off: r.Off, Holiday: r.Holiday, Source: r.Source})
	}
	if err := s.db.SelectContext(ctx, &l.Years, `SELECT year FROM calendar_years ORDER BY year`); err != nil {
		return l, fmt.Errorf("read calendar years: %w", err)
	}
	return l, nil
}

// Current returns the calendar in force.
func (s *Store) Current(ctx context.Context) (*Calendar, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cached != nil && time.Since(s.at) < s.TTL {
		return s.cached, nil
	}
	l, err := s.Layer(ctx)
	if err != nil {
		return nil, err
	}
	c, err := Official().With(l)
	if err != nil {
		return nil, err
	}
	s.cached, s.at = c, time.Now()
	return c, nil
}

// SetDay lists date as a holiday (off) or a make-up working day, replacing
// what the official notice says of it. source names the notice or reason.
func (s *Store) SetDay(ctx context.Context, actor string, d Date, off bool, holiday, source string) error {
	if source == "" {
		return core.Errorf(core.EINVALID, "请注明依据（如通知文号），便于日后核对")
	}
	// Check the entry the way the calendar will read it, before storing.
	if _, err := Official().With(Layer{Name: CountyName, Entries: []Entry{{Date: d, Off: off, Holiday: holiday, Source: source}}}); err != nil {
		return core.Errorf(core.EINVALID, "%s", err.Error())
	}
	return s.change(ctx, actor, "calendar.set", d.String(), fmt.Sprintf("off=%v holiday=%s source=%s", off, holiday, source),
		func(tx *sqlx.Tx, now time.Time) error {
			if _, err := tx.ExecContext(ctx, `DELETE FROM calendar_days WHERE day = ?`, d.String()); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO calendar_days (day, off, holiday, source, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?)`,
				d.String(), off, holiday, source, now, actor)
			return err
		})
}

// ClearDay removes the county office's entry for date: the official
// notice (or the plain weekday rule) applies again.
func (s *Store) ClearDay(ctx context.Context, actor string, d Date) error {
	return s.change(ctx, actor, "calendar.clear", d.String(), "", func(tx *sqlx.Tx, _ time.Time) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM calendar_days WHERE day = ?`, d.String())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return core.Errorf(core.ENOTFOUND, "%s 没有县政府办公室的修订", d)
		}
		return nil
	})
}

// AddYear declares year complete: the county office has entered its
// holidays and make-up days from the State Council's notice, so deadlines
// may now be counted in it.
func (s *Store) AddYear(ctx context.Context, actor string, year int, source string) error {
	if year < 2000 || year > 2100 {
		return core.Errorf(core.EINVALID, "年份 %d 无效", year)
	}
	if source == "" {
		return core.Errorf(core.EINVALID, "请注明依据（国务院办公厅当年节假日安排通知的文号）")
	}
	return s.change(ctx, actor, "calendar.year", fmt.Sprint(year), source, func(tx *sqlx.Tx, now time.Time) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM calendar_years WHERE year = ?`, year); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO calendar_years (year, source, updated_at, updated_by) VALUES (?, ?, ?, ?)`, year, source, now, actor)
		return err
	})
}

func (s *Store) change(ctx context.Context, actor, action, target, detail string, fn func(tx *sqlx.Tx, now time.Time) error) error {
	err := s.db.Tx(ctx, func(tx *sqlx.Tx) error {
		if err := fn(tx, store.Now()); err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Entry{Actor: actor, Action: action, Target: target, Detail: detail})
	})
	if err != nil {
		if core.ErrorCode(err) != core.EINTERNAL {
			return err
		}
		return fmt.Errorf("%s %s: %w", action, target, err)
	}
	s.mu.Lock()
	s.cached = nil
	s.mu.Unlock()
	return nil
}
