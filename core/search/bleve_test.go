package search_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"yiwang/core/search"
	"yiwang/core/search/searchtest"
)

func TestBleveConformance(t *testing.T) {
	for _, a := range []string{search.AnalysisPhrase, search.AnalysisSkip} {
		t.Run(a, func(t *testing.T) {
			searchtest.Run(t, func(t *testing.T) search.Index {
				idx, err := search.OpenBleve(filepath.Join(t.TempDir(), "idx"), search.BleveOptions{Analysis: a})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { idx.Close() })
				return idx
			})
		})
	}
}

func TestCachedConformance(t *testing.T) {
	searchtest.Run(t, func(t *testing.T) search.Index {
		idx, err := search.NewMemBleve("")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { idx.Close() })
		return search.NewCached(idx, 100, time.Minute)
	})
}

// TestColumnsFollowSegments: facet counts and time order come from
// per-segment columns read once; after many small batches (many segments,
// merged in the background), replacements that move a document to another
// site and date, and deletions, they still agree with the documents.
func TestColumnsFollowSegments(t *testing.T) {
	ctx := context.Background()
	idx, err := search.OpenBleve(filepath.Join(t.TempDir(), "idx"), search.BleveOptions{BatchSize: 25})
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	rng := rand.New(rand.NewPCG(7, 7))
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	docs := map[string]search.Doc{}
	put := func(id string) search.Doc {
		d := search.Doc{ID: id, TenantID: 1 + rng.Int64N(6), Type: []string{search.TypeArticle, search.TypeLetter, search.TypeTopic}[rng.IntN(3)],
			URL: id, Title: "乡村振兴工作简报 " + id, Body: "扶贫产业发展。", Date: base.Add(time.Duration(rng.IntN(1_000_000)) * time.Minute)}
		docs[id] = d
		return d
	}
	check := func(when string) {
		t.Helper()
		wantSites, wantTypes := map[string]int{}, map[string]int{}
		var newest []search.Doc
		for _, d := range docs {
			wantSites[strconv.FormatInt(d.TenantID, 10)]++
			wantTypes[d.Type]++
			newest = append(newest, d)
		}
		sort.Slice(newest, func(i, j int) bool {
			if !newest[i].Date.Equal(newest[j].Date) {
				return newest[i].Date.After(newest[j].Date)
			}
			return newest[i].ID < newest[j].ID
		})
		res, err := search.Search(ctx, idx, search.Query{Text: "乡村振兴", Facets: true, Sort: search.ByTime, Offset: 20, Limit: 30})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != len(docs) {
			t.Errorf("%s: total %d, want %d", when, res.Total, len(docs))
		}
		for _, c := range res.Sites {
			if wantSites[c.Key] != c.Count {
				t.Errorf("%s: site %s counted %d, want %d", when, c.Key, c.Count, wantSites[c.Key])
			}
		}
		for _, c := range res.Types {
			if wantTypes[c.Key] != c.Count {
				t.Errorf("%s: type %s counted %d, want %d", when, c.Key, c.Count, wantTypes[c.Key])
			}
		}
		if len(res.Sites) != len(wantSites) || len(res.Types) != len(wantTypes) {
			t.Errorf("%s: facets %v %v, want %v %v", when, res.Sites, res.Types, wantSites, wantTypes)
		}
		for i, h := range res.Hits {
			if w := newest[20+i]; h.ID != w.ID || !h.Date.Equal(w.Date) || h.TenantID != w.TenantID {
				t.Fatalf("%s: by time, hit %d is %s (%v, site %d), want %s (%v, site %d)", when, 20+i, h.ID, h.Date, h.TenantID, w.ID, w.Date, w.TenantID)
			}
		}
		if len(res.Hits) != 30 {
			t.Errorf("%s: %d hits on the page, want 30", when, len(res.Hits))
		}
	}

	// addBatches writes n batches of 25 new documents, checking after
	// every one that every says so.
	addBatches := func(prefix string, n, every int) {
		for b := 0; b < n; b++ {
			var batch []search.Doc
			for i := 0; i < 25; i++ {
				batch = append(batch, put(fmt.Sprintf("%s%d", prefix, b*25+i)))
			}
			if err := idx.Upsert(ctx, batch...); err != nil {
				t.Fatal(err)
			}
			if b%every == every-1 {
				check(fmt.Sprintf("after %d batches of %s", b+1, prefix))
			}
		}
	}
	addBatches("d", 40, 10)
	// Move a third of the documents to another site, type and date, and
	// delete a tenth.
	var moved []search.Doc
	var gone []string
	for i := 0; i < 1000; i++ {
		id := fmt.Sprintf("d%d", i)
		switch {
		case i%3 == 0:
			moved = append(moved, put(id))
		case i%10 == 1:
			delete(docs, id)
			gone = append(gone, id)
		}
	}
	if err := idx.Upsert(ctx, moved...); err != nil {
		t.Fatal(err)
	}
	if err := idx.Delete(ctx, gone...); err != nil {
		t.Fatal(err)
	}
	check("after replacements and deletions")
	// New segments after the ones with deleted documents: global numbers
	// past a deletion must still find their own segment's columns.
	addBatches("n", 5, 1)
	time.Sleep(2 * time.Second) // the merger's work
	check("after merging")
}

// An index whose mapping has no metadata fields (built by an earlier
// version) refuses a search by them rather than answering nothing.
func TestBleveWithoutFieldsMapping(t *testing.T) {
	dir := t.TempDir()
	idx, err := search.OpenBleve(dir, search.BleveOptions{Shards: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := idx.Search(context.Background(), search.Query{Text: "预算", Fields: []string{"year=2026"}}); err != nil {
		t.Fatalf("a new index: %v", err)
	}
	idx.Close()
	// Replace the shard by one built with the old mapping: the current
	// one less the fields property.
	shard := filepath.Join(dir, "shard-0")
	if err := os.RemoveAll(shard); err != nil {
		t.Fatal(err)
	}
	m, err := search.IndexMappingForTest(search.DefaultAnalysis)
	if err != nil {
		t.Fatal(err)
	}
	delete(m.DefaultMapping.Properties, "fields")
	old, err := bleve.New(shard, m)
	if err != nil {
		t.Fatal(err)
	}
	old.Close()
	idx, err = search.OpenBleve(dir, search.BleveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	if _, err := idx.Search(context.Background(), search.Query{Text: "预算", Fields: []string{"year=2026"}}); !errors.Is(err, search.ErrNoFields) {
		t.Fatalf("old index, search by field: %v, want ErrNoFields", err)
	}
	if _, err := idx.Search(context.Background(), search.Query{Text: "预算"}); err != nil {
		t.Fatalf("old index, plain search: %v", err)
	}
}
