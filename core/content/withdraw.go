package content

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"yiwang/core"

	"yiwang/core/store"
)

// The three kinds of withdrawal.
const (
	// WithdrawError: published in error. The page is gone (410).
	WithdrawError = "error"
	// WithdrawNotice: withdrawn. The page stays readable with a notice and the reason.
	WithdrawNotice = "notice"
	// WithdrawReplaced: replaced by another article. The page redirects to it.
	WithdrawReplaced = "replaced"
)

// WithdrawKindLabel is the Chinese name of a withdrawal kind.
func WithdrawKindLabel(k string) string {
	switch k {
	case WithdrawError:
		return "错误发布（页面不再提供）"
	case WithdrawNotice:
		return "撤稿（保留页面并显示撤稿说明）"
	case WithdrawReplaced:
		return "已被替代（跳转到新文章）"
	}
	return k
}

// Withdraw takes a published article off line, in one of the three kinds,
// with a reason. replacedBy names the replacing article (a published
// article of the same tenant) for WithdrawReplaced. Adopted copies of the
// article on other sites follow, as the county has configured.
func (d *Desk) Withdraw(ctx context.Context, a Actor, id int64, kind, reason string, replacedBy int64) error {
	if err := a.need(PermReview); err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 500 {
		return core.Errorf(core.EINVALID, "撤稿须填写理由，不超过 500 个字")
	}
	switch kind {
	case WithdrawError, WithdrawNotice:
		replacedBy = 0
	case WithdrawReplaced:
		if replacedBy == 0 || replacedBy == id {
			return core.Errorf(core.EINVALID, "请填写替代这篇文章的新文章编号")
		}
	default:
		return core.Errorf(core.EINVALID, "撤稿方式“%s”无效", kind)
	}
	return d.db.Tx(ctx, func(tx *sqlx.Tx) error {
		m, err := d.get(ctx, tx, a.TenantID, id, true)
		if err != nil {
			return err
		}
		if m.Status != Published {
			return core.Errorf(core.ECONFLICT, "只有已发布的文章才能撤稿（当前状态：%s）", m.StatusLabel())
		}
		if replacedBy != 0 {
			var st string
			err := tx.GetContext(ctx, &st, `SELECT status FROM articles WHERE id = ? AND tenant_id = ?`, replacedBy, a.TenantID)
			if errors.Is(err, sql.ErrNoRows) || (err == nil && st != Published) {
				return core.Errorf(core.EINVALID, "替代文章须是本站已发布的文章")
			}
			if err != nil {
				return fmt.Errorf("check replacing article %d: %w", replacedBy, err)
			}
		}
		if err := d.s.UnpublishTx(ctx, tx, a.TenantID, id, kind, reason, replacedBy); err != nil {
			return err
		}
		if err := d.record(ctx, tx, a, id, "withdraw", Published, Withdrawn, m.Version, WithdrawKindLabel(kind)+"："+reason); err != nil {
			return err
		}
		return d.sourceWithdrawnTx(ctx, tx, a, m, kind, reason)
	})
}

// UnpublishTx is the one place the editorial desk takes an article off
// the public site, in the caller's transaction: the withdrawal kind and
// reason are kept with the row, and the search outbox hears of it as it
// does from PublishTx. Its callers write the history and the audit log.
// (Store.WithdrawTx is the plain withdrawal without a kind, which the
// public site answers as gone.)
func (s *Store) UnpublishTx(ctx context.Context, tx *sqlx.Tx, tenantID, id int64, kind, reason string, replacedBy int64) error {
	var rb any // NULL unless replaced
	if replacedBy != 0 {
		rb = replacedBy
	}
	now := store.Now()
	res, err := tx.ExecContext(ctx, `UPDATE articles SET status = 'withdrawn', withdraw_kind = ?, withdraw_reason = ?, withdrawn_at = ?, replaced_by = ?,
		revision_id = NULL, revision_status = '', updated_at = ? WHERE id = ? AND tenant_id = ? AND status = 'published'`,
		kind, reason, now, rb, now, id, tenantID)
	if err != nil {
		return fmt.Errorf("withdraw article %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return core.Errorf(core.ENOTFOUND, "没有找到这篇已发布的文章")
	}
	return articleChanged(ctx, tx, tenantID, id)
}

// PublicExtras is what the public article page needs beyond the article:
// how it was withdrawn, and where an adopted copy came from.
type PublicExtras struct {
	WithdrawKind   string     `db:"withdraw_kind"`
	WithdrawReason string     `db:"withdraw_reason"`
	WithdrawnAt    *time.Time `db:"withdrawn_at"`
	ReplacedBy     *int64     `db:"replaced_by"`
	OriginName     string     `db:"origin_name"`
	OriginURL      string     `db:"origin_url"`
	CoverURL       string     `db:"cover_url"`
}

// WithdrawnTime formats the withdrawal time.
func (p *PublicExtras) WithdrawnTime() string {
	if p.WithdrawnAt == nil {
		return ""
	}
	return FormatTime(*p.WithdrawnAt)
}

// Extras returns the public extras of the tenant's article id.
func (s *Store) Extras(ctx context.Context, tenantID, id int64) (*PublicExtras, error) {
	var p PublicExtras
	err := s.db.GetContext(ctx, &p, `SELECT withdraw_kind, withdraw_reason, withdrawn_at, replaced_by, origin_name, origin_url, cover_url
		FROM articles WHERE id = ? AND tenant_id = ? AND status IN ('published', 'withdrawn')`, id, tenantID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("extras of article %d: %w", id, err)
	}
	return &p, nil
}

// WithdrawLabel is the Chinese name of the manuscript's withdrawal kind.
func (m *Manuscript) WithdrawLabel() string { return WithdrawKindLabel(m.WithdrawKind) }
