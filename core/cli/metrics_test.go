package cli_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// prometheusBinary finds Debian's prometheus; under CI a missing one
// fails the test, elsewhere it skips with the way to get it.
func prometheusBinary(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("prometheus"); err == nil {
		return p
	}
	if os.Getenv("CI") != "" {
		t.Fatal("prometheus is not installed (apt-get install prometheus); .ci/run installs it")
	}
	t.Skip("prometheus not installed: apt-get install prometheus")
	return ""
}

// A real Prometheus scrapes a running server's metrics listener and
// answers PromQL over what it scraped: requests by tenant and route, the
// module processes, the database pool and the search outbox.
func TestPrometheusScrapesMetrics(t *testing.T) {
	prom := prometheusBinary(t)
	data := filepath.Join(t.TempDir(), "data")
	metricsAddr := freeAddr(t)
	s := startServe(t, data, "--metrics", metricsAddr)
	s.waitHealthy(90 * time.Second)
	for i := 0; i < 5; i++ {
		s.mustGet("/site/rsj/", http.StatusOK)
	}
	s.mustGet("/no-such-page", http.StatusNotFound)
	s.mustGet("/topics/", http.StatusOK)

	// The listener is the operators': the public port has no /metrics.
	if code, _, _, _ := s.get("/metrics"); code == http.StatusOK {
		t.Error("/metrics answers on the public port")
	}

	dir := t.TempDir()
	cfg := fmt.Sprintf("global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: yiwang\n    static_configs:\n      - targets: ['%s']\n", metricsAddr)
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	promAddr := freeAddr(t)
	cmd := exec.Command(prom, "--config.file="+filepath.Join(dir, "prometheus.yml"), "--storage.tsdb.path="+filepath.Join(dir, "tsdb"),
		"--web.listen-address="+promAddr)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("prometheus output:\n%s", out.String())
		}
	})

	query := func(q string) (float64, bool) {
		resp, err := http.Get("http://" + promAddr + "/api/v1/query?query=" + url.QueryEscape(q))
		if err != nil {
			return 0, false
		}
		defer resp.Body.Close()
		var r struct {
			Status string `json:"status"`
			Data   struct {
				Result []struct {
					Value [2]any `json:"value"`
				} `json:"result"`
			} `json:"data"`
		}
		if json.NewDecoder(resp.Body).Decode(&r) != nil || r.Status != "success" || len(r.Data.Result) == 0 {
			return 0, false
		}
		v, err := strconv.ParseFloat(fmt.Sprint(r.Data.Result[0].Value[1]), 64)
		return v, err == nil
	}
	for _, c := range []struct {
		promql string
		min    float64
	}{
		{`sum(yiwang_http_requests_total{tenant="rsj",code="200"})`, 5},
		{`sum(yiwang_http_requests_total{code="404"})`, 1},
		{`count(yiwang_http_requests_total{tenant="rsj",route!="unmatched",route!=""})`, 1},
		{`sum(yiwang_module_call_duration_seconds_count{module="topics",result="ok"})`, 1},
		{`count(yiwang_http_request_duration_seconds_bucket)`, 1},
		{`sum(yiwang_module_up)`, 1},
		{`max(go_sql_open_connections{db_name="platform"})`, 0},
		{`yiwang_search_outbox_waiting`, 0},
	} {
		deadline := time.Now().Add(60 * time.Second)
		for {
			v, ok := query(c.promql)
			if ok && v >= c.min {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: %v (answered %v), want at least %v", c.promql, v, ok, c.min)
			}
			time.Sleep(500 * time.Millisecond)
		}
	}
}

// The alert rules and scrape configuration shipped in deploy/ are what
// Prometheus accepts.
func TestDeployedPrometheusConfig(t *testing.T) {
	prom := prometheusBinary(t)
	promtool := filepath.Join(filepath.Dir(prom), "promtool")
	out, err := exec.Command(promtool, "check", "config", filepath.Join("..", "..", "deploy", "prometheus", "prometheus.yml")).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "SUCCESS") {
		t.Fatalf("promtool check config: %v\n%s", err, out)
	}
}
