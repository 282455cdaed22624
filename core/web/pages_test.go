package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"yiwang/core/changes"
	"yiwang/core/content"
	"yiwang/core/pagecache"
	"yiwang/core/store"
	"yiwang/core/store/storetest"
	"yiwang/core/web"
	"yiwang/core/web/host"
	"yiwang/core/web/webtest"
	"yiwang/tenants"
)

// twoHosts is one database served by two host processes' worth of web
// servers, each with its own page cache following the change feed.
type twoHosts struct {
	*webtest.Fixture
	b *webtest.Fixture // the second server, on the same database
}

func newTwoHosts(t *testing.T, db *store.DB) *twoHosts {
	t.Helper()
	a := webtest.NewFixture(t, db)
	b := &webtest.Fixture{DB: db, Tenants: a.Tenants, Content: a.Content, Started: a.Started}
	var err error
	b.Srv, err = host.New(web.Config{RegistryTTL: time.Hour}, db, a.Tenants, a.Content, slog.New(slog.NewTextHandler(io.Discard, nil)))
	webtest.Must(t, err)
	b.H = b.Srv.Handler()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	for _, f := range []*webtest.Fixture{a, b} {
		feed := changes.NewFeed(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
		feed.Every = 50 * time.Millisecond
		webtest.Must(t, feed.Prime(ctx))
		f.Srv.UsePages(pagecache.New(32<<20), feed)
		go feed.Run(ctx)
	}
	return &twoHosts{Fixture: a, b: b}
}

// warm draws a page on both servers and checks the second answer is the
// cache's.
func (h *twoHosts) warm(t *testing.T, host, path string) {
	t.Helper()
	for _, f := range []*webtest.Fixture{h.Fixture, h.b} {
		f.Get(t, host, path)
		if r := f.Get(t, host, path); r.Header.Get("X-Cache") != "hit" {
			t.Fatalf("%s%s is not cached: %q", host, path, r.Header.Get("X-Cache"))
		}
	}
}

// eventually waits until both servers' page shows (or stops showing)
// want; the feed is polled every 50 ms, the limit is for a loaded machine.
func (h *twoHosts) eventually(t *testing.T, host, path, want string, shown bool) {
	t.Helper()
	for _, f := range []*webtest.Fixture{h.Fixture, h.b} {
		deadline := time.Now().Add(15 * time.Second)
		for {
			r := f.Get(t, host, path)
			if strings.Contains(r.Body, want) == shown {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s%s: %q shown=%v never came", host, path, want, shown)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// stillCached checks that a change elsewhere left a page in both caches.
func (h *twoHosts) stillCached(t *testing.T, host, path string) {
	t.Helper()
	for _, f := range []*webtest.Fixture{h.Fixture, h.b} {
		if r := f.Get(t, host, path); r.Header.Get("X-Cache") != "hit" {
			t.Errorf("%s%s was dropped by a change of another site", host, path)
		}
	}
}

// Every write that changes what a visitor sees reaches both servers'
// caches through the feed; a change of one site leaves the others'
// pages cached.
func TestPageCacheInvalidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newTwoHosts(t, db)
		ctx := context.Background()
		jyj, err := h.Tenants.ByCode(ctx, "jyj")
		webtest.Must(t, err)
		desk := content.NewDesk(h.Content)
		admin := content.Actor{TenantID: jyj.ID, UserID: 1, Name: "站点管理员", Roles: []tenants.Role{tenants.SiteAdmin, tenants.Editor, tenants.Reviewer}}

		// Publishing.
		h.warm(t, "localhost:8080", "/site/jyj/")
		h.warm(t, "localhost:8080", "/site/rsj/")
		a := h.Publish(t, "jyj", "gzdt", content.Article{Title: "县教育局召开秋季开学工作会"})
		h.eventually(t, "localhost:8080", "/site/jyj/", "县教育局召开秋季开学工作会", true)
		h.stillCached(t, "localhost:8080", "/site/rsj/")

		// Withdrawal.
		art := fmt.Sprintf("/site/jyj/art/%d", a.ID)
		h.warm(t, "localhost:8080", "/site/jyj/col/gzdt/")
		h.warm(t, "localhost:8080", art)
		webtest.Must(t, h.Content.Withdraw(ctx, "test", jyj.ID, a.ID))
		h.eventually(t, "localhost:8080", "/site/jyj/col/gzdt/", "县教育局召开秋季开学工作会", false)
		h.eventually(t, "localhost:8080", art, "县教育局召开秋季开学工作会</h1>", false)

		// A scheduled article's time comes.
		gzdt, err := h.Content.Column(ctx, jyj.ID, "gzdt")
		webtest.Must(t, err)
		m, err := desk.Create(ctx, admin, content.Input{ColumnID: gzdt.ID, Title: "定时发布的招生通知", Body: "<p>正文</p>"})
		webtest.Must(t, err)
		_, err = db.ExecContext(ctx, db.Rebind(`UPDATE articles SET status = 'scheduled', scheduled_at = ? WHERE id = ?`), store.Now().Add(-time.Minute), m.ID)
		webtest.Must(t, err)
		h.warm(t, "localhost:8080", "/site/jyj/col/gzdt/")
		if n, err := desk.PublishDue(ctx); err != nil || n != 1 {
			t.Fatalf("publish due: %d %v", n, err)
		}
		h.eventually(t, "localhost:8080", "/site/jyj/col/gzdt/", "定时发布的招生通知", true)

		// A column of the site.
		h.warm(t, "localhost:8080", "/site/jyj/")
		_, err = desk.AddColumn(ctx, admin, content.ColumnInput{Slug: "zsks", Name: "招生考试专栏", Type: content.ColumnList})
		webtest.Must(t, err)
		h.eventually(t, "localhost:8080", "/site/jyj/", "招生考试专栏", true)
		h.stillCached(t, "localhost:8080", "/site/rsj/")

		// The column template, which every site follows.
		h.warm(t, "localhost:8080", "/site/rsj/")
		tpl, err := tenants.ReadTemplate(ctx, db)
		webtest.Must(t, err)
		tpl = append(tpl, tenants.TemplateColumn{Slug: "zwgk", Name: "政务公开专栏", Type: content.ColumnList, Sort: 99})
		webtest.Must(t, db.Tx(ctx, func(tx *sqlx.Tx) error { return h.Content.SyncTemplate(ctx, tx, tpl) }))
		h.eventually(t, "localhost:8080", "/site/rsj/", "政务公开专栏", true)

		// A site's name and footer facts, shown on every site.
		h.warm(t, "localhost:8080", "/site/rsj/")
		h.warm(t, "localhost:8080", "/")
		jyj.Name, jyj.ICP = "思南县教育和科技局", "黔ICP备20260001号"
		webtest.Must(t, h.Tenants.Update(ctx, "test", jyj))
		h.eventually(t, "localhost:8080", "/site/rsj/", "思南县教育和科技局", true) // the directory of every site
		h.eventually(t, "localhost:8080", "/site/jyj/", "黔ICP备20260001号", true)
		h.eventually(t, "localhost:8080", "/", "思南县教育和科技局", true)

		// A module's pages: the host-service call's row, for one site and
		// the portal's view of the module.
		h.warm(t, "localhost:8080", "/site/jyj/")
		h.warm(t, "localhost:8080", "/site/rsj/")
		webtest.Must(t, changes.Record(ctx, db, jyj.ID, "/mailbox/"))
		time.Sleep(200 * time.Millisecond)
		h.stillCached(t, "localhost:8080", "/site/jyj/") // not under /mailbox/
		webtest.Must(t, changes.Record(ctx, db, jyj.ID, ""))
		for _, f := range []*webtest.Fixture{h.Fixture, h.b} {
			deadline := time.Now().Add(15 * time.Second)
			for f.Get(t, "localhost:8080", "/site/jyj/").Header.Get("X-Cache") == "hit" {
				if time.Now().After(deadline) {
					t.Fatal("a change of every page of jyj left its home page cached")
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
		h.stillCached(t, "localhost:8080", "/site/rsj/")
	})
}

// A signed-in visitor's page is never what an anonymous visitor gets,
// nor the other way round.
func TestCachedPagesHoldNothingPersonal(t *testing.T) {
	e := webtest.NewSSOEnv(t, storetest.SQLite(t))
	feed := changes.NewFeed(e.DB, slog.New(slog.NewTextHandler(io.Discard, nil)))
	webtest.Must(t, feed.Prime(context.Background()))
	e.Srv.UsePages(pagecache.New(32<<20), feed)

	citizen := e.Browser(t)
	citizen.LoginDemo("citizen")
	mine := citizen.Get(e.Portal + "/")
	if !strings.Contains(mine.Body, "bar-user") {
		t.Fatalf("the citizen's page lacks the citizen: %.300s", mine.Body)
	}
	for range 2 {
		anon := e.Browser(t)
		p := anon.Get(e.Portal + "/")
		if strings.Contains(p.Body, "bar-user") || strings.Contains(p.Body, "bar-logout") || !strings.Contains(p.Body, "bar-login") {
			t.Fatal("an anonymous visitor got a signed-in page")
		}
	}
	if again := citizen.Get(e.Portal + "/"); !strings.Contains(again.Body, "bar-user") || strings.Contains(again.Body, `class="bar-login"`) {
		t.Fatal("the citizen got the anonymous page from the cache")
	}
}

// BenchmarkCachedPage answers the portal's home page from the page cache
// through the whole handler, sessions and all, as an anonymous visitor.
func BenchmarkCachedPage(b *testing.B) {
	f := webtest.NewFixture(b, storetest.SQLite(b))
	feed := changes.NewFeed(f.DB, slog.New(slog.NewTextHandler(io.Discard, nil)))
	f.Srv.UsePages(pagecache.New(32<<20), feed)
	f.Get(b, "localhost:8080", "/")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if r := f.Get(b, "localhost:8080", "/"); r.Header.Get("X-Cache") != "hit" {
				b.Fatal("not from the cache")
			}
		}
	})
}
