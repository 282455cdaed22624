package sqldb

import (
	"context"
	"crypto/rand"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"
)

// TestTxRunsAgain: a transaction the server rolled back whole, or whose
// connection broke before COMMIT, is run again; any other failure is the
// caller's at once.
func TestTxRunsAgain(t *testing.T) {
	deadlock := &mysql.MySQLError{Number: 1213, Message: "Deadlock found when trying to get lock; try restarting transaction"}
	cases := []struct {
		name  string
		fails []error // what fn returns on its first runs
		runs  int     // how often fn runs
		ok    bool
	}{
		{"deadlock once", []error{deadlock}, 2, true},
		{"certification conflict, wrapped", []error{fmt.Errorf("keep version: %w", deadlock)}, 2, true},
		{"broken connection", []error{fmt.Errorf("insert: %w", mysql.ErrInvalidConn)}, 2, true},
		{"bad connection", []error{driver.ErrBadConn}, 2, true},
		{"deadlock every time", []error{deadlock, deadlock, deadlock, deadlock, deadlock, deadlock}, txAttempts, false},
		{"duplicate key", []error{&mysql.MySQLError{Number: 1062, Message: "Duplicate entry"}}, 1, false},
		{"the caller's error", []error{errors.New("title missing")}, 1, false},
	}
	db, err := Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "tx.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			runs := 0
			err := db.Tx(context.Background(), func(tx *sqlx.Tx) error {
				runs++
				// What a failed run wrote must be gone before the next.
				if _, err := tx.Exec(`INSERT INTO t (id, v) VALUES (?, ?)`, i, c.name); err != nil {
					return err
				}
				if runs <= len(c.fails) {
					return c.fails[runs-1]
				}
				return nil
			})
			if runs != c.runs || (err == nil) != c.ok {
				t.Errorf("fn ran %d times (want %d), err %v (want ok %v)", runs, c.runs, err, c.ok)
			}
			var n int
			if err := db.Get(&n, `SELECT COUNT(*) FROM t WHERE id = ?`, i); err != nil {
				t.Fatal(err)
			}
			if want := map[bool]int{true: 1, false: 0}[c.ok]; n != want {
				t.Errorf("%d rows written, want %d", n, want)
			}
		})
	}
}

// TestTxDeadlockOnMySQL makes MariaDB pick a deadlock victim: two
// transactions lock two rows in opposite orders. Both commit, the victim
// on its second run, each once.
func TestTxDeadlockOnMySQL(t *testing.T) {
	server := os.Getenv("YIWANG_TEST_MYSQL")
	if server == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("CI runs the MySQL path: set YIWANG_TEST_MYSQL")
		}
		t.Skip("set YIWANG_TEST_MYSQL, e.g. root@tcp(127.0.0.1:3306)/")
	}
	ctx := context.Background()
	cfg, err := mysql.ParseDSN(server)
	if err != nil {
		t.Fatal(err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "yiwang_txtest_" + hex.EncodeToString(b[:])
	admin, err := Open(ctx, "mysql://"+cfg.FormatDSN())
	if err != nil {
		t.Fatalf("MySQL at YIWANG_TEST_MYSQL=%q: %v", server, err)
	}
	defer admin.Close()
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = admin.Exec("DROP DATABASE IF EXISTS " + name) })
	cfg.DBName = name
	db, err := Open(ctx, "mysql://"+cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		`CREATE TABLE locks (id INT PRIMARY KEY, n INT NOT NULL) ENGINE=InnoDB`,
		`INSERT INTO locks (id, n) VALUES (1, 0), (2, 0)`,
		`CREATE TABLE written (who VARCHAR(8) PRIMARY KEY) ENGINE=InnoDB`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		runs     = map[string]int{}
		first    = make(chan struct{}, 2)
		proceed  = make(chan struct{})
		errs     [2]error
		orders   = [2][2]int{{1, 2}, {2, 1}}
		released sync.Once
	)
	for i, who := range []string{"a", "b"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.Tx(ctx, func(tx *sqlx.Tx) error {
				mu.Lock()
				runs[who]++
				again := runs[who] > 1
				mu.Unlock()
				if _, err := tx.Exec(`UPDATE locks SET n = n + 1 WHERE id = ?`, orders[i][0]); err != nil {
					return fmt.Errorf("first row: %w", err)
				}
				if !again {
					// Both hold their first row before either asks for
					// its second: a deadlock, whoever comes second.
					first <- struct{}{}
					<-proceed
				}
				if _, err := tx.Exec(`UPDATE locks SET n = n + 1 WHERE id = ?`, orders[i][1]); err != nil {
					return fmt.Errorf("second row: %w", err)
				}
				_, err := tx.Exec(`INSERT INTO written (who) VALUES (?)`, who)
				return err
			})
		}()
	}
	go func() {
		<-first
		<-first
		released.Do(func() { close(proceed) })
	}()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("the two transactions did not finish within 60 s")
	}
	for i, err := range errs {
		if err != nil {
			t.Errorf("transaction %d: %v", i, err)
		}
	}
	if runs["a"]+runs["b"] != 3 {
		t.Errorf("runs %v: want one of them run twice", runs)
	}
	var n, sum int
	if err := db.Get(&n, `SELECT COUNT(*) FROM written`); err != nil || n != 2 {
		t.Errorf("written: %d rows (%v), want 2", n, err)
	}
	if err := db.Get(&sum, `SELECT SUM(n) FROM locks`); err != nil || sum != 4 {
		t.Errorf("locks counted %d (%v), want 4: each transaction's two updates once", sum, err)
	}
}
