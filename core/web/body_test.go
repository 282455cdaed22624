package web_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"yiwang/core/store/storetest"
	"yiwang/core/web/webtest"
)

// The form check reads the CSRF token from the form, and the handler
// after it still reads the body exactly as the browser sent it: this is
// what the plugin host passes on to a module.
func TestHandlersReadTheBodyTheBrowserSent(t *testing.T) {
	e := webtest.NewSSOEnv(t, storetest.SQLite(t))
	var raw []byte
	var field string
	calls := 0
	e.Srv.HandleSite("POST /echo/write", func(w http.ResponseWriter, r *http.Request) {
		calls++
		raw, _ = io.ReadAll(r.Body)
		field = r.FormValue("title")
		w.Write([]byte("ok"))
	})
	e.Srv.AllowBodyUnder("echo", 4<<20)
	cit := e.Browser(t)
	cit.LoginDemo("citizen")
	tok := cit.CSRF(e.Portal + "/")

	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	_ = mw.WriteField("csrf", tok)
	_ = mw.WriteField("title", "关于小区路灯的建议")
	fw, _ := mw.CreateFormFile("file", "现场照片.jpg")
	_, _ = fw.Write(append([]byte("\xff\xd8\xff"), bytes.Repeat([]byte{7}, 2<<20)...)) // kept in a file, past the memory bound
	_ = mw.Close()

	cases := []struct {
		name, contentType string
		body              []byte
	}{
		{"urlencoded", "application/x-www-form-urlencoded", []byte(url.Values{"csrf": {tok}, "title": {"关于小区路灯的建议"}}.Encode())},
		{"multipart with an attachment", mw.FormDataContentType(), mp.Bytes()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			raw, field = nil, ""
			p := postRaw(cit, e.Portal+"/echo/write", tc.contentType, tc.body)
			code, body := p.Status, p.Body
			if code != http.StatusOK {
				t.Fatalf("answered %d\n%s", code, body)
			}
			if !bytes.Equal(raw, tc.body) {
				t.Errorf("handler read %d bytes, the browser sent %d", len(raw), len(tc.body))
			}
			if field != "关于小区路灯的建议" {
				t.Errorf("form value %q", field)
			}
		})
	}

	// Text that is not UTF-8 is the visitor's mistake, answered before any
	// handler runs.
	before := calls
	bad := []struct {
		name, contentType string
		body              []byte
		path              string
	}{
		{"form value", "application/x-www-form-urlencoded", []byte("csrf=" + url.QueryEscape(tok) + "&title=%FF%FE"), "/echo/write"},
		{"form name", "application/x-www-form-urlencoded", []byte("csrf=" + url.QueryEscape(tok) + "&%C3%28=1"), "/echo/write"},
		{"file name", "multipart/form-data; boundary=X", []byte("--X\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + tok +
			"\r\n--X\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\xff.jpg\"\r\n\r\nabc\r\n--X--\r\n"), "/echo/write"},
		{"query", "application/x-www-form-urlencoded", []byte(url.Values{"csrf": {tok}}.Encode()), "/echo/write?q=%FF"},
	}
	for _, tc := range bad {
		t.Run("not UTF-8 in "+tc.name, func(t *testing.T) {
			p := postRaw(cit, e.Portal+tc.path, tc.contentType, tc.body)
			code, body := p.Status, p.Body
			if code != http.StatusBadRequest || !strings.Contains(body, "不是有效的 UTF-8 文本") {
				t.Errorf("answered %d, want 400 with the Chinese notice\n%s", code, body)
			}
		})
	}
	if calls != before {
		t.Errorf("the handler ran %d times for text that is not UTF-8", calls-before)
	}
	if p := cit.Get(e.Portal + "/search?q=%FF%FE"); p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "不是有效的 UTF-8 文本") {
		t.Errorf("search with a query that is not UTF-8: %d", p.Status)
	}
}

// postRaw posts body as a page's form does: same origin, the token in
// the body.
func postRaw(b *webtest.Browser, u, contentType string, body []byte) webtest.Page {
	b.T.Helper()
	req, _ := http.NewRequest("POST", u, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Origin", originOf(u))
	return b.Do(req)
}

func originOf(u string) string {
	pu, _ := url.Parse(u)
	return pu.Scheme + "://" + pu.Host
}
