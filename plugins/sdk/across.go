package sdk

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	"github.com/jmoiron/sqlx"
	"yiwang/plugins/sdk/sqldb"
)

// Across returns a read-only view of several tenants' rows at once, for
// the pages that show them together (the portal's county-wide views),
// which would otherwise run one query per tenant. A statement must be a
// SELECT and say WHERE tenant_id IN (:tenant_ids), which the view binds to
// ids; it cannot write, and it cannot be given other tenants. Pass the
// tenants that enable the module (Env.Tenants), never ids from a request.
func (d *DB) Across(ids []int64) *ReadScope {
	return &ReadScope{db: d.db, ids: append([]int64(nil), ids...)}
}

// ReadScope reads the rows of a set of tenants.
type ReadScope struct {
	db  *sqldb.DB
	ids []int64
}

// ErrNotRead is returned for a statement a ReadScope will not run.
var ErrNotRead = errors.New("sdk: a read across tenants runs one SELECT naming :tenant_ids")

var (
	tenantsParam = regexp.MustCompile(`:tenant_ids\b`)
	selectStmt   = regexp.MustCompile(`(?is)^\s*SELECT\b[^;]*$`)
)

func (s *ReadScope) bind(query string, arg any) (string, []any, error) {
	if !tenantsParam.MatchString(query) || !selectStmt.MatchString(query) || tenantParam.MatchString(query) {
		return "", nil, fmt.Errorf("%w: %s", ErrNotRead, oneLine(query))
	}
	m, err := (&Scope{db: s.db}).argMap(query, arg)
	if err != nil {
		return "", nil, err
	}
	if _, ok := m["tenant_ids"]; ok {
		return "", nil, fmt.Errorf("sdk: tenant_ids is bound by the scope, not by arguments")
	}
	ids := s.ids
	if len(ids) == 0 {
		ids = []int64{-1} // no tenant: IN () is not SQL
	}
	m["tenant_ids"] = ids
	q, args, err := sqlx.Named(query, m)
	if err != nil {
		return "", nil, fmt.Errorf("bind %s: %w", oneLine(query), err)
	}
	if q, args, err = sqlx.In(q, args...); err != nil {
		return "", nil, fmt.Errorf("expand %s: %w", oneLine(query), err)
	}
	return s.db.Rebind(q), args, nil
}

// Select runs a query into a slice.
func (s *ReadScope) Select(ctx context.Context, dest any, query string, arg any) error {
	q, args, err := s.bind(query, arg)
	if err != nil {
		return err
	}
	return sqlx.SelectContext(ctx, s.db, dest, q, args...)
}

// Get runs a query for one row; sql.ErrNoRows when there is none.
func (s *ReadScope) Get(ctx context.Context, dest any, query string, arg any) error {
	q, args, err := s.bind(query, arg)
	if err != nil {
		return err
	}
	return sqlx.GetContext(ctx, s.db, dest, q, args...)
}

// Tenants are the scope's tenants.
func (s *ReadScope) Tenants() []int64 { return append([]int64(nil), s.ids...) }
