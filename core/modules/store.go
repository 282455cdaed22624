package modules

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"yiwang/core"
	"yiwang/core/audit"
	"yiwang/core/changes"
	"yiwang/core/store"
	"yiwang/plugins/sdk"
	"yiwang/tenants"
)

// Store keeps which modules each tenant enables, with its settings, and
// what the running hosts report about their module processes.
type Store struct {
	db      *store.DB
	tenants *tenants.Store
}

// NewStore returns a store on the platform database.
func NewStore(db *store.DB, ts *tenants.Store) *Store { return &Store{db: db, tenants: ts} }

// Enablement is one module of one tenant. A disabled one keeps its row
// and its settings.
type Enablement struct {
	TenantID   int64     `db:"tenant_id"`
	TenantCode string    `db:"code"`
	TenantName string    `db:"name"`
	TenantKind string    `db:"kind"`
	Module     string    `db:"module"`
	Enabled    bool      `db:"enabled"`
	Settings   string    `db:"settings"`
	UpdatedAt  time.Time `db:"updated_at"`
	UpdatedBy  string    `db:"updated_by"`
}

// normalizeSettings checks that settings are a JSON object and returns
// their compact form ("{}" for none).
func normalizeSettings(settings string) (string, error) {
	s := strings.TrimSpace(settings)
	if s == "" {
		return "{}", nil
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil || m == nil {
		return "", core.Errorf(core.EINVALID, "模块设置应为 JSON 对象，例如 {\"title\":\"专题\"}")
	}
	b, _ := json.Marshal(m)
	return string(b), nil
}

// Enable switches module on for the tenant with code, with settings (a
// JSON object; nil keeps the settings it had, "{}" for a first enable).
// The change and its audit entry are one transaction.
func (s *Store) Enable(ctx context.Context, actor, code, module string, settings *string) error {
	return s.set(ctx, actor, code, module, true, settings)
}

// Disable switches module off for the tenant; its settings and the
// module's data stay.
func (s *Store) Disable(ctx context.Context, actor, code, module string) error {
	return s.set(ctx, actor, code, module, false, nil)
}

func (s *Store) set(ctx context.Context, actor, code, module string, enabled bool, settings *string) error {
	if !sdk.ValidName(module) {
		return core.Errorf(core.EINVALID, "模块名“%s”不正确", module)
	}
	t, err := s.tenants.ByCode(ctx, code)
	if err != nil {
		return err
	}
	if enabled && t.Status == tenants.Archived {
		return core.Errorf(core.ECONFLICT, "站点“%s”已归档，不能启用模块", t.Name)
	}
	var newSettings string
	if settings != nil {
		if newSettings, err = normalizeSettings(*settings); err != nil {
			return err
		}
	}
	return s.db.Tx(ctx, func(tx *sqlx.Tx) error {
		var cur struct {
			Enabled  bool   `db:"enabled"`
			Settings string `db:"settings"`
		}
		err := tx.GetContext(ctx, &cur, `SELECT enabled, settings FROM tenant_modules WHERE tenant_id = ? AND module = ?`, t.ID, module)
		exists := err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("read module %s of %s: %w", module, code, err)
		}
		if !exists && !enabled {
			return core.Errorf(core.ENOTFOUND, "站点“%s”没有启用过模块 %s", t.Name, module)
		}
		final := cur.Settings
		if settings != nil {
			final = newSettings
		} else if !exists {
			final = "{}"
		}
		if exists && cur.Enabled == enabled && cur.Settings == final {
			return nil // nothing changes: nothing to write or audit
		}
		now := store.Now()
		if exists {
			_, err = tx.ExecContext(ctx, `UPDATE tenant_modules SET enabled = ?, settings = ?, updated_at = ?, updated_by = ?
				WHERE tenant_id = ? AND module = ?`, enabled, final, now, actor, t.ID, module)
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO tenant_modules (tenant_id, module, enabled, settings, updated_at, updated_by)
				VALUES (?, ?, ?, ?, ?, ?)`, t.ID, module, enabled, final, now, actor)
		}
		if err != nil {
			return fmt.Errorf("set module %s of %s: %w", module, code, err)
		}
		action, detail := "module.disable", "停用"
		if enabled {
			action, detail = "module.enable", "启用，设置 "+final
			if exists && cur.Enabled {
				action, detail = "module.settings", "修改设置："+cur.Settings+" → "+final
			}
		}
		// The site's navigation and the module's pages change with it.
		if err := changes.Record(ctx, tx, t.ID, ""); err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Entry{Actor: actor, Action: action, TenantID: &t.ID, Target: t.Code + "/" + module, Detail: detail})
	})
}

// Filter selects enablements; zero fields match everything.
type Filter struct {
	Module      string
	TenantCode  string
	EnabledOnly bool
}

// List returns enablements in directory order of the tenants, then by
// module.
func (s *Store) List(ctx context.Context, f Filter) ([]Enablement, error) {
	q := `SELECT m.tenant_id, t.code, t.name, t.kind, m.module, m.enabled, m.settings, m.updated_at, m.updated_by
		FROM tenant_modules m JOIN tenants t ON t.id = m.tenant_id WHERE 1=1`
	var args []any
	if f.Module != "" {
		q += ` AND m.module = ?`
		args = append(args, f.Module)
	}
	if f.TenantCode != "" {
		q += ` AND t.code = ?`
		args = append(args, f.TenantCode)
	}
	if f.EnabledOnly {
		q += ` AND m.enabled = 1 AND t.status = 'active'`
	}
	q += ` ORDER BY t.sort, t.id, m.module`
	var out []Enablement
	if err := s.db.SelectContext(ctx, &out, q, args...); err != nil {
		return nil, fmt.Errorf("list tenant modules: %w", err)
	}
	return out, nil
}

// Touched reports whether enablement was ever recorded for any tenant:
// a platform on which the county office has never touched modules gets
// the defaults of a first start.
func (s *Store) Touched(ctx context.Context) (bool, error) {
	var n int
	if err := s.db.GetContext(ctx, &n, `SELECT COUNT(*) FROM tenant_modules`); err != nil {
		return false, fmt.Errorf("count tenant modules: %w", err)
	}
	return n > 0, nil
}

// ProcessState is what a host reported of one module process.
type ProcessState struct {
	Instance    string     `db:"instance"`
	Module      string     `db:"module"`
	Version     string     `db:"version"`
	State       string     `db:"state"`
	PID         int        `db:"pid"`
	Restarts    int        `db:"restarts"`
	StartedAt   *time.Time `db:"started_at"`
	LastError   string     `db:"last_error"`
	HeartbeatAt time.Time  `db:"heartbeat_at"`
}

// Report records a host's view of its module processes.
func (s *Store) Report(ctx context.Context, states []ProcessState) error {
	now := store.Now()
	return s.db.Tx(ctx, func(tx *sqlx.Tx) error {
		for _, st := range states {
			if len(st.LastError) > 500 {
				st.LastError = st.LastError[:497] + "..."
			}
			res, err := tx.ExecContext(ctx, `UPDATE module_processes SET version = ?, state = ?, pid = ?, restarts = ?, started_at = ?,
				last_error = ?, heartbeat_at = ? WHERE instance = ? AND module = ?`,
				st.Version, st.State, st.PID, st.Restarts, st.StartedAt, st.LastError, now, st.Instance, st.Module)
			if err != nil {
				return fmt.Errorf("report module %s: %w", st.Module, err)
			}
			if n, _ := res.RowsAffected(); n > 0 {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO module_processes (instance, module, version, state, pid, restarts, started_at, last_error, heartbeat_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, st.Instance, st.Module, st.Version, st.State, st.PID, st.Restarts, st.StartedAt, st.LastError, now); err != nil {
				return fmt.Errorf("report module %s: %w", st.Module, err)
			}
		}
		// Every start of a host is a new instance: forget the ones that
		// have not reported for a week.
		if _, err := tx.ExecContext(ctx, `DELETE FROM module_processes WHERE heartbeat_at < ?`, now.Add(-7*24*time.Hour)); err != nil {
			return fmt.Errorf("forget old module reports: %w", err)
		}
		return nil
	})
}

// Reports returns what hosts reported, newest heartbeat first within
// each module, dropping reports older than maxAge (a host that stopped
// reporting is gone).
func (s *Store) Reports(ctx context.Context, maxAge time.Duration) ([]ProcessState, error) {
	var out []ProcessState
	if err := s.db.SelectContext(ctx, &out, `SELECT instance, module, version, state, pid, restarts, started_at, last_error, heartbeat_at
		FROM module_processes WHERE heartbeat_at >= ?`, store.Now().Add(-maxAge)); err != nil {
		return nil, fmt.Errorf("read module process reports: %w", err)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Module != out[j].Module {
			return out[i].Module < out[j].Module
		}
		return out[i].HeartbeatAt.After(out[j].HeartbeatAt)
	})
	return out, nil
}
