package cli

import (
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"

	"yiwang/core/certs"
)

// httpsFlags turn on HTTPS in the process: certificates from an ACME CA
// (Let's Encrypt by default) for every domain mapped to an active site,
// obtained at the first visit and kept in the platform database, so that
// every replica shares them. The plain listener then answers the ACME
// challenge and sends everything else to HTTPS.
type httpsFlags struct {
	addr, ca, email, root string
}

func (h *httpsFlags) bind(fs *flag.FlagSet) {
	fs.StringVar(&h.addr, "https", os.Getenv("YIWANG_HTTPS"), "同时以 HTTPS 服务的地址，如 :443（环境变量 YIWANG_HTTPS）；各站点映射的域名自动申请证书，--addr 上的 HTTP 请求转到 HTTPS")
	fs.StringVar(&h.ca, "acme-ca", envOr("YIWANG_ACME_CA", ""), "ACME 证书颁发机构的目录地址（默认 Let's Encrypt）")
	fs.StringVar(&h.email, "acme-email", os.Getenv("YIWANG_ACME_EMAIL"), "ACME 账号的联系邮箱（证书到期提醒等）")
	fs.StringVar(&h.root, "acme-ca-root", os.Getenv("YIWANG_ACME_CA_ROOT"), "只信任此 PEM 文件中的根证书访问 ACME 服务（内部 CA 时用）")
}

// tlsServer is the HTTPS side of serve.
type tlsServer struct {
	m  *certs.Manager
	ln net.Listener
}

// listen opens the HTTPS listener and the certificate manager; plain is
// the HTTP listener the challenges are answered on.
func (h *httpsFlags) listen(e *env, p *platform, portalHost string, plain net.Listener) (*tlsServer, error) {
	ln, err := net.Listen("tcp", h.addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", h.addr, err)
	}
	o := certs.Options{CA: h.ca, Email: h.email, HTTPPort: portOf(plain.Addr()), TLSPort: portOf(ln.Addr())}
	if h.root != "" {
		pem, err := os.ReadFile(h.root)
		if err != nil {
			ln.Close()
			return nil, fmt.Errorf("--acme-ca-root: %w", err)
		}
		o.Roots = x509.NewCertPool()
		if !o.Roots.AppendCertsFromPEM(pem) {
			ln.Close()
			return nil, usageError{"--acme-ca-root " + h.root + " 中没有 PEM 格式的证书"}
		}
	}
	o.Logger = certs.ZapLogger(e.log).Named("certs")
	m := certs.NewManager(certs.NewStorage(p.db), certs.Allowed(p.tenants, portalHost), o)
	return &tlsServer{m: m, ln: tls.NewListener(ln, m.TLSConfig())}, nil
}

func portOf(a net.Addr) int {
	if t, ok := a.(*net.TCPAddr); ok {
		return t.Port
	}
	_, p, _ := net.SplitHostPort(a.String())
	n, _ := strconv.Atoi(p)
	return n
}

// plainHandler is what the HTTP listener answers once HTTPS is on.
func (t *tlsServer) plainHandler(app http.Handler) http.Handler {
	return t.m.HTTPHandler(certs.Redirect(portOf(t.ln.Addr()), app))
}

func (t *tlsServer) stop() { t.m.Stop() }
