package admin_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"yiwang/core/blob"
	"yiwang/core/blob/blobtest"
	"yiwang/core/content"
	"yiwang/core/store"
	"yiwang/core/store/storetest"
	"yiwang/core/web/admin"
	"yiwang/core/web/webtest"
)

// eachStore runs fn on a fresh local store and on a real S3 server.
func eachStore(t *testing.T, fn func(t *testing.T, st blob.Store)) {
	t.Run("local", func(t *testing.T) {
		st, err := blob.NewLocal(t.TempDir())
		webtest.Must(t, err)
		fn(t, st)
	})
	t.Run("s3", func(t *testing.T) { fn(t, blobtest.S3(t)) })
}

// videoFixture is the public site with the editorial room on st.
func videoFixture(t *testing.T, db *store.DB, st blob.Store) (*webtest.Fixture, *content.Desk, content.UploadConfig) {
	t.Helper()
	f := webtest.NewFixture(t, db)
	d := content.NewDesk(f.Content)
	cfg := content.UploadConfig{Store: st, TempDir: t.TempDir()}
	f.Srv.EnableEditorial(d, admin.EditorialOptions{Uploads: cfg})
	f.H = f.Srv.Handler()
	return f, d, cfg
}

// paddedMP4 is tiny.mp4 followed by a 'free' box of pad bytes: a valid
// MP4 of any size, made without encoding hundreds of megabytes.
func paddedMP4(t testing.TB, pad int64) io.Reader {
	tiny := webtest.TinyMP4(t)
	var hdr [8]byte
	binary.BigEndian.PutUint32(hdr[:4], uint32(pad+8))
	copy(hdr[4:], "free")
	return io.MultiReader(bytes.NewReader(tiny), bytes.NewReader(hdr[:]), blobtest.NewReader(42, pad))
}

// Range requests on a stored video: the first bytes, the middle, a
// suffix, an open end, and ranges past the end refused with 416; on
// both stores, streamed through the host.
func TestVideoRangeRequests(t *testing.T) {
	eachStore(t, func(t *testing.T, st blob.Store) {
		f, d, cfg := videoFixture(t, storetest.SQLite(t), st)
		data := webtest.TinyMP4(t)
		v := webtest.StoreVideo(t, f, d, cfg, data)
		srv := httptest.NewServer(f.H)
		defer srv.Close()
		u := srv.URL + "/site/jyj/" + v.URL()
		n := len(data)
		for _, c := range []struct {
			name, rng  string
			status     int
			from, to   int // the bytes expected, to exclusive
			contentRng string
		}{
			{"whole", "", 200, 0, n, ""},
			{"first bytes", "bytes=0-99", 206, 0, 100, fmt.Sprintf("bytes 0-99/%d", n)},
			{"middle", "bytes=5000-5999", 206, 5000, 6000, fmt.Sprintf("bytes 5000-5999/%d", n)},
			{"suffix", "bytes=-500", 206, n - 500, n, fmt.Sprintf("bytes %d-%d/%d", n-500, n-1, n)},
			{"open end", "bytes=18000-", 206, 18000, n, fmt.Sprintf("bytes 18000-%d/%d", n-1, n)},
			{"past the end", fmt.Sprintf("bytes=%d-", n+10), 416, 0, 0, fmt.Sprintf("bytes */%d", n)},
			{"backwards", "bytes=500-100", 416, 0, 0, ""},
			{"not a range", "bytes=abc", 416, 0, 0, ""},
		} {
			req, _ := http.NewRequest("GET", u, nil)
			if c.rng != "" {
				req.Header.Set("Range", c.rng)
			}
			resp, err := http.DefaultClient.Do(req)
			webtest.Must(t, err)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != c.status {
				t.Errorf("%s (%s): %d, want %d", c.name, c.rng, resp.StatusCode, c.status)
				continue
			}
			if c.contentRng != "" && resp.Header.Get("Content-Range") != c.contentRng {
				t.Errorf("%s: Content-Range %q, want %q", c.name, resp.Header.Get("Content-Range"), c.contentRng)
			}
			if c.status < 300 {
				if !bytes.Equal(body, data[c.from:c.to]) {
					t.Errorf("%s: %d bytes, not the file's %d–%d", c.name, len(body), c.from, c.to)
				}
				if resp.Header.Get("Content-Type") != "video/mp4" || resp.Header.Get("Accept-Ranges") != "bytes" {
					t.Errorf("%s: headers %v", c.name, resp.Header)
				}
			}
		}
		// The public pages: the column's list with the poster, the video's page.
		for _, path := range []string{"/site/jyj/col/dsxw/", fmt.Sprintf("/site/jyj/video/%d", v.ID)} {
			resp, err := http.Get(srv.URL + path)
			webtest.Must(t, err)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !strings.Contains(string(body), "思南新闻联播") {
				t.Errorf("%s: %d", path, resp.StatusCode)
			}
		}
		// Another tenant's site does not serve jyj's video.
		resp, err := http.Get(srv.URL + "/site/mzj/" + v.URL())
		webtest.Must(t, err)
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Errorf("jyj's video on mzj: %d", resp.StatusCode)
		}
	})
}

// chunkClient speaks the video console's upload protocol as
// static/video-upload.js does, over raw connections so that a test can
// cut one off in the middle of a chunk.
type chunkClient struct {
	t       *testing.T
	addr    string // 127.0.0.1:port
	host    string // jyj.localhost:port
	cookie  string
	csrf    string
	origin  string
	payload func(off, n int64) io.Reader
}

type answer struct {
	Status    int
	OK        bool   `json:"ok"`
	Error     string `json:"error"`
	Token     string `json:"token"`
	ChunkSize int64  `json:"chunk_size"`
	Received  int64  `json:"received"`
	URL       string `json:"url"`
}

// send posts body (n bytes, of which only cut are written when cut <
// n, and the connection then closed) and reads the JSON answer.
func (c *chunkClient) send(path string, hdr map[string]string, body io.Reader, n, cut int64) (answer, error) {
	conn, err := net.Dial("tcp", c.addr)
	if err != nil {
		return answer{}, err
	}
	defer conn.Close()
	w := bufio.NewWriterSize(conn, 1<<20)
	fmt.Fprintf(w, "POST %s HTTP/1.1\r\nHost: %s\r\nCookie: yw_session=%s\r\nX-CSRF-Token: %s\r\nOrigin: %s\r\nSec-Fetch-Site: same-origin\r\nContent-Length: %d\r\nConnection: close\r\n",
		path, c.host, c.cookie, c.csrf, c.origin, n)
	for k, v := range hdr {
		fmt.Fprintf(w, "%s: %s\r\n", k, v)
	}
	w.WriteString("\r\n")
	if cut < n {
		io.CopyN(w, body, cut)
		w.Flush()
		return answer{}, io.ErrUnexpectedEOF // the connection drops here
	}
	if _, err := io.Copy(w, body); err != nil {
		return answer{}, err
	}
	if err := w.Flush(); err != nil {
		return answer{}, err
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	var a answer
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		return answer{}, fmt.Errorf("%s: %d, not JSON: %w", path, resp.StatusCode, err)
	}
	a.Status = resp.StatusCode
	return a, nil
}

// A 300 MB video uploaded in chunks over HTTP: a connection dropped in
// the middle of a chunk, resumed from what the server has; a chunk out
// of order and a resume with another file refused in Chinese; the
// stored file is the one sent, served with ranges.
func TestLargeVideoUploadResumed(t *testing.T) {
	if testing.Short() {
		t.Skip("300 MB upload")
	}
	const pad = 300 << 20
	st, err := blob.NewLocal(t.TempDir())
	webtest.Must(t, err)
	db := storetest.SQLite(t)
	e := webtest.NewSSOEnv(t, db)
	d := content.NewDesk(content.NewStore(db))
	e.Srv.EnableEditorial(d, admin.EditorialOptions{Uploads: content.UploadConfig{Store: st, TempDir: t.TempDir()}})
	editor := e.Browser(t)
	editor.LoginDemo("editor")
	tok := editor.CSRF(e.JYJ + "/admin/videos/")
	cookie := editor.Cookie(e.JYJ, "yw_session")
	if cookie == nil || tok == "" {
		t.Fatal("editor has no session or token on jyj")
	}
	c := &chunkClient{t: t, addr: e.Addr, host: strings.TrimPrefix(e.JYJ, "http://"), cookie: cookie.Value, csrf: tok, origin: e.JYJ}
	size := int64(len(webtest.TinyMP4(t))) + 8 + pad
	file := func() io.Reader { return paddedMP4(t, pad) }
	at := func(off, n int64) io.Reader {
		r := file()
		io.CopyN(io.Discard, r, off)
		return io.LimitReader(r, n)
	}
	head, _ := io.ReadAll(at(0, 64<<10))
	fileHdr := map[string]string{"X-File-Name": "%E5%8E%BF%E6%96%B0%E9%97%BB.mp4", "X-File-Size": strconv.FormatInt(size, 10)}
	base := "/admin/videos/uploads"

	// Not a video: refused before a byte of it is sent.
	notMP4 := append([]byte("%PDF-1.7\n"), make([]byte, 1000)...)
	a, err := c.send(base, map[string]string{"X-File-Name": "x.mp4", "X-File-Size": "1009"}, bytes.NewReader(notMP4), 1009, 1009)
	webtest.Must(t, err)
	if a.Status != 400 || !strings.Contains(a.Error, "不是 MP4") {
		t.Errorf("a PDF named .mp4: %d %q", a.Status, a.Error)
	}

	start := time.Now()
	s, err := c.send(base, fileHdr, bytes.NewReader(head), int64(len(head)), int64(len(head)))
	webtest.Must(t, err)
	if !s.OK {
		t.Fatalf("start: %+v", s)
	}
	chunk := s.ChunkSize
	path := func(op string) string { return base + "/" + s.Token + "/" + op }
	off := int64(0)
	dropped, outOfOrder := false, false
	for off < size {
		n := min(chunk, size-off)
		if off == 10*chunk && !dropped {
			// The connection drops half way through this chunk.
			dropped = true
			_, err := c.send(path("chunk")+"?offset="+strconv.FormatInt(off, 10), nil, at(off, n), n, n/2)
			if err == nil {
				t.Fatal("the cut request was answered")
			}
			// The browser asks where to go on: at the last whole chunk.
			r, err := c.send(path("resume"), fileHdr, bytes.NewReader(head), int64(len(head)), int64(len(head)))
			webtest.Must(t, err)
			if !r.OK || r.Received != off {
				t.Fatalf("after the drop the server has %d, want %d (%+v)", r.Received, off, r)
			}
			continue
		}
		if off == 20*chunk && !outOfOrder {
			outOfOrder = true
			r, err := c.send(path("chunk")+"?offset="+strconv.FormatInt(off+chunk, 10), nil, at(off+chunk, chunk), chunk, chunk)
			webtest.Must(t, err)
			if r.Status != 409 || !strings.Contains(r.Error, "分片顺序不对") || r.Received != off {
				t.Errorf("chunk out of order: %+v", r)
			}
			other := append([]byte(nil), head...)
			other[len(other)-1] ^= 0xff
			r, err = c.send(path("resume"), fileHdr, bytes.NewReader(other), int64(len(other)), int64(len(other)))
			webtest.Must(t, err)
			if r.Status != 409 || !strings.Contains(r.Error, "不是同一个文件") {
				t.Errorf("resume with another file: %+v", r)
			}
		}
		r, err := c.send(path("chunk")+"?offset="+strconv.FormatInt(off, 10), nil, at(off, n), n, n)
		webtest.Must(t, err)
		if !r.OK {
			t.Fatalf("chunk at %d: %+v", off, r)
		}
		off = r.Received
	}
	form := "csrf=" + tok + "&title=" + "%E5%8E%BF%E6%96%B0%E9%97%BB" + "&description=&transcript=&column=0"
	r, err := c.sendForm(path("finish"), form)
	webtest.Must(t, err)
	if !r.OK {
		t.Fatalf("finish: %+v", r)
	}
	elapsed := time.Since(start)
	t.Logf("%d MB uploaded in %d chunks of %d MB in %v (%.0f MB/s), one drop resumed", size>>20, (size+chunk-1)/chunk, chunk>>20, elapsed.Round(time.Millisecond), float64(size>>20)/elapsed.Seconds())

	// The stored file is the one sent: digest against a fresh stream.
	var sha string
	webtest.Must(t, db.GetContext(context.Background(), &sha, `SELECT sha256 FROM attachments WHERE mime = 'video/mp4'`))
	h := newSHA()
	io.Copy(h, file())
	if got := fmt.Sprintf("%x", h.Sum(nil)); got != sha {
		t.Errorf("stored digest %s, the file's %s", sha, got)
	}
	var chunks int
	st.List(context.Background(), "tmp/", func(blob.Info) error { chunks++; return nil })
	if chunks != 0 {
		t.Errorf("%d chunks left behind", chunks)
	}
}

func (c *chunkClient) sendForm(path, form string) (answer, error) {
	return c.send(path, map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, strings.NewReader(form), int64(len(form)), int64(len(form)))
}

// A video in an article plays in a real Chromium: the <video> element
// of the published article reaches HAVE_CURRENT_DATA (readyState ≥ 2),
// fetched from the store through the host with ranges.
func TestVideoInArticlePlaysInChromium(t *testing.T) {
	f, d, cfg := videoFixture(t, storetest.SQLite(t), webtest.LocalBlobs(t))
	v := webtest.StoreVideo(t, f, d, cfg, webtest.TinyMP4(t))
	tag := `<p>本台消息。</p><video controls preload="auto" src="/site/jyj/` + v.URL() + `"`
	if p := v.PosterURL(); p != "" {
		tag += ` poster="/site/jyj/` + p + `"`
	}
	tag += `></video>`
	a := f.Publish(t, "jyj", "gzdt", content.Article{Title: "视频新闻", Body: tag})
	if !strings.Contains(string(a.HTML()), "<video") {
		t.Fatalf("the article lost its video: %s", a.HTML())
	}
	srv := httptest.NewServer(f.H)
	defer srv.Close()
	ctx := webtest.Chromium(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/site/jyj/art/"+strconv.FormatInt(a.ID, 10)), chromedp.WaitVisible("video")); err != nil {
		t.Fatal(err)
	}
	var state int
	var errCode int
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		got, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`(() => { const v = document.querySelector("video"); return [v.readyState, v.error ? v.error.code : 0]; })()`))
		if err != nil {
			t.Fatal(err)
		}
		state, errCode = got[0], got[1]
		if state >= 2 || errCode != 0 {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if state < 2 {
		t.Fatalf("the video's readyState is %d (media error %d), want ≥ 2", state, errCode)
	}
}

// Fifty people watching a 32 MB video at once through the host: the
// host's heap stays flat (a read buffer per stream, never a file), on
// both stores.
func TestStreamingMemoryStaysFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("50 streams")
	}
	eachStore(t, func(t *testing.T, st blob.Store) {
		f, d, cfg := videoFixture(t, storetest.SQLite(t), st)
		const pad = 32 << 20
		data, _ := io.ReadAll(paddedMP4(t, pad))
		v := webtest.StoreVideo(t, f, d, cfg, data)
		data = nil
		srv := httptest.NewServer(f.H)
		defer srv.Close()
		u := srv.URL + "/site/jyj/" + v.URL()
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		var peak atomic.Uint64
		stop := make(chan struct{})
		go func() {
			var m runtime.MemStats
			for {
				select {
				case <-stop:
					return
				case <-time.After(20 * time.Millisecond):
				}
				runtime.ReadMemStats(&m)
				if m.HeapInuse > peak.Load() {
					peak.Store(m.HeapInuse)
				}
			}
		}()
		tr := &http.Transport{MaxIdleConnsPerHost: 64}
		defer tr.CloseIdleConnections()
		client := &http.Client{Transport: tr}
		var wg sync.WaitGroup
		var total atomic.Int64
		started := time.Now()
		for i := range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequest("GET", u, nil)
				if i%2 == 1 {
					req.Header.Set("Range", "bytes="+strconv.Itoa(i<<20)+"-") // seeking viewers
				}
				resp, err := client.Do(req)
				if err != nil {
					t.Error(err)
					return
				}
				n, _ := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				total.Add(n)
			}()
		}
		wg.Wait()
		close(stop)
		elapsed := time.Since(started)
		grew := int64(peak.Load()) - int64(before.HeapInuse)
		t.Logf("%s: 50 streams, %d MB sent in %v (%.0f MB/s); heap in use %d MB before, peak %d MB (+%d MB)", st.Name(),
			total.Load()>>20, elapsed.Round(time.Millisecond), float64(total.Load()>>20)/elapsed.Seconds(), before.HeapInuse>>20, peak.Load()>>20, grew>>20)
		// One whole copy of the file per stream would be 1.6 GB; the
		// bound is far below one copy for each.
		if grew > 200<<20 {
			t.Errorf("the heap grew by %d MB while streaming", grew>>20)
		}
	})
}

func newSHA() hash.Hash { return sha256.New() }

// With signed URLs on, a video on S3 is a redirect to a short-lived URL
// the browser reads with ranges; the host streams nothing.
func TestSignedVideoURL(t *testing.T) {
	st := blobtest.S3(t)
	f := webtest.NewFixture(t, storetest.SQLite(t))
	d := content.NewDesk(f.Content)
	cfg := content.UploadConfig{Store: st, TempDir: t.TempDir()}
	f.Srv.EnableEditorial(d, admin.EditorialOptions{Uploads: cfg, SignedVideoURLs: true})
	f.H = f.Srv.Handler()
	data := webtest.TinyMP4(t)
	v := webtest.StoreVideo(t, f, d, cfg, data)
	srv := httptest.NewServer(f.H)
	defer srv.Close()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(srv.URL + "/site/jyj/" + v.URL())
	webtest.Must(t, err)
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.Contains(loc, "X-Amz-Signature=") || !strings.Contains(loc, "X-Amz-Expires=900") {
		t.Fatalf("video with signed URLs: %d %s", resp.StatusCode, loc)
	}
	req, _ := http.NewRequest("GET", loc, nil)
	req.Header.Set("Range", "bytes=-100")
	resp, err = http.DefaultClient.Do(req)
	webtest.Must(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 206 || !bytes.Equal(body, data[len(data)-100:]) {
		t.Errorf("signed URL with a suffix range: %d, %d bytes", resp.StatusCode, len(body))
	}
	// The poster (an image) is still streamed by the host.
	if p := v.PosterURL(); p != "" {
		resp, err := c.Get(srv.URL + "/site/jyj/" + p)
		webtest.Must(t, err)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("poster: %d", resp.StatusCode)
		}
	}
}
