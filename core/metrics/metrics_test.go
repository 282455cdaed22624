package metrics_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"yiwang/core/metrics"
)

// Every yiwang metric the shipped dashboard and alert rules ask for is
// one the host serves: a renamed metric fails here, not on an operator's
// empty panel.
func TestDashboardAndAlertsNameServedMetrics(t *testing.T) {
	m := metrics.New()
	m.WatchOutbox(func(context.Context) (int, time.Duration, error) { return 1, time.Second, nil })
	m.WatchModules(func() []metrics.ModuleState { return []metrics.ModuleState{{Module: "mailbox", Running: true}} })
	m.WatchPageCache(func() metrics.PageCacheStats { return metrics.PageCacheStats{Hits: 1, Bytes: 10, MaxBytes: 100} })
	m.WatchCertificates(func(context.Context) ([]metrics.CertificateExpiry, error) {
		return []metrics.CertificateExpiry{{Name: "www.sinan.gov.cn", NotAfter: time.Now().Add(48 * time.Hour)}}, nil
	})
	m.WatchCases(func() []metrics.OpenCase { return []metrics.OpenCase{{Tenant: "jyj", Module: "mailbox", Days: 61}} })
	h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	m.ModuleCall("mailbox", "handle", time.Millisecond, nil)

	families, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	served := map[string]bool{}
	for _, f := range families {
		served[f.GetName()] = true
	}
	for _, file := range []string{"../../deploy/grafana/yiwang.json", "../../deploy/prometheus/alerts.yml"} {
		b, err := os.ReadFile(filepath.FromSlash(file))
		if err != nil {
			t.Fatal(err)
		}
		names := regexp.MustCompile(`yiwang_[a-z_]+`).FindAllString(string(b), -1)
		if len(names) < 5 {
			t.Fatalf("%s names only %v", file, names)
		}
		for _, n := range names {
			base := n
			for _, suffix := range []string{"_bucket", "_count", "_sum"} {
				base = strings.TrimSuffix(base, suffix)
			}
			if !served[n] && !served[base] {
				t.Errorf("%s asks for %s, which the host does not serve", file, n)
			}
		}
	}
}
