package sdktest

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"
)

// EnvMySQL names the MySQL server for tests, as a go-sql-driver DSN
// without a database, e.g. root@tcp(127.0.0.1:3306)/ (the host's tests
// read the same variable). Under CI (CI set) a test that needs it fails
// without it: the MySQL path never skips silently there.
const EnvMySQL = "YIWANG_TEST_MYSQL"

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
	server := os.Getenv(EnvMySQL)
	if server == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI runs the MySQL path: set %s", EnvMySQL)
		}
		t.Skipf("MySQL path not tested: set %s, e.g. %s='root@tcp(127.0.0.1:3306)/'", EnvMySQL, EnvMySQL)
	}
	cfg, err := mysql.ParseDSN(server)
	if err != nil {
		t.Fatalf("%s: %v", EnvMySQL, err)
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
