package site_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"yiwang/core/content"
	"yiwang/core/search"
	"yiwang/core/store/storetest"
	"yiwang/core/web/webtest"
	"yiwang/tenants"
)

// searchFixture is the platform with the search mounted over a bleve index
// fed by the outbox.
type searchFixture struct {
	*webtest.Fixture
	idx  *search.Bleve
	feed *search.Feeder
}

func newSearchFixture(t *testing.T) *searchFixture {
	t.Helper()
	f := webtest.NewFixture(t, storetest.SQLite(t))
	idx, err := search.OpenBleve(filepath.Join(t.TempDir(), "search"), search.BleveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	f.Srv.MountSearch(idx)
	return &searchFixture{Fixture: f, idx: idx,
		feed: &search.Feeder{DB: f.DB, Index: idx, Tenants: f.Tenants, Articles: search.Articles{Content: f.Content}}}
}

func (f *searchFixture) drain(t *testing.T) {
	t.Helper()
	for {
		n, err := f.feed.Drain(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

func (f *searchFixture) search(t *testing.T, target string) webtest.Response {
	t.Helper()
	r := f.Get(t, "localhost:8080", target)
	if r.Status != http.StatusOK {
		t.Fatalf("GET %s: status %d", target, r.Status)
	}
	return r
}

var hitLink = regexp.MustCompile(`<h2 class="hit-title"><a href="([^"]+)">`)

func hits(body string) []string {
	var out []string
	for _, m := range hitLink.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

func q(s string) string { return url.QueryEscape(s) }

func TestSearchAcrossSites(t *testing.T) {
	f := newSearchFixture(t)
	a := f.Publish(t, "jyj", "gzdt", content.Article{Title: "县教育局召开教育扶贫推进会", Body: "<p>会议部署教育扶贫和控辍保学工作。</p>"})
	b := f.Publish(t, "portal", "tzgg", content.Article{Title: "思南县人民政府关于做好扶贫工作的通知", Body: "<p>各乡镇要抓好扶贫工作，县教育局配合。</p>"})
	c := f.Publish(t, "ttz", "gzdt", content.Article{Title: "塘头镇推进产业扶贫", Body: "<p>体育局和教育系统干部参加。</p>"})
	f.drain(t)

	r := f.search(t, "/search?q="+q("教育局"))
	got := hits(r.Body)
	if len(got) != 2 || !strings.Contains(strings.Join(got, " "), fmt.Sprintf("/site/jyj/art/%d", a.ID)) || !strings.Contains(strings.Join(got, " "), fmt.Sprintf("art/%d", b.ID)) {
		t.Errorf("portal search 教育局: %v (want the department's and the portal's article, not 体育局 + 教育)", got)
	}
	for _, want := range []string{
		"<mark>教育局</mark>", "思南县教育局", "思南县人民政府", "文章", `找到 <strong>2</strong> 条结果`,
		`name="robots" content="noindex, follow"`, `value="教育局"`, "全部站点", "全部类型",
	} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("results page lacks %q", want)
		}
	}
	if !regexp.MustCompile(`<time datetime="[^"]+">\d{4}-\d\d-\d\d \d\d:\d\d</time>`).MatchString(r.Body) {
		t.Error("no date as YYYY-MM-DD HH:MM")
	}

	// A sub-site searches itself, with one click to widen.
	r = f.search(t, "/site/jyj/search?q="+q("扶贫"))
	if got := hits(r.Body); len(got) != 1 || !strings.Contains(got[0], fmt.Sprintf("art/%d", a.ID)) {
		t.Errorf("sub-site search: %v, want its own article only", got)
	}
	if !strings.Contains(r.Body, `在本站中找到`) || !strings.Contains(r.Body, `class="search-widen" href="/site/jyj/search?q=`) || !strings.Contains(r.Body, "scope=all") {
		t.Error("sub-site results offer no widening to all sites")
	}
	r = f.search(t, "/site/jyj/search?scope=all&q="+q("扶贫"))
	if got := hits(r.Body); len(got) != 3 {
		t.Errorf("sub-site search of all sites: %v", got)
	}
	// Facet by site from the portal.
	r = f.search(t, "/search?site=ttz&q="+q("扶贫"))
	if got := hits(r.Body); len(got) != 1 || !strings.Contains(got[0], fmt.Sprintf("/site/ttz/art/%d", c.ID)) {
		t.Errorf("site facet: %v", got)
	}
	if !strings.Contains(r.Body, `aria-current="true">塘头镇人民政府</a>`) {
		t.Error("the chosen site is not marked in the facets")
	}
	// The layout's search box: a scope choice on sub-sites, none on the portal.
	if p := f.Get(t, "localhost:8080", "/site/jyj/"); !strings.Contains(p.Body, `name="scope"`) || !strings.Contains(p.Body, `<option value="all">全部站点</option>`) {
		t.Error("sub-site search box has no scope choice")
	}
	if p := f.Get(t, "localhost:8080", "/"); strings.Contains(p.Body, `id="q-scope"`) {
		t.Error("portal search box has a scope choice")
	}
}

func TestSearchFiltersSortAndPages(t *testing.T) {
	f := newSearchFixture(t)
	var ids []int64
	for i := 1; i <= 13; i++ {
		a := f.Publish(t, "jyj", "gzdt", content.Article{Title: fmt.Sprintf("乡村振兴工作简报第%d期", i), Body: "<p>乡村振兴。</p>"})
		ids = append(ids, a.ID)
	}
	f.drain(t)
	r := f.search(t, "/search?sort=time&q="+q("乡村振兴"))
	got := hits(r.Body)
	if len(got) != 10 || !strings.HasSuffix(got[0], fmt.Sprintf("art/%d", ids[12])) {
		t.Errorf("page 1 by time: %v", got)
	}
	if !strings.Contains(r.Body, `rel="next"`) || !strings.Contains(r.Body, "page=2") {
		t.Error("no link to page 2")
	}
	r = f.search(t, "/search?sort=time&page=2&q="+q("乡村振兴"))
	if got := hits(r.Body); len(got) != 3 || !strings.HasSuffix(got[2], fmt.Sprintf("art/%d", ids[0])) {
		t.Errorf("page 2 by time: %v", got)
	}
	// Type and date filters.
	if got := hits(f.search(t, "/search?type=letter&q="+q("乡村振兴")).Body); len(got) != 0 {
		t.Errorf("type filter: %v", got)
	}
	if got := hits(f.search(t, "/search?to=2001-01-01&q="+q("乡村振兴")).Body); len(got) != 0 {
		t.Errorf("date filter: %v", got)
	}
	if got := hits(f.search(t, "/search?from=2001-01-01&q="+q("乡村振兴")).Body); len(got) != 10 {
		t.Errorf("date filter from 2001: %d hits", len(got))
	}
	r = f.search(t, "/search?from=2026-13-45&q="+q("乡村振兴"))
	if !strings.Contains(r.Body, "日期格式不正确") || len(hits(r.Body)) != 10 {
		t.Error("a bad date is not ignored with a notice")
	}
	// Pages far past the end answer a normal page.
	f.search(t, "/search?page=99999&q="+q("乡村振兴"))
}

func TestSearchNoResultsSuggests(t *testing.T) {
	f := newSearchFixture(t)
	f.Publish(t, "portal", "tzgg", content.Article{Title: "关于开展防汛抗旱工作的通知"})
	f.drain(t)
	r := f.search(t, "/site/jyj/search?q="+q("防汛抗旱"))
	for _, want := range []string{"没有找到与“防汛抗旱”相关的信息", "在全部站点中搜索“防汛抗旱”", "（1 条）", "检查输入的文字是否有错别字"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("no-results page lacks %q", want)
		}
	}
	r = f.search(t, "/search?q="+q("防汛抗旱 不存在的词语"))
	if !strings.Contains(r.Body, "只搜索“防汛抗旱”") {
		t.Error("no suggestion to search one word alone")
	}
	r = f.search(t, "/search")
	if !strings.Contains(r.Body, "搜索说明") {
		t.Error("empty search shows no help")
	}
}

func TestSearchOnlyPublicActiveContent(t *testing.T) {
	f := newSearchFixture(t)
	ctx := context.Background()
	a := f.Publish(t, "ajj", "gzdt", content.Article{Title: "安全生产大检查"})
	jyj, _ := f.Tenants.ByCode(ctx, "jyj")
	col, _ := f.Content.Column(ctx, jyj.ID, "gzdt")
	draft := &content.Article{TenantID: jyj.ID, ColumnID: col.ID, Title: "安全生产草稿", Body: "<p>未发布</p>"}
	if err := f.DB.Tx(ctx, func(tx *sqlx.Tx) error { return f.Content.SaveDraft(ctx, tx, draft) }); err != nil {
		t.Fatal(err)
	}
	w := f.Publish(t, "jyj", "gzdt", content.Article{Title: "安全生产已撤回"})
	if err := f.Content.Withdraw(ctx, "test", jyj.ID, w.ID); err != nil {
		t.Fatal(err)
	}
	f.drain(t)
	if got := hits(f.search(t, "/search?q="+q("安全生产")).Body); len(got) != 1 || !strings.HasSuffix(got[0], fmt.Sprintf("art/%d", a.ID)) {
		t.Errorf("search finds %v: want only the published article (no draft, no withdrawn one)", got)
	}
	if _, err := f.Tenants.SetStatus(ctx, "test", "ajj", tenants.Archived); err != nil {
		t.Fatal(err)
	}
	r := f.search(t, "/search?q="+q("安全生产"))
	if got := hits(r.Body); len(got) != 0 {
		t.Errorf("archived tenant's article found: %v", got)
	}
	if strings.Contains(r.Body, "安全生产监督管理局</a> <span") {
		t.Error("archived tenant in the facets")
	}
	if _, err := f.Tenants.SetStatus(ctx, "test", "ajj", tenants.Active); err != nil {
		t.Fatal(err)
	}
	if got := hits(f.search(t, "/search?q="+q("安全生产")).Body); len(got) != 1 {
		t.Errorf("restored tenant's article: %v", got)
	}
}

func TestSearchMalformedQueriesAnswerNormally(t *testing.T) {
	f := newSearchFixture(t)
	f.Publish(t, "portal", "tzgg", content.Article{Title: "关于<b>扶贫</b>的通知", Body: "<p>扶贫&lt;script&gt;</p>"})
	f.drain(t)
	for _, raw := range []string{
		`"扶贫`, `扶贫"`, strings.Repeat("扶贫", 1000), "扶\x00贫\x07", `title:扶贫 AND *`, `+扶贫 -通知`, `扶贫~`,
		`<script>alert(1)</script>`, `{"match_all":{}}`, `%ff%fe`, `\`, `[* TO *]`,
	} {
		r := f.Get(t, "localhost:8080", "/search?q="+q(raw))
		if r.Status != http.StatusOK {
			t.Errorf("%.30q: status %d", raw, r.Status)
		}
		if strings.Contains(r.Body, "<script>alert") {
			t.Errorf("%.30q: query reflected unescaped", raw)
		}
		if !strings.Contains(r.Body, `class="search-form"`) {
			t.Errorf("%.30q: not a results page", raw)
		}
	}
	r := f.search(t, "/search?q="+q(strings.Repeat("扶贫", 1000)))
	if !strings.Contains(r.Body, "搜索词过长") {
		t.Error("a 2,000-character query is not cut with a notice")
	}
	r = f.search(t, "/search?q="+q(`"扶贫`))
	if len(hits(r.Body)) != 1 || strings.Contains(r.Body, "<b>扶贫</b>") || !strings.Contains(r.Body, "&lt;b&gt;<mark>扶贫</mark>&lt;/b&gt;") {
		t.Error("a title's markup is not escaped around the highlight")
	}
	if r := f.Get(t, "localhost:8080", "/search?q=%ZZ"); r.Status != http.StatusOK && r.Status != http.StatusBadRequest {
		t.Errorf("a broken escape: status %d", r.Status)
	}
}

// Disclosure items carry their metadata as fields; the page filters by
// them, keeps them in its links, and says so when the index predates them.
func TestSearchByDisclosureMetadata(t *testing.T) {
	f := newSearchFixture(t)
	jyj, err := f.Tenants.ByCode(context.Background(), "jyj")
	if err != nil {
		t.Fatal(err)
	}
	item := func(id, publisher, year string) search.Doc {
		return search.Doc{ID: "disclosure:item:" + id, TenantID: jyj.ID, Type: search.TypeDisclosure, URL: "disclosure/items/" + id,
			Title: "部门预算公开" + id, Body: "本年度绩效目标", Date: time.Now(),
			Fields: []string{search.Field("publisher", publisher), search.Field("year", year)}}
	}
	if err := f.idx.Upsert(context.Background(), item("1", "思南县教育局", "2026"), item("2", "思南县教育局", "2025"), item("3", "思南县财政局", "2026")); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"q=" + q("绩效目标"), []string{"1", "2", "3"}},
		{"q=" + q("绩效目标") + "&publisher=" + q("思南县教育局"), []string{"1", "2"}},
		{"q=" + q("绩效目标") + "&publisher=" + q("思南县教育局") + "&year=2026", []string{"1"}},
		{"q=" + q("绩效目标") + "&publisher=" + q("教育局"), nil},
	} {
		r := f.search(t, "/search?"+c.query)
		var got []string
		for _, h := range hits(r.Body) {
			got = append(got, h[strings.LastIndex(h, "/")+1:])
		}
		sort.Strings(got)
		if strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("%s: %v, want %v", c.query, got, c.want)
		}
		if strings.Contains(c.query, "publisher=") && !strings.Contains(r.Body, `id="search-m-publisher" name="publisher" value="`) {
			t.Errorf("%s: the publisher filter is not kept in the form", c.query)
		}
	}
}
