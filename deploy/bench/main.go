// Command bench measures the platform's pages against the machine's
// ceiling, in one run:
//
//	go run ./deploy/bench            # from the repository root; needs wrk (apt-get install wrk)
//
// It builds yiwang, gives a data folder a realistic county (the reference
// county's 75 sites with the modules' demo data, topped up to 50,000
// published articles and indexed for search), starts the platform and a
// bare net/http server answering a page of the portal home's size, and
// runs wrk against each page kind with the bare server measured right
// before it, so that each ratio compares two runs minutes apart on the
// same noisy machine. It prints requests per second beside the ceiling,
// p50 and p99, how long the host took from start to its first page, and
// the resident memory of the host and of each module process.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"yiwang/plugins/sdk/sqldb"
)

func main() {
	data := flag.String("data", filepath.Join(os.TempDir(), "yiwang-bench"), "数据目录（保留以便再次运行时跳过准备）")
	articles := flag.Int("articles", 50000, "已发布文章总数")
	duration := flag.Duration("d", 5*time.Second, "每次 wrk 测量的时长")
	conns := flag.Int("c", 32, "wrk 连接数")
	rounds := flag.Int("rounds", 2, "交替测量的轮数")
	flag.Parse()
	if err := run(*data, *articles, *duration, *conns, *rounds); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(data string, articles int, d time.Duration, conns, rounds int) error {
	if _, err := exec.LookPath("wrk"); err != nil {
		return errors.New("wrk is needed: apt-get install wrk")
	}
	bin := filepath.Join(os.TempDir(), "yiwang-bench-bin")
	step("building yiwang")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, out)
	}
	if err := os.MkdirAll(data, 0o750); err != nil {
		return err
	}
	db := filepath.Join(data, "yiwang.db")
	if _, err := os.Stat(db); errors.Is(err, os.ErrNotExist) {
		step("first start: the reference county and the modules' demo data")
		h, err := start(bin, data)
		if err != nil {
			return err
		}
		h.stop()
	}
	added, err := topUp(db, articles)
	if err != nil {
		return err
	}
	if added > 0 {
		step(fmt.Sprintf("indexing %d new articles for search", added))
		cmd := exec.Command(bin, "search", "reindex", "--data", data)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("reindex: %w", err)
		}
	}
	step("starting the platform")
	h, err := start(bin, data)
	if err != nil {
		return err
	}
	defer h.stop()
	fmt.Printf("start to first page: %v (75 sites, every module)\n", h.ready.Round(time.Millisecond))

	targets, cookie, err := discover(h.base, db)
	if err != nil {
		return err
	}
	home, err := fetch(h.base+"/", "")
	if err != nil {
		return err
	}
	bare, err := bareServer(home)
	if err != nil {
		return err
	}
	// Every target once before measuring: caches fill as a county's
	// would within seconds of opening.
	for _, t := range targets {
		if _, err := fetch(t.url, t.cookie(cookie)); err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
	}
	type row struct {
		name            string
		rps, ceiling    []float64
		p50, p99        []time.Duration
		ceilP50, ceilP9 []time.Duration
	}
	rows := make([]row, len(targets))
	for round := 1; round <= rounds; round++ {
		for i, t := range targets {
			step(fmt.Sprintf("round %d/%d: %s", round, rounds, t.name))
			c, err := wrk(bare, "", d, conns)
			if err != nil {
				return err
			}
			m, err := wrk(t.url, t.cookie(cookie), d, conns)
			if err != nil {
				return fmt.Errorf("%s: %w", t.name, err)
			}
			r := &rows[i]
			r.name = t.name
			r.rps, r.ceiling = append(r.rps, m.rps), append(r.ceiling, c.rps)
			r.p50, r.p99 = append(r.p50, m.p50), append(r.p99, m.p99)
			r.ceilP50, r.ceilP9 = append(r.ceilP50, c.p50), append(r.ceilP9, c.p99)
		}
	}
	fmt.Printf("\nwrk -t2 -c%d -d%v, %d rounds, the bare server measured before each page (median of rounds)\n\n", conns, d, rounds)
	tw := tabwriter.NewWriter(os.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "page\treq/s\tceiling req/s\tratio\tp50\tp99\tceiling p99")
	for _, r := range rows {
		rps, ceil := median(r.rps), median(r.ceiling)
		fmt.Fprintf(tw, "%s\t%.0f\t%.0f\t%.2f\t%v\t%v\t%v\n", r.name, rps, ceil, rps/ceil, medianD(r.p50), medianD(r.p99), medianD(r.ceilP9))
	}
	_ = tw.Flush()
	fmt.Println()
	for _, p := range h.memory() {
		fmt.Printf("resident memory: %-28s %6.1f MB\n", p.name, float64(p.rss)/(1<<20))
	}
	return nil
}

func step(s string) { fmt.Fprintln(os.Stderr, "·", s) }

// host is a running yiwang serve.
type host struct {
	cmd   *exec.Cmd
	base  string
	ready time.Duration
}

func start(bin, data string) (*host, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "serve", "--data", data, "--addr", "127.0.0.1:"+port, "--no-probes")
	log, err := os.Create(filepath.Join(data, "serve.log"))
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	began := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	h := &host{cmd: cmd, base: "http://localhost:" + port}
	for time.Since(began) < 5*time.Minute {
		if resp, err := http.Get(h.base + "/"); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				h.ready = time.Since(began)
				return h, nil
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	h.stop()
	return nil, fmt.Errorf("yiwang serve did not answer within 5 minutes (see %s)", log.Name())
}

func (h *host) stop() {
	_ = h.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = h.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = syscall.Kill(-h.cmd.Process.Pid, syscall.SIGKILL)
	}
}

type proc struct {
	name string
	rss  int64
}

// memory reads the resident memory of the host and its module processes.
func (h *host) memory() []proc {
	out := []proc{{"host (yiwang serve)", rss(h.cmd.Process.Pid)}}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(f) < 2 || f[1] != strconv.Itoa(h.cmd.Process.Pid) {
			continue
		}
		cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		args := strings.Split(strings.TrimRight(string(cmdline), "\x00"), "\x00")
		out = append(out, proc{"module " + args[len(args)-1], rss(pid)})
	}
	return out
}

func rss(pid int) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port, nil
}

// topUp publishes articles into the sites' list columns until there are
// n, spread over two years, in one transaction per thousand.
func topUp(path string, n int) (int, error) {
	ctx := context.Background()
	db, err := sqldb.Open(ctx, "sqlite:"+path)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var have int
	if err := db.GetContext(ctx, &have, `SELECT COUNT(*) FROM articles WHERE status = 'published'`); err != nil {
		return 0, err
	}
	if have >= n {
		return 0, nil
	}
	var cols []struct {
		TenantID int64 `db:"tenant_id"`
		ID       int64 `db:"id"`
	}
	if err := db.SelectContext(ctx, &cols, `SELECT tenant_id, id FROM site_columns WHERE type = 'list' AND hidden = 0`); err != nil {
		return 0, err
	}
	step(fmt.Sprintf("publishing %d articles over %d columns", n-have, len(cols)))
	words := []string{"教育", "工作", "会议", "乡村振兴", "安全生产", "招生", "医疗", "交通", "水利", "农业", "扶贫", "就业", "社保", "环境", "政务公开", "项目建设", "文明创建", "防汛", "民生", "改革"}
	rng := rand.New(rand.NewPCG(1, 2))
	now := time.Now().UTC()
	for done := have; done < n; {
		batch := min(1000, n-done)
		tx, err := db.BeginTxx(ctx, nil)
		if err != nil {
			return 0, err
		}
		for range batch {
			c := cols[rng.IntN(len(cols))]
			title := words[rng.IntN(len(words))] + words[rng.IntN(len(words))] + "工作推进会召开"
			body := "<p>" + strings.Repeat(words[rng.IntN(len(words))]+"相关工作稳步推进，群众满意度持续提升。", 8) + "</p>"
			at := now.Add(-time.Duration(rng.Int64N(int64(2 * 365 * 24 * time.Hour))))
			if _, err := tx.ExecContext(ctx, `INSERT INTO articles (tenant_id, column_id, title, body, keywords, status, published_at, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, 'published', ?, ?, ?)`, c.TenantID, c.ID, title, body, words[rng.IntN(len(words))], at, at, at); err != nil {
				_ = tx.Rollback()
				return 0, fmt.Errorf("seed articles: %w", err)
			}
		}
		if err := tx.Commit(); err != nil {
			return 0, err
		}
		done += batch
	}
	return n - have, nil
}

type target struct {
	name     string
	url      string
	loggedIn bool
}

func (t target) cookie(c string) string {
	if t.loggedIn {
		return c
	}
	return ""
}

// discover finds a page of each kind and signs the citizen in.
func discover(base, dbPath string) ([]target, string, error) {
	ctx := context.Background()
	db, err := sqldb.Open(ctx, "sqlite:"+dbPath)
	if err != nil {
		return nil, "", err
	}
	defer db.Close()
	// A department served under the portal's host (a mapped domain would
	// need a resolver entry) with the most news.
	var site struct {
		Code string `db:"code"`
		Art  int64  `db:"art"`
	}
	if err := db.GetContext(ctx, &site, `SELECT t.code, MAX(a.id) AS art FROM articles a JOIN tenants t ON t.id = a.tenant_id
		JOIN site_columns c ON c.id = a.column_id
		WHERE t.kind = 'department' AND c.slug = 'gzdt' AND a.status = 'published'
		AND NOT EXISTS (SELECT 1 FROM tenant_domains d WHERE d.tenant_id = t.id)
		GROUP BY t.code ORDER BY COUNT(*) DESC LIMIT 1`); err != nil {
		return nil, "", fmt.Errorf("a sub-site with news: %w", err)
	}
	topics, err := fetch(base+"/topics/", "")
	if err != nil {
		return nil, "", err
	}
	m := regexp.MustCompile(`href="/topics/(\d+)"`).FindStringSubmatch(topics)
	if m == nil {
		return nil, "", errors.New("no topic on the portal's topic list")
	}
	cookie, err := login(base, "citizen", "demo1234")
	if err != nil {
		return nil, "", fmt.Errorf("sign the citizen in: %w", err)
	}
	q := url.Values{"q": {"教育 工作"}}
	return []target{
		{"portal home", base + "/", false},
		{"sub-site home", base + "/site/" + site.Code + "/", false},
		{"column list", base + "/site/" + site.Code + "/col/gzdt/", false},
		{"article", fmt.Sprintf("%s/site/%s/art/%d", base, site.Code, site.Art), false},
		{"topic page (plugin)", base + "/topics/" + m[1], false},
		{"mailbox page (plugin)", base + "/mailbox/", false},
		{"search, two words", base + "/search?" + q.Encode(), false},
		{"portal home, signed in", base + "/", true},
	}, cookie, nil
}

var (
	reqRe  = regexp.MustCompile(`name="req" value="([^"]*)"`)
	bindRe = regexp.MustCompile(`name="bind" value="([^"]*)"`)
)

// login signs a demo account without a second factor in through the
// built-in provider, as a browser would, and returns its Cookie header.
func login(base, user, password string) (string, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	resp, err := c.Get(base + "/account/login?r=/")
	if err != nil {
		return "", err
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	req, bind := reqRe.FindStringSubmatch(string(b)), bindRe.FindStringSubmatch(string(b))
	if req == nil || bind == nil {
		return "", fmt.Errorf("no login form at %s", resp.Request.URL)
	}
	resp, err = c.PostForm(base+"/idp/login", url.Values{"req": {req[1]}, "bind": {bind[1]}, "username": {user}, "password": {password}})
	if err != nil {
		return "", err
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), "bar-user") {
		return "", fmt.Errorf("not signed in after the form (%d %s)", resp.StatusCode, resp.Request.URL)
	}
	u, _ := url.Parse(base)
	var parts []string
	for _, ck := range jar.Cookies(u) {
		parts = append(parts, ck.Name+"="+ck.Value)
	}
	return strings.Join(parts, "; "), nil
}

func fetch(u, cookie string) (string, error) {
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%s: %d", u, resp.StatusCode)
	}
	return string(b), err
}

// bareServer answers page, as it is, to every request: the ceiling of
// Go's net/http on this machine for a page of that size.
func bareServer(page string) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	body := []byte(page)
	go func() {
		_ = http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			_, _ = w.Write(body)
		}))
	}()
	return "http://" + ln.Addr().String() + "/", nil
}

type measured struct {
	rps      float64
	p50, p99 time.Duration
}

var (
	rpsRe     = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	latencyRe = regexp.MustCompile(`(?m)^\s+(50|99)%\s+([0-9.]+)(us|ms|s)\s*$`)
	non2xxRe  = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`)
)

func wrk(u, cookie string, d time.Duration, conns int) (measured, error) {
	args := []string{"-t2", "-c" + strconv.Itoa(conns), "-d" + strconv.Itoa(int(d.Seconds())) + "s", "--latency"}
	if cookie != "" {
		args = append(args, "-H", "Cookie: "+cookie)
	}
	out, err := exec.Command("wrk", append(args, u)...).CombinedOutput()
	if err != nil {
		return measured{}, fmt.Errorf("wrk: %v\n%s", err, out)
	}
	if m := non2xxRe.FindSubmatch(out); m != nil {
		return measured{}, fmt.Errorf("%s answered %s requests with an error", u, m[1])
	}
	var r measured
	if m := rpsRe.FindSubmatch(out); m != nil {
		r.rps, _ = strconv.ParseFloat(string(m[1]), 64)
	}
	for _, m := range latencyRe.FindAllSubmatch(out, -1) {
		v, _ := strconv.ParseFloat(string(m[2]), 64)
		unit := map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second}[string(m[3])]
		dd := time.Duration(v * float64(unit)).Round(10 * time.Microsecond)
		if string(m[1]) == "50" {
			r.p50 = dd
		} else {
			r.p99 = dd
		}
	}
	return r, nil
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func medianD(xs []time.Duration) time.Duration {
	f := make([]float64, len(xs))
	for i, x := range xs {
		f[i] = float64(x)
	}
	return time.Duration(median(f)).Round(10 * time.Microsecond)
}
