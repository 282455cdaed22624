package sso

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
	"yiwang/core"
	"yiwang/core/audit"
	"yiwang/core/store"
	"yiwang/tenants"
)

// DefaultMFAMethods are the amr values (RFC 8176) that count as a second
// factor.
var DefaultMFAMethods = []string{"otp", "mfa", "hwk", "swk", "sms", "totp", "fpt", "face", "iris", "retina", "vbm"}

// relyingParty is the platform as a client of one provider. Discovery is
// lazy and retried: the first sign-in after the provider comes up works.
type relyingParty struct {
	svc    *Service
	cfg    ProviderConfig
	client *http.Client

	mu         sync.Mutex
	prov       *oidc.Provider
	verifier   *oidc.IDTokenVerifier
	endSession string
	lastErr    error
	lastTry    time.Time
}

func newRelyingParty(s *Service, cfg ProviderConfig) (*relyingParty, error) {
	u, err := url.Parse(cfg.Issuer)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("sso: provider %s: issuer %q must be an http(s) URL", cfg.Name, cfg.Issuer)
	}
	if cfg.ClientID == "" {
		return nil, fmt.Errorf("sso: provider %s: client id is required", cfg.Name)
	}
	if !slices.Contains(cfg.Scopes, oidc.ScopeOpenID) {
		cfg.Scopes = append([]string{oidc.ScopeOpenID}, cfg.Scopes...)
	}
	if len(cfg.Scopes) == 1 {
		cfg.Scopes = append(cfg.Scopes, "profile", "email")
	}
	if cfg.NameClaim == "" {
		cfg.NameClaim = "name"
	}
	if len(cfg.MFAMethods) == 0 {
		cfg.MFAMethods = DefaultMFAMethods
	}
	if cfg.Label == "" {
		cfg.Label = "登录"
	}
	c := cfg.HTTPClient
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Second}
	}
	return &relyingParty{svc: s, cfg: cfg, client: c}, nil
}

func (rp *relyingParty) ctx(ctx context.Context) context.Context {
	ctx = oidc.ClientContext(ctx, rp.client)
	return context.WithValue(ctx, oauth2.HTTPClient, rp.client)
}

// discover fetches the provider's discovery document once; after a
// failure it tries again at most every 5 seconds.
func (rp *relyingParty) discover(ctx context.Context) (*oidc.Provider, *oidc.IDTokenVerifier, error) {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	if rp.prov != nil {
		return rp.prov, rp.verifier, nil
	}
	if rp.lastErr != nil && time.Since(rp.lastTry) < 5*time.Second {
		return nil, nil, rp.lastErr
	}
	rp.lastTry = time.Now()
	// The provider may be slow; the request's own deadline still applies.
	p, err := oidc.NewProvider(rp.ctx(context.WithoutCancel(ctx)), rp.cfg.Issuer)
	if err != nil {
		rp.lastErr = &core.Error{Code: core.EUNAVAIL, Message: "统一身份认证服务暂时无法连接，请稍后再试。",
			Err: fmt.Errorf("discover provider %s at %s: %w", rp.cfg.Name, rp.cfg.Issuer, err)}
		rp.svc.log.Error("sso: provider discovery failed", "provider", rp.cfg.Name, "issuer", rp.cfg.Issuer, "err", err)
		return nil, nil, rp.lastErr
	}
	var meta struct {
		EndSession string `json:"end_session_endpoint"`
	}
	_ = p.Claims(&meta)
	rp.prov, rp.endSession, rp.lastErr = p, meta.EndSession, nil
	rp.verifier = p.Verifier(&oidc.Config{ClientID: rp.cfg.ClientID, Now: rp.svc.cfg.Now})
	return rp.prov, rp.verifier, nil
}

func (rp *relyingParty) oauth2Config(p *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{ClientID: rp.cfg.ClientID, ClientSecret: rp.cfg.ClientSecret, Endpoint: p.Endpoint(),
		RedirectURL: rp.svc.RedirectURI(), Scopes: rp.cfg.Scopes}
}

func (rp *relyingParty) origins() []string {
	out := []string{origin(rp.cfg.Issuer)}
	rp.mu.Lock()
	if rp.endSession != "" {
		out = append(out, origin(rp.endSession))
	}
	rp.mu.Unlock()
	return out
}

func origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// Begin starts a sign-in at provider: it stores the state (hashed), the
// nonce and the PKCE verifier, and returns the provider's authorization
// URL and the state, which the caller binds to the browser (a cookie) so
// that a callback carrying somebody else's state is refused.
func (s *Service) Begin(ctx context.Context, provider, returnURL string) (authURL, state string, err error) {
	rp := s.provider(provider)
	if rp == nil {
		return "", "", core.Errorf(core.EINVALID, "没有名为“%s”的身份提供方", provider)
	}
	p, _, err := rp.discover(ctx)
	if err != nil {
		return "", "", err
	}
	state, nonce, verifier := randomToken(24), randomToken(24), oauth2.GenerateVerifier()
	now := s.now()
	if _, err := s.db.ExecContext(ctx, `INSERT INTO sso_auth_requests (state_hash, provider, nonce, verifier, return_url, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, hashToken(state), provider, nonce, verifier, clip(returnURL, 2000), now, now.Add(10*time.Minute)); err != nil {
		return "", "", fmt.Errorf("begin sign-in: %w", err)
	}
	u := rp.oauth2Config(p).AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier))
	return u, state, nil
}

// LoginResult is a finished sign-in.
type LoginResult struct {
	SessionID int64
	Account   *Account
	ReturnURL string
	MFA       bool
	Staff     bool // holds staff roles (they need MFA before use)
}

// Complete finishes a sign-in on the callback: state (as the provider
// returned it) must equal boundState (as the browser's cookie kept it) and
// name a request in flight, which is spent; the code is exchanged with the
// PKCE verifier; the ID token is verified and its nonce compared with the
// stored one (go-oidc leaves that to the caller); userinfo fills the
// profile; the account (issuer + sub) is created or refreshed and a
// central session opened.
func (s *Service) Complete(ctx context.Context, state, boundState, code, remote string) (*LoginResult, error) {
	if state == "" || boundState == "" || subtle.ConstantTimeCompare([]byte(state), []byte(boundState)) != 1 {
		return nil, errState
	}
	var req struct {
		Provider  string    `db:"provider"`
		Nonce     string    `db:"nonce"`
		Verifier  string    `db:"verifier"`
		ReturnURL string    `db:"return_url"`
		ExpiresAt time.Time `db:"expires_at"`
	}
	sh := hashToken(state)
	if err := s.db.GetContext(ctx, &req, `SELECT provider, nonce, verifier, return_url, expires_at FROM sso_auth_requests WHERE state_hash = ?`, sh); err != nil {
		return nil, errState
	}
	res, err := s.db.ExecContext(ctx, `DELETE FROM sso_auth_requests WHERE state_hash = ?`, sh)
	if err != nil {
		return nil, fmt.Errorf("spend sign-in request: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 || !s.now().Before(req.ExpiresAt) {
		return nil, errState
	}
	rp := s.provider(req.Provider)
	if rp == nil {
		return nil, errState
	}
	p, verifier, err := rp.discover(ctx)
	if err != nil {
		return nil, err
	}
	if code == "" {
		return nil, core.Errorf(core.EINVALID, "身份提供方没有返回登录凭据，请重新登录。")
	}
	rctx := rp.ctx(ctx)
	tok, err := rp.oauth2Config(p).Exchange(rctx, code, oauth2.VerifierOption(req.Verifier))
	if err != nil {
		return nil, &core.Error{Code: core.EINVALID, Message: "身份提供方拒绝了登录凭据，请重新登录。", Err: fmt.Errorf("exchange code at %s: %w", rp.cfg.Name, err)}
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, &core.Error{Code: core.EINVALID, Message: "身份提供方没有返回身份令牌。", Err: errors.New("token response has no id_token")}
	}
	idt, err := verifier.Verify(rctx, raw)
	if err != nil {
		return nil, &core.Error{Code: core.EINVALID, Message: "身份令牌校验失败，请重新登录。", Err: fmt.Errorf("verify id token from %s: %w", rp.cfg.Name, err)}
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(req.Nonce)) != 1 {
		return nil, &core.Error{Code: core.EINVALID, Message: "身份令牌与本次登录请求不符（nonce 不一致），请重新登录。",
			Err: fmt.Errorf("id token nonce mismatch from %s", rp.cfg.Name)}
	}
	if idt.AccessTokenHash != "" {
		if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
			return nil, &core.Error{Code: core.EINVALID, Message: "身份令牌校验失败，请重新登录。", Err: err}
		}
	}
	claims := map[string]any{}
	if err := idt.Claims(&claims); err != nil {
		return nil, fmt.Errorf("id token claims: %w", err)
	}
	if p.UserInfoEndpoint() != "" {
		ui, err := p.UserInfo(rctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			return nil, &core.Error{Code: core.EUNAVAIL, Message: "暂时无法从统一身份认证服务读取用户信息，请稍后再试。", Err: fmt.Errorf("userinfo from %s: %w", rp.cfg.Name, err)}
		}
		if ui.Subject != idt.Subject {
			return nil, &core.Error{Code: core.EINVALID, Message: "用户信息与身份令牌不符，请重新登录。", Err: errors.New("userinfo sub differs from id token sub")}
		}
		extra := map[string]any{}
		if err := ui.Claims(&extra); err == nil {
			for k, v := range extra {
				if _, ok := claims[k]; !ok || k == rp.cfg.NameClaim || k == rp.cfg.GroupsClaim {
					claims[k] = v
				}
			}
		}
	}
	name := firstString(claims, rp.cfg.NameClaim, "name", "preferred_username", "nickname")
	email := firstString(claims, "email")
	mfa, method := rp.secondFactor(claims)
	acc, err := EnsureAccount(ctx, s.db, idt.Issuer, idt.Subject, name, email, true, s.now())
	if err != nil {
		return nil, err
	}
	if rp.cfg.GroupsClaim != "" {
		if err := s.syncGroups(ctx, acc, claimStrings(claims[rp.cfg.GroupsClaim])); err != nil {
			return nil, err
		}
	}
	sid, _ := claims["sid"].(string)
	id, err := s.StartSession(ctx, acc.ID, rp.cfg.Name, sid, raw, mfa, method, remote)
	if err != nil {
		return nil, err
	}
	ms, err := s.members.Of(ctx, acc.ID)
	if err != nil {
		return nil, err
	}
	r := &LoginResult{SessionID: id, Account: acc, ReturnURL: req.ReturnURL, MFA: mfa, Staff: len(ms) > 0}
	if r.Staff {
		detail := "second factor: " + method
		if !mfa {
			detail = "no second factor from provider"
		}
		if err := audit.Write(ctx, s.db, audit.Entry{Actor: fmt.Sprintf("user:%d", acc.ID), Action: "account.login",
			Target: acc.DisplayName(), Detail: detail + "; provider " + rp.cfg.Name, RemoteAddr: clip(remote, 64)}); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// secondFactor reads amr and acr.
func (rp *relyingParty) secondFactor(claims map[string]any) (bool, string) {
	for _, m := range claimStrings(claims["amr"]) {
		if slices.Contains(rp.cfg.MFAMethods, m) {
			return true, "amr:" + m
		}
	}
	if acr, _ := claims["acr"].(string); acr != "" && slices.Contains(rp.cfg.MFAACR, acr) {
		return true, "acr:" + acr
	}
	return false, ""
}

// syncGroups maps the groups claim to memberships: "yiwang:platform_admin"
// and "yiwang:<tenant code>:<role>". Others are ignored.
func (s *Service) syncGroups(ctx context.Context, acc *Account, groups []string) error {
	var want []tenants.Membership
	for _, g := range groups {
		parts := strings.Split(g, ":")
		switch {
		case len(parts) == 2 && parts[0] == "yiwang" && parts[1] == string(tenants.PlatformAdmin):
			want = append(want, tenants.Membership{Role: tenants.PlatformAdmin})
		case len(parts) == 3 && parts[0] == "yiwang":
			role := tenants.Role(parts[2])
			if !role.Valid() || role.Global() {
				continue
			}
			t, err := s.tenants.ByCode(ctx, parts[1])
			if err != nil {
				if core.ErrorCode(err) == core.ENOTFOUND {
					continue
				}
				return err
			}
			want = append(want, tenants.Membership{TenantID: t.ID, Role: role})
		}
	}
	return s.members.SyncSource(ctx, "idp:"+acc.Issuer, acc.ID, tenants.SourceIdP, want)
}

// EndSessionURL is where to send the browser for RP-initiated logout at
// the provider of a session, "" when its discovery document names no
// end_session_endpoint. state comes back to PostLogoutURI.
func (s *Service) EndSessionURL(ctx context.Context, u *User, state string) string {
	rp := s.provider(u.Provider)
	if rp == nil {
		return ""
	}
	if _, _, err := rp.discover(ctx); err != nil {
		return ""
	}
	rp.mu.Lock()
	end := rp.endSession
	rp.mu.Unlock()
	if end == "" {
		return ""
	}
	q := url.Values{}
	if u.idToken != "" {
		q.Set("id_token_hint", u.idToken)
	}
	q.Set("client_id", rp.cfg.ClientID)
	q.Set("post_logout_redirect_uri", s.PostLogoutURI())
	if state != "" {
		q.Set("state", state)
	}
	sep := "?"
	if strings.Contains(end, "?") {
		sep = "&"
	}
	return end + sep + q.Encode()
}

// BackchannelLogout acts on a logout token a provider posted: verified
// (go-oidc's VerifyLogout: signature, issuer, audience, expiry, event, no
// nonce), not seen before (jti), it ends the sessions of the sid it names,
// or every session of the subject when it names no sid. It returns how
// many sessions it ended.
func (s *Service) BackchannelLogout(ctx context.Context, raw string) (int, error) {
	var lastErr error
	for _, rp := range s.providers {
		_, verifier, err := rp.discover(ctx)
		if err != nil {
			lastErr = err
			continue
		}
		lt, err := verifier.VerifyLogout(rp.ctx(ctx), raw)
		if err != nil {
			lastErr = err
			continue
		}
		h := sha256.Sum256([]byte(lt.Issuer + "\x00" + lt.TokenID))
		if _, err := s.db.ExecContext(ctx, `INSERT INTO sso_logout_tokens (token_hash, expires_at) VALUES (?, ?)`,
			hex.EncodeToString(h[:]), lt.Expiry.UTC().Add(time.Hour)); err != nil {
			if store.IsUniqueViolation(err) {
				return 0, core.Errorf(core.EINVALID, "logout token replayed")
			}
			return 0, fmt.Errorf("record logout token: %w", err)
		}
		// By issuer, not by provider name: a citizen and a staff provider
		// may be one issuer.
		q := `SELECT s.id FROM sso_sessions s JOIN sso_accounts a ON a.id = s.account_id
			WHERE s.ended_at IS NULL AND a.issuer = ?`
		args := []any{lt.Issuer}
		if lt.SessionID != "" {
			q += ` AND s.idp_sid = ?`
			args = append(args, lt.SessionID)
		}
		if lt.Subject != "" {
			q += ` AND a.subject = ?`
			args = append(args, lt.Subject)
		}
		var ids []int64
		if err := s.db.SelectContext(ctx, &ids, q, args...); err != nil {
			return 0, fmt.Errorf("sessions to log out: %w", err)
		}
		for _, id := range ids {
			if err := s.EndSession(ctx, id, "backchannel"); err != nil {
				return 0, err
			}
		}
		s.log.Info("sso: back-channel logout", "provider", rp.cfg.Name, "sid", lt.SessionID, "sub", lt.Subject, "sessions", len(ids))
		return len(ids), nil
	}
	return 0, &core.Error{Code: core.EINVALID, Message: "logout token rejected", Err: lastErr}
}

func firstString(claims map[string]any, names ...string) string {
	for _, n := range names {
		if v, ok := claims[n].(string); ok && strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}

// claimStrings reads a claim that is a string or a list of strings.
func claimStrings(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	case []string:
		return x
	}
	return nil
}
