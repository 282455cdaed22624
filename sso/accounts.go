package sso

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"yiwang/core"
	"yiwang/core/store"
)

// Account is a person as an identity provider knows them. Issuer and
// Subject are the key; name and email are refreshed at each login.
type Account struct {
	ID          int64      `db:"id"`
	Issuer      string     `db:"issuer"`
	Subject     string     `db:"subject"`
	Name        string     `db:"name"`
	Email       string     `db:"email"`
	CreatedAt   time.Time  `db:"created_at"`
	LastLoginAt *time.Time `db:"last_login_at"`
}

// DisplayName is the name to show, never empty.
func (a *Account) DisplayName() string {
	switch {
	case a.Name != "":
		return a.Name
	case a.Email != "":
		return a.Email
	}
	return "用户" + strconv.FormatInt(a.ID, 10)
}

const accountColumns = `id, issuer, subject, name, email, created_at, last_login_at`

// EnsureAccount returns the account of issuer+subject, creating it with
// name and email when missing (so that roles can be granted before a
// person's first login). An existing account's name is updated when name
// is not empty and login is set; login also stamps last_login_at.
func EnsureAccount(ctx context.Context, db *store.DB, issuer, subject, name, email string, login bool, now time.Time) (*Account, error) {
	if issuer == "" || subject == "" {
		return nil, core.Errorf(core.EINVALID, "账号须有签发方（issuer）和标识（sub）")
	}
	name, email = clip(name, 200), clip(email, 254)
	a, err := accountBy(ctx, db, `issuer = ? AND subject = ?`, issuer, subject)
	if err == nil {
		if login {
			if name == "" {
				name = a.Name
			}
			if email == "" {
				email = a.Email
			}
			if _, err := db.ExecContext(ctx, `UPDATE sso_accounts SET name = ?, email = ?, last_login_at = ? WHERE id = ?`, name, email, now, a.ID); err != nil {
				return nil, fmt.Errorf("update account %d: %w", a.ID, err)
			}
			a.Name, a.Email, a.LastLoginAt = name, email, &now
		}
		return a, nil
	}
	if core.ErrorCode(err) != core.ENOTFOUND {
		return nil, err
	}
	var last any
	if login {
		last = now
	}
	_, err = db.ExecContext(ctx, `INSERT INTO sso_accounts (issuer, subject, name, email, created_at, last_login_at) VALUES (?, ?, ?, ?, ?, ?)`,
		issuer, subject, name, email, now, last)
	if err != nil && !store.IsUniqueViolation(err) {
		return nil, fmt.Errorf("create account %s %s: %w", issuer, subject, err)
	}
	return accountBy(ctx, db, `issuer = ? AND subject = ?`, issuer, subject)
}

// AccountByID returns an account or a not-found error.
func AccountByID(ctx context.Context, db *store.DB, id int64) (*Account, error) {
	return accountBy(ctx, db, `id = ?`, id)
}

func accountBy(ctx context.Context, db *store.DB, where string, args ...any) (*Account, error) {
	var a Account
	if err := db.GetContext(ctx, &a, `SELECT `+accountColumns+` FROM sso_accounts WHERE `+where, args...); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, core.Errorf(core.ENOTFOUND, "没有找到该用户")
		}
		return nil, fmt.Errorf("get account: %w", err)
	}
	return &a, nil
}

// FindAccounts returns up to limit accounts whose name, email or subject
// contains q, or whose number is q.
func FindAccounts(ctx context.Context, db *store.DB, q string, limit int) ([]Account, error) {
	q = strings.TrimSpace(q)
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	var out []Account
	var err error
	if id, perr := strconv.ParseInt(q, 10, 64); perr == nil {
		err = db.SelectContext(ctx, &out, `SELECT `+accountColumns+` FROM sso_accounts WHERE id = ?`, id)
	} else {
		like := "%" + escapeLike(q) + "%"
		err = db.SelectContext(ctx, &out, `SELECT `+accountColumns+` FROM sso_accounts
			WHERE name LIKE ? ESCAPE '!' OR email LIKE ? ESCAPE '!' OR subject LIKE ? ESCAPE '!'
			ORDER BY name, id LIMIT `+strconv.Itoa(limit), like, like, like)
	}
	if err != nil {
		return nil, fmt.Errorf("find accounts: %w", err)
	}
	return out, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(s)
}

// clip shortens s to n runes.
func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
