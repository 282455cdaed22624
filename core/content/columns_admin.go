package content

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"yiwang/core"
	"yiwang/core/audit"
	"yiwang/core/changes"
)

// ColumnInput is what a site admin writes about a column.
type ColumnInput struct {
	ParentID    *int64
	Slug        string
	Name        string
	Type        string
	LinkURL     string
	Description string
	Keywords    string
}

// maxColumnDepth keeps the tree to what a navigation bar and a site map
// can show.
const maxColumnDepth = 3

// ErrTemplateColumn refuses a change that belongs to the county office:
// the standard template's columns are named, typed, placed and kept by it.
var ErrTemplateColumn = &core.Error{Code: core.EFORBID,
	Message: "这是县政府办统一设置的标准栏目（基本栏目统一），不能删除、改名、改类型或移动；可以隐藏、排序和修改描述"}

func validateColumnInput(in *ColumnInput) error {
	in.Name, in.Description, in.Keywords, in.LinkURL = strings.TrimSpace(in.Name), strings.TrimSpace(in.Description), strings.TrimSpace(in.Keywords), strings.TrimSpace(in.LinkURL)
	switch {
	case utf8.RuneCountInString(in.Description) > 200:
		return core.Errorf(core.EINVALID, "栏目描述不超过 200 个字")
	case utf8.RuneCountInString(in.Keywords) > 100:
		return core.Errorf(core.EINVALID, "栏目关键词不超过 100 个字")
	case in.Type == ColumnLink && (in.LinkURL == "" || !safeURL(in.LinkURL)):
		return core.Errorf(core.EINVALID, "链接栏目须填写以 http://、https:// 或 / 开头的链接地址")
	}
	if in.Type != ColumnLink {
		in.LinkURL = ""
	}
	return nil
}

// columnTx reads the tenant's column inside tx.
func columnTx(ctx context.Context, tx *sqlx.Tx, tenantID, id int64) (*Column, error) {
	var cs []*Column
	if err := tx.SelectContext(ctx, &cs, `SELECT `+columnFields+` FROM site_columns WHERE tenant_id = ? AND id = ?`, tenantID, id); err != nil {
		return nil, fmt.Errorf("get column %d: %w", id, err)
	}
	if len(cs) == 0 {
		return nil, core.Errorf(core.ENOTFOUND, "没有找到栏目")
	}
	return cs[0], nil
}

// depthTx is the depth of column id (1 for a root), following parents.
func depthTx(ctx context.Context, tx *sqlx.Tx, tenantID int64, id *int64) (int, []int64, error) {
	depth := 0
	var chain []int64
	for id != nil && depth <= 10 {
		c, err := columnTx(ctx, tx, tenantID, *id)
		if err != nil {
			return 0, nil, err
		}
		chain = append(chain, c.ID)
		depth++
		id = c.ParentID
	}
	return depth, chain, nil
}

func (d *Desk) auditColumn(ctx context.Context, tx *sqlx.Tx, a Actor, action string, c *Column, detail string) error {
	// Every column change shows in the site's navigation: all its pages.
	if err := changes.Record(ctx, tx, a.TenantID, ""); err != nil {
		return err
	}
	return audit.Write(ctx, tx, audit.Entry{Actor: a.auditName(), Action: "column." + action, TenantID: &a.TenantID,
		Target: "column:" + c.Slug, Detail: detail, RemoteAddr: a.RemoteAddr})
}

// AddColumn adds a column of the tenant's own, last among its siblings.
func (d *Desk) AddColumn(ctx context.Context, a Actor, in ColumnInput) (*Column, error) {
	if err := a.need(PermColumns); err != nil {
		return nil, err
	}
	if err := validateColumnInput(&in); err != nil {
		return nil, err
	}
	c := &Column{TenantID: a.TenantID, ParentID: in.ParentID, Slug: strings.TrimSpace(in.Slug), Name: in.Name, Type: in.Type,
		LinkURL: in.LinkURL, Description: in.Description, Keywords: in.Keywords}
	err := d.db.Tx(ctx, func(tx *sqlx.Tx) error {
		depth, _, err := depthTx(ctx, tx, a.TenantID, in.ParentID)
		if err != nil {
			return err
		}
		if depth >= maxColumnDepth {
			return core.Errorf(core.EINVALID, "栏目最多 %d 级", maxColumnDepth)
		}
		if err := tx.GetContext(ctx, &c.Sort, `SELECT COALESCE(MAX(sort), 0) + 10 FROM site_columns WHERE tenant_id = ? AND `+parentIs(in.ParentID),
			parentArgs(a.TenantID, in.ParentID)...); err != nil {
			return fmt.Errorf("add column: %w", err)
		}
		if err := d.s.CreateColumn(ctx, tx, c); err != nil {
			return err
		}
		return d.auditColumn(ctx, tx, a, "add", c, c.Name)
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

func parentIs(p *int64) string {
	if p == nil {
		return `parent_id IS NULL`
	}
	return `parent_id = ?`
}

func parentArgs(tenantID int64, p *int64) []any {
	if p == nil {
		return []any{tenantID}
	}
	return []any{tenantID, *p}
}

// UpdateColumn changes a column's name, type, link, description and
// keywords. A template column keeps its name, type and link.
func (d *Desk) UpdateColumn(ctx context.Context, a Actor, id int64, in ColumnInput) error {
	if err := a.need(PermColumns); err != nil {
		return err
	}
	if err := validateColumnInput(&in); err != nil {
		return err
	}
	return d.db.Tx(ctx, func(tx *sqlx.Tx) error {
		c, err := columnTx(ctx, tx, a.TenantID, id)
		if err != nil {
			return err
		}
		if c.FromTemplate() && (in.Name != c.Name || in.Type != c.Type || in.LinkURL != c.LinkURL) {
			return ErrTemplateColumn
		}
		old := c.Name
		c.Name, c.Type, c.LinkURL, c.Description, c.Keywords = in.Name, in.Type, in.LinkURL, in.Description, in.Keywords
		if err := validateColumn(c); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE site_columns SET name = ?, type = ?, link_url = ?, description = ?, keywords = ? WHERE id = ? AND tenant_id = ?`,
			c.Name, c.Type, c.LinkURL, c.Description, c.Keywords, id, a.TenantID); err != nil {
			return fmt.Errorf("update column %d: %w", id, err)
		}
		detail := c.Name
		if old != c.Name {
			detail = old + " → " + c.Name
		}
		return d.auditColumn(ctx, tx, a, "update", c, detail)
	})
}

// SetColumnHidden hides a column from the site's navigation and pages, or
// shows it again; its articles stay.
func (d *Desk) SetColumnHidden(ctx context.Context, a Actor, id int64, hidden bool) error {
	if err := a.need(PermColumns); err != nil {
		return err
	}
	return d.db.Tx(ctx, func(tx *sqlx.Tx) error {
		c, err := columnTx(ctx, tx, a.TenantID, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE site_columns SET hidden = ? WHERE id = ? AND tenant_id = ?`, hidden, id, a.TenantID); err != nil {
			return fmt.Errorf("hide column %d: %w", id, err)
		}
		return d.auditColumn(ctx, tx, a, map[bool]string{true: "hide", false: "show"}[hidden], c, c.Name)
	})
}

// ReorderColumns puts the children of parent (nil for the roots) in the
// order of ids, which must name exactly those children.
func (d *Desk) ReorderColumns(ctx context.Context, a Actor, parent *int64, ids []int64) error {
	if err := a.need(PermColumns); err != nil {
		return err
	}
	return d.db.Tx(ctx, func(tx *sqlx.Tx) error {
		var have []int64
		if err := tx.SelectContext(ctx, &have, `SELECT id FROM site_columns WHERE tenant_id = ? AND `+parentIs(parent)+` ORDER BY id`,
			parentArgs(a.TenantID, parent)...); err != nil {
			return fmt.Errorf("reorder columns: %w", err)
		}
		want := slices.Sorted(slices.Values(ids))
		if !slices.Equal(have, want) {
			return core.Errorf(core.EINVALID, "排序须包含同一级的全部栏目，且只包含它们")
		}
		for i, id := range ids {
			if _, err := tx.ExecContext(ctx, `UPDATE site_columns SET sort = ? WHERE id = ? AND tenant_id = ?`, (i+1)*10, id, a.TenantID); err != nil {
				return fmt.Errorf("reorder columns: %w", err)
			}
		}
		return audit.Write(ctx, tx, audit.Entry{Actor: a.auditName(), Action: "column.reorder", TenantID: &a.TenantID,
			Detail: joinIDs(ids), RemoteAddr: a.RemoteAddr})
	})
}

// MoveColumn puts a column of the tenant's own under another parent (nil
// for the top level), last among its new siblings.
func (d *Desk) MoveColumn(ctx context.Context, a Actor, id int64, parent *int64) error {
	if err := a.need(PermColumns); err != nil {
		return err
	}
	return d.db.Tx(ctx, func(tx *sqlx.Tx) error {
		c, err := columnTx(ctx, tx, a.TenantID, id)
		if err != nil {
			return err
		}
		if c.FromTemplate() {
			return ErrTemplateColumn
		}
		depth, chain, err := depthTx(ctx, tx, a.TenantID, parent)
		if err != nil {
			return err
		}
		if slices.Contains(chain, id) {
			return core.Errorf(core.EINVALID, "不能把栏目移到它自己或它的下级栏目之下")
		}
		if parent != nil {
			p, err := columnTx(ctx, tx, a.TenantID, *parent)
			if err != nil {
				return err
			}
			if p.Type == ColumnLink {
				return core.Errorf(core.EINVALID, "链接栏目下不能有子栏目")
			}
		}
		below, err := subtreeDepth(ctx, tx, a.TenantID, id)
		if err != nil {
			return err
		}
		if depth+below > maxColumnDepth {
			return core.Errorf(core.EINVALID, "移动后栏目将超过 %d 级", maxColumnDepth)
		}
		var sort int
		if err := tx.GetContext(ctx, &sort, `SELECT COALESCE(MAX(sort), 0) + 10 FROM site_columns WHERE tenant_id = ? AND `+parentIs(parent),
			parentArgs(a.TenantID, parent)...); err != nil {
			return fmt.Errorf("move column %d: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE site_columns SET parent_id = ?, sort = ? WHERE id = ? AND tenant_id = ?`, parent, sort, id, a.TenantID); err != nil {
			return fmt.Errorf("move column %d: %w", id, err)
		}
		return d.auditColumn(ctx, tx, a, "move", c, c.Name)
	})
}

// subtreeDepth is the number of levels from id down (1 for a leaf).
func subtreeDepth(ctx context.Context, tx *sqlx.Tx, tenantID, id int64) (int, error) {
	var kids []int64
	if err := tx.SelectContext(ctx, &kids, `SELECT id FROM site_columns WHERE tenant_id = ? AND parent_id = ?`, tenantID, id); err != nil {
		return 0, fmt.Errorf("column tree: %w", err)
	}
	deepest := 0
	for _, k := range kids {
		n, err := subtreeDepth(ctx, tx, tenantID, k)
		if err != nil {
			return 0, err
		}
		deepest = max(deepest, n)
	}
	return deepest + 1, nil
}

// DeleteColumn removes an empty column of the tenant's own. A column with
// sub-columns or articles (in any state) stays: hide it instead.
func (d *Desk) DeleteColumn(ctx context.Context, a Actor, id int64) error {
	if err := a.need(PermColumns); err != nil {
		return err
	}
	return d.db.Tx(ctx, func(tx *sqlx.Tx) error {
		c, err := columnTx(ctx, tx, a.TenantID, id)
		if err != nil {
			return err
		}
		if c.FromTemplate() {
			return ErrTemplateColumn
		}
		var n int
		if err := tx.GetContext(ctx, &n, `SELECT (SELECT COUNT(*) FROM site_columns WHERE tenant_id = ? AND parent_id = ?)
			+ (SELECT COUNT(*) FROM articles WHERE tenant_id = ? AND column_id = ?)
			+ (SELECT COUNT(*) FROM article_columns WHERE tenant_id = ? AND column_id = ?)
			+ (SELECT COUNT(*) FROM submissions WHERE target_tenant_id = ? AND target_column_id = ?)`,
			a.TenantID, id, a.TenantID, id, a.TenantID, id, a.TenantID, id); err != nil {
			return fmt.Errorf("delete column %d: %w", id, err)
		}
		if n > 0 {
			return core.Errorf(core.ECONFLICT, "栏目“%s”下还有子栏目、文章或报送记录，不能删除；可以隐藏它", c.Name)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM submission_columns WHERE tenant_id = ? AND column_id = ?`, a.TenantID, id); err != nil {
			return fmt.Errorf("delete column %d: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM site_columns WHERE id = ? AND tenant_id = ?`, id, a.TenantID); err != nil {
			return fmt.Errorf("delete column %d: %w", id, err)
		}
		return d.auditColumn(ctx, tx, a, "delete", c, c.Name)
	})
}

// AllColumns returns the tenant's whole column tree, hidden ones too, for
// the console.
func (d *Desk) AllColumns(ctx context.Context, a Actor) ([]*Column, error) {
	if err := a.need(PermReadDesk); err != nil {
		return nil, err
	}
	return d.s.Columns(ctx, a.TenantID, true)
}
