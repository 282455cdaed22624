package content_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/jmoiron/sqlx"
	"yiwang/core"
	"yiwang/core/content"
	"yiwang/core/store"
	"yiwang/tenants"
)

// fixture is a platform whose tenants get the standard column template
// through OnCreate, as the composition root wires it.
type fixture struct {
	db      *store.DB
	tenants *tenants.Store
	content *content.Store
}

func newFixture(t testing.TB, db *store.DB) *fixture {
	t.Helper()
	f := &fixture{db: db, tenants: tenants.NewStore(db), content: content.NewStore(db)}
	must(t, f.tenants.EnsureTemplate(context.Background()))
	f.tenants.OnCreate = func(ctx context.Context, tx *sqlx.Tx, tn *tenants.Tenant) error {
		tpl, err := tenants.ReadTemplate(ctx, tx)
		if err != nil {
			return err
		}
		return f.content.ApplyTemplate(ctx, tx, tn, tpl)
	}
	return f
}

// tenant creates a department sub-site with code.
func (f *fixture) tenant(t testing.TB, code string) *tenants.Tenant {
	t.Helper()
	tn := &tenants.Tenant{Code: code, Name: code + "局", Kind: tenants.Department, Sponsor: code + "局"}
	must(t, f.tenants.Create(context.Background(), "test", tn))
	return tn
}

// column returns the tenant's column with slug.
func (f *fixture) column(t testing.TB, tenantID int64, slug string) *content.Column {
	t.Helper()
	c, err := f.content.Column(context.Background(), tenantID, slug)
	must(t, err)
	return c
}

// ownColumn creates a column of the tenant's own (not from the template).
func (f *fixture) ownColumn(t testing.TB, c content.Column) *content.Column {
	t.Helper()
	if c.Type == "" {
		c.Type = content.ColumnList
	}
	must(t, f.content.CreateColumn(context.Background(), f.db, &c))
	return &c
}

// draft saves a draft titled title in the column.
func (f *fixture) draft(t testing.TB, col *content.Column, title string) *content.Article {
	t.Helper()
	a := &content.Article{TenantID: col.TenantID, ColumnID: col.ID, Title: title, Body: "<p>正文</p>"}
	must(t, f.content.SaveDraft(context.Background(), f.db, a))
	return a
}

// publish saves and publishes an article titled title in the column and
// returns it as read back.
func (f *fixture) publish(t testing.TB, col *content.Column, title string) *content.Article {
	t.Helper()
	ctx := context.Background()
	a := f.draft(t, col, title)
	must(t, f.content.Publish(ctx, "test", col.TenantID, a.ID))
	got, err := f.content.Article(ctx, col.TenantID, a.ID)
	must(t, err)
	return got
}

// publishMany publishes n articles in the column in one transaction,
// titled prefix 1 … prefix n, oldest first, and returns their ids.
func (f *fixture) publishMany(t testing.TB, col *content.Column, prefix string, n int) []int64 {
	t.Helper()
	ctx := context.Background()
	ids := make([]int64, 0, n)
	must(t, f.db.Tx(ctx, func(tx *sqlx.Tx) error {
		for i := 1; i <= n; i++ {
			a := &content.Article{TenantID: col.TenantID, ColumnID: col.ID, Title: fmt.Sprintf("%s %d", prefix, i), Body: "<p>正文</p>"}
			if err := f.content.SaveDraft(ctx, tx, a); err != nil {
				return err
			}
			if err := f.content.PublishTx(ctx, tx, "test", col.TenantID, a.ID); err != nil {
				return err
			}
			ids = append(ids, a.ID)
		}
		return nil
	}))
	return ids
}

// countArticles counts every article row, drafts included.
func (f *fixture) countArticles(t testing.TB) int {
	t.Helper()
	var n int
	must(t, f.db.GetContext(context.Background(), &n, `SELECT COUNT(*) FROM articles`))
	return n
}

// status reads an article's status straight from its row.
func (f *fixture) status(t testing.TB, id int64) string {
	t.Helper()
	var s string
	must(t, f.db.GetContext(context.Background(), &s, `SELECT status FROM articles WHERE id = ?`, id))
	return s
}

// wantCode fails unless err carries the core error code want.
func wantCode(t testing.TB, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", want)
	}
	if got := core.ErrorCode(err); got != want {
		t.Fatalf("error code = %s, want %s (error: %v)", got, want, err)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// slugs lists the slugs of cs, in order.
func slugs(cs []*content.Column) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Slug
	}
	return out
}

// titles lists the titles of as, in order.
func titles(as []*content.Article) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.Title
	}
	return out
}

// find returns the column with slug among cs and their descendants.
func find(cs []*content.Column, slug string) *content.Column {
	for _, c := range cs {
		if c.Slug == slug {
			return c
		}
		if d := find(c.Children, slug); d != nil {
			return d
		}
	}
	return nil
}

func ptr[T any](v T) *T { return &v }
