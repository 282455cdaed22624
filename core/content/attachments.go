package content

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"yiwang/core"
	"yiwang/core/audit"
	"yiwang/core/blob"
	"yiwang/core/store"
)

// Attachment is an uploaded file of a tenant: an image, PDF, Word or
// Excel document, its type checked by its content.
type Attachment struct {
	ID        int64     `db:"id"`
	TenantID  int64     `db:"tenant_id"`
	Token     string    `db:"token"` // random: the public URL cannot be guessed from another
	Name      string    `db:"name"`
	Path      string    `db:"path"` // the object's key in the blob store
	MIME      string    `db:"mime"`
	Size      int64     `db:"size"`
	SHA256    string    `db:"sha256"`
	CreatedBy int64     `db:"created_by"`
	CreatedAt time.Time `db:"created_at"`
}

// IsImage reports whether the attachment can go in an <img>.
func (a *Attachment) IsImage() bool { return strings.HasPrefix(a.MIME, "image/") }

// URL is the attachment's path relative to its site's base.
func (a *Attachment) URL() string { return "files/" + a.Token + "/" + a.Name }

// Upload limits, unless the Desk says otherwise.
const (
	DefaultMaxUpload   = 50 << 20 // one file: a scanned policy document is often tens of MB
	DefaultTenantQuota = 2 << 30  // all of a tenant's files
)

// UploadConfig says where uploads go and how much a tenant may keep.
type UploadConfig struct {
	Store       blob.Store // DATA/uploads (blob.Local) or a bucket
	TempDir     string     // where a file waits for its type check; "" is the system's
	MaxUpload   int64
	MaxVideo    int64 // one video, uploaded in chunks
	TenantQuota int64 // the default; the county office sets others per tenant
}

// fileType is a kind of file the platform accepts.
type fileType struct {
	mime, ext string
}

// sniff names the type of a file by its first bytes, and for the Office
// formats by their structure, never by the name a browser sent; the name
// only tells the old Word and Excel formats apart, which share a container.
func sniff(head []byte, f io.ReaderAt, size int64, name string) (fileType, bool) {
	ext := strings.ToLower(filepath.Ext(name))
	switch {
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return fileType{"image/png", ".png"}, true
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return fileType{"image/jpeg", ".jpg"}, true
	case bytes.HasPrefix(head, []byte("GIF87a")) || bytes.HasPrefix(head, []byte("GIF89a")):
		return fileType{"image/gif", ".gif"}, true
	case len(head) >= 12 && bytes.HasPrefix(head, []byte("RIFF")) && string(head[8:12]) == "WEBP":
		return fileType{"image/webp", ".webp"}, true
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return fileType{"application/pdf", ".pdf"}, true
	case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}):
		switch ext {
		case ".doc", ".wps":
			return fileType{"application/msword", ".doc"}, true
		case ".xls", ".et":
			return fileType{"application/vnd.ms-excel", ".xls"}, true
		}
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		zr, err := zip.NewReader(f, size)
		if err != nil {
			return fileType{}, false
		}
		for _, zf := range zr.File {
			switch zf.Name {
			case "word/document.xml":
				return fileType{"application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"}, true
			case "xl/workbook.xml":
				return fileType{"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"}, true
			}
		}
	}
	return fileType{}, false
}

// cleanName keeps a file name people can read and no path in it.
func cleanName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || strings.ContainsRune(`/\:*?"<>|`, r) {
			return '_'
		}
		return r
	}, strings.TrimSpace(name))
	if name == "" || name == "." || name == ".." {
		name = "附件"
	}
	if utf8.RuneCountInString(name) > 100 {
		// Keep the extension when it is one, cutting the name before it;
		// a long "extension" is part of the name.
		ext := filepath.Ext(name)
		if utf8.RuneCountInString(ext) > 10 {
			ext = ""
		}
		base := []rune(strings.TrimSuffix(name, ext))
		name = string(base[:min(len(base), 100-utf8.RuneCountInString(ext))]) + ext
	}
	return name
}

// Upload stores a file for the actor's tenant: its type checked by
// content, its size against the per-file limit and the tenant's quota.
func (d *Desk) Upload(ctx context.Context, a Actor, cfg UploadConfig, name string, r io.Reader) (*Attachment, error) {
	if err := a.need(PermUpload); err != nil {
		return nil, err
	}
	if cfg.Store == nil {
		return nil, core.Errorf(core.EUNAVAIL, "附件存储未配置")
	}
	if cfg.MaxUpload <= 0 {
		cfg.MaxUpload = DefaultMaxUpload
	}
	// The file waits in a temporary file for its type check (a zip
	// needs random access), and goes to the store only once accepted:
	// a refused file leaves nothing behind.
	tmp, err := os.CreateTemp(cfg.TempDir, ".upload-*")
	if err != nil {
		return nil, storeFailed("upload", err)
	}
	defer func() {
		tmp.Close()
		os.Remove(tmp.Name())
	}()
	h := sha256.New()
	size, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(r, cfg.MaxUpload+1))
	if err != nil {
		return nil, storeFailed("upload", err)
	}
	if size > cfg.MaxUpload {
		return nil, core.Errorf(core.EINVALID, "文件超过 %d MB 的大小限制", cfg.MaxUpload>>20)
	}
	if size == 0 {
		return nil, core.Errorf(core.EINVALID, "文件是空的")
	}
	head := make([]byte, 512)
	n, _ := tmp.ReadAt(head, 0)
	ft, ok := sniff(head[:n], tmp, size, name)
	if !ok {
		return nil, core.Errorf(core.EINVALID, "只能上传图片（JPG、PNG、GIF、WebP）、PDF、Word 或 Excel 文件；文件类型按内容检查，改扩展名无效")
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("upload: %w", err)
	}
	return d.store(ctx, a, cfg, name, ft, tmp, size, hex.EncodeToString(h.Sum(nil)), "attachment.upload", 0)
}

// store puts an accepted file into the blob store and records it, the
// tenant's quota checked in the transaction that inserts the row. The
// object is written before the row: a row never names a missing
// object, and an object whose row did not commit is removed here (or,
// after a crash, by the sweeper, which removes what no row names).
// session is the upload session the file finishes (0 for none), whose
// reserved size the quota check leaves out.
func (d *Desk) store(ctx context.Context, a Actor, cfg UploadConfig, name string, ft fileType, r io.Reader, size int64, sum, action string, session int64) (*Attachment, error) {
	var code string
	if err := d.db.GetContext(ctx, &code, `SELECT code FROM tenants WHERE id = ?`, a.TenantID); err != nil {
		return nil, fmt.Errorf("upload: %w", err)
	}
	if err := checkQuotaExcept(ctx, d.db, a.TenantID, cfg, size, session); err != nil {
		return nil, err
	}
	var tok [16]byte
	if _, err := rand.Read(tok[:]); err != nil {
		return nil, err
	}
	now := store.Now()
	at := &Attachment{TenantID: a.TenantID, Token: hex.EncodeToString(tok[:]), MIME: ft.mime, Size: size,
		SHA256: sum, CreatedBy: a.UserID, CreatedAt: now}
	at.Name = cleanName(strings.TrimSuffix(name, filepath.Ext(name)) + ft.ext)
	at.Path = code + "/" + now.Format("2006/01") + "/" + at.Token + ft.ext
	if _, err := cfg.Store.Put(ctx, at.Path, r, size, blob.PutOptions{ContentType: ft.mime, SHA256: sum}); err != nil {
		return nil, storeFailed("upload", err)
	}
	err := d.db.Tx(ctx, func(tx *sqlx.Tx) error {
		if err := checkQuotaExcept(ctx, tx, a.TenantID, cfg, size, session); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO attachments (tenant_id, token, name, path, mime, size, sha256, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, at.TenantID, at.Token, at.Name, at.Path, at.MIME, at.Size, at.SHA256, at.CreatedBy, at.CreatedAt)
		if err != nil {
			return fmt.Errorf("upload: %w", err)
		}
		if at.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Entry{Actor: a.auditName(), Action: action, TenantID: &a.TenantID,
			Target: "attachment:" + at.Token, Detail: fmt.Sprintf("%s %s %d", at.Name, at.MIME, at.Size), RemoteAddr: a.RemoteAddr})
	})
	if err != nil {
		cfg.Store.Delete(context.WithoutCancel(ctx), at.Path)
		return nil, err
	}
	return at, nil
}

// Attachment returns the tenant's attachment with token, for serving.
func (d *Desk) Attachment(ctx context.Context, tenantID int64, token string) (*Attachment, error) {
	var at Attachment
	err := d.db.GetContext(ctx, &at, `SELECT id, tenant_id, token, name, path, mime, size, sha256, created_by, created_at
		FROM attachments WHERE tenant_id = ? AND token = ?`, tenantID, token)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, core.Errorf(core.ENOTFOUND, "没有找到这个附件")
	}
	if err != nil {
		return nil, fmt.Errorf("get attachment: %w", err)
	}
	return &at, nil
}

// Attachments lists the actor's tenant's newest uploads.
func (d *Desk) Attachments(ctx context.Context, a Actor, limit int) ([]*Attachment, error) {
	if err := a.need(PermReadDesk); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	var out []*Attachment
	if err := d.db.SelectContext(ctx, &out, `SELECT id, tenant_id, token, name, path, mime, size, sha256, created_by, created_at
		FROM attachments WHERE tenant_id = ? ORDER BY id DESC LIMIT ?`, a.TenantID, limit); err != nil {
		return nil, fmt.Errorf("list attachments: %w", err)
	}
	return out, nil
}
