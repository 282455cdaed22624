package cli

import (
	"context"
	"flag"

	"yiwang/core/changes"
	"yiwang/core/metrics"
	"yiwang/core/pagecache"
	"yiwang/core/web/host"
)

// The page cache of anonymous pages and the change feed every serving
// process follows to keep it true (core/pagecache, core/changes).

var pageCacheMB *int

func init() {
	extendServe(serveExtension{name: "pages", flags: func(fs *flag.FlagSet) {
		pageCacheMB = fs.Int("page-cache-mb", envInt("YIWANG_PAGE_CACHE_MB", 128), "匿名访问页面缓存的内存上限（MB，0 关闭缓存；环境变量 YIWANG_PAGE_CACHE_MB）")
	}, start: pagesStart})
}

func pagesStart(ctx context.Context, e *env, p *platform, srv *host.Server) (func(), error) {
	if *pageCacheMB <= 0 {
		e.log.Info("page cache off (--page-cache-mb=0)")
		return nil, nil
	}
	feed := changes.NewFeed(p.db, e.log)
	if err := feed.Prime(ctx); err != nil {
		return nil, err
	}
	// The module host reloads enablement before the cache drops pages, so
	// that a page drawn after a change sees the new navigation.
	if h := p.host.Load(); h != nil {
		h.FollowChanges(ctx, feed)
	}
	cache := pagecache.New(int64(*pageCacheMB) << 20)
	srv.UsePages(cache, feed)
	if m := p.metrics; m != nil {
		m.WatchPageCache(func() metrics.PageCacheStats {
			s := cache.Stats()
			return metrics.PageCacheStats{Hits: float64(s.Hits), Misses: float64(s.Misses), Stores: float64(s.Stores), Evictions: float64(s.Evictions),
				Invalidations: float64(s.Invalidations), Bytes: float64(s.Bytes), Entries: float64(s.Entries), MaxBytes: float64(s.MaxBytes)}
		})
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); feed.Run(ctx) }()
	return func() { cancel(); <-done }, nil
}
