package content

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"yiwang/core"
	"yiwang/core/audit"
	"yiwang/core/store"
	"yiwang/tenants"
)

// The editorial states of an article, beside Draft, Published and
// Withdrawn. Only Published and Withdrawn are ever shown to the public.
const (
	Submitted = "submitted" // waiting for a reviewer
	Returned  = "returned"  // sent back by a reviewer, with a reason
	Scheduled = "scheduled" // approved, goes online at scheduled_at by the server's clock
)

// StatusLabel is the Chinese name of an article state.
func StatusLabel(s string) string {
	switch s {
	case Draft:
		return "草稿"
	case Submitted:
		return "待审核"
	case Returned:
		return "已退回"
	case Scheduled:
		return "定时发布"
	case Published:
		return "已发布"
	case Withdrawn:
		return "已撤稿"
	}
	return s
}

// Editorial permissions. Roles map to them through the permission kinds
// of the tenants package (tenants.Allows), the one place roles become
// permissions: editors write, reviewers and site admins review, site
// admins manage columns; the county office (platform admin) holds all.
var (
	PermWrite    = tenants.Permission{Name: "content.write", Kind: tenants.KindEdit, Title: "撰写和修改文章、报送信息"}
	PermReview   = tenants.PermContentCheck
	PermColumns  = tenants.Permission{Name: "content.columns", Kind: tenants.KindAdmin, Title: "管理本站栏目"}
	PermAdopt    = tenants.Permission{Name: "content.adopt", Kind: tenants.KindEdit, Title: "处理报送到本站的稿件"}
	PermUpload   = tenants.Permission{Name: "content.upload", Kind: tenants.KindEdit, Title: "上传附件"}
	PermReadDesk = tenants.Permission{Name: "content.desk", Kind: tenants.KindEdit, Title: "查看本站稿件"}
	// PermCounty is the county office's alone: check lists, editorial
	// settings, statistics of every tenant.
	PermCounty = tenants.Permission{Name: "content.county", Kind: "county", Title: "全县信息报送统计和检查规则"}
)

// Actor is the person acting, on the tenant whose console they use. Every
// editorial method takes one and touches only rows of Actor.TenantID.
type Actor struct {
	TenantID   int64
	UserID     int64
	Name       string
	Roles      []tenants.Role // roles on TenantID, platform-wide ones included
	RemoteAddr string
}

// System is the actor of work the server does by itself (scheduled
// publishing); it holds no role and is never a reviewer.
func System(tenantID int64) Actor { return Actor{TenantID: tenantID, Name: "系统"} }

// County reports whether the actor is of the county office.
func (a Actor) County() bool { return slices.Contains(a.Roles, tenants.PlatformAdmin) }

// Can reports whether the actor's roles carry p.
func (a Actor) Can(p tenants.Permission) bool {
	if p.Kind == PermCounty.Kind {
		return a.County()
	}
	return tenants.Allows(a.Roles, p)
}

// auditName is the actor as the audit log names people.
func (a Actor) auditName() string {
	if a.UserID == 0 {
		return "system"
	}
	return "user:" + strconv.FormatInt(a.UserID, 10)
}

func (a Actor) need(p tenants.Permission) error {
	if a.TenantID == 0 {
		return core.Errorf(core.EFORBID, "没有指定操作的站点")
	}
	if !a.Can(p) {
		return ErrNoPermission
	}
	return nil
}

// Typed errors a caller can test with errors.Is; each carries its code and
// a message for people.
var (
	ErrNoPermission = &core.Error{Code: core.EFORBID, Message: "您在本站点没有进行此操作的权限"}
	ErrSelfApproval = &core.Error{Code: core.EFORBID, Message: "不能审核自己撰写、修改或提交的文章，请由本站其他审核人员审核"}
	ErrPastSchedule = &core.Error{Code: core.EINVALID, Message: "定时发布时间已经过去：发布时间只能由服务器在发布时记录，不能倒填"}
	ErrNotFound     = &core.Error{Code: core.ENOTFOUND, Message: "没有找到这篇文章"}
)

// Manuscript is an article as the console sees it: the public article and
// its editorial state.
type Manuscript struct {
	Article
	CreatedBy      int64      `db:"created_by"`
	CreatedByName  string     `db:"created_by_name"`
	EditedBy       int64      `db:"edited_by"`
	SubmittedBy    int64      `db:"submitted_by"`
	SubmittedAt    *time.Time `db:"submitted_at"`
	ReviewedBy     int64      `db:"reviewed_by"`
	ReviewedAt     *time.Time `db:"reviewed_at"`
	ReturnReason   string     `db:"return_reason"`
	ScheduledAt    *time.Time `db:"scheduled_at"`
	WithdrawKind   string     `db:"withdraw_kind"`
	WithdrawReason string     `db:"withdraw_reason"`
	WithdrawnAt    *time.Time `db:"withdrawn_at"`
	ReplacedBy     *int64     `db:"replaced_by"`
	CoverURL       string     `db:"cover_url"`
	OriginTenantID *int64     `db:"origin_tenant_id"`
	OriginArticle  *int64     `db:"origin_article_id"`
	OriginName     string     `db:"origin_name"`
	OriginURL      string     `db:"origin_url"`
	RevisionID     *int64     `db:"revision_id"`
	RevisionStatus string     `db:"revision_status"` // "", draft, submitted or returned: an edit of a published article
	Version        int        `db:"version"`

	ExtraColumns []int64 `db:"-"`
}

// StatusLabel is the Chinese name of the manuscript's state.
func (m *Manuscript) StatusLabel() string { return StatusLabel(m.Status) }

// Input is the manuscript's own text as an editor's input (for articles
// that have no version yet).
func (m *Manuscript) Input() Input {
	return Input{ColumnID: m.ColumnID, Columns: m.ExtraColumns, Title: m.Title, Subtitle: m.Subtitle, Summary: m.Summary, Body: m.Body,
		Source: m.Source, Author: m.Author, Keywords: m.Keywords, CoverURL: m.CoverURL}
}

// Editable reports whether the text can be saved in the current state
// (a published article takes its edits as a pending revision).
func (m *Manuscript) Editable() bool {
	switch m.Status {
	case Draft, Returned:
		return true
	case Published:
		return m.RevisionStatus != Submitted
	}
	return false
}

// InReview reports whether the manuscript, or its pending revision, waits
// for a reviewer.
func (m *Manuscript) InReview() bool {
	return m.Status == Submitted || (m.Status == Published && m.RevisionStatus == Submitted)
}

const manuscriptFields = articleFields + `, created_by, created_by_name, edited_by, submitted_by, submitted_at, reviewed_by, reviewed_at,
	return_reason, scheduled_at, withdraw_kind, withdraw_reason, withdrawn_at, replaced_by, cover_url,
	origin_tenant_id, origin_article_id, origin_name, origin_url, revision_id, revision_status, version`

// Input is what a person writes. There is no publish time in it: the
// server sets that when it publishes.
type Input struct {
	ColumnID int64
	Columns  []int64 // further columns the article appears in
	Title    string
	Subtitle string
	Summary  string
	Body     string
	Source   string
	Author   string
	Keywords string
	CoverURL string
}

// LinkChecker tells whether an absolute http(s) URL outside the platform
// answers; nil skips those links.
type LinkChecker func(ctx context.Context, url string) error

// Desk is the editorial desk of every tenant: writing, review, publishing,
// versions, withdrawal, checks and submission upward. It works on the
// content store's database and goes through its PublishTx.
type Desk struct {
	s  *Store
	db *store.DB

	// CheckLink checks outside links at submit time; nil skips them.
	CheckLink LinkChecker
	// SiteURL returns the base URLs ("http://host/site/jyj/") by which
	// the tenant is reachable, so links to them count as same-site links;
	// nil treats only relative links as same-site.
	SiteURL func(ctx context.Context, tenantID int64) []string
	// ArticleURL is the absolute (or portal-relative) URL of an article,
	// for the provenance link of an adopted copy. nil gives
	// /site/<code>/art/<id>.
	ArticleURL func(ctx context.Context, tenantID, articleID int64) string
}

// NewDesk returns the desk over the content store s.
func NewDesk(s *Store) *Desk { return &Desk{s: s, db: s.db} }

// Store returns the content store the desk works on.
func (d *Desk) Store() *Store { return d.s }

// forUpdate locks the rows a transaction reads before it changes them on
// MySQL; SQLite's immediate transactions already hold the write lock.
func (d *Desk) forUpdate() string {
	if d.db.Dialect == store.MySQL {
		return " FOR UPDATE"
	}
	return ""
}

// get reads the actor's tenant's manuscript id through x.
func (d *Desk) get(ctx context.Context, x sqlx.QueryerContext, tenantID, id int64, lock bool) (*Manuscript, error) {
	q := `SELECT ` + manuscriptFields + ` FROM articles WHERE id = ? AND tenant_id = ?`
	if lock {
		q += d.forUpdate()
	}
	var m Manuscript
	err := sqlx.GetContext(ctx, x, &m, q, id, tenantID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get manuscript %d of tenant %d: %w", id, tenantID, err)
	}
	if err := sqlx.SelectContext(ctx, x, &m.ExtraColumns, `SELECT column_id FROM article_columns WHERE tenant_id = ? AND article_id = ? ORDER BY column_id`,
		tenantID, id); err != nil {
		return nil, fmt.Errorf("get columns of manuscript %d: %w", id, err)
	}
	return &m, nil
}

// Manuscript returns the actor's tenant's article id in any state.
func (d *Desk) Manuscript(ctx context.Context, a Actor, id int64) (*Manuscript, error) {
	if err := a.need(PermReadDesk); err != nil {
		return nil, err
	}
	return d.get(ctx, d.db, a.TenantID, id, false)
}

// ListFilter selects manuscripts of the actor's tenant.
type ListFilter struct {
	Status   string // "" for all; "review" for everything waiting for a reviewer
	ColumnID int64
	Text     string // part of the title
	Mine     bool   // written by the actor
	Page     int
	Size     int
}

// ManuscriptPage is one page of manuscripts.
type ManuscriptPage struct {
	Items  []*Manuscript
	Total  int
	Number int
	Size   int
}

// Pages is the number of pages.
func (p *ManuscriptPage) Pages() int { return pageCount(p.Total, p.Size) }

// List returns a page of the actor's tenant's manuscripts, newest change
// first, without bodies.
func (d *Desk) List(ctx context.Context, a Actor, f ListFilter) (*ManuscriptPage, error) {
	if err := a.need(PermReadDesk); err != nil {
		return nil, err
	}
	if f.Page < 1 {
		f.Page = 1
	}
	if f.Size < 1 || f.Size > 100 {
		f.Size = 20
	}
	where := ` WHERE tenant_id = ?`
	args := []any{a.TenantID}
	switch f.Status {
	case "":
	case "review":
		where += ` AND (status = 'submitted' OR (status = 'published' AND revision_status = 'submitted'))`
	default:
		where += ` AND status = ?`
		args = append(args, f.Status)
	}
	if f.ColumnID != 0 {
		where += ` AND column_id = ?`
		args = append(args, f.ColumnID)
	}
	if t := strings.TrimSpace(f.Text); t != "" {
		where += ` AND title LIKE ?`
		args = append(args, "%"+escapeLike(t)+"%")
	}
	if f.Mine {
		where += ` AND created_by = ?`
		args = append(args, a.UserID)
	}
	p := &ManuscriptPage{Number: f.Page, Size: f.Size}
	if err := d.db.GetContext(ctx, &p.Total, `SELECT COUNT(*) FROM articles`+where, args...); err != nil {
		return nil, fmt.Errorf("count manuscripts: %w", err)
	}
	fields := strings.Replace(manuscriptFields, "body,", "'' AS body,", 1)
	if err := d.db.SelectContext(ctx, &p.Items, `SELECT `+fields+` FROM articles`+where+` ORDER BY updated_at DESC, id DESC LIMIT ? OFFSET ?`,
		append(args, f.Size, (f.Page-1)*f.Size)...); err != nil {
		return nil, fmt.Errorf("list manuscripts: %w", err)
	}
	return p, nil
}

// escapeLike makes s match literally in a LIKE pattern (both dialects
// treat backslash as the escape by default).
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Create writes a new draft and its first version.
func (d *Desk) Create(ctx context.Context, a Actor, in Input) (*Manuscript, error) {
	if err := a.need(PermWrite); err != nil {
		return nil, err
	}
	var id int64
	err := d.db.Tx(ctx, func(tx *sqlx.Tx) error {
		art := in.article(a.TenantID)
		if err := d.validate(ctx, tx, a.TenantID, in); err != nil {
			return err
		}
		if err := d.s.SaveDraft(ctx, tx, art); err != nil {
			return err
		}
		id = art.ID
		if _, err := tx.ExecContext(ctx, `UPDATE articles SET created_by = ?, created_by_name = ?, edited_by = ?, cover_url = ? WHERE id = ? AND tenant_id = ?`,
			a.UserID, a.Name, a.UserID, in.CoverURL, id, a.TenantID); err != nil {
			return fmt.Errorf("create manuscript: %w", err)
		}
		if err := setExtraColumns(ctx, tx, a.TenantID, id, in.ColumnID, in.Columns); err != nil {
			return err
		}
		n, err := d.addVersion(ctx, tx, a, id, art, in, "新建")
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE articles SET version = ? WHERE id = ? AND tenant_id = ?`, n, id, a.TenantID); err != nil {
			return fmt.Errorf("create manuscript: %w", err)
		}
		return d.record(ctx, tx, a, id, "create", "", Draft, n, "")
	})
	if err != nil {
		return nil, err
	}
	return d.get(ctx, d.db, a.TenantID, id, false)
}

func (in Input) article(tenantID int64) *Article {
	return &Article{TenantID: tenantID, ColumnID: in.ColumnID, Title: strings.TrimSpace(in.Title), Subtitle: strings.TrimSpace(in.Subtitle),
		Summary: strings.TrimSpace(in.Summary), Body: Sanitize(in.Body), Source: strings.TrimSpace(in.Source),
		Author: strings.TrimSpace(in.Author), Keywords: strings.TrimSpace(in.Keywords)}
}

// validate checks what the content store's own validation does not.
func (d *Desk) validate(ctx context.Context, x sqlx.ExtContext, tenantID int64, in Input) error {
	switch {
	case utf8.RuneCountInString(in.Subtitle) > 200:
		return core.Errorf(core.EINVALID, "副标题不能超过 200 个字")
	case utf8.RuneCountInString(in.Source) > 100:
		return core.Errorf(core.EINVALID, "来源不能超过 100 个字")
	case utf8.RuneCountInString(in.Author) > 50:
		return core.Errorf(core.EINVALID, "作者不能超过 50 个字")
	case utf8.RuneCountInString(in.Keywords) > 100:
		return core.Errorf(core.EINVALID, "关键词不能超过 100 个字")
	case len(in.Columns) > 10:
		return core.Errorf(core.EINVALID, "一篇文章最多同时出现在 10 个栏目")
	}
	if in.CoverURL != "" && !safeURL(in.CoverURL) {
		return core.Errorf(core.EINVALID, "封面图片地址无效")
	}
	return d.s.validateArticle(ctx, x, in.article(tenantID))
}

// safeURL accepts site paths and http(s) URLs, nothing that runs.
func safeURL(u string) bool {
	if len(u) > 500 || strings.ContainsAny(u, " \"'<>\\\r\n\t") {
		return false
	}
	return strings.HasPrefix(u, "/") && !strings.HasPrefix(u, "//") || strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")
}

// setExtraColumns replaces the further columns of an article; each must
// be the tenant's, and the article's own column is not repeated.
func setExtraColumns(ctx context.Context, tx *sqlx.Tx, tenantID, id, own int64, cols []int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM article_columns WHERE tenant_id = ? AND article_id = ?`, tenantID, id); err != nil {
		return fmt.Errorf("set columns of article %d: %w", id, err)
	}
	seen := map[int64]bool{own: true}
	for _, c := range cols {
		if seen[c] {
			continue
		}
		seen[c] = true
		var n int
		if err := tx.GetContext(ctx, &n, `SELECT COUNT(*) FROM site_columns WHERE id = ? AND tenant_id = ?`, c, tenantID); err != nil {
			return fmt.Errorf("set columns of article %d: %w", id, err)
		}
		if n == 0 {
			return core.Errorf(core.EINVALID, "所选栏目不属于本站点")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO article_columns (tenant_id, article_id, column_id) VALUES (?, ?, ?)`, tenantID, id, c); err != nil {
			return fmt.Errorf("set columns of article %d: %w", id, err)
		}
	}
	return nil
}

// Save keeps an edit. A draft or returned article is changed in place; a
// published one keeps its published text online and takes the edit as a
// pending revision that goes through review. Every save that changes
// something keeps a version; an autosave that changes nothing keeps none.
func (d *Desk) Save(ctx context.Context, a Actor, id int64, in Input, autosave bool) (*Manuscript, error) {
	if err := a.need(PermWrite); err != nil {
		return nil, err
	}
	err := d.db.Tx(ctx, func(tx *sqlx.Tx) error {
		m, err := d.get(ctx, tx, a.TenantID, id, true)
		if err != nil {
			return err
		}
		if !m.Editable() {
			return core.Errorf(core.ECONFLICT, "文章当前状态为“%s”，不能修改%s", m.StatusLabel(), map[bool]string{true: "：请等待审核结果", false: ""}[m.InReview()])
		}
		if err := d.validate(ctx, tx, a.TenantID, in); err != nil {
			return err
		}
		art := in.article(a.TenantID)
		// An article written before the desk (imported, demo) has no
		// version yet: its first save makes version 1.
		if last, err := d.latestVersion(ctx, tx, a.TenantID, id); err == nil && last.same(art, in) {
			return nil // nothing changed: no version, no audit line
		} else if err != nil && core.ErrorCode(err) != core.ENOTFOUND {
			return err
		}
		note := "保存"
		if autosave {
			note = "自动保存"
		}
		if m.Status == Published {
			note = "修改稿" + "（" + note + "）"
		}
		n, err := d.addVersion(ctx, tx, a, id, art, in, note)
		if err != nil {
			return err
		}
		now := store.Now()
		if m.Status == Published {
			// The published text stays online; the edit waits as a revision.
			revStatus := Draft
			if m.RevisionStatus == Returned {
				revStatus = Returned
			}
			vid, err := d.versionID(ctx, tx, a.TenantID, id, n)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE articles SET revision_id = ?, revision_status = ?, version = ?, edited_by = ? WHERE id = ? AND tenant_id = ?`,
				vid, revStatus, n, a.UserID, id, a.TenantID); err != nil {
				return fmt.Errorf("save revision of article %d: %w", id, err)
			}
		} else {
			if _, err := tx.ExecContext(ctx, `UPDATE articles SET column_id = ?, title = ?, subtitle = ?, summary = ?, body = ?, source = ?, author = ?, keywords = ?,
				cover_url = ?, version = ?, edited_by = ?, updated_at = ? WHERE id = ? AND tenant_id = ?`,
				art.ColumnID, art.Title, art.Subtitle, art.Summary, art.Body, art.Source, art.Author, art.Keywords, in.CoverURL, n, a.UserID, now, id, a.TenantID); err != nil {
				return fmt.Errorf("save article %d: %w", id, err)
			}
			if err := setExtraColumns(ctx, tx, a.TenantID, id, in.ColumnID, in.Columns); err != nil {
				return err
			}
		}
		action := "article.save"
		if autosave {
			action = "article.autosave"
		}
		return audit.Write(ctx, tx, audit.Entry{Actor: a.auditName(), Action: action, TenantID: &a.TenantID,
			Target: articleTarget(id), Detail: fmt.Sprintf("版本 %d", n), RemoteAddr: a.RemoteAddr})
	})
	if err != nil {
		return nil, err
	}
	return d.get(ctx, d.db, a.TenantID, id, false)
}

func articleTarget(id int64) string { return "article:" + strconv.FormatInt(id, 10) }

// Submit sends the manuscript (or the pending revision of a published
// article) to review, after the county's checks. A blocking hit refuses;
// warnings refuse until the writer confirms them (ack).
func (d *Desk) Submit(ctx context.Context, a Actor, id int64, ack bool) (*CheckReport, error) {
	if err := a.need(PermWrite); err != nil {
		return nil, err
	}
	m, err := d.get(ctx, d.db, a.TenantID, id, false)
	if err != nil {
		return nil, err
	}
	text := m.Article
	if m.Status == Published && m.RevisionID != nil {
		v, err := d.versionByID(ctx, d.db, a.TenantID, *m.RevisionID)
		if err != nil {
			return nil, err
		}
		text = v.article()
	}
	// Links are checked outside the transaction: an outside server may
	// take seconds to answer, and nothing should be locked meanwhile.
	rep, err := d.Check(ctx, a.TenantID, &text)
	if err != nil {
		return nil, err
	}
	if rep.Blocked() || (!ack && len(rep.Hits) > 0) {
		return rep, &CheckError{Report: rep}
	}
	err = d.db.Tx(ctx, func(tx *sqlx.Tx) error {
		m, err := d.get(ctx, tx, a.TenantID, id, true)
		if err != nil {
			return err
		}
		now := store.Now()
		reason := rep.Summary()
		switch {
		case m.Status == Draft || m.Status == Returned:
			if _, err := tx.ExecContext(ctx, `UPDATE articles SET status = 'submitted', submitted_by = ?, submitted_at = ?, updated_at = ?
				WHERE id = ? AND tenant_id = ? AND status = ?`, a.UserID, now, now, id, a.TenantID, m.Status); err != nil {
				return fmt.Errorf("submit article %d: %w", id, err)
			}
			return d.record(ctx, tx, a, id, "submit", m.Status, Submitted, m.Version, reason)
		case m.Status == Published && (m.RevisionStatus == Draft || m.RevisionStatus == Returned):
			if _, err := tx.ExecContext(ctx, `UPDATE articles SET revision_status = 'submitted', submitted_by = ?, submitted_at = ?
				WHERE id = ? AND tenant_id = ?`, a.UserID, now, id, a.TenantID); err != nil {
				return fmt.Errorf("submit revision of article %d: %w", id, err)
			}
			return d.record(ctx, tx, a, id, "submit-revision", Published, Published, m.Version, reason)
		case m.Status == Published:
			return core.Errorf(core.ECONFLICT, "这篇已发布的文章没有待审核的修改")
		}
		return core.Errorf(core.ECONFLICT, "文章当前状态为“%s”，不能提交审核", m.StatusLabel())
	})
	return rep, err
}

// Recall takes a submitted manuscript back to draft before a reviewer has
// decided, so its writer can change it.
func (d *Desk) Recall(ctx context.Context, a Actor, id int64) error {
	if err := a.need(PermWrite); err != nil {
		return err
	}
	return d.db.Tx(ctx, func(tx *sqlx.Tx) error {
		m, err := d.get(ctx, tx, a.TenantID, id, true)
		if err != nil {
			return err
		}
		switch {
		case m.Status == Submitted:
			if _, err := tx.ExecContext(ctx, `UPDATE articles SET status = 'draft', updated_at = ? WHERE id = ? AND tenant_id = ?`, store.Now(), id, a.TenantID); err != nil {
				return fmt.Errorf("recall article %d: %w", id, err)
			}
			return d.record(ctx, tx, a, id, "recall", Submitted, Draft, m.Version, "")
		case m.Status == Published && m.RevisionStatus == Submitted:
			if _, err := tx.ExecContext(ctx, `UPDATE articles SET revision_status = 'draft' WHERE id = ? AND tenant_id = ?`, id, a.TenantID); err != nil {
				return fmt.Errorf("recall revision of article %d: %w", id, err)
			}
			return d.record(ctx, tx, a, id, "recall-revision", Published, Published, m.Version, "")
		}
		return core.Errorf(core.ECONFLICT, "文章不在审核中，无需撤回")
	})
}

// authors are the people a reviewer must not be: whoever wrote, last
// edited or submitted what is under review.
func (m *Manuscript) authors(rev *Version) []int64 {
	ids := []int64{m.SubmittedBy, m.EditedBy}
	if m.Status != Published {
		ids = append(ids, m.CreatedBy)
	}
	if rev != nil {
		ids = append(ids, rev.CreatedBy)
	}
	return ids
}

// Approve decides for a submitted manuscript: published now, or, with at,
// scheduled for that time. The publish time is always the server's clock
// when the article goes online; at must lie in the future. A pending
// revision of a published article replaces the online text, which keeps
// its first publish time.
func (d *Desk) Approve(ctx context.Context, a Actor, id int64, at *time.Time) error {
	if err := a.need(PermReview); err != nil {
		return err
	}
	now := store.Now()
	if at != nil {
		t := at.UTC().Truncate(time.Microsecond)
		if !t.After(now) {
			return ErrPastSchedule
		}
		if t.After(now.AddDate(1, 0, 0)) {
			return core.Errorf(core.EINVALID, "定时发布时间不能超过一年以后")
		}
		at = &t
	}
	return d.db.Tx(ctx, func(tx *sqlx.Tx) error {
		m, err := d.get(ctx, tx, a.TenantID, id, true)
		if err != nil {
			return err
		}
		var rev *Version
		if m.Status == Published && m.RevisionStatus == Submitted && m.RevisionID != nil {
			if rev, err = d.versionByID(ctx, tx, a.TenantID, *m.RevisionID); err != nil {
				return err
			}
		} else if m.Status != Submitted {
			return core.Errorf(core.ECONFLICT, "文章当前状态为“%s”，没有等待审核的内容", m.StatusLabel())
		}
		if a.UserID == 0 || slices.Contains(m.authors(rev), a.UserID) {
			return ErrSelfApproval
		}
		if rev != nil {
			if at != nil {
				return core.Errorf(core.EINVALID, "已发布文章的修改稿只能审核后立即生效，不能定时")
			}
			if _, err := tx.ExecContext(ctx, `UPDATE articles SET column_id = ?, title = ?, subtitle = ?, summary = ?, body = ?, source = ?, author = ?, keywords = ?,
				cover_url = ?, revision_id = NULL, revision_status = '', reviewed_by = ?, reviewed_at = ?, return_reason = '' WHERE id = ? AND tenant_id = ?`,
				rev.ColumnID, rev.Title, rev.Subtitle, rev.Summary, Sanitize(rev.Body), rev.Source, rev.Author, rev.Keywords, rev.CoverURL,
				a.UserID, now, id, a.TenantID); err != nil {
				return fmt.Errorf("apply revision of article %d: %w", id, err)
			}
			if err := setExtraColumns(ctx, tx, a.TenantID, id, rev.ColumnID, rev.extraColumns()); err != nil {
				return err
			}
			if err := d.s.PublishTx(ctx, tx, a.auditName(), a.TenantID, id); err != nil {
				return err
			}
			return d.record(ctx, tx, a, id, "approve-revision", Published, Published, rev.Number, "")
		}
		if at != nil {
			if _, err := tx.ExecContext(ctx, `UPDATE articles SET status = 'scheduled', scheduled_at = ?, reviewed_by = ?, reviewed_at = ?, return_reason = '', updated_at = ?
				WHERE id = ? AND tenant_id = ? AND status = 'submitted'`, *at, a.UserID, now, now, id, a.TenantID); err != nil {
				return fmt.Errorf("schedule article %d: %w", id, err)
			}
			return d.record(ctx, tx, a, id, "schedule", Submitted, Scheduled, m.Version, "定时发布："+FormatTime(*at))
		}
		return d.publishReviewed(ctx, tx, a, id, "approve", Submitted, m.Version, "")
	})
}

// publishReviewed is the one review step that takes a manuscript online
// on a reviewer's decision: the reviewer and the time go on the row (any
// earlier return reason and schedule are cleared), the article is
// published by the server's clock (Store.PublishTx, which writes the
// search outbox and the page change), and the transition from the state
// from goes to the history. Approve and Adopt (信息报送) both end here.
func (d *Desk) publishReviewed(ctx context.Context, tx *sqlx.Tx, a Actor, id int64, action, from string, version int, reason string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE articles SET reviewed_by = ?, reviewed_at = ?, return_reason = '', scheduled_at = NULL WHERE id = ? AND tenant_id = ?`,
		a.UserID, store.Now(), id, a.TenantID); err != nil {
		return fmt.Errorf("%s article %d: %w", action, id, err)
	}
	if err := d.s.PublishTx(ctx, tx, a.auditName(), a.TenantID, id); err != nil {
		return err
	}
	return d.record(ctx, tx, a, id, action, from, Published, version, reason)
}

// SendBack returns a submitted manuscript (or revision) to its writer
// with the reason.
func (d *Desk) SendBack(ctx context.Context, a Actor, id int64, reason string) error {
	if err := a.need(PermReview); err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 500 {
		return core.Errorf(core.EINVALID, "退回须填写理由，不超过 500 个字")
	}
	return d.db.Tx(ctx, func(tx *sqlx.Tx) error {
		m, err := d.get(ctx, tx, a.TenantID, id, true)
		if err != nil {
			return err
		}
		switch {
		case m.Status == Submitted:
			if _, err := tx.ExecContext(ctx, `UPDATE articles SET status = 'returned', return_reason = ?, reviewed_by = ?, reviewed_at = ?, updated_at = ?
				WHERE id = ? AND tenant_id = ?`, reason, a.UserID, store.Now(), store.Now(), id, a.TenantID); err != nil {
				return fmt.Errorf("send back article %d: %w", id, err)
			}
			return d.record(ctx, tx, a, id, "send-back", Submitted, Returned, m.Version, reason)
		case m.Status == Published && m.RevisionStatus == Submitted:
			if _, err := tx.ExecContext(ctx, `UPDATE articles SET revision_status = 'returned', return_reason = ?, reviewed_by = ?, reviewed_at = ?
				WHERE id = ? AND tenant_id = ?`, reason, a.UserID, store.Now(), id, a.TenantID); err != nil {
				return fmt.Errorf("send back revision of article %d: %w", id, err)
			}
			return d.record(ctx, tx, a, id, "send-back-revision", Published, Published, m.Version, reason)
		}
		return core.Errorf(core.ECONFLICT, "文章当前状态为“%s”，没有等待审核的内容", m.StatusLabel())
	})
}

// Unschedule puts a scheduled article back in the review queue.
func (d *Desk) Unschedule(ctx context.Context, a Actor, id int64) error {
	if err := a.need(PermReview); err != nil {
		return err
	}
	return d.db.Tx(ctx, func(tx *sqlx.Tx) error {
		m, err := d.get(ctx, tx, a.TenantID, id, true)
		if err != nil {
			return err
		}
		if m.Status != Scheduled {
			return core.Errorf(core.ECONFLICT, "文章不是定时发布状态")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE articles SET status = 'submitted', scheduled_at = NULL, updated_at = ? WHERE id = ? AND tenant_id = ?`,
			store.Now(), id, a.TenantID); err != nil {
			return fmt.Errorf("unschedule article %d: %w", id, err)
		}
		return d.record(ctx, tx, a, id, "unschedule", Scheduled, Submitted, m.Version, "")
	})
}

// PublishDue publishes every scheduled article whose time has come, each
// by the server's clock and in its own transaction, and returns how many
// it published. The server calls it every few seconds; any number of
// replicas may, as each article changes state at most once.
func (d *Desk) PublishDue(ctx context.Context) (int, error) {
	var due []struct {
		ID       int64 `db:"id"`
		TenantID int64 `db:"tenant_id"`
	}
	if err := d.db.SelectContext(ctx, &due, `SELECT id, tenant_id FROM articles WHERE status = 'scheduled' AND scheduled_at <= ? ORDER BY scheduled_at LIMIT 200`,
		store.Now()); err != nil {
		return 0, fmt.Errorf("find scheduled articles: %w", err)
	}
	n := 0
	for _, r := range due {
		err := d.db.Tx(ctx, func(tx *sqlx.Tx) error {
			m, err := d.get(ctx, tx, r.TenantID, r.ID, true)
			if err != nil || m.Status != Scheduled {
				return err // another replica got there first
			}
			if err := d.s.PublishTx(ctx, tx, "system", r.TenantID, r.ID); err != nil {
				return err
			}
			n++
			return d.record(ctx, tx, System(r.TenantID), r.ID, "publish-scheduled", Scheduled, Published, m.Version, "")
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// HistoryEntry is one state change of an article.
type HistoryEntry struct {
	ID         int64     `db:"id"`
	At         time.Time `db:"at"`
	ActorID    int64     `db:"actor_id"`
	ActorName  string    `db:"actor_name"`
	Action     string    `db:"action"`
	FromStatus string    `db:"from_status"`
	ToStatus   string    `db:"to_status"`
	Version    int       `db:"version"`
	Reason     string    `db:"reason"`
}

// ActionLabel is the Chinese name of the change.
func (h *HistoryEntry) ActionLabel() string {
	if l, ok := actionLabels[h.Action]; ok {
		return l
	}
	return h.Action
}

var actionLabels = map[string]string{
	"create": "新建", "submit": "提交审核", "submit-revision": "提交修改稿审核", "recall": "撤回审核", "recall-revision": "撤回修改稿",
	"approve": "审核通过并发布", "approve-revision": "修改稿审核通过", "schedule": "审核通过，定时发布", "unschedule": "取消定时发布",
	"publish-scheduled": "定时发布", "send-back": "退回", "send-back-revision": "修改稿退回", "withdraw": "撤稿",
	"submit-upward": "信息报送", "adopt": "采用报送稿件", "withdraw-copy": "来源撤稿，随之撤下",
}

// History returns the article's state changes, oldest first.
func (d *Desk) History(ctx context.Context, a Actor, id int64) ([]HistoryEntry, error) {
	if err := a.need(PermReadDesk); err != nil {
		return nil, err
	}
	var hs []HistoryEntry
	if err := d.db.SelectContext(ctx, &hs, `SELECT id, at, actor_id, actor_name, action, from_status, to_status, version, reason
		FROM article_history WHERE tenant_id = ? AND article_id = ? ORDER BY id`, a.TenantID, id); err != nil {
		return nil, fmt.Errorf("history of article %d: %w", id, err)
	}
	return hs, nil
}

// record writes a state change to the article's history and the audit
// log, in the transaction that made it.
func (d *Desk) record(ctx context.Context, tx *sqlx.Tx, a Actor, id int64, action, from, to string, version int, reason string) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO article_history (tenant_id, article_id, at, actor_id, actor_name, action, from_status, to_status, version, reason)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.TenantID, id, store.Now(), a.UserID, a.Name, action, from, to, version, truncateRunes(reason, 1000)); err != nil {
		return fmt.Errorf("record %s of article %d: %w", action, id, err)
	}
	detail := from + " → " + to
	if reason != "" {
		detail += "：" + reason
	}
	return audit.Write(ctx, tx, audit.Entry{Actor: a.auditName(), Action: "article." + action, TenantID: &a.TenantID,
		Target: articleTarget(id), Detail: detail, RemoteAddr: a.RemoteAddr})
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
