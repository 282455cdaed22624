// Package demo fills a fresh platform with demo articles, so that the
// default run shows a living county site instead of 75 empty ones. Every
// article it writes carries the Demo mark, so that an operator can find
// and remove them all before the platform goes live.
package demo

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/jmoiron/sqlx"
	"yiwang/core/content"
	"yiwang/core/store"
	"yiwang/tenants"
)

// Actor is the audit-log actor of every demo publication.
const Actor = "system:demo"

// The portal's own news columns, which the standard template does not
// carry. Their sorts put them before the template's columns (10 and up).
var portalColumns = []content.Column{
	{Slug: "ywdt", Name: "要闻动态", Type: content.ColumnList, Sort: 5, Description: "全县重要会议、重大活动和重点工作报道", Keywords: "要闻,动态"},
	{Slug: "bmdt", Name: "部门动态", Type: content.ColumnList, Sort: 6, Description: "县直部门工作动态", Keywords: "部门动态"},
	{Slug: "xzcz", Name: "乡镇传真", Type: content.ColumnList, Sort: 7, Description: "乡镇（街道）工作动态", Keywords: "乡镇传真"},
}

// Seed writes demo articles into every active tenant's columns, once:
// it does nothing for a tenant that already has any article. It returns
// how many articles it wrote.
func Seed(ctx context.Context, db *store.DB, cs *content.Store, ts []*tenants.Tenant) (int, error) {
	var deps, towns []*tenants.Tenant
	for _, t := range ts {
		if t.Status != tenants.Active {
			continue
		}
		switch t.Kind {
		case tenants.Department:
			deps = append(deps, t)
		case tenants.Township:
			towns = append(towns, t)
		}
	}
	total := 0
	for _, t := range ts {
		if t.Status != tenants.Active {
			continue
		}
		n, err := seedTenant(ctx, db, cs, t, deps, towns)
		if err != nil {
			return total, fmt.Errorf("seed demo for %s: %w", t.Code, err)
		}
		total += n
	}
	return total, nil
}

// seedTenant writes one tenant's articles in one transaction, so that a
// failure leaves the tenant as it was and the next run seeds it whole.
func seedTenant(ctx context.Context, db *store.DB, cs *content.Store, t *tenants.Tenant, deps, towns []*tenants.Tenant) (int, error) {
	if t.ID == 0 {
		return 0, errors.New("tenant has no id: pass tenants read from the store")
	}
	tree, err := cs.Columns(ctx, t.ID, true)
	if err != nil {
		return 0, err
	}
	read := flatten(tree)
	// The text is made before the transaction opens, which then holds the
	// database only for the writes.
	drafts := planTenant(t, deps, towns)
	written := 0
	err = db.Tx(ctx, func(tx *sqlx.Tx) error {
		// Tx may run this again after a conflict: start from the columns
		// read, not those a rolled-back attempt added.
		cols := slices.Clone(read)
		// Taking the tenant's row lock first makes two seeders racing
		// (two servers started at once on one MySQL) run one after the
		// other, so the second sees the first one's articles. SQLite's
		// immediate transactions already serialize writers.
		if _, err := tx.ExecContext(ctx, `UPDATE tenants SET updated_at = updated_at WHERE id = ?`, t.ID); err != nil {
			return fmt.Errorf("lock tenant: %w", err)
		}
		var existing int
		if err := tx.GetContext(ctx, &existing, `SELECT COUNT(*) FROM articles WHERE tenant_id = ?`, t.ID); err != nil {
			return fmt.Errorf("count articles: %w", err)
		}
		if existing > 0 {
			return nil
		}
		if t.IsPortal() {
			for _, pc := range portalColumns {
				if findColumn(cols, pc.Slug, false) != nil {
					continue
				}
				c := pc
				c.TenantID = t.ID
				if err := cs.CreateColumn(ctx, tx, &c); err != nil {
					return fmt.Errorf("create column %s: %w", c.Slug, err)
				}
				cols = append(cols, &c)
			}
		}
		n := 0
		for _, d := range drafts {
			// A tenant whose template lacks a column (the county office
			// changed the template) simply gets no demo text there.
			c := findColumn(cols, d.slug, !isPortalColumn(d.slug))
			if c == nil {
				continue
			}
			a := d.article
			a.TenantID, a.ColumnID, a.Demo = t.ID, c.ID, true
			if err := cs.SaveDraft(ctx, tx, &a); err != nil {
				return err
			}
			if err := cs.PublishTx(ctx, tx, Actor, t.ID, a.ID); err != nil {
				return err
			}
			n++
		}
		written = n
		return nil
	})
	if err != nil {
		return 0, err
	}
	return written, nil
}

func flatten(cs []*content.Column) []*content.Column {
	var out []*content.Column
	for _, c := range cs {
		out = append(out, c)
		out = append(out, flatten(c.Children)...)
	}
	return out
}

// findColumn finds the tenant's column for slug. A template column is
// matched by the template slug it came from, since a clash can have given
// it another slug (gzdt-2); failing that, and for the portal's own
// columns, by slug.
func findColumn(cs []*content.Column, slug string, template bool) *content.Column {
	if template {
		for _, c := range cs {
			if c.TemplateSlug != nil && *c.TemplateSlug == slug {
				return c
			}
		}
	}
	for _, c := range cs {
		if c.Slug == slug {
			return c
		}
	}
	return nil
}

func isPortalColumn(slug string) bool {
	for _, c := range portalColumns {
		if c.Slug == slug {
			return true
		}
	}
	return false
}
