package content

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"yiwang/core"
	"yiwang/core/audit"
	"yiwang/core/store"
)

// States of a submission (信息报送).
const (
	SubPending   = "pending"   // waiting for the target's editors
	SubAdopted   = "adopted"   // a copy is published in the target column
	SubRejected  = "rejected"  // refused, with a reason
	SubCancelled = "cancelled" // the source article was withdrawn before a decision
)

// SubmissionStatusLabel is the Chinese name of a submission state.
func SubmissionStatusLabel(s string) string {
	switch s {
	case SubPending:
		return "待处理"
	case SubAdopted:
		return "已采用"
	case SubRejected:
		return "未采用"
	case SubCancelled:
		return "已撤回"
	}
	return s
}

// What happens to an adopted copy when the source is withdrawn
// (source_withdrawn): nothing yet, waiting for the target's decision, or
// decided (withdrawn with the source, or kept by the target's reviewer).
const (
	sourceLive      = 0
	sourceAskTarget = 1
	sourceDecided   = 2
)

// Submission is one article submitted to one target column, or one
// submission to an outside site recorded by hand.
type Submission struct {
	ID              int64      `db:"id"`
	SourceTenantID  int64      `db:"source_tenant_id"`
	SourceArticleID *int64     `db:"source_article_id"`
	Title           string     `db:"title"`
	TargetTenantID  *int64     `db:"target_tenant_id"`
	TargetColumnID  *int64     `db:"target_column_id"`
	ExternalTarget  string     `db:"external_target"`
	Status          string     `db:"status"`
	SubmittedBy     int64      `db:"submitted_by"`
	SubmittedByName string     `db:"submitted_by_name"`
	SubmittedAt     time.Time  `db:"submitted_at"`
	DecidedBy       int64      `db:"decided_by"`
	DecidedByName   string     `db:"decided_by_name"`
	DecidedAt       *time.Time `db:"decided_at"`
	Reason          string     `db:"reason"`
	Edited          bool       `db:"edited"`
	EditNote        string     `db:"edit_note"`
	CopyArticleID   *int64     `db:"copy_article_id"`
	SourceWithdrawn int        `db:"source_withdrawn"`

	SourceName string `db:"source_name"`
	TargetName string `db:"target_name"`
	ColumnName string `db:"column_name"`
}

// StatusLabel is the Chinese name of the submission's state.
func (s *Submission) StatusLabel() string { return SubmissionStatusLabel(s.Status) }

// AwaitsDecision reports whether the source was withdrawn and the target's
// reviewer is asked what to do with the adopted copy.
func (s *Submission) AwaitsDecision() bool { return s.SourceWithdrawn == sourceAskTarget }

// External reports whether the submission went to an outside site.
func (s *Submission) External() bool { return s.ExternalTarget != "" }

// TargetLabel names where the submission went.
func (s *Submission) TargetLabel() string {
	if s.External() {
		return s.ExternalTarget
	}
	return s.TargetName + " · " + s.ColumnName
}

const submissionSelect = `SELECT s.id, s.source_tenant_id, s.source_article_id, s.title, s.target_tenant_id, s.target_column_id, s.external_target,
	s.status, s.submitted_by, s.submitted_by_name, s.submitted_at, s.decided_by, s.decided_by_name, s.decided_at, s.reason, s.edited, s.edit_note,
	s.copy_article_id, s.source_withdrawn,
	src.name AS source_name, COALESCE(tgt.name, '') AS target_name, COALESCE(c.name, '') AS column_name
	FROM submissions s
	JOIN tenants src ON src.id = s.source_tenant_id
	LEFT JOIN tenants tgt ON tgt.id = s.target_tenant_id
	LEFT JOIN site_columns c ON c.id = s.target_column_id AND c.tenant_id = s.target_tenant_id`

// Target is a tenant that collects submissions, with its columns that
// accept them.
type Target struct {
	TenantID int64
	Name     string
	Columns  []*Column
}

// SetCollector makes a tenant other than the portal collect submissions
// (on) or stop (off). The county office decides.
func (d *Desk) SetCollector(ctx context.Context, a Actor, tenantID int64, on bool) error {
	if err := a.need(PermCounty); err != nil {
		return err
	}
	return d.db.Tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM submission_collectors WHERE tenant_id = ?`, tenantID); err != nil {
			return fmt.Errorf("set collector %d: %w", tenantID, err)
		}
		if on {
			if _, err := tx.ExecContext(ctx, `INSERT INTO submission_collectors (tenant_id, created_at) VALUES (?, ?)`, tenantID, store.Now()); err != nil {
				return fmt.Errorf("set collector %d: %w", tenantID, err)
			}
		}
		return audit.Write(ctx, tx, audit.Entry{Actor: a.auditName(), Action: "submission.collector", TenantID: &tenantID,
			Detail: strconv.FormatBool(on), RemoteAddr: a.RemoteAddr})
	})
}

// SetAcceptingColumns lists the columns of the actor's tenant that accept
// submissions; an empty list means every visible list column.
func (d *Desk) SetAcceptingColumns(ctx context.Context, a Actor, columnIDs []int64) error {
	if err := a.need(PermColumns); err != nil {
		return err
	}
	return d.db.Tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM submission_columns WHERE tenant_id = ?`, a.TenantID); err != nil {
			return fmt.Errorf("set accepting columns: %w", err)
		}
		for _, id := range columnIDs {
			var typ string
			err := tx.GetContext(ctx, &typ, `SELECT type FROM site_columns WHERE id = ? AND tenant_id = ?`, id, a.TenantID)
			if errors.Is(err, sql.ErrNoRows) || (err == nil && typ != ColumnList) {
				return core.Errorf(core.EINVALID, "只有本站的列表栏目可以接收报送")
			}
			if err != nil {
				return fmt.Errorf("set accepting columns: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO submission_columns (tenant_id, column_id) VALUES (?, ?)`, a.TenantID, id); err != nil {
				return fmt.Errorf("set accepting columns: %w", err)
			}
		}
		return audit.Write(ctx, tx, audit.Entry{Actor: a.auditName(), Action: "submission.columns", TenantID: &a.TenantID,
			Detail: joinIDs(columnIDs), RemoteAddr: a.RemoteAddr})
	})
}

// Targets lists where the actor's tenant can submit: the portal and every
// collecting tenant other than itself, each with its accepting columns.
func (d *Desk) Targets(ctx context.Context, a Actor) ([]Target, error) {
	if err := a.need(PermReadDesk); err != nil {
		return nil, err
	}
	var ts []struct {
		ID   int64  `db:"id"`
		Name string `db:"name"`
	}
	if err := d.db.SelectContext(ctx, &ts, `SELECT id, name FROM tenants
		WHERE status = 'active' AND id <> ? AND (kind = 'portal' OR id IN (SELECT tenant_id FROM submission_collectors))
		ORDER BY CASE kind WHEN 'portal' THEN 0 ELSE 1 END, sort, code`, a.TenantID); err != nil {
		return nil, fmt.Errorf("list submission targets: %w", err)
	}
	out := make([]Target, 0, len(ts))
	for _, t := range ts {
		cs, err := d.acceptingColumns(ctx, d.db, t.ID)
		if err != nil {
			return nil, err
		}
		if len(cs) > 0 {
			out = append(out, Target{TenantID: t.ID, Name: t.Name, Columns: cs})
		}
	}
	return out, nil
}

func (d *Desk) acceptingColumns(ctx context.Context, x sqlx.QueryerContext, tenantID int64) ([]*Column, error) {
	var cs []*Column
	if err := sqlx.SelectContext(ctx, x, &cs, `SELECT `+columnFields+` FROM site_columns WHERE tenant_id = ? AND type = 'list' AND hidden = 0
		AND (id IN (SELECT column_id FROM submission_columns WHERE tenant_id = ?)
			OR NOT EXISTS (SELECT 1 FROM submission_columns WHERE tenant_id = ?))
		ORDER BY sort, id`, tenantID, tenantID, tenantID); err != nil {
		return nil, fmt.Errorf("accepting columns of tenant %d: %w", tenantID, err)
	}
	return cs, nil
}

// SubmitUpward submits the actor's tenant's approved article to target
// columns of the portal or of collecting tenants: one submission per
// column, each waiting in its target's queue.
func (d *Desk) SubmitUpward(ctx context.Context, a Actor, articleID int64, columnIDs []int64) ([]int64, error) {
	if err := a.need(PermWrite); err != nil {
		return nil, err
	}
	if len(columnIDs) == 0 {
		return nil, core.Errorf(core.EINVALID, "请选择至少一个报送栏目")
	}
	targets, err := d.Targets(ctx, a)
	if err != nil {
		return nil, err
	}
	owner := map[int64]int64{} // accepting column → its tenant
	for _, t := range targets {
		for _, c := range t.Columns {
			owner[c.ID] = t.TenantID
		}
	}
	var ids []int64
	err = d.db.Tx(ctx, func(tx *sqlx.Tx) error {
		m, err := d.get(ctx, tx, a.TenantID, articleID, true)
		if err != nil {
			return err
		}
		if m.Status != Published && m.Status != Scheduled {
			return core.Errorf(core.ECONFLICT, "只有审核通过的文章才能报送（当前状态：%s）", m.StatusLabel())
		}
		if m.OriginArticle != nil {
			return core.Errorf(core.ECONFLICT, "这篇文章是采用其他站点报送的稿件，不能再次报送")
		}
		now := store.Now()
		for _, cid := range slices.Compact(slices.Sorted(slices.Values(columnIDs))) {
			tid, ok := owner[cid]
			if !ok {
				return core.Errorf(core.EINVALID, "所选栏目不接收本站报送")
			}
			var n int
			if err := tx.GetContext(ctx, &n, `SELECT COUNT(*) FROM submissions WHERE source_tenant_id = ? AND source_article_id = ? AND target_column_id = ?
				AND status IN ('pending', 'adopted')`, a.TenantID, articleID, cid); err != nil {
				return fmt.Errorf("submit article %d: %w", articleID, err)
			}
			if n > 0 {
				return core.Errorf(core.ECONFLICT, "这篇文章已报送到所选栏目，正在处理或已被采用")
			}
			res, err := tx.ExecContext(ctx, `INSERT INTO submissions (source_tenant_id, source_article_id, title, target_tenant_id, target_column_id,
				status, submitted_by, submitted_by_name, submitted_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?)`,
				a.TenantID, articleID, m.Title, tid, cid, a.UserID, a.Name, now)
			if err != nil {
				return fmt.Errorf("submit article %d: %w", articleID, err)
			}
			id, err := res.LastInsertId()
			if err != nil {
				return err
			}
			ids = append(ids, id)
			if err := audit.Write(ctx, tx, audit.Entry{Actor: a.auditName(), Action: "submission.submit", TenantID: &a.TenantID,
				Target: "submission:" + strconv.FormatInt(id, 10), Detail: fmt.Sprintf("article:%d → tenant:%d column:%d", articleID, tid, cid),
				RemoteAddr: a.RemoteAddr}); err != nil {
				return err
			}
		}
		return d.record(ctx, tx, a, articleID, "submit-upward", m.Status, m.Status, m.Version, fmt.Sprintf("报送 %d 个栏目", len(ids)))
	})
	return ids, err
}

// QueueFilter selects submissions.
type QueueFilter struct {
	Status string // "" for all; "decide" for adopted copies whose source was withdrawn
	Page   int
	Size   int
}

// SubmissionPage is one page of submissions.
type SubmissionPage struct {
	Items  []*Submission
	Total  int
	Number int
	Size   int
}

// Pages is the number of pages.
func (p *SubmissionPage) Pages() int { return pageCount(p.Total, p.Size) }

// Queue lists the submissions sent to the actor's tenant, oldest pending
// first: the target's editors work through it.
func (d *Desk) Queue(ctx context.Context, a Actor, f QueueFilter) (*SubmissionPage, error) {
	if err := a.need(PermAdopt); err != nil {
		return nil, err
	}
	return d.submissions(ctx, `s.target_tenant_id = ?`, a.TenantID, f, `CASE s.status WHEN 'pending' THEN 0 ELSE 1 END, s.submitted_at`)
}

// Sent lists the submissions the actor's tenant made, newest first.
func (d *Desk) Sent(ctx context.Context, a Actor, f QueueFilter) (*SubmissionPage, error) {
	if err := a.need(PermReadDesk); err != nil {
		return nil, err
	}
	return d.submissions(ctx, `s.source_tenant_id = ?`, a.TenantID, f, `s.submitted_at DESC`)
}

func (d *Desk) submissions(ctx context.Context, scope string, tenantID int64, f QueueFilter, order string) (*SubmissionPage, error) {
	if f.Page < 1 {
		f.Page = 1
	}
	if f.Size < 1 || f.Size > 100 {
		f.Size = 20
	}
	where := ` WHERE ` + scope
	args := []any{tenantID}
	switch f.Status {
	case "":
	case "decide":
		where += ` AND s.source_withdrawn = 1`
	default:
		where += ` AND s.status = ?`
		args = append(args, f.Status)
	}
	p := &SubmissionPage{Number: f.Page, Size: f.Size}
	if err := d.db.GetContext(ctx, &p.Total, `SELECT COUNT(*) FROM submissions s`+where, args...); err != nil {
		return nil, fmt.Errorf("count submissions: %w", err)
	}
	if err := d.db.SelectContext(ctx, &p.Items, submissionSelect+where+` ORDER BY `+order+`, s.id LIMIT ? OFFSET ?`,
		append(args, f.Size, (f.Page-1)*f.Size)...); err != nil {
		return nil, fmt.Errorf("list submissions: %w", err)
	}
	return p, nil
}

// Submission returns one submission the actor's tenant sent or received.
func (d *Desk) Submission(ctx context.Context, a Actor, id int64) (*Submission, error) {
	if err := a.need(PermReadDesk); err != nil {
		return nil, err
	}
	return d.submission(ctx, d.db, a, id, false)
}

func (d *Desk) submission(ctx context.Context, x sqlx.QueryerContext, a Actor, id int64, targetOnly bool) (*Submission, error) {
	q := submissionSelect + ` WHERE s.id = ? AND (s.target_tenant_id = ?`
	args := []any{id, a.TenantID}
	if !targetOnly {
		q += ` OR s.source_tenant_id = ?`
		args = append(args, a.TenantID)
	}
	q += `)`
	var s Submission
	err := sqlx.GetContext(ctx, x, &s, q, args...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, core.Errorf(core.ENOTFOUND, "没有找到这条报送信息")
	}
	if err != nil {
		return nil, fmt.Errorf("get submission %d: %w", id, err)
	}
	return &s, nil
}

// SourceText returns the submitted article as its source publishes it, for
// the target's editors to read before they decide.
func (d *Desk) SourceText(ctx context.Context, a Actor, id int64) (*Submission, *Manuscript, error) {
	if err := a.need(PermAdopt); err != nil {
		return nil, nil, err
	}
	s, err := d.submission(ctx, d.db, a, id, true)
	if err != nil {
		return nil, nil, err
	}
	if s.SourceArticleID == nil {
		return s, nil, nil
	}
	m, err := d.get(ctx, d.db, s.SourceTenantID, *s.SourceArticleID, false)
	if err != nil {
		return s, nil, err
	}
	return s, m, nil
}

func (d *Desk) articleURL(ctx context.Context, tenantID, id int64) string {
	if d.ArticleURL != nil {
		return d.ArticleURL(ctx, tenantID, id)
	}
	var code string
	if err := d.db.GetContext(ctx, &code, `SELECT code FROM tenants WHERE id = ?`, tenantID); err != nil {
		return ""
	}
	return "/site/" + code + "/art/" + strconv.FormatInt(id, 10)
}

// Adopt publishes a copy of the submitted article in the target column of
// the actor's tenant, with its provenance (来源: the submitting tenant, and
// a link back). With edits, the copy is first kept as submitted and then
// as edited, so the edit stays on record as a diff of two versions.
func (d *Desk) Adopt(ctx context.Context, a Actor, id int64, edits *Input, note string) (int64, error) {
	if err := a.need(PermAdopt); err != nil {
		return 0, err
	}
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > 500 {
		return 0, core.Errorf(core.EINVALID, "修改说明不超过 500 个字")
	}
	var sourceURL string
	if s, err := d.submission(ctx, d.db, a, id, true); err == nil && s.SourceArticleID != nil {
		sourceURL = d.articleURL(ctx, s.SourceTenantID, *s.SourceArticleID)
	}
	var copyID int64
	err := d.db.Tx(ctx, func(tx *sqlx.Tx) error {
		s, err := d.submission(ctx, tx, a, id, true)
		if err != nil {
			return err
		}
		if s.Status != SubPending || s.SourceArticleID == nil || s.TargetColumnID == nil {
			return core.Errorf(core.ECONFLICT, "这条报送信息已处理（%s）", s.StatusLabel())
		}
		src, err := d.get(ctx, tx, s.SourceTenantID, *s.SourceArticleID, false)
		if err != nil {
			return err
		}
		if src.Status != Published {
			return core.Errorf(core.ECONFLICT, "来源文章当前不是发布状态（%s），不能采用", src.StatusLabel())
		}
		orig := Input{ColumnID: *s.TargetColumnID, Title: src.Title, Subtitle: src.Subtitle, Summary: src.Summary, Body: src.Body,
			Source: s.SourceName, Author: src.Author, Keywords: src.Keywords, CoverURL: src.CoverURL}
		art := orig.article(a.TenantID)
		if err := d.s.SaveDraft(ctx, tx, art); err != nil {
			return err
		}
		copyID = art.ID
		if _, err := tx.ExecContext(ctx, `UPDATE articles SET created_by = ?, created_by_name = ?, edited_by = ?, cover_url = ?,
			origin_tenant_id = ?, origin_article_id = ?, origin_name = ?, origin_url = ? WHERE id = ? AND tenant_id = ?`,
			a.UserID, a.Name, a.UserID, orig.CoverURL, s.SourceTenantID, *s.SourceArticleID, s.SourceName, sourceURL, copyID, a.TenantID); err != nil {
			return fmt.Errorf("adopt submission %d: %w", id, err)
		}
		n, err := d.addVersion(ctx, tx, a, copyID, art, orig, "报送原稿")
		if err != nil {
			return err
		}
		edited := false
		if edits != nil {
			e := *edits
			e.ColumnID, e.Columns = *s.TargetColumnID, nil
			if strings.TrimSpace(e.Source) == "" {
				e.Source = s.SourceName
			}
			if err := d.validate(ctx, tx, a.TenantID, e); err != nil {
				return err
			}
			ea := e.article(a.TenantID)
			if v, err := d.versionByNumber(ctx, tx, a.TenantID, copyID, n); err == nil && !v.same(ea, e) {
				edited = true
				if n, err = d.addVersion(ctx, tx, a, copyID, ea, e, "采用时修改"); err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `UPDATE articles SET title = ?, subtitle = ?, summary = ?, body = ?, source = ?, author = ?, keywords = ?, cover_url = ?
					WHERE id = ? AND tenant_id = ?`, ea.Title, ea.Subtitle, ea.Summary, ea.Body, ea.Source, ea.Author, ea.Keywords, e.CoverURL, copyID, a.TenantID); err != nil {
					return fmt.Errorf("adopt submission %d with edits: %w", id, err)
				}
			} else if err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE articles SET version = ? WHERE id = ? AND tenant_id = ?`, n, copyID, a.TenantID); err != nil {
			return fmt.Errorf("adopt submission %d: %w", id, err)
		}
		if !edited {
			note = ""
		}
		if _, err := tx.ExecContext(ctx, `UPDATE submissions SET status = 'adopted', decided_by = ?, decided_by_name = ?, decided_at = ?, edited = ?, edit_note = ?,
			copy_article_id = ? WHERE id = ? AND target_tenant_id = ? AND status = 'pending'`,
			a.UserID, a.Name, store.Now(), edited, note, copyID, id, a.TenantID); err != nil {
			return fmt.Errorf("adopt submission %d: %w", id, err)
		}
		reason := "采用" + s.SourceName + "报送稿件"
		if edited {
			reason += "（有修改" + map[bool]string{true: "：" + note, false: ""}[note != ""] + "）"
		}
		if err := d.publishReviewed(ctx, tx, a, copyID, "adopt", "", n, reason); err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Entry{Actor: a.auditName(), Action: "submission.adopt", TenantID: &a.TenantID,
			Target: "submission:" + strconv.FormatInt(id, 10), Detail: fmt.Sprintf("copy article:%d edited=%t", copyID, edited), RemoteAddr: a.RemoteAddr})
	})
	return copyID, err
}

func (d *Desk) versionByNumber(ctx context.Context, x sqlx.QueryerContext, tenantID, id int64, n int) (*Version, error) {
	return d.oneVersion(ctx, x, `SELECT `+versionFields+` FROM article_versions WHERE tenant_id = ? AND article_id = ? AND number = ?`, tenantID, id, n)
}

// Reject refuses a submission sent to the actor's tenant, with a reason
// the submitting tenant sees.
func (d *Desk) Reject(ctx context.Context, a Actor, id int64, reason string) error {
	if err := a.need(PermAdopt); err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 500 {
		return core.Errorf(core.EINVALID, "不采用须填写理由，不超过 500 个字")
	}
	return d.db.Tx(ctx, func(tx *sqlx.Tx) error {
		s, err := d.submission(ctx, tx, a, id, true)
		if err != nil {
			return err
		}
		if s.Status != SubPending {
			return core.Errorf(core.ECONFLICT, "这条报送信息已处理（%s）", s.StatusLabel())
		}
		if _, err := tx.ExecContext(ctx, `UPDATE submissions SET status = 'rejected', decided_by = ?, decided_by_name = ?, decided_at = ?, reason = ?
			WHERE id = ? AND target_tenant_id = ? AND status = 'pending'`, a.UserID, a.Name, store.Now(), reason, id, a.TenantID); err != nil {
			return fmt.Errorf("reject submission %d: %w", id, err)
		}
		return audit.Write(ctx, tx, audit.Entry{Actor: a.auditName(), Action: "submission.reject", TenantID: &a.TenantID,
			Target: "submission:" + strconv.FormatInt(id, 10), Detail: reason, RemoteAddr: a.RemoteAddr})
	})
}

// KeepCopy is the target reviewer's decision, when asked, to keep an
// adopted copy online although its source was withdrawn. (To take it
// down, the reviewer withdraws the copy like any article.)
func (d *Desk) KeepCopy(ctx context.Context, a Actor, id int64) error {
	if err := a.need(PermReview); err != nil {
		return err
	}
	return d.db.Tx(ctx, func(tx *sqlx.Tx) error {
		s, err := d.submission(ctx, tx, a, id, true)
		if err != nil {
			return err
		}
		if !s.AwaitsDecision() {
			return core.Errorf(core.ECONFLICT, "这条报送信息没有待决定的事项")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE submissions SET source_withdrawn = ? WHERE id = ? AND target_tenant_id = ?`, sourceDecided, id, a.TenantID); err != nil {
			return fmt.Errorf("keep copy of submission %d: %w", id, err)
		}
		return audit.Write(ctx, tx, audit.Entry{Actor: a.auditName(), Action: "submission.keep-copy", TenantID: &a.TenantID,
			Target: "submission:" + strconv.FormatInt(id, 10), RemoteAddr: a.RemoteAddr})
	})
}

// sourceWithdrawnTx follows a source article's withdrawal: submissions not
// yet decided are cancelled; adopted copies are withdrawn with it, or their
// target's reviewer is asked, as the county has configured.
func (d *Desk) sourceWithdrawnTx(ctx context.Context, tx *sqlx.Tx, a Actor, src *Manuscript, kind, reason string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE submissions SET status = 'cancelled', reason = ?, decided_at = ?
		WHERE source_tenant_id = ? AND source_article_id = ? AND status = 'pending'`, "来源文章已撤稿："+reason, store.Now(), a.TenantID, src.ID); err != nil {
		return fmt.Errorf("cancel submissions of article %d: %w", src.ID, err)
	}
	var adopted []Submission
	if err := tx.SelectContext(ctx, &adopted, submissionSelect+` WHERE s.source_tenant_id = ? AND s.source_article_id = ? AND s.status = 'adopted'
		AND s.source_withdrawn = 0`, a.TenantID, src.ID); err != nil {
		return fmt.Errorf("adopted copies of article %d: %w", src.ID, err)
	}
	if len(adopted) == 0 {
		return nil
	}
	mode, err := d.Setting(ctx, SettingSourceWithdrawn)
	if err != nil {
		return err
	}
	for _, s := range adopted {
		if mode == "ask" || s.CopyArticleID == nil || s.TargetTenantID == nil {
			if _, err := tx.ExecContext(ctx, `UPDATE submissions SET source_withdrawn = ? WHERE id = ?`, sourceAskTarget, s.ID); err != nil {
				return fmt.Errorf("flag submission %d: %w", s.ID, err)
			}
			continue
		}
		copyKind := kind
		if kind == WithdrawReplaced {
			copyKind = WithdrawNotice // the replacement lives on the source site, not here
		}
		why := "来源单位" + s.SourceName + "已撤稿：" + reason
		var st string
		if err := tx.GetContext(ctx, &st, `SELECT status FROM articles WHERE id = ? AND tenant_id = ?`, *s.CopyArticleID, *s.TargetTenantID); err != nil {
			return fmt.Errorf("copy of submission %d: %w", s.ID, err)
		}
		if st == Published {
			if err := d.s.UnpublishTx(ctx, tx, *s.TargetTenantID, *s.CopyArticleID, copyKind, why, 0); err != nil {
				return err
			}
			ta := Actor{TenantID: *s.TargetTenantID, UserID: a.UserID, Name: a.Name + "（" + s.SourceName + "）", RemoteAddr: a.RemoteAddr}
			if err := d.record(ctx, tx, ta, *s.CopyArticleID, "withdraw-copy", Published, Withdrawn, 0, why); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE submissions SET source_withdrawn = ? WHERE id = ?`, sourceDecided, s.ID); err != nil {
			return fmt.Errorf("mark submission %d: %w", s.ID, err)
		}
	}
	return nil
}

// ExternalInput is a submission to an outside site (the province's or the
// city's portal), recorded by hand so that it counts like the others.
type ExternalInput struct {
	Target      string // e.g. 省政府网站, 市政府网站
	Title       string
	SubmittedOn time.Time
	Status      string // pending, adopted or rejected
	Note        string
}

// ExternalTargets are the outside sites offered in the form; others can
// be typed in.
var ExternalTargets = []string{"省政府网站", "市政府网站"}

// RecordExternal records a submission of the actor's tenant to an outside site.
func (d *Desk) RecordExternal(ctx context.Context, a Actor, in ExternalInput) (int64, error) {
	if err := a.need(PermWrite); err != nil {
		return 0, err
	}
	in.Target, in.Title, in.Note = strings.TrimSpace(in.Target), strings.TrimSpace(in.Title), strings.TrimSpace(in.Note)
	switch {
	case in.Target == "" || utf8.RuneCountInString(in.Target) > 50:
		return 0, core.Errorf(core.EINVALID, "请填写报送的外部网站，不超过 50 个字")
	case in.Title == "" || utf8.RuneCountInString(in.Title) > 200:
		return 0, core.Errorf(core.EINVALID, "请填写报送信息的标题，不超过 200 个字")
	case in.Status != SubPending && in.Status != SubAdopted && in.Status != SubRejected:
		return 0, core.Errorf(core.EINVALID, "报送结果“%s”无效", in.Status)
	case in.SubmittedOn.IsZero() || in.SubmittedOn.After(time.Now()):
		return 0, core.Errorf(core.EINVALID, "报送日期无效：不能晚于今天")
	case utf8.RuneCountInString(in.Note) > 500:
		return 0, core.Errorf(core.EINVALID, "说明不超过 500 个字")
	}
	var id int64
	err := d.db.Tx(ctx, func(tx *sqlx.Tx) error {
		var decided any
		if in.Status != SubPending {
			decided = store.Now()
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO submissions (source_tenant_id, title, external_target, status, submitted_by, submitted_by_name, submitted_at,
			decided_by, decided_by_name, decided_at, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			a.TenantID, in.Title, in.Target, in.Status, a.UserID, a.Name, in.SubmittedOn.UTC().Truncate(time.Microsecond), a.UserID, a.Name, decided, in.Note)
		if err != nil {
			return fmt.Errorf("record external submission: %w", err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Entry{Actor: a.auditName(), Action: "submission.external", TenantID: &a.TenantID,
			Target: "submission:" + strconv.FormatInt(id, 10), Detail: in.Target + "：" + in.Title + "（" + SubmissionStatusLabel(in.Status) + "）", RemoteAddr: a.RemoteAddr})
	})
	return id, err
}

// SetExternalStatus records the outside site's decision on a submission
// the actor's tenant recorded by hand.
func (d *Desk) SetExternalStatus(ctx context.Context, a Actor, id int64, status string) error {
	if err := a.need(PermWrite); err != nil {
		return err
	}
	if status != SubPending && status != SubAdopted && status != SubRejected {
		return core.Errorf(core.EINVALID, "报送结果“%s”无效", status)
	}
	return d.db.Tx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE submissions SET status = ?, decided_by = ?, decided_by_name = ?, decided_at = ?
			WHERE id = ? AND source_tenant_id = ? AND external_target <> ''`, status, a.UserID, a.Name, store.Now(), id, a.TenantID)
		if err != nil {
			return fmt.Errorf("set external submission %d: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return core.Errorf(core.ENOTFOUND, "没有找到这条外部报送记录")
		}
		return audit.Write(ctx, tx, audit.Entry{Actor: a.auditName(), Action: "submission.external.status", TenantID: &a.TenantID,
			Target: "submission:" + strconv.FormatInt(id, 10), Detail: status, RemoteAddr: a.RemoteAddr})
	})
}

// StatRow is one tenant's submission figures for a period.
type StatRow struct {
	Rank       int
	TenantID   int64  `db:"tenant_id"`
	TenantName string `db:"tenant_name"`
	Kind       string `db:"kind"`
	Submitted  int    `db:"submitted"`
	Adopted    int    `db:"adopted"`
	Rejected   int    `db:"rejected"`
	Pending    int    `db:"pending"`
}

// Rate is the share adopted of those submitted, 0 when none were.
func (r StatRow) Rate() float64 {
	if r.Submitted == 0 {
		return 0
	}
	return float64(r.Adopted) / float64(r.Submitted)
}

// RatePercent formats the rate for people ("33.3%").
func (r StatRow) RatePercent() string { return strconv.FormatFloat(100*r.Rate(), 'f', 1, 64) + "%" }

// StatsFilter selects the period and the targets counted.
type StatsFilter struct {
	From, To time.Time // submitted_at in [From, To); zero means open
	// Target: "" every target, "platform" the portal and collecting
	// tenants, or the name of an outside site.
	Target string
}

// Stats counts submissions per submitting tenant for a period, ranked by
// adopted, then rate. The county office sees every tenant; anyone else
// only their own tenant.
func (d *Desk) Stats(ctx context.Context, a Actor, f StatsFilter) ([]StatRow, error) {
	if err := a.need(PermReadDesk); err != nil {
		return nil, err
	}
	cond := ""
	var args []any
	if !f.From.IsZero() {
		cond += ` AND s.submitted_at >= ?`
		args = append(args, f.From.UTC())
	}
	if !f.To.IsZero() {
		cond += ` AND s.submitted_at < ?`
		args = append(args, f.To.UTC())
	}
	switch f.Target {
	case "":
	case "platform":
		cond += ` AND s.external_target = ''`
	default:
		cond += ` AND s.external_target = ?`
		args = append(args, f.Target)
	}
	where := ` WHERE t.status = 'active' AND t.kind <> 'portal'`
	if !a.Can(PermCounty) {
		where = ` WHERE t.id = ?`
		args = append(args, a.TenantID)
	}
	// Cancelled submissions (the source withdrew before a decision) are
	// not counted: nobody decided on them.
	var rows []StatRow
	if err := d.db.SelectContext(ctx, &rows, `SELECT t.id AS tenant_id, t.name AS tenant_name, t.kind AS kind,
		COALESCE(SUM(CASE WHEN s.status <> 'cancelled' THEN 1 ELSE 0 END), 0) AS submitted,
		COALESCE(SUM(CASE WHEN s.status = 'adopted' THEN 1 ELSE 0 END), 0) AS adopted,
		COALESCE(SUM(CASE WHEN s.status = 'rejected' THEN 1 ELSE 0 END), 0) AS rejected,
		COALESCE(SUM(CASE WHEN s.status = 'pending' THEN 1 ELSE 0 END), 0) AS pending
		FROM tenants t LEFT JOIN submissions s ON s.source_tenant_id = t.id`+cond+where+`
		GROUP BY t.id, t.name, t.kind`, args...); err != nil {
		return nil, fmt.Errorf("submission statistics: %w", err)
	}
	sort.SliceStable(rows, func(i, j int) bool {
		x, y := rows[i], rows[j]
		if x.Adopted != y.Adopted {
			return x.Adopted > y.Adopted
		}
		if x.Rate() != y.Rate() {
			return x.Rate() > y.Rate()
		}
		if x.Submitted != y.Submitted {
			return x.Submitted > y.Submitted
		}
		return x.TenantID < y.TenantID
	})
	for i := range rows {
		rows[i].Rank = i + 1
		if i > 0 && rows[i].Adopted == rows[i-1].Adopted && rows[i].Rate() == rows[i-1].Rate() {
			rows[i].Rank = rows[i-1].Rank // equal figures share a rank
		}
	}
	return rows, nil
}

// StatTargets lists the outside sites that appear in the records, for the
// statistics filter.
func (d *Desk) StatTargets(ctx context.Context) ([]string, error) {
	var out []string
	if err := d.db.SelectContext(ctx, &out, `SELECT DISTINCT external_target FROM submissions WHERE external_target <> '' ORDER BY external_target`); err != nil {
		return nil, fmt.Errorf("external targets: %w", err)
	}
	for _, t := range ExternalTargets {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out, nil
}

// Collects reports whether the tenant receives submissions: the portal
// always, another tenant when the county office made it a collector.
func (d *Desk) Collects(ctx context.Context, tenantID int64) (bool, error) {
	var n int
	if err := d.db.GetContext(ctx, &n, `SELECT COUNT(*) FROM tenants WHERE id = ? AND (kind = 'portal' OR id IN (SELECT tenant_id FROM submission_collectors))`,
		tenantID); err != nil {
		return false, fmt.Errorf("collector %d: %w", tenantID, err)
	}
	return n > 0, nil
}
