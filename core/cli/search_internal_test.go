package cli

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"yiwang/core/content"
	"yiwang/core/modules"
	"yiwang/core/search"
	"yiwang/core/store/storetest"
	"yiwang/tenants"
)

// TestModuleIndexer: a module's document handed to the plugin host's
// Indexer is searchable once the worker has run, and gone once removed.
func TestModuleIndexer(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	p := &platform{db: db, tenants: tenants.NewStore(db), content: content.NewStore(db)}
	idx, err := search.OpenBleve(filepath.Join(t.TempDir(), "idx"), search.BleveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	ix := searchForModules(p)
	if err := ix.Index(ctx, modules.Document{ID: "topics:3", Module: "topics", TenantID: 1, Type: "topic", Path: "topics/3",
		Title: "乡村振兴专题", Body: "专题介绍", Date: time.Now(), Tags: []string{"产业振兴", "publisher=思南县农业农村局"}}); err != nil {
		t.Fatal(err)
	}
	f := &search.Feeder{DB: db, Index: idx, Tenants: p.tenants, Articles: search.Articles{Content: p.content}}
	if _, err := f.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	res, err := search.Search(ctx, idx, search.Query{Text: "产业振兴"})
	if err != nil || res.Total != 1 || res.Hits[0].URL != "topics/3" || res.Hits[0].Type != "topic" {
		t.Fatalf("module document: %+v (%v)", res, err)
	}
	// A key=value tag is a field to filter by, and its value is a word.
	for _, c := range []struct {
		q      search.Query
		should int
	}{
		{search.Query{Text: "农业农村局"}, 1},
		{search.Query{Text: "乡村振兴", Fields: []string{"publisher=思南县农业农村局"}}, 1},
		{search.Query{Text: "乡村振兴", Fields: []string{"publisher=思南县教育局"}}, 0},
	} {
		if res, err := search.Search(ctx, idx, c.q); err != nil || res.Total != c.should {
			t.Errorf("%+v: %d hits (%v), want %d", c.q, res.Total, err, c.should)
		}
	}
	if err := ix.Remove(ctx, "topics:3"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if res, _ := search.Search(ctx, idx, search.Query{Text: "乡村振兴"}); res.Total != 0 {
		t.Errorf("removed module document still found")
	}
}
