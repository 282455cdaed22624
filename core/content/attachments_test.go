package content_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"yiwang/core"
	"yiwang/core/blob"
	"yiwang/core/content"
	"yiwang/core/store/storetest"
)

func zipWith(t *testing.T, names ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for _, n := range names {
		f, err := w.Create(n)
		must(t, err)
		_, _ = f.Write([]byte("<x/>"))
	}
	must(t, w.Close())
	return b.Bytes()
}

func TestUploads(t *testing.T) {
	ctx := context.Background()
	k := newDesk(t, newFixture(t, storetest.SQLite(t)))
	dir := t.TempDir()
	bs, err := blob.NewLocal(dir)
	must(t, err)
	cfg := content.UploadConfig{Store: bs, TempDir: t.TempDir(), MaxUpload: 64 << 10, TenantQuota: 100 << 10}
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 100)...)
	for _, tc := range []struct {
		name, file string
		data       []byte
		mime, ext  string // "" when refused
	}{
		{"a PNG", "照片.png", png, "image/png", ".png"},
		{"a JPEG named .png is stored as what it is", "照片.png", append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, make([]byte, 50)...), "image/jpeg", ".jpg"},
		{"a PDF", "通知.pdf", []byte("%PDF-1.7\n..."), "application/pdf", ".pdf"},
		{"a Word document", "方案.docx", zipWith(t, "[Content_Types].xml", "word/document.xml"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"},
		{"an Excel workbook", "统计.xlsx", zipWith(t, "xl/workbook.xml"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"},
		{"an old Word file", "旧.doc", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 50)...), "application/msword", ".doc"},
		{"a program renamed .pdf", "通知.pdf", []byte("MZ\x90\x00 this is a program"), "", ""},
		{"a script renamed .png", "x.png", []byte("<script>alert(1)</script>"), "", ""},
		{"an SVG", "x.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`), "", ""},
		{"a zip that is no Office file", "x.docx", zipWith(t, "evil.exe"), "", ""},
		{"an empty file", "x.pdf", nil, "", ""},
		{"a file over the size limit", "大.pdf", append([]byte("%PDF-"), make([]byte, 65<<10)...), "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			at, err := k.d.Upload(ctx, k.editorA, cfg, tc.file, bytes.NewReader(tc.data))
			if tc.mime == "" {
				wantCode(t, err, core.EINVALID)
				return
			}
			must(t, err)
			if at.MIME != tc.mime || !strings.HasSuffix(at.Name, tc.ext) || !strings.HasPrefix(at.Path, "jyj/") {
				t.Errorf("stored %+v", at)
			}
			got, err := os.ReadFile(filepath.Join(dir, at.Path))
			must(t, err)
			if !bytes.Equal(got, tc.data) {
				t.Error("stored bytes differ")
			}
			back, err := k.d.Attachment(ctx, k.a.ID, at.Token)
			must(t, err)
			if back.ID != at.ID {
				t.Errorf("read back %+v", back)
			}
			if _, err := k.d.Attachment(ctx, k.b.ID, at.Token); core.ErrorCode(err) != core.ENOTFOUND {
				t.Errorf("another tenant reads the attachment: %v", err)
			}
		})
	}
	t.Run("nothing refused is left on disk", func(t *testing.T) {
		var n int
		_ = filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
			if err == nil && !fi.IsDir() {
				n++
				if strings.HasPrefix(fi.Name(), ".upload-") {
					t.Errorf("temporary file left: %s", p)
				}
			}
			return nil
		})
		if n != 6 {
			t.Errorf("%d files on disk, want 6", n)
		}
	})
	t.Run("the tenant's quota holds", func(t *testing.T) {
		big := append([]byte("%PDF-"), make([]byte, 60<<10)...)
		_, err := k.d.Upload(ctx, k.editorA, cfg, "a.pdf", bytes.NewReader(big))
		must(t, err)
		_, err = k.d.Upload(ctx, k.editorA, cfg, "b.pdf", bytes.NewReader(big))
		wantCode(t, err, core.EINVALID)
		// Another tenant has its own quota.
		_, err = k.d.Upload(ctx, k.editorB, cfg, "b.pdf", bytes.NewReader(big))
		must(t, err)
	})
	t.Run("citizens cannot upload", func(t *testing.T) {
		a := k.editorA
		a.Roles = nil
		_, err := k.d.Upload(ctx, a, cfg, "a.png", bytes.NewReader(png))
		wantCode(t, err, core.EFORBID)
	})
}

// fullDisk is a store whose disk has filled: every write fails as the
// kernel says it, ENOSPC, wrapped the way os reports it.
type fullDisk struct{ blob.Store }

func (fullDisk) Put(ctx context.Context, key string, r io.Reader, size int64, opts blob.PutOptions) (blob.Info, error) {
	return blob.Info{}, &fs.PathError{Op: "write", Path: key, Err: syscall.ENOSPC}
}

// A full file store refuses the upload as unavailable, in Chinese, and
// leaves what was stored before as it was: no row without its file.
func TestUploadOnAFullDisk(t *testing.T) {
	ctx := context.Background()
	k := newDesk(t, newFixture(t, storetest.SQLite(t)))
	bs, err := blob.NewLocal(t.TempDir())
	must(t, err)
	cfg := content.UploadConfig{Store: bs, TempDir: t.TempDir(), MaxUpload: 64 << 10, TenantQuota: 100 << 10}
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 100)...)
	before, err := k.d.Upload(ctx, k.editorA, cfg, "早先.png", bytes.NewReader(png))
	must(t, err)

	cfg.Store = fullDisk{bs}
	_, err = k.d.Upload(ctx, k.editorA, cfg, "照片.png", bytes.NewReader(png))
	wantCode(t, err, core.EUNAVAIL)
	if msg := core.ErrorMessage(err); !strings.Contains(msg, "存储空间已满") {
		t.Errorf("message %q does not say the store is full", msg)
	}
	if !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("the cause is lost for the log: %v", err)
	}
	list, err := k.d.Attachments(ctx, k.editorA, 10)
	must(t, err)
	if len(list) != 1 || list[0].Token != before.Token {
		t.Errorf("after the refused upload the tenant has %d attachments, want only the earlier one", len(list))
	}
}
