package sso

import (
	"bytes"
	"context"
	"crypto/subtle"
	"database/sql"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"yiwang/core"
	"yiwang/core/audit"
)

// TOTP is an account's second factor on the platform.
type TOTP struct {
	Enabled bool
	// Secret and URL are set while enrolment is pending: the person adds
	// them to an authenticator app and proves it with a code.
	Secret, URL string
	// QR is the otpauth URL as a PNG data URI.
	QR string
}

// TOTPState returns the account's second factor, starting an enrolment
// (a new secret) when there is none. label names the platform in the
// authenticator app.
func (s *Service) TOTPState(ctx context.Context, acc *Account, label string) (*TOTP, error) {
	var row struct {
		Secret    string     `db:"secret"`
		EnabledAt *time.Time `db:"enabled_at"`
	}
	err := s.db.GetContext(ctx, &row, `SELECT secret, enabled_at FROM sso_totp WHERE account_id = ?`, acc.ID)
	switch {
	case err == nil && row.EnabledAt != nil:
		return &TOTP{Enabled: true}, nil
	case err != nil && !errors.Is(err, sql.ErrNoRows):
		return nil, fmt.Errorf("totp of account %d: %w", acc.ID, err)
	}
	opts := totp.GenerateOpts{Issuer: label, AccountName: acc.DisplayName()}
	if err == nil {
		secret, err := s.seal.open(row.Secret, acc.ID)
		if err != nil {
			return nil, err
		}
		opts.Secret, err = base32NoPad(secret)
		if err != nil {
			return nil, fmt.Errorf("totp of account %d: %w", acc.ID, err)
		}
	}
	key, err := totp.Generate(opts)
	if err != nil {
		return nil, fmt.Errorf("totp secret: %w", err)
	}
	if opts.Secret == nil {
		if _, err := s.db.ExecContext(ctx, `INSERT INTO sso_totp (account_id, secret, created_at) VALUES (?, ?, ?)`, acc.ID, s.seal.seal(key.Secret(), acc.ID), s.now()); err != nil {
			return nil, fmt.Errorf("start totp enrolment of account %d: %w", acc.ID, err)
		}
	}
	t := &TOTP{Secret: key.Secret(), URL: key.URL()}
	if img, err := key.Image(240, 240); err == nil {
		var buf bytes.Buffer
		if png.Encode(&buf, img) == nil {
			t.QR = "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())
		}
	}
	return t, nil
}

func base32NoPad(s string) ([]byte, error) {
	return b32.DecodeString(strings.ToUpper(strings.TrimRight(s, "=")))
}

// VerifyTOTP checks a code against the user's enrolled (or pending)
// secret. A code is good for one use: a code of a time step at or before
// the last accepted one is refused. Success enables a pending enrolment
// and marks the session as having passed a second factor.
func (s *Service) VerifyTOTP(ctx context.Context, u *User, code, remote string) error {
	var row struct {
		Secret    string     `db:"secret"`
		EnabledAt *time.Time `db:"enabled_at"`
		LastStep  int64      `db:"last_step"`
	}
	if err := s.db.GetContext(ctx, &row, `SELECT secret, enabled_at, last_step FROM sso_totp WHERE account_id = ?`, u.ID); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return core.Errorf(core.EINVALID, "尚未设置动态验证码，请先完成绑定。")
		}
		return fmt.Errorf("totp of account %d: %w", u.ID, err)
	}
	secret, err := s.seal.open(row.Secret, u.ID)
	if err != nil {
		return err
	}
	step, ok := MatchTOTP(secret, code, s.now())
	if !ok || step <= row.LastStep {
		s.auditMFA(ctx, u, "account.mfa", "totp code refused", remote, "error")
		return core.Errorf(core.EINVALID, "动态验证码不正确或已使用，请输入验证器上显示的最新 6 位数字。")
	}
	res, err := s.db.ExecContext(ctx, `UPDATE sso_totp SET last_step = ?, enabled_at = COALESCE(enabled_at, ?) WHERE account_id = ? AND last_step < ?`,
		step, s.now(), u.ID, step)
	if err != nil {
		return fmt.Errorf("totp of account %d: %w", u.ID, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return core.Errorf(core.EINVALID, "动态验证码已使用，请等待下一个验证码。")
	}
	if err := s.SetMFA(ctx, u.SessionID, "totp"); err != nil {
		return err
	}
	action, detail := "account.mfa", "totp"
	if row.EnabledAt == nil {
		action, detail = "account.totp.enrol", "totp enrolled"
	}
	s.auditMFA(ctx, u, action, detail, remote, "ok")
	return nil
}

func (s *Service) auditMFA(ctx context.Context, u *User, action, detail, remote, result string) {
	if err := audit.Write(ctx, s.db, audit.Entry{Actor: u.Actor(), Action: action, Target: u.DisplayName(), Detail: detail,
		RemoteAddr: clip(remote, 64), Result: result}); err != nil {
		s.log.Error("sso: audit", "action", action, "err", err)
	}
}

// MatchTOTP reports the time step of now-1 … now+1 whose code is code.
func MatchTOTP(secret, code string, now time.Time) (int64, bool) {
	code = strings.TrimSpace(code)
	if len(code) != 6 {
		return 0, false
	}
	opts := totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	for _, d := range []int64{0, -1, 1} {
		at := now.Add(time.Duration(d) * 30 * time.Second)
		want, err := totp.GenerateCodeCustom(secret, at, opts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return at.Unix() / 30, true
		}
	}
	return 0, false
}

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)
