package site_test

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"yiwang/core/content"
	"yiwang/core/store"
	"yiwang/core/store/storetest"
	"yiwang/core/web"
	"yiwang/core/web/webtest"
)

func TestArticlePageCarriesSpecificationMetaTags(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := webtest.NewFixture(t, db)
		a := f.Publish(t, "jyj", "gzdt", content.Article{Title: "县教育局召开秋季开学工作会", Source: "思南县教育局", Author: "办公室", Keywords: "开学,教育", Summary: "部署秋季开学工作"})
		if a.PublishedAt == nil || a.PublishedAt.Before(f.Started) {
			t.Fatalf("published_at %v is not the server's publish time (test started %v)", a.PublishedAt, f.Started)
		}
		r := f.Get(t, "localhost:8080", fmt.Sprintf("/site/jyj/art/%d", a.ID))
		if r.Status != http.StatusOK {
			t.Fatalf("status %d", r.Status)
		}
		pub := a.PublishedAt.In(content.Location).Format("2006-01-02 15:04")
		for _, want := range []string{
			`name="ColumnName" content="工作动态"`, `name="ColumnType" content="列表栏目"`,
			`name="ArticleTitle" content="县教育局召开秋季开学工作会"`, `name="PubDate" content="` + pub + `"`,
			`name="ContentSource" content="思南县教育局"`, `name="Keywords" content="开学,教育"`, `name="Description" content="部署秋季开学工作"`,
			`发布时间：<time datetime="` + pub + `">` + pub + `</time>`, `来源：思南县教育局`,
		} {
			if !strings.Contains(r.Body, want) {
				t.Errorf("article page lacks %q", want)
			}
		}
		if !regexp.MustCompile(`^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$`).MatchString(pub) {
			t.Errorf("publish time %q is not YYYY-MM-DD HH:MM", pub)
		}
	})
}

func TestArticleBodyIsSanitized(t *testing.T) {
	f := webtest.NewFixture(t, storetest.SQLite(t))
	a := f.Publish(t, "jyj", "gzdt", content.Article{Title: "安全测试",
		Body: `<p onclick="steal()">正文<script>alert(1)</script><img src="x" onerror="alert(2)"><a href="javascript:alert(3)">链接</a><iframe src="https://evil.example"></iframe></p><p style="text-align:center">居中</p>`})
	r := f.Get(t, "localhost:8080", fmt.Sprintf("/site/jyj/art/%d", a.ID))
	body := r.Body[strings.Index(r.Body, `class="article-body"`):]
	for _, bad := range []string{"<script", "onerror", "onclick", "javascript:", "<iframe"} {
		if strings.Contains(body, bad) {
			t.Errorf("article body still carries %q", bad)
		}
	}
	if !strings.Contains(body, "正文") || !strings.Contains(body, `<p class="align-center">居中</p>`) {
		t.Error("sanitizing removed the safe content too")
	}
	if strings.Contains(body, "style=") {
		t.Error("an inline style the security policy would refuse")
	}
}

func TestColumnPaginationAndFeed(t *testing.T) {
	f := webtest.NewFixture(t, storetest.SQLite(t))
	for i := 1; i <= 25; i++ {
		f.Publish(t, "wjj", "tzgg", content.Article{Title: fmt.Sprintf("通知第%02d号", i), Summary: "摘要"})
	}
	r := f.Get(t, "localhost:8080", "/site/wjj/col/tzgg/")
	if n := strings.Count(r.Body, "通知第"); n != 20 {
		t.Fatalf("first page lists %d articles, want 20", n)
	}
	if !strings.Contains(r.Body, "共 25 条，第 1 / 2 页") || !strings.Contains(r.Body, `rel="next" href="?page=2"`) {
		t.Error("pager missing on page 1")
	}
	r = f.Get(t, "localhost:8080", "/site/wjj/col/tzgg/?page=2")
	if n := strings.Count(r.Body, "通知第"); n != 5 || !strings.Contains(r.Body, "通知第01号") {
		t.Fatalf("second page lists %d articles, want the 5 oldest", n)
	}
	if r := f.Get(t, "localhost:8080", "/site/wjj/col/tzgg/?page=0"); r.Status != 404 {
		t.Errorf("page=0: status %d", r.Status)
	}

	r = f.Get(t, "localhost:8080", "/site/wjj/col/tzgg/rss.xml")
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/rss+xml") {
		t.Fatalf("feed: status %d, type %q", r.Status, r.Header.Get("Content-Type"))
	}
	var feed struct {
		Channel struct {
			Title string `xml:"title"`
			Items []struct {
				Title   string `xml:"title"`
				Link    string `xml:"link"`
				PubDate string `xml:"pubDate"`
			} `xml:"item"`
		} `xml:"channel"`
	}
	if err := xml.Unmarshal([]byte(r.Body), &feed); err != nil {
		t.Fatalf("feed is not XML: %v", err)
	}
	if len(feed.Channel.Items) != 25 || feed.Channel.Items[0].Title != "通知第25号" {
		t.Fatalf("feed has %d items, first %q", len(feed.Channel.Items), feed.Channel.Items[0].Title)
	}
	if !strings.HasPrefix(feed.Channel.Items[0].Link, "http://localhost:8080/site/wjj/art/") {
		t.Errorf("feed links are not absolute: %q", feed.Channel.Items[0].Link)
	}
	if _, err := time.Parse(time.RFC1123Z, feed.Channel.Items[0].PubDate); err != nil {
		t.Errorf("feed pubDate %q: %v", feed.Channel.Items[0].PubDate, err)
	}
}

func TestSiteMapListsColumnsWithCounts(t *testing.T) {
	f := webtest.NewFixture(t, storetest.SQLite(t))
	f.Publish(t, "ttz", "gzdt", content.Article{Title: "塘头镇动态一"})
	f.Publish(t, "ttz", "gzdt", content.Article{Title: "塘头镇动态二"})
	r := f.Get(t, "localhost:8080", "/site/ttz/sitemap/")
	if r.Status != 200 {
		t.Fatalf("status %d", r.Status)
	}
	for _, want := range []string{`href="/site/ttz/col/gzdt/">工作动态</a> <span class="count">（2 条）`, `href="/site/ttz/col/xxgk/">政府信息公开`} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("site map lacks %q", want)
		}
	}
}

func TestElderModeToggle(t *testing.T) {
	f := webtest.NewFixture(t, storetest.SQLite(t))
	cases := []struct{ ret, want string }{
		{"/site/jyj/col/gzdt/", "/site/jyj/col/gzdt/"},
		{"//evil.example/", "/site/jyj/"},
		{"/\\evil.example", "/site/jyj/"},
		{"https://evil.example/", "/site/jyj/"},
		{"", "/site/jyj/"},
	}
	for _, c := range cases {
		r := f.Get(t, "localhost:8080", "/site/jyj/prefs/elder?on=1&r="+c.ret)
		if r.Status != http.StatusSeeOther || r.Header.Get("Location") != c.want {
			t.Errorf("return %q: status %d, Location %q, want %q", c.ret, r.Status, r.Header.Get("Location"), c.want)
		}
	}
	r := f.Get(t, "localhost:8080", "/site/jyj/", &http.Cookie{Name: "yw_elder", Value: "1"})
	if !strings.Contains(r.Body, `<html lang="zh-CN" class="elder">`) || !strings.Contains(r.Body, "退出长者模式") {
		t.Error("large-text mode not rendered from its cookie")
	}
}

func BenchmarkRenderSubSiteHome(b *testing.B) {
	f := newBenchFixture(b)
	b.ReportAllocs()
	for b.Loop() {
		if r := f.Get(b, "localhost:8080", "/site/jyj/"); r.Status != 200 {
			b.Fatal(r.Status)
		}
	}
}

func BenchmarkRenderArticle(b *testing.B) {
	f := newBenchFixture(b)
	a := f.Publish(b, "jyj", "gzdt", content.Article{Title: "基准测试文章", Body: strings.Repeat("<p>思南县教育局扎实推进教育教学工作，全面提升教育质量。</p>", 30)})
	path := fmt.Sprintf("/site/jyj/art/%d", a.ID)
	b.ReportAllocs()
	for b.Loop() {
		if r := f.Get(b, "localhost:8080", path); r.Status != 200 {
			b.Fatal(r.Status)
		}
	}
}

func newBenchFixture(b *testing.B) *webtest.Fixture {
	f := webtest.NewFixture(b, storetest.SQLite(b))
	ctx := context.Background()
	f.Reconfigure(b, web.Config{})
	for _, slug := range []string{"gzdt", "tzgg", "zcwj"} {
		for i := 0; i < 10; i++ {
			f.Publish(b, "jyj", slug, content.Article{Title: fmt.Sprintf("思南县教育局%s第%d条信息", slug, i)})
		}
	}
	_ = ctx
	return f
}
