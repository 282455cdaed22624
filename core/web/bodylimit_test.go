package web_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"yiwang/core/store/storetest"
	"yiwang/core/web/webtest"
)

// TestModuleFormsMayCarryPictures: a citizen's form with 12 MB of
// pictures reaches a module route the plugin host allowed that much (its
// token in a form field, read past the 10 MB any other form may carry); on
// any other route the same form is refused, saying why.
func TestModuleFormsMayCarryPictures(t *testing.T) {
	e := webtest.NewSSOEnv(t, storetest.SQLite(t))
	got := 0
	handler := func(w http.ResponseWriter, r *http.Request) {
		f, hdr, err := r.FormFile("file")
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f.Close()
		got = int(hdr.Size)
		fmt.Fprint(w, "ok")
	}
	e.Srv.HandleSite("POST /pictures/write", handler)
	e.Srv.HandleSite("POST /plain/write", handler)
	e.Srv.AllowBodyUnder("pictures", 16<<20)

	cit := e.Browser(t)
	cit.LoginDemo("citizen")
	tok := cit.CSRF(e.Portal + "/")
	post := func(path string) (int, string) {
		t.Helper()
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		_ = mw.WriteField("csrf", tok)
		fw, _ := mw.CreateFormFile("file", "现场照片.jpg")
		_, _ = fw.Write(append([]byte("\xff\xd8\xff"), bytes.Repeat([]byte{0}, 12<<20)...))
		_ = mw.Close()
		req, _ := http.NewRequest("POST", e.Portal+path, &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Origin", e.Portal)
		resp, err := cit.C.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := post("/pictures/write"); code != http.StatusOK || got != 12<<20+3 {
		t.Errorf("12 MB to a module route: %d, file %d bytes", code, got)
	}
	if code, body := post("/plain/write"); code != http.StatusBadRequest || !strings.Contains(body, "提交的内容超过 10 MB") {
		t.Errorf("12 MB to an ordinary route: %d, want 400 saying the limit\n%s", code, body)
	}
	if code, _ := post("/site/jyj/pictures/write"); code == http.StatusBadRequest || code == http.StatusForbidden {
		t.Error("the allowance does not follow the /site/<code>/ form of the path")
	}
}
