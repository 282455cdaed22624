package web

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// A database that stops answering without refusing (a stalled server, a
// network partition, a failover in progress) would hold every request
// until it came back: connections pile up, the people at the other end
// stare at a spinning page, and the first seconds after recovery bring
// them all at once. The watch notices instead, and while the database
// does not answer, requests that would wait for it are answered 503 at
// once, in Chinese; the page cache's answers, /healthz and the static
// files go on.
type dbWatch struct {
	down  atomic.Bool
	since atomic.Int64 // unix nanoseconds of the first missed ping of the outage
}

// WatchDatabase pings the database with ping every interval, each within
// timeout, until ctx ends. After misses pings in a row without an answer
// the database counts as down until a ping answers again.
func (s *Server) WatchDatabase(ctx context.Context, ping func(context.Context) error, interval, timeout time.Duration, misses int) {
	missed := 0
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		pctx, cancel := context.WithTimeout(ctx, timeout)
		err := ping(pctx)
		cancel()
		switch {
		case ctx.Err() != nil:
			return
		case err == nil:
			if s.watch.down.Swap(false) {
				s.log.Info("database answers again: serving requests", "down_for", time.Since(time.Unix(0, s.watch.since.Load())).Round(time.Millisecond))
			}
			missed = 0
		default:
			missed++
			if missed == 1 {
				s.watch.since.Store(time.Now().UnixNano())
			}
			if missed >= misses && !s.watch.down.Swap(true) {
				s.log.Error("database not answering: answering 503 until it does", "misses", missed, "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// whileDatabaseAnswers answers 503 at once while the database is down,
// for every request that would need it.
func (s *Server) whileDatabaseAnswers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.watch.down.Load() && r.URL.Path != "/healthz" && !strings.HasPrefix(r.URL.Path, "/static/") && !strings.HasPrefix(r.URL.Path, "/theme/") {
			w.Header().Set("Retry-After", "5")
			w.Header().Set("Cache-Control", "no-store")
			s.plainErrorStatus(w, r, http.StatusServiceUnavailable, "数据库暂时没有响应，网站暂时无法处理您的请求，请稍后再试。已经提交成功的内容不受影响。")
			return
		}
		next.ServeHTTP(w, r)
	})
}
