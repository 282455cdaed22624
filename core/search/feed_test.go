package search_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"yiwang/core/audit"
	"yiwang/core/content"
	"yiwang/core/search"
	"yiwang/core/search/outbox"
	"yiwang/core/store"
	"yiwang/core/store/storetest"
	"yiwang/tenants"
)

type fixture struct {
	db      *store.DB
	tenants *tenants.Store
	content *content.Store
	portal  *tenants.Tenant
	dept    *tenants.Tenant
	dir     string
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{db: db, tenants: tenants.NewStore(db), content: content.NewStore(db), dir: t.TempDir()}
	if err := f.tenants.EnsureTemplate(ctx); err != nil {
		t.Fatal(err)
	}
	f.tenants.OnCreate = func(ctx context.Context, tx *sqlx.Tx, tn *tenants.Tenant) error {
		tpl, err := tenants.ReadTemplate(ctx, tx)
		if err != nil {
			return err
		}
		return f.content.ApplyTemplate(ctx, tx, tn, tpl)
	}
	f.portal = &tenants.Tenant{Code: "portal", Name: "思南县人民政府", Kind: tenants.Portal}
	f.dept = &tenants.Tenant{Code: "jyj", Name: "思南县教育局", Kind: tenants.Department}
	for _, tn := range []*tenants.Tenant{f.portal, f.dept} {
		if err := f.tenants.Create(ctx, "test", tn); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func (f *fixture) index(t *testing.T) *search.Bleve {
	t.Helper()
	idx, err := search.OpenBleve(filepath.Join(f.dir, "idx"), search.BleveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return idx
}

func (f *fixture) feeder(idx search.Index) *search.Feeder {
	return &search.Feeder{DB: f.db, Index: idx, Tenants: f.tenants, Articles: search.Articles{Content: f.content}}
}

// draft saves an article in the tenant's first column.
func (f *fixture) draft(t *testing.T, tn *tenants.Tenant, title, body string) *content.Article {
	t.Helper()
	ctx := context.Background()
	cols, err := f.content.Columns(ctx, tn.ID, true)
	if err != nil || len(cols) == 0 {
		t.Fatal(cols, err)
	}
	a := &content.Article{TenantID: tn.ID, ColumnID: cols[0].ID, Title: title, Body: body}
	if err := f.db.Tx(ctx, func(tx *sqlx.Tx) error { return f.content.SaveDraft(ctx, tx, a) }); err != nil {
		t.Fatal(err)
	}
	return a
}

func found(t *testing.T, idx search.Index, q string) []string {
	t.Helper()
	res, err := search.Search(context.Background(), idx, search.Query{Text: q, Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, h := range res.Hits {
		out = append(out, h.ID)
	}
	slices.Sort(out)
	return out
}

func drain(t *testing.T, f *search.Feeder) {
	t.Helper()
	for i := 0; i < 100; i++ {
		n, err := f.Drain(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
	t.Fatal("outbox never drained")
}

func pending(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.Get(&n, `SELECT COUNT(*) FROM search_outbox`); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestOnlyPublishedReachesTheIndex: drafts never, published after the
// commit, withdrawn and deleted ones leave, whatever order the rows come in.
func TestOnlyPublishedReachesTheIndex(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx := newFixture(t, db)
		idx := fx.index(t)
		defer idx.Close()
		feed := fx.feeder(idx)

		draft := fx.draft(t, fx.dept, "扶贫草稿：未公开的名单", "<p>张三 身份证号 520000199001011234</p>")
		pub := fx.draft(t, fx.dept, "县教育局推进教育扶贫", "<p>全县教育扶贫工作<strong>稳步</strong>推进。</p><ul><li>控辍保学</li><li>营养改善</li></ul>")
		if pending(t, db) != 0 {
			t.Errorf("saving drafts wrote %d outbox rows", pending(t, db))
		}
		// A row for a draft (as a bug or a module might write) indexes nothing:
		// the worker reads the article's state, not the row's.
		if err := outbox.ArticleChanged(ctx, db, fx.dept.ID, draft.ID); err != nil {
			t.Fatal(err)
		}
		if err := fx.content.Publish(ctx, "test", fx.dept.ID, pub.ID); err != nil {
			t.Fatal(err)
		}
		if got := found(t, idx, "扶贫"); len(got) != 0 {
			t.Errorf("indexed before the worker ran: %v", got)
		}
		var before int
		if err := db.GetContext(ctx, &before, `SELECT COUNT(*) FROM page_changes WHERE prefix = '/search'`); err != nil {
			t.Fatal(err)
		}
		drain(t, feed)
		if got, want := found(t, idx, "扶贫"), []string{search.ArticleID(pub.ID)}; !slices.Equal(got, want) {
			t.Errorf("after publishing: %v, want %v", got, want)
		}
		// The index changed, so every site's cached search pages go.
		var after int
		if err := db.GetContext(ctx, &after, `SELECT COUNT(*) FROM page_changes WHERE tenant_id = 0 AND prefix = '/search'`); err != nil || after != before+1 {
			t.Errorf("search page changes %d after applying, %d before (%v)", after, before, err)
		}
		if got := found(t, idx, "身份证号"); len(got) != 0 {
			t.Errorf("a draft's text is searchable: %v", got)
		}
		if got := found(t, idx, "稳步推进"); len(got) != 1 {
			t.Errorf("inline markup split a word: %v", got)
		}
		if got := found(t, idx, "保学营养"); len(got) != 0 {
			t.Errorf("list items ran together: %v", got)
		}
		if got := found(t, idx, "控辍保学"); len(got) != 1 {
			t.Errorf("list item text not found: %v", got)
		}
		if n := pending(t, db); n != 0 {
			t.Errorf("%d outbox rows left after draining", n)
		}
		res, err := search.Search(ctx, idx, search.Query{Text: "扶贫"})
		if err != nil || len(res.Hits) != 1 {
			t.Fatal(res, err)
		}
		h := res.Hits[0]
		if h.URL != "art/"+itoa(pub.ID) || h.TenantID != fx.dept.ID || h.Type != search.TypeArticle || h.Column == "" || h.Date.IsZero() {
			t.Errorf("hit %+v", h.Doc)
		}

		// Withdraw: gone. Republish: back. Delete: gone.
		if err := fx.content.Withdraw(ctx, "test", fx.dept.ID, pub.ID); err != nil {
			t.Fatal(err)
		}
		drain(t, feed)
		if got := found(t, idx, "扶贫"); len(got) != 0 {
			t.Errorf("withdrawn article still found: %v", got)
		}
		if err := fx.content.Publish(ctx, "test", fx.dept.ID, pub.ID); err != nil {
			t.Fatal(err)
		}
		drain(t, feed)
		if got := found(t, idx, "扶贫"); len(got) != 1 {
			t.Errorf("republished article not found: %v", got)
		}
		if err := fx.content.Delete(ctx, "test", fx.dept.ID, pub.ID); err != nil {
			t.Fatal(err)
		}
		drain(t, feed)
		if got := found(t, idx, "扶贫"); len(got) != 0 {
			t.Errorf("deleted article still found: %v", got)
		}
	})
}

// failing is an index whose writes fail, as a full disk or a cluster
// that is down would.
type failing struct{ search.Index }

func (failing) Upsert(context.Context, ...search.Doc) error { return errors.New("disk full") }

// TestOutboxSurvivesCrashes: an update committed but not yet indexed when
// the process dies, or whose indexing fails, is applied later; applying
// twice is harmless.
func TestOutboxSurvivesCrashes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx := newFixture(t, db)
		a := fx.draft(t, fx.portal, "思南县召开脱贫攻坚推进会", "<p>会议部署脱贫攻坚工作。</p>")
		if err := fx.content.Publish(ctx, "test", fx.portal.ID, a.ID); err != nil {
			t.Fatal(err)
		}
		// The process "dies" here: the commit is done, the index knows
		// nothing. The index fails on the next start, then works.
		idx := fx.index(t)
		if _, err := fx.feeder(failing{idx}).Drain(ctx); err == nil {
			t.Fatal("a failing index drained")
		}
		var attempts int
		if err := db.Get(&attempts, `SELECT attempts FROM search_outbox`); err != nil || attempts != 1 {
			t.Errorf("attempts %d (%v), want 1", attempts, err)
		}
		idx.Close()
		// A restart: the dead process's lease runs out (30 s), then the
		// new one takes over.
		if _, err := db.Exec(`UPDATE search_lease SET expires_at = ?`, store.Now().Add(-time.Second)); err != nil {
			t.Fatal(err)
		}
		idx = fx.index(t)
		defer idx.Close()
		feed := fx.feeder(idx)
		drain(t, feed)
		if got := found(t, idx, "脱贫攻坚"); len(got) != 1 {
			t.Errorf("after the restart: %v", got)
		}
		// The same change again (a crash after indexing, before the rows
		// were deleted): one document still.
		for i := 0; i < 3; i++ {
			if err := outbox.ArticleChanged(ctx, db, fx.portal.ID, a.ID); err != nil {
				t.Fatal(err)
			}
		}
		drain(t, feed)
		if n, _ := idx.Count(ctx); n != 1 {
			t.Errorf("%d documents after applying a change four times", n)
		}
	})
}

// TestModuleDocumentsAndRebuild: a module's documents go through the
// outbox sink; a rebuild makes the index agree with the database.
func TestModuleDocumentsAndRebuild(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx := newFixture(t, db)
		idx := fx.index(t)
		defer idx.Close()
		feed := fx.feeder(idx)
		sink := search.OutboxSink{DB: db}

		letter := search.Doc{ID: "letter:7", TenantID: fx.portal.ID, Type: search.TypeLetter, URL: "mailbox/letters/7",
			Title: "关于农村公路养护的来信", Body: "答复：县交通运输局已安排维修。", Date: time.Now()}
		if err := sink.Index(ctx, letter); err != nil {
			t.Fatal(err)
		}
		if err := sink.Index(ctx, search.Doc{ID: "x"}); err == nil {
			t.Error("a document without tenant or type was accepted")
		}
		drain(t, feed)
		if got := found(t, idx, "公路养护"); !slices.Equal(got, []string{"letter:7"}) {
			t.Errorf("module document: %v", got)
		}
		if err := sink.Remove(ctx, "letter:7"); err != nil {
			t.Fatal(err)
		}
		drain(t, feed)
		if got := found(t, idx, "公路养护"); len(got) != 0 {
			t.Errorf("removed module document found: %v", got)
		}

		// Published articles, one of them deleted behind the outbox's back
		// and a stale document left in the index.
		var ids []int64
		for _, title := range []string{"教育局召开会议", "教育局开展培训", "教育局督导检查"} {
			a := fx.draft(t, fx.dept, title, "<p>教育工作。</p>")
			if err := fx.content.Publish(ctx, "test", fx.dept.ID, a.ID); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, a.ID)
		}
		if _, err := db.Exec(`DELETE FROM search_outbox`); err != nil {
			t.Fatal(err)
		}
		if err := idx.Upsert(ctx, search.Doc{ID: search.ArticleID(99999), TenantID: fx.dept.ID, Type: search.TypeArticle, Title: "教育局旧文"}); err != nil {
			t.Fatal(err)
		}
		var progress []int
		n, err := feed.Rebuild(ctx, fx.dept.ID, "", func(done, total int) { progress = append(progress, done, total) })
		if err != nil || n != 3 {
			t.Fatalf("rebuilt %d (%v), want 3", n, err)
		}
		if got := found(t, idx, "教育局"); len(got) != 3 || slices.Contains(got, search.ArticleID(99999)) {
			t.Errorf("after rebuild: %v", got)
		}
		if len(progress) < 4 || progress[len(progress)-2] != 3 || progress[len(progress)-1] != 3 {
			t.Errorf("progress %v", progress)
		}
		// A rebuild asked through the outbox (the CLI beside a server).
		if _, err := db.Exec(`UPDATE articles SET status = 'withdrawn' WHERE id = ?`, ids[0]); err != nil {
			t.Fatal(err)
		}
		if err := outbox.Write(ctx, db, outbox.Reindex, 0, "", nil); err != nil {
			t.Fatal(err)
		}
		drain(t, feed)
		if got := found(t, idx, "教育局"); len(got) != 2 {
			t.Errorf("after a rebuild row: %v", got)
		}
	})
}

// TestOneWorkerAtATime: replicas share the outbox through a lease.
func TestOneWorkerAtATime(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	fx := newFixture(t, db)
	idx := fx.index(t)
	defer idx.Close()
	a, b := fx.feeder(idx), fx.feeder(idx)
	if err := outbox.ArticleChanged(ctx, db, fx.dept.ID, 12345); err != nil {
		t.Fatal(err)
	}
	if n, err := a.Drain(ctx); err != nil || n != 1 {
		t.Fatalf("first worker drained %d (%v)", n, err)
	}
	if err := outbox.ArticleChanged(ctx, db, fx.dept.ID, 12345); err != nil {
		t.Fatal(err)
	}
	if n, err := b.Drain(ctx); err != nil || n != 0 {
		t.Errorf("second worker drained %d (%v) while the first holds the lease", n, err)
	}
	a.Release(ctx)
	if n, err := b.Drain(ctx); err != nil || n != 1 {
		t.Errorf("second worker drained %d (%v) after the release", n, err)
	}
}

func itoa(n int64) string { return search.ArticleID(n)[len(search.TypeArticle)+1:] }

// listSource is a module's documents as the plugin host streams them; err
// stands for a module process that is down.
type listSource struct {
	name string
	docs []search.Doc
	err  error
}

func (s *listSource) Name() string        { return s.name }
func (s *listSource) Owns(id string) bool { return strings.HasPrefix(id, s.name+":") }
func (s *listSource) Each(_ context.Context, tenantID int64, fn func(search.Doc) error) error {
	if s.err != nil {
		return s.err
	}
	for _, d := range s.docs {
		if d.TenantID == tenantID {
			if err := fn(d); err != nil {
				return err
			}
		}
	}
	return nil
}

// TestRebuildWithModuleSources: a rebuild takes every source's documents,
// removes only what a source owns and no longer gives, and leaves a
// failing source's documents as they were while the others are rebuilt.
func TestRebuildWithModuleSources(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	fx := newFixture(t, db)
	idx := fx.index(t)
	defer idx.Close()
	doc := func(id, title string) search.Doc {
		return search.Doc{ID: id, TenantID: fx.dept.ID, Type: strings.Split(id, ":")[0], URL: id, Title: title, Date: time.Now()}
	}
	topics := &listSource{name: "topics", docs: []search.Doc{doc("topics:1", "学习贯彻专题"), doc("topics:2", "乡村振兴专题")}}
	mailbox := &listSource{name: "mailbox", docs: []search.Doc{doc("mailbox:9", "关于路灯维修的来信")}}
	feed := fx.feeder(idx)
	feed.Sources = []search.Source{feed.Articles, topics, mailbox}

	a := fx.draft(t, fx.dept, "教育局召开会议", "<p>教育工作。</p>")
	if err := fx.content.Publish(ctx, "test", fx.dept.ID, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`DELETE FROM search_outbox`); err != nil {
		t.Fatal(err)
	}
	// Left behind in the index: a topic since deleted, and a document of
	// a module the platform no longer has a source for.
	if err := idx.Upsert(ctx, doc("topics:3", "已删除的专题"), doc("gone:1", "旧模块的文档")); err != nil {
		t.Fatal(err)
	}
	n, err := feed.Rebuild(ctx, fx.dept.ID, "", nil)
	if err != nil || n != 4 {
		t.Fatalf("rebuilt %d (%v), want 4", n, err)
	}
	ids := func() []string {
		got, err := idx.IDs(ctx, fx.dept.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	want := []string{search.ArticleID(a.ID), "gone:1", "mailbox:9", "topics:1", "topics:2"}
	if got := ids(); !slices.Equal(got, want) {
		t.Errorf("after rebuild: %v, want %v", got, want)
	}

	// The mailbox process is down and a topic was deleted: the topic goes,
	// the letter stays, and the error names the mailbox.
	topics.docs = topics.docs[:1]
	mailbox.err = errors.New("模块暂时无法使用")
	_, err = feed.Rebuild(ctx, fx.dept.ID, "", nil)
	if !errors.Is(err, search.ErrSourceFailed) || !strings.Contains(err.Error(), "mailbox") {
		t.Errorf("rebuild with a failing source: %v, want ErrSourceFailed naming mailbox", err)
	}
	want = []string{search.ArticleID(a.ID), "gone:1", "mailbox:9", "topics:1"}
	if got := ids(); !slices.Equal(got, want) {
		t.Errorf("after a failing source: %v, want %v", got, want)
	}
	// Asked through the outbox, the same rebuild does not hold up the
	// changes behind it.
	if err := outbox.Write(ctx, db, outbox.Reindex, fx.dept.ID, "", nil); err != nil {
		t.Fatal(err)
	}
	if err := outbox.ArticleChanged(ctx, db, fx.dept.ID, a.ID); err != nil {
		t.Fatal(err)
	}
	if n, err := feed.Drain(ctx); err != nil || n != 2 {
		t.Errorf("drained %d rows (%v) with a module down, want 2", n, err)
	}

	// A rebuild of module sources only (what the CLI leaves to a server)
	// does not touch articles, even one the index lacks.
	mailbox.err, mailbox.docs = nil, nil
	if err := idx.Delete(ctx, search.ArticleID(a.ID)); err != nil {
		t.Fatal(err)
	}
	if err := outbox.Write(ctx, db, outbox.Reindex, 0, search.ModuleSources, nil); err != nil {
		t.Fatal(err)
	}
	drain(t, feed)
	want = []string{"gone:1", "topics:1"}
	if got := ids(); !slices.Equal(got, want) {
		t.Errorf("after a module-only rebuild: %v, want %v", got, want)
	}

	// A source that hands over another's document is refused.
	topics.docs = append(topics.docs, doc("mailbox:10", "冒名的文档"))
	if _, err := feed.Rebuild(ctx, fx.dept.ID, "topics", nil); err == nil {
		t.Error("a source gave another source's document without an error")
	}
}

// TestRebuildAskedFromTheConsole: a rebuild asked for is audited, waits in
// the outbox, and records its start, progress and end for the console.
func TestRebuildAskedFromTheConsole(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fx := newFixture(t, db)
		idx := fx.index(t)
		defer idx.Close()
		feed := fx.feeder(idx)
		var last int64
		for _, title := range []string{"教育局召开会议", "教育局开展培训"} {
			a := fx.draft(t, fx.dept, title, "<p>教育工作。</p>")
			if err := fx.content.Publish(ctx, "test", fx.dept.ID, a.ID); err != nil {
				t.Fatal(err)
			}
			last = a.ID
		}
		drain(t, feed)
		if r, err := search.LastRebuild(ctx, db); err != nil || r != nil {
			t.Fatalf("before any: %+v %v", r, err)
		}

		if err := search.RequestRebuild(ctx, db, "user:7", 0); err != nil {
			t.Fatal(err)
		}
		b, err := search.OutboxBacklog(ctx, db)
		if err != nil || b.Pending != 1 || b.Oldest == nil || b.Failing != 0 {
			t.Fatalf("backlog after the request: %+v %v", b, err)
		}
		r, err := search.LastRebuild(ctx, db)
		if err != nil || r == nil || r.RequestedBy != "user:7" || r.StartedAt != nil || r.Running() {
			t.Fatalf("requested: %+v %v", r, err)
		}
		drain(t, feed)
		r, err = search.LastRebuild(ctx, db)
		if err != nil || r.StartedAt == nil || r.FinishedAt == nil || r.Running() || r.Error != "" || r.Done != 2 || r.Percent() != 100 {
			t.Fatalf("after the rebuild: %+v %v", r, err)
		}
		if b, _ := search.OutboxBacklog(ctx, db); b.Pending != 0 {
			t.Errorf("backlog after the rebuild: %+v", b)
		}
		es, err := audit.List(ctx, db, audit.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		var asked int
		for _, e := range es {
			if e.Action == "search.rebuild" && e.Actor == "user:7" {
				asked++
			}
		}
		if asked != 1 {
			t.Errorf("%d audit entries for the request, want 1", asked)
		}

		// A row the index refuses stays, counted as failing, with its error.
		if err := outbox.ArticleChanged(ctx, db, fx.dept.ID, last); err != nil {
			t.Fatal(err)
		}
		feed.Index = failing{idx}
		if _, err := feed.Drain(ctx); err == nil {
			t.Fatal("a failing index drained without an error")
		}
		if b, _ := search.OutboxBacklog(ctx, db); b.Pending != 1 || b.Failing != 1 || b.LastError == "" {
			t.Errorf("backlog with a failing row: %+v", b)
		}
	})
}
