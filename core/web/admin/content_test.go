package admin_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"yiwang/core/content"
	"yiwang/core/store"
	"yiwang/core/store/storetest"
	"yiwang/core/web/webtest"
	"yiwang/tenants"
)

var articleURLRe = regexp.MustCompile(`/admin/articles/([0-9]+)`)

// columnID is the id of a tenant's column.
func columnID(t *testing.T, e *webtest.SSOEnv, code, slug string) string {
	t.Helper()
	tn, err := e.TS.ByCode(context.Background(), code)
	webtest.Must(t, err)
	c, err := content.NewStore(e.DB).Column(context.Background(), tn.ID, slug)
	webtest.Must(t, err)
	return strconv.FormatInt(c.ID, 10)
}

// TestEditorialOverHTTP is the whole path an article takes, through the
// console with the pages' CSRF tokens: written and submitted by the
// editor, approved by the reviewer (never by the editor, never with a
// publish time from the form), published, submitted to the portal and
// adopted there with its provenance, and withdrawn in each of the three
// kinds.
func TestEditorialOverHTTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e, _ := webtest.EditorialEnv(t, db)
		editor, reviewer := e.Browser(t), e.Browser(t)
		editor.LoginDemo("editor")
		reviewer.LoginDemo("reviewer")
		gzdt := columnID(t, e, "jyj", "gzdt")
		newURL := e.JYJ + "/admin/articles/new"

		// write writes and submits an article as the editor and returns its id.
		write := func(t *testing.T, title string) string {
			t.Helper()
			tok := editor.CSRF(newURL)
			p := editor.Post(newURL, url.Values{"csrf": {tok}, "title": {title}, "column": {gzdt}, "source": {"县教育局"},
				"body": {"<p>" + title + "的正文。</p>"}, "published_at": {"2001-01-01 08:00"}, "op": {"submit"}})
			m := articleURLRe.FindStringSubmatch(p.URL)
			if p.Status != 200 || m == nil || !strings.Contains(p.Body, "已提交审核") {
				t.Fatalf("write %q: %d %s", title, p.Status, p.URL)
			}
			return m[1]
		}

		t.Run("a form without the CSRF token changes nothing", func(t *testing.T) {
			h := editor.Once("POST", newURL, url.Values{"title": {"伪造"}, "column": {gzdt}, "body": {"x"}})
			if h.Status != http.StatusForbidden {
				t.Errorf("POST without token: %d", h.Status)
			}
			if p := editor.Get(e.JYJ + "/admin/articles/?q=伪造"); strings.Contains(p.Body, "伪造</a>") {
				t.Error("the forged article exists")
			}
		})

		t.Run("autosave, checks and uploads answer the editor's script", func(t *testing.T) {
			tok := editor.CSRF(newURL)
			// post sends a multipart form as editor.js does, the token in a header.
			post := func(u string, fields map[string]string, file []byte) map[string]any {
				t.Helper()
				var buf bytes.Buffer
				mw := multipart.NewWriter(&buf)
				for k, v := range fields {
					_ = mw.WriteField(k, v)
				}
				if file != nil {
					fw, _ := mw.CreateFormFile("file", "照片.png")
					_, _ = fw.Write(file)
				}
				_ = mw.Close()
				req, _ := http.NewRequest("POST", u, &buf)
				req.Header.Set("Content-Type", mw.FormDataContentType())
				req.Header.Set("X-CSRF-Token", tok)
				req.Header.Set("Origin", e.JYJ)
				req.Header.Set("Sec-Fetch-Site", "same-origin")
				resp, err := editor.C.Do(req)
				webtest.Must(t, err)
				defer resp.Body.Close()
				var out map[string]any
				if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
					t.Fatalf("POST %s: %d, not JSON: %v", u, resp.StatusCode, err)
				}
				return out
			}
			r := post(newURL, map[string]string{"op": "autosave", "title": "自动保存的草稿", "column": gzdt, "body": "<p>第一稿</p>"}, nil)
			if r["ok"] != true || r["autosave"] == nil {
				t.Fatalf("first autosave: %v", r)
			}
			r = post(e.JYJ+r["autosave"].(string), map[string]string{"title": "自动保存的草稿", "column": gzdt, "body": "<p>第二稿</p>"}, nil)
			if r["ok"] != true || r["version"] != float64(2) {
				t.Errorf("second autosave: %v", r)
			}
			_, err := content.NewDesk(content.NewStore(db)).AddRule(context.Background(),
				content.Actor{TenantID: 1, UserID: 1, Roles: []tenants.Role{tenants.PlatformAdmin}}, content.Rule{Kind: content.CheckForbidden, Pattern: "禁用词语"})
			webtest.Must(t, err)
			r = post(e.JYJ+"/admin/articles/check", map[string]string{"title": "标题", "column": gzdt, "body": "<p>这里有禁用词语。</p>"}, nil)
			hits, _ := r["hits"].([]any)
			if r["blocked"] != true || len(hits) != 1 || hits[0].(map[string]any)["offset"] != float64(3) {
				t.Errorf("check: %v", r)
			}
			png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...)
			r = post(e.JYJ+"/admin/uploads", nil, png)
			if r["ok"] != true || r["image"] != true {
				t.Fatalf("upload: %v", r)
			}
			if got := e.Browser(t).Get(e.JYJ + r["url"].(string)); got.Status != 200 || got.Body != string(png) {
				t.Errorf("uploaded file served: %d", got.Status)
			}
			if r = post(e.JYJ+"/admin/uploads", nil, []byte("MZ program")); r["ok"] != false {
				t.Errorf("a program was accepted: %v", r)
			}
			// Past the 10 MB any form may carry: a 12 MB scanned document.
			pdf := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("0"), 12<<20)...)
			if r = post(e.JYJ+"/admin/uploads", nil, pdf); r["ok"] != true {
				t.Errorf("a 12 MB PDF: %v", r)
			}
			// Past the upload limit (50 MB): a clear refusal, not a broken page.
			huge := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("0"), 52<<20)...)
			if r = post(e.JYJ+"/admin/uploads", nil, huge); r["ok"] != false || !strings.Contains(fmt.Sprint(r["error"]), "50 MB") {
				t.Errorf("a 52 MB PDF: %v", r)
			}
		})

		id := write(t, "县教育局召开秋季开学工作会")
		artURL := e.JYJ + "/admin/articles/" + id
		publicURL := e.JYJ + "/art/" + id

		t.Run("a submitted article is not public", func(t *testing.T) {
			if p := e.Browser(t).Get(publicURL); p.Status != http.StatusNotFound {
				t.Errorf("public page of a submitted article: %d", p.Status)
			}
		})

		t.Run("the editor cannot approve", func(t *testing.T) {
			h := editor.Once("POST", artURL+"/approve", url.Values{"csrf": {editor.CSRF(artURL)}, "when": {"now"}})
			if h.Status != http.StatusForbidden {
				t.Errorf("editor approving: %d", h.Status)
			}
		})

		t.Run("a back-dated publish time is refused whatever the form says", func(t *testing.T) {
			tok := reviewer.CSRF(artURL)
			for _, at := range []string{"2001-01-01T08:00", time.Now().In(content.Location).Add(-time.Hour).Format("2006-01-02T15:04")} {
				p := reviewer.Post(artURL+"/approve", url.Values{"csrf": {tok}, "when": {"later"}, "at": {at}})
				if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "不能倒填") {
					t.Errorf("schedule at %s: %d", at, p.Status)
				}
			}
			if p := reviewer.Get(artURL); !strings.Contains(p.Body, "待审核") {
				t.Error("the article left review")
			}
		})

		before := store.Now()
		tok := reviewer.CSRF(artURL)
		p := reviewer.Post(artURL+"/approve", url.Values{"csrf": {tok}, "when": {"now"}, "published_at": {"2001-01-01T08:00"}, "at": {"2001-01-01T08:00"}})
		if p.Status != 200 || !strings.Contains(p.Body, "审核通过，已发布") {
			t.Fatalf("approve: %d %s", p.Status, p.URL)
		}
		p = e.Browser(t).Get(publicURL)
		if p.Status != 200 || !strings.Contains(p.Body, "县教育局召开秋季开学工作会") {
			t.Fatalf("public page: %d", p.Status)
		}
		var pub time.Time
		webtest.Must(t, db.GetContext(context.Background(), &pub, `SELECT published_at FROM articles WHERE id = ?`, id))
		if pub.Before(before.Add(-time.Second)) || pub.After(store.Now()) {
			t.Errorf("published_at %v, want the time of approval (after %v)", pub, before)
		}

		t.Run("submitted to the portal, adopted there with its provenance", func(t *testing.T) {
			bmdt := columnID(t, e, "portal", "gzdt")
			p := editor.Post(artURL+"/upward", url.Values{"csrf": {editor.CSRF(artURL)}, "column": {bmdt}})
			if p.Status != 200 || !strings.Contains(p.Body, "已报送") {
				t.Fatalf("submit upward: %d", p.Status)
			}
			admin := e.Browser(t)
			admin.LoginDemo("admin")
			q := admin.Get(e.Portal + "/admin/submissions/")
			m := regexp.MustCompile(`/admin/submissions/([0-9]+)"`).FindStringSubmatch(q.Body)
			if q.Status != 200 || m == nil {
				t.Fatalf("portal queue: %d", q.Status)
			}
			subURL := e.Portal + "/admin/submissions/" + m[1]
			p = admin.Post(subURL+"/adopt", url.Values{"csrf": {admin.CSRF(subURL)}})
			if p.Status != 200 {
				t.Fatalf("adopt: %d", p.Status)
			}
			col := e.Browser(t).Get(e.Portal + "/col/gzdt/")
			am := regexp.MustCompile(`href="/art/([0-9]+)"[^>]*>县教育局召开秋季开学工作会`).FindStringSubmatch(col.Body)
			if am == nil {
				t.Fatalf("the copy is not in the portal column")
			}
			copyPage := e.Browser(t).Get(e.Portal + "/art/" + am[1])
			if !strings.Contains(copyPage.Body, "来源：") || !strings.Contains(copyPage.Body, `href="//jyj.localhost/art/`+id+`"`) &&
				!strings.Contains(copyPage.Body, "/art/"+id+`">查看原文`) {
				t.Errorf("provenance missing on the portal copy")
			}
			stats := admin.Get(e.Portal + "/admin/submissions/stats")
			if !strings.Contains(stats.Body, "<svg") || !regexp.MustCompile(`思南县教育局</th><td>1</td><td>1</td>`).MatchString(stats.Body) {
				t.Errorf("statistics do not count the adoption")
			}
		})

		t.Run("withdrawn with a notice stays readable with the reason", func(t *testing.T) {
			p := reviewer.Post(artURL+"/withdraw", url.Values{"csrf": {reviewer.CSRF(artURL)}, "kind": {content.WithdrawNotice}, "reason": {"会议时间有误，另行发布"}})
			if p.Status != 200 || !strings.Contains(p.Body, "已撤稿") {
				t.Fatalf("withdraw: %d", p.Status)
			}
			pub := e.Browser(t).Get(publicURL)
			if pub.Status != 200 || !strings.Contains(pub.Body, "撤稿说明：会议时间有误，另行发布") {
				t.Errorf("withdrawn page: %d", pub.Status)
			}
		})

		t.Run("published in error is gone", func(t *testing.T) {
			id2 := write(t, "误发的通知")
			u := e.JYJ + "/admin/articles/" + id2
			reviewer.Post(u+"/approve", url.Values{"csrf": {reviewer.CSRF(u)}, "when": {"now"}})
			reviewer.Post(u+"/withdraw", url.Values{"csrf": {reviewer.CSRF(u)}, "kind": {content.WithdrawError}, "reason": {"误发"}})
			if p := e.Browser(t).Get(e.JYJ + "/art/" + id2); p.Status != http.StatusGone {
				t.Errorf("gone page: %d", p.Status)
			}
		})

		t.Run("replaced redirects to the new article", func(t *testing.T) {
			oldID, newID := write(t, "旧版办事指南"), write(t, "新版办事指南")
			for _, x := range []string{oldID, newID} {
				u := e.JYJ + "/admin/articles/" + x
				reviewer.Post(u+"/approve", url.Values{"csrf": {reviewer.CSRF(u)}, "when": {"now"}})
			}
			u := e.JYJ + "/admin/articles/" + oldID
			reviewer.Post(u+"/withdraw", url.Values{"csrf": {reviewer.CSRF(u)}, "kind": {content.WithdrawReplaced}, "reason": {"已更新"}, "replaced_by": {newID}})
			// A client without a browser's navigation headers, so that the
			// sign-on probe does not answer first.
			c := &http.Client{Transport: e.Transport(), CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := c.Get(e.JYJ + "/art/" + oldID)
			webtest.Must(t, err)
			resp.Body.Close()
			if resp.StatusCode != http.StatusMovedPermanently || !strings.HasSuffix(resp.Header.Get("Location"), "/art/"+newID) {
				t.Errorf("replaced page: %d → %s", resp.StatusCode, resp.Header.Get("Location"))
			}
		})

		t.Run("the history keeps every change", func(t *testing.T) {
			p := reviewer.Get(artURL)
			for _, s := range []string{"新建", "提交审核", "审核通过并发布", "信息报送", "撤稿"} {
				if !strings.Contains(p.Body, "<td>"+s+"</td>") {
					t.Errorf("history lacks %s", s)
				}
			}
		})
	})
}

// TestEditorialConsoleIsTenantScoped: the editor of jyj is refused every
// editorial route of another tenant.
func TestEditorialConsoleIsTenantScoped(t *testing.T) {
	e, d := webtest.EditorialEnv(t, storetest.SQLite(t))
	b := e.Browser(t)
	b.LoginDemo("editor")
	// An article of rsj, written directly.
	rsj, err := e.TS.ByCode(context.Background(), "rsj")
	webtest.Must(t, err)
	col, err := content.NewStore(e.DB).Column(context.Background(), rsj.ID, "gzdt")
	webtest.Must(t, err)
	m, err := d.Create(context.Background(), content.Actor{TenantID: rsj.ID, UserID: 999, Name: "人社编辑", Roles: []tenants.Role{tenants.Editor}},
		content.Input{ColumnID: col.ID, Title: "人社局草稿", Body: "<p>x</p>"})
	webtest.Must(t, err)
	token := b.CSRF(e.Portal + "/site/rsj/")
	id := strconv.FormatInt(m.ID, 10)
	for _, r := range []struct{ method, path string }{
		{"GET", "admin/articles/"}, {"GET", "admin/articles/new"}, {"GET", "admin/articles/" + id}, {"GET", "admin/articles/" + id + "/edit"},
		{"GET", "admin/articles/" + id + "/versions"}, {"POST", "admin/articles/" + id + "/edit"}, {"POST", "admin/articles/" + id + "/submit"},
		{"POST", "admin/articles/" + id + "/approve"}, {"POST", "admin/articles/" + id + "/withdraw"}, {"POST", "admin/articles/new"},
		{"GET", "admin/columns/"}, {"POST", "admin/columns/"}, {"GET", "admin/submissions/"}, {"POST", "admin/uploads"},
	} {
		t.Run(r.method+" "+r.path, func(t *testing.T) {
			var h webtest.Hop
			u := e.Portal + "/site/rsj/" + r.path
			if r.method == "GET" {
				h = b.Once("GET", u, nil)
			} else {
				h = b.Once("POST", u, url.Values{"csrf": {token}, "title": {"改"}, "column": {strconv.FormatInt(col.ID, 10)}, "body": {"x"}, "when": {"now"}})
			}
			if h.Status != http.StatusForbidden {
				t.Errorf("%d %s, want 403", h.Status, h.Location)
			}
		})
	}
	got, err := d.Manuscript(context.Background(), content.Actor{TenantID: rsj.ID, UserID: 999, Roles: []tenants.Role{tenants.Editor}}, m.ID)
	webtest.Must(t, err)
	if got.Title != "人社局草稿" || got.Status != content.Draft {
		t.Errorf("rsj's draft changed: %q %s", got.Title, got.Status)
	}
}
