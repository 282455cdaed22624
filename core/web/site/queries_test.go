package site_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"net/url"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jmoiron/sqlx"

	"yiwang/core/content"
	"yiwang/core/store"
	"yiwang/core/web/webtest"
)

// queries counts the statements every connection of the counting driver
// runs.
var queries atomic.Int64

type countingDriver struct{ driver.Driver }

func (d countingDriver) Open(name string) (driver.Conn, error) {
	c, err := d.Driver.Open(name)
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: c}, nil
}

// countingConn counts each statement on its way to the real connection.
type countingConn struct{ driver.Conn }

func (c *countingConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	queries.Add(1)
	return c.Conn.(driver.QueryerContext).QueryContext(ctx, q, args)
}

func (c *countingConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	queries.Add(1)
	return c.Conn.(driver.ExecerContext).ExecContext(ctx, q, args)
}

// Prepare is counted when the statement runs, as each run is a query.
func (c *countingConn) Prepare(q string) (driver.Stmt, error) {
	st, err := c.Conn.Prepare(q)
	if err != nil {
		return nil, err
	}
	return countingStmt{st}, nil
}

type countingStmt struct{ driver.Stmt }

func (s countingStmt) Exec(args []driver.Value) (driver.Result, error) {
	queries.Add(1)
	return s.Stmt.Exec(args) //nolint:staticcheck // the driver's own
}

func (s countingStmt) Query(args []driver.Value) (driver.Rows, error) {
	queries.Add(1)
	return s.Stmt.Query(args) //nolint:staticcheck // the driver's own
}

func (s countingStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	queries.Add(1)
	return s.Stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (s countingStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	queries.Add(1)
	return s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
}

func (c *countingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

var registerCounting sync.Once

// countingSQLite is a migrated SQLite database whose statements are
// counted.
func countingSQLite(t *testing.T) *store.DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "counted.db")
	db0, err := store.Open(context.Background(), "sqlite:"+path, "")
	webtest.Must(t, err)
	_, err = store.Migrate(context.Background(), db0)
	webtest.Must(t, err)
	real := db0.Driver()
	webtest.Must(t, db0.Close())
	registerCounting.Do(func() { sql.Register("sqlite-counting", countingDriver{real}) })
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Set("_time_format", "sqlite")
	q.Set("_txlock", "immediate")
	raw, err := sql.Open("sqlite-counting", "file:"+path+"?"+q.Encode())
	webtest.Must(t, err)
	t.Cleanup(func() { raw.Close() })
	return &store.DB{DB: sqlx.NewDb(raw, "sqlite"), Dialect: store.SQLite, Name: "sqlite:" + path}
}

// No public page runs a query per row: each page kind costs the same
// number of statements with 3 articles in its column as with 30.
func TestNoQueryPerRowOnPublicPages(t *testing.T) {
	f := webtest.NewFixture(t, countingSQLite(t))
	var first *content.Article
	add := func(n int) {
		for i := range n {
			a := f.Publish(t, "jyj", "gzdt", content.Article{Title: fmt.Sprintf("工作动态 %d", i), Keywords: "教育", Summary: "摘要"})
			if first == nil {
				first = a
			}
		}
	}
	pages := func() []string {
		return []string{"/", "/site/jyj/", "/site/jyj/col/gzdt/", "/site/jyj/col/gzdt/rss.xml", fmt.Sprintf("/site/jyj/art/%d", first.ID),
			"/site/jyj/sitemap/", "/sites/"}
	}
	count := func() map[string]int64 {
		out := map[string]int64{}
		for _, p := range pages() {
			f.Get(t, "localhost:8080", p) // the registry and templates warm
			before := queries.Load()
			if r := f.Get(t, "localhost:8080", p); r.Status != 200 {
				t.Fatalf("%s: %d", p, r.Status)
			}
			out[p] = queries.Load() - before
		}
		return out
	}
	add(3)
	few := count()
	add(27)
	many := count()
	for _, p := range pages() {
		t.Logf("%s: %d statements", p, many[p])
		if many[p] != few[p] {
			t.Errorf("%s: %d statements with 3 articles, %d with 30", p, few[p], many[p])
		}
	}
}
