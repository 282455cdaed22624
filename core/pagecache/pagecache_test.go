package pagecache_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"

	"yiwang/core/changes"
	"yiwang/core/pagecache"
)

var now = time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)

func entry(key string, tenant int64, path string, size int) *pagecache.Entry {
	return &pagecache.Entry{Key: key, TenantID: tenant, Path: path, Body: bytes.Repeat([]byte("x"), size), Expires: now.Add(time.Hour)}
}

// Memory is bounded by bytes: the least recently used page goes first,
// and a page larger than an eighth of the cache is not kept at all.
func TestEvictionBySize(t *testing.T) {
	c := pagecache.New(80_000)
	for i := range 7 {
		c.Put(entry(fmt.Sprint("p", i), 1, "/", 9_000), c.Generation())
	}
	c.Get("p0", now) // p0 is now the most recent
	c.Put(entry("p7", 1, "/", 9_000), c.Generation())
	c.Put(entry("p8", 1, "/", 9_000), c.Generation())
	if c.Get("p0", now) == nil {
		t.Error("the most recently read page was evicted")
	}
	if c.Get("p1", now) != nil {
		t.Error("the least recently used page is still there")
	}
	if s := c.Stats(); s.Bytes > s.MaxBytes || s.Evictions == 0 {
		t.Errorf("stats %+v", s)
	}
	if c.Put(entry("big", 1, "/", 11_000), c.Generation()) {
		t.Error("a page over an eighth of the cache was stored")
	}
}

// A change drops the pages it names and no others: a tenant's pages
// under a prefix, all of a tenant's, or every tenant's.
func TestInvalidation(t *testing.T) {
	cases := []struct {
		name    string
		tenant  int64
		prefix  string
		dropped []string
	}{
		{"one module of one site", 2, "/mailbox/", []string{"b-mailbox"}},
		{"all of one site", 2, "", []string{"b-home", "b-mailbox"}},
		{"every site", changes.AllTenants, "", []string{"a-home", "b-home", "b-mailbox"}},
		{"a prefix nobody has", 1, "/topics/", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := pagecache.New(1 << 20)
			c.Put(entry("a-home", 1, "/", 100), c.Generation())
			c.Put(entry("b-home", 2, "/", 100), c.Generation())
			c.Put(entry("b-mailbox", 2, "/mailbox/public/1", 100), c.Generation())
			c.Apply(changes.Change{TenantID: tc.tenant, Prefix: tc.prefix})
			for _, k := range []string{"a-home", "b-home", "b-mailbox"} {
				gone := c.Get(k, now) == nil
				want := false
				for _, d := range tc.dropped {
					want = want || d == k
				}
				if gone != want {
					t.Errorf("%s dropped %v, want %v", k, gone, want)
				}
			}
		})
	}
}

// A page drawn while a change was applied may show what was changed
// away: it is not stored.
func TestNoStoreAcrossAnInvalidation(t *testing.T) {
	c := pagecache.New(1 << 20)
	gen := c.Generation()
	c.Invalidate(1, "")
	if c.Put(entry("k", 1, "/", 10), gen) {
		t.Fatal("stored a page drawn before the change")
	}
}

// page is a handler that counts its calls and draws a page.
type page struct {
	calls  int
	body   string
	ttl    time.Duration
	header func(h http.Header)
}

func (p *page) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.calls++
	if p.ttl > 0 {
		pagecache.Cacheable(r, p.ttl)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if p.header != nil {
		p.header(w.Header())
	}
	_, _ = io.WriteString(w, p.body)
}

func get(c *pagecache.Cache, h http.Handler, p pagecache.Page, hdr map[string]string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, "http://portal.example/", nil)
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	c.Serve(w, r, p, h)
	return w
}

var anon = pagecache.Page{Key: "http://portal.example/", TenantID: 1, Path: "/", Anonymous: true}

func TestServe(t *testing.T) {
	body := strings.Repeat("<p>县政府门户网站，今日要闻。</p>", 200)
	t.Run("an anonymous page is drawn once", func(t *testing.T) {
		c, h := pagecache.New(1<<20), &page{body: body, ttl: time.Minute}
		first := get(c, h, anon, nil)
		second := get(c, h, anon, nil)
		if h.calls != 1 || first.Body.String() != body || second.Body.String() != body || second.Header().Get("X-Cache") != "hit" {
			t.Fatalf("calls %d, second %q", h.calls, second.Header().Get("X-Cache"))
		}
	})
	t.Run("a signed-in visitor's page is never stored", func(t *testing.T) {
		c, h := pagecache.New(1<<20), &page{body: "<p>张三，您好</p>", ttl: time.Minute}
		get(c, h, pagecache.Page{Key: anon.Key, TenantID: 1, Path: "/"}, nil)
		h.body = "<p>匿名</p>"
		if w := get(c, h, anon, nil); w.Body.String() != "<p>匿名</p>" || h.calls != 2 {
			t.Fatalf("an anonymous visitor got %q", w.Body.String())
		}
	})
	t.Run("a page that sets a cookie is not stored", func(t *testing.T) {
		c := pagecache.New(1 << 20)
		h := &page{body: body, ttl: time.Minute, header: func(h http.Header) { h.Add("Set-Cookie", "s=1") }}
		get(c, h, anon, nil)
		get(c, h, anon, nil)
		if h.calls != 2 {
			t.Fatalf("drawn %d times", h.calls)
		}
	})
	t.Run("a page not marked cacheable is drawn every time", func(t *testing.T) {
		c, h := pagecache.New(1<<20), &page{body: body}
		get(c, h, anon, nil)
		get(c, h, anon, nil)
		if h.calls != 2 {
			t.Fatalf("drawn %d times", h.calls)
		}
	})
	t.Run("a module declares its page public with a lifetime", func(t *testing.T) {
		c := pagecache.New(1 << 20)
		h := &page{body: body, header: func(h http.Header) { h.Set("Cache-Control", "public, max-age=60") }}
		get(c, h, anon, nil)
		get(c, h, anon, nil)
		if h.calls != 1 {
			t.Fatalf("drawn %d times", h.calls)
		}
	})
	t.Run("the page expires", func(t *testing.T) {
		c, h := pagecache.New(1<<20), &page{body: body, ttl: time.Nanosecond}
		get(c, h, anon, nil)
		time.Sleep(time.Millisecond)
		get(c, h, anon, nil)
		if h.calls != 2 {
			t.Fatalf("drawn %d times", h.calls)
		}
	})
}

// 304 when the browser's copy is current, for cached and uncached pages,
// by ETag (of any encoding) or by date; 200 when it is not.
func TestNotModified(t *testing.T) {
	body := strings.Repeat("<p>通知公告</p>", 300)
	for _, cached := range []bool{true, false} {
		t.Run(fmt.Sprint("cached=", cached), func(t *testing.T) {
			c, h := pagecache.New(1<<20), &page{body: body}
			p := anon
			if cached {
				h.ttl = time.Minute
			} else {
				p.Anonymous = false
			}
			first := get(c, h, p, map[string]string{"Accept-Encoding": "gzip"})
			tag, gzTag := strings.TrimSuffix(first.Header().Get("ETag"), `-gzip"`)+`"`, first.Header().Get("ETag")
			if !strings.HasSuffix(gzTag, `-gzip"`) {
				t.Fatalf("gzip tag %q", gzTag)
			}
			cases := []struct {
				name   string
				hdr    map[string]string
				status int
			}{
				{"the same tag", map[string]string{"If-None-Match": tag}, http.StatusNotModified},
				{"the gzip tag, asking for br", map[string]string{"If-None-Match": gzTag, "Accept-Encoding": "br"}, http.StatusNotModified},
				{"one of several tags", map[string]string{"If-None-Match": `"old", ` + tag}, http.StatusNotModified},
				{"another tag", map[string]string{"If-None-Match": `"old"`}, http.StatusOK},
				{"another tag wins over a current date", map[string]string{"If-None-Match": `"old"`, "If-Modified-Since": time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)}, http.StatusOK},
			}
			if cached {
				cases = append(cases,
					struct {
						name   string
						hdr    map[string]string
						status int
					}{"a current date", map[string]string{"If-Modified-Since": first.Header().Get("Last-Modified")}, http.StatusNotModified},
					struct {
						name   string
						hdr    map[string]string
						status int
					}{"an older date", map[string]string{"If-Modified-Since": now.Add(-24 * time.Hour).Format(http.TimeFormat)}, http.StatusOK})
			}
			for _, tc := range cases {
				w := get(c, h, p, tc.hdr)
				if w.Code != tc.status {
					t.Errorf("%s: %d, want %d", tc.name, w.Code, tc.status)
				}
				if w.Code == http.StatusNotModified && w.Body.Len() != 0 {
					t.Errorf("%s: a 304 with a body", tc.name)
				}
			}
		})
	}
}

// Every encoding carries the same page.
func TestCompressedBodiesEqual(t *testing.T) {
	body := strings.Repeat("<li><a href=\"/art/1\">思南县召开全县经济工作会议</a></li>", 400)
	for _, cached := range []bool{true, false} {
		c, h := pagecache.New(1<<20), &page{body: body}
		p := anon
		if cached {
			h.ttl = time.Minute
		} else {
			p.Anonymous = false
		}
		decode := map[string]func(io.Reader) (io.Reader, error){
			"":     func(r io.Reader) (io.Reader, error) { return r, nil },
			"gzip": func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) },
			"br":   func(r io.Reader) (io.Reader, error) { return brotli.NewReader(r), nil },
		}
		for _, enc := range []string{"", "gzip", "br", "gzip"} {
			w := get(c, h, p, map[string]string{"Accept-Encoding": enc})
			if got := w.Header().Get("Content-Encoding"); got != enc {
				t.Fatalf("cached=%v: asked %q, got %q", cached, enc, got)
			}
			if enc != "" && w.Body.Len() >= len(body)/4 {
				t.Errorf("cached=%v %s: %d bytes of %d", cached, enc, w.Body.Len(), len(body))
			}
			r, err := decode[enc](w.Body)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(r)
			if err != nil || string(got) != body {
				t.Fatalf("cached=%v %s: the page differs (%v)", cached, enc, err)
			}
			if w.Header().Get("Content-Length") == "" || !strings.Contains(w.Header().Get("Vary"), "Accept-Encoding") {
				t.Errorf("headers %v", w.Header())
			}
		}
	}
}

// A stream, a file or anything that is not a page goes through as it
// comes: nothing buffered, nothing stored.
func TestStreamsPassThrough(t *testing.T) {
	c := pagecache.New(1 << 20)
	flushed := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = io.WriteString(w, "data: 1\n\n")
		w.(http.Flusher).Flush()
		close(flushed)
	})
	w := httptest.NewRecorder()
	c.Serve(w, httptest.NewRequest(http.MethodGet, "/interview/events/1", nil), anon, h)
	<-flushed
	if !w.Flushed || w.Body.String() != "data: 1\n\n" || w.Header().Get("ETag") != "" {
		t.Fatalf("flushed %v, body %q, etag %q", w.Flushed, w.Body.String(), w.Header().Get("ETag"))
	}
	if c.Stats().Entries != 0 {
		t.Error("a stream was stored")
	}
}
