package sdk

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"reflect"
	"regexp"
	"strings"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"
	"github.com/jmoiron/sqlx/reflectx"
	"yiwang/plugins/sdk/sqldb"
)

// DB is a module's own database. It hands out Scopes, never a bare
// handle: every statement a module runs names one tenant, bound by the
// SDK from the request's tenant, so no id a visitor puts in a URL or a
// form can reach another tenant's rows.
type DB struct {
	db *sqldb.DB
}

// OpenDB opens the module database named by dsn (sqlite:PATH or
// mysql://USER:PASS@tcp(HOST:PORT)/SCHEMA) and applies the module's
// migrations (NNNN_name.sql files with the dialect tokens of sqldb). A missing MySQL schema is created (the platform's database
// user needs the CREATE privilege on it; see deploy/README).
func OpenDB(ctx context.Context, dsn string, migrations fs.FS) (*DB, error) {
	if strings.HasPrefix(dsn, "mysql://") {
		if err := ensureSchema(ctx, strings.TrimPrefix(dsn, "mysql://")); err != nil {
			return nil, err
		}
	}
	db, err := sqldb.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if migrations != nil {
		if _, err := db.MigrateFS(ctx, migrations); err != nil {
			db.Close()
			return nil, fmt.Errorf("migrate %s: %w", db.Name, err)
		}
	}
	return &DB{db: db}, nil
}

var schemaName = regexp.MustCompile(`^[A-Za-z0-9_]{1,64}$`)

func ensureSchema(ctx context.Context, dsn string) error {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return fmt.Errorf("module database DSN: %w", err)
	}
	name := cfg.DBName
	if !schemaName.MatchString(name) {
		// The name goes into DDL, which takes no placeholders.
		return fmt.Errorf("module schema name %q: only letters, digits and _", name)
	}
	cfg.DBName = ""
	admin, err := sqlx.Open("mysql", cfg.FormatDSN())
	if err != nil {
		return err
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE IF NOT EXISTS `"+name+"` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		return fmt.Errorf("create module schema %s at %s: %w", name, cfg.Addr, err)
	}
	return nil
}

// WrapDB gives a module an already open database (tests, tools).
func WrapDB(db *sqldb.DB) *DB { return &DB{db: db} }

// Close closes the database.
func (d *DB) Close() error { return d.db.Close() }

// Dialect is sqlite or mysql, for the rare statement that differs.
func (d *DB) Dialect() sqldb.Dialect { return d.db.Dialect }

// Tenant returns the scope of one tenant.
func (d *DB) Tenant(id int64) *Scope { return &Scope{x: d.db, db: d.db, tenant: id} }

// Tx runs fn in a transaction scoped to a tenant, committed when fn
// returns nil.
func (d *DB) Tx(ctx context.Context, tenantID int64, fn func(s *Scope) error) error {
	return d.db.Tx(ctx, func(tx *sqlx.Tx) error {
		return fn(&Scope{x: tx, db: d.db, tenant: tenantID})
	})
}

// Scope runs statements for one tenant. Statements use named parameters
// (:name) and must use :tenant_id, which the scope binds: a statement
// without it is refused, and an argument that tries to set tenant_id to
// another tenant is refused. Write WHERE tenant_id = :tenant_id for every
// table a statement reads, joins included, and give every INSERT the
// tenant_id column.
type Scope struct {
	x      sqlx.ExtContext
	db     *sqldb.DB
	tenant int64
}

// TenantID is the scope's tenant.
func (s *Scope) TenantID() int64 { return s.tenant }

// Args are named arguments of a statement.
type Args map[string]any

// ErrUnscoped is returned for a statement that does not name :tenant_id.
var ErrUnscoped = errors.New("sdk: statement is not scoped by :tenant_id")

var tenantParam = regexp.MustCompile(`:tenant_id\b`)

// bind expands a named statement with the tenant bound.
func (s *Scope) bind(query string, arg any) (string, []any, error) {
	if !tenantParam.MatchString(query) {
		return "", nil, fmt.Errorf("%w: %s", ErrUnscoped, oneLine(query))
	}
	m, err := s.argMap(query, arg)
	if err != nil {
		return "", nil, err
	}
	if v, ok := m["tenant_id"]; ok && v != nil {
		// 0 is a struct's unset field; anything else must be the scope's.
		if id, ok := asInt64(v); !ok || (id != 0 && id != s.tenant) {
			return "", nil, fmt.Errorf("sdk: argument tenant_id=%v differs from the scope's tenant %d", v, s.tenant)
		}
	}
	m["tenant_id"] = s.tenant
	q, args, err := sqlx.Named(query, m)
	if err != nil {
		return "", nil, fmt.Errorf("bind %s: %w", oneLine(query), err)
	}
	return s.db.Rebind(q), args, nil
}

func (s *Scope) argMap(query string, arg any) (map[string]any, error) {
	switch a := arg.(type) {
	case nil:
		return map[string]any{}, nil
	case Args:
		return copyMap(a), nil
	case map[string]any:
		return copyMap(a), nil
	}
	v := reflect.ValueOf(arg)
	for v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil, fmt.Errorf("sdk: arguments must be sdk.Args or a struct, not %T", arg)
	}
	// Read only the fields the statement names, without allocating:
	// the mapper's FieldMap would fill a nil *time.Time with a zero time
	// in the caller's struct.
	out := map[string]any{}
	names := namedParams(query)
	for i, idx := range s.db.Mapper.TraversalsByName(v.Type(), names) {
		if len(idx) > 0 {
			out[names[i]] = reflectx.FieldByIndexesReadOnly(v, idx).Interface()
		}
	}
	return out, nil
}

var paramPattern = regexp.MustCompile(`(^|[^:]):([A-Za-z_][A-Za-z0-9_]*)`)

// namedParams lists the :names of a statement.
func namedParams(query string) []string {
	var out []string
	for _, m := range paramPattern.FindAllStringSubmatch(query, -1) {
		out = append(out, m[2])
	}
	return out
}

func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}

func asInt64(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case int32:
		return int64(n), true
	}
	return 0, false
}

func oneLine(q string) string {
	q = strings.Join(strings.Fields(q), " ")
	if len(q) > 120 {
		q = q[:120] + "…"
	}
	return q
}

// Select runs a query into a slice.
func (s *Scope) Select(ctx context.Context, dest any, query string, arg any) error {
	q, args, err := s.bind(query, arg)
	if err != nil {
		return err
	}
	return sqlx.SelectContext(ctx, s.x, dest, q, args...)
}

// Get runs a query for one row; sql.ErrNoRows when there is none.
func (s *Scope) Get(ctx context.Context, dest any, query string, arg any) error {
	q, args, err := s.bind(query, arg)
	if err != nil {
		return err
	}
	return sqlx.GetContext(ctx, s.x, dest, q, args...)
}

// Exec runs a statement.
func (s *Scope) Exec(ctx context.Context, query string, arg any) (sql.Result, error) {
	q, args, err := s.bind(query, arg)
	if err != nil {
		return nil, err
	}
	return s.x.ExecContext(ctx, q, args...)
}

// Insert runs an INSERT and returns the new row's id.
func (s *Scope) Insert(ctx context.Context, query string, arg any) (int64, error) {
	res, err := s.Exec(ctx, query, arg)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

// Found turns sql.ErrNoRows into a not-found error with msg, so a missing
// row (or another tenant's) is a 404 page.
func Found(err error, msg string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return Errorf(ENOTFOUND, "%s", msg)
	}
	return err
}
