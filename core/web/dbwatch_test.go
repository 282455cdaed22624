package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// A database that stops answering makes the site answer 503 at once,
// after the misses the watch allows and not before; /healthz and static
// files still go through; a database that answers again ends it.
func TestDatabaseWatch(t *testing.T) {
	s := &Server{log: slog.New(slog.DiscardHandler)}
	var failing atomic.Bool
	var pings atomic.Int64
	ping := func(ctx context.Context) error {
		pings.Add(1)
		if failing.Load() {
			<-ctx.Done() // a stalled server: no answer until the ping's time is up
			return ctx.Err()
		}
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.WatchDatabase(ctx, ping, 5*time.Millisecond, 20*time.Millisecond, 3); close(done) }()
	t.Cleanup(func() { cancel(); <-done })

	h := s.whileDatabaseAnswers(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("page")) }))
	get := func(path string) (int, string) {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		return w.Code, w.Body.String()
	}
	waitUntil := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(2 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within 5 s", what)
			}
		}
	}

	waitUntil("first pings", func() bool { return pings.Load() >= 3 })
	if code, _ := get("/"); code != http.StatusOK {
		t.Fatalf("with the database answering: %d", code)
	}

	failing.Store(true)
	start := pings.Load()
	waitUntil("the watch counts the database down", s.watch.down.Load)
	if n := pings.Load() - start; n < 3 {
		t.Errorf("down after %d missed pings, want 3", n)
	}
	for _, tc := range []struct {
		path string
		want int
	}{
		{"/", http.StatusServiceUnavailable},
		{"/site/jyj/art/7", http.StatusServiceUnavailable},
		{"/mailbox/write", http.StatusServiceUnavailable},
		{"/healthz", http.StatusOK},
		{"/static/site.css", http.StatusOK},
	} {
		code, body := get(tc.path)
		if code != tc.want {
			t.Errorf("%s while the database is down: %d, want %d", tc.path, code, tc.want)
		}
		if tc.want == http.StatusServiceUnavailable && !strings.Contains(body, "数据库暂时没有响应") {
			t.Errorf("%s: the 503 says %q", tc.path, body)
		}
	}

	failing.Store(false)
	waitUntil("the watch sees the database again", func() bool { return !s.watch.down.Load() })
	if code, body := get("/"); code != http.StatusOK || body != "page" {
		t.Errorf("after the database answers again: %d %q", code, body)
	}
}
