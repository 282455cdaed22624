package content

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"regexp"

	"yiwang/core"
	"yiwang/core/blob"
	"yiwang/core/store"
)

// ModuleFiles keeps modules' files in the blob store for the plugin
// host's file calls: a module's letter attachments go where every core
// upload goes, counted against the tenant's quota. Each file is a row of
// module_files naming its module and tenant, so no module reaches
// another's files, nor a tenant another tenant's.
type ModuleFiles struct {
	DB    *store.DB
	Cfg   UploadConfig
	Limit int64 // one file; default 20 MB (the host's message limit is larger)
}

var moduleName = regexp.MustCompile(`^[a-z][a-z0-9]{0,31}$`)

// Put stores data for module and tenant and returns its key.
func (m *ModuleFiles) Put(ctx context.Context, module string, tenantID int64, name, contentType string, data []byte) (string, error) {
	if m.Cfg.Store == nil {
		return "", core.Errorf(core.EUNAVAIL, "文件存储未配置")
	}
	limit := m.Limit
	if limit <= 0 {
		limit = 20 << 20
	}
	switch {
	case !moduleName.MatchString(module):
		return "", fmt.Errorf("module files: bad module name %q", module)
	case len(data) == 0:
		return "", core.Errorf(core.EINVALID, "文件是空的")
	case int64(len(data)) > limit:
		return "", core.Errorf(core.EINVALID, "文件超过 %s 的大小限制", FormatBytes(limit))
	}
	var code string
	if err := m.DB.GetContext(ctx, &code, `SELECT code FROM tenants WHERE id = ?`, tenantID); errors.Is(err, sql.ErrNoRows) {
		return "", core.Errorf(core.ENOTFOUND, "没有这个站点")
	} else if err != nil {
		return "", fmt.Errorf("module files: %w", err)
	}
	if err := checkQuotaExcept(ctx, m.DB, tenantID, m.Cfg, int64(len(data)), 0); err != nil {
		return "", err
	}
	var tok [16]byte
	if _, err := rand.Read(tok[:]); err != nil {
		return "", err
	}
	now := store.Now()
	key := "modules/" + module + "/" + code + "/" + now.Format("2006/01") + "/" + hex.EncodeToString(tok[:])
	sum := sha256.Sum256(data)
	hexSum := hex.EncodeToString(sum[:])
	if _, err := m.Cfg.Store.Put(ctx, key, bytes.NewReader(data), int64(len(data)), blob.PutOptions{ContentType: contentType, SHA256: hexSum}); err != nil {
		return "", storeFailed("module files", err)
	}
	if _, err := m.DB.ExecContext(ctx, `INSERT INTO module_files (module, tenant_id, blob_key, name, content_type, size, sha256, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, module, tenantID, key, cleanName(name), contentType, len(data), hexSum, now); err != nil {
		m.Cfg.Store.Delete(context.WithoutCancel(ctx), key)
		return "", fmt.Errorf("module files: %w", err)
	}
	return key, nil
}

// Read gives back a file of module and tenant.
func (m *ModuleFiles) Read(ctx context.Context, module string, tenantID int64, key string) ([]byte, string, error) {
	var ct string
	err := m.DB.GetContext(ctx, &ct, `SELECT content_type FROM module_files WHERE module = ? AND tenant_id = ? AND blob_key = ?`, module, tenantID, key)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", core.Errorf(core.ENOTFOUND, "没有找到这个文件")
	}
	if err != nil {
		return nil, "", fmt.Errorf("module files: %w", err)
	}
	o, err := m.Cfg.Store.Open(ctx, key)
	if err != nil {
		return nil, "", fmt.Errorf("module files: %w", err)
	}
	defer o.Close()
	b, err := io.ReadAll(o)
	if err != nil {
		return nil, "", fmt.Errorf("module files: %w", err)
	}
	return b, ct, nil
}

// Delete removes a file of module and tenant; a missing one is no error.
func (m *ModuleFiles) Delete(ctx context.Context, module string, tenantID int64, key string) error {
	res, err := m.DB.ExecContext(ctx, `DELETE FROM module_files WHERE module = ? AND tenant_id = ? AND blob_key = ?`, module, tenantID, key)
	if err != nil {
		return fmt.Errorf("module files: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return m.Cfg.Store.Delete(ctx, key)
	}
	return nil
}
