package sso

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"yiwang/tenants"
)

// User is the signed-in person of a request: the account, the central
// session, and the roles the platform database gives them.
type User struct {
	Account
	SessionID int64
	Provider  string
	// MFA reports whether this sign-in passed a second factor (asserted
	// by the provider or a TOTP code on the platform).
	MFA       bool
	MFAMethod string
	// Host is the host the cookie belongs to; TokenHash identifies the
	// cookie without being it (CSRF tokens derive from it).
	Host, TokenHash string
	// Memberships are every role the account holds, second factor or not.
	Memberships []tenants.Membership

	idToken string
}

// Staff reports whether the account holds any staff role anywhere.
func (u *User) Staff() bool { return len(u.Memberships) > 0 }

// NeedsMFA reports whether the account holds staff roles that this
// sign-in may not use until it passes a second factor.
func (u *User) NeedsMFA() bool { return u.Staff() && !u.MFA }

// HeldRoles are the roles the account holds on tenantID, used or not.
func (u *User) HeldRoles(tenantID int64) []tenants.Role {
	return tenants.RolesOn(u.Memberships, tenantID)
}

// Roles are the roles this request may use on tenantID: Citizen, and the
// staff roles only after a second factor.
func (u *User) Roles(tenantID int64) []tenants.Role {
	if !u.MFA {
		return []tenants.Role{tenants.Citizen}
	}
	return u.HeldRoles(tenantID)
}

// PlatformAdmin reports whether this request may act as platform admin.
func (u *User) PlatformAdmin() bool {
	if !u.MFA {
		return false
	}
	for _, m := range u.Memberships {
		if m.Role == tenants.PlatformAdmin && m.TenantID == 0 {
			return true
		}
	}
	return false
}

// EffectiveMemberships are the memberships this request may use.
func (u *User) EffectiveMemberships() []tenants.Membership {
	if !u.MFA {
		return nil
	}
	return u.Memberships
}

// Actor names the user in the audit log.
func (u *User) Actor() string { return fmt.Sprintf("user:%d", u.ID) }

// StartSession opens a central session for an account after a verified
// sign-in.
func (s *Service) StartSession(ctx context.Context, accountID int64, provider, idpSID, idToken string, mfa bool, method, remote string) (int64, error) {
	now := s.now()
	m := 0
	if mfa {
		m = 1
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO sso_sessions (account_id, provider, idp_sid, id_token, mfa, mfa_method, remote_addr,
		created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		accountID, provider, clip(idpSID, 255), idToken, m, method, clip(remote, 64), now, now, now.Add(s.cfg.SessionMax))
	if err != nil {
		return 0, fmt.Errorf("start session for account %d: %w", accountID, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("start session for account %d: %w", accountID, err)
	}
	return id, nil
}

// NewHostSession gives host a cookie value that points at the central
// session. Only its hash is stored.
func (s *Service) NewHostSession(ctx context.Context, sessionID int64, host string) (string, error) {
	tok := randomToken(32)
	if _, err := s.db.ExecContext(ctx, `INSERT INTO sso_host_sessions (token_hash, session_id, host, created_at) VALUES (?, ?, ?, ?)`,
		hashToken(tok), sessionID, tenants.NormalizeHost(host), s.now()); err != nil {
		return "", fmt.Errorf("host session on %s: %w", host, err)
	}
	return tok, nil
}

type sessionRow struct {
	SessionID  int64      `db:"session_id"`
	Provider   string     `db:"provider"`
	MFA        int        `db:"mfa"`
	MFAMethod  string     `db:"mfa_method"`
	IDToken    string     `db:"id_token"`
	LastSeenAt time.Time  `db:"last_seen_at"`
	ExpiresAt  time.Time  `db:"expires_at"`
	EndedAt    *time.Time `db:"ended_at"`
	Account
}

// Lookup returns the user whose cookie on host is token, or nil when the
// cookie is unknown, belongs to another host, or its central session has
// ended, idled out or expired. It keeps the session alive.
func (s *Service) Lookup(ctx context.Context, host, token string) (*User, error) {
	if token == "" || len(token) > 100 {
		return nil, nil
	}
	th := hashToken(token)
	var row sessionRow
	// Every signed-in request asks this: prepared once per connection.
	st, err := s.db.Prepared(ctx, `SELECT h.session_id, s.provider, s.mfa, s.mfa_method, s.id_token, s.last_seen_at, s.expires_at, s.ended_at,
		a.id, a.issuer, a.subject, a.name, a.email, a.created_at, a.last_login_at
		FROM sso_host_sessions h JOIN sso_sessions s ON s.id = h.session_id JOIN sso_accounts a ON a.id = s.account_id
		WHERE h.token_hash = ? AND h.host = ?`)
	if err != nil {
		return nil, fmt.Errorf("look up session: %w", err)
	}
	err = st.GetContext(ctx, &row, th, tenants.NormalizeHost(host))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("look up session: %w", err)
	}
	now := s.now()
	switch {
	case row.EndedAt != nil:
		return nil, nil
	case !now.Before(row.ExpiresAt):
		return nil, s.EndSession(ctx, row.SessionID, "expired")
	case !now.Before(row.LastSeenAt.Add(s.cfg.SessionIdle)):
		return nil, s.EndSession(ctx, row.SessionID, "idle")
	}
	if now.Sub(row.LastSeenAt) > time.Minute {
		if _, err := s.db.ExecContext(ctx, `UPDATE sso_sessions SET last_seen_at = ? WHERE id = ? AND ended_at IS NULL`, now, row.SessionID); err != nil {
			return nil, fmt.Errorf("touch session %d: %w", row.SessionID, err)
		}
	}
	u := &User{Account: row.Account, SessionID: row.SessionID, Provider: row.Provider, MFA: row.MFA == 1, MFAMethod: row.MFAMethod,
		Host: tenants.NormalizeHost(host), TokenHash: th, idToken: row.IDToken}
	if u.Memberships, err = s.members.Of(ctx, u.ID); err != nil {
		return nil, err
	}
	return u, nil
}

// SessionActive reports whether a central session is usable: not ended,
// not expired, not idle. The central host checks it before it issues a
// ticket.
func (s *Service) SessionActive(ctx context.Context, sessionID int64) (bool, error) {
	var row struct {
		LastSeenAt time.Time  `db:"last_seen_at"`
		ExpiresAt  time.Time  `db:"expires_at"`
		EndedAt    *time.Time `db:"ended_at"`
	}
	err := s.db.GetContext(ctx, &row, `SELECT last_seen_at, expires_at, ended_at FROM sso_sessions WHERE id = ?`, sessionID)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("session %d: %w", sessionID, err)
	}
	now := s.now()
	return row.EndedAt == nil && now.Before(row.ExpiresAt) && now.Before(row.LastSeenAt.Add(s.cfg.SessionIdle)), nil
}

// EndSession ends a central session and with it every host's cookie.
func (s *Service) EndSession(ctx context.Context, sessionID int64, reason string) error {
	return s.db.Tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE sso_sessions SET ended_at = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL`,
			s.now(), reason, sessionID); err != nil {
			return fmt.Errorf("end session %d: %w", sessionID, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sso_host_sessions WHERE session_id = ?`, sessionID); err != nil {
			return fmt.Errorf("end session %d: %w", sessionID, err)
		}
		return nil
	})
}

// EndAccountSessions ends every session of an account (a platform admin
// revoking access, or a back-channel logout naming only the subject).
func (s *Service) EndAccountSessions(ctx context.Context, accountID int64, reason string) (int, error) {
	var ids []int64
	if err := s.db.SelectContext(ctx, &ids, `SELECT id FROM sso_sessions WHERE account_id = ? AND ended_at IS NULL`, accountID); err != nil {
		return 0, fmt.Errorf("sessions of account %d: %w", accountID, err)
	}
	for _, id := range ids {
		if err := s.EndSession(ctx, id, reason); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

// SetMFA records that a session passed a second factor.
func (s *Service) SetMFA(ctx context.Context, sessionID int64, method string) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE sso_sessions SET mfa = 1, mfa_method = ? WHERE id = ? AND ended_at IS NULL`, method, sessionID); err != nil {
		return fmt.Errorf("session %d second factor: %w", sessionID, err)
	}
	return nil
}

// Cleanup removes what has expired: tickets and authorization requests
// past their life, host cookies of ended sessions, and sessions that ended
// more than 30 days ago (the audit log keeps the record of staff logins).
func (s *Service) Cleanup(ctx context.Context) error {
	now := s.now()
	stmts := []struct {
		q    string
		args []any
	}{
		{`DELETE FROM sso_tickets WHERE expires_at < ?`, []any{now.Add(-time.Hour)}},
		{`DELETE FROM sso_auth_requests WHERE expires_at < ?`, []any{now}},
		{`DELETE FROM sso_logout_tokens WHERE expires_at < ?`, []any{now}},
		{`UPDATE sso_sessions SET ended_at = ?, end_reason = 'expired' WHERE ended_at IS NULL AND (expires_at < ? OR last_seen_at < ?)`,
			[]any{now, now, now.Add(-s.cfg.SessionIdle)}},
		{`DELETE FROM sso_host_sessions WHERE session_id IN (SELECT id FROM sso_sessions WHERE ended_at IS NOT NULL)`, nil},
		{`DELETE FROM sso_sessions WHERE ended_at < ?`, []any{now.Add(-30 * 24 * time.Hour)}},
	}
	for _, st := range stmts {
		if _, err := s.db.ExecContext(ctx, st.q, st.args...); err != nil {
			return fmt.Errorf("sso cleanup: %w", err)
		}
	}
	return nil
}
