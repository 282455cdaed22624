package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Migrations are NNNN_name.sql files, applied in version order. A
// statement ends with a semicolon at the end of a line. Tokens keep one
// file for both dialects:
//
//	{{id}}     auto-increment primary key column type
//	{{text}}   long text (MEDIUMTEXT on MySQL)
//	{{time}}   timestamp with microseconds
//	{{table}}  table options (InnoDB, utf8mb4 on MySQL)
//	{{bin}}    after a text column's type: compared byte by byte (MySQL's
//	           default collation ignores case and trailing spaces)

type migration struct {
	version int
	name    string
	sql     string
}

func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	seen := map[int]string{}
	for _, n := range names {
		base := path.Base(n)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must be NNNN_name.sql", base)
		}
		if prev, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrations %s and %s share version %d", prev, base, v)
		}
		seen[v] = base
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: base, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// Expand replaces the dialect tokens of a migration.
func (db *DB) Expand(sql string) string {
	var r *strings.Replacer
	if db.Dialect == MySQL {
		r = strings.NewReplacer(
			"{{id}}", "BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY",
			"{{text}}", "MEDIUMTEXT",
			"{{time}}", "DATETIME(6)",
			"{{table}}", "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci",
			"{{bin}}", "COLLATE utf8mb4_bin",
		)
	} else {
		r = strings.NewReplacer(
			"{{id}}", "INTEGER PRIMARY KEY AUTOINCREMENT",
			"{{text}}", "TEXT",
			"{{time}}", "DATETIME",
			"{{table}}", "",
			"{{bin}}", "",
		)
	}
	return r.Replace(sql)
}

// splitStatements splits on semicolons that end a line; migrations hold no
// procedures or triggers, so this is enough and keeps both drivers happy.
func splitStatements(sql string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(sql, "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteString("\n")
		if strings.HasSuffix(t, ";") {
			if s := strings.TrimSpace(cur.String()); s != ";" {
				out = append(out, strings.TrimSuffix(s, ";"))
			}
			cur.Reset()
		}
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}

// MigrateFS applies the migrations in fsys not yet recorded in the
// database's schema_migrations table and returns how many it applied.
func (db *DB) MigrateFS(ctx context.Context, fsys fs.FS) (int, error) {
	ms, err := loadMigrations(fsys)
	if err != nil {
		return 0, err
	}
	if _, err := db.ExecContext(ctx, db.Expand(`CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER NOT NULL PRIMARY KEY,
		name VARCHAR(200) NOT NULL,
		applied_at {{time}} NOT NULL
	) {{table}}`)); err != nil {
		return 0, fmt.Errorf("create schema_migrations: %w", err)
	}
	unlock, err := db.migrationLock(ctx)
	if err != nil {
		return 0, err
	}
	defer unlock()
	var applied []int
	if err := db.SelectContext(ctx, &applied, `SELECT version FROM schema_migrations`); err != nil {
		return 0, fmt.Errorf("read schema_migrations: %w", err)
	}
	done := map[int]bool{}
	newest := 0
	for _, v := range applied {
		done[v] = true
		newest = max(newest, v)
	}
	if len(ms) > 0 && newest > ms[len(ms)-1].version {
		return 0, fmt.Errorf("%w: database is at version %d, this program knows up to %d; upgrade the program",
			ErrSchemaNewer, newest, ms[len(ms)-1].version)
	}
	n := 0
	for _, m := range ms {
		if done[m.version] {
			continue
		}
		did, err := db.apply(ctx, m)
		if err != nil {
			return n, err
		}
		if did {
			n++
		}
	}
	return n, nil
}

// ErrSchemaNewer stops an older program from running on a database that a
// newer one has migrated: it would not know the newer tables' rules.
var ErrSchemaNewer = errors.New("database schema is newer than this program")

// migrationLock keeps two processes (replicas starting together, or the
// CLI beside a server) from applying the same migration at once. MySQL
// commits DDL implicitly, so a transaction cannot do it there: a named
// lock, held on one connection, does. SQLite's immediate transactions
// already serialise writers; apply checks the version again inside its
// transaction.
func (db *DB) migrationLock(ctx context.Context) (func(), error) {
	if db.Dialect != MySQL {
		return func() {}, nil
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("migration lock: %w", err)
	}
	var got sql.NullInt64
	if err := conn.QueryRowContext(ctx, `SELECT GET_LOCK('yiwang_migrate', 120)`).Scan(&got); err != nil || got.Int64 != 1 {
		conn.Close()
		if err == nil {
			err = errors.New("another process holds it for more than 120 s")
		}
		return nil, fmt.Errorf("migration lock: %w", err)
	}
	return func() {
		_, _ = conn.ExecContext(context.Background(), `SELECT RELEASE_LOCK('yiwang_migrate')`)
		conn.Close()
	}, nil
}

// apply runs one migration. SQLite runs DDL inside the transaction, so a
// failed migration leaves nothing behind; MySQL commits DDL implicitly, so
// the version row is written last and a failed migration is re-run whole
// (migrations use IF NOT EXISTS where MySQL allows it).
func (db *DB) apply(ctx context.Context, m migration) (bool, error) {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("migration %s: %w", m.name, err)
	}
	defer tx.Rollback() //nolint:errcheck
	var already int
	if err := tx.GetContext(ctx, &already, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.version); err != nil {
		return false, fmt.Errorf("migration %s: %w", m.name, err)
	}
	if already > 0 {
		return false, nil // another process applied it while we waited
	}
	for i, stmt := range splitStatements(db.Expand(m.sql)) {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return false, fmt.Errorf("migration %s statement %d: %w", m.name, i+1, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		m.version, m.name, Now()); err != nil {
		return false, fmt.Errorf("migration %s: record version: %w", m.name, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("migration %s: commit: %w", m.name, err)
	}
	return true, nil
}

// Version returns the newest applied migration version, 0 if none.
func (db *DB) Version(ctx context.Context) (int, error) {
	var v *int
	if err := db.GetContext(ctx, &v, `SELECT MAX(version) FROM schema_migrations`); err != nil {
		return 0, err
	}
	if v == nil {
		return 0, nil
	}
	return *v, nil
}
