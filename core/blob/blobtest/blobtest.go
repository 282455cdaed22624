// Package blobtest is the conformance suite every blob.Store passes,
// and the SeaweedFS server the S3 backend is tested against.
package blobtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"yiwang/core/blob"
)

// Run runs the suite on a fresh, empty store from open.
func Run(t *testing.T, open func(t *testing.T) blob.Store) {
	ctx := context.Background()
	put := func(t *testing.T, s blob.Store, key string, b []byte) blob.Info {
		t.Helper()
		in, err := s.Put(ctx, key, bytes.NewReader(b), int64(len(b)), blob.PutOptions{ContentType: "application/octet-stream"})
		if err != nil {
			t.Fatalf("put %s: %v", key, err)
		}
		return in
	}
	read := func(t *testing.T, s blob.Store, key string) []byte {
		t.Helper()
		o, err := s.Open(ctx, key)
		if err != nil {
			t.Fatalf("open %s: %v", key, err)
		}
		defer o.Close()
		b, err := io.ReadAll(o)
		if err != nil {
			t.Fatalf("read %s: %v", key, err)
		}
		return b
	}

	t.Run("RoundTrip", func(t *testing.T) {
		s := open(t)
		data := Bytes(1, 100_000)
		in := put(t, s, "jyj/2026/12/a.pdf", data)
		if in.Size != int64(len(data)) || in.SHA256 != Sum(data) || in.Key != "jyj/2026/12/a.pdf" {
			t.Fatalf("put info = %+v", in)
		}
		if got := read(t, s, "jyj/2026/12/a.pdf"); !bytes.Equal(got, data) {
			t.Fatalf("read back %d bytes, differ", len(got))
		}
		st, err := s.Stat(ctx, "jyj/2026/12/a.pdf")
		if err != nil || st.Size != int64(len(data)) {
			t.Fatalf("stat = %+v, %v", st, err)
		}
		if st.Modified.IsZero() || time.Since(st.Modified) > time.Hour {
			t.Errorf("modified = %v", st.Modified)
		}
	})

	t.Run("EmptyAndReplace", func(t *testing.T) {
		s := open(t)
		put(t, s, "k/empty", nil)
		if got := read(t, s, "k/empty"); len(got) != 0 {
			t.Fatalf("empty object read %d bytes", len(got))
		}
		put(t, s, "k/x", []byte("first version"))
		put(t, s, "k/x", []byte("second"))
		if got := read(t, s, "k/x"); string(got) != "second" {
			t.Fatalf("replaced object = %q", got)
		}
	})

	t.Run("ChecksumAndSizeRefused", func(t *testing.T) {
		s := open(t)
		data := Bytes(2, 5000)
		cases := []struct {
			name string
			r    io.Reader
			size int64
			sum  string
		}{
			{"wrong digest", bytes.NewReader(data), int64(len(data)), Sum([]byte("other"))},
			{"short body", bytes.NewReader(data[:100]), int64(len(data)), ""},
			{"long body", bytes.NewReader(data), 100, Sum(data[:99])},
		}
		for i, c := range cases {
			key := fmt.Sprintf("bad/%d", i)
			_, err := s.Put(ctx, key, c.r, c.size, blob.PutOptions{SHA256: c.sum})
			if !errors.Is(err, blob.ErrChecksum) {
				t.Errorf("%s: err = %v, want ErrChecksum", c.name, err)
			}
			if _, err := s.Stat(ctx, key); !errors.Is(err, blob.ErrNotFound) {
				t.Errorf("%s: refused object still there (stat err %v)", c.name, err)
			}
		}
		// The right digest is accepted and kept.
		in, err := s.Put(ctx, "good", bytes.NewReader(data), int64(len(data)), blob.PutOptions{SHA256: strings.ToUpper(Sum(data))})
		if err != nil || in.SHA256 != Sum(data) {
			t.Fatalf("put with digest = %+v, %v", in, err)
		}
		if st, err := s.Stat(ctx, "good"); err != nil || (st.SHA256 != "" && st.SHA256 != Sum(data)) {
			t.Fatalf("stat = %+v, %v", st, err)
		}
		var n int
		s.List(ctx, "", func(blob.Info) error { n++; return nil })
		if n != 1 {
			t.Errorf("after refused puts the store lists %d objects, want 1", n)
		}
	})

	t.Run("Missing", func(t *testing.T) {
		s := open(t)
		if _, err := s.Open(ctx, "no/such"); !errors.Is(err, blob.ErrNotFound) {
			t.Errorf("open missing: %v", err)
		}
		if _, err := s.Stat(ctx, "no/such"); !errors.Is(err, blob.ErrNotFound) {
			t.Errorf("stat missing: %v", err)
		}
		if err := s.Delete(ctx, "no/such"); err != nil {
			t.Errorf("delete missing: %v", err)
		}
		put(t, s, "no/such-not", []byte("x"))
		if _, err := s.Stat(ctx, "no/such"); !errors.Is(err, blob.ErrNotFound) {
			t.Errorf("a key's prefix is not the key: %v", err)
		}
		put(t, s, "d/e", []byte("x"))
		if _, err := s.Stat(ctx, "d"); !errors.Is(err, blob.ErrNotFound) {
			t.Errorf("a folder is not an object: %v", err)
		}
	})

	t.Run("Delete", func(t *testing.T) {
		s := open(t)
		put(t, s, "del/a/b", []byte("x"))
		put(t, s, "del/a/c", []byte("y"))
		if err := s.Delete(ctx, "del/a/b"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Stat(ctx, "del/a/b"); !errors.Is(err, blob.ErrNotFound) {
			t.Fatalf("deleted object: %v", err)
		}
		if got := read(t, s, "del/a/c"); string(got) != "y" {
			t.Fatalf("neighbour = %q", got)
		}
	})

	t.Run("BadKeys", func(t *testing.T) {
		s := open(t)
		for _, k := range []string{"", "/abs", "../up", "a/../../up", "a//b", "a/./b", "a/", `a\b`, ".hidden", "a/.tmp"} {
			if _, err := s.Put(ctx, k, strings.NewReader("x"), 1, blob.PutOptions{}); !errors.Is(err, blob.ErrBadKey) {
				t.Errorf("put %q: %v, want ErrBadKey", k, err)
			}
			if _, err := s.Open(ctx, k); !errors.Is(err, blob.ErrBadKey) {
				t.Errorf("open %q: %v, want ErrBadKey", k, err)
			}
			if err := s.Delete(ctx, k); !errors.Is(err, blob.ErrBadKey) {
				t.Errorf("delete %q: %v, want ErrBadKey", k, err)
			}
		}
		// Names people give files are fine as keys.
		put(t, s, "jyj/视频 新闻(1).mp4", []byte("x"))
		if got := read(t, s, "jyj/视频 新闻(1).mp4"); string(got) != "x" {
			t.Fatalf("unicode key read %q", got)
		}
	})

	t.Run("SeekAndRanges", func(t *testing.T) {
		s := open(t)
		data := Bytes(3, 3<<20)
		put(t, s, "r/video.mp4", data)
		o, err := s.Open(ctx, "r/video.mp4")
		if err != nil {
			t.Fatal(err)
		}
		defer o.Close()
		if o.Info().Size != int64(len(data)) {
			t.Fatalf("open info size %d", o.Info().Size)
		}
		for _, c := range []struct {
			off    int64
			whence int
			at     int64
			n      int
		}{
			{0, io.SeekStart, 0, 100},
			{1 << 20, io.SeekStart, 1 << 20, 4096},
			{-500, io.SeekEnd, int64(len(data)) - 500, 500},
			{-10, io.SeekCurrent, int64(len(data)) - 10, 10},
			{12345, io.SeekStart, 12345, 1},
		} {
			pos, err := o.Seek(c.off, c.whence)
			if err != nil || pos != c.at {
				t.Fatalf("seek(%d, %d) = %d, %v; want %d", c.off, c.whence, pos, err, c.at)
			}
			buf := make([]byte, c.n)
			if _, err := io.ReadFull(o, buf); err != nil {
				t.Fatalf("read %d at %d: %v", c.n, c.at, err)
			}
			if !bytes.Equal(buf, data[c.at:c.at+int64(c.n)]) {
				t.Fatalf("bytes at %d differ", c.at)
			}
		}
		if end, err := o.Seek(0, io.SeekEnd); err != nil || end != int64(len(data)) {
			t.Fatalf("seek end = %d, %v", end, err)
		}
	})

	t.Run("List", func(t *testing.T) {
		s := open(t)
		keys := []string{"jyj/2026/01/b", "jyj/2026/01/a", "jyj/2026/02/c", "jyjx/d", "rsj/e", "tmp/upload/1/0000"}
		for i, k := range keys {
			put(t, s, k, bytes.Repeat([]byte{'x'}, i+1))
		}
		var got []string
		sizes := map[string]int64{}
		if err := s.List(ctx, "jyj/", func(in blob.Info) error {
			got = append(got, in.Key)
			sizes[in.Key] = in.Size
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		want := []string{"jyj/2026/01/a", "jyj/2026/01/b", "jyj/2026/02/c"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("list jyj/ = %v, want %v", got, want)
		}
		if sizes["jyj/2026/02/c"] != 3 {
			t.Errorf("listed size = %d", sizes["jyj/2026/02/c"])
		}
		var all int
		s.List(ctx, "", func(blob.Info) error { all++; return nil })
		if all != len(keys) {
			t.Errorf("list all = %d, want %d", all, len(keys))
		}
		stop := errors.New("stop")
		var seen int
		if err := s.List(ctx, "", func(blob.Info) error { seen++; return stop }); !errors.Is(err, stop) || seen != 1 {
			t.Errorf("list stops on the callback's error: %v after %d", err, seen)
		}
	})

	t.Run("Large", func(t *testing.T) {
		// Larger than S3's part size: a multipart upload.
		s := open(t)
		const size = 20<<20 + 12345
		in, err := s.Put(ctx, "big/v.mp4", NewReader(4, size), size, blob.PutOptions{ContentType: "video/mp4"})
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		io.Copy(h, NewReader(4, size))
		if want := hex.EncodeToString(h.Sum(nil)); in.SHA256 != want {
			t.Fatalf("sha = %s, want %s", in.SHA256, want)
		}
		o, err := s.Open(ctx, "big/v.mp4")
		if err != nil {
			t.Fatal(err)
		}
		defer o.Close()
		h.Reset()
		n, err := io.Copy(h, o)
		if err != nil || n != size || hex.EncodeToString(h.Sum(nil)) != in.SHA256 {
			t.Fatalf("read back %d bytes, %v", n, err)
		}
	})

	t.Run("Concurrent", func(t *testing.T) {
		s := open(t)
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		for i := range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				b := Bytes(uint64(i), 10_000+i)
				key := fmt.Sprintf("c/%02d", i)
				if _, err := s.Put(ctx, key, bytes.NewReader(b), int64(len(b)), blob.PutOptions{}); err != nil {
					errs <- err
					return
				}
				o, err := s.Open(ctx, key)
				if err != nil {
					errs <- err
					return
				}
				got, err := io.ReadAll(o)
				o.Close()
				if err != nil || !bytes.Equal(got, b) {
					errs <- fmt.Errorf("%s read back wrong: %v", key, err)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})

	t.Run("SignedURL", func(t *testing.T) {
		s := open(t)
		data := Bytes(5, 70_000)
		put(t, s, "sig/v.mp4", data)
		u, err := s.SignedURL(ctx, "sig/v.mp4", time.Minute, "video/mp4", "新闻.mp4")
		if errors.Is(err, blob.ErrNoSignedURL) {
			t.Skipf("%s streams through the host", s.Name())
		}
		if err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest("GET", u, nil)
		req.Header.Set("Range", "bytes=100-199")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(body, data[100:200]) {
			t.Fatalf("signed range GET = %d, %d bytes", resp.StatusCode, len(body))
		}
		if ct := resp.Header.Get("Content-Type"); ct != "video/mp4" {
			t.Errorf("content type = %q", ct)
		}
		// A URL whose signature was tampered with is refused.
		resp, err = http.Get(strings.Replace(u, "X-Amz-Signature=", "X-Amz-Signature=0", 1))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("tampered URL = %d, want 403", resp.StatusCode)
		}
	})
}

// Sum is the hex SHA-256 of b.
func Sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// Bytes are n reproducible pseudo-random bytes.
func Bytes(seed uint64, n int) []byte {
	b, _ := io.ReadAll(NewReader(seed, int64(n)))
	return b
}

// NewReader gives n reproducible pseudo-random bytes without holding
// them: test files of hundreds of megabytes are generated, never stored.
func NewReader(seed uint64, n int64) io.Reader {
	return io.LimitReader(&randReader{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}, n)
}

// randReader's bytes do not depend on how they are read: whatever the
// buffer sizes, the same seed gives the same stream.
type randReader struct {
	r   *rand.Rand
	buf [8]byte
	n   int // unread bytes at the end of buf
}

func (r *randReader) Read(p []byte) (int, error) {
	for i := range p {
		if r.n == 0 {
			v := r.r.Uint64()
			for j := range 8 {
				r.buf[j] = byte(v >> (8 * j))
			}
			r.n = 8
		}
		p[i] = r.buf[8-r.n]
		r.n--
	}
	return len(p), nil
}
