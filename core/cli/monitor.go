package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"os"
	"sync"
	"time"

	"yiwang/core/content"
	"yiwang/core/monitor"
	"yiwang/core/web"
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
		start: func(ctx context.Context, e *env, p *platform, srv *web.Server) (func(), error) {
			if off {
				return nil, nil
			}
			var b [8]byte
			_, _ = rand.Read(b[:])
			host, _ := os.Hostname()
			pr := &monitor.Prober{DB: p.db, Tenants: p.tenants, Handler: srv.Handler(), Target: srv.ProbeTarget,
				Holder: host + "/" + hex.EncodeToString(b[:]), Log: e.log}
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
			return func() { cancel(); wg.Wait() }, nil
		},
	})
}
