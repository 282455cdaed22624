package certs

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/caddyserver/certmagic"
	"go.uber.org/zap"
	"yiwang/tenants"
)

// Options configure HTTPS.
type Options struct {
	// CA is the ACME directory; default Let's Encrypt.
	CA    string
	Email string
	// Roots, when set, are the only roots trusted for the ACME server's
	// own TLS (a private CA; Pebble in tests).
	Roots *x509.CertPool
	// HTTPPort and TLSPort are where the platform listens, so that the
	// ACME challenges are answered there.
	HTTPPort, TLSPort int
	Logger            *zap.Logger
}

// Manager obtains and renews certificates on demand, at the first TLS
// handshake for a name, for the names Allowed accepts, and keeps them in
// the storage every replica shares.
type Manager struct {
	cache *certmagic.Cache
	cfg   *certmagic.Config
	acme  *certmagic.ACMEIssuer
}

// ErrNotServed is the decision for a name no active tenant has mapped:
// no certificate is asked for it (that would let anyone make the platform
// hit the CA's rate limits with names of their choosing).
var ErrNotServed = errors.New("certs: no active site is mapped to this name")

// Allowed returns the decision of which names get a certificate: a domain
// mapped to an active tenant, or the portal host named in the options.
func Allowed(ts *tenants.Store, portalHost string) func(ctx context.Context, name string) error {
	portalHost = strings.ToLower(portalHost)
	return func(ctx context.Context, name string) error {
		name = strings.ToLower(strings.TrimSuffix(name, "."))
		if name == "" || net.ParseIP(name) != nil {
			return ErrNotServed
		}
		if name == portalHost && name != "localhost" {
			return nil
		}
		code, err := ts.DomainOwner(ctx, name)
		if err != nil {
			return err
		}
		if code == "" {
			return ErrNotServed
		}
		t, err := ts.ByCode(ctx, code)
		if err != nil {
			return err
		}
		if t.Status != tenants.Active {
			return fmt.Errorf("certs: %s belongs to archived site %s: %w", name, code, ErrNotServed)
		}
		return nil
	}
}

// NewManager returns the manager of certificates in st for the names
// allow accepts.
func NewManager(st certmagic.Storage, allow func(ctx context.Context, name string) error, o Options) *Manager {
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	if o.CA == "" {
		o.CA = certmagic.LetsEncryptProductionCA
	}
	m := &Manager{}
	m.cache = certmagic.NewCache(certmagic.CacheOptions{
		GetConfigForCert: func(certmagic.Certificate) (*certmagic.Config, error) { return m.cfg, nil },
		Logger:           o.Logger,
	})
	m.cfg = certmagic.New(m.cache, certmagic.Config{
		Storage:  st,
		Logger:   o.Logger,
		OnDemand: &certmagic.OnDemandConfig{DecisionFunc: allow},
	})
	m.acme = certmagic.NewACMEIssuer(m.cfg, certmagic.ACMEIssuer{
		CA: o.CA, Email: o.Email, Agreed: true, TrustedRoots: o.Roots,
		AltHTTPPort: o.HTTPPort, AltTLSALPNPort: o.TLSPort, Logger: o.Logger,
	})
	m.cfg.Issuers = []certmagic.Issuer{m.acme}
	return m
}

// TLSConfig is the listener's TLS configuration: certificates chosen by
// the name the client asks for, HTTP/2 offered.
func (m *Manager) TLSConfig() *tls.Config {
	tc := m.cfg.TLSConfig()
	tc.NextProtos = append([]string{"h2", "http/1.1"}, tc.NextProtos...)
	tc.MinVersion = tls.VersionTLS12
	return tc
}

// HTTPHandler answers the ACME HTTP challenge on the plain listener and
// passes everything else to next.
func (m *Manager) HTTPHandler(next http.Handler) http.Handler {
	return m.acme.HTTPChallengeHandler(next)
}

// Stop ends the background renewal.
func (m *Manager) Stop() { m.cache.Stop() }

// Redirect sends plain HTTP requests to the same URL over HTTPS (tlsPort
// 443 is left out of the URL); the health check answers as it is, so
// that a load balancer can probe either port.
func Redirect(tlsPort int, health http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" {
			health.ServeHTTP(w, r)
			return
		}
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		if host == "" || strings.ContainsAny(host, "/\\@") {
			http.Error(w, "bad host", http.StatusBadRequest)
			return
		}
		if tlsPort != 443 {
			host = net.JoinHostPort(host, fmt.Sprint(tlsPort))
		}
		http.Redirect(w, r, "https://"+host+r.URL.RequestURI(), http.StatusPermanentRedirect)
	})
}
