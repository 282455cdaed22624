package sso

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"yiwang/tenants"
)

// IssueTicket makes a one-time ticket that lets host open its own session
// on the central session sessionID and then show returnPath. It is
// random, single use, lives TicketTTL, and works on host only.
func (s *Service) IssueTicket(ctx context.Context, sessionID int64, host, returnPath string) (string, error) {
	if !strings.HasPrefix(returnPath, "/") || len(returnPath) > 2000 {
		returnPath = "/"
	}
	tok := randomToken(32)
	now := s.now()
	if _, err := s.db.ExecContext(ctx, `INSERT INTO sso_tickets (token_hash, session_id, host, return_path, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?)`, hashToken(tok), sessionID, tenants.NormalizeHost(host), returnPath, now, now.Add(s.cfg.TicketTTL)); err != nil {
		return "", fmt.Errorf("issue ticket for %s: %w", host, err)
	}
	return tok, nil
}

// RedeemTicket trades a ticket presented on host for its central session
// and return path. A ticket works once: a replayed, expired or unknown
// ticket, or one made for another host, is refused (and a ticket shown to
// the wrong host is spent, so it cannot be tried again on the right one).
func (s *Service) RedeemTicket(ctx context.Context, ticket, host string) (sessionID int64, returnPath string, err error) {
	if ticket == "" || len(ticket) > 100 {
		return 0, "", errTicket
	}
	th := hashToken(ticket)
	now := s.now()
	res, err := s.db.ExecContext(ctx, `UPDATE sso_tickets SET used_at = ? WHERE token_hash = ? AND used_at IS NULL`, now, th)
	if err != nil {
		return 0, "", fmt.Errorf("redeem ticket: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return 0, "", errTicket // unknown or already used
	}
	var t struct {
		SessionID  int64     `db:"session_id"`
		Host       string    `db:"host"`
		ReturnPath string    `db:"return_path"`
		ExpiresAt  time.Time `db:"expires_at"`
	}
	if err := s.db.GetContext(ctx, &t, `SELECT session_id, host, return_path, expires_at FROM sso_tickets WHERE token_hash = ?`, th); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return 0, "", errTicket
		}
		return 0, "", fmt.Errorf("redeem ticket: %w", err)
	}
	switch {
	case !now.Before(t.ExpiresAt):
		return 0, "", errTicket
	case t.Host != tenants.NormalizeHost(host):
		s.log.Warn("sso: ticket presented on the wrong host", "want", t.Host, "got", host)
		return 0, "", errTicket
	}
	ok, err := s.SessionActive(ctx, t.SessionID)
	if err != nil {
		return 0, "", err
	}
	if !ok {
		return 0, "", errTicket
	}
	return t.SessionID, t.ReturnPath, nil
}
