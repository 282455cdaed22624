package content_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"yiwang/core"
	"yiwang/core/blob"
	"yiwang/core/blob/blobtest"
	"yiwang/core/content"
	"yiwang/core/store"
	"yiwang/core/store/storetest"
)

// fakeMP4 is n bytes that open with an MP4 ftyp box (not playable:
// ffprobe, when present, finds no picture in it).
func fakeMP4(seed uint64, n int) []byte {
	b := blobtest.Bytes(seed, n)
	copy(b, []byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00isommp42"))
	return b
}

func head(b []byte) []byte { return b[:min(len(b), 64<<10)] }

func TestIsMP4(t *testing.T) {
	tiny, err := os.ReadFile("testdata/tiny.mp4")
	must(t, err)
	for _, c := range []struct {
		name string
		b    []byte
		want bool
	}{
		{"ffmpeg's MP4", tiny, true},
		{"mp42 brand", fakeMP4(1, 100), true},
		{"compatible brand only", []byte("\x00\x00\x00\x18ftypXXXX\x00\x00\x00\x00avc1xxxx"), true},
		{"QuickTime", []byte("\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  "), false},
		{"a PDF renamed .mp4", []byte("%PDF-1.7 xxxxxxxxxxxxxxxxxx"), false},
		{"ftyp box of absurd size", []byte("\xff\x00\x00\x18ftypmp42\x00\x00\x00\x00isommp42"), false},
		{"too short", []byte("\x00\x00\x00\x18ftyp"), false},
	} {
		if got := content.IsMP4(c.b); got != c.want {
			t.Errorf("%s: IsMP4 = %v", c.name, got)
		}
	}
}

// uploadAll sends a whole file through a session, chunk by chunk.
func uploadAll(t *testing.T, k *desk, cfg content.UploadConfig, a content.Actor, s *content.UploadSession, data []byte) {
	t.Helper()
	for off := s.Received; off < int64(len(data)); {
		n := min(s.ChunkSize, int64(len(data))-off)
		var err error
		s, err = k.d.PutChunk(context.Background(), a, cfg, s.Token, off, n, bytes.NewReader(data[off:off+n]))
		must(t, err)
		off += n
	}
}

func TestVideoChunkedUpload(t *testing.T) {
	ctx := context.Background()
	eachStore(t, func(t *testing.T, st blob.Store) {
		storetest.Each(t, func(t *testing.T, db *store.DB) {
			k := newDesk(t, newFixture(t, db))
			cfg := content.UploadConfig{Store: st, TempDir: t.TempDir(), TenantQuota: 100 << 20}
			tiny, err := os.ReadFile("testdata/tiny.mp4")
			must(t, err)
			col := k.ownColumn(t, content.Column{TenantID: k.a.ID, Slug: "dsxw", Name: "电视新闻", Type: content.ColumnVideo})

			t.Run("a real MP4 in one chunk, probed when ffprobe is here", func(t *testing.T) {
				s, err := k.d.StartVideoUpload(ctx, k.editorA, cfg, "县新闻.mp4", int64(len(tiny)), head(tiny))
				must(t, err)
				uploadAll(t, k, cfg, k.editorA, s, tiny)
				v, err := k.d.FinishVideoUpload(ctx, k.editorA, cfg, s.Token, content.VideoInput{Title: "县新闻", Transcript: "各位观众，今天是乡村振兴专题。", ColumnID: col.ID})
				must(t, err)
				if v.File.MIME != "video/mp4" || v.File.Size != int64(len(tiny)) || v.Published {
					t.Errorf("video = %+v", v)
				}
				// Finished once: a second finish (a double click) stores nothing more.
				_, err = k.d.FinishVideoUpload(ctx, k.editorA, cfg, s.Token, content.VideoInput{Title: "县新闻"})
				wantCode(t, err, core.ENOTFOUND)
				if _, err := exec.LookPath("ffprobe"); err == nil {
					if v.DurationMS < 1500 || v.DurationMS > 2500 || v.Width != 160 || v.Height != 120 || v.PosterURL() == "" {
						t.Errorf("probe: %d ms %dx%d poster %q", v.DurationMS, v.Width, v.Height, v.PosterURL())
					}
				}
				o, err := st.Open(ctx, v.File.Path)
				must(t, err)
				got, _ := io.ReadAll(o)
				o.Close()
				if !bytes.Equal(got, tiny) {
					t.Error("stored video differs")
				}
				wantCode(t, k.d.SetVideoPublished(ctx, k.editorA, v.ID, true), core.EFORBID)
				must(t, k.d.SetVideoPublished(ctx, k.reviewerA, v.ID, true))
				vs, n, err := k.d.Videos(ctx, k.a.ID, col.ID, true, 10, 0)
				must(t, err)
				if n != 1 || vs[0].ID != v.ID {
					t.Errorf("public list = %d", n)
				}
				if _, err := k.d.Video(ctx, k.b.ID, v.ID, false); core.ErrorCode(err) != core.ENOTFOUND {
					t.Errorf("another tenant reads the video: %v", err)
				}
				var payload string
				must(t, db.GetContext(ctx, &payload, `SELECT payload FROM search_outbox WHERE ref = ? ORDER BY id DESC LIMIT 1`, "video:"+strconv.FormatInt(v.ID, 10)))
				if !strings.Contains(payload, "乡村振兴") || !strings.Contains(payload, "县新闻") {
					t.Errorf("search document = %s", payload)
				}
			})

			t.Run("chunks out of order, resumed, another file refused", func(t *testing.T) {
				data := fakeMP4(7, 2*content.ChunkSize+1234)
				s, err := k.d.StartVideoUpload(ctx, k.editorA, cfg, "长视频.mp4", int64(len(data)), head(data))
				must(t, err)
				// The second chunk first: refused, the server says where to go on.
				_, err = k.d.PutChunk(ctx, k.editorA, cfg, s.Token, s.ChunkSize, s.ChunkSize, bytes.NewReader(data[s.ChunkSize:2*s.ChunkSize]))
				wantCode(t, err, core.ECONFLICT)
				if !strings.Contains(core.ErrorMessage(err), "分片顺序不对") {
					t.Errorf("message = %q", core.ErrorMessage(err))
				}
				// A chunk cut off half way is not stored.
				_, err = k.d.PutChunk(ctx, k.editorA, cfg, s.Token, 0, s.ChunkSize, bytes.NewReader(data[:s.ChunkSize/2]))
				wantCode(t, err, core.EINVALID)
				s2, err := k.d.PutChunk(ctx, k.editorA, cfg, s.Token, 0, s.ChunkSize, bytes.NewReader(data[:s.ChunkSize]))
				must(t, err)
				// Resumed with a different file: refused.
				other := fakeMP4(8, len(data))
				_, err = k.d.ResumeVideoUpload(ctx, k.editorA, s.Token, "长视频.mp4", int64(len(other)), head(other))
				wantCode(t, err, core.ECONFLICT)
				if !strings.Contains(core.ErrorMessage(err), "不是同一个文件") {
					t.Errorf("message = %q", core.ErrorMessage(err))
				}
				// By another person, or from another tenant: not found.
				_, err = k.d.ResumeVideoUpload(ctx, k.bothA, s.Token, "长视频.mp4", int64(len(data)), head(data))
				wantCode(t, err, core.ENOTFOUND)
				_, err = k.d.ResumeVideoUpload(ctx, k.editorB, s.Token, "长视频.mp4", int64(len(data)), head(data))
				wantCode(t, err, core.ENOTFOUND)
				// Resumed with the same file: goes on after the first chunk.
				r, err := k.d.ResumeVideoUpload(ctx, k.editorA, s.Token, "长视频.mp4", int64(len(data)), head(data))
				must(t, err)
				if r.Received != s2.Received || r.Received != s.ChunkSize {
					t.Fatalf("resume at %d, want %d", r.Received, s.ChunkSize)
				}
				uploadAll(t, k, cfg, k.editorA, r, data)
				v, err := k.d.FinishVideoUpload(ctx, k.editorA, cfg, s.Token, content.VideoInput{Title: "长视频"})
				if _, perr := exec.LookPath("ffprobe"); perr == nil {
					// Random bytes after an ftyp box hold no picture.
					wantCode(t, err, core.EINVALID)
				} else {
					must(t, err)
					if v.File.Size != int64(len(data)) {
						t.Errorf("size %d", v.File.Size)
					}
				}
				var chunks int
				st.List(ctx, "tmp/", func(blob.Info) error { chunks++; return nil })
				if chunks != 0 {
					t.Errorf("%d chunks left in the store", chunks)
				}
			})

			t.Run("not a video, past the quota", func(t *testing.T) {
				notMP4 := []byte("%PDF-1.7 renamed to mp4 ........")
				_, err := k.d.StartVideoUpload(ctx, k.editorA, cfg, "假视频.mp4", int64(len(notMP4)), notMP4)
				wantCode(t, err, core.EINVALID)
				if !strings.Contains(core.ErrorMessage(err), "不是 MP4") {
					t.Errorf("message = %q", core.ErrorMessage(err))
				}
				big := fakeMP4(9, 64<<10)
				_, err = k.d.StartVideoUpload(ctx, k.editorA, cfg, "大.mp4", 200<<20, head(big))
				if core.ErrorCode(err) != core.EINVALID && !strings.Contains(core.ErrorMessage(err), "存储空间不足") {
					t.Errorf("past the quota: %v", err)
				}
				// Two uploads started together count against the quota at once.
				_, err = k.d.StartVideoUpload(ctx, k.editorA, cfg, "半.mp4", 60<<20, head(big))
				must(t, err)
				_, err = k.d.StartVideoUpload(ctx, k.editorA, cfg, "半.mp4", 60<<20, head(big))
				wantCode(t, err, core.EINVALID)
			})
		})
	})
}
