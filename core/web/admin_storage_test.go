package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"yiwang/core/content"
	"yiwang/core/store"
	"yiwang/core/store/storetest"
	"yiwang/core/web/admin"
	"yiwang/core/web/webtest"
	"yiwang/tenants"
)

// The county office's storage page: every site's use against its
// quota, the quota changed per site with the form (CSRF field, audited),
// and nobody else sees or changes it. The video console's pages answer
// the editor and the reviewer by their roles.
func TestStorageAndVideoConsole(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		st := webtest.LocalBlobs(t)
		e := webtest.NewSSOEnv(t, db)
		d := content.NewDesk(content.NewStore(db))
		cfg := content.UploadConfig{Store: st, TempDir: t.TempDir(), TenantQuota: 1 << 30}
		e.Srv.EnableEditorial(d, admin.EditorialOptions{Uploads: cfg})
		ctx := context.Background()
		jyj, err := e.TS.ByCode(ctx, "jyj")
		webtest.Must(t, err)

		// A video on jyj, stored through the desk.
		col := content.Column{TenantID: jyj.ID, Slug: "dsxw", Name: "电视新闻", Type: content.ColumnVideo}
		webtest.Must(t, content.NewStore(db).CreateColumn(ctx, db, &col))
		ed := content.Actor{TenantID: jyj.ID, UserID: 99, Name: "编辑", Roles: []tenants.Role{tenants.Citizen, tenants.Editor}}
		data := webtest.TinyMP4(t)
		s, err := d.StartVideoUpload(ctx, ed, cfg, "新闻.mp4", int64(len(data)), data)
		webtest.Must(t, err)
		_, err = d.PutChunk(ctx, ed, cfg, s.Token, 0, int64(len(data)), strings.NewReader(string(data)))
		webtest.Must(t, err)
		v, err := d.FinishVideoUpload(ctx, ed, cfg, s.Token, content.VideoInput{Title: "思南新闻", ColumnID: col.ID})
		webtest.Must(t, err)

		adm := e.Browser(t)
		adm.LoginDemo("admin")
		p := adm.Get(e.Portal + "/admin/county/storage")
		if p.Status != 200 || !strings.Contains(p.Body, "思南县教育局（jyj）") || !strings.Contains(p.Body, "1 个，") {
			t.Fatalf("storage page: %d\n%s", p.Status, p.Body)
		}
		if home := adm.Get(e.Portal + "/admin/"); !strings.Contains(home.Body, "admin/county/storage") {
			t.Error("the console does not link the storage page")
		}
		tok := adm.CSRF(e.Portal + "/admin/county/storage")
		form := url.Values{"csrf": {tok}, "tenant": {strconv.FormatInt(jyj.ID, 10)}, "quota_mb": {"5120"}}
		if h := adm.Once("POST", e.Portal+"/admin/county/storage", url.Values{"tenant": form["tenant"], "quota_mb": {"1"}}); h.Status != http.StatusForbidden {
			t.Errorf("a change without the form token: %d", h.Status)
		}
		p = adm.Post(e.Portal+"/admin/county/storage", form)
		if p.Status != 200 || !strings.Contains(p.Body, "限额已修改") || !strings.Contains(p.Body, "5 GB") {
			t.Errorf("after the change: %d", p.Status)
		}
		var n int
		webtest.Must(t, db.GetContext(ctx, &n, `SELECT COUNT(*) FROM audit_log WHERE action = 'storage.quota' AND tenant_id = ?`, jyj.ID))
		if n != 1 {
			t.Errorf("quota change audited %d times", n)
		}
		p = adm.Post(e.Portal+"/admin/county/storage", url.Values{"csrf": {tok}, "tenant": form["tenant"], "quota_mb": {"很多"}})
		if p.Status != 400 || !strings.Contains(p.Body, "限额请填写") {
			t.Errorf("a quota that is no number: %d", p.Status)
		}

		editor := e.Browser(t)
		editor.LoginDemo("editor")
		if h := editor.Once("GET", e.Portal+"/admin/county/storage", nil); h.Status != http.StatusForbidden {
			t.Errorf("an editor opens the storage page: %d", h.Status)
		}
		p = editor.Get(e.JYJ + "/admin/videos/")
		if p.Status != 200 || !strings.Contains(p.Body, "思南新闻") || !strings.Contains(p.Body, `id="vu-form"`) || !regexp.MustCompile(`/static/video-upload\.[0-9a-f]{10}\.js`).MatchString(p.Body) {
			t.Fatalf("video console: %d", p.Status)
		}
		vp := e.JYJ + "/admin/videos/" + strconv.FormatInt(v.ID, 10)
		p = editor.Get(vp)
		if p.Status != 200 || !strings.Contains(p.Body, "<code class=\"embed-code\">&lt;video") || strings.Contains(p.Body, "/publish\"") {
			t.Errorf("video page for the editor: %d", p.Status)
		}
		// Editors do not publish; the reviewer does.
		etok := editor.CSRF(vp)
		if p = editor.Post(vp+"/publish", url.Values{"csrf": {etok}}); p.Status != http.StatusForbidden {
			t.Errorf("editor publishes: %d", p.Status)
		}
		reviewer := e.Browser(t)
		reviewer.LoginDemo("reviewer")
		rtok := reviewer.CSRF(vp)
		if p = reviewer.Post(vp+"/publish", url.Values{"csrf": {rtok}}); p.Status != 200 || !strings.Contains(p.Body, "已发布") {
			t.Errorf("reviewer publishes: %d", p.Status)
		}
		if pub := e.Browser(t).Get(e.JYJ + "/col/dsxw/"); pub.Status != 200 || !strings.Contains(pub.Body, "思南新闻") {
			t.Errorf("public video column: %d", pub.Status)
		}
		// The editor edits the text; a title left empty is refused in Chinese.
		if p = editor.Post(vp, url.Values{"csrf": {etok}, "title": {""}, "column": {"0"}}); p.Status != 400 || !strings.Contains(p.Body, "请填写视频标题") {
			t.Errorf("empty title: %d", p.Status)
		}
		if p = editor.Post(vp, url.Values{"csrf": {etok}, "title": {"思南新闻（修订）"}, "transcript": {"文字稿"}, "column": {strconv.FormatInt(col.ID, 10)}}); p.Status != 200 || !strings.Contains(p.Body, "思南新闻（修订）") {
			t.Errorf("edit: %d", p.Status)
		}
		// Another site's console does not reach jyj's video.
		if h := editor.Once("GET", e.Portal+"/site/mzj/admin/videos/"+strconv.FormatInt(v.ID, 10), nil); h.Status == http.StatusOK {
			t.Errorf("jyj's video from mzj's console: %d", h.Status)
		}
	})
}
