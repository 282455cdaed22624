package webtest

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"yiwang/core/content"
	"yiwang/core/store"
	"yiwang/core/web"
	"yiwang/core/web/host"
	"yiwang/tenants"
)

// Fixture is a platform with the reference county, served in-process
// (no sign-on): for the public pages and what they read.
type Fixture struct {
	DB      *store.DB
	Tenants *tenants.Store
	Content *content.Store
	Srv     *host.Server
	H       http.Handler
	Started time.Time // the fixture's start, to the minute
}

// NewFixture builds the platform on db with the reference county's seed.
func NewFixture(t testing.TB, db *store.DB) *Fixture {
	t.Helper()
	ctx := context.Background()
	f := &Fixture{DB: db, Tenants: tenants.NewStore(db), Content: content.NewStore(db), Started: store.Now().Truncate(time.Minute)}
	if err := f.Tenants.EnsureTemplate(ctx); err != nil {
		t.Fatal(err)
	}
	f.Tenants.OnCreate = func(ctx context.Context, tx *sqlx.Tx, tn *tenants.Tenant) error {
		tpl, err := tenants.ReadTemplate(ctx, tx)
		if err != nil {
			return err
		}
		return f.Content.ApplyTemplate(ctx, tx, tn, tpl)
	}
	rows, err := tenants.ParseSeed(bytes.NewReader(tenants.ReferenceSeed))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Tenants.Import(ctx, "test", rows); err != nil {
		t.Fatal(err)
	}
	f.Srv, err = host.New(web.Config{RegistryTTL: time.Nanosecond}, db, f.Tenants, f.Content, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	f.H = f.Srv.Handler()
	return f
}

// Publish writes and publishes an article in the tenant's column.
func (f *Fixture) Publish(t testing.TB, code, slug string, a content.Article) *content.Article {
	t.Helper()
	ctx := context.Background()
	tn, err := f.Tenants.ByCode(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	col, err := f.Content.Column(ctx, tn.ID, slug)
	if err != nil {
		t.Fatal(err)
	}
	a.TenantID, a.ColumnID = tn.ID, col.ID
	if a.Body == "" {
		a.Body = "<p>正文</p>"
	}
	if err := f.Content.SaveDraft(ctx, f.DB, &a); err != nil {
		t.Fatal(err)
	}
	if err := f.Content.Publish(ctx, "test", tn.ID, a.ID); err != nil {
		t.Fatal(err)
	}
	got, err := f.Content.Article(ctx, tn.ID, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// Response is an answer of the in-process server.
type Response struct {
	Status int
	Header http.Header
	Body   string
}

// Get answers GET target on host, with the cookies.
func (f *Fixture) Get(t testing.TB, host, target string, cookies ...*http.Cookie) Response {
	t.Helper()
	req := httptest.NewRequest("GET", "http://"+host+target, nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	f.H.ServeHTTP(rec, req)
	return Response{rec.Code, rec.Header(), rec.Body.String()}
}

// Reconfigure replaces the fixture's server with one built with cfg
// (the default registry time, a trusted proxy) over the same stores.
func (f *Fixture) Reconfigure(t testing.TB, cfg web.Config) {
	t.Helper()
	srv, err := host.New(cfg, f.DB, f.Tenants, f.Content, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	f.Srv, f.H = srv, srv.Handler()
}
