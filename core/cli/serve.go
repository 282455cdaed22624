package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"sort"
	"time"

	"yiwang/core/certs"
	"yiwang/core/demo"
	"yiwang/core/web"
	"yiwang/core/web/host"
	"yiwang/tenants"
)

func init() {
	register("serve", "启动网站服务（默认 http://localhost:8080，SQLite 数据库在 ./data）", serve)
}

// serveGCPercent is the garbage collector's target `serve` runs with
// unless GOGC is set.
const serveGCPercent = 400

func serve(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var sf storeFlags
	sf.bind(fs)
	addr := fs.String("addr", envOr("YIWANG_ADDR", "localhost:8080"), "监听地址")
	withDemo := fs.Bool("demo", envBool("YIWANG_DEMO", true), "为还没有文章的站点写入演示内容（--demo=false 或 YIWANG_DEMO=0 关闭）")
	portalHost := fs.String("portal-host", envOr("YIWANG_PORTAL_HOST", "localhost"), "门户未映射域名时使用的主机名")
	trustProxy := fs.Bool("trust-proxy", envBool("YIWANG_TRUST_PROXY", false), "信任负载均衡器的 X-Forwarded-Proto（环境变量 YIWANG_TRUST_PROXY）")
	headerTimeout := fs.Duration("header-timeout", 10*time.Second, "读完请求头的时限：慢速发送请求头的连接到时断开")
	readTimeout := fs.Duration("read-timeout", 60*time.Second, "读完整个请求（含上传内容）的时限")
	var hf httpsFlags
	hf.bind(fs)
	for _, x := range serveExtensions {
		if x.flags != nil {
			x.flags(fs)
		}
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{"多余的参数：" + fs.Arg(0)}
	}
	// A serving process keeps little on its heap (the search index is
	// mapped from disk) and allocates briskly per search: collecting at
	// five times the live heap rather than twice took a fifth off a
	// search's CPU (ARCHITECTURE.md, Search). GOGC in the environment
	// still decides when it is set.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(serveGCPercent)
	}
	p, err := sf.open(ctx, e)
	if err != nil {
		return err
	}
	defer p.Close()

	// Replicas started together on an empty database take turns: the
	// first imports the county and writes the demo content, the others
	// find it there. Row locks alone do not do it on a Galera cluster.
	if err := p.db.Exclusive(ctx, func() error { return firstStart(ctx, e, p, *withDemo) }); err != nil {
		return err
	}
	srv, err := host.New(web.Config{PortalHost: *portalHost, TrustProxy: *trustProxy}, p.db, p.tenants, p.content, e.log)
	if err != nil {
		return err
	}
	// A database that stops answering is noticed within about three
	// seconds (two pings a second apart, each given two); from then on
	// requests are answered 503 at once instead of waiting for it.
	go srv.WatchDatabase(ctx, p.db.PingContext, time.Second, 2*time.Second, 2)
	for _, x := range serveExtensions {
		stop, err := x.start(ctx, e, p, srv)
		if err != nil {
			return fmt.Errorf("start %s: %w", x.name, err)
		}
		if stop != nil {
			defer stop()
		}
	}
	// The county console lists the certificates in the platform database,
	// whichever server obtained them.
	srv.EnableCertsConsole(func(ctx context.Context) ([]certs.Certificate, error) {
		return certs.Stored(ctx, certs.NewStorage(p.db))
	}, hf.addr != "")
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	newServer := func(h http.Handler) *http.Server {
		return &http.Server{
			Handler:           h,
			ReadHeaderTimeout: *headerTimeout,
			ReadTimeout:       *readTimeout,
			WriteTimeout:      60 * time.Second,
			IdleTimeout:       120 * time.Second,
			MaxHeaderBytes:    64 << 10,
		}
	}
	type listening struct {
		hs *http.Server
		ln net.Listener
	}
	var servers []listening
	if hf.addr == "" {
		servers = append(servers, listening{newServer(srv.Handler()), ln})
		e.log.Info("serving", "url", "http://"+displayAddr(ln.Addr().String()), "db", p.db.Name)
	} else {
		ts, err := hf.listen(e, p, *portalHost, ln)
		if err != nil {
			ln.Close()
			return err
		}
		defer ts.stop()
		servers = append(servers, listening{newServer(ts.plainHandler(srv.Handler())), ln}, listening{newServer(srv.Handler()), ts.ln})
		e.log.Info("serving", "url", "https://"+displayAddr(ts.ln.Addr().String()), "http", displayAddr(ln.Addr().String()), "db", p.db.Name)
	}
	errc := make(chan error, len(servers))
	for _, s := range servers {
		go func() { errc <- s.hs.Serve(s.ln) }()
	}
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	e.log.Info("shutting down: finishing requests in flight")
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for _, s := range servers {
		if err := s.hs.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("shutdown: %w", err)
		}
	}
	e.log.Info("stopped")
	return nil
}

// A serveExtension adds a room of the host to `yiwang serve`: its flags,
// then its wiring into the web server (routes, layout extensions,
// background work). Rooms register one from their own file's init, so
// that adding a room never edits this one. Stops run in reverse order
// after the HTTP server has drained.
type serveExtension struct {
	name  string
	flags func(fs *flag.FlagSet)
	start func(ctx context.Context, e *env, p *platform, srv *host.Server) (stop func(), err error)
}

var serveExtensions []serveExtension

// extendServe registers x; extensions start in name order.
func extendServe(x serveExtension) {
	serveExtensions = append(serveExtensions, x)
	sort.SliceStable(serveExtensions, func(i, j int) bool { return serveExtensions[i].name < serveExtensions[j].name })
}

func displayAddr(a string) string {
	host, port, err := net.SplitHostPort(a)
	if err != nil {
		return a
	}
	if host == "127.0.0.1" || host == "::1" || host == "" || host == "::" || host == "0.0.0.0" {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// firstStart gives an empty platform the reference county and, when asked,
// its demo content. It does nothing on a platform that has a portal.
func firstStart(ctx context.Context, e *env, p *platform, withDemo bool) error {
	ts, err := p.tenants.List(ctx)
	if err != nil {
		return err
	}
	if len(ts) == 0 {
		rows, err := tenants.ParseSeed(bytes.NewReader(tenants.ReferenceSeed))
		if err != nil {
			return fmt.Errorf("reference seed: %w", err)
		}
		res, err := p.tenants.Import(ctx, "system:first-start", rows)
		if err != nil {
			// Another replica's first start at the same moment (on another
			// Galera node, where no lock of ours reaches) may have imported
			// it first: then the county is there and this one goes on.
			if ts, _ = p.tenants.List(ctx); len(ts) == 0 {
				return err
			}
			e.log.Info("first start: another server imported the reference county", "err", err)
		} else {
			e.log.Info("first start: imported the reference county", "tenants", res.Created)
			if ts, err = p.tenants.List(ctx); err != nil {
				return err
			}
		}
	}
	if !withDemo {
		return nil
	}
	n, err := demo.Seed(ctx, p.db, p.content, ts)
	if err != nil {
		return fmt.Errorf("demo content: %w", err)
	}
	if n > 0 {
		e.log.Info("demo content written (off with --demo=false)", "articles", n)
		// One department on its own development host name shows both
		// forms of tenant address: by host and by /site/<code>/ path.
		if owner, err := p.tenants.DomainOwner(ctx, "jyj.localhost"); err == nil && owner == "" {
			if err := p.tenants.AddDomain(ctx, "system:demo", "jyj", "jyj.localhost", true); err != nil {
				e.log.Warn("demo: map jyj.localhost", "err", err)
			}
		}
	}
	return nil
}
