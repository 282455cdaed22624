package content

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"hash"
	"syscall"

	"github.com/jmoiron/sqlx"
	"yiwang/core"
	"yiwang/core/audit"
	"yiwang/core/store"
)

// Storage quotas. Every stored file of a tenant counts (attachments,
// videos, posters), and so does an upload in progress, for the size it
// announced, so that two large uploads started together cannot both
// pass and overflow the quota at the end.

// quotaOf is the tenant's quota: the county office's setting, or def.
func quotaOf(ctx context.Context, q sqlx.QueryerContext, tenantID, def int64) (int64, error) {
	if def <= 0 {
		def = DefaultTenantQuota
	}
	var v int64
	err := sqlx.GetContext(ctx, q, &v, `SELECT quota_bytes FROM tenant_quotas WHERE tenant_id = ?`, tenantID)
	if errors.Is(err, sql.ErrNoRows) {
		return def, nil
	}
	if err != nil {
		return 0, fmt.Errorf("quota: %w", err)
	}
	return v, nil
}

// usedBy is what the tenant's files take, with the uploads in progress.
func usedBy(ctx context.Context, q sqlx.QueryerContext, tenantID int64, exceptSession int64) (int64, error) {
	var files, modules, pending int64
	if err := sqlx.GetContext(ctx, q, &files, `SELECT COALESCE(SUM(size), 0) FROM attachments WHERE tenant_id = ?`, tenantID); err != nil {
		return 0, fmt.Errorf("quota: %w", err)
	}
	if err := sqlx.GetContext(ctx, q, &modules, `SELECT COALESCE(SUM(size), 0) FROM module_files WHERE tenant_id = ?`, tenantID); err != nil {
		return 0, fmt.Errorf("quota: %w", err)
	}
	if err := sqlx.GetContext(ctx, q, &pending, `SELECT COALESCE(SUM(size), 0) FROM upload_sessions
		WHERE tenant_id = ? AND id <> ? AND expires_at > ?`, tenantID, exceptSession, store.Now()); err != nil {
		return 0, fmt.Errorf("quota: %w", err)
	}
	return files + modules + pending, nil
}

// checkQuotaExcept refuses size more bytes past the tenant's quota,
// leaving out the reservation of the upload session being finished.
func checkQuotaExcept(ctx context.Context, q sqlx.QueryerContext, tenantID int64, cfg UploadConfig, size, session int64) error {
	quota, err := quotaOf(ctx, q, tenantID, cfg.TenantQuota)
	if err != nil {
		return err
	}
	used, err := usedBy(ctx, q, tenantID, session)
	if err != nil {
		return err
	}
	if used+size > quota {
		return core.Errorf(core.EINVALID, "本站存储空间不足（限额 %s，已用 %s，本文件 %s），请删除不用的文件或联系县政府办调整限额",
			FormatBytes(quota), FormatBytes(used), FormatBytes(size))
	}
	return nil
}

// TenantStorage is one tenant's line in the county office's view.
type TenantStorage struct {
	TenantID    int64         `db:"tenant_id"`
	Code        string        `db:"code"`
	Name        string        `db:"name"`
	Files       int64         `db:"files"`
	Bytes       int64         `db:"bytes"`
	Videos      int64         `db:"videos"`
	VideoBytes  int64         `db:"video_bytes"`
	Pending     int64         `db:"pending"`
	Quota       int64         `db:"-"`
	QuotaSet    bool          `db:"-"` // the county office's own figure, not the default
	QuotaCustom sql.NullInt64 `db:"quota_bytes"`
}

// Percent is the share of the quota used, 0–100 (and past 100 when a
// lowered quota is already exceeded).
func (t TenantStorage) Percent() int64 {
	if t.Quota <= 0 {
		return 0
	}
	return (t.Bytes + t.Pending) * 100 / t.Quota
}

// Storage lists every tenant's storage use with its quota, the fullest
// first: the county office's view (platform admins only).
func (d *Desk) Storage(ctx context.Context, a Actor, def int64) ([]TenantStorage, error) {
	if !a.County() {
		return nil, core.Errorf(core.EFORBID, "只有县级平台管理员可以查看各站存储空间")
	}
	if def <= 0 {
		def = DefaultTenantQuota
	}
	var out []TenantStorage
	err := d.db.SelectContext(ctx, &out, `SELECT t.id AS tenant_id, t.code, t.name,
		COALESCE(f.n, 0) AS files, COALESCE(f.bytes, 0) AS bytes,
		COALESCE(v.n, 0) AS videos, COALESCE(v.bytes, 0) AS video_bytes,
		COALESCE(u.bytes, 0) AS pending, q.quota_bytes
		FROM tenants t
		LEFT JOIN (SELECT tenant_id, COUNT(*) AS n, SUM(size) AS bytes FROM
			(SELECT tenant_id, size FROM attachments UNION ALL SELECT tenant_id, size FROM module_files) x GROUP BY tenant_id) f ON f.tenant_id = t.id
		LEFT JOIN (SELECT vi.tenant_id, COUNT(*) AS n, SUM(at.size) AS bytes FROM videos vi
			JOIN attachments at ON at.id = vi.attachment_id GROUP BY vi.tenant_id) v ON v.tenant_id = t.id
		LEFT JOIN (SELECT tenant_id, SUM(size) AS bytes FROM upload_sessions WHERE expires_at > ? GROUP BY tenant_id) u ON u.tenant_id = t.id
		LEFT JOIN tenant_quotas q ON q.tenant_id = t.id
		ORDER BY t.id`, store.Now())
	if err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	for i := range out {
		out[i].Quota, out[i].QuotaSet = def, out[i].QuotaCustom.Valid
		if out[i].QuotaCustom.Valid {
			out[i].Quota = out[i].QuotaCustom.Int64
		}
	}
	return out, nil
}

// SetQuota sets a tenant's quota in bytes (0 returns it to the
// platform's default), audited. Platform admins only.
func (d *Desk) SetQuota(ctx context.Context, a Actor, tenantID, bytes int64) error {
	if !a.County() {
		return core.Errorf(core.EFORBID, "只有县级平台管理员可以调整存储限额")
	}
	if bytes < 0 || bytes > 100<<40 {
		return core.Errorf(core.EINVALID, "限额应在 0 到 100 TB 之间")
	}
	return d.db.Tx(ctx, func(tx *sqlx.Tx) error {
		var code string
		if err := tx.GetContext(ctx, &code, `SELECT code FROM tenants WHERE id = ?`, tenantID); errors.Is(err, sql.ErrNoRows) {
			return core.Errorf(core.ENOTFOUND, "没有这个站点")
		} else if err != nil {
			return fmt.Errorf("set quota: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM tenant_quotas WHERE tenant_id = ?`, tenantID); err != nil {
			return fmt.Errorf("set quota: %w", err)
		}
		detail := "默认限额"
		if bytes > 0 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO tenant_quotas (tenant_id, quota_bytes, updated_by, updated_at) VALUES (?, ?, ?, ?)`,
				tenantID, bytes, a.auditName(), store.Now()); err != nil {
				return fmt.Errorf("set quota: %w", err)
			}
			detail = FormatBytes(bytes)
		}
		return audit.Write(ctx, tx, audit.Entry{Actor: a.auditName(), Action: "storage.quota", TenantID: &tenantID,
			Target: "tenant:" + code, Detail: detail, RemoteAddr: a.RemoteAddr})
	})
}

// FormatBytes writes a size as people read it: 1.5 GB, 820 MB, 12 KB.
func FormatBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return trimZero(fmt.Sprintf("%.1f", float64(n)/(1<<30))) + " GB"
	case n >= 1<<20:
		return trimZero(fmt.Sprintf("%.1f", float64(n)/(1<<20))) + " MB"
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d 字节", n)
}

func trimZero(s string) string {
	if len(s) > 2 && s[len(s)-2:] == ".0" {
		return s[:len(s)-2]
	}
	return s
}

func newHash() hash.Hash { return sha256.New() }

// storeFailed is err from writing a file (a temporary file or the blob
// store), said as what it means for the person uploading. A full disk or
// an exhausted disk quota is an outage of the file store only: the
// person is told in Chinese, with 503 at the edge, and the rest of the
// site goes on; anything else keeps its cause for the log.
func storeFailed(op string, err error) error {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return &core.Error{Code: core.EUNAVAIL, Message: "文件存储空间已满，暂时无法保存上传的文件；已保存的内容不受影响，请稍后再试或联系网站管理员。",
			Err: fmt.Errorf("%s: %w", op, err)}
	}
	return fmt.Errorf("%s: %w", op, err)
}
