package modules_test

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The SSE fan-out benchmark: many viewers of one live interview through
// the host, an answer posted every second. Run it with
//
//	YIWANG_SSE_BENCH=5000 YIWANG_SSE_SECONDS=30 go test -run TestSSEFanoutBench -v -timeout 30m ./core/modules
//
// The viewers run in a child process (this test binary again), so the
// host's memory per viewer is the host's alone. It reports the delivery
// latency from the start of the POST to each viewer's receipt (p50, p95,
// p99, max), the host's memory per viewer (Go heap and stacks, and
// resident set), and the calls made to the module per answer.
func TestSSEFanoutBench(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("YIWANG_SSE_BENCH"))
	if n <= 0 {
		t.Skip("set YIWANG_SSE_BENCH=<viewers> to run the fan-out benchmark")
	}
	seconds := 20
	if s, err := strconv.Atoi(os.Getenv("YIWANG_SSE_SECONDS")); err == nil && s > 0 {
		seconds = s
	}
	fixtureRegistryTTL = 5 * time.Second // as serve runs
	defer func() { fixtureRegistryTTL = time.Nanosecond }()
	f, id := interviewFixture(t)
	if a := f.postAnswer(id, "开场 #0#"); a.status != http.StatusSeeOther {
		t.Fatalf("answer: %d", a.status)
	}
	heap0, rss0 := memory()
	stack0 := stackInuse()
	cmd := exec.Command(os.Args[0], "-test.run=^TestSSEViewersProcess$", "-test.timeout=0")
	cmd.Env = append(os.Environ(), "YIWANG_SSE_VIEWERS="+strconv.Itoa(n), "YIWANG_SSE_URL="+f.url+"/interview/events/"+id)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill() //nolint:errcheck
	out := bufio.NewScanner(stdout)
	for out.Scan() && !strings.HasPrefix(out.Text(), "ready") {
	}
	connectDeadline := time.Now().Add(2 * time.Minute)
	for f.host.EventViewers("interview") < n && time.Now().Before(connectDeadline) {
		time.Sleep(100 * time.Millisecond)
	}
	connected := f.host.EventViewers("interview")
	heap1, rss1 := memory()
	stack1 := stackInuse()
	if p := os.Getenv("YIWANG_SSE_HEAPPROFILE"); p != "" {
		if pf, err := os.Create(p); err == nil {
			_ = pprof.WriteHeapProfile(pf)
			pf.Close()
		}
	}
	calls0, handles0 := f.host.EventCalls("interview"), f.handles.Load()
	for k := 1; k <= seconds; k++ {
		start := time.Now()
		fmt.Fprintf(stdin, "%d %d\n", k, start.UnixNano())
		if a := f.postAnswer(id, "答复 #"+strconv.Itoa(k)+"#"); a.status != http.StatusSeeOther {
			t.Errorf("answer %d: %d", k, a.status)
		}
		time.Sleep(time.Until(start.Add(time.Second)))
	}
	time.Sleep(2 * time.Second)
	calls, handles := f.host.EventCalls("interview")-calls0, f.handles.Load()-handles0
	fmt.Fprintln(stdin, "done")
	var summary []string
	for out.Scan() {
		summary = append(summary, out.Text())
	}
	_ = cmd.Wait()
	t.Logf("viewers: %d requested, %d connected to the host; %d answers, one a second", n, connected, seconds)
	for _, s := range summary {
		t.Logf("delivery: %s", s)
	}
	t.Logf("host memory per viewer: %.1f KB Go heap and stacks, %.1f KB resident (%.1f MB and %.1f MB for all)",
		float64(heap1-heap0)/float64(n)/1024, float64(rss1-rss0)/float64(n)/1024, float64(heap1-heap0)/(1<<20), float64(rss1-rss0)/(1<<20))
	t.Logf("of which goroutine stacks: %.1f KB per viewer", float64(stack1-stack0)/float64(n)/1024)
	t.Logf("calls to the module per answer: %.2f (%d requests for %d answers: the post itself; %d event subscriptions, the one for every viewer opened before)",
		float64(calls+handles)/float64(seconds), handles, seconds, calls)
	if calls != 0 {
		t.Errorf("%d calls to the module for %d answers with every viewer connected, want none beyond the one subscription", calls, seconds)
	}
}

// memory is the process's Go heap and stacks in use, and its resident
// set, after a collection.
func memory() (uint64, uint64) {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	var rss uint64
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
				kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
				rss = kb << 10
			}
		}
	}
	return m.HeapInuse + m.StackInuse, rss
}

func stackInuse() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.StackInuse
}

// TestSSEViewersProcess is the benchmark's other side, in its own
// process: YIWANG_SSE_VIEWERS event streams of YIWANG_SSE_URL; it reads
// "k unixnano" lines (answer k posted then) on standard input until
// "done" and prints the latency percentiles of every delivery.
func TestSSEViewersProcess(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("YIWANG_SSE_VIEWERS"))
	target := os.Getenv("YIWANG_SSE_URL")
	if n <= 0 || target == "" {
		t.Skip("the benchmark's viewer process")
	}
	tr := &http.Transport{MaxIdleConnsPerHost: -1, DisableCompression: true}
	cl := &http.Client{Transport: tr}
	var mu sync.Mutex
	arrivals := map[int][]int64{}
	var up atomic.Int64
	var wg sync.WaitGroup
	sem := make(chan struct{}, 200) // connect in waves
	for range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodGet, target, nil)
			req.Header.Set("Accept", "text/event-stream")
			resp, err := cl.Do(req)
			<-sem
			if err != nil {
				fmt.Fprintln(os.Stderr, "viewer:", err)
				return
			}
			defer resp.Body.Close()
			up.Add(1)
			br := bufio.NewReaderSize(resp.Body, 8192)
			for {
				line, err := br.ReadString('\n')
				if err != nil {
					if err != io.EOF {
						return
					}
					return
				}
				if !strings.HasPrefix(line, "data: ") {
					continue
				}
				at := time.Now().UnixNano()
				if i := strings.Index(line, "#"); i >= 0 {
					if j := strings.Index(line[i+1:], "#"); j > 0 {
						k, _ := strconv.Atoi(line[i+1 : i+1+j])
						mu.Lock()
						arrivals[k] = append(arrivals[k], at)
						mu.Unlock()
					}
				}
			}
		}()
	}
	for len(sem) > 0 || up.Load() < int64(n) && len(sem) > 0 {
		time.Sleep(50 * time.Millisecond)
	}
	fmt.Printf("ready %d\n", up.Load())
	posted := map[int]int64{}
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() && in.Text() != "done" {
		var k int
		var at int64
		if _, err := fmt.Sscanf(in.Text(), "%d %d", &k, &at); err == nil {
			posted[k] = at
		}
	}
	mu.Lock()
	defer mu.Unlock()
	var lat []float64
	missing := 0
	for k, at := range posted {
		for _, a := range arrivals[k] {
			lat = append(lat, float64(a-at)/1e6)
		}
		missing += int(up.Load()) - len(arrivals[k])
	}
	sort.Float64s(lat)
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(float64(len(lat))*p))]
	}
	fmt.Printf("%d deliveries to %d viewers, %d missing; latency ms p50 %.1f p95 %.1f p99 %.1f max %.1f\n",
		len(lat), up.Load(), missing, pct(.50), pct(.95), pct(.99), pct(1))
	os.Exit(0)
}
