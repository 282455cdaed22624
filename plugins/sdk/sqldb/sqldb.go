// Package sqldb is the SQL database of the platform and of every module:
// an embedded SQLite file or a MySQL/MariaDB schema behind one handle that
// knows its dialect, with versioned migrations written once for both.
// The host keeps its platform database with it (core/store) and a module
// gets its own through the SDK (sdk.OpenDB), so dialect differences live
// here and nowhere else.
package sqldb

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"
	_ "modernc.org/sqlite"
)

// Dialect names the SQL flavour of a database.
type Dialect string

const (
	SQLite Dialect = "sqlite"
	MySQL  Dialect = "mysql"
)

// DB is a database handle that knows its dialect.
type DB struct {
	*sqlx.DB
	Dialect Dialect
	// Name is a display form of the DSN without secrets, for logs.
	Name string

	stmts sync.Map // query → *sqlx.Stmt, for Prepared
}

// Prepared returns q prepared once for the handle. database/sql keeps it
// prepared on every connection it runs on, so a query run on every
// request (a session's lookup) is parsed once per connection, not once
// per call. q must be in the form both dialects take (? placeholders).
func (db *DB) Prepared(ctx context.Context, q string) (*sqlx.Stmt, error) {
	if st, ok := db.stmts.Load(q); ok {
		return st.(*sqlx.Stmt), nil
	}
	st, err := db.PreparexContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if prev, loaded := db.stmts.LoadOrStore(q, st); loaded {
		_ = st.Close()
		return prev.(*sqlx.Stmt), nil
	}
	return st, nil
}

// Open connects to the database named by dsn:
//
//	sqlite:PATH or sqlite://PATH         SQLite file at PATH (its directory is created)
//	mysql://USER:PASS@tcp(HOST:PORT)/DB  MySQL or MariaDB (go-sql-driver DSN after the scheme)
func Open(ctx context.Context, dsn string) (*DB, error) {
	switch {
	case strings.HasPrefix(dsn, "sqlite://"):
		return openSQLite(ctx, strings.TrimPrefix(dsn, "sqlite://"))
	case strings.HasPrefix(dsn, "sqlite:"):
		return openSQLite(ctx, strings.TrimPrefix(dsn, "sqlite:"))
	case strings.HasPrefix(dsn, "mysql://"):
		return openMySQL(ctx, strings.TrimPrefix(dsn, "mysql://"))
	default:
		return nil, fmt.Errorf("database DSN must start with sqlite: or mysql:// (got %q)", Redact(dsn))
	}
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("sqlite DSN names no file")
	}
	if dir := filepath.Dir(path); dir != "." && path != ":memory:" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create directory for %s: %w", path, err)
		}
	}
	// WAL lets the CLI write while the server reads; busy_timeout makes
	// concurrent writers wait instead of failing; immediate transactions
	// avoid the read-then-upgrade deadlock of deferred ones.
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_time_format", "sqlite")
	q.Set("_txlock", "immediate")
	x, err := sqlx.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	x.SetMaxOpenConns(8)
	if err := x.PingContext(ctx); err != nil {
		x.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return &DB{DB: x, Dialect: SQLite, Name: "sqlite:" + path}, nil
}

func openMySQL(ctx context.Context, dsn string) (*DB, error) {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("parse mysql DSN %q: %w", Redact("mysql://"+dsn), err)
	}
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	// An UPDATE reports the rows it matched, as SQLite does, not only
	// those whose values changed: code that reads "no row affected" as
	// "not found" or "changed by someone else" must mean the same on both.
	cfg.ClientFoundRows = true
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	cfg.Collation = "utf8mb4_unicode_ci"
	cfg.Params["time_zone"] = "'+00:00'"
	cfg.Params["sql_mode"] = "'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ENGINE_SUBSTITUTION'"
	x, err := sqlx.Open("mysql", cfg.FormatDSN())
	if err != nil {
		return nil, fmt.Errorf("open mysql %s/%s: %w", cfg.Addr, cfg.DBName, err)
	}
	x.SetMaxOpenConns(32)
	x.SetMaxIdleConns(8)
	x.SetConnMaxLifetime(5 * time.Minute)
	if err := x.PingContext(ctx); err != nil {
		x.Close()
		return nil, fmt.Errorf("open mysql %s/%s: %w", cfg.Addr, cfg.DBName, err)
	}
	return &DB{DB: x, Dialect: MySQL, Name: "mysql://" + cfg.Addr + "/" + cfg.DBName}, nil
}

// Redact hides a password in a DSN before it reaches a log or an error.
func Redact(dsn string) string {
	at := strings.LastIndex(dsn, "@")
	if at < 0 {
		return dsn
	}
	head := dsn[:at]
	if i := strings.Index(head, "://"); i >= 0 {
		head = head[i+3:]
	}
	if c := strings.Index(head, ":"); c >= 0 {
		return strings.Replace(dsn, head, head[:c]+":***", 1)
	}
	return dsn
}

// Tx runs fn in a transaction, committing when fn returns nil. Nothing fn
// wrote survives an error.
//
// fn may run more than once. MySQL and MariaDB roll a whole transaction
// back when they pick it as a deadlock victim, and a Galera cluster does
// the same to a transaction that lost a certification conflict with a
// write on another node; both answer 1213, at any statement or at COMMIT.
// Such a transaction, and one whose connection broke before COMMIT was
// sent (the server drops what it had), left nothing behind, so Tx begins
// it again, up to txAttempts times. fn must therefore decide everything
// from what it reads inside the transaction: a slice it appends to or a
// message it sends outside would be doubled by a second run. A connection
// that breaks during COMMIT is not retried: the write may have committed,
// and only the caller's unique keys could tell.
func (db *DB) Tx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	for attempt := 1; ; attempt++ {
		again, err := db.tx(ctx, fn)
		if err == nil || !again || attempt == txAttempts || ctx.Err() != nil {
			return err
		}
		// Back off a little, growing, so that two writers that keep
		// colliding drift apart.
		select {
		case <-time.After(time.Duration(attempt*attempt) * 10 * time.Millisecond):
		case <-ctx.Done():
			return err
		}
	}
}

// txAttempts bounds Tx's runs of one transaction.
const txAttempts = 5

// tx is one attempt of Tx; again reports whether nothing was written and
// a new attempt may succeed.
func (db *DB) tx(ctx context.Context, fn func(tx *sqlx.Tx) error) (again bool, err error) {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return isRolledBack(err) || isBrokenConn(err), fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return isRolledBack(err) || isBrokenConn(err), err
	}
	if err := tx.Commit(); err != nil {
		return isRolledBack(err), fmt.Errorf("commit: %w", err)
	}
	return false, nil
}

// isRolledBack reports a MySQL error after which the server has rolled the
// whole transaction back: 1213, a deadlock victim or (Galera) a lost
// certification conflict.
func isRolledBack(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && me.Number == 1213
}

// isBrokenConn reports a connection lost under a statement (a database
// node killed, a failover): the server rolls back what the connection
// had not committed.
func isBrokenConn(err error) bool {
	return errors.Is(err, mysql.ErrInvalidConn) || errors.Is(err, driver.ErrBadConn)
}

// IsUniqueViolation reports whether err is a unique-key violation in
// either dialect.
func IsUniqueViolation(err error) bool {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number == 1062
	}
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// Now is the database time convention: UTC, truncated to microseconds so
// that both dialects store and return the same value.
func Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
