package search_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/jmoiron/sqlx"
	"yiwang/core/content"
	"yiwang/core/demo"
	"yiwang/core/search"
	"yiwang/core/store"
	"yiwang/tenants"
)

// labelled is the labelled query set, built from the demo content: a
// document is relevant to a query when its title or text holds every word
// of the query (compared after width and case folding, nothing else). The
// set covers what the issue asks for: two-character words, longer words
// that share bigrams with other words (教育局 / 大局, 公安局), single
// characters, Latin and digits, document numbers, and two words together.
var labelled = []string{
	"扶贫", "脱贫攻坚", "教育", "教育局", "公安局", "大局", "2026年", "IPv6", "ipv6", "ＩＰｖ６",
	"思府发〔2026〕12号", "12号", "乡村振兴", "营商环境", "优化营商环境工作方案", "安全生产", "森林防火",
	"政务公开", "县长信箱", "信息公开", "塘头镇", "政策解读", "征求意见稿", "人民群众切身利益", "网站",
	"局", "镇", "茶",
	"扶贫 群众", "脱贫攻坚 乡村振兴", "教育局 通知", "2026年 工作方案", "安全生产 森林防火", "乡村振兴 产业",
}

// demoDocs seeds the demo content into a fresh database and returns it as
// search documents, through the same source the index is fed from.
var demoDocs = sync.OnceValues(func() ([]search.Doc, error) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "yiwang-search-quality")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	db, err := store.Open(ctx, "", dir)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if _, err := store.Migrate(ctx, db); err != nil {
		return nil, err
	}
	ts, cs := tenants.NewStore(db), content.NewStore(db)
	if err := ts.EnsureTemplate(ctx); err != nil {
		return nil, err
	}
	ts.OnCreate = func(ctx context.Context, tx *sqlx.Tx, t *tenants.Tenant) error {
		tpl, err := tenants.ReadTemplate(ctx, tx)
		if err != nil {
			return err
		}
		return cs.ApplyTemplate(ctx, tx, t, tpl)
	}
	rows, err := tenants.ParseSeed(bytes.NewReader(tenants.ReferenceSeed))
	if err != nil {
		return nil, err
	}
	if _, err := ts.Import(ctx, "test", rows); err != nil {
		return nil, err
	}
	list, err := ts.List(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := demo.Seed(ctx, db, cs, list); err != nil {
		return nil, err
	}
	var docs []search.Doc
	src := search.Articles{Content: cs}
	for _, t := range list {
		if err := src.Each(ctx, t.ID, func(d search.Doc) error { docs = append(docs, d); return nil }); err != nil {
			return nil, err
		}
	}
	return docs, nil
})

func foldText(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 0xFF01 && r <= 0xFF5E {
			r -= 0xFEE0
		}
		return unicode.ToLower(r)
	}, s)
}

func relevant(d search.Doc, q string) bool {
	text := foldText(d.Title + "\n" + d.Body)
	for _, w := range strings.Fields(q) {
		if !strings.Contains(text, foldText(w)) {
			return false
		}
	}
	return true
}

type prScore struct{ p, r float64 }

// measure indexes docs with the analysis and returns precision and recall
// per labelled query.
func measure(t testing.TB, analysisName string, docs []search.Doc) (map[string]prScore, time.Duration) {
	ctx := context.Background()
	idx, err := search.OpenBleve(t.TempDir()+"/idx", search.BleveOptions{Analysis: analysisName})
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	start := time.Now()
	if err := idx.Upsert(ctx, docs...); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	out := map[string]prScore{}
	for _, q := range labelled {
		want := map[string]bool{}
		for _, d := range docs {
			if relevant(d, q) {
				want[d.ID] = true
			}
		}
		if len(want) == 0 {
			t.Errorf("labelled query %q has no relevant demo document", q)
		}
		res, err := idx.Search(ctx, search.Query{Text: q, Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		found := map[string]bool{}
		for off := 0; off < res.Total; off += 100 {
			page, err := idx.Search(ctx, search.Query{Text: q, Limit: 100, Offset: off, Sort: search.ByTime})
			if err != nil {
				t.Fatal(err)
			}
			if off >= search.MaxOffset {
				break
			}
			for _, h := range page.Hits {
				found[h.ID] = true
			}
		}
		hit := 0
		for id := range found {
			if want[id] {
				hit++
			}
		}
		s := prScore{p: 1, r: float64(hit) / float64(len(want))}
		if res.Total > 0 {
			s.p = float64(hit) / float64(len(found))
		} else {
			s.p = 0
		}
		out[q] = s
	}
	return out, took
}

// TestQuality measures precision and recall of every analysis on the
// labelled set, and holds the platform's analysis to exact results.
func TestQuality(t *testing.T) {
	docs, err := demoDocs()
	if err != nil {
		t.Fatal(err)
	}
	analyses := []string{search.AnalysisSkip, search.AnalysisPhrase, search.AnalysisTrigram, search.AnalysisBigram, search.AnalysisCJK}
	scores := map[string]map[string]prScore{}
	var mu sync.Mutex
	for _, a := range analyses {
		s, took := measure(t, a, docs)
		mu.Lock()
		scores[a] = s
		mu.Unlock()
		t.Logf("%s: %d demo documents indexed in memory in %v", a, len(docs), took.Round(time.Millisecond))
	}
	// The table, for ARCHITECTURE.md.
	var b strings.Builder
	fmt.Fprintf(&b, "\n| query | relevant |")
	for _, a := range analyses {
		fmt.Fprintf(&b, " %s P / R |", a)
	}
	b.WriteString("\n|---|---|" + strings.Repeat("---|", len(analyses)) + "\n")
	for _, q := range labelled {
		n := 0
		for _, d := range docs {
			if relevant(d, q) {
				n++
			}
		}
		fmt.Fprintf(&b, "| %s | %d |", q, n)
		for _, a := range analyses {
			s := scores[a][q]
			fmt.Fprintf(&b, " %.3f / %.3f |", s.p, s.r)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "| **mean** | |")
	means := map[string]prScore{}
	for _, a := range analyses {
		var sp, sr float64
		for _, q := range labelled {
			sp += scores[a][q].p
			sr += scores[a][q].r
		}
		m := prScore{sp / float64(len(labelled)), sr / float64(len(labelled))}
		means[a] = m
		fmt.Fprintf(&b, " **%.3f / %.3f** |", m.p, m.r)
	}
	t.Log(b.String())

	// The platform's analysis: every relevant document found, exact on the
	// issue's examples, and at most a few false hits elsewhere (long words
	// whose parts occur apart). The phrase analysis is exact everywhere.
	exact := map[string]bool{"扶贫": true, "教育局": true, "2026年": true, "IPv6": true, "ＩＰｖ６": true,
		"思府发〔2026〕12号": true, "局": true, "脱贫攻坚": true, "公安局": true, "扶贫 群众": true}
	var bad []string
	for q, s := range scores[search.DefaultAnalysis] {
		if s.r < 1 || s.p < 0.95 || (exact[q] && s.p < 1) {
			bad = append(bad, fmt.Sprintf("%s P %.3f R %.3f", q, s.p, s.r))
		}
	}
	for q, s := range scores[search.AnalysisPhrase] {
		if s.p < 1 || s.r < 1 {
			bad = append(bad, fmt.Sprintf("phrase: %s P %.3f R %.3f", q, s.p, s.r))
		}
	}
	if m := means[search.DefaultAnalysis]; m.p < 0.995 || m.r < 1 {
		bad = append(bad, fmt.Sprintf("mean P %.3f R %.3f", m.p, m.r))
	}
	sort.Strings(bad)
	if len(bad) > 0 {
		t.Errorf("%s analysis falls short on: %s", search.DefaultAnalysis, strings.Join(bad, "; "))
	}

	// What a page shows is checked against the stored text: exact.
	idx, err := search.OpenBleve(t.TempDir()+"/idx", search.BleveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	if err := idx.Upsert(context.Background(), docs...); err != nil {
		t.Fatal(err)
	}
	for _, q := range labelled {
		res, err := search.Search(context.Background(), idx, search.Query{Text: q, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range res.Hits {
			if !relevant(h.Doc, q) {
				t.Errorf("%q: page shows %s, which does not hold it", q, h.ID)
			}
		}
	}
}
