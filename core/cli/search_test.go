package cli_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"yiwang/core/content"
	"yiwang/core/demo"
	"yiwang/core/search"
	"yiwang/core/store"
	"yiwang/tenants"
)

func TestSearchReindex(t *testing.T) {
	clearEnv(t)
	data := filepath.Join(t.TempDir(), "data")
	mustRun(t, "tenants", "import", seedFile, "--data", data)
	ctx := context.Background()
	db, err := store.Open(ctx, "", data)
	if err != nil {
		t.Fatal(err)
	}
	ts, cs := tenants.NewStore(db), content.NewStore(db)
	list, err := ts.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n, err := demo.Seed(ctx, db, cs, list)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()

	r := mustRun(t, "search", "reindex", "--data", data)
	if !strings.Contains(r.stdout, "已重建") || !strings.Contains(r.stdout, "共 "+strconv.Itoa(n)+" 篇") {
		t.Errorf("reindex output: %s", r.stdout)
	}
	r = mustRun(t, "search", "reindex", "--tenant", "jyj", "--data", data)
	if !strings.Contains(r.stdout, "共 "+strconv.Itoa(n)+" 篇") {
		t.Errorf("reindex of one tenant: %s", r.stdout)
	}
	r = mustRun(t, "search", "reindex", "--fresh", "--data", data)
	if !strings.Contains(r.stdout, "共 "+strconv.Itoa(n)+" 篇") {
		t.Errorf("fresh reindex: %s", r.stdout)
	}
	if r := run(t, "search", "reindex", "--tenant", "nosuch", "--data", data); r.code == 0 {
		t.Error("reindex of an unknown tenant succeeded")
	}

	idx, err := search.OpenBleve(filepath.Join(data, "search"), search.BleveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := search.Search(ctx, idx, search.Query{Text: "思府发〔2026〕12号"})
	if err != nil || res.Total != 1 {
		t.Errorf("after reindex, the document number finds %d (%v), want 1", res.Total, err)
	}
	if r := run(t, "search", "reindex", "--fresh", "--data", data); r.code == 0 || !strings.Contains(r.stderr, "先停止服务") {
		t.Errorf("fresh reindex beside a server: exit %d, %s", r.code, r.stderr)
	}
	// With the index held (a running server), reindex asks through the outbox.
	r = mustRun(t, "search", "reindex", "--wait=false", "--data", data)
	if !strings.Contains(r.stdout, "已请求服务重建索引") {
		t.Errorf("reindex beside a server: %s", r.stdout)
	}
	idx.Close()
	db, err = store.Open(ctx, "", data)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var rows int
	if err := db.Get(&rows, `SELECT COUNT(*) FROM search_outbox WHERE kind = 'reindex'`); err != nil || rows != 1 {
		t.Errorf("%d reindex rows (%v), want 1", rows, err)
	}
}

func TestSearchGenCorpus(t *testing.T) {
	clearEnv(t)
	r := mustRun(t, "search", "gen-corpus", "--docs", "3")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines, want 3", len(lines))
	}
	var d search.Doc
	if err := json.Unmarshal([]byte(lines[0]), &d); err != nil || d.Validate() != nil || d.Body == "" {
		t.Errorf("first document %q: %v", lines[0], err)
	}
	if r := run(t, "search", "nosuch"); r.code != 2 {
		t.Errorf("unknown subcommand: exit %d", r.code)
	}
}
