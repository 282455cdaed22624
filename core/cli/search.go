package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
	"yiwang/core/content"
	"yiwang/core/modules"
	"yiwang/core/search"
	"yiwang/core/search/corpus"
	"yiwang/core/search/outbox"
	"yiwang/core/web/host"
)

// The search room: `yiwang serve` opens the index (bleve under
// DATA/search, or Elasticsearch when one is named), drains the outbox into
// it and serves /search on every site; `yiwang search` rebuilds it.

func init() {
	var sf searchFlags
	extendServe(serveExtension{
		name:  "search",
		flags: sf.bind,
		start: func(ctx context.Context, e *env, p *platform, srv *host.Server) (func(), error) {
			raw, err := sf.open(p)
			if err != nil {
				return nil, err
			}
			// Repeated searches come from memory; every write empties it.
			idx := search.NewCached(raw, 1000, 30*time.Second)
			names, err := serveModules()
			if err != nil {
				raw.Close()
				return nil, err
			}
			f := sf.feeder(e, p, idx, names...)
			wctx, cancel := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			wg.Add(1)
			go func() { defer wg.Done(); f.Run(wctx) }()
			srv.MountSearch(idx)
			srv.EnableSearchConsole(idx, sf.describe(), f.Bystander)
			e.log.Info("search ready", "index", sf.describe())
			return func() {
				cancel()
				wg.Wait()
				f.Release(context.Background())
				if err := raw.Close(); err != nil {
					e.log.Error("close search index", "err", err)
				}
			}, nil
		},
	})
	register("search", "搜索索引：reindex 从数据库重建索引，gen-corpus 生成基准测试语料", searchCmd)
}

// searchFlags choose the backend.
type searchFlags struct {
	fs       *flag.FlagSet
	dir      string
	esURL    string
	esIndex  string
	analysis string
}

func (sf *searchFlags) bind(fs *flag.FlagSet) {
	sf.fs = fs
	fs.StringVar(&sf.dir, "search-index", os.Getenv("YIWANG_SEARCH_INDEX"), "内嵌搜索索引（bleve）目录，默认 DATA/search（环境变量 YIWANG_SEARCH_INDEX）")
	fs.StringVar(&sf.esURL, "elasticsearch", os.Getenv("YIWANG_ELASTICSEARCH"), "改用 Elasticsearch：服务器地址，如 http://user:pass@127.0.0.1:9200（环境变量 YIWANG_ELASTICSEARCH）")
	fs.StringVar(&sf.esIndex, "elasticsearch-index", envOr("YIWANG_ELASTICSEARCH_INDEX", "yiwang"), "Elasticsearch 索引名")
}

func (sf *searchFlags) dataDir() string {
	if sf.fs != nil {
		if f := sf.fs.Lookup("data"); f != nil {
			return f.Value.String()
		}
	}
	return envOr("YIWANG_DATA", "data")
}

func (sf *searchFlags) indexDir() string {
	if sf.dir != "" {
		return sf.dir
	}
	return filepath.Join(sf.dataDir(), "search")
}

func (sf *searchFlags) describe() string {
	if sf.esURL != "" {
		return "elasticsearch:" + sf.esIndex
	}
	return "bleve:" + sf.indexDir()
}

func (sf *searchFlags) open(p *platform) (search.Index, error) {
	if sf.esURL != "" {
		return search.OpenElastic(search.ElasticOptions{URL: sf.esURL, Index: sf.esIndex})
	}
	return search.OpenBleve(sf.indexDir(), search.BleveOptions{Analysis: sf.analysis})
}

// feeder keeps idx in step with the database. modules names the modules
// whose documents a rebuild reads through the plugin host (none outside a
// server, which alone runs them).
func (sf *searchFlags) feeder(e *env, p *platform, idx search.Index, modules ...string) *search.Feeder {
	f := &search.Feeder{DB: p.db, Index: idx, Tenants: p.tenants, Log: e.log, Articles: search.Articles{Content: p.content}, Shared: sf.esURL != ""}
	f.Sources = []search.Source{f.Articles, search.Videos{Desk: content.NewDesk(p.content)}}
	for _, name := range modules {
		f.Sources = append(f.Sources, moduleSource{p: p, name: name})
	}
	return f
}

func searchCmd(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(e.stdout, "用法:\n  yiwang search reindex [--tenant CODE] [--fresh]   从数据库重建搜索索引（服务运行时由服务重建；--fresh 删除旧的内嵌索引重新建立）\n  yiwang search gen-corpus [--docs N] [--seed S]   生成基准测试语料（JSON Lines，写到标准输出）")
		return nil
	}
	switch args[0] {
	case "reindex":
		return searchReindex(ctx, e, args[1:])
	case "gen-corpus":
		return searchGenCorpus(e, args[1:])
	}
	return usageError{"未知的 search 子命令“" + args[0] + "”（reindex 或 gen-corpus）"}
}

func searchReindex(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("search reindex", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var st storeFlags
	st.bind(fs)
	var sf searchFlags
	sf.bind(fs)
	fs.StringVar(&sf.analysis, "analysis", "", "新建内嵌索引时使用的分析方式（默认 skip；phrase、trigram、bigram、cjk 供比较；已有索引沿用建立时的方式）")
	code := fs.String("tenant", "", "只重建这个站点（站点代码）")
	wait := fs.Bool("wait", true, "服务正在运行时，等待它完成重建")
	fresh := fs.Bool("fresh", false, "删除内嵌索引后重新建立（索引建于旧版本、不支持按元数据筛选时使用；须先停止服务）")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{"多余的参数：" + fs.Arg(0)}
	}
	p, err := st.open(ctx, e)
	if err != nil {
		return err
	}
	defer p.Close()
	var tenantID int64
	if *code != "" {
		t, err := p.tenants.ByCode(ctx, *code)
		if err != nil {
			return err
		}
		tenantID = t.ID
	}
	idx, err := sf.open(p)
	if *fresh && sf.esURL == "" {
		if errors.Is(err, search.ErrLocked) {
			return errors.New("服务正在运行并持有索引：--fresh 需要先停止服务")
		}
		if err != nil {
			return err
		}
		// bleve keeps the mapping an index was made with: a fresh index
		// is the only way to a new one. The analysis stays unless asked.
		if sf.analysis == "" {
			sf.analysis = idx.(*search.Bleve).Analysis()
		}
		idx.Close()
		if err := os.RemoveAll(sf.indexDir()); err != nil {
			return fmt.Errorf("remove the search index: %w", err)
		}
		idx, err = sf.open(p)
	}
	if errors.Is(err, search.ErrLocked) {
		// A server holds the index: it rebuilds, asked through the outbox.
		if err := search.RequestRebuild(ctx, p.db, actor(), tenantID); err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, "服务正在运行并持有索引：已请求服务重建索引（进度见门户 管理后台 → 县级平台管理 → 搜索索引）。")
		if !*wait {
			return nil
		}
		return waitForOutbox(ctx, e, p)
	}
	if err != nil {
		return err
	}
	defer idx.Close()
	f := sf.feeder(e, p, idx)
	bar := newBar(e.stderr, "重建索引")
	start := time.Now()
	n, err := f.Rebuild(ctx, tenantID, "", bar.progress)
	bar.finish()
	if err != nil {
		return err
	}
	// Changes announced while no server ran are in the rebuild; the
	// outbox rows are applied too (idempotent) and so cleared.
	for {
		k, err := f.Drain(ctx)
		if err != nil {
			return err
		}
		if k == 0 {
			break
		}
	}
	total, _ := idx.Count(ctx)
	fmt.Fprintf(e.stdout, "已重建 %d 篇文档，用时 %v；索引（%s）共 %d 篇。\n", n, time.Since(start).Round(time.Millisecond), sf.describe(), total)
	// Module documents come from the module processes, which only a
	// server runs: the server rebuilds them when it next starts.
	on, err := modules.NewStore(p.db, p.tenants).List(ctx, modules.Filter{TenantCode: *code, EnabledOnly: true})
	if err != nil {
		return err
	}
	if len(on) > 0 {
		if err := outbox.Write(ctx, p.db, outbox.Reindex, tenantID, search.ModuleSources, nil); err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, "模块的文档（专题、信件等）由模块进程提供：服务下次启动时重建。")
	}
	return nil
}

// waitForOutbox waits until the running server has applied every outbox
// row, with a spinner.
func waitForOutbox(ctx context.Context, e *env, p *platform) error {
	bar := newBar(e.stderr, "等待服务重建索引")
	defer bar.finish()
	for {
		var n int
		if err := p.db.GetContext(ctx, &n, `SELECT COUNT(*) FROM search_outbox`); err != nil {
			return err
		}
		if n == 0 {
			fmt.Fprintln(e.stdout, "服务已完成重建。")
			return nil
		}
		bar.spin()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// bar is a progress bar on a terminal and nothing elsewhere.
type bar struct {
	pb *progressbar.ProgressBar
}

func newBar(w io.Writer, desc string) *bar {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return &bar{}
	}
	return &bar{pb: progressbar.NewOptions(-1, progressbar.OptionSetWriter(w), progressbar.OptionSetDescription(desc),
		progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("篇"),
		progressbar.OptionThrottle(100*time.Millisecond), progressbar.OptionClearOnFinish())}
}

func (b *bar) progress(done, total int) {
	if b.pb == nil {
		return
	}
	if b.pb.GetMax() != total {
		b.pb.ChangeMax(total)
	}
	_ = b.pb.Set(done)
}

func (b *bar) spin() {
	if b.pb != nil {
		_ = b.pb.Add(1)
	}
}

func (b *bar) finish() {
	if b.pb != nil {
		_ = b.pb.Finish()
	}
}

func searchGenCorpus(e *env, args []string) error {
	fs := flag.NewFlagSet("search gen-corpus", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	n := fs.Int("docs", 200000, "文档数")
	seed := fs.Uint64("seed", 1, "随机种子（相同种子生成相同语料）")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	g := corpus.New(*seed)
	enc := json.NewEncoder(e.stdout)
	enc.SetEscapeHTML(false)
	for i := 0; i < *n; i++ {
		if err := enc.Encode(g.Next()); err != nil {
			if strings.Contains(err.Error(), "broken pipe") {
				return nil
			}
			return err
		}
	}
	return nil
}

// moduleIndexer is the search as the plugin host's Config.Indexer wants
// it: modules' documents go through the search outbox (written at once,
// applied by the worker after), so a document a module hands over is
// never lost, whichever of the two rooms starts first.
type moduleIndexer struct{ sink search.Sink }

// searchForModules returns the plugin host's Indexer for platform p.
func searchForModules(p *platform) modules.Indexer {
	return moduleIndexer{sink: search.OutboxSink{DB: p.db}}
}

func (m moduleIndexer) Index(ctx context.Context, d modules.Document) error {
	return m.sink.Index(ctx, searchDoc(d))
}

// searchDoc is a module's document as the search keeps it: tags are
// searchable text, and a tag "key=value" is also a metadata field the
// search page filters by (sdk.Document.Tags).
func searchDoc(d modules.Document) search.Doc {
	body := d.Body
	var words, fields []string
	for _, tag := range d.Tags {
		if k, v, ok := strings.Cut(tag, "="); ok && k != "" && v != "" && len(tag) <= 300 {
			fields = append(fields, tag)
			words = append(words, v)
			continue
		}
		words = append(words, tag)
	}
	if len(words) > 0 {
		body += "\n" + strings.Join(words, " ")
	}
	return search.Doc{ID: d.ID, TenantID: d.TenantID, Type: d.Type, URL: d.Path, Title: d.Title, Body: body, Date: d.Date, Fields: fields}
}

// moduleSource is one module's documents in a rebuild, read from its
// process through the plugin host the server runs (p.host, set when the
// modules room starts, whichever room starts first).
type moduleSource struct {
	p    *platform
	name string
}

var _ search.Source = moduleSource{}

func (m moduleSource) Name() string        { return m.name }
func (m moduleSource) Owns(id string) bool { return strings.HasPrefix(id, m.name+":") }

func (m moduleSource) Each(ctx context.Context, tenantID int64, fn func(search.Doc) error) error {
	h := m.p.host.Load()
	if h == nil {
		return fmt.Errorf("模块 %s 未运行", m.name)
	}
	return h.Documents(ctx, m.name, tenantID, func(d modules.Document) error { return fn(searchDoc(d)) })
}

func (m moduleIndexer) Remove(ctx context.Context, id string) error { return m.sink.Remove(ctx, id) }
