// Package storetest runs a test against every database backend: SQLite
// always, and MySQL/MariaDB when YIWANG_TEST_MYSQL names a server.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"
	"yiwang/core/store"
	"yiwang/plugins/sdk/sdktest"
)

// EnvMySQL names the MySQL server for tests, as a go-sql-driver DSN
// without a database, e.g. root@tcp(127.0.0.1:3306)/. When it is set and
// the server cannot be reached, the test fails: CI sets it, so the MySQL
// path never skips silently there.
const EnvMySQL = sdktest.EnvMySQL

// Each runs fn once per backend, as subtests "sqlite" and "mysql", each on
// a fresh, migrated database.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("mysql", func(t *testing.T) { fn(t, MySQL(t)) })
}

// SQLite returns a fresh, migrated SQLite database in a temporary directory.
func SQLite(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "test.db"), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	migrate(t, db)
	return db
}

// MySQL returns a fresh, migrated database on the server named by
// YIWANG_TEST_MYSQL, dropped when the test ends. Without the variable the
// test is skipped with a message that says how to run it.
func MySQL(t testing.TB) *store.DB {
	t.Helper()
	server := os.Getenv(EnvMySQL)
	if server == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI runs the MySQL path: set %s", EnvMySQL)
		}
		t.Skipf("MySQL path not tested: set %s, e.g. %s='root@tcp(127.0.0.1:3306)/'", EnvMySQL, EnvMySQL)
	}
	cfg, err := mysql.ParseDSN(server)
	if err != nil {
		t.Fatalf("%s=%q: %v", EnvMySQL, server, err)
	}
	cfg.DBName = ""
	adminDSN := cfg.FormatDSN()
	admin, err := sqlx.Open("mysql", adminDSN)
	if err != nil {
		t.Fatalf("%s=%q: %v", EnvMySQL, server, err)
	}
	defer admin.Close()
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "yiwang_test_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		t.Fatalf("MySQL at %s=%q is not reachable: %v", EnvMySQL, server, err)
	}
	t.Cleanup(func() {
		a, err := sqlx.Open("mysql", adminDSN)
		if err == nil {
			_, _ = a.Exec("DROP DATABASE IF EXISTS " + name)
			a.Close()
		}
	})
	cfg.DBName = name
	db, err := store.Open(context.Background(), "mysql://"+cfg.FormatDSN(), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	migrate(t, db)
	return db
}

func migrate(t testing.TB, db *store.DB) {
	t.Helper()
	if _, err := store.Migrate(context.Background(), db); err != nil {
		t.Fatal(fmt.Errorf("migrate %s: %w", db.Name, err))
	}
}
