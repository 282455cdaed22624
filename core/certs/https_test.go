package certs_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"yiwang/core/certs"
	"yiwang/core/store/storetest"
	"yiwang/tenants"
)

// TestOnlyMappedActiveDomainsGetCertificates: the on-demand decision.
func TestOnlyMappedActiveDomainsGetCertificates(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	ts := tenants.NewStore(db)
	f, err := os.Open("../../tenants/seed/sinan.tsv")
	if err != nil {
		t.Fatal(err)
	}
	seed, err := tenants.ParseSeed(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Import(ctx, "test", seed); err != nil {
		t.Fatal(err)
	}
	for code, host := range map[string]string{"jyj": "jyj.sinan.test", "rsj": "rsj.sinan.test", "portal": "www.sinan.test"} {
		if err := ts.AddDomain(ctx, "test", code, host, true); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ts.SetStatus(ctx, "test", "rsj", tenants.Archived); err != nil {
		t.Fatal(err)
	}
	allow := certs.Allowed(ts, "sinan.test")
	for _, c := range []struct {
		name string
		ok   bool
	}{
		{"jyj.sinan.test", true}, {"JYJ.Sinan.Test.", true}, {"www.sinan.test", true},
		{"sinan.test", true}, // the portal host of the options
		{"rsj.sinan.test", false}, {"nosuch.sinan.test", false}, {"127.0.0.1", false}, {"localhost", false}, {"", false},
	} {
		err := allow(ctx, c.name)
		if (err == nil) != c.ok || (!c.ok && !errors.Is(err, certs.ErrNotServed)) {
			t.Errorf("allow(%q) = %v, want ok=%v", c.name, err, c.ok)
		}
	}
	if err := certs.Allowed(ts, "localhost")(ctx, "localhost"); err == nil {
		t.Error("localhost as the portal host got a certificate")
	}
}

func TestPlainHTTPGoesToHTTPS(t *testing.T) {
	health := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	for _, c := range []struct {
		port           int
		host, target   string
		status         int
		location, body string
	}{
		{443, "jyj.sinan.test", "/col/tzgg/?page=2", 308, "https://jyj.sinan.test/col/tzgg/?page=2", ""},
		{8443, "jyj.sinan.test:8080", "/art/1", 308, "https://jyj.sinan.test:8443/art/1", ""},
		{443, "jyj.sinan.test", "/healthz", 200, "", "ok\n"},
		{443, "evil.example/@x", "/", 400, "", ""},
	} {
		r := httptest.NewRequest(http.MethodGet, c.target, nil)
		r.Host = c.host
		w := httptest.NewRecorder()
		certs.Redirect(c.port, health).ServeHTTP(w, r)
		if w.Code != c.status || w.Header().Get("Location") != c.location || (c.body != "" && w.Body.String() != c.body) {
			t.Errorf("%s%s on %d: %d %q %q", c.host, c.target, c.port, w.Code, w.Header().Get("Location"), w.Body.String())
		}
	}
}
