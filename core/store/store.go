// Package store is the platform database: the SDK's SQL handle (embedded
// SQLite by default, MySQL/MariaDB in production; see plugins/sdk/sqldb)
// opened on the host's data directory, with the platform's embedded,
// versioned migrations.
package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"yiwang/plugins/sdk/sqldb"
)

// The names below are the SDK's, so that core speaks of one database type.
type (
	DB      = sqldb.DB
	Dialect = sqldb.Dialect
)

const (
	SQLite = sqldb.SQLite
	MySQL  = sqldb.MySQL
)

var (
	ErrSchemaNewer = sqldb.ErrSchemaNewer
	ErrNotSQLite   = sqldb.ErrNotSQLite
)

// DefaultFile is the SQLite file created under the data directory when no
// DSN is given.
const DefaultFile = "yiwang.db"

// Open connects to the database named by dsn ("" is the SQLite file
// DATA/yiwang.db; otherwise sqlite:PATH or mysql://…, see sqldb.Open).
// The data directory is created when missing.
func Open(ctx context.Context, dsn, dataDir string) (*DB, error) {
	if dsn == "" {
		if dataDir == "" {
			dataDir = "data"
		}
		if err := os.MkdirAll(dataDir, 0o750); err != nil {
			return nil, fmt.Errorf("create data directory %s: %w", dataDir, err)
		}
		dsn = "sqlite:" + filepath.Join(dataDir, DefaultFile)
	}
	return sqldb.Open(ctx, dsn)
}

// Migrations of the platform database (the dialect tokens of sqldb apply).
//
//go:embed migrations/*.sql
var platformMigrations embed.FS

// Migrate brings the platform database up to the newest embedded version.
func Migrate(ctx context.Context, db *DB) (int, error) {
	sub, err := fs.Sub(platformMigrations, "migrations")
	if err != nil {
		return 0, err
	}
	return db.MigrateFS(ctx, sub)
}

// IsUniqueViolation reports whether err is a unique-key violation in
// either dialect.
func IsUniqueViolation(err error) bool { return sqldb.IsUniqueViolation(err) }

// Now is the database time convention (see sqldb.Now).
func Now() time.Time { return sqldb.Now() }
