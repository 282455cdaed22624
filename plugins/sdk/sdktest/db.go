package sdktest

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"
	"yiwang/core/store/storetest"
)

// EachDB runs fn once per database backend with the DSN of a fresh module
// database: SQLite always, MySQL/MariaDB when YIWANG_TEST_MYSQL names a
// server (the schema is created by the SDK, as in production, and dropped
// when the test ends).
func EachDB(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, "sqlite:"+filepath.Join(t.TempDir(), "module.db")) })
	t.Run("mysql", func(t *testing.T) { fn(t, MySQLDSN(t)) })
}

// MySQLDSN returns the DSN of a module schema that does not exist yet on
// the YIWANG_TEST_MYSQL server, dropped when the test ends; without the
// variable the test is skipped.
func MySQLDSN(t testing.TB) string {
	t.Helper()
	server := os.Getenv(storetest.EnvMySQL)
	if server == "" {
		t.Skipf("MySQL path not tested: set %s", storetest.EnvMySQL)
	}
	cfg, err := mysql.ParseDSN(server)
	if err != nil {
		t.Fatalf("%s: %v", storetest.EnvMySQL, err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	cfg.DBName = "yiwang_test_mod_" + hex.EncodeToString(b[:])
	name := cfg.DBName
	t.Cleanup(func() {
		c := *cfg
		c.DBName = ""
		if a, err := sqlx.Open("mysql", c.FormatDSN()); err == nil {
			_, _ = a.Exec("DROP DATABASE IF EXISTS " + name)
			a.Close()
		}
	})
	return "mysql://" + cfg.FormatDSN()
}
