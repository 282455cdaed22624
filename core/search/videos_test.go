package search_test

import (
	"bytes"
	"context"
	"os"
	"slices"
	"strconv"
	"testing"

	"yiwang/core/blob"
	"yiwang/core/content"
	"yiwang/core/search"
	"yiwang/core/store/storetest"
	"yiwang/tenants"
)

// A published video is found by its transcript, through the outbox
// when it is published and through a rebuild; taken down, it goes.
func TestVideosAreSearchDocuments(t *testing.T) {
	ctx := context.Background()
	db := storetest.SQLite(t)
	fx := newFixture(t, db)
	idx := fx.index(t)
	defer idx.Close()
	d := content.NewDesk(fx.content)
	feed := fx.feeder(idx)
	feed.Sources = []search.Source{feed.Articles, search.Videos{Desk: d}}
	st, err := blob.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cfg := content.UploadConfig{Store: st, TempDir: t.TempDir()}
	ed := content.Actor{TenantID: fx.dept.ID, UserID: 1, Roles: []tenants.Role{tenants.Editor}}
	rv := content.Actor{TenantID: fx.dept.ID, UserID: 2, Roles: []tenants.Role{tenants.Reviewer}}
	col := content.Column{TenantID: fx.dept.ID, Slug: "dsxw", Name: "电视新闻", Type: content.ColumnVideo}
	if err := fx.content.CreateColumn(ctx, db, &col); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("../content/testdata/tiny.mp4")
	if err != nil {
		t.Fatal(err)
	}
	s, err := d.StartVideoUpload(ctx, ed, cfg, "a.mp4", int64(len(data)), data)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.PutChunk(ctx, ed, cfg, s.Token, 0, int64(len(data)), bytesReader(data)); err != nil {
		t.Fatal(err)
	}
	v, err := d.FinishVideoUpload(ctx, ed, cfg, s.Token, content.VideoInput{Title: "思南新闻联播", Transcript: "今天，全县茶叶采摘进入旺季。", ColumnID: col.ID})
	if err != nil {
		t.Fatal(err)
	}
	find := func() []string {
		t.Helper()
		if _, err := feed.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		res, err := search.Search(ctx, idx, search.Query{Text: "茶叶采摘", Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, h := range res.Hits {
			ids = append(ids, h.ID)
		}
		return ids
	}
	id := "video:" + strconv.FormatInt(v.ID, 10)
	if got := find(); len(got) != 0 {
		t.Fatalf("an unpublished video is found: %v", got)
	}
	if err := d.SetVideoPublished(ctx, rv, v.ID, true); err != nil {
		t.Fatal(err)
	}
	if got := find(); !slices.Equal(got, []string{id}) {
		t.Fatalf("after publishing: %v", got)
	}
	if err := idx.Delete(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := feed.Rebuild(ctx, fx.dept.ID, "", nil); err != nil {
		t.Fatal(err)
	}
	if got := find(); !slices.Equal(got, []string{id}) {
		t.Fatalf("after a rebuild: %v", got)
	}
	if err := d.SetVideoPublished(ctx, rv, v.ID, false); err != nil {
		t.Fatal(err)
	}
	if got := find(); len(got) != 0 {
		t.Fatalf("a video taken down is found: %v", got)
	}
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
