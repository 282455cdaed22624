package tenants

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"yiwang/core"
	"yiwang/core/audit"
	"yiwang/core/store"
)

// TemplateColumn is one column of the county's standard column template
// (基本栏目统一). Every sub-site carries these columns; the county office
// can change the template and the change reaches every sub-site.
type TemplateColumn struct {
	Slug        string    `db:"slug"`
	ParentSlug  string    `db:"parent_slug"`
	Name        string    `db:"name"`
	Type        string    `db:"type"` // list, page or link
	LinkURL     string    `db:"link_url"`
	Description string    `db:"description"`
	Keywords    string    `db:"keywords"`
	Sort        int       `db:"sort"`
	UpdatedAt   time.Time `db:"updated_at"`
}

// DefaultTemplate is the template a new platform starts with.
var DefaultTemplate = []TemplateColumn{
	{Slug: "gzdt", Name: "工作动态", Type: "list", Sort: 10, Description: "本单位工作动态、重要活动和会议报道", Keywords: "工作动态"},
	{Slug: "tzgg", Name: "通知公告", Type: "list", Sort: 20, Description: "本单位发布的通知、公告和公示", Keywords: "通知,公告,公示"},
	{Slug: "zcwj", Name: "政策文件", Type: "list", Sort: 30, Description: "本单位制发的规范性文件和政策解读", Keywords: "政策文件,政策解读"},
	{Slug: "xxgk", Name: "政府信息公开", Type: "page", Sort: 40, Description: "政府信息公开指南、目录和年度报告入口", Keywords: "政府信息公开,信息公开指南"},
	{Slug: "hdjl", Name: "互动交流", Type: "page", Sort: 50, Description: "领导信箱、在线访谈和意见征集入口", Keywords: "互动交流,领导信箱,在线访谈"},
}

// Template returns the current standard column template, in order.
func (s *Store) Template(ctx context.Context) ([]TemplateColumn, error) {
	return ReadTemplate(ctx, s.db)
}

// ReadTemplate reads the template through q, a database or a transaction.
func ReadTemplate(ctx context.Context, q sqlx.QueryerContext) ([]TemplateColumn, error) {
	var cs []TemplateColumn
	if err := sqlx.SelectContext(ctx, q, &cs, `SELECT slug, parent_slug, name, type, link_url, description, keywords, sort, updated_at
		FROM column_template ORDER BY sort, slug`); err != nil {
		return nil, fmt.Errorf("read column template: %w", err)
	}
	return cs, nil
}

// EnsureTemplate writes DefaultTemplate when no template is stored yet.
func (s *Store) EnsureTemplate(ctx context.Context) error {
	var n int
	if err := s.db.GetContext(ctx, &n, `SELECT COUNT(*) FROM column_template`); err != nil {
		return fmt.Errorf("count column template: %w", err)
	}
	if n > 0 {
		return nil
	}
	return s.db.Tx(ctx, func(tx *sqlx.Tx) error { return writeTemplate(ctx, tx, DefaultTemplate) })
}

func writeTemplate(ctx context.Context, tx *sqlx.Tx, cs []TemplateColumn) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM column_template`); err != nil {
		return fmt.Errorf("write column template: %w", err)
	}
	now := store.Now()
	for _, c := range cs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO column_template (slug, parent_slug, name, type, link_url, description, keywords, sort, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.Slug, c.ParentSlug, c.Name, c.Type, c.LinkURL, c.Description, c.Keywords, c.Sort, now); err != nil {
			return fmt.Errorf("write template column %s: %w", c.Slug, err)
		}
	}
	return nil
}

// SetTemplate replaces the template and, through apply, brings every
// tenant's template columns in line, in one transaction.
func (s *Store) SetTemplate(ctx context.Context, actor string, cs []TemplateColumn,
	apply func(ctx context.Context, tx *sqlx.Tx, cs []TemplateColumn) error) error {
	seen := map[string]bool{}
	for _, c := range cs {
		if !codePattern.MatchString(c.Slug) || seen[c.Slug] {
			return core.Errorf(core.EINVALID, "模板栏目代码“%s”无效或重复", c.Slug)
		}
		seen[c.Slug] = true
		if c.Name == "" {
			return core.Errorf(core.EINVALID, "模板栏目“%s”缺少名称", c.Slug)
		}
		switch c.Type {
		case "list", "page", "link":
		default:
			return core.Errorf(core.EINVALID, "模板栏目“%s”的类型“%s”无效：应为 list、page 或 link", c.Slug, c.Type)
		}
	}
	return s.db.Tx(ctx, func(tx *sqlx.Tx) error {
		if err := writeTemplate(ctx, tx, cs); err != nil {
			return err
		}
		if apply != nil {
			if err := apply(ctx, tx, cs); err != nil {
				return err
			}
		}
		return audit.Write(ctx, tx, audit.Entry{Actor: actor, Action: "template.update", Detail: fmt.Sprintf("%d columns", len(cs))})
	})
}
