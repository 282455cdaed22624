package search_test

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"yiwang/core/search"
	"yiwang/core/search/corpus"
)

// The large measurement runs only when asked, so that `go test ./...`
// stays fast:
//
//	YIWANG_SEARCH_BENCH=200000 go test -run TestCorpusBench -timeout 60m -v ./core/search
//
// YIWANG_SEARCH_BENCH_ANALYSIS picks the analysis (ngram, bigram, cjk);
// YIWANG_SEARCH_BENCH_DIR keeps the index there, and a second run on the
// same directory skips indexing.

// benchQueries are the queries timed, by kind.
var benchQueries = map[string][]string{
	"2-char word":    {"扶贫", "教育", "医保", "低保", "信访", "禁毒", "普法", "统计"},
	"3-4-char word":  {"教育局", "脱贫攻坚", "乡村振兴", "营商环境", "安全生产", "疫情防控", "森林防火", "政务服务"},
	"two words":      {"扶贫 教育", "安全生产 检查", "乡村振兴 产业发展", "营商环境 政务服务", "医疗卫生 家庭医生", "防汛抗旱 应急演练", "教育 校园安全", "生态环境 河长制"},
	"rare word":      {"花灯戏", "天网工程", "冷水鱼", "长者食堂", "尾矿库", "直播带货"},
	"mixed/number":   {"2026年", "IPv6", "思府发〔2026〕12号", "12345热线"},
	"single char":    {"局", "茶"},
	"two words site": {"扶贫 教育", "安全生产 检查", "乡村振兴 产业发展", "营商环境 政务服务"},
	"two words time": {"扶贫 教育", "安全生产 检查", "乡村振兴 产业发展", "营商环境 政务服务"},
}

func TestCorpusBench(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("YIWANG_SEARCH_BENCH"))
	if n <= 0 {
		t.Skip("set YIWANG_SEARCH_BENCH=200000 to index a generated corpus and time searches")
	}
	ctx := context.Background()
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400) // as `yiwang serve` runs (cli.serveGCPercent)
	}
	analysisName := os.Getenv("YIWANG_SEARCH_BENCH_ANALYSIS")
	if analysisName == "" {
		analysisName = search.AnalysisSkip
	}
	dir := os.Getenv("YIWANG_SEARCH_BENCH_DIR")
	if dir == "" {
		dir = filepath.Join(t.TempDir(), "idx")
	}
	idx, err := search.OpenBleve(dir, search.BleveOptions{Analysis: analysisName})
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	t.Logf("load average at start: %s", loadavg())
	have, _ := idx.Count(ctx)
	if have < n {
		cpu0 := cpuTime()
		g := corpus.New(1)
		for i := 0; i < have; i++ {
			g.Next()
		}
		start := time.Now()
		const chunk = 2000
		docs := make([]search.Doc, 0, chunk)
		chars := 0
		for i := have; i < n; i++ {
			d := g.Next()
			chars += len([]rune(d.Body))
			docs = append(docs, d)
			if len(docs) == chunk || i == n-1 {
				if err := idx.Upsert(ctx, docs...); err != nil {
					t.Fatal(err)
				}
				docs = docs[:0]
			}
			if (i+1)%20000 == 0 {
				t.Logf("%d docs, %.0f docs/s", i+1, float64(i+1-have)/time.Since(start).Seconds())
			}
		}
		took := time.Since(start)
		cpu := cpuTime() - cpu0
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		t.Logf("indexed %d docs (%s analysis, mean body %d chars) in %v: %.0f docs/s; %.0f docs per CPU-second (%.0f docs/s if both cores were ours); heap in use %d MB; load average now %s",
			n-have, analysisName, chars/max(1, n-have), took.Round(time.Second), float64(n-have)/took.Seconds(),
			float64(n-have)/cpu.Seconds(), 2*float64(n-have)/cpu.Seconds(), ms.HeapInuse>>20, loadavg())
		// Let the merger settle before measuring size and latency.
		time.Sleep(10 * time.Second)
	}
	t.Logf("index size %d MB for %d docs (%.1f KB/doc)", dirSize(dir)>>20, n, float64(dirSize(dir))/1024/float64(n))

	// The first search reads every segment's facet and date columns.
	first, firstCPU := time.Now(), cpuTime()
	if _, err := search.Search(ctx, idx, search.Query{Text: "扶贫", Facets: true}); err != nil {
		t.Fatal(err)
	}
	t.Logf("first search after opening (reads the columns of every segment): %v, CPU %v", time.Since(first).Round(time.Millisecond), (cpuTime() - firstCPU).Round(time.Millisecond))

	kinds := make([]string, 0, len(benchQueries))
	for k := range benchQueries {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, kind := range kinds {
		var lat, cpus []time.Duration
		totals := ""
		for _, text := range benchQueries[kind] {
			q := search.Query{Text: text, Facets: true}
			switch kind {
			case "two words site":
				q.Tenants = []int64{5}
			case "two words time":
				q.Sort = search.ByTime
			}
			res, err := search.Search(ctx, idx, q) // warm
			if err != nil {
				t.Fatal(err)
			}
			totals += fmt.Sprintf(" %s=%d", text, res.Total)
			for i := 0; i < 10; i++ {
				s, c := time.Now(), cpuTime()
				if _, err := search.Search(ctx, idx, q); err != nil {
					t.Fatal(err)
				}
				lat = append(lat, time.Since(s))
				cpus = append(cpus, cpuTime()-c)
			}
		}
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		sort.Slice(cpus, func(i, j int) bool { return cpus[i] < cpus[j] })
		t.Logf("%-15s p50 %6.1f ms  p95 %6.1f ms  (CPU p50 %6.1f ms p95 %6.1f ms; matches:%s)", kind, ms(lat[len(lat)/2]), ms(lat[len(lat)*95/100]),
			ms(cpus[len(cpus)/2]), ms(cpus[len(cpus)*95/100]), totals)
	}
}

// cpuTime is the process's user and system CPU time so far: on a shared
// machine it measures our work when the wall clock measures everyone's.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func dirSize(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// BenchmarkIndex indexes generated documents (b.N of them) into a fresh
// on-disk index.
func BenchmarkIndex(b *testing.B) {
	idx, err := search.OpenBleve(filepath.Join(b.TempDir(), "idx"), search.BleveOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer idx.Close()
	g := corpus.New(2)
	docs := make([]search.Doc, b.N)
	for i := range docs {
		docs[i] = g.Next()
	}
	b.ResetTimer()
	if err := idx.Upsert(context.Background(), docs...); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "docs/s")
}

// BenchmarkSearch times a two-word query with facets and highlighting on
// 20,000 generated documents (the 200,000 run is TestCorpusBench).
func BenchmarkSearch(b *testing.B) {
	ctx := context.Background()
	idx, err := search.OpenBleve(filepath.Join(b.TempDir(), "idx"), search.BleveOptions{})
	if err != nil {
		b.Fatal(err)
	}
	defer idx.Close()
	g := corpus.New(3)
	docs := make([]search.Doc, 20000)
	for i := range docs {
		docs[i] = g.Next()
	}
	if err := idx.Upsert(ctx, docs...); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := search.Search(ctx, idx, search.Query{Text: "扶贫 教育", Facets: true}); err != nil {
			b.Fatal(err)
		}
	}
}
