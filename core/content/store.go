package content

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"yiwang/core"
	"yiwang/core/audit"
	"yiwang/core/changes"
	"yiwang/core/search/outbox"
	"yiwang/core/store"
	"yiwang/tenants"
)

// Store keeps columns and articles. Every query names the tenant: no
// method reads or writes across tenants.
type Store struct {
	db *store.DB
}

// NewStore returns a store on db.
func NewStore(db *store.DB) *Store { return &Store{db: db} }

const columnFields = `id, tenant_id, parent_id, slug, name, type, link_url, description, keywords, sort, hidden, template_slug, created_at`

// Columns returns the tenant's columns as a tree, ordered by sort.
// Hidden columns are included when withHidden is set.
func (s *Store) Columns(ctx context.Context, tenantID int64, withHidden bool) ([]*Column, error) {
	q := `SELECT ` + columnFields + ` FROM site_columns WHERE tenant_id = ?`
	if !withHidden {
		q += ` AND hidden = 0`
	}
	q += ` ORDER BY sort, id`
	var flat []*Column
	if err := s.db.SelectContext(ctx, &flat, q, tenantID); err != nil {
		return nil, fmt.Errorf("list columns of tenant %d: %w", tenantID, err)
	}
	return buildTree(flat), nil
}

func buildTree(flat []*Column) []*Column {
	byID := make(map[int64]*Column, len(flat))
	for _, c := range flat {
		byID[c.ID] = c
	}
	var roots []*Column
	for _, c := range flat {
		if c.ParentID != nil && byID[*c.ParentID] != nil {
			p := byID[*c.ParentID]
			p.Children = append(p.Children, c)
			continue
		}
		roots = append(roots, c)
	}
	return roots
}

// Column returns the tenant's column with slug.
func (s *Store) Column(ctx context.Context, tenantID int64, slug string) (*Column, error) {
	var c Column
	err := s.db.GetContext(ctx, &c, `SELECT `+columnFields+` FROM site_columns WHERE tenant_id = ? AND slug = ?`, tenantID, slug)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, core.Errorf(core.ENOTFOUND, "没有找到栏目“%s”", slug)
	}
	if err != nil {
		return nil, fmt.Errorf("get column %s of tenant %d: %w", slug, tenantID, err)
	}
	return &c, nil
}

// ColumnByID returns the tenant's column with id.
func (s *Store) ColumnByID(ctx context.Context, tenantID, id int64) (*Column, error) {
	var c Column
	err := s.db.GetContext(ctx, &c, `SELECT `+columnFields+` FROM site_columns WHERE tenant_id = ? AND id = ?`, tenantID, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, core.Errorf(core.ENOTFOUND, "没有找到栏目")
	}
	if err != nil {
		return nil, fmt.Errorf("get column %d of tenant %d: %w", id, tenantID, err)
	}
	return &c, nil
}

// CreateColumn adds a column to the tenant's tree.
func (s *Store) CreateColumn(ctx context.Context, x sqlx.ExtContext, c *Column) error {
	if err := validateColumn(c); err != nil {
		return err
	}
	c.CreatedAt = store.Now()
	res, err := x.ExecContext(ctx, `INSERT INTO site_columns (tenant_id, parent_id, slug, name, type, link_url, description, keywords, sort, hidden, template_slug, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.TenantID, c.ParentID, c.Slug, c.Name, c.Type, c.LinkURL, c.Description, c.Keywords, c.Sort, c.Hidden, c.TemplateSlug, c.CreatedAt)
	if err != nil {
		if store.IsUniqueViolation(err) {
			return core.Errorf(core.ECONFLICT, "栏目代码“%s”已被使用", c.Slug)
		}
		return fmt.Errorf("create column %s: %w", c.Slug, err)
	}
	if c.ID, err = res.LastInsertId(); err != nil {
		return err
	}
	return changes.Record(ctx, x, c.TenantID, "")
}

func validateColumn(c *Column) error {
	switch {
	case c.TenantID == 0:
		return core.Errorf(core.EINVALID, "栏目缺少所属站点")
	case c.Slug == "" || len(c.Slug) > 64 || strings.Trim(c.Slug, "abcdefghijklmnopqrstuvwxyz0123456789-") != "":
		return core.Errorf(core.EINVALID, "栏目代码“%s”无效：只能用小写字母、数字和连字符", c.Slug)
	case strings.TrimSpace(c.Name) == "" || utf8.RuneCountInString(c.Name) > 50:
		return core.Errorf(core.EINVALID, "栏目名称不能为空，且不超过 50 个字")
	case c.Type != ColumnList && c.Type != ColumnPage && c.Type != ColumnLink && c.Type != ColumnVideo:
		return core.Errorf(core.EINVALID, "栏目类型“%s”无效", c.Type)
	}
	return nil
}

// ApplyTemplate gives a new tenant the template's columns. It is the
// tenants store's OnCreate hook, run in the creating transaction.
func (s *Store) ApplyTemplate(ctx context.Context, tx *sqlx.Tx, t *tenants.Tenant, cs []tenants.TemplateColumn) error {
	ids := map[string]int64{}
	for _, tc := range sortedTemplate(cs) {
		slug := tc.Slug
		c := &Column{TenantID: t.ID, Slug: tc.Slug, Name: tc.Name, Type: tc.Type, LinkURL: tc.LinkURL,
			Description: tc.Description, Keywords: tc.Keywords, Sort: tc.Sort, TemplateSlug: &slug}
		if id, ok := ids[tc.ParentSlug]; ok {
			c.ParentID = &id
		}
		if err := s.CreateColumn(ctx, tx, c); err != nil {
			return err
		}
		ids[tc.Slug] = c.ID
	}
	return nil
}

// sortedTemplate puts every column after its parent, at any depth, and
// otherwise keeps the template's order. A column whose parent is not in
// the template, or is caught in a cycle, comes as a root would.
func sortedTemplate(cs []tenants.TemplateColumn) []tenants.TemplateColumn {
	inTemplate := make(map[string]bool, len(cs))
	for _, c := range cs {
		inTemplate[c.Slug] = true
	}
	out := make([]tenants.TemplateColumn, 0, len(cs))
	done := make([]bool, len(cs))
	placed := make(map[string]bool, len(cs))
	for len(out) < len(cs) {
		progress := false
		for i, c := range cs {
			if !done[i] && (c.ParentSlug == "" || !inTemplate[c.ParentSlug] || placed[c.ParentSlug]) {
				out, done[i], placed[c.Slug], progress = append(out, c), true, true, true
			}
		}
		if !progress { // a cycle: the rest in template order
			for i, c := range cs {
				if !done[i] {
					out, done[i] = append(out, c), true
				}
			}
		}
	}
	return out
}

// SyncTemplate brings every tenant's template columns in line with cs:
// new template columns are added to every tenant, changed ones renamed
// and retyped, and columns dropped from the template stay as the tenant's
// own columns (their articles stay where they are).
func (s *Store) SyncTemplate(ctx context.Context, tx *sqlx.Tx, cs []tenants.TemplateColumn) error {
	if err := changes.Record(ctx, tx, changes.AllTenants, ""); err != nil {
		return err
	}
	var tenantIDs []int64
	if err := tx.SelectContext(ctx, &tenantIDs, `SELECT id FROM tenants`); err != nil {
		return fmt.Errorf("sync template: %w", err)
	}
	keep := map[string]bool{}
	for _, tc := range cs {
		keep[tc.Slug] = true
	}
	for _, tid := range tenantIDs {
		var existing []*Column
		if err := tx.SelectContext(ctx, &existing, `SELECT `+columnFields+` FROM site_columns WHERE tenant_id = ?`, tid); err != nil {
			return fmt.Errorf("sync template for tenant %d: %w", tid, err)
		}
		bySlug := map[string]*Column{}
		ids := map[string]int64{} // template slug → the tenant's column id
		for _, c := range existing {
			if c.TemplateSlug != nil {
				bySlug[*c.TemplateSlug] = c
				ids[*c.TemplateSlug] = c.ID
			}
		}
		for _, tc := range sortedTemplate(cs) {
			if c := bySlug[tc.Slug]; c != nil {
				if _, err := tx.ExecContext(ctx, `UPDATE site_columns SET name = ?, type = ?, link_url = ?, description = ?, keywords = ?, sort = ?
					WHERE id = ? AND tenant_id = ?`, tc.Name, tc.Type, tc.LinkURL, tc.Description, tc.Keywords, tc.Sort, c.ID, tid); err != nil {
					return fmt.Errorf("sync template column %s for tenant %d: %w", tc.Slug, tid, err)
				}
				continue
			}
			slug := tc.Slug
			for i := 2; slugTaken(existing, slug); i++ {
				slug = fmt.Sprintf("%s-%d", tc.Slug, i)
			}
			ts := tc.Slug
			c := &Column{TenantID: tid, Slug: slug, Name: tc.Name, Type: tc.Type, LinkURL: tc.LinkURL,
				Description: tc.Description, Keywords: tc.Keywords, Sort: tc.Sort, TemplateSlug: &ts}
			if pid, ok := ids[tc.ParentSlug]; ok && tc.ParentSlug != "" {
				c.ParentID = &pid
			}
			if err := s.CreateColumn(ctx, tx, c); err != nil {
				return err
			}
			existing = append(existing, c)
			ids[tc.Slug] = c.ID
		}
		for slug, c := range bySlug {
			if !keep[slug] {
				if _, err := tx.ExecContext(ctx, `UPDATE site_columns SET template_slug = NULL WHERE id = ? AND tenant_id = ?`, c.ID, tid); err != nil {
					return fmt.Errorf("release template column %s for tenant %d: %w", slug, tid, err)
				}
			}
		}
	}
	return nil
}

func slugTaken(cs []*Column, slug string) bool {
	for _, c := range cs {
		if c.Slug == slug {
			return true
		}
	}
	return false
}

const articleFields = `id, tenant_id, column_id, title, subtitle, summary, body, source, author, keywords, status, demo, published_at, created_at, updated_at`

// listFields are articleFields without the body, for lists.
const listFields = `id, tenant_id, column_id, title, subtitle, summary, '' AS body, source, author, keywords, status, demo, published_at, created_at, updated_at`

// Page is one page of a list.
type Page struct {
	Articles []*Article
	Total    int
	Number   int // 1-based
	Size     int
}

// Pages is the number of pages.
func (p *Page) Pages() int { return pageCount(p.Total, p.Size) }

// pageCount is how many pages of size items total makes: at least one, so
// that an empty list still has a first page.
func pageCount(total, size int) int {
	if size <= 0 || total == 0 {
		return 1
	}
	return (total + size - 1) / size
}

// ListPublished returns one page of the column's published articles,
// newest first, without bodies. Withdrawn ones are not listed.
func (s *Store) ListPublished(ctx context.Context, tenantID, columnID int64, number, size int) (*Page, error) {
	if number < 1 {
		number = 1
	}
	if size < 1 || size > 100 {
		size = 20
	}
	p := &Page{Number: number, Size: size}
	// An article appears in its own column and in the further columns
	// listed in article_columns (editorial, workflow.go).
	inColumn := `tenant_id = ? AND status = 'published' AND (column_id = ? OR id IN (SELECT article_id FROM article_columns WHERE tenant_id = ? AND column_id = ?))`
	if err := s.db.GetContext(ctx, &p.Total, `SELECT COUNT(*) FROM articles WHERE `+inColumn,
		tenantID, columnID, tenantID, columnID); err != nil {
		return nil, fmt.Errorf("count articles of column %d: %w", columnID, err)
	}
	if err := s.db.SelectContext(ctx, &p.Articles, `SELECT `+listFields+` FROM articles WHERE `+inColumn+`
		ORDER BY published_at DESC, id DESC LIMIT ? OFFSET ?`, tenantID, columnID, tenantID, columnID, size, (number-1)*size); err != nil {
		return nil, fmt.Errorf("list articles of column %d: %w", columnID, err)
	}
	return p, nil
}

// Latest returns the tenant's newest published articles across columns.
func (s *Store) Latest(ctx context.Context, tenantID int64, n int) ([]*Article, error) {
	var as []*Article
	if err := s.db.SelectContext(ctx, &as, `SELECT `+listFields+` FROM articles
		WHERE tenant_id = ? AND status = 'published' ORDER BY published_at DESC, id DESC LIMIT ?`, tenantID, n); err != nil {
		return nil, fmt.Errorf("latest articles of tenant %d: %w", tenantID, err)
	}
	return as, nil
}

// LatestByColumn returns, for each of the tenant's columns, its newest n
// published articles, without bodies: those of the column and those
// placed in it as a further column (article_columns). One query of one
// indexed, limited branch per column (and one more per column that has
// further placements): reading the tenant's newest articles and cutting
// them in Go would read thousands of rows on a busy site to fill a quiet
// column.
func (s *Store) LatestByColumn(ctx context.Context, tenantID int64, n int) (map[int64][]*Article, error) {
	// The columns, each with whether any article is placed in it as a
	// further column: one query, as the home page reads it on every view.
	var cols []struct {
		ID     int64 `db:"id"`
		Placed bool  `db:"placed"`
	}
	if err := s.db.SelectContext(ctx, &cols, `SELECT c.id, EXISTS (SELECT 1 FROM article_columns ac WHERE ac.tenant_id = c.tenant_id AND ac.column_id = c.id) AS placed
		FROM site_columns c WHERE c.tenant_id = ? ORDER BY c.id`, tenantID); err != nil {
		return nil, fmt.Errorf("latest articles by column of tenant %d: %w", tenantID, err)
	}
	var columnIDs, placed []int64
	for _, c := range cols {
		columnIDs = append(columnIDs, c.ID)
		if c.Placed {
			placed = append(placed, c.ID)
		}
	}
	out := map[int64][]*Article{}
	if len(columnIDs) == 0 || n <= 0 {
		return out, nil
	}
	var q strings.Builder
	args := make([]any, 0, 4*(len(columnIDs)+len(placed)))
	branch := func(where string, col int64, a ...any) {
		if q.Len() > 0 {
			q.WriteString(" UNION ALL ")
		}
		fmt.Fprintf(&q, `SELECT * FROM (SELECT %s, ? AS branch FROM articles WHERE tenant_id = ? AND status = 'published' AND %s
			ORDER BY published_at DESC, id DESC LIMIT ?) c%d`, listFields, where, len(args))
		args = append(append(append(args, col, tenantID), a...), n)
	}
	for _, id := range columnIDs {
		branch(`column_id = ?`, id, id)
	}
	for _, id := range placed {
		branch(`id IN (SELECT article_id FROM article_columns WHERE tenant_id = ? AND column_id = ?)`, id, tenantID, id)
	}
	var rows []struct {
		Article
		Branch int64 `db:"branch"`
	}
	if err := s.db.SelectContext(ctx, &rows, q.String(), args...); err != nil {
		return nil, fmt.Errorf("latest articles by column of tenant %d: %w", tenantID, err)
	}
	for i := range rows {
		a := rows[i].Article
		out[rows[i].Branch] = append(out[rows[i].Branch], &a)
	}
	for _, id := range placed {
		// Two branches fed this column: newest first, at most n.
		as := out[id]
		sort.SliceStable(as, func(i, j int) bool {
			if !as[i].PublishedAt.Equal(*as[j].PublishedAt) {
				return as[i].PublishedAt.After(*as[j].PublishedAt)
			}
			return as[i].ID > as[j].ID
		})
		out[id] = as[:min(n, len(as))]
	}
	return out, nil
}

// NewestInColumn returns the newest published article of a column, with
// its body: the content of a single-page column. nil when there is none.
func (s *Store) NewestInColumn(ctx context.Context, tenantID, columnID int64) (*Article, error) {
	var as []*Article
	if err := s.db.SelectContext(ctx, &as, `SELECT `+articleFields+` FROM articles
		WHERE tenant_id = ? AND column_id = ? AND status = 'published' ORDER BY published_at DESC, id DESC LIMIT 1`, tenantID, columnID); err != nil {
		return nil, fmt.Errorf("newest article of column %d: %w", columnID, err)
	}
	if len(as) == 0 {
		return nil, nil
	}
	return as[0], nil
}

// Article returns the tenant's article id if it is published or withdrawn
// (a withdrawn article is answered as gone by the caller).
func (s *Store) Article(ctx context.Context, tenantID, id int64) (*Article, error) {
	var a Article
	err := s.db.GetContext(ctx, &a, `SELECT `+articleFields+` FROM articles WHERE tenant_id = ? AND id = ? AND status IN ('published', 'withdrawn')`, tenantID, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, core.Errorf(core.ENOTFOUND, "没有找到这篇文章")
	}
	if err != nil {
		return nil, fmt.Errorf("get article %d of tenant %d: %w", id, tenantID, err)
	}
	return &a, nil
}

// SaveDraft stores a new draft article: the body is sanitized and no
// publish time is taken from the caller.
func (s *Store) SaveDraft(ctx context.Context, x sqlx.ExtContext, a *Article) error {
	if err := s.validateArticle(ctx, x, a); err != nil {
		return err
	}
	now := store.Now()
	a.Body = Sanitize(a.Body)
	a.Status, a.PublishedAt, a.CreatedAt, a.UpdatedAt = Draft, nil, now, now
	res, err := x.ExecContext(ctx, `INSERT INTO articles (tenant_id, column_id, title, subtitle, summary, body, source, author, keywords, status, demo, published_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)`,
		a.TenantID, a.ColumnID, a.Title, a.Subtitle, a.Summary, a.Body, a.Source, a.Author, a.Keywords, a.Status, a.Demo, now, now)
	if err != nil {
		return fmt.Errorf("save article %q: %w", a.Title, err)
	}
	a.ID, err = res.LastInsertId()
	return err
}

func (s *Store) validateArticle(ctx context.Context, x sqlx.ExtContext, a *Article) error {
	switch {
	case strings.TrimSpace(a.Title) == "":
		return core.Errorf(core.EINVALID, "文章标题不能为空")
	case utf8.RuneCountInString(a.Title) > 200:
		return core.Errorf(core.EINVALID, "文章标题不能超过 200 个字")
	case utf8.RuneCountInString(a.Summary) > 500:
		return core.Errorf(core.EINVALID, "摘要不能超过 500 个字")
	case len(a.Body) > 4<<20:
		return core.Errorf(core.EINVALID, "正文过长（超过 4 MB）")
	}
	var n int
	if err := sqlx.GetContext(ctx, x, &n, `SELECT COUNT(*) FROM site_columns WHERE id = ? AND tenant_id = ?`, a.ColumnID, a.TenantID); err != nil {
		return fmt.Errorf("check column of article: %w", err)
	}
	if n == 0 {
		return core.Errorf(core.EINVALID, "所选栏目不属于本站点")
	}
	return nil
}

// articleChanged announces, inside the write's transaction, that an
// article's public state changed: to the search index and to the page
// cache of every host process.
func articleChanged(ctx context.Context, tx sqlx.ExecerContext, tenantID, id int64) error {
	if err := outbox.ArticleChanged(ctx, tx, tenantID, id); err != nil {
		return err
	}
	return changes.Record(ctx, tx, tenantID, "")
}

// Publish publishes the tenant's article now, by the server's clock. A
// publish time already set is kept if it is earlier (republishing does not
// move an article), and is never taken from a caller.
func (s *Store) Publish(ctx context.Context, actor string, tenantID, id int64) error {
	return s.db.Tx(ctx, func(tx *sqlx.Tx) error { return s.PublishTx(ctx, tx, actor, tenantID, id) })
}

// PublishTx is Publish inside the caller's transaction.
func (s *Store) PublishTx(ctx context.Context, tx *sqlx.Tx, actor string, tenantID, id int64) error {
	now := store.Now()
	res, err := tx.ExecContext(ctx, `UPDATE articles SET status = 'published', published_at = COALESCE(published_at, ?), updated_at = ?
		WHERE id = ? AND tenant_id = ?`, now, now, id, tenantID)
	if err != nil {
		return fmt.Errorf("publish article %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return core.Errorf(core.ENOTFOUND, "没有找到这篇文章")
	}
	// The search index follows after the commit, from this row.
	if err := articleChanged(ctx, tx, tenantID, id); err != nil {
		return err
	}
	return audit.Write(ctx, tx, audit.Entry{Actor: actor, Action: "article.publish", TenantID: &tenantID, Target: fmt.Sprintf("article:%d", id)})
}

// Withdraw takes the tenant's published article down: its page answers
// as gone and it leaves lists, feeds and the search index.
func (s *Store) Withdraw(ctx context.Context, actor string, tenantID, id int64) error {
	return s.db.Tx(ctx, func(tx *sqlx.Tx) error { return s.WithdrawTx(ctx, tx, actor, tenantID, id) })
}

// WithdrawTx is Withdraw inside the caller's transaction.
func (s *Store) WithdrawTx(ctx context.Context, tx *sqlx.Tx, actor string, tenantID, id int64) error {
	res, err := tx.ExecContext(ctx, `UPDATE articles SET status = 'withdrawn', updated_at = ? WHERE id = ? AND tenant_id = ? AND status = 'published'`,
		store.Now(), id, tenantID)
	if err != nil {
		return fmt.Errorf("withdraw article %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return core.Errorf(core.ENOTFOUND, "没有找到这篇已发布的文章")
	}
	if err := articleChanged(ctx, tx, tenantID, id); err != nil {
		return err
	}
	return audit.Write(ctx, tx, audit.Entry{Actor: actor, Action: "article.withdraw", TenantID: &tenantID, Target: fmt.Sprintf("article:%d", id)})
}

// Delete removes the tenant's article for good.
func (s *Store) Delete(ctx context.Context, actor string, tenantID, id int64) error {
	return s.db.Tx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM articles WHERE id = ? AND tenant_id = ?`, id, tenantID)
		if err != nil {
			return fmt.Errorf("delete article %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return core.Errorf(core.ENOTFOUND, "没有找到这篇文章")
		}
		if err := articleChanged(ctx, tx, tenantID, id); err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Entry{Actor: actor, Action: "article.delete", TenantID: &tenantID, Target: fmt.Sprintf("article:%d", id)})
	})
}

// PublishedPage returns up to n of the tenant's published articles with
// ids above afterID, in id order, with bodies: for rebuilding the search
// index page by page.
func (s *Store) PublishedPage(ctx context.Context, tenantID, afterID int64, n int) ([]*Article, error) {
	var as []*Article
	if err := s.db.SelectContext(ctx, &as, `SELECT `+articleFields+` FROM articles
		WHERE tenant_id = ? AND status = 'published' AND id > ? ORDER BY id LIMIT ?`, tenantID, afterID, n); err != nil {
		return nil, fmt.Errorf("published articles of tenant %d: %w", tenantID, err)
	}
	return as, nil
}

// ArticleAny returns the tenant's article id in any state (drafts too),
// for the search worker to learn what the index should hold.
func (s *Store) ArticleAny(ctx context.Context, tenantID, id int64) (*Article, error) {
	var a Article
	err := s.db.GetContext(ctx, &a, `SELECT `+articleFields+` FROM articles WHERE tenant_id = ? AND id = ?`, tenantID, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, core.Errorf(core.ENOTFOUND, "没有找到这篇文章")
	}
	if err != nil {
		return nil, fmt.Errorf("get article %d of tenant %d: %w", id, tenantID, err)
	}
	return &a, nil
}

// ArticleCounts returns the number of published articles in each of the
// tenant's columns.
func (s *Store) ArticleCounts(ctx context.Context, tenantID int64) (map[int64]int, error) {
	var rows []struct {
		ColumnID int64 `db:"column_id"`
		N        int   `db:"n"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT column_id, COUNT(*) AS n FROM articles WHERE tenant_id = ? AND status = 'published' GROUP BY column_id`, tenantID); err != nil {
		return nil, fmt.Errorf("count articles of tenant %d: %w", tenantID, err)
	}
	out := map[int64]int{}
	for _, r := range rows {
		out[r.ColumnID] = r.N
	}
	return out, nil
}
