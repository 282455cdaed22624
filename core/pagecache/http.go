package pagecache

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/andybalholm/brotli"
)

// MaxTTL bounds how long any page is kept: invalidation is precise, the
// bound only limits the harm of a change written past the feed.
const MaxTTL = 10 * time.Minute

// maxBuffered is the largest response buffered for a validator or the
// cache; larger ones (a module's file) stream through untouched.
const maxBuffered = 4 << 20

// Page says how the cache sees one GET or HEAD.
type Page struct {
	Key       string // the page's identity: host, path, normalised query, the cookies that change it
	TenantID  int64
	Site      string // the tenant's code, for the metrics' label
	Path      string // site-relative, for prefix invalidation
	Anonymous bool   // only anonymous pages are looked up and stored
}

type slotKey struct{}

type slot struct{ ttl time.Duration }

// Cacheable marks the page being answered to r as one the cache may keep
// for ttl (bounded by MaxTTL), when it is anonymous and answered 200
// without a cookie.
func Cacheable(r *http.Request, ttl time.Duration) {
	if s, ok := r.Context().Value(slotKey{}).(*slot); ok {
		s.ttl = min(ttl, MaxTTL)
	}
}

// Serve answers r from the cache or through next. Every buffered page
// gets an ETag and a 304 when the browser holds it, and is compressed as
// the browser accepts; an anonymous page marked Cacheable (or declared
// "Cache-Control: public, max-age=N" by a module) is stored with its
// compressed forms.
func (c *Cache) Serve(w http.ResponseWriter, r *http.Request, p Page, next http.Handler) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		next.ServeHTTP(w, r)
		return
	}
	now := time.Now()
	if p.Anonymous {
		if e := c.Get(p.Key, now); e != nil {
			r.Pattern = e.Pattern
			w.Header().Set("X-Cache", "hit")
			write(w, r, e, http.StatusOK, "public, no-cache")
			return
		}
	}
	gen := c.Generation()
	sl := &slot{}
	rec := &recorder{w: w}
	rr := r.WithContext(context.WithValue(r.Context(), slotKey{}, sl))
	next.ServeHTTP(rec, rr)
	r.Pattern = rr.Pattern // the route label of the metrics
	if rec.passing {
		return
	}
	h := w.Header()
	if !rec.wrote {
		rec.status = http.StatusOK
	}
	body := rec.buf.Bytes()
	if rec.status != http.StatusOK {
		h.Del("Content-Length")
		w.WriteHeader(rec.status)
		if r.Method != http.MethodHead {
			_, _ = w.Write(body)
		}
		return
	}
	e := &Entry{Key: p.Key, TenantID: p.TenantID, Site: p.Site, Path: p.Path, Pattern: rr.Pattern, ContentType: h.Get("Content-Type"), Body: body, ETag: etag(body)}
	if lm, err := http.ParseTime(h.Get("Last-Modified")); err == nil {
		e.Modified = lm
	}
	ttl := sl.ttl
	cc := strings.ToLower(h.Get("Cache-Control"))
	if ttl == 0 {
		ttl = declaredTTL(cc)
	}
	if p.Anonymous && ttl > 0 && len(h.Values("Set-Cookie")) == 0 && !strings.Contains(cc, "private") && !strings.Contains(cc, "no-store") {
		if e.Modified.IsZero() {
			e.Modified = now.UTC().Truncate(time.Second)
		}
		e.Expires = now.Add(ttl)
		e.Header = h.Clone()
		for _, k := range []string{"Set-Cookie", "Date", "X-Request-Id", "Content-Length", "Content-Encoding", "Etag", "Vary", "X-Cache", "Cache-Control", "Last-Modified", "Content-Type"} {
			delete(e.Header, k)
		}
		compress(e)
		c.Put(e, gen)
		h.Set("X-Cache", "miss")
		write(w, r, e, http.StatusOK, "public, no-cache")
		return
	}
	write(w, r, e, http.StatusOK, "")
}

// Hit answers r with e as the cache does, headers and all, for a request
// answered before the middleware runs.
func Hit(w http.ResponseWriter, r *http.Request, e *Entry) {
	h := w.Header()
	for k, vs := range e.Header {
		h[k] = vs
	}
	h.Set("X-Cache", "hit")
	write(w, r, e, http.StatusOK, "public, no-cache")
}

// declaredTTL reads "public, max-age=N" from a module's page.
func declaredTTL(cc string) time.Duration {
	if !strings.Contains(cc, "public") {
		return 0
	}
	for _, part := range strings.Split(cc, ",") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(part), "max-age="); ok {
			if n, err := strconv.Atoi(v); err == nil && n > 0 {
				return min(time.Duration(n)*time.Second, MaxTTL)
			}
		}
	}
	return 0
}

func etag(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`
}

// minCompress is the size under which compression is not worth a header.
const minCompress = 1024

// compress fills e's compressed forms, each kept only when smaller.
func compress(e *Entry) {
	if len(e.Body) < minCompress {
		return
	}
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	_, _ = zw.Write(e.Body)
	_ = zw.Close()
	if b.Len() < len(e.Body) {
		e.Gzip = bytes.Clone(b.Bytes())
	}
	b.Reset()
	bw := brotli.NewWriterLevel(&b, 9)
	_, _ = bw.Write(e.Body)
	_ = bw.Close()
	if b.Len() < len(e.Body) {
		e.Brotli = bytes.Clone(b.Bytes())
	}
}

// encoding picks br, gzip or identity from Accept-Encoding.
func encoding(r *http.Request) string {
	accept := map[string]bool{}
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
		if q == "q=0" || q == "q=0.0" || q == "q=0.00" || q == "q=0.000" {
			continue
		}
		accept[strings.ToLower(name)] = true
	}
	switch {
	case accept["br"]:
		return "br"
	case accept["gzip"]:
		return "gzip"
	}
	return ""
}

// write answers e: 304 when the browser's validator matches, else the
// body in the encoding it accepts. An uncached page is compressed here.
func write(w http.ResponseWriter, r *http.Request, e *Entry, status int, cacheControl string) {
	h := w.Header()
	h.Del("Content-Length")
	if cacheControl != "" {
		h.Set("Cache-Control", cacheControl)
	}
	if e.ContentType != "" {
		h.Set("Content-Type", e.ContentType)
	}
	h.Add("Vary", "Accept-Encoding")
	if !e.Modified.IsZero() {
		h.Set("Last-Modified", e.Modified.UTC().Format(http.TimeFormat))
	}
	enc := encoding(r)
	body := e.Body
	switch {
	case enc == "br" && e.Brotli != nil:
		body = e.Brotli
	case enc == "gzip" && e.Gzip != nil:
		body = e.Gzip
	case e.Expires.IsZero() && len(e.Body) >= minCompress && enc != "":
		body = compressNow(enc, e.Body)
	default:
		enc = ""
	}
	tag := e.ETag
	if enc != "" {
		// Each encoding is its own representation with its own tag.
		tag = strings.TrimSuffix(tag, `"`) + "-" + enc + `"`
		h.Set("Content-Encoding", enc)
	}
	h.Set("ETag", tag)
	if notModified(r, e) {
		h.Del("Content-Type")
		h.Del("Content-Encoding")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

func compressNow(enc string, body []byte) []byte {
	var b bytes.Buffer
	if enc == "br" {
		bw := brotli.NewWriterLevel(&b, 4)
		_, _ = bw.Write(body)
		_ = bw.Close()
	} else {
		zw, _ := gzip.NewWriterLevel(&b, 5)
		_, _ = zw.Write(body)
		_ = zw.Close()
	}
	return b.Bytes()
}

// notModified: If-None-Match wins over If-Modified-Since (RFC 9110
// 13.2.2); any encoding's tag of the same body matches.
func notModified(r *http.Request, e *Entry) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		base := strings.TrimSuffix(e.ETag, `"`)
		for _, t := range strings.Split(inm, ",") {
			t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
			if t == "*" || t == e.ETag || (strings.HasPrefix(t, base+"-") && strings.HasSuffix(t, `"`)) {
				return true
			}
		}
		return false
	}
	if ims, err := http.ParseTime(r.Header.Get("If-Modified-Since")); err == nil && !e.Modified.IsZero() {
		return !e.Modified.Truncate(time.Second).After(ims)
	}
	return false
}

// recorder buffers a page's response for the cache and the validators,
// or steps aside for anything else: another type, an encoded or large
// body, a stream that flushes.
type recorder struct {
	w       http.ResponseWriter
	buf     bytes.Buffer
	status  int
	wrote   bool
	passing bool
}

func (r *recorder) Header() http.Header { return r.w.Header() }

func (r *recorder) WriteHeader(code int) {
	if r.wrote {
		return
	}
	r.wrote, r.status = true, code
	h := r.w.Header()
	if !buffered(h.Get("Content-Type")) || h.Get("Content-Encoding") != "" || code < 200 {
		r.pass()
	}
}

func buffered(ct string) bool {
	ct = strings.ToLower(ct)
	for _, t := range []string{"text/html", "application/rss+xml", "application/atom+xml", "application/xml", "text/xml"} {
		if strings.HasPrefix(ct, t) {
			return true
		}
	}
	return false
}

func (r *recorder) pass() {
	if r.passing {
		return
	}
	r.passing = true
	if !r.wrote {
		r.wrote, r.status = true, http.StatusOK
	}
	r.w.WriteHeader(r.status)
	if r.buf.Len() > 0 {
		_, _ = r.w.Write(r.buf.Bytes())
		r.buf.Reset()
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	if !r.wrote {
		if r.w.Header().Get("Content-Type") == "" {
			r.w.Header().Set("Content-Type", http.DetectContentType(b))
		}
		r.WriteHeader(http.StatusOK)
	}
	if r.passing {
		return r.w.Write(b)
	}
	if r.buf.Len()+len(b) > maxBuffered {
		r.pass()
		return r.w.Write(b)
	}
	return r.buf.Write(b)
}

// Flush is a stream's: what was held goes out, and the rest follows.
func (r *recorder) Flush() {
	r.pass()
	if f, ok := r.w.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection.
func (r *recorder) Unwrap() http.ResponseWriter { return r.w }
