// Package searchtest is the conformance suite every search backend must
// pass: the bleve backend runs it in every `go test`, the Elasticsearch
// backend when YIWANG_TEST_ELASTICSEARCH names a server.
package searchtest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"yiwang/core/search"
)

// Refresher is implemented by backends whose writes become visible to
// search only after a refresh (Elasticsearch); the suite refreshes after
// every write.
type Refresher interface {
	Refresh(ctx context.Context) error
}

var day = time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)

// corpus is the suite's documents: each test's expectations are written
// against these.
func corpus() []search.Doc {
	d := func(id string, tenant int64, typ, title, body string, daysAgo int) search.Doc {
		return search.Doc{ID: id, TenantID: tenant, Type: typ, URL: "art/" + id, Title: title, Body: body,
			Column: "工作动态", Date: day.AddDate(0, 0, -daysAgo)}
	}
	return []search.Doc{
		d("a1", 1, search.TypeArticle, "县教育局召开2026年教育工作会议", "会议总结了全县教育工作，部署了脱贫攻坚与教育扶贫任务。", 1),
		d("a2", 1, search.TypeArticle, "县体育局举办全民健身活动", "活动中，教育系统干部职工积极参与。体育局有关负责同志出席。", 2),
		d("a3", 2, search.TypeArticle, "塘头镇推进产业扶贫", "塘头镇扶贫产业发展势头良好，群众增收明显。", 3),
		d("a4", 2, search.TypeArticle, "关于印发《思南县优化营商环境工作方案》的通知（思府发〔2026〕12号）", "现将方案印发给你们，请认真贯彻落实。", 4),
		d("a5", 3, search.TypeArticle, "关于印发《思南县政务公开工作要点》的通知（思府发〔2026〕13号）", "各乡镇、各部门要认真抓好落实。", 5),
		d("a6", 3, search.TypeArticle, "县政府网站完成IPv6改造", "门户网站及各子站全面支持ＩＰｖ６访问，2025年起实施。", 40),
		d("a7", 1, search.TypeLetter, "关于农村公路养护的来信及答复", "来信反映村道破损，县交通运输局已安排维修。扶贫项目资金依法使用。", 6),
		d("a8", 2, search.TypeDisclosure, "思南县2025年财政预算公开", "预算公开包括一般公共预算和政府性基金预算。<script>alert(1)</script>", 400),
		d("a9", 3, search.TypeInterview, "县长在线访谈：聚焦乡村振兴", "主持人：欢迎收看在线访谈。嘉宾介绍了乡村振兴和巩固脱贫攻坚成果同乡村振兴有效衔接的情况。", 7),
		d("a10", 1, search.TypeArticle, "教育部门开展局部调研", "教育、育局、教局等词语各不相同。", 8),
	}
}

// Run runs the suite on fresh indexes made by open.
func Run(t *testing.T, open func(t *testing.T) search.Index) {
	ctx := context.Background()
	load := func(t *testing.T) search.Index {
		t.Helper()
		idx := open(t)
		if err := idx.Upsert(ctx, corpus()...); err != nil {
			t.Fatal(err)
		}
		refresh(t, idx)
		return idx
	}

	t.Run("chinese precision and recall", func(t *testing.T) {
		idx := load(t)
		for _, c := range []struct {
			q    string
			want []string
		}{
			{"教育局", []string{"a1"}},            // not 体育局 + 教育, not 教育…局 apart
			{"扶贫", []string{"a1", "a3", "a7"}}, // every document that holds it
			{"脱贫攻坚", []string{"a1", "a9"}},
			{"体育局", []string{"a2"}},
			{"2026年", []string{"a1"}},
			{"IPv6", []string{"a6"}},
			{"ipv6", []string{"a6"}},
			{"ＩＰｖ６", []string{"a6"}}, // full width
			{"思府发〔2026〕12号", []string{"a4"}},
			{"思府发〔2026〕13号", []string{"a5"}},
			{"思府发2026", []string{"a4", "a5"}},
			{"乡村振兴 脱贫攻坚", []string{"a9"}}, // every word
			{"局", []string{"a1", "a2", "a7", "a10"}},
			{"没有这个词语", nil},
		} {
			res, err := search.Search(ctx, idx, search.Query{Text: c.q, Limit: 50})
			if err != nil {
				t.Fatalf("%q: %v", c.q, err)
			}
			if got := ids(res); !slices.Equal(got, sorted(c.want)) {
				t.Errorf("%q found %v, want %v", c.q, got, sorted(c.want))
			}
			if res.Total != len(c.want) {
				t.Errorf("%q: total %d, want %d", c.q, res.Total, len(c.want))
			}
		}
	})

	t.Run("filters", func(t *testing.T) {
		idx := load(t)
		check := func(name string, q search.Query, want ...string) {
			t.Helper()
			q.Limit = 50
			res, err := search.Search(ctx, idx, q)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if got := ids(res); !slices.Equal(got, sorted(want)) {
				t.Errorf("%s: found %v, want %v", name, got, sorted(want))
			}
		}
		check("tenant", search.Query{Text: "扶贫", Tenants: []int64{2}}, "a3")
		check("tenants", search.Query{Text: "扶贫", Tenants: []int64{1, 2}}, "a1", "a3", "a7")
		check("exclude", search.Query{Text: "扶贫", ExcludeTenants: []int64{1}}, "a3")
		check("type", search.Query{Text: "扶贫", Types: []string{search.TypeLetter}}, "a7")
		check("types", search.Query{Text: "思南县", Types: []string{search.TypeDisclosure, search.TypeInterview}}, "a8")
		check("from", search.Query{Text: "扶贫", From: day.AddDate(0, 0, -3)}, "a1", "a3")
		check("to", search.Query{Text: "扶贫", To: day.AddDate(0, 0, -2)}, "a3", "a7")
		check("range", search.Query{Text: "扶贫", From: day.AddDate(0, 0, -4), To: day.AddDate(0, 0, -2)}, "a3")

		// Metadata fields match whole, every one asked for.
		item := func(id, publisher, year string) search.Doc {
			return search.Doc{ID: id, TenantID: 2, Type: search.TypeDisclosure, URL: "disclosure/items/" + id, Title: "部门预算公开", Body: "本年度绩效目标",
				Date: day, Fields: []string{search.Field("publisher", publisher), search.Field("year", year)}}
		}
		if err := idx.Upsert(ctx, item("f1", "思南县财政局", "2026"), item("f2", "思南县教育局", "2026"), item("f3", "思南县财政局", "2025")); err != nil {
			t.Fatal(err)
		}
		refresh(t, idx)
		check("no field", search.Query{Text: "绩效目标"}, "f1", "f2", "f3")
		check("field", search.Query{Text: "绩效目标", Fields: []string{"publisher=思南县财政局"}}, "f1", "f3")
		check("fields", search.Query{Text: "绩效目标", Fields: []string{"publisher=思南县财政局", "year=2026"}}, "f1")
		check("field whole", search.Query{Text: "绩效目标", Fields: []string{"publisher=财政局"}})
		check("field and type", search.Query{Text: "绩效目标", Types: []string{search.TypeArticle}, Fields: []string{"year=2026"}})
	})

	t.Run("sort and pages", func(t *testing.T) {
		idx := load(t)
		res, err := search.Search(ctx, idx, search.Query{Text: "扶贫", Sort: search.ByTime, Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != 3 || len(res.Hits) != 2 || res.Hits[0].ID != "a1" || res.Hits[1].ID != "a3" {
			t.Errorf("by time, page 1: total %d hits %v", res.Total, hitIDs(res))
		}
		res, err = search.Search(ctx, idx, search.Query{Text: "扶贫", Sort: search.ByTime, Limit: 2, Offset: 2})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != 3 || len(res.Hits) != 1 || res.Hits[0].ID != "a7" {
			t.Errorf("by time, page 2: total %d hits %v", res.Total, hitIDs(res))
		}
		// Relevance: the title match first.
		res, err = search.Search(ctx, idx, search.Query{Text: "扶贫"})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) == 0 || res.Hits[0].ID != "a3" {
			t.Errorf("by relevance: %v, want a3 (扶贫 in its title) first", hitIDs(res))
		}
	})

	t.Run("facets", func(t *testing.T) {
		idx := load(t)
		res, err := search.Search(ctx, idx, search.Query{Text: "扶贫", Facets: true})
		if err != nil {
			t.Fatal(err)
		}
		if got := counts(res.Sites); got != "1:2 2:1" {
			t.Errorf("site facets %s", got)
		}
		if got := counts(res.Types); got != "article:2 letter:1" {
			t.Errorf("type facets %s", got)
		}
		// A filtered dimension still counts every value, so a page can
		// offer them; the other dimension counts within the filter.
		res, err = search.Search(ctx, idx, search.Query{Text: "扶贫", Facets: true, Tenants: []int64{2}})
		if err != nil {
			t.Fatal(err)
		}
		if got := counts(res.Sites); got != "1:2 2:1" {
			t.Errorf("site facets with a site filter %s", got)
		}
		if got := counts(res.Types); got != "article:1" {
			t.Errorf("type facets with a site filter %s", got)
		}
		res, err = search.Search(ctx, idx, search.Query{Text: "扶贫", Facets: true, Types: []string{search.TypeLetter}})
		if err != nil {
			t.Fatal(err)
		}
		if got := counts(res.Types); got != "article:2 letter:1" {
			t.Errorf("type facets with a type filter %s", got)
		}
		if got := counts(res.Sites); got != "1:1" {
			t.Errorf("site facets with a type filter %s", got)
		}
	})

	t.Run("upsert replaces, delete removes, both idempotent", func(t *testing.T) {
		idx := load(t)
		if err := idx.Upsert(ctx, corpus()...); err != nil {
			t.Fatal(err)
		}
		refresh(t, idx)
		if n, err := idx.Count(ctx); err != nil || n != len(corpus()) {
			t.Fatalf("after upserting twice: %d documents (%v), want %d", n, err, len(corpus()))
		}
		d := corpus()[2]
		d.Title, d.Body = "塘头镇推进茶产业发展", "茶园面积稳步扩大。"
		if err := idx.Upsert(ctx, d); err != nil {
			t.Fatal(err)
		}
		refresh(t, idx)
		expect(t, idx, "扶贫", "a1", "a7")
		expect(t, idx, "茶园", "a3")
		if err := idx.Delete(ctx, "a1", "a1", "nope"); err != nil {
			t.Fatal(err)
		}
		if err := idx.Delete(ctx, "a1"); err != nil {
			t.Fatal(err)
		}
		refresh(t, idx)
		expect(t, idx, "扶贫", "a7")
		if n, _ := idx.Count(ctx); n != len(corpus())-1 {
			t.Errorf("count %d after delete, want %d", n, len(corpus())-1)
		}
		got, err := idx.IDs(ctx, 2, search.TypeArticle)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, []string{"a3", "a4"}) {
			t.Errorf("IDs(2, article) = %v", got)
		}
		got, err = idx.IDs(ctx, 2, "")
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, []string{"a3", "a4", "a8"}) {
			t.Errorf("IDs(2, every type) = %v", got)
		}
	})

	t.Run("stored fields", func(t *testing.T) {
		idx := load(t)
		res, err := search.Search(ctx, idx, search.Query{Text: "营商环境"})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) != 1 {
			t.Fatalf("hits %v", hitIDs(res))
		}
		h, want := res.Hits[0], corpus()[3]
		if h.TenantID != want.TenantID || h.Type != want.Type || h.URL != want.URL || h.Title != want.Title ||
			h.Body != want.Body || h.Column != want.Column || !h.Date.Equal(want.Date) {
			t.Errorf("hit %+v\nwant %+v", h.Doc, want)
		}
	})

	t.Run("highlights", func(t *testing.T) {
		idx := load(t)
		res, err := search.Search(ctx, idx, search.Query{Text: "预算"})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Hits) != 1 {
			t.Fatalf("hits %v", hitIDs(res))
		}
		h := res.Hits[0]
		if !strings.Contains(string(h.TitleHTML), "<mark>预算</mark>") || !strings.Contains(string(h.Snippet), "<mark>预算</mark>") {
			t.Errorf("title %s, snippet %s", h.TitleHTML, h.Snippet)
		}
		if strings.Contains(string(h.Snippet), "<script") || !strings.Contains(string(h.Snippet), "&lt;script&gt;") {
			t.Errorf("snippet not escaped: %s", h.Snippet)
		}
	})

	t.Run("malformed queries", func(t *testing.T) {
		idx := load(t)
		for _, q := range []string{
			`"扶贫`, `扶贫"`, `“扶贫`, strings.Repeat("扶贫", 1000), strings.Repeat("a", 2000),
			"扶\x00贫\x1b[31m", "\u200b\u200e", `title:扶贫`, `+扶贫 -教育`, `扶贫 AND 教育 OR`, `*`, `?`, `扶贫~2`, `扶贫^10`,
			`(扶贫`, `{"query":{"match_all":{}}}`, `\`, `/.*/`, `[* TO *]`, "", "   ", "，。、", "\xff\xfe",
			`<script>alert(1)</script>`, `' OR 1=1 --`,
		} {
			res, err := search.Search(ctx, idx, search.Query{Text: q, Facets: true, Sort: search.ByTime})
			if err != nil {
				t.Errorf("%.40q: %v", q, err)
				continue
			}
			if len([]rune(res.Parsed.Text)) > search.MaxQueryRunes {
				t.Errorf("%.40q: parsed text of %d characters", q, len([]rune(res.Parsed.Text)))
			}
			for _, h := range res.Hits {
				if strings.Contains(string(h.TitleHTML)+string(h.Snippet), "<script") {
					t.Errorf("%.40q: unescaped script in a hit", q)
				}
			}
		}
		// Syntax is text: title:扶贫 is the words title and 扶贫.
		res, err := search.Search(ctx, idx, search.Query{Text: `{"query":{"match_all":{}}}`})
		if err != nil || res.Total != 0 {
			t.Errorf("an Elasticsearch query as text matched %d documents (%v)", res.Total, err)
		}
		res, err = search.Search(ctx, idx, search.Query{Text: `"扶贫`})
		if err != nil || res.Total != 3 {
			t.Errorf("an unbalanced quote: %d documents (%v), want 3", res.Total, err)
		}
	})
}

func refresh(t *testing.T, idx search.Index) {
	t.Helper()
	if r, ok := idx.(Refresher); ok {
		if err := r.Refresh(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

func expect(t *testing.T, idx search.Index, q string, want ...string) {
	t.Helper()
	res, err := search.Search(context.Background(), idx, search.Query{Text: q, Limit: 50})
	if err != nil {
		t.Fatalf("%q: %v", q, err)
	}
	if got := ids(res); !slices.Equal(got, sorted(want)) {
		t.Errorf("%q found %v, want %v", q, got, sorted(want))
	}
}

func ids(res *search.Result) []string {
	out := hitIDs(res)
	slices.Sort(out)
	return out
}

func hitIDs(res *search.Result) []string {
	out := []string{}
	for _, h := range res.Hits {
		out = append(out, h.ID)
	}
	return out
}

func sorted(xs []string) []string {
	out := append([]string{}, xs...)
	slices.Sort(out)
	return out
}

func counts(cs []search.Count) string {
	var parts []string
	for _, c := range cs {
		parts = append(parts, fmt.Sprintf("%s:%d", c.Key, c.Count))
	}
	slices.Sort(parts)
	return strings.Join(parts, " ")
}
