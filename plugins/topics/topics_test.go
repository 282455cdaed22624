package topics_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/sdktest"
	"yiwang/plugins/topics"
)

func TestMain(m *testing.M) { sdktest.Main(m) }

var (
	portal = sdktest.Portal
	jyj    = sdktest.JYJ
	rsj    = sdktest.RSJ
)

// editorOf is an editor of tenant t as the host describes them: the role
// on that tenant and the permission the role grants.
func editorOf(t *sdk.Tenant, id int64) *sdk.User {
	return &sdk.User{ID: id, Name: t.Name + "编辑", Roles: []string{sdk.RoleEditor}, Permissions: []string{topics.PermEdit}}
}

var topicPath = regexp.MustCompile(`admin/topics/(\d+)`)

// createTopic creates a topic through the console and returns its id.
func createTopic(t *testing.T, h *sdktest.Harness, tn *sdk.Tenant, u *sdk.User, title string) string {
	t.Helper()
	r := h.Post(tn, u, "/admin/topics/", url.Values{"title": {title}, "intro": {title + "的导语。\n\n第二段。"}, "sort": {"5"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("create %s: %+v", title, r)
	}
	m := topicPath.FindStringSubmatch(r.Header.Get("Location"))
	if m == nil {
		t.Fatalf("create %s: redirect to %q", title, r.Header.Get("Location"))
	}
	return m[1]
}

// addSection adds a section and fills it in; it returns the section id.
func addSection(t *testing.T, h *sdktest.Harness, tn *sdk.Tenant, u *sdk.User, topic, kind, title string, fields url.Values) string {
	t.Helper()
	r := h.Post(tn, u, "/admin/topics/"+topic+"/sections/", url.Values{"kind": {kind}, "title": {title}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("add section: %+v", r)
	}
	sid := r.Header.Get("Location")[strings.LastIndex(r.Header.Get("Location"), "#es")+3:]
	fields.Set("title", title)
	fields.Set("action", "save")
	if r := h.Post(tn, u, "/admin/topics/"+topic+"/sections/"+sid, fields); r.Status != http.StatusSeeOther {
		t.Fatalf("save section %s: %d %s", title, r.Status, r.Text())
	}
	return sid
}

func publish(t *testing.T, h *sdktest.Harness, tn *sdk.Tenant, u *sdk.User, topic string) {
	t.Helper()
	if r := h.Post(tn, u, "/admin/topics/"+topic+"/status", url.Values{"status": {"published"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("publish: %+v", r)
	}
}

func TestTopicPages(t *testing.T) {
	ed := editorOf(portal, 11)
	sdktest.Each(t, topics.Module, sdktest.Options{}, func(t *testing.T, h *sdktest.Harness) {
		h.Host.AddColumns(portal.ID, sdk.Column{Slug: "gzdt", Name: "工作动态"}, sdk.Column{Slug: "tzgg", Name: "通知公告"})
		h.Host.AddArticles(portal.ID,
			sdk.Article{ID: 101, Column: "gzdt", Title: "全县脱贫攻坚推进会召开", Path: "art/101", PublishedAt: time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)},
			sdk.Article{ID: 102, Column: "tzgg", Title: "关于开展技能培训的通知", Path: "art/102"},
		)
		id := createTopic(t, h, portal, ed, "脱贫攻坚")
		addSection(t, h, portal, ed, id, topics.KindArticles, "工作动态", url.Values{"column": {"gzdt"}, "limit": {"5"}})
		addSection(t, h, portal, ed, id, topics.KindRichText, "工作要点", url.Values{"body": {`<p onclick="x()">守住底线<script>alert(1)</script></p>`}})
		addSection(t, h, portal, ed, id, topics.KindGallery, "图片报道", url.Values{"images": {"https://img.example.gov.cn/a.jpg | 村民在扶贫车间工作 | 扶贫车间\n/uploads/b.png | 新建的安置小区"}})
		addSection(t, h, portal, ed, id, topics.KindVideo, "视频", url.Values{"video_url": {"/uploads/v.mp4"}, "video_title": {"脱贫故事"}})
		addSection(t, h, portal, ed, id, topics.KindVideo, "外部视频", url.Values{"video_url": {"https://video.example.cn/x"}, "video_title": {"专访"}})

		// A draft is no page for the public, and a preview for its editors.
		if r := h.Get(portal, nil, "/topics/"+id); r.Status != http.StatusNotFound || r.Kind != "failure" {
			t.Fatalf("draft shown to the public: %+v", r)
		}
		if r := h.Get(portal, ed, "/topics/"+id); r.Status != 200 || !strings.Contains(r.HTML, "尚未发布") {
			t.Fatalf("draft for its editor: %d %s", r.Status, r.Text())
		}
		if r := h.Get(portal, nil, "/topics/"); strings.Contains(r.HTML, "脱贫攻坚") || !strings.Contains(r.HTML, "本站暂无专题") {
			t.Fatalf("draft in the list: %s", r.HTML)
		}

		publish(t, h, portal, ed, id)
		list := h.Get(portal, nil, "/topics/")
		if list.Status != 200 || list.Title != "专题专栏" || list.Current != topics.NavTitle || !strings.Contains(list.HTML, `href="/topics/`+id+`"`) {
			t.Fatalf("list: %+v", list)
		}
		page := h.Get(portal, nil, "/topics/"+id)
		if page.Status != 200 || page.Title != "脱贫攻坚" || len(page.Crumbs) != 2 || page.Crumbs[0].URL != "/topics/" {
			t.Fatalf("page: %+v", page)
		}
		for _, want := range []string{
			`<h1>脱贫攻坚</h1>`,
			`<p>第二段。</p>`,
			`<a href="/art/101">全县脱贫攻坚推进会召开</a>`, `datetime="2026-03-02"`,
			`<a href="/col/gzdt/">`,
			`<p>守住底线</p>`,
			`alt="村民在扶贫车间工作"`, `<figcaption>扶贫车间</figcaption>`,
			`<video class="topic-video" controls preload="none" src="/uploads/v.mp4">`,
			`rel="noopener noreferrer" target="_blank">观看视频：专访`,
			`<nav class="topic-toc" aria-label="专题板块">`,
			`href="/topics/assets/topics.css?v=`,
		} {
			if !strings.Contains(page.HTML, want) {
				t.Errorf("topic page lacks %s", want)
			}
		}
		for _, bad := range []string{"<script", "onclick", "关于开展技能培训的通知", "编辑本专题"} {
			if strings.Contains(page.HTML, bad) {
				t.Errorf("topic page contains %q", bad)
			}
		}
		if css := h.Get(portal, nil, "/topics/assets/topics.css"); css.Kind != "raw" || !strings.HasPrefix(css.Header.Get("Content-Type"), "text/css") {
			t.Errorf("stylesheet: %+v", css)
		}
		if r := h.Get(portal, nil, "/topics"); r.Status != http.StatusMovedPermanently || r.Header.Get("Location") != "/topics/" {
			t.Errorf("no slash: %+v", r)
		}

		// Archived: out of the list's cards, under 往期专题, still readable.
		if r := h.Post(portal, ed, "/admin/topics/"+id+"/status", url.Values{"status": {"archived"}}); r.Status != http.StatusSeeOther {
			t.Fatal(r)
		}
		list = h.Get(portal, nil, "/topics/")
		if !strings.Contains(list.HTML, "往期专题") || strings.Contains(list.HTML, "topic-card-title\">脱贫攻坚") {
			t.Errorf("archived topic in the list: %s", list.HTML)
		}
		if r := h.Get(portal, nil, "/topics/"+id); r.Status != 200 || !strings.Contains(r.HTML, "已归档") {
			t.Errorf("archived page: %+v", r)
		}
	})
}

// A request for one tenant can never read or change another tenant's
// topics, whatever ids it puts in the URL or the form: on both databases.
func TestTenantIsolation(t *testing.T) {
	sdktest.EachDB(t, func(t *testing.T, dsn string) {
		h := sdktest.InProcess(t, topics.Module, sdktest.Options{DSN: dsn, Tenants: []*sdk.Tenant{portal, jyj}})
		edA, edB := editorOf(portal, 1), editorOf(jyj, 2)
		a := createTopic(t, h, portal, edA, "门户专题")
		aSec := addSection(t, h, portal, edA, a, topics.KindRichText, "门户板块", url.Values{"body": {"<p>门户的内容</p>"}})
		publish(t, h, portal, edA, a)
		aDraft := createTopic(t, h, portal, edA, "门户草稿")
		b := createTopic(t, h, jyj, edB, "教育局专题")
		bSec := addSection(t, h, jyj, edB, b, topics.KindRichText, "教育局板块", url.Values{"body": {"<p>教育局的内容</p>"}})
		publish(t, h, jyj, edB, b)

		notFound := func(r *sdktest.Response, what string) {
			t.Helper()
			if r.Status != http.StatusNotFound || strings.Contains(r.Text(), "门户") {
				t.Errorf("%s: %d %s", what, r.Status, r.Text())
			}
		}
		for _, id := range []string{a, aDraft} {
			notFound(h.Get(jyj, nil, "/topics/"+id), "public page of A's topic "+id)
			notFound(h.Get(jyj, edB, "/topics/"+id), "A's topic "+id+" for B's editor")
			notFound(h.Get(jyj, edB, "/admin/topics/"+id), "editing A's topic "+id)
			notFound(h.Post(jyj, edB, "/admin/topics/"+id, url.Values{"title": {"改掉"}}), "saving A's topic "+id)
			notFound(h.Post(jyj, edB, "/admin/topics/"+id+"/status", url.Values{"status": {"archived"}}), "archiving A's topic "+id)
			notFound(h.Post(jyj, edB, "/admin/topics/"+id+"/sections/", url.Values{"kind": {"richtext"}, "title": {"x"}}), "adding to A's topic "+id)
		}
		// A's section through B's own topic.
		notFound(h.Post(jyj, edB, "/admin/topics/"+b+"/sections/"+aSec, url.Values{"action": {"save"}, "title": {"改"}, "body": {"<p>改</p>"}}), "A's section in B's topic")
		notFound(h.Post(jyj, edB, "/admin/topics/"+b+"/sections/"+aSec, url.Values{"action": {"delete-confirmed"}}), "deleting A's section")
		// Form fields that name another tenant are not read.
		r := h.Post(jyj, edB, "/admin/topics/", url.Values{"title": {"带租户字段"}, "tenant_id": {"1"}, "tenant": {"portal"}, "id": {a}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("create with stray fields: %+v", r)
		}
		// Ids that are not ids.
		for _, p := range []string{"-1", "0", "abc", "1e3", "99999999999999999999", a + "%20OR%201=1", url.PathEscape(a + "'")} {
			notFound(h.Get(jyj, edB, "/topics/"+p), "id "+p)
		}

		// A is intact and B's list shows only B's.
		pa := h.Get(portal, nil, "/topics/"+a)
		if pa.Status != 200 || !strings.Contains(pa.HTML, "门户的内容") || !strings.Contains(pa.HTML, "门户专题") {
			t.Errorf("A's topic changed: %s", pa.HTML)
		}
		for _, path := range []string{"/topics/", "/admin/topics/"} {
			l := h.Get(jyj, edB, path)
			if strings.Contains(l.HTML, "门户") || !strings.Contains(l.HTML, "教育局专题") {
				t.Errorf("B's %s: %s", path, l.HTML)
			}
		}
		if r := h.Get(portal, edA, "/topics/"+b); r.Status != http.StatusNotFound {
			t.Errorf("A reads B's topic: %+v", r)
		}
		if r := h.Post(portal, edA, "/admin/topics/"+a+"/sections/"+bSec, url.Values{"action": {"up"}}); r.Status != http.StatusNotFound {
			t.Errorf("A moves B's section: %+v", r)
		}
	})
}

func TestEditingNeedsThePermission(t *testing.T) {
	h := sdktest.InProcess(t, topics.Module, sdktest.Options{})
	citizen := &sdk.User{ID: 5, Name: "市民", Roles: []string{sdk.RoleCitizen}}
	for _, r := range []*sdktest.Response{
		h.Get(portal, citizen, "/admin/topics/"),
		h.Get(portal, citizen, "/admin/topics/new"),
		h.Post(portal, citizen, "/admin/topics/", url.Values{"title": {"x"}}),
		h.Post(portal, nil, "/admin/topics/", url.Values{"title": {"x"}}),
	} {
		if r.Status != http.StatusForbidden || r.Code != sdk.EFORBID {
			t.Errorf("%+v", r)
		}
	}
	// An anonymous editor-to-be is sent to sign in, and back.
	if r := h.Get(jyj, nil, "/admin/topics/new"); r.Status != http.StatusSeeOther ||
		r.Header.Get("Location") != "/site/jyj/account/login?r=%2Fsite%2Fjyj%2Fadmin%2Ftopics%2Fnew" {
		t.Errorf("anonymous: %+v", r)
	}
	if r := h.Post(portal, nil, "/admin/topics/", url.Values{"title": {"x"}}); !strings.Contains(r.Message, "登录") {
		t.Errorf("anonymous is not told to sign in: %q", r.Message)
	}
	if l := h.Get(portal, nil, "/topics/"); strings.Contains(l.HTML, "管理本站专题") {
		t.Error("console link shown to the public")
	}
}

func TestValidation(t *testing.T) {
	h := sdktest.InProcess(t, topics.Module, sdktest.Options{})
	ed := editorOf(portal, 1)
	for _, tc := range []struct {
		name string
		form url.Values
		want string
	}{
		{"no title", url.Values{"title": {"  "}}, "请填写专题名称"},
		{"http banner", url.Values{"title": {"x"}, "banner_url": {"http://a.cn/b.jpg"}, "banner_alt": {"y"}}, "https://"},
		{"banner without alt", url.Values{"title": {"x"}, "banner_url": {"https://a.cn/b.jpg"}}, "替代文字"},
		{"javascript banner", url.Values{"title": {"x"}, "banner_url": {"javascript:alert(1)"}, "banner_alt": {"y"}}, "https://"},
		{"sort out of range", url.Values{"title": {"x"}, "sort": {"-3"}}, "排序号"},
	} {
		r := h.Post(portal, ed, "/admin/topics/", tc.form)
		if r.Status != http.StatusBadRequest || !strings.Contains(r.HTML, tc.want) || !strings.Contains(r.HTML, `role="alert"`) {
			t.Errorf("%s: %d %s", tc.name, r.Status, r.Text())
		}
	}
	id := createTopic(t, h, portal, ed, "校验")
	r := h.Post(portal, ed, "/admin/topics/"+id+"/sections/", url.Values{"kind": {"gallery"}, "title": {"图"}})
	sid := r.Header.Get("Location")[strings.LastIndex(r.Header.Get("Location"), "#es")+3:]
	for _, tc := range []struct {
		name string
		form url.Values
		want string
	}{
		{"image without alt", url.Values{"title": {"图"}, "images": {"https://a.cn/1.jpg"}}, "第 1 行：请填写图片的替代文字"},
		{"image over http", url.Values{"title": {"图"}, "images": {"http://a.cn/1.jpg | 图"}}, "第 1 行：图片地址"},
		{"no images", url.Values{"title": {"图"}, "images": {"\n"}}, "至少填写一张"},
		{"no title", url.Values{"title": {""}, "images": {"/a.png | 图"}}, "请填写板块标题"},
	} {
		tc.form.Set("action", "save")
		r := h.Post(portal, ed, "/admin/topics/"+id+"/sections/"+sid, tc.form)
		if r.Status != http.StatusBadRequest || !strings.Contains(r.HTML, tc.want) {
			t.Errorf("%s: %d %s", tc.name, r.Status, r.Text())
		}
		// What was typed is kept.
		if imgs := tc.form.Get("images"); strings.TrimSpace(imgs) != "" && !strings.Contains(r.HTML, strings.TrimSpace(imgs)) {
			t.Errorf("%s: input lost", tc.name)
		}
	}
	if r := h.Post(portal, ed, "/admin/topics/"+id+"/sections/", url.Values{"kind": {"iframe"}, "title": {"x"}}); r.Status != http.StatusBadRequest {
		t.Errorf("unknown kind: %+v", r)
	}
}

func TestSectionsOrderAndDelete(t *testing.T) {
	h := sdktest.InProcess(t, topics.Module, sdktest.Options{})
	ed := editorOf(portal, 1)
	id := createTopic(t, h, portal, ed, "顺序")
	s1 := addSection(t, h, portal, ed, id, topics.KindRichText, "甲板块", url.Values{"body": {"<p>一</p>"}})
	addSection(t, h, portal, ed, id, topics.KindRichText, "乙板块", url.Values{"body": {"<p>二</p>"}})
	order := func() string {
		html := h.Get(portal, ed, "/topics/"+id).HTML
		return fmt.Sprint(strings.Index(html, "甲板块") < strings.Index(html, "乙板块"))
	}
	if order() != "true" {
		t.Fatal("sections not in the order added")
	}
	h.Post(portal, ed, "/admin/topics/"+id+"/sections/"+s1, url.Values{"action": {"down"}})
	if order() != "false" {
		t.Error("move down did not move")
	}
	r := h.Post(portal, ed, "/admin/topics/"+id+"/sections/"+s1, url.Values{"action": {"delete"}})
	if r.Status != 200 || !strings.Contains(r.HTML, "确定要删除板块“甲板块”吗") {
		t.Fatalf("delete asks no confirmation: %+v", r)
	}
	if !strings.Contains(h.Get(portal, ed, "/topics/"+id).HTML, "甲板块") {
		t.Fatal("deleted before confirmation")
	}
	h.Post(portal, ed, "/admin/topics/"+id+"/sections/"+s1, url.Values{"action": {"delete-confirmed"}})
	if strings.Contains(h.Get(portal, ed, "/topics/"+id).HTML, "甲板块") {
		t.Error("not deleted after confirmation")
	}
	var actions []string
	for _, e := range h.Host.AuditLog() {
		actions = append(actions, e.Action)
		if e.TenantID != portal.ID || e.Actor != "user:1" {
			t.Errorf("audit entry %+v", e)
		}
	}
	if got := strings.Join(actions, ","); got != "topic.create,section.create,section.update,section.create,section.update,section.move,section.delete" {
		t.Errorf("audit: %s", got)
	}
}

func TestSearchDocuments(t *testing.T) {
	h := sdktest.InProcess(t, topics.Module, sdktest.Options{})
	ed := editorOf(jyj, 2)
	id := createTopic(t, h, jyj, ed, "双减工作")
	addSection(t, h, jyj, ed, id, topics.KindRichText, "政策解读", url.Values{"body": {"<p>减轻学生作业负担</p>"}})
	if n := len(h.Host.Documents()); n != 0 {
		t.Fatalf("a draft was indexed: %d", n)
	}
	publish(t, h, jyj, ed, id)
	docs := h.Host.Documents()
	if len(docs) != 1 {
		t.Fatalf("documents: %+v", docs)
	}
	d := docs[0]
	if d.ID != id || d.TenantID != jyj.ID || d.Type != "topic" || d.Path != "topics/"+id || d.Title != "双减工作" ||
		!strings.Contains(d.Body, "减轻学生作业负担") || !strings.Contains(d.Body, "政策解读") || d.Date.IsZero() {
		t.Errorf("document: %+v", d)
	}
	// An edit of a published topic updates its document.
	h.Post(jyj, ed, "/admin/topics/"+id, url.Values{"title": {"“双减”工作"}})
	if d := h.Host.Documents(); len(d) != 1 || d[0].Title != "“双减”工作" {
		t.Errorf("after edit: %+v", d)
	}
	// Reindex streams the same.
	var got []sdk.Document
	ri := h.Server.Handler().(sdk.Reindexer)
	if err := ri.Reindex(context.Background(), 0, func(d sdk.Document) error { got = append(got, d); return nil }); err != nil || len(got) != 1 {
		t.Errorf("reindex: %v %+v", err, got)
	}
	h.Post(jyj, ed, "/admin/topics/"+id+"/status", url.Values{"status": {"draft"}})
	if d := h.Host.Documents(); len(d) != 0 {
		t.Errorf("withdrawn topic still indexed: %+v", d)
	}
}

func TestDemoTopics(t *testing.T) {
	h := sdktest.InProcess(t, topics.Module, sdktest.Options{Demo: true})
	h.Host.AddArticles(portal.ID, sdk.Article{ID: 1, Column: "gzdt", Title: "演示文章", Path: "art/1", Demo: true})
	list := h.Get(portal, nil, "/topics/")
	for _, want := range []string{"脱贫攻坚", "大众创业 万众创新", "电子商务", "大数据", "电子政务", "往期专题", "聚焦两会", "演示"} {
		if !strings.Contains(list.HTML, want) {
			t.Errorf("demo list lacks %s", want)
		}
	}
	if n := strings.Count(list.HTML, `class="topic-card"`); n != 6 {
		t.Errorf("%d published demo topics, want 6", n)
	}
	sub := h.Get(jyj, nil, "/topics/")
	if !strings.Contains(sub.HTML, "政务公开专栏") || strings.Contains(sub.HTML, "脱贫攻坚") {
		t.Errorf("sub-site demo: %s", sub.HTML)
	}
	m := regexp.MustCompile(`href="/topics/(\d+)"`).FindStringSubmatch(list.HTML)
	page := h.Get(portal, nil, "/topics/"+m[1])
	if !strings.Contains(page.HTML, "本专题为演示数据") || !strings.Contains(page.HTML, `src="/topics/assets/banner-`) {
		t.Errorf("demo topic page: %s", page.HTML)
	}
	if n := len(h.Host.Documents()); n != 7 {
		t.Errorf("%d demo documents, want 7 (6 + 1 sub-site)", n)
	}
	// Configure again (a restart, a new tenant): nothing doubles.
	h.Reconfigure(portal, jyj, rsj)
	list2 := h.Get(portal, nil, "/topics/")
	if strings.Count(list2.HTML, `class="topic-card"`) != 6 {
		t.Error("demo topics written twice")
	}
	if !strings.Contains(h.Get(rsj, nil, "/topics/").HTML, "政务公开专栏") {
		t.Error("a newly enabling tenant got no demo topic")
	}
	st, err := h.Server.Handler().(sdk.Statser).Stats(context.Background(), portal.ID, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	if err != nil || len(st) != 3 || st[2].Name != "online" || st[2].Value != 6 || st[0].Value != 0 {
		t.Errorf("stats (demo topics not counted as published work): %+v %v", st, err)
	}
}
