package cli_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"go/build"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"yiwang/core/store"
)

// pebble starts Pebble, the ACME test server, at addr, its listener on
// the certificate in listener, and returns the roots it signs the
// certificates it issues with, and a stop function. It
// validates challenges for real: it resolves names with the DNS server at
// dns (which answers 127.0.0.1 for every name) and connects to the
// platform's HTTP and HTTPS ports.
func pebble(t *testing.T, addr, dns string, httpPort, tlsPort int, listener tlsFiles) (issued *x509.CertPool, stop func()) {
	t.Helper()
	bin, err := exec.LookPath("pebble")
	if err != nil {
		bin = filepath.Join(build.Default.GOPATH, "bin", "pebble")
		if _, err := os.Stat(bin); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatal("pebble not installed (go install github.com/letsencrypt/pebble/v2/cmd/pebble@v2.10.3)")
			}
			t.Skip("pebble not installed: go install github.com/letsencrypt/pebble/v2/cmd/pebble@v2.10.3")
		}
	}
	tmp := t.TempDir()
	certFile, keyFile, roots := listener.cert, listener.key, listener.roots
	mgmt := freeAddr(t)
	cfg := map[string]any{"pebble": map[string]any{
		"listenAddress": addr, "managementListenAddress": mgmt, "certificate": certFile, "privateKey": keyFile,
		"httpPort": httpPort, "tlsPort": tlsPort, "ocspResponderURL": "", "externalAccountBindingRequired": false,
		"retryAfter": map[string]int{"authz": 1, "order": 1}, "keyAlgorithm": "ecdsa",
		"profiles": map[string]any{"default": map[string]any{"description": "test", "validityPeriod": 7776000}},
	}}
	raw, _ := json.Marshal(cfg)
	cfgFile := filepath.Join(tmp, "pebble.json")
	if err := os.WriteFile(cfgFile, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-config", cfgFile, "-dnsserver", dns)
	cmd.Env = append(os.Environ(), "PEBBLE_VA_NOSLEEP=1", "PEBBLE_WFE_NONCEREJECT=0", "PEBBLE_AUTHZREUSE=100")
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var stopped bool
	stop = func() {
		if !stopped {
			stopped = true
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	}
	t.Cleanup(func() {
		stop()
		if t.Failed() {
			t.Logf("pebble output:\n%s", out.String())
		}
	})
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	dir := "https://" + addr + "/dir"
	for start := time.Now(); ; time.Sleep(100 * time.Millisecond) {
		if resp, err := c.Get(dir); err == nil {
			resp.Body.Close()
			break
		}
		if time.Since(start) > 20*time.Second {
			t.Fatalf("pebble did not answer at %s:\n%s", dir, out.String())
		}
	}
	resp, err := c.Get("https://" + mgmt + "/roots/0")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	root, _ := io.ReadAll(resp.Body)
	issued = x509.NewCertPool()
	if !issued.AppendCertsFromPEM(root) {
		t.Fatalf("pebble's root: %q", root)
	}
	return issued, stop
}

// tlsFiles are a listener's certificate and key, and the roots that
// trust it.
type tlsFiles struct {
	ca, cert, key string
	roots         *x509.CertPool
}

func newTLSFiles(t *testing.T) tlsFiles {
	t.Helper()
	dir := t.TempDir()
	f := tlsFiles{ca: filepath.Join(dir, "ca.pem"), cert: filepath.Join(dir, "cert.pem"), key: filepath.Join(dir, "key.pem")}
	f.roots = writeListenerCert(t, f.ca, f.cert, f.key)
	return f
}

// dnsServer answers every A query with 127.0.0.1 and every other query
// with no records, over TCP (as Pebble asks): enough for Pebble to find
// the platform under any test domain.
func dnsServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				for {
					var size [2]byte
					if _, err := io.ReadFull(c, size[:]); err != nil {
						return
					}
					q := make([]byte, int(size[0])<<8|int(size[1]))
					if _, err := io.ReadFull(c, q); err != nil {
						return
					}
					resp := dnsAnswer(q)
					if resp == nil {
						return
					}
					if _, err := c.Write(append([]byte{byte(len(resp) >> 8), byte(len(resp))}, resp...)); err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// dnsAnswer is the reply to query q: 127.0.0.1 for type A, nothing else.
func dnsAnswer(q []byte) []byte {
	if len(q) < 12 {
		return nil
	}
	// The question: labels up to the root, then type and class.
	i := 12
	for i < len(q) && q[i] != 0 {
		i += int(q[i]) + 1
	}
	if i+5 > len(q) {
		return nil
	}
	end, qtype := i+5, int(q[i+1])<<8|int(q[i+2])
	resp := append([]byte(nil), q[:2]...)     // id
	resp = append(resp, 0x81|q[2]&0x01, 0x80) // a response, recursion desired as asked and available, no error
	answers := byte(0)
	if qtype == 1 {
		answers = 1
	}
	resp = append(resp, 0, 1, 0, answers, 0, 0, 0, 0) // one question; answers; no authority or additional records
	resp = append(resp, q[12:end]...)
	if answers == 1 {
		resp = append(resp, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1) // the name above, A, IN, 60 s, 127.0.0.1
	}
	return resp
}

// writeListenerCert makes a CA and a certificate for 127.0.0.1 signed by
// it, for Pebble's own listener.
func writeListenerCert(t *testing.T, caFile, certFile, keyFile string) *x509.CertPool {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "yiwang test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	leaf := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, leaf, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, _ := x509.MarshalECPrivateKey(key)
	for f, b := range map[string]*pem.Block{caFile: {Type: "CERTIFICATE", Bytes: caDER}, certFile: {Type: "CERTIFICATE", Bytes: der},
		keyFile: {Type: "EC PRIVATE KEY", Bytes: keyDER}} {
		if err := os.WriteFile(f, pem.EncodeToMemory(b), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return pool
}

// TestHTTPSForMappedDomains: with --https, a domain mapped to an active
// site gets a certificate from the ACME CA at its first visit, any other
// name gets none, plain HTTP is sent to HTTPS, and the certificate is in
// the platform database: a restart serves it with the CA gone.
func TestHTTPSForMappedDomains(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	data := filepath.Join(t.TempDir(), "data")
	seed, _ := filepath.Abs(seedFile)
	if code, out, errOut := runBinary(t, "tenants", "import", seed, "--data", data); code != 0 {
		t.Fatalf("import: %s %s", out, errOut)
	}
	if code, out, errOut := runBinary(t, "tenants", "domain", "add", "jyj", "jyj.sinan.test", "--primary", "--data", data); code != 0 {
		t.Fatalf("domain add: %s %s", out, errOut)
	}
	// The server first (Pebble must know its ports), then Pebble: the
	// server asks for no certificate before the first handshake.
	pebbleAddr, httpsAddr, listener := freeAddr(t), freeAddr(t), newTLSFiles(t)
	dir := "https://" + pebbleAddr + "/dir"
	args := []string{"--demo=false", "--https", httpsAddr, "--acme-ca", dir, "--acme-ca-root", listener.ca, "--acme-email", "ops@sinan.test"}
	s := startServe(t, data, args...)
	s.waitHealthy(60 * time.Second)
	issued, stopPebble := pebble(t, pebbleAddr, dnsServer(t), portOf(t, s.base), portOf(t, "https://"+httpsAddr), listener)

	dial := func(name string) (*tls.Conn, error) {
		d := &net.Dialer{Timeout: 30 * time.Second}
		return tls.DialWithDialer(d, "tcp", httpsAddr, &tls.Config{ServerName: name, RootCAs: issued})
	}
	start := time.Now()
	conn, err := dial("jyj.sinan.test")
	if err == nil && !strings.Contains(s.stderr.String(), "authorization finalized") {
		t.Error("the certificate came without a challenge being validated")
	}
	if err != nil {
		t.Fatalf("TLS to jyj.sinan.test: %v\n%s", err, s.stderr.String())
	}
	t.Logf("first handshake, certificate obtained on demand: %s", time.Since(start).Round(time.Millisecond))
	if cn := conn.ConnectionState().PeerCertificates[0].DNSNames; len(cn) != 1 || cn[0] != "jyj.sinan.test" {
		t.Errorf("certificate names %v", cn)
	}
	conn.Close()
	if c, err := dial("nosuch.sinan.test"); err == nil {
		c.Close()
		t.Error("a name no site is mapped to got a certificate")
	}

	// Over HTTPS, the site; over HTTP, a redirect to it (and the health check).
	client := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: issued},
			DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				return (&net.Dialer{}).DialContext(ctx, network, httpsAddr)
			}}}
	_, port, _ := net.SplitHostPort(httpsAddr)
	resp, err := client.Get("https://jyj.sinan.test:" + port + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "思南县教育局") {
		t.Errorf("GET https://jyj.sinan.test/: %d\n%.500s", resp.StatusCode, body)
	}
	req, _ := http.NewRequest(http.MethodGet, s.base+"/col/tzgg/?page=2", nil)
	req.Host = "jyj.sinan.test"
	plain := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = plain.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if want := "https://jyj.sinan.test:" + port + "/col/tzgg/?page=2"; resp.StatusCode != http.StatusPermanentRedirect || resp.Header.Get("Location") != want {
		t.Errorf("plain HTTP: %d %q, want 308 %q", resp.StatusCode, resp.Header.Get("Location"), want)
	}
	s.mustGet("/healthz", http.StatusOK)

	db, err := store.Open(context.Background(), "", data)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.Get(&n, `SELECT COUNT(*) FROM cert_storage WHERE k LIKE ?`, "%jyj.sinan.test%"); err != nil || n == 0 {
		t.Errorf("%d stored items for jyj.sinan.test (%v)", n, err)
	}
	db.Close()
	s.stop()

	// Another server on the same database, the CA gone: the stored
	// certificate is served.
	stopPebble()
	s2 := startServe(t, data, args...)
	s2.waitHealthy(60 * time.Second)
	conn, err = dial("jyj.sinan.test")
	if err != nil {
		t.Fatalf("TLS after a restart without the CA: %v", err)
	}
	conn.Close()
	s2.stop()
}

func portOf(t *testing.T, base string) int {
	t.Helper()
	_, p, err := net.SplitHostPort(strings.TrimPrefix(strings.TrimPrefix(base, "http://"), "https://"))
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(p)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
