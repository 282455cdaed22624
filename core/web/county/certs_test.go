package county_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"yiwang/core/certs"
	"yiwang/core/store/storetest"
	"yiwang/core/web/webtest"
)

// TestCertificatesPage: the county office sees every mapped domain with
// its certificate's expiry, as a table and a chart, with the ones expired
// or about to lapse flagged, and the ones not yet obtained said so.
func TestCertificatesPage(t *testing.T) {
	e := webtest.NewSSOEnv(t, storetest.SQLite(t))
	ctx := context.Background()
	st := certs.NewStorage(e.DB)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	store := func(name string, left time.Duration) {
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name}, DNSNames: []string{name},
			NotBefore: time.Now().Add(-60 * 24 * time.Hour), NotAfter: time.Now().Add(left)}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		webtest.Must(t, err)
		webtest.Must(t, st.Store(ctx, "certificates/acme-test-dir/"+name+"/"+name+".crt", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
		webtest.Must(t, st.Store(ctx, "certificates/acme-test-dir/"+name+"/"+name+".key", []byte("key")))
	}
	for code, host := range map[string]string{"jyj": "jyj.sinan.test", "rsj": "rsj.sinan.test", "zjj": "zjj.sinan.test", "jtj": "jtj.sinan.test"} {
		webtest.Must(t, e.TS.AddDomain(ctx, "test", code, host, false))
	}
	store("jyj.sinan.test", 60*24*time.Hour+time.Hour)
	store("rsj.sinan.test", 5*24*time.Hour+time.Hour)
	store("zjj.sinan.test", -time.Hour)
	e.Srv.EnableCertsConsole(func(ctx context.Context) ([]certs.Certificate, error) { return certs.Stored(ctx, st) }, true)

	adm := e.Browser(t)
	adm.LoginDemo("admin")
	p := adm.Get(e.Portal + "/admin/county/certs")
	if p.Status != http.StatusOK {
		t.Fatalf("certificates page: %d", p.Status)
	}
	for _, want := range []string{"有效，剩 60 天", "即将到期（续期未成功，剩 5 天）", "已过期", "尚未申请（首次访问时申请）",
		"有 2 个域名的证书已过期或即将到期", `<svg class="bar-chart" role="img"`, "各域名证书的剩余天数", "acme-test-dir", "jtj.sinan.test"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("certificates page lacks %q", want)
		}
	}
	if strings.Contains(p.Body, "没有自己提供 HTTPS") {
		t.Error("the page says HTTPS is off while it is on")
	}
	if home := adm.Get(e.Portal + "/admin/county/"); !strings.Contains(home.Body, "有 2 个域名的 HTTPS 证书已过期或即将到期") {
		t.Error("the county console's home does not warn of the lapsing certificates")
	}
	ed := e.Browser(t)
	ed.LoginDemo("editor")
	if h := ed.Once("GET", e.Portal+"/admin/county/certs", nil); h.Status != http.StatusForbidden {
		t.Errorf("editor on the certificates page: %d, want 403", h.Status)
	}
}
