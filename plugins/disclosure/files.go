package disclosure

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"yiwang/plugins/sdk"
)

// fileRule says which files a form takes: how many, how large, and
// which types, recognised by their content (never by the name or the
// type a browser sent).
type fileRule struct {
	max      int
	maxBytes int64
	sniff    func(name string, b []byte) string
	kinds    string // the accepted types, as the refusal names them
}

// identityFiles are identity documents and corrections of a request.
var identityFiles = fileRule{max: maxFiles, maxBytes: maxFileBytes, sniff: sniffIdentity, kinds: "JPEG、PNG 图片或 PDF 文件"}

// documentFiles are the attachments of a catalogue item: the document
// itself in the formats governments publish in.
var documentFiles = fileRule{max: 10, maxBytes: 10 << 20, sniff: sniffDocument, kinds: "PDF、OFD、Word、Excel、WPS 文档，JPEG、PNG 图片或 ZIP 压缩包"}

type upload struct {
	name, mime, purpose string
	data                []byte
	key                 string // the host's file store's key, once put there
}

// putFiles hands files to the host's file store, where every file of
// the platform is (shared by the replicas, in the tenant's quota). A
// host without the store, or one that cannot take a file now, leaves the
// bytes for the module's database: an application is never refused for
// the platform's storage.
func (h *Handler) putFiles(ctx context.Context, tenantID int64, files []upload) {
	for i := range files {
		key, err := h.env.Host.PutFile(ctx, sdk.File{TenantID: tenantID, Name: files[i].name, ContentType: files[i].mime, Data: files[i].data})
		if errors.Is(err, sdk.ErrUnsupported) {
			return
		}
		if err != nil {
			h.env.Log.Warn("disclosure: file kept in the module database", "err", err)
			continue
		}
		files[i].key = key
	}
}

// dropFiles removes the store's copies of files whose rows were not saved.
func (h *Handler) dropFiles(ctx context.Context, tenantID int64, files []upload) {
	for i := range files {
		if files[i].key != "" {
			if err := h.env.Host.DeleteFile(context.WithoutCancel(ctx), tenantID, files[i].key); err != nil {
				h.env.Log.Warn("disclosure: remove file", "err", err)
			}
			files[i].key = ""
		}
	}
}

// withFiles puts files in the store, runs fn (the transaction that
// records them), and takes them out again when fn fails.
func (h *Handler) withFiles(ctx context.Context, tenantID int64, files []upload, fn func() error) error {
	h.putFiles(ctx, tenantID, files)
	err := fn()
	if err != nil {
		h.dropFiles(ctx, tenantID, files)
	}
	return err
}

// readFiles reads the uploaded files of field under rule.
func readFiles(r *http.Request, field, purpose string, rule fileRule) ([]upload, []string) {
	if r.MultipartForm == nil {
		return nil, nil
	}
	var out []upload
	var problems []string
	hs := r.MultipartForm.File[field]
	if len(hs) > rule.max {
		return nil, []string{fmt.Sprintf("最多上传 %d 个文件。", rule.max)}
	}
	for _, fh := range hs {
		if fh.Size == 0 {
			continue
		}
		if fh.Size > rule.maxBytes {
			problems = append(problems, fmt.Sprintf("文件“%s”超过 %d MB。", fh.Filename, rule.maxBytes>>20))
			continue
		}
		b, err := readPart(fh)
		mime := ""
		if err == nil {
			mime = rule.sniff(fh.Filename, b)
		}
		if mime == "" {
			problems = append(problems, fmt.Sprintf("文件“%s”不是 %s。", fh.Filename, rule.kinds))
			continue
		}
		out = append(out, upload{name: cleanFileName(fh.Filename), mime: mime, purpose: purpose, data: b})
	}
	return out, problems
}

func readPart(fh *multipart.FileHeader) ([]byte, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, fh.Size))
}

// cleanFileName keeps a name people recognise but no path or control
// characters, at most 100 characters.
func cleanFileName(name string) string {
	if utf8.RuneCountInString(name) > 100 {
		name = string([]rune(name)[:100])
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || strings.ContainsRune(`/\:*?"<>|`, r) {
			return '_'
		}
		return r
	}, name)
}

func sniffIdentity(_ string, b []byte) string {
	switch {
	case len(b) >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF:
		return "image/jpeg"
	case len(b) >= 8 && string(b[:8]) == "\x89PNG\r\n\x1a\n":
		return "image/png"
	case len(b) >= 5 && string(b[:5]) == "%PDF-":
		return "application/pdf"
	}
	return ""
}

// sniffDocument recognises a published document. Zip containers are
// opened to tell OOXML and OFD from a plain archive; the old binary
// Office formats (one container for Word, Excel and WPS) take their
// name's extension, the only thing that tells them apart.
func sniffDocument(name string, b []byte) string {
	if m := sniffIdentity(name, b); m != "" {
		return m
	}
	ext := strings.ToLower(path.Ext(name))
	switch {
	case len(b) >= 8 && string(b[:8]) == "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1":
		switch ext {
		case ".doc", ".wps":
			return "application/msword"
		case ".xls", ".et":
			return "application/vnd.ms-excel"
		}
		return ""
	case len(b) >= 4 && string(b[:4]) == "PK\x03\x04":
		z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return ""
		}
		kind := "application/zip"
		for _, f := range z.File {
			switch {
			case f.Name == "OFD.xml":
				return "application/ofd"
			case strings.HasPrefix(f.Name, "word/"):
				kind = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
			case strings.HasPrefix(f.Name, "xl/"):
				kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
			}
		}
		return kind
	}
	return ""
}

// StoredFile is a file as a page lists it.
type StoredFile struct {
	ID      int64  `db:"id"`
	Name    string `db:"name"`
	Mime    string `db:"mime"`
	Size    int64  `db:"size"`
	Purpose string `db:"purpose"`
}

// SizeLabel is the size as people read it.
func (f StoredFile) SizeLabel() string {
	if f.Size < 1<<20 {
		return fmt.Sprintf("%.0f KB", float64(f.Size)/1024+0.5)
	}
	return fmt.Sprintf("%.1f MB", float64(f.Size)/(1<<20))
}

func storeFiles(ctx context.Context, s *sdk.Scope, owner string, ownerID int64, files []upload, at time.Time) error {
	for _, f := range files {
		sum := sha256.Sum256(f.data)
		data := f.data
		if f.key != "" {
			data = []byte{} // the bytes are in the host's store
		}
		if _, err := s.Exec(ctx, `INSERT INTO disclosure_files (tenant_id, owner, owner_id, purpose, name, mime, size, sha256, data, blob_key, created_at)
			VALUES (:tenant_id, :owner, :id, :purpose, :name, :mime, :size, :sha, :data, :key, :at)`,
			sdk.Args{"owner": owner, "id": ownerID, "purpose": f.purpose, "name": f.name, "mime": f.mime, "size": len(f.data),
				"sha": hex.EncodeToString(sum[:]), "data": data, "key": f.key, "at": at.UTC()}); err != nil {
			return fmt.Errorf("store file %s: %w", f.name, err)
		}
	}
	return nil
}

func listFiles(ctx context.Context, s *sdk.Scope, owner string, ownerID int64) ([]StoredFile, error) {
	var fs []StoredFile
	if err := s.Select(ctx, &fs, `SELECT id, name, mime, size, purpose FROM disclosure_files
		WHERE tenant_id = :tenant_id AND owner = :owner AND owner_id = :id ORDER BY id`, sdk.Args{"owner": owner, "id": ownerID}); err != nil {
		return nil, fmt.Errorf("files of %s %d: %w", owner, ownerID, err)
	}
	return fs, nil
}

// sendFile answers a stored file of an owner. A public one (a published
// item's attachment) may be cached; everything else is personal data or
// unpublished, and no one keeps a copy.
func (h *Handler) sendFile(w http.ResponseWriter, r *http.Request, owner string, ownerID int64, public bool) {
	id, err := strconv.ParseInt(r.PathValue("fid"), 10, 64)
	var f struct {
		TenantID int64  `db:"tenant_id"`
		Name     string `db:"name"`
		Mime     string `db:"mime"`
		Data     []byte `db:"data"`
		Key      string `db:"blob_key"`
	}
	if err == nil {
		err = h.db(r).Get(r.Context(), &f, `SELECT tenant_id, name, mime, data, blob_key FROM disclosure_files WHERE tenant_id = :tenant_id AND owner = :owner AND owner_id = :oid AND id = :id`,
			sdk.Args{"owner": owner, "oid": ownerID, "id": id})
	}
	if err != nil {
		sdk.Fail(w, sdk.Errorf(sdk.ENOTFOUND, "文件不存在。"))
		return
	}
	if f.Key != "" {
		stored, err := h.env.Host.ReadFile(r.Context(), f.TenantID, f.Key)
		if err != nil {
			sdk.Fail(w, err)
			return
		}
		f.Data = stored.Data
	}
	w.Header().Set("Content-Type", f.Mime)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if public {
		w.Header().Set("Cache-Control", "public, max-age=3600")
	} else {
		w.Header().Set("Cache-Control", "private, no-store")
	}
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+urlEscape(f.Name))
	_, _ = w.Write(f.Data)
}

func urlEscape(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// ---- a catalogue item's attachments

// itemFilesFixed is why a published item's files cannot change: they are
// part of the record its index number names.
const itemFilesFixed = "已发布信息的附件不能更改；如需更正，请撤回本信息并发布替代信息。"

func (h *Handler) addItemFiles(w http.ResponseWriter, r *http.Request) {
	it := h.staffItem(w, r)
	if it == nil {
		return
	}
	if err := r.ParseMultipartForm(int64(documentFiles.max)*documentFiles.maxBytes + 1<<20); err != nil {
		h.showItemForm(w, r, it, http.StatusBadRequest, []string{"请选择要上传的附件。"})
		return
	}
	if it.Status == ItemPublished || it.Status == ItemWithdrawn {
		h.showItemForm(w, r, it, http.StatusConflict, []string{itemFilesFixed})
		return
	}
	files, problems := readFiles(r, "files", "document", documentFiles)
	var have int
	if err := h.db(r).Get(r.Context(), &have, `SELECT COUNT(*) FROM disclosure_files WHERE tenant_id = :tenant_id AND owner = 'item' AND owner_id = :id`,
		sdk.Args{"id": it.ID}); err != nil {
		sdk.Fail(w, err)
		return
	}
	if have+len(files) > documentFiles.max {
		problems = append(problems, fmt.Sprintf("每条信息最多 %d 个附件，已有 %d 个。", documentFiles.max, have))
	}
	if len(files) == 0 && len(problems) == 0 {
		problems = append(problems, "请选择要上传的附件。")
	}
	if len(problems) > 0 {
		h.showItemForm(w, r, it, http.StatusBadRequest, problems)
		return
	}
	if err := h.withFiles(r.Context(), it.TenantID, files, func() error {
		return h.env.DB.Tx(r.Context(), it.TenantID, func(s *sdk.Scope) error {
			return storeFiles(r.Context(), s, "item", it.ID, files, h.now())
		})
	}); err != nil {
		sdk.Fail(w, err)
		return
	}
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = f.name
	}
	h.audit(r, "item.files.add", strconv.FormatInt(it.ID, 10), strings.Join(names, "、"))
	http.Redirect(w, r, sdk.URL(r, "admin/disclosure/items/"+strconv.FormatInt(it.ID, 10)), http.StatusSeeOther)
}

func (h *Handler) deleteItemFile(w http.ResponseWriter, r *http.Request) {
	it := h.staffItem(w, r)
	if it == nil {
		return
	}
	if it.Status == ItemPublished || it.Status == ItemWithdrawn {
		h.showItemForm(w, r, it, http.StatusConflict, []string{itemFilesFixed})
		return
	}
	fid, _ := strconv.ParseInt(r.PathValue("fid"), 10, 64)
	var file struct {
		Name string `db:"name"`
		Key  string `db:"blob_key"`
	}
	if err := h.db(r).Get(r.Context(), &file, `SELECT name, blob_key FROM disclosure_files WHERE tenant_id = :tenant_id AND owner = 'item' AND owner_id = :id AND id = :fid`,
		sdk.Args{"id": it.ID, "fid": fid}); err != nil {
		sdk.Fail(w, sdk.Found(err, "附件不存在。"))
		return
	}
	name := file.Name
	if _, err := h.db(r).Exec(r.Context(), `DELETE FROM disclosure_files WHERE tenant_id = :tenant_id AND owner = 'item' AND owner_id = :id AND id = :fid`,
		sdk.Args{"id": it.ID, "fid": fid}); err != nil {
		sdk.Fail(w, err)
		return
	}
	if file.Key != "" {
		if err := h.env.Host.DeleteFile(r.Context(), it.TenantID, file.Key); err != nil {
			h.env.Log.Warn("disclosure: remove file", "err", err)
		}
	}
	h.audit(r, "item.files.delete", strconv.FormatInt(it.ID, 10), name)
	http.Redirect(w, r, sdk.URL(r, "admin/disclosure/items/"+strconv.FormatInt(it.ID, 10)), http.StatusSeeOther)
}

// itemFile answers an attachment to anyone while the item is public, and
// to the tenant's editors before.
func (h *Handler) itemFile(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	var it *Item
	if err == nil {
		it, err = itemByID(r.Context(), h.db(r), id)
	}
	if err != nil {
		sdk.Fail(w, sdk.Errorf(sdk.ENOTFOUND, "文件不存在。"))
		return
	}
	public := it.public()
	if !public && !sdk.Can(r, PermEdit) && !sdk.Can(r, PermReview) {
		sdk.Fail(w, sdk.Errorf(sdk.ENOTFOUND, "文件不存在。"))
		return
	}
	h.sendFile(w, r, "item", it.ID, public)
}
