package tenants

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
	"yiwang/core"
	"yiwang/core/audit"
	"yiwang/core/changes"
	"yiwang/core/store"
)

// Store keeps tenants in the platform database.
type Store struct {
	db *store.DB

	// OnCreate runs in the transaction that creates a tenant, so a new
	// sub-site gets its standard columns or is not created at all. The
	// composition root sets it; tenants knows nothing of columns.
	OnCreate func(ctx context.Context, tx *sqlx.Tx, t *Tenant) error
}

// NewStore returns a store on db.
func NewStore(db *store.DB) *Store { return &Store{db: db} }

const tenantColumns = `id, code, name, kind, status, sort, sponsor, site_id_code, icp, psb, address, phone, email, org_code,
	theme_color, logo_url, created_at, updated_at, archived_at`

// List returns all tenants (archived too) in directory order: portal,
// departments, townships, other units, each by sort.
func (s *Store) List(ctx context.Context) ([]*Tenant, error) {
	var ts []*Tenant
	err := s.db.SelectContext(ctx, &ts, `SELECT `+tenantColumns+` FROM tenants
		ORDER BY CASE kind WHEN 'portal' THEN 0 WHEN 'department' THEN 1 WHEN 'township' THEN 2 ELSE 3 END, sort, code`)
	if err != nil {
		return nil, fmt.Errorf("list tenants: %w", err)
	}
	var ds []struct {
		Host     string `db:"host"`
		TenantID int64  `db:"tenant_id"`
	}
	if err := s.db.SelectContext(ctx, &ds, `SELECT host, tenant_id FROM tenant_domains ORDER BY is_primary DESC, host`); err != nil {
		return nil, fmt.Errorf("list tenant domains: %w", err)
	}
	byID := make(map[int64]*Tenant, len(ts))
	for _, t := range ts {
		byID[t.ID] = t
	}
	for _, d := range ds {
		if t := byID[d.TenantID]; t != nil {
			t.Domains = append(t.Domains, d.Host)
		}
	}
	return ts, nil
}

// ByCode returns the tenant with code, or a not-found error.
func (s *Store) ByCode(ctx context.Context, code string) (*Tenant, error) {
	return s.get(ctx, `SELECT `+tenantColumns+` FROM tenants WHERE code = ?`, code)
}

// ByID returns the tenant with id, or a not-found error.
func (s *Store) ByID(ctx context.Context, id int64) (*Tenant, error) {
	return s.get(ctx, `SELECT `+tenantColumns+` FROM tenants WHERE id = ?`, id)
}

func (s *Store) get(ctx context.Context, q string, arg any) (*Tenant, error) {
	var t Tenant
	if err := s.db.GetContext(ctx, &t, q, arg); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, &core.Error{Code: core.ENOTFOUND, Message: fmt.Sprintf("没有找到站点“%v”", arg)}
		}
		return nil, fmt.Errorf("get tenant %v: %w", arg, err)
	}
	if err := s.db.SelectContext(ctx, &t.Domains, `SELECT host FROM tenant_domains WHERE tenant_id = ? ORDER BY is_primary DESC, host`, t.ID); err != nil {
		return nil, fmt.Errorf("get domains of tenant %s: %w", t.Code, err)
	}
	return &t, nil
}

// Create adds a tenant and its domains, runs OnCreate, and writes the
// audit log, all in one transaction.
func (s *Store) Create(ctx context.Context, actor string, t *Tenant) error {
	if t.Status == "" {
		t.Status = Active
	}
	if err := t.Validate(); err != nil {
		return err
	}
	if t.Kind == Portal {
		var n int
		if err := s.db.GetContext(ctx, &n, `SELECT COUNT(*) FROM tenants WHERE kind = 'portal' AND code <> ?`, t.Code); err != nil {
			return fmt.Errorf("create tenant %s: %w", t.Code, err)
		}
		if n > 0 {
			return core.Errorf(core.ECONFLICT, "已有县政府门户站点，一个平台只能有一个门户")
		}
	}
	return s.db.Tx(ctx, func(tx *sqlx.Tx) error {
		if err := s.insert(ctx, tx, t); err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Entry{Actor: actor, Action: "tenant.create", TenantID: &t.ID, Target: t.Code, Detail: t.Name})
	})
}

func (s *Store) insert(ctx context.Context, tx *sqlx.Tx, t *Tenant) error {
	now := store.Now()
	t.CreatedAt, t.UpdatedAt = now, now
	res, err := tx.ExecContext(ctx, `INSERT INTO tenants (code, name, kind, status, sort, sponsor, site_id_code, icp, psb,
		address, phone, email, org_code, theme_color, logo_url, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.Code, t.Name, t.Kind, t.Status, t.Sort, t.Sponsor, t.SiteIDCode, t.ICP, t.PSB,
		t.Address, t.Phone, t.Email, t.OrgCode, t.ThemeColor, t.LogoURL, now, now)
	if err != nil {
		if store.IsUniqueViolation(err) {
			return core.Errorf(core.ECONFLICT, "站点代码“%s”已被使用", t.Code)
		}
		return fmt.Errorf("insert tenant %s: %w", t.Code, err)
	}
	if t.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("insert tenant %s: %w", t.Code, err)
	}
	if err := setDomains(ctx, tx, t); err != nil {
		return err
	}
	if s.OnCreate != nil {
		if err := s.OnCreate(ctx, tx, t); err != nil {
			return fmt.Errorf("provision tenant %s: %w", t.Code, err)
		}
	}
	return nil
}

// setDomains replaces the tenant's domains; the first is primary. Every
// write of a tenant passes here, so here it is announced to every host's
// page cache and registry: names, domains and footer facts show on every
// site's directory and layout.
func setDomains(ctx context.Context, tx *sqlx.Tx, t *Tenant) error {
	if err := changes.Record(ctx, tx, changes.AllTenants, ""); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM tenant_domains WHERE tenant_id = ?`, t.ID); err != nil {
		return fmt.Errorf("set domains of %s: %w", t.Code, err)
	}
	for i, h := range t.Domains {
		primary := 0
		if i == 0 {
			primary = 1
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO tenant_domains (host, tenant_id, is_primary, created_at) VALUES (?, ?, ?, ?)`,
			h, t.ID, primary, store.Now()); err != nil {
			if store.IsUniqueViolation(err) {
				return core.Errorf(core.ECONFLICT, "域名“%s”已映射到其他站点", h)
			}
			return fmt.Errorf("map domain %s to %s: %w", h, t.Code, err)
		}
	}
	return nil
}

// Update writes the editable fields of t (not code, status or dates).
func (s *Store) Update(ctx context.Context, actor string, t *Tenant) error {
	if err := t.Validate(); err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sqlx.Tx) error {
		var oldCode string
		if err := tx.GetContext(ctx, &oldCode, `SELECT org_code FROM tenants WHERE id = ?`, t.ID); err != nil {
			return fmt.Errorf("update tenant %s: %w", t.Code, err)
		}
		if err := update(ctx, tx, t); err != nil {
			return err
		}
		// The code is printed in every 索引号 a module issues, so the log
		// keeps what it was changed from.
		detail := ""
		if oldCode != t.OrgCode {
			detail = fmt.Sprintf("统一社会信用代码：%q → %q", oldCode, t.OrgCode)
		}
		return audit.Write(ctx, tx, audit.Entry{Actor: actor, Action: "tenant.update", TenantID: &t.ID, Target: t.Code, Detail: detail})
	})
}

func update(ctx context.Context, tx *sqlx.Tx, t *Tenant) error {
	t.UpdatedAt = store.Now()
	_, err := tx.ExecContext(ctx, `UPDATE tenants SET name = ?, kind = ?, sort = ?, sponsor = ?, site_id_code = ?, icp = ?, psb = ?,
		address = ?, phone = ?, email = ?, org_code = ?, theme_color = ?, logo_url = ?, updated_at = ? WHERE id = ?`,
		t.Name, t.Kind, t.Sort, t.Sponsor, t.SiteIDCode, t.ICP, t.PSB, t.Address, t.Phone, t.Email, t.OrgCode, t.ThemeColor, t.LogoURL,
		t.UpdatedAt, t.ID)
	if err != nil {
		return fmt.Errorf("update tenant %s: %w", t.Code, err)
	}
	return setDomains(ctx, tx, t)
}

// SetStatus archives or restores a tenant. Nothing of its data is removed.
func (s *Store) SetStatus(ctx context.Context, actor, code string, st Status) (*Tenant, error) {
	if st != Active && st != Archived {
		return nil, core.Errorf(core.EINVALID, "站点状态“%s”无效：应为 active 或 archived", st)
	}
	t, err := s.ByCode(ctx, code)
	if err != nil {
		return nil, err
	}
	if t.Kind == Portal && st == Archived {
		return nil, core.Errorf(core.EINVALID, "县政府门户不能归档")
	}
	if t.Status == st {
		return t, nil
	}
	err = s.db.Tx(ctx, func(tx *sqlx.Tx) error {
		now := store.Now()
		var archivedAt any // NULL when restored
		if st == Archived {
			archivedAt = now
		}
		if _, err := tx.ExecContext(ctx, `UPDATE tenants SET status = ?, archived_at = ?, updated_at = ? WHERE id = ?`, st, archivedAt, now, t.ID); err != nil {
			return fmt.Errorf("set status of tenant %s: %w", code, err)
		}
		if err := changes.Record(ctx, tx, changes.AllTenants, ""); err != nil {
			return err
		}
		action := "tenant.archive"
		if st == Active {
			action = "tenant.restore"
		}
		return audit.Write(ctx, tx, audit.Entry{Actor: actor, Action: action, TenantID: &t.ID, Target: t.Code})
	})
	if err != nil {
		return nil, err
	}
	return s.ByCode(ctx, code)
}

// AddDomain maps host to the tenant; primary makes it the canonical host.
func (s *Store) AddDomain(ctx context.Context, actor, code, host string, primary bool) error {
	host = NormalizeHost(host)
	if err := ValidateHost(host); err != nil {
		return err
	}
	t, err := s.ByCode(ctx, code)
	if err != nil {
		return err
	}
	ds := []string{}
	mapped := false
	for _, d := range t.Domains {
		if d != host {
			ds = append(ds, d)
		} else {
			mapped = true
		}
	}
	switch {
	case primary || len(ds) == 0:
		t.Domains = append([]string{host}, ds...)
	case mapped:
		// Already mapped here: adding it again without primary must not
		// demote it if it is the primary domain.
	default:
		t.Domains = append(ds, host)
	}
	return s.db.Tx(ctx, func(tx *sqlx.Tx) error {
		if err := setDomains(ctx, tx, t); err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Entry{Actor: actor, Action: "tenant.domain.add", TenantID: &t.ID, Target: t.Code, Detail: host})
	})
}

// RemoveDomain unmaps host from the tenant.
func (s *Store) RemoveDomain(ctx context.Context, actor, code, host string) error {
	host = NormalizeHost(host)
	t, err := s.ByCode(ctx, code)
	if err != nil {
		return err
	}
	var ds []string
	for _, d := range t.Domains {
		if d != host {
			ds = append(ds, d)
		}
	}
	if len(ds) == len(t.Domains) {
		return core.Errorf(core.ENOTFOUND, "站点“%s”没有映射域名“%s”", code, host)
	}
	t.Domains = ds
	return s.db.Tx(ctx, func(tx *sqlx.Tx) error {
		if err := setDomains(ctx, tx, t); err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Entry{Actor: actor, Action: "tenant.domain.remove", TenantID: &t.ID, Target: t.Code, Detail: host})
	})
}

// DomainOwner returns the code of the tenant that host is mapped to, or "".
func (s *Store) DomainOwner(ctx context.Context, host string) (string, error) {
	var code string
	err := s.db.GetContext(ctx, &code, `SELECT t.code FROM tenant_domains d JOIN tenants t ON t.id = d.tenant_id WHERE d.host = ?`,
		strings.ToLower(host))
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("look up domain %s: %w", host, err)
	}
	return code, nil
}
