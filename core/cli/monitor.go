package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"os"
	"strings"
	"sync"
	"time"

	"yiwang/core/content"
	"yiwang/core/monitor"
	"yiwang/core/web/host"
)

// The availability probes of the daily check run in every serving
// process; the lease lets one of a cluster probe at a time.
func init() {
	var off bool
	extendServe(serveExtension{
		name: "monitor",
		flags: func(fs *flag.FlagSet) {
			fs.BoolVar(&off, "no-probes", os.Getenv("YIWANG_NO_PROBES") == "1", "不探测各站点首页的可用性（网站监测）")
		},
		start: func(ctx context.Context, e *env, p *platform, srv *host.Server) (func(), error) {
			if off {
				return nil, nil
			}
			pr := &monitor.Prober{DB: p.db, Tenants: p.tenants, Handler: srv.Handler(), Target: srv.ProbeTarget,
				Holder: leaseHolder(), Log: e.log}
			pctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
			var wg sync.WaitGroup
			wg.Add(2)
			go func() { defer wg.Done(); pr.Run(pctx) }()
			// The word lists over published text, every ten minutes, by
			// whichever process holds its lease.
			sweep := &monitor.TextSweep{DB: p.db, Desk: content.NewDesk(p.content)}
			go func() {
				defer wg.Done()
				t := time.NewTimer(time.Minute)
				defer t.Stop()
				for {
					select {
					case <-pctx.Done():
						return
					case <-t.C:
					}
					if held, err := monitor.TakeLease(pctx, p.db, "monitor.text", pr.Holder, 15*time.Minute); err != nil && pctx.Err() == nil {
						e.log.Warn("monitor: text lease", "err", err)
					} else if held {
						if err := sweep.Sweep(pctx, time.Second); err != nil && pctx.Err() == nil {
							e.log.Warn("monitor: published text", "err", err)
						}
					}
					t.Reset(10 * time.Minute)
				}
			}()
			// The daily check's facts, gathered every ten minutes by every
			// process for its own console page.
			wg.Add(1)
			go func() {
				defer wg.Done()
				t := time.NewTimer(30 * time.Second)
				defer t.Stop()
				for {
					select {
					case <-pctx.Done():
						return
					case <-t.C:
					}
					if err := srv.RefreshMonitor(pctx); err != nil && pctx.Err() == nil {
						e.log.Warn("monitor: gather", "err", err)
					}
					t.Reset(10 * time.Minute)
				}
			}()
			// The link crawler, once a day, by whichever process holds
			// its lease; outside links through the public-only checker.
			wg.Add(1)
			go func() {
				defer wg.Done()
				t := time.NewTimer(10 * time.Minute)
				defer t.Stop()
				for {
					select {
					case <-pctx.Done():
						return
					case <-t.C:
					}
					if held, err := monitor.TakeLease(pctx, p.db, "monitor.links", pr.Holder, 6*time.Hour); err != nil && pctx.Err() == nil {
						e.log.Warn("monitor: links lease", "err", err)
					} else if held {
						crawlLinks(pctx, e, p, srv)
					}
					t.Reset(24 * time.Hour)
				}
			}()
			return func() { cancel(); wg.Wait() }, nil
		},
	})
}

// crawlLinks runs the link crawler over every site once.
func crawlLinks(ctx context.Context, e *env, p *platform, srv *host.Server) {
	ts, err := p.tenants.List(ctx)
	if err != nil {
		e.log.Warn("monitor: links", "err", err)
		return
	}
	hosts := map[string]bool{strings.ToLower(srv.PortalHost()): true}
	for _, t := range ts {
		for _, d := range t.Domains {
			hosts[strings.ToLower(d)] = true
		}
	}
	c := &monitor.Crawler{DB: p.db, Handler: srv.Handler(), Target: srv.ProbeTarget, External: publicLinkChecker(),
		Internal: func(h string) bool { return hosts[strings.ToLower(h)] }}
	start := time.Now()
	n, err := c.Run(ctx, ts)
	if err != nil && ctx.Err() == nil {
		e.log.Warn("monitor: links", "err", err)
		return
	}
	e.log.Info("monitor: links checked", "pages", n, "took", time.Since(start).Round(time.Second))
}

// leaseHolder names this process for the cluster's single-runner leases:
// the host name and a random part, since two processes may share a host.
func leaseHolder() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	host, _ := os.Hostname()
	return host + "/" + hex.EncodeToString(b[:])
}
