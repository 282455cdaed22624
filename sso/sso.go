// Package sso is the platform's single sign-on: an OpenID Connect relying
// party (coreos/go-oidc) that runs the authorization-code flow on one
// central account host, one-time tickets that carry a sign-in to every
// other tenant host, sessions in the platform database that every host
// process shares, single and back-channel logout, and a TOTP second factor
// for staff whose provider does not assert one.
//
// The HTTP side (routes, pages, cookies) lives in core/web/account*.go;
// this package is what those handlers call. The built-in OpenID Provider
// of the default run is sso/provider.
package sso

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"yiwang/core"
	"yiwang/core/store"
	"yiwang/tenants"
)

// ProviderConfig is one OpenID Provider the platform trusts.
type ProviderConfig struct {
	// Name keys the provider in sessions and flows: "citizen", "staff".
	Name string
	// Label is the Chinese text of its login button when there are two.
	Label                  string
	Issuer                 string
	ClientID, ClientSecret string
	// Scopes requested; "openid" is added when missing.
	Scopes []string
	// NameClaim is the claim shown as the person's name (default "name",
	// then preferred_username, email, sub).
	NameClaim string
	// GroupsClaim, when set, names a claim whose values grant roles:
	// "yiwang:platform_admin" or "yiwang:<tenant code>:<role>".
	GroupsClaim string
	// MFAMethods are the amr values that count as a second factor
	// (default otp, mfa, hwk, swk, sms, totp, fpt, face). MFAACR are acr
	// values that do.
	MFAMethods []string
	MFAACR     []string
	// HTTPClient reaches the provider (default http.DefaultClient with a
	// 10 s timeout).
	HTTPClient *http.Client
}

// Config is the single sign-on configuration.
type Config struct {
	// AccountURL is the central account host, scheme://host[:port]: the
	// authorization-code flow runs there and nowhere else, so the provider
	// needs one redirect URI (AccountURL/account/callback).
	AccountURL string
	// Providers: one for everybody, or "citizen" and "staff".
	Providers []ProviderConfig
	// SessionIdle ends a session nobody used for this long (default 2 h);
	// SessionMax ends any session this long after sign-in (default 12 h).
	SessionIdle, SessionMax time.Duration
	// TicketTTL bounds a one-time ticket's life (default 30 s).
	TicketTTL time.Duration
	// SealKey (SealKeySize bytes, kept outside the database, the same on
	// every replica) seals the second-factor secrets the platform keeps.
	SealKey []byte
	Log     *slog.Logger
	// Now is the clock (tests move it).
	Now func() time.Time
}

// Service is the single sign-on of one platform database.
type Service struct {
	cfg       Config
	db        *store.DB
	tenants   *tenants.Store
	members   *tenants.Memberships
	providers []*relyingParty
	account   *url.URL
	key       []byte // HMAC key shared by replicas (CSRF tokens)
	seal      *sealer
	log       *slog.Logger
}

// New builds the service; it reads (or creates) the platform's shared
// key. It does not contact the providers: discovery happens on first use
// and is retried, so a provider that is down does not stop the portal.
func New(ctx context.Context, db *store.DB, ts *tenants.Store, ms *tenants.Memberships, cfg Config) (*Service, error) {
	if cfg.SessionIdle == 0 {
		cfg.SessionIdle = 2 * time.Hour
	}
	if cfg.SessionMax == 0 {
		cfg.SessionMax = 12 * time.Hour
	}
	if cfg.TicketTTL == 0 {
		cfg.TicketTTL = 30 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	u, err := url.Parse(strings.TrimSuffix(cfg.AccountURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
		return nil, fmt.Errorf("sso: account URL %q must be http(s)://host[:port]", cfg.AccountURL)
	}
	u.Path = ""
	s := &Service{cfg: cfg, db: db, tenants: ts, members: ms, account: u, log: cfg.Log}
	seen := map[string]bool{}
	for _, p := range cfg.Providers {
		if p.Name == "" || seen[p.Name] {
			return nil, fmt.Errorf("sso: provider names must be set and distinct (got %q)", p.Name)
		}
		seen[p.Name] = true
		rp, err := newRelyingParty(s, p)
		if err != nil {
			return nil, err
		}
		s.providers = append(s.providers, rp)
	}
	if len(s.providers) == 0 {
		return nil, errors.New("sso: no identity provider configured")
	}
	k, err := Secret(ctx, db, "csrf-hmac", func() (string, error) { return randomToken(32), nil })
	if err != nil {
		return nil, err
	}
	s.key = []byte(k)
	if err := s.prepareSeal(ctx, cfg.SealKey); err != nil {
		return nil, err
	}
	return s, nil
}

// AccountURL is the central account host's base URL, without a slash.
func (s *Service) AccountURL() string { return s.account.String() }

// AccountHost is the central account host's name, lower case, no port.
func (s *Service) AccountHost() string { return tenants.NormalizeHost(s.account.Host) }

// AccountPort is the central account host's port ("" for the default).
func (s *Service) AccountPort() string { return s.account.Port() }

// Secure reports whether the account host is served over HTTPS.
func (s *Service) Secure() bool { return s.account.Scheme == "https" }

// RedirectURI is the one redirect URI registered at the providers.
func (s *Service) RedirectURI() string { return s.AccountURL() + "/account/callback" }

// PostLogoutURI is where providers send the browser after logout.
func (s *Service) PostLogoutURI() string { return s.AccountURL() + "/account/logged-out" }

// BackchannelURI is the back-channel logout endpoint to register.
func (s *Service) BackchannelURI() string { return s.AccountURL() + "/account/backchannel-logout" }

// Key is the HMAC key the replicas share.
func (s *Service) Key() []byte { return s.key }

// Memberships is the role store the service reads.
func (s *Service) Memberships() *tenants.Memberships { return s.members }

// Providers lists the configured providers' names and labels, in order.
func (s *Service) Providers() []ProviderConfig {
	out := make([]ProviderConfig, len(s.providers))
	for i, p := range s.providers {
		out[i] = p.cfg
	}
	return out
}

// Origins are the origins (scheme://host[:port]) of the providers'
// issuers and logout endpoints known so far: pages that post forms which
// may end there need them in their CSP form-action.
func (s *Service) Origins() []string {
	var out []string
	for _, p := range s.providers {
		out = append(out, p.origins()...)
	}
	return out
}

func (s *Service) now() time.Time { return s.cfg.Now().UTC().Truncate(time.Microsecond) }

func (s *Service) provider(name string) *relyingParty {
	for _, p := range s.providers {
		if p.cfg.Name == name {
			return p
		}
	}
	return nil
}

// randomToken returns n random bytes, base64url without padding.
func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("sso: crypto/rand failed: %v", err)) // never happens on Linux
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashToken is how random tokens are stored: a database reader learns
// nothing that works as a cookie or ticket.
func hashToken(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}

// Errors the HTTP side tells apart.
var (
	errTicket = core.Errorf(core.EINVALID, "登录凭据无效、已使用或已过期，请重新登录。")
	errState  = core.Errorf(core.EINVALID, "登录请求无效或已过期（可能在另一个窗口中已完成，或被篡改），请重新登录。")
)

// ErrTicket is the error of a refused ticket (replayed, expired, wrong host).
func ErrTicket() error { return errTicket }
