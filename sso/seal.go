package sso

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"yiwang/core"
	"yiwang/core/audit"
	"yiwang/core/store"
)

// Second-factor secrets are sealed (AES-256-GCM) with a key that lives
// outside the database, so that a copy of the database alone (a backup,
// a dump left behind) does not hand over every staff member's
// authenticator. The account id is the associated data: a sealed secret
// copied to another account's row does not open.

// SealKeySize is the length of the key, in bytes.
const SealKeySize = 32

// ErrSealKeyMismatch is returned by New when the database's sealed
// secrets were made with another key: replicas must share one key.
var ErrSealKeyMismatch = errors.New("sso: the secret key is not the one this database's second-factor secrets were sealed with")

const sealPrefix = "v1:"

type sealer struct{ aead cipher.AEAD }

func newSealer(key []byte) (*sealer, error) {
	if len(key) != SealKeySize {
		return nil, fmt.Errorf("sso: the secret key must be %d bytes, not %d", SealKeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: aead}, nil
}

func totpAD(accountID int64) []byte { return []byte("sso_totp:" + strconv.FormatInt(accountID, 10)) }

func (s *sealer) seal(plain string, accountID int64) string {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	out := s.aead.Seal(nonce, nonce, []byte(plain), totpAD(accountID))
	return sealPrefix + base64.RawURLEncoding.EncodeToString(out)
}

// open returns the secret of a stored value; a value stored before
// secrets were sealed is returned as it is (New seals those at start).
func (s *sealer) open(stored string, accountID int64) (string, error) {
	if !strings.HasPrefix(stored, sealPrefix) {
		return stored, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(stored, sealPrefix))
	if err != nil || len(raw) < s.aead.NonceSize() {
		return "", fmt.Errorf("sso: sealed secret of account %d is malformed", accountID)
	}
	plain, err := s.aead.Open(nil, raw[:s.aead.NonceSize()], raw[s.aead.NonceSize():], totpAD(accountID))
	if err != nil {
		return "", fmt.Errorf("sso: sealed secret of account %d does not open with this key: %w", accountID, err)
	}
	return string(plain), nil
}

// fingerprint names the key without revealing it.
func fingerprint(key []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("yiwang second-factor seal key"))
	return hex.EncodeToString(m.Sum(nil))[:32]
}

// prepareSeal checks the key against the one the database was sealed
// with (recorded on first use) and seals any secret stored in the clear
// by an earlier release.
func (s *Service) prepareSeal(ctx context.Context, key []byte) error {
	sl, err := newSealer(key)
	if err != nil {
		return err
	}
	fp := fingerprint(key)
	have, err := Secret(ctx, s.db, "seal-key-fingerprint", func() (string, error) { return fp, nil })
	if err != nil {
		return err
	}
	if !hmac.Equal([]byte(have), []byte(fp)) {
		return ErrSealKeyMismatch
	}
	s.seal = sl
	var plain []struct {
		AccountID int64  `db:"account_id"`
		Secret    string `db:"secret"`
	}
	if err := s.db.SelectContext(ctx, &plain, `SELECT account_id, secret FROM sso_totp WHERE secret NOT LIKE 'v1:%'`); err != nil {
		return fmt.Errorf("sso: read second-factor secrets: %w", err)
	}
	for _, p := range plain {
		if _, err := s.db.ExecContext(ctx, `UPDATE sso_totp SET secret = ? WHERE account_id = ? AND secret = ?`,
			sl.seal(p.Secret, p.AccountID), p.AccountID, p.Secret); err != nil {
			return fmt.Errorf("sso: seal the second-factor secret of account %d: %w", p.AccountID, err)
		}
	}
	if len(plain) > 0 {
		s.log.Info("sso: sealed second-factor secrets stored in the clear", "count", len(plain))
	}
	return nil
}

// ResetTOTP removes an account's platform second factor (a lost phone):
// the person enrols anew at the next staff sign-in. Audited.
func ResetTOTP(ctx context.Context, db *store.DB, actor string, accountID int64) error {
	return db.Tx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sso_totp WHERE account_id = ?`, accountID)
		if err != nil {
			return fmt.Errorf("reset second factor of account %d: %w", accountID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return core.Errorf(core.ENOTFOUND, "账号 %d 没有设置动态验证码", accountID)
		}
		return audit.Write(ctx, tx, audit.Entry{Actor: actor, Action: "account.totp.reset", Target: strconv.FormatInt(accountID, 10),
			Detail: "second factor removed; enrols again at the next staff sign-in"})
	})
}

// ForgetSealedSecrets is for a lost key: every platform second factor and
// the record of the old key go, so that a server starts with a new key
// and every staff member enrols again. Audited; returns how many went.
func ForgetSealedSecrets(ctx context.Context, db *store.DB, actor string) (int, error) {
	var n int64
	err := db.Tx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sso_totp`)
		if err != nil {
			return fmt.Errorf("forget second factors: %w", err)
		}
		n, _ = res.RowsAffected()
		if _, err := tx.ExecContext(ctx, `DELETE FROM sso_secrets WHERE name = 'seal-key-fingerprint'`); err != nil {
			return fmt.Errorf("forget the seal key: %w", err)
		}
		return audit.Write(ctx, tx, audit.Entry{Actor: actor, Action: "account.totp.rekey", Target: "sso_totp",
			Detail: fmt.Sprintf("%d second factors removed with the old seal key", n)})
	})
	return int(n), err
}

// SecondFactor is an account's platform second factor, as the county
// console lists them.
type SecondFactor struct {
	Account   Account
	Enabled   bool      // enrolled; false while enrolment is pending
	CreatedAt time.Time // when enrolment started
}

// SecondFactors lists the accounts that have a platform second factor,
// by name.
func SecondFactors(ctx context.Context, db *store.DB) ([]SecondFactor, error) {
	var rows []struct {
		AccountID int64      `db:"account_id"`
		EnabledAt *time.Time `db:"enabled_at"`
		CreatedAt time.Time  `db:"created_at"`
	}
	if err := db.SelectContext(ctx, &rows, `SELECT account_id, enabled_at, created_at FROM sso_totp ORDER BY account_id`); err != nil {
		return nil, fmt.Errorf("list second factors: %w", err)
	}
	out := make([]SecondFactor, 0, len(rows))
	for _, r := range rows {
		acc, err := AccountByID(ctx, db, r.AccountID)
		if err != nil {
			return nil, err
		}
		out = append(out, SecondFactor{Account: *acc, Enabled: r.EnabledAt != nil, CreatedAt: r.CreatedAt})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Account.DisplayName() < out[j].Account.DisplayName() })
	return out, nil
}
