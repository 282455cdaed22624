package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"time"

	"yiwang/core/certs"
	"yiwang/core/metrics"
	"yiwang/core/modules"
	"yiwang/core/store"
	"yiwang/core/web"
	"yiwang/core/web/host"
)

func init() {
	extendServe(serveExtension{name: "metrics", flags: metricsFlags, start: metricsStart})
}

var metricsAddr string

func metricsFlags(fs *flag.FlagSet) {
	fs.StringVar(&metricsAddr, "metrics", envOr("YIWANG_METRICS_ADDR", ""),
		"Prometheus 指标的监听地址（如 127.0.0.1:9464；单独的端口，不要对公网开放；默认不开启；环境变量 YIWANG_METRICS_ADDR）")
}

// metricsStart serves /metrics on a listener of its own: operators' eyes
// inside the host never share the public sites' port.
func metricsStart(_ context.Context, e *env, p *platform, srv *host.Server) (func(), error) {
	if metricsAddr == "" {
		return nil, nil
	}
	m := metrics.New()
	p.metrics = m
	srv.Extend(web.Extensions{Observe: []func(http.Handler) http.Handler{m.Middleware}})
	m.WatchDB("platform", p.db.DB.DB)
	m.WatchOutbox(func(ctx context.Context) (int, time.Duration, error) { return outboxLag(ctx, p.db) })
	m.WatchCertificates(func(ctx context.Context) ([]metrics.CertificateExpiry, error) {
		cs, err := certs.Stored(ctx, certs.NewStorage(p.db))
		out := make([]metrics.CertificateExpiry, 0, len(cs))
		for _, c := range cs {
			out = append(out, metrics.CertificateExpiry{Name: c.Name, NotAfter: c.NotAfter})
		}
		return out, err
	})
	m.WatchCases(func() []metrics.OpenCase {
		var out []metrics.OpenCase
		for code, oc := range srv.OldestCases() {
			out = append(out, metrics.OpenCase{Tenant: code, Module: oc.Module, Days: oc.Days})
		}
		return out
	})
	m.WatchModules(func() []metrics.ModuleState {
		h := p.host.Load()
		if h == nil {
			return nil
		}
		var out []metrics.ModuleState
		for _, s := range h.States() {
			out = append(out, metrics.ModuleState{Module: s.Module, Running: s.State == modules.StateRunning, Restarts: s.Restarts})
		}
		return out
	})
	ln, err := net.Listen("tcp", metricsAddr)
	if err != nil {
		return nil, fmt.Errorf("listen for metrics on %s: %w", metricsAddr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 30 * time.Second}
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			e.log.Error("metrics listener", "err", err)
		}
	}()
	e.log.Info("metrics", "url", "http://"+displayAddr(ln.Addr().String())+"/metrics")
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(ctx)
	}, nil
}

// outboxLag reads how many search changes wait and how old the oldest is.
func outboxLag(ctx context.Context, db *store.DB) (int, time.Duration, error) {
	var n int
	if err := db.GetContext(ctx, &n, `SELECT COUNT(*) FROM search_outbox`); err != nil {
		return 0, 0, err
	}
	// The oldest by id, not MIN(created_at): SQLite answers an aggregate
	// of a time column as text.
	var oldest []time.Time
	if err := db.SelectContext(ctx, &oldest, `SELECT created_at FROM search_outbox ORDER BY id LIMIT 1`); err != nil {
		return 0, 0, err
	}
	if len(oldest) == 0 {
		return n, 0, nil
	}
	return n, max(0, time.Since(oldest[0])), nil
}
