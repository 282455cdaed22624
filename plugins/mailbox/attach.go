package mailbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"yiwang/plugins/sdk"
)

// Attachment limits.
const (
	maxFiles    = 3
	maxFileSize = 5 << 20
)

// allowedTypes are the attachment types accepted, as the content says
// (not the name or the browser).
var allowedTypes = map[string]string{"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "application/pdf": ".pdf"}

// Attachment is a file of a letter.
type Attachment struct {
	ID          int64     `db:"id"`
	TenantID    int64     `db:"tenant_id"`
	LetterID    int64     `db:"letter_id"`
	Name        string    `db:"name"`
	ContentType string    `db:"content_type"`
	Size        int64     `db:"size"`
	Data        []byte    `db:"data"`
	BlobKey     string    `db:"blob_key"` // the host's file store's key; "" when data holds the bytes
	CreatedAt   time.Time `db:"created_at"`
}

// SizeLabel is the size as people read it.
func (a *Attachment) SizeLabel() string {
	if a.Size < 1<<20 {
		return fmt.Sprintf("%.0f KB", float64(a.Size)/1024+0.5)
	}
	return fmt.Sprintf("%.1f MB", float64(a.Size)/(1<<20))
}

// parseLetterForm reads the letter form, multipart (with files) or not.
func parseLetterForm(r *http.Request) error {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return r.ParseMultipartForm(maxFiles*maxFileSize + 1<<20)
	}
	return r.ParseForm()
}

// readAttachments checks the uploaded files: at most maxFiles, each at
// most maxFileSize, each an image or a PDF by its content.
func readAttachments(r *http.Request) ([]*Attachment, []string) {
	if r.MultipartForm == nil {
		return nil, nil
	}
	var out []*Attachment
	var problems []string
	files := r.MultipartForm.File["files"]
	n := 0
	for _, fh := range files {
		if fh.Size == 0 && fh.Filename == "" {
			continue
		}
		n++
		if n > maxFiles {
			problems = append(problems, fmt.Sprintf("最多上传 %d 个附件。", maxFiles))
			break
		}
		name := clean(path.Base(strings.ReplaceAll(fh.Filename, "\\", "/")), 100)
		if fh.Size > maxFileSize {
			problems = append(problems, fmt.Sprintf("附件“%s”超过 %d MB。", name, maxFileSize>>20))
			continue
		}
		data, err := readFile(fh)
		if err != nil {
			problems = append(problems, fmt.Sprintf("附件“%s”无法读取。", name))
			continue
		}
		ct := http.DetectContentType(data)
		if i := strings.Index(ct, ";"); i >= 0 {
			ct = ct[:i]
		}
		if _, ok := allowedTypes[ct]; !ok {
			problems = append(problems, fmt.Sprintf("附件“%s”不是图片（PNG、JPEG、GIF）或 PDF 文件。", name))
			continue
		}
		out = append(out, &Attachment{Name: name, ContentType: ct, Size: int64(len(data)), Data: data})
	}
	return out, problems
}

func readFile(fh *multipart.FileHeader) ([]byte, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxFileSize {
		return nil, errors.New("too big")
	}
	return data, nil
}

func insertAttachment(ctx context.Context, s *sdk.Scope, a *Attachment) error {
	row := *a
	if row.BlobKey != "" {
		row.Data = []byte{} // the bytes are in the host's store
	}
	_, err := s.Insert(ctx, `INSERT INTO mailbox_attachments (tenant_id, letter_id, name, content_type, size, data, blob_key, created_at)
		VALUES (:tenant_id, :letter_id, :name, :content_type, :size, :data, :blob_key, :created_at)`, &row)
	a.ID = row.ID
	return err
}

// putFiles hands the letter's files to the host's file store, where
// every file of the platform is (shared by the replicas, in the
// tenant's quota). A host without the store, or one that cannot take a
// file now, leaves the file in the module's database: a citizen's
// letter is never refused for the platform's storage.
func (h *Handler) putFiles(ctx context.Context, tenantID int64, files []*Attachment) {
	for _, a := range files {
		key, err := h.env.Host.PutFile(ctx, sdk.File{TenantID: tenantID, Name: a.Name, ContentType: a.ContentType, Data: a.Data})
		if errors.Is(err, sdk.ErrUnsupported) {
			return
		}
		if err != nil {
			h.env.Log.Warn("mailbox: file kept in the module database", "err", err)
			continue
		}
		a.BlobKey = key
	}
}

// dropFiles removes the store's copies of files whose letter was not saved.
func (h *Handler) dropFiles(ctx context.Context, tenantID int64, files []*Attachment) {
	for _, a := range files {
		if a.BlobKey != "" {
			if err := h.env.Host.DeleteFile(context.WithoutCancel(ctx), tenantID, a.BlobKey); err != nil {
				h.env.Log.Warn("mailbox: remove file", "err", err)
			}
			a.BlobKey = ""
		}
	}
}

// attachmentsOf lists a letter's files without their content.
func attachmentsOf(ctx context.Context, s *sdk.Scope, letterID int64) ([]*Attachment, error) {
	var out []*Attachment
	err := s.Select(ctx, &out, `SELECT id, tenant_id, letter_id, name, content_type, size, created_at FROM mailbox_attachments
		WHERE tenant_id = :tenant_id AND letter_id = :id ORDER BY id`, sdk.Args{"id": letterID})
	return out, err
}

// sendAttachment answers with file id of letter l, as a download.
func (h *Handler) sendAttachment(w http.ResponseWriter, r *http.Request, s *sdk.Scope, l *Letter) {
	id, _ := strconv.ParseInt(r.PathValue("file"), 10, 64)
	var a Attachment
	err := s.Get(r.Context(), &a, `SELECT id, tenant_id, letter_id, name, content_type, size, data, blob_key, created_at FROM mailbox_attachments
		WHERE tenant_id = :tenant_id AND letter_id = :letter AND id = :id`, sdk.Args{"letter": l.ID, "id": id})
	if err != nil {
		sdk.Fail(w, sdk.Found(err, "附件不存在。"))
		return
	}
	if a.BlobKey != "" {
		f, err := h.env.Host.ReadFile(r.Context(), l.TenantID, a.BlobKey)
		if err != nil {
			sdk.Fail(w, err)
			return
		}
		a.Data = f.Data
	}
	w.Header().Set("Content-Type", a.ContentType)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=\"file-%d%s\"; filename*=UTF-8''%s", a.ID, allowedTypes[a.ContentType], pathEscape(a.Name)))
	_, _ = w.Write(a.Data)
}

func pathEscape(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func (h *Handler) myFile(w http.ResponseWriter, r *http.Request) {
	l, err := h.ownLetter(r)
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	h.sendAttachment(w, r, h.db(r), l)
}

func (h *Handler) staffFile(w http.ResponseWriter, r *http.Request) {
	l, _, err := h.findStaff(r)
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	h.sendAttachment(w, r, h.env.DB.Tenant(l.TenantID), l)
}
