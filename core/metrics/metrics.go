// Package metrics is what operators see inside a running host: Prometheus
// metrics (prometheus/client_golang) served on a listener of their own,
// never on the public sites. Requests are counted by tenant code, route
// pattern and status, whose number is bounded, never by raw path or host.
package metrics

import (
	"context"
	"database/sql"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"yiwang/core/web"
)

// Metrics holds the host's collectors in a registry of its own, so that
// tests and several hosts in one process never share counts.
type Metrics struct {
	Registry *prometheus.Registry

	requests    *prometheus.CounterVec
	duration    *prometheus.HistogramVec
	moduleCalls *prometheus.HistogramVec
}

// New makes the registry with the Go runtime and process collectors.
func New() *Metrics {
	m := &Metrics{Registry: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "yiwang_http_requests_total", Help: "HTTP requests answered, by tenant code, route pattern and status code.",
	}, []string{"tenant", "route", "code"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "yiwang_http_request_duration_seconds", Help: "Time to answer an HTTP request, by route pattern.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 15},
	}, []string{"route"})
	m.moduleCalls = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "yiwang_module_call_duration_seconds", Help: "Time of a call to a module process, by module, call and result.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 5},
	}, []string{"module", "call", "result"})
	m.Registry.MustRegister(m.requests, m.duration, m.moduleCalls,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry})
}

type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Flush keeps streamed answers streaming through the recorder.
func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Middleware counts every request the web server answers; install it as
// a web.Extensions Wrap.
func (m *Metrics) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		r, label := web.WithRouteLabel(r)
		rec := &recorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		route := label.Pattern
		if route == "" {
			route = r.Pattern // the top-level routes: /healthz, /static/
		}
		if route == "" {
			route = "unmatched"
		}
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		m.requests.WithLabelValues(label.Tenant, route, strconv.Itoa(rec.status)).Inc()
		m.duration.WithLabelValues(route).Observe(time.Since(start).Seconds())
	})
}

// ModuleCall records one call to a module process.
func (m *Metrics) ModuleCall(module, call string, d time.Duration, err error) {
	result := "ok"
	if err != nil {
		result = "error"
	}
	m.moduleCalls.WithLabelValues(module, call, result).Observe(d.Seconds())
}

// WatchDB reports a database pool's use (open, in use, idle, waits).
func (m *Metrics) WatchDB(name string, db *sql.DB) {
	m.Registry.MustRegister(collectors.NewDBStatsCollector(db, name))
}

// ModuleState is what the metrics read of a module process.
type ModuleState struct {
	Module   string
	Running  bool
	Restarts int
}

// WatchModules reports each module's restarts and whether it runs, read
// from the plugin host at every scrape.
func (m *Metrics) WatchModules(states func() []ModuleState) {
	m.Registry.MustRegister(&moduleCollector{states: states})
}

var (
	restartsDesc = prometheus.NewDesc("yiwang_module_restarts_total", "Restarts of a module process since this host started.", []string{"module"}, nil)
	upDesc       = prometheus.NewDesc("yiwang_module_up", "1 when the module process runs and answers its health checks.", []string{"module"}, nil)
)

type moduleCollector struct{ states func() []ModuleState }

func (c *moduleCollector) Describe(ch chan<- *prometheus.Desc) { ch <- restartsDesc; ch <- upDesc }

func (c *moduleCollector) Collect(ch chan<- prometheus.Metric) {
	for _, s := range c.states() {
		up := 0.0
		if s.Running {
			up = 1
		}
		ch <- prometheus.MustNewConstMetric(restartsDesc, prometheus.CounterValue, float64(s.Restarts), s.Module)
		ch <- prometheus.MustNewConstMetric(upDesc, prometheus.GaugeValue, up, s.Module)
	}
}

// WatchOutbox reports the search outbox: changes waiting and the age of
// the oldest, read with a short timeout at every scrape (-1 when the
// database does not answer).
func (m *Metrics) WatchOutbox(read func(ctx context.Context) (waiting int, oldest time.Duration, err error)) {
	get := func() (float64, float64) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		n, age, err := read(ctx)
		if err != nil {
			return -1, -1
		}
		return float64(n), age.Seconds()
	}
	m.Registry.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "yiwang_search_outbox_waiting", Help: "Search changes not yet applied to the index."},
			func() float64 { n, _ := get(); return n }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "yiwang_search_outbox_lag_seconds", Help: "Age of the oldest search change not yet applied."},
			func() float64 { _, a := get(); return a }),
	)
}

// PageCacheStats is what the metrics read of the page cache.
type PageCacheStats struct {
	Hits, Misses, Stores, Evictions, Invalidations float64
	Bytes, Entries, MaxBytes                       float64
}

// WatchPageCache reports the page cache's counters and size at every
// scrape.
func (m *Metrics) WatchPageCache(read func() PageCacheStats) {
	counter := func(name, help string, v func(PageCacheStats) float64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, func() float64 { return v(read()) })
	}
	gauge := func(name, help string, v func(PageCacheStats) float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 { return v(read()) })
	}
	m.Registry.MustRegister(
		counter("yiwang_page_cache_hits_total", "Anonymous pages answered from the page cache.", func(s PageCacheStats) float64 { return s.Hits }),
		counter("yiwang_page_cache_misses_total", "Anonymous page requests the cache did not hold.", func(s PageCacheStats) float64 { return s.Misses }),
		counter("yiwang_page_cache_stores_total", "Pages stored in the page cache.", func(s PageCacheStats) float64 { return s.Stores }),
		counter("yiwang_page_cache_evictions_total", "Pages dropped to stay within the cache's memory.", func(s PageCacheStats) float64 { return s.Evictions }),
		counter("yiwang_page_cache_invalidations_total", "Changes that dropped pages from the cache.", func(s PageCacheStats) float64 { return s.Invalidations }),
		gauge("yiwang_page_cache_bytes", "Memory held by cached pages and their compressed forms.", func(s PageCacheStats) float64 { return s.Bytes }),
		gauge("yiwang_page_cache_entries", "Pages in the page cache.", func(s PageCacheStats) float64 { return s.Entries }),
		gauge("yiwang_page_cache_max_bytes", "The page cache's memory bound.", func(s PageCacheStats) float64 { return s.MaxBytes }),
	)
}

// CertificateExpiry is one stored certificate's name and end of validity.
type CertificateExpiry struct {
	Name     string
	NotAfter time.Time
}

var certDesc = prometheus.NewDesc("yiwang_certificate_expiry_timestamp_seconds",
	"When each stored HTTPS certificate stops being valid (Unix time).", []string{"name"}, nil)

type certCollector struct {
	read func(ctx context.Context) ([]CertificateExpiry, error)
}

func (c certCollector) Describe(ch chan<- *prometheus.Desc) { ch <- certDesc }

func (c certCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	certs, err := c.read(ctx)
	if err != nil {
		return
	}
	seen := map[string]bool{}
	for _, cert := range certs {
		if seen[cert.Name] {
			continue // the newest comes first
		}
		seen[cert.Name] = true
		ch <- prometheus.MustNewConstMetric(certDesc, prometheus.GaugeValue, float64(cert.NotAfter.Unix()), cert.Name)
	}
}

// WatchCertificates reports the stored certificates' expiry, read at every
// scrape.
func (m *Metrics) WatchCertificates(read func(ctx context.Context) ([]CertificateExpiry, error)) {
	m.Registry.MustRegister(certCollector{read: read})
}

// OpenCase is the longest-waiting letter or request of a site.
type OpenCase struct {
	Tenant, Module string
	Days           int
}

var caseDesc = prometheus.NewDesc("yiwang_case_oldest_open_days",
	"Days the longest-waiting letter or request of a site has waited, as the daily check last read it.", []string{"tenant", "module"}, nil)

type caseCollector struct{ read func() []OpenCase }

func (c caseCollector) Describe(ch chan<- *prometheus.Desc) { ch <- caseDesc }

func (c caseCollector) Collect(ch chan<- prometheus.Metric) {
	for _, oc := range c.read() {
		ch <- prometheus.MustNewConstMetric(caseDesc, prometheus.GaugeValue, float64(oc.Days), oc.Tenant, oc.Module)
	}
}

// WatchCases reports the longest-waiting case of each site, from the
// daily check's last gathering (never a query at scrape time).
func (m *Metrics) WatchCases(read func() []OpenCase) {
	m.Registry.MustRegister(caseCollector{read: read})
}
