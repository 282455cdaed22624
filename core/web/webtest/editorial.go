package webtest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"yiwang/core/blob"
	"yiwang/core/content"
	"yiwang/core/store"
	"yiwang/core/web/admin"
	"yiwang/tenants"
)

// The editorial console's fixtures: a platform with it, the blob store of
// a test, a tiny video and a published one.

// here is the folder of this file, for the test data of other packages.
func here() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(file)
}

// EditorialEnv is the sign-on platform with the editorial console on.
func EditorialEnv(t *testing.T, db *store.DB) (*SSOEnv, *content.Desk) {
	t.Helper()
	e := NewSSOEnv(t, db)
	return e, EnableEditorial(t, e)
}

// EnableEditorial turns the editorial console on in e, over a desk of
// its database and a blob store in a folder of t's.
func EnableEditorial(t *testing.T, e *SSOEnv) *content.Desk {
	t.Helper()
	d := content.NewDesk(content.NewStore(e.DB))
	e.Srv.EnableEditorial(d, admin.EditorialOptions{Uploads: content.UploadConfig{Store: LocalBlobs(t), TempDir: t.TempDir()}})
	return d
}

// TinyMP4 is a two-second H.264/AAC MP4 made with ffmpeg (160×120).
func TinyMP4(t testing.TB) []byte {
	b, err := os.ReadFile(filepath.Join(here(), "..", "..", "content", "testdata", "tiny.mp4"))
	Must(t, err)
	return b
}

// videoActors are an editor and a reviewer of a tenant, for the desk.
type videoActors struct{ editor, reviewer content.Actor }

func videoActorsOf(t *testing.T, f *Fixture, code string) videoActors {
	tn, err := f.Tenants.ByCode(context.Background(), code)
	Must(t, err)
	return videoActors{
		editor:   content.Actor{TenantID: tn.ID, UserID: 1, Name: "编辑", Roles: []tenants.Role{tenants.Citizen, tenants.Editor}},
		reviewer: content.Actor{TenantID: tn.ID, UserID: 2, Name: "审核", Roles: []tenants.Role{tenants.Citizen, tenants.Reviewer}},
	}
}

// StoreVideo uploads data through the desk in chunks and publishes it
// in a new 电视新闻 column of jyj.
func StoreVideo(t *testing.T, f *Fixture, d *content.Desk, cfg content.UploadConfig, data []byte) *content.Video {
	t.Helper()
	ctx := context.Background()
	a := videoActorsOf(t, f, "jyj")
	tn, _ := f.Tenants.ByCode(ctx, "jyj")
	col := content.Column{TenantID: tn.ID, Slug: "dsxw", Name: "电视新闻", Type: content.ColumnVideo}
	if c, err := f.Content.Column(ctx, tn.ID, "dsxw"); err == nil {
		col = *c
	} else {
		Must(t, f.Content.CreateColumn(ctx, f.DB, &col))
	}
	s, err := d.StartVideoUpload(ctx, a.editor, cfg, "县新闻联播.mp4", int64(len(data)), data[:min(len(data), 64<<10)])
	Must(t, err)
	for off := int64(0); off < s.Size; off += s.ChunkSize {
		n := min(s.ChunkSize, s.Size-off)
		_, err := d.PutChunk(ctx, a.editor, cfg, s.Token, off, n, bytes.NewReader(data[off:off+n]))
		Must(t, err)
	}
	v, err := d.FinishVideoUpload(ctx, a.editor, cfg, s.Token, content.VideoInput{Title: "思南新闻联播", Description: "本期要闻", Transcript: "各位观众，晚上好。", ColumnID: col.ID})
	Must(t, err)
	Must(t, d.SetVideoPublished(ctx, a.reviewer, v.ID, true))
	return v
}

// LocalBlobs is a blob store in a folder of t's.
func LocalBlobs(t *testing.T) blob.Store {
	st, err := blob.NewLocal(t.TempDir())
	Must(t, err)
	return st
}
