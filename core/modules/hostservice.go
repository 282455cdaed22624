package modules

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"yiwang/core"
	"yiwang/core/audit"
	"yiwang/core/calendar"
	"yiwang/core/changes"
	"yiwang/plugins/sdk"
	"yiwang/sso"
)

// hostService is what one module may ask of the host. There is one per
// module process, so every call knows which module makes it: audit
// actions and search ids carry the module's name, and a module reads the
// core content only of tenants that enable it.
type hostService struct {
	h    *Host
	name string
}

var _ sdk.Host = (*hostService)(nil)

func newHostService(h *Host, p *proc) *hostService { return &hostService{h: h, name: p.spec.Name} }

// enabled refuses a tenant that does not enable the module: a module has
// no business with it.
func (s *hostService) enabled(tenantID int64) error {
	if _, ok := s.h.enablement(s.name, tenantID); !ok {
		return core.Errorf(core.EFORBID, "站点未启用模块 %s", s.name)
	}
	return nil
}

// docID makes a module's document id unique on the platform.
func (s *hostService) docID(id string) string { return s.name + ":" + id }

func (s *hostService) Index(ctx context.Context, d sdk.Document) error {
	if d.ID == "" || d.TenantID == 0 {
		return core.Errorf(core.EINVALID, "搜索文档缺少编号或站点")
	}
	if err := s.enabled(d.TenantID); err != nil {
		return err
	}
	if err := s.h.cfg.Indexer.Index(ctx, Document{ID: s.docID(d.ID), Module: s.name, TenantID: d.TenantID, Type: d.Type,
		Path: d.Path, Title: d.Title, Body: d.Body, Date: d.Date, Tags: d.Tags}); err != nil {
		return err
	}
	// A new or changed search document is a public page that changed.
	return s.PagesChanged(ctx, d.TenantID, "")
}

// Remove is allowed for tenants that no longer enable the module: taking
// a document away is always safe.
func (s *hostService) Remove(ctx context.Context, tenantID int64, id string) error {
	if id == "" {
		return core.Errorf(core.EINVALID, "搜索文档缺少编号")
	}
	if err := s.h.cfg.Indexer.Remove(ctx, s.docID(id)); err != nil {
		return err
	}
	if tenantID == 0 {
		return nil
	}
	return s.PagesChanged(ctx, tenantID, "")
}

// PagesChanged records, for every host's page cache, that the module's
// pages of tenantID under prefix changed, and the portal's pages of the
// module with them: the portal's views of a module (the county-wide
// catalogue, the archive) gather every tenant's.
func (s *hostService) PagesChanged(ctx context.Context, tenantID int64, prefix string) error {
	if tenantID <= 0 {
		return core.Errorf(core.EINVALID, "页面变更缺少站点")
	}
	mount := "/" + s.name + "/"
	if prefix != "" {
		mount += strings.TrimPrefix(path.Clean("/"+prefix), "/")
		if strings.HasSuffix(prefix, "/") && !strings.HasSuffix(mount, "/") {
			mount += "/"
		}
	}
	portal, err := s.h.portalID(ctx)
	if err != nil {
		return err
	}
	return s.h.cfg.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		if err := changes.Record(ctx, tx, tenantID, mount); err != nil {
			return err
		}
		if portal != 0 && portal != tenantID {
			return changes.Record(ctx, tx, portal, mount)
		}
		return nil
	})
}

// calendarError is how a module sees the calendar fail: a missing year is
// the service being unavailable until the county office adds it.
func calendarError(err error) error {
	if errors.Is(err, calendar.ErrYearMissing) {
		return &core.Error{Code: core.EUNAVAIL, Message: err.Error()}
	}
	return &core.Error{Code: core.EINVALID, Message: err.Error()}
}

// calendar returns the calendar in force.
func (s *hostService) calendar(ctx context.Context) (*calendar.Calendar, error) {
	if s.h.cfg.CalendarSource != nil {
		c, err := s.h.cfg.CalendarSource(ctx)
		if err != nil {
			return nil, &core.Error{Code: core.EUNAVAIL, Message: "工作日历暂时无法读取，请稍后再试", Err: err}
		}
		return c, nil
	}
	return s.h.cfg.Calendar, nil
}

func (s *hostService) AddWorkingDays(ctx context.Context, from calendar.Date, n int) (*sdk.WorkingDays, error) {
	cal, err := s.calendar(ctx)
	if err != nil {
		return nil, err
	}
	r, err := cal.AddWorkingDays(from, n)
	if err != nil {
		return nil, calendarError(err)
	}
	return sdk.WorkingDaysOf(r), nil
}

func (s *hostService) WorkingDaysBetween(ctx context.Context, from, to calendar.Date) (*sdk.WorkingDays, error) {
	cal, err := s.calendar(ctx)
	if err != nil {
		return nil, err
	}
	r, err := cal.WorkingDaysBetween(from, to)
	if err != nil {
		return nil, calendarError(err)
	}
	return sdk.WorkingDaysOf(r), nil
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// Audit writes the module's entry with its name in front of the action,
// so that a module cannot write core's actions ("tenant.archive").
func (s *hostService) Audit(ctx context.Context, e sdk.AuditEntry) error {
	if strings.TrimSpace(e.Action) == "" {
		return core.Errorf(core.EINVALID, "审计记录缺少操作")
	}
	actor := e.Actor
	if actor == "" {
		actor = "module:" + s.name
	}
	ent := audit.Entry{Actor: clip(actor, 200), Action: clip(s.name+"."+e.Action, 100), Target: clip(e.Target, 300),
		Detail: e.Detail, RemoteAddr: clip(e.RemoteAddr, 64), Result: e.Result}
	if e.TenantID != 0 {
		if _, err := s.h.cfg.Tenants.ByID(ctx, e.TenantID); err != nil {
			return err
		}
		id := e.TenantID
		ent.TenantID = &id
	}
	if ent.Result != "" && ent.Result != "ok" && ent.Result != "error" {
		ent.Result = "error"
	}
	return audit.Write(ctx, s.h.cfg.DB, ent)
}

func (s *hostService) Notify(ctx context.Context, n sdk.Notification) error {
	if s.h.cfg.Notifier == nil {
		s.h.log.Info("notice not delivered: no notifier configured", "module", s.name, "tenant", n.TenantID, "user", n.UserID, "subject", n.Subject)
		return nil
	}
	return s.h.cfg.Notifier.Notify(ctx, n)
}

func (s *hostService) Tenant(ctx context.Context, id int64) (*sdk.Tenant, error) {
	t, err := s.h.cfg.Tenants.ByID(ctx, id)
	if err != nil {
		return nil, err
	}
	return sdkTenant(t), nil
}

func (s *hostService) Tenants(ctx context.Context, enabledOnly bool) ([]*sdk.Tenant, error) {
	ts, err := s.h.cfg.Tenants.List(ctx)
	if err != nil {
		return nil, err
	}
	var out []*sdk.Tenant
	for _, t := range ts {
		if enabledOnly {
			if _, ok := s.h.enablement(s.name, t.ID); !ok {
				continue
			}
		}
		out = append(out, sdkTenant(t))
	}
	return out, nil
}

func (s *hostService) User(ctx context.Context, tenantID, id int64) (*sdk.User, error) {
	if s.h.cfg.Users == nil {
		return nil, core.Errorf(core.ENOTFOUND, "没有找到用户")
	}
	u, err := s.h.cfg.Users.User(ctx, tenantID, id)
	if err != nil {
		return nil, err
	}
	return &sdk.User{ID: u.ID, Name: u.Name, Roles: u.Roles, Permissions: u.Permissions}, nil
}

// Columns lists the tenant's visible columns.
func (s *hostService) Columns(ctx context.Context, tenantID int64) ([]sdk.Column, error) {
	if err := s.enabled(tenantID); err != nil {
		return nil, err
	}
	var rows []struct {
		Slug   string  `db:"slug"`
		Name   string  `db:"name"`
		Type   string  `db:"type"`
		Parent *string `db:"parent"`
	}
	if err := s.h.cfg.DB.SelectContext(ctx, &rows, `SELECT c.slug, c.name, c.type, p.slug AS parent
		FROM site_columns c LEFT JOIN site_columns p ON p.id = c.parent_id AND p.tenant_id = c.tenant_id
		WHERE c.tenant_id = ? AND c.hidden = 0 ORDER BY c.sort, c.id`, tenantID); err != nil {
		return nil, fmt.Errorf("columns of tenant %d: %w", tenantID, err)
	}
	out := make([]sdk.Column, 0, len(rows))
	for _, r := range rows {
		c := sdk.Column{Slug: r.Slug, Name: r.Name, Type: r.Type}
		if r.Parent != nil {
			c.Parent = *r.Parent
		}
		out = append(out, c)
	}
	return out, nil
}

type articleRow struct {
	ID          int64      `db:"id"`
	TenantID    int64      `db:"tenant_id"`
	Column      string     `db:"slug"`
	ColumnName  string     `db:"name"`
	Title       string     `db:"title"`
	Summary     string     `db:"summary"`
	PublishedAt *time.Time `db:"published_at"`
	Demo        bool       `db:"demo"`
}

func (a articleRow) sdk() sdk.Article {
	out := sdk.Article{ID: a.ID, TenantID: a.TenantID, Column: a.Column, ColumnName: a.ColumnName, Title: a.Title,
		Summary: a.Summary, Path: fmt.Sprintf("art/%d", a.ID), Demo: a.Demo}
	if a.PublishedAt != nil {
		out.PublishedAt = *a.PublishedAt
	}
	return out
}

const articleQuery = `SELECT a.id, a.tenant_id, c.slug, c.name, a.title, a.summary, a.published_at, a.demo
	FROM articles a JOIN site_columns c ON c.id = a.column_id AND c.tenant_id = a.tenant_id
	WHERE a.tenant_id = ? AND a.status = 'published'`

// Articles reads the tenant's published articles, newest first, by
// column and/or keyword. It reads the content tables itself (read only,
// published rows only) rather than through the content room, whose
// editorial API is for staff.
func (s *hostService) Articles(ctx context.Context, q sdk.ArticleQuery) ([]sdk.Article, error) {
	if err := s.enabled(q.TenantID); err != nil {
		return nil, err
	}
	query := articleQuery
	args := []any{q.TenantID}
	if q.Column != "" {
		query += ` AND c.slug = ?`
		args = append(args, q.Column)
	}
	if tag := strings.TrimSpace(q.Tag); tag != "" {
		// Keywords are a comma-separated list (either comma, spaces
		// ignored): match a whole keyword, with SQL both dialects share
		// ("!" escapes LIKE's wildcards in both).
		k := `REPLACE(REPLACE(a.keywords, '，', ','), ' ', '')`
		query += ` AND (` + k + ` = ? OR ` + k + ` LIKE ? ESCAPE '!' OR ` + k + ` LIKE ? ESCAPE '!' OR ` + k + ` LIKE ? ESCAPE '!')`
		e := escapeLike(tag)
		args = append(args, strings.ReplaceAll(tag, " ", ""), e+",%", "%,"+e, "%,"+e+",%")
	}
	limit := q.Limit
	if limit <= 0 || limit > 50 {
		limit = 10
	}
	query += fmt.Sprintf(` ORDER BY a.published_at DESC, a.id DESC LIMIT %d`, limit)
	var rows []articleRow
	if err := s.h.cfg.DB.SelectContext(ctx, &rows, query, args...); err != nil {
		return nil, fmt.Errorf("articles of tenant %d: %w", q.TenantID, err)
	}
	out := make([]sdk.Article, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.sdk())
	}
	return out, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`!`, `!!`, `%`, `!%`, `_`, `!_`).Replace(strings.ReplaceAll(s, " ", ""))
}

func (s *hostService) Article(ctx context.Context, tenantID, id int64) (*sdk.Article, error) {
	if err := s.enabled(tenantID); err != nil {
		return nil, err
	}
	var r articleRow
	err := s.h.cfg.DB.GetContext(ctx, &r, articleQuery+` AND a.id = ?`, tenantID, id)
	if err != nil {
		return nil, notFound(err, "没有找到文章")
	}
	a := r.sdk()
	return &a, nil
}

func notFound(err error, msg string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return core.Errorf(core.ENOTFOUND, "%s", msg)
	}
	return err
}

// Allow counts in the platform database (sso.SharedLimiter), so that a
// module's limit on anonymous forms survives the module's restart and
// holds across every host process. The limiter's name carries the module,
// the limit's name and its budget: two modules' limits never share
// counts, and a changed budget starts afresh rather than misreading the
// old windows.
func (s *hostService) Allow(_ context.Context, limit, key string, n int, window time.Duration) (bool, time.Duration, error) {
	if err := sdk.CheckLimit(limit, key, n, window); err != nil {
		return false, 0, err
	}
	name := fmt.Sprintf("m:%s:%s:%d/%d", s.name, limit, n, int64(window/time.Second))
	l, ok := s.h.limiters.Load(name)
	if !ok {
		l, _ = s.h.limiters.LoadOrStore(name, sso.NewSharedLimiter(s.h.cfg.DB, name, n, window, s.h.log))
	}
	allowed, wait := l.(*sso.SharedLimiter).Allow(key)
	return allowed, wait, nil
}

// portalID is the portal tenant's id, 0 while there is none.
func (h *Host) portalID(ctx context.Context) (int64, error) {
	if id := h.portal.Load(); id != 0 {
		return id, nil
	}
	ts, err := h.cfg.Tenants.List(ctx)
	if err != nil {
		return 0, err
	}
	for _, t := range ts {
		if t.IsPortal() {
			h.portal.Store(t.ID)
			return t.ID, nil
		}
	}
	return 0, nil
}

// PutFile keeps a module's file in the platform's store, for a tenant
// that enables the module; ReadFile and DeleteFile reach only the files
// this module put for that tenant.
func (s *hostService) PutFile(ctx context.Context, f sdk.File) (string, error) {
	if s.h.cfg.Files == nil {
		return "", sdk.ErrUnsupported
	}
	if err := s.enabled(f.TenantID); err != nil {
		return "", err
	}
	return s.h.cfg.Files.Put(ctx, s.name, f.TenantID, f.Name, f.ContentType, f.Data)
}

func (s *hostService) ReadFile(ctx context.Context, tenantID int64, key string) (*sdk.File, error) {
	if s.h.cfg.Files == nil {
		return nil, sdk.ErrUnsupported
	}
	if err := s.enabled(tenantID); err != nil {
		return nil, err
	}
	data, ct, err := s.h.cfg.Files.Read(ctx, s.name, tenantID, key)
	if err != nil {
		return nil, err
	}
	return &sdk.File{TenantID: tenantID, ContentType: ct, Data: data}, nil
}

func (s *hostService) DeleteFile(ctx context.Context, tenantID int64, key string) error {
	if s.h.cfg.Files == nil {
		return sdk.ErrUnsupported
	}
	if err := s.enabled(tenantID); err != nil {
		return err
	}
	return s.h.cfg.Files.Delete(ctx, s.name, tenantID, key)
}
