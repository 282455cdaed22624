package sso

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"yiwang/core/store"
)

// Secret returns the platform secret called name, creating it with gen
// the first time. Replicas starting together agree on one value: the
// first insert wins and the others read it.
func Secret(ctx context.Context, db *store.DB, name string, gen func() (string, error)) (string, error) {
	var v string
	err := db.GetContext(ctx, &v, `SELECT value FROM sso_secrets WHERE name = ?`, name)
	if err == nil {
		return v, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("read secret %s: %w", name, err)
	}
	if v, err = gen(); err != nil {
		return "", fmt.Errorf("generate secret %s: %w", name, err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO sso_secrets (name, value, created_at) VALUES (?, ?, ?)`, name, v, store.Now()); err != nil {
		if !store.IsUniqueViolation(err) {
			return "", fmt.Errorf("store secret %s: %w", name, err)
		}
		if err := db.GetContext(ctx, &v, `SELECT value FROM sso_secrets WHERE name = ?`, name); err != nil {
			return "", fmt.Errorf("read secret %s: %w", name, err)
		}
	}
	return v, nil
}
