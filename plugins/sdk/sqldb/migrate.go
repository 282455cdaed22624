package sqldb

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
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
	// schema_migrations is made under the lock, not before it: on a
	// Galera cluster a DDL statement, even one that finds its table
	// there, is replicated in total order and aborts the transactions
	// on that table on every node. Made by a process still on its way
	// to the lock, it would abort the holder's recording of a version
	// whose tables already exist (MySQL commits DDL at once), leaving the
	// schema applied but not recorded, and every later run stuck on
	// "table already exists".
	unlock, err := db.migrationLock(ctx)
	if err != nil {
		return 0, err
	}
	defer unlock()
	if _, err := db.ExecContext(ctx, db.Expand(`CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER NOT NULL PRIMARY KEY,
		name VARCHAR(200) NOT NULL,
		applied_at {{time}} NOT NULL
	) {{table}}`)); err != nil {
		return 0, fmt.Errorf("create schema_migrations: %w", err)
	}
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
// commits DDL implicitly, so a transaction cannot do it there: a lock row
// does, held for the whole run. Not GET_LOCK: a named lock lives in one
// server, and on a Galera cluster two replicas connected to different
// nodes would both hold it and run the same migration twice. A row is
// replicated and certified: of two processes inserting it at once, on one
// server or on two nodes, one fails (a duplicate key, or 1213 when the
// cluster certifies the other first) and waits. SQLite's immediate
// transactions already serialise writers; apply checks the version again
// inside its transaction.
func (db *DB) migrationLock(ctx context.Context) (func(), error) {
	if db.Dialect != MySQL {
		return func() {}, nil
	}
	// Made only when missing: a waiter's CREATE TABLE IF NOT EXISTS is
	// DDL all the same, which on a Galera cluster can abort the holder's
	// transactions in the same database (see MigrateFS).
	var have int
	if err := db.GetContext(ctx, &have, `SELECT COUNT(*) FROM information_schema.tables
		WHERE table_schema = DATABASE() AND table_name = 'schema_migration_lock'`); err != nil || have == 0 {
		if _, err := db.ExecContext(ctx, db.Expand(`CREATE TABLE IF NOT EXISTS schema_migration_lock (
			id INTEGER NOT NULL PRIMARY KEY,
			holder VARCHAR(100) NOT NULL,
			expires_at {{time}} NOT NULL
		) {{table}}`)); err != nil {
			return nil, fmt.Errorf("migration lock: %w", err)
		}
	}
	holder := lockHolder()
	deadline := time.Now().Add(migrationLockWait)
	for {
		ok, err := db.takeMigrationLock(ctx, holder)
		if err != nil {
			return nil, fmt.Errorf("migration lock: %w", err)
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("migration lock: another process holds it for more than %s", migrationLockWait)
		}
		select {
		case <-time.After(250 * time.Millisecond):
		case <-ctx.Done():
			return nil, fmt.Errorf("migration lock: %w", ctx.Err())
		}
	}
	// A crashed holder's row expires; a live one keeps renewing it, however
	// long its migrations take.
	stop := make(chan struct{})
	renewed := make(chan struct{})
	go func() {
		defer close(renewed)
		for {
			select {
			case <-stop:
				return
			case <-time.After(migrationLockFor / 4):
				_, _ = db.ExecContext(context.Background(), `UPDATE schema_migration_lock SET expires_at = ? WHERE id = 1 AND holder = ?`,
					Now().Add(migrationLockFor), holder)
			}
		}
	}()
	return func() {
		close(stop)
		<-renewed
		_, _ = db.ExecContext(context.Background(), `DELETE FROM schema_migration_lock WHERE id = 1 AND holder = ?`, holder)
	}, nil
}

// Exclusive runs fn holding the lock migrations take, so that of several
// processes starting at once (replicas, on one server or on the nodes of
// a Galera cluster, where row locks stay in their node) one at a time
// runs it: the work of a first start, which must happen once.
func (db *DB) Exclusive(ctx context.Context, fn func() error) error {
	unlock, err := db.migrationLock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	return fn()
}

const (
	// migrationLockWait is how long a process waits for another's
	// migrations before it gives up.
	migrationLockWait = 120 * time.Second
	// migrationLockFor is how long the lock outlives its holder's last
	// renewal: a process killed while migrating blocks the others this
	// long at most.
	migrationLockFor = time.Minute
)

// takeMigrationLock inserts the lock row, or takes it over when its holder
// let it expire; false when another process holds it.
func (db *DB) takeMigrationLock(ctx context.Context, holder string) (bool, error) {
	now := Now()
	_, err := db.ExecContext(ctx, `INSERT INTO schema_migration_lock (id, holder, expires_at) VALUES (1, ?, ?)`, holder, now.Add(migrationLockFor))
	if err == nil {
		return true, nil
	}
	var me *mysql.MySQLError
	if !IsUniqueViolation(err) && !(errors.As(err, &me) && me.Number == 1213) {
		return false, err
	}
	res, err := db.ExecContext(ctx, `UPDATE schema_migration_lock SET holder = ?, expires_at = ? WHERE id = 1 AND expires_at < ?`,
		holder, now.Add(migrationLockFor), now)
	if err != nil {
		if errors.As(err, &me) && me.Number == 1213 {
			return false, nil // another took it over first
		}
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// lockHolder names this process in the lock row, for an operator who
// finds it held.
func lockHolder() string {
	host, _ := os.Hostname()
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%.60s:%d:%x", host, os.Getpid(), b)
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
	lastDDL := false
	for i, stmt := range splitStatements(db.Expand(m.sql)) {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return false, fmt.Errorf("migration %s statement %d: %w", m.name, i+1, err)
		}
		lastDDL = isDDL(stmt)
	}
	// MySQL commits DDL at once: after a migration that ends in DDL the
	// version's row is all its transaction holds. Should the cluster
	// abort that transaction (1213: a DDL statement elsewhere in the
	// database, a lost certification), the schema is there and only its
	// record is missing, so the record is written again; were it given
	// up, every later run would stop on "table already exists".
	for attempt := 1; ; attempt++ {
		_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
			m.version, m.name, Now())
		if err == nil {
			break
		}
		if db.Dialect != MySQL || !lastDDL || !isRolledBack(err) || attempt == 5 {
			return false, fmt.Errorf("migration %s: record version: %w", m.name, err)
		}
		time.Sleep(time.Duration(attempt) * 100 * time.Millisecond)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("migration %s: commit: %w", m.name, err)
	}
	return true, nil
}

// isDDL reports whether stmt changes the schema, which MySQL commits at once.
func isDDL(stmt string) bool {
	f := strings.Fields(stmt)
	if len(f) == 0 {
		return false
	}
	switch strings.ToUpper(f[0]) {
	case "CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE":
		return true
	}
	return false
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
