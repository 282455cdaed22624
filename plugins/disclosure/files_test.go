package disclosure

import (
	"archive/zip"
	"bytes"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/sdktest"
)

func zipWith(t *testing.T, names ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	for _, n := range names {
		w, _ := z.Create(n)
		_, _ = w.Write([]byte("<x/>"))
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestSniffDocument(t *testing.T) {
	ole := append([]byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"), make([]byte, 100)...)
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"a.pdf", []byte("%PDF-1.7\n"), "application/pdf"},
		{"scan.png", pngBytes, "image/png"},
		{"通知.docx", zipWith(t, "[Content_Types].xml", "word/document.xml"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
		{"预算.xlsx", zipWith(t, "[Content_Types].xml", "xl/workbook.xml"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
		{"公文.ofd", zipWith(t, "OFD.xml", "Doc_0/Document.xml"), "application/ofd"},
		{"材料.zip", zipWith(t, "a.txt"), "application/zip"},
		{"旧文.doc", ole, "application/msword"},
		{"旧表.xls", ole, "application/vnd.ms-excel"},
		{"未知.bin", ole, ""},
		{"假的.pdf", []byte("<html><script>alert(1)</script>"), ""},
		{"坏的.zip", []byte("PK\x03\x04garbage"), ""},
	} {
		if got := sniffDocument(c.name, c.data); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// An item's attachments: added while it is a draft (checked by content),
// fixed once it is published, open to everyone with the item and to no
// one before it, and never across tenants.
func TestItemAttachments(t *testing.T) {
	h := sdktest.InProcess(t, Module, catalogueOptions())
	at(t, h, "2026-03-10 10:00")
	id := draft(t, h, jyjU, editor, "2026年部门预算", nil)
	post := func(u *sdk.User, tenant *sdk.Tenant, files map[string][]byte) *sdktest.Response {
		body, ctype := multipartForm(t, nil, "files", files)
		return h.Do(sdktest.Request{Tenant: tenant, User: u, Method: http.MethodPost, Path: "/admin/disclosure/items/" + id + "/files", Body: body,
			Header: http.Header{"Content-Type": {ctype}}})
	}
	if r := post(editor, jyjU, map[string][]byte{"预算.pdf": []byte("<script>alert(1)</script>")}); r.Status != http.StatusBadRequest || !strings.Contains(r.Text(), "不是 PDF、OFD") {
		t.Fatalf("a script named .pdf: %d %s", r.Status, r.Text())
	}
	if r := post(editor, rsjU, map[string][]byte{"预算.pdf": []byte("%PDF-1.4 x")}); r.Status != http.StatusNotFound {
		t.Fatalf("another tenant's editor adds a file: %d", r.Status)
	}
	if r := post(editor, jyjU, map[string][]byte{"预算.pdf": []byte("%PDF-1.4 budget")}); r.Status != http.StatusSeeOther {
		t.Fatalf("add: %d %s", r.Status, r.Text())
	}
	form := h.Get(jyjU, editor, "/admin/disclosure/items/"+id)
	m := regexp.MustCompile(`disclosure/items/` + id + `/files/(\d+)"`).FindStringSubmatch(form.Text())
	if m == nil || !strings.Contains(form.Text(), "预算.pdf") {
		t.Fatalf("the form does not list the file: %s", form.Text())
	}
	fileURL := "/disclosure/items/" + id + "/files/" + m[1]
	if r := h.Get(jyjU, nil, fileURL); r.Status != http.StatusNotFound {
		t.Fatalf("a draft's file is public: %d", r.Status)
	}
	if r := h.Get(jyjU, editor, fileURL); r.Status != http.StatusOK || r.Text() != "%PDF-1.4 budget" || !strings.Contains(r.Header.Get("Cache-Control"), "no-store") {
		t.Fatalf("the editor reads the draft's file: %d %q %v", r.Status, r.Text(), r.Header)
	}
	// The bytes are in the host's file store, not the module's database.
	if h.Host.Files() != 1 {
		t.Errorf("the host keeps %d files, want 1", h.Host.Files())
	}
	state(t, h, jyjU, editor, id, "submit", http.StatusSeeOther)
	state(t, h, jyjU, reviewer, id, "approve", http.StatusSeeOther)
	if r := h.Get(jyjU, nil, fileURL); r.Status != http.StatusOK || r.Header.Get("Content-Type") != "application/pdf" || r.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("the published item's file: %d %v", r.Status, r.Header)
	}
	if r := h.Get(jyjU, nil, "/disclosure/items/"+id); !strings.Contains(r.Text(), fileURL[1:]) {
		t.Fatalf("the item page does not link its file: %s", r.Text())
	}
	if r := h.Get(rsjU, nil, fileURL); r.Status != http.StatusNotFound {
		t.Fatalf("the file under another tenant's site: %d", r.Status)
	}
	if r := post(editor, jyjU, map[string][]byte{"补充.pdf": []byte("%PDF-1.4 more")}); r.Status != http.StatusConflict || !strings.Contains(r.Text(), itemFilesFixed) {
		t.Fatalf("a file added after publication: %d %s", r.Status, r.Text())
	}
	if r := h.Post(jyjU, editor, "/admin/disclosure/items/"+id+"/files/"+m[1]+"/delete", url.Values{}); r.Status != http.StatusConflict {
		t.Fatalf("a published item's file deleted: %d", r.Status)
	}
	if r := h.Get(jyjU, nil, fileURL); r.Status != http.StatusOK {
		t.Fatalf("the file is gone after refused changes: %d", r.Status)
	}
}

func TestDraftAttachmentDeleted(t *testing.T) {
	h := sdktest.InProcess(t, Module, catalogueOptions())
	at(t, h, "2026-03-10 10:00")
	id := draft(t, h, jyjU, editor, "2026年部门决算", nil)
	body, ctype := multipartForm(t, nil, "files", map[string][]byte{"决算.pdf": []byte("%PDF-1.4 a")})
	h.Do(sdktest.Request{Tenant: jyjU, User: editor, Method: http.MethodPost, Path: "/admin/disclosure/items/" + id + "/files", Body: body,
		Header: http.Header{"Content-Type": {ctype}}})
	m := regexp.MustCompile(`files/(\d+)/delete`).FindStringSubmatch(h.Get(jyjU, editor, "/admin/disclosure/items/"+id).Text())
	if m == nil {
		t.Fatal("no delete button for a draft's file")
	}
	if r := h.Post(rsjU, editor, "/admin/disclosure/items/"+id+"/files/"+m[1]+"/delete", url.Values{}); r.Status != http.StatusNotFound {
		t.Fatalf("another tenant deletes: %d", r.Status)
	}
	if r := h.Post(jyjU, editor, "/admin/disclosure/items/"+id+"/files/"+m[1]+"/delete", url.Values{}); r.Status != http.StatusSeeOther {
		t.Fatalf("delete: %d %s", r.Status, r.Text())
	}
	if r := h.Get(jyjU, editor, "/admin/disclosure/items/"+id); strings.Contains(r.Text(), "决算.pdf") {
		t.Fatal("the deleted file is still listed")
	}
	if h.Host.Files() != 0 {
		t.Errorf("the deleted file is still in the host's store (%d files)", h.Host.Files())
	}
}
