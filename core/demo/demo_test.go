package demo

import (
	"bytes"
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"yiwang/core/content"
	"yiwang/core/store"
	"yiwang/core/store/storetest"
	"yiwang/tenants"
)

// seedTenants parses the reference seed and numbers the tenants as a
// store would, for tests that need no database.
func seedTenants(t testing.TB) (all, deps, towns []*tenants.Tenant) {
	t.Helper()
	ts, err := tenants.ParseSeed(bytes.NewReader(tenants.ReferenceSeed))
	if err != nil {
		t.Fatal(err)
	}
	for i, x := range ts {
		x.ID = int64(i + 1)
		switch x.Kind {
		case tenants.Department:
			deps = append(deps, x)
		case tenants.Township:
			towns = append(towns, x)
		}
	}
	return ts, deps, towns
}

type span struct{ min, max int }

// wantCounts is how many articles each column gets, by kind of tenant.
var wantCounts = map[tenants.Kind]map[string]span{
	tenants.Department: {"gzdt": {6, 10}, "tzgg": {3, 5}, "zcwj": {2, 3}, "xxgk": {1, 1}, "hdjl": {1, 1}},
	tenants.Township:   {"gzdt": {6, 10}, "tzgg": {3, 5}, "zcwj": {2, 3}, "xxgk": {1, 1}, "hdjl": {1, 1}},
	tenants.Other:      {"gzdt": {6, 10}, "tzgg": {3, 5}, "zcwj": {2, 3}, "xxgk": {1, 1}, "hdjl": {1, 1}},
	tenants.Portal: {"gzdt": {6, 10}, "tzgg": {3, 5}, "zcwj": {2, 3}, "xxgk": {1, 1}, "hdjl": {1, 1},
		"ywdt": {15, 15}, "bmdt": {10, 10}, "xzcz": {10, 10}},
}

func TestPlan(t *testing.T) {
	all, deps, towns := seedTenants(t)
	byName := map[string]*tenants.Tenant{}
	for _, x := range all {
		byName[x.Name] = x
	}
	total := 0
	for _, tn := range all {
		t.Run(tn.Code, func(t *testing.T) {
			ds := planTenant(tn, deps, towns)
			total += len(ds)
			if again := planTenant(tn, deps, towns); !reflect.DeepEqual(ds, again) {
				t.Error("two plans of one tenant differ: the text must not depend on anything but the tenant")
			}
			counts := map[string]int{}
			titles := map[string]bool{}
			for _, d := range ds {
				a := d.article
				counts[d.slug]++
				if titles[a.Title] {
					t.Errorf("title %q twice", a.Title)
				}
				titles[a.Title] = true
				checkArticle(t, d.slug, &a)
				switch d.slug {
				case "bmdt", "xzcz":
					src := byName[a.Source]
					want := map[string]tenants.Kind{"bmdt": tenants.Department, "xzcz": tenants.Township}[d.slug]
					if src == nil || src.Kind != want {
						t.Errorf("%s: source %q is not a %s", d.slug, a.Source, want)
					}
				default:
					if a.Source != tn.Name {
						t.Errorf("%s %q: source %q, want %q", d.slug, a.Title, a.Source, tn.Name)
					}
				}
				if d.slug == "hdjl" {
					for _, s := range []string{"县长信箱", "在线访谈", "意见征集", tn.Phone, tn.Email} {
						if !strings.Contains(a.Body, s) {
							t.Errorf("互动交流 lacks %q", s)
						}
					}
				}
				if d.slug == "xxgk" {
					for _, s := range []string{"公开主体", "公开方式", "依申请公开", "20个工作日", "延长期限最长不超过20个工作日", "监督方式", tn.Name} {
						if !strings.Contains(a.Body, s) {
							t.Errorf("信息公开指南 lacks %q", s)
						}
					}
				}
			}
			for slug, want := range wantCounts[tn.Kind] {
				if n := counts[slug]; n < want.min || n > want.max {
					t.Errorf("%s: %d articles, want %d–%d", slug, n, want.min, want.max)
				}
			}
			if len(counts) != len(wantCounts[tn.Kind]) {
				t.Errorf("columns written %v, want those of %v", counts, wantCounts[tn.Kind])
			}
			if tn.Kind == tenants.Township {
				place := strings.TrimSuffix(strings.TrimSuffix(tn.Name, "人民政府"), "办事处")
				for _, d := range ds {
					if d.slug == "gzdt" && !strings.Contains(d.article.Body, place) {
						t.Errorf("township news %q does not name %s", d.article.Title, place)
					}
				}
			}
		})
	}
	t.Logf("%d articles planned for %d tenants", total, len(all))
}

// checkArticle checks what every demo article must be.
func checkArticle(t *testing.T, slug string, a *content.Article) {
	t.Helper()
	for field, s := range map[string]string{"title": a.Title, "summary": a.Summary, "body": a.Body, "keywords": a.Keywords, "author": a.Author} {
		if strings.TrimSpace(s) == "" {
			t.Errorf("%s %q: empty %s", slug, a.Title, field)
		}
		if strings.ContainsAny(s, "{}|") {
			t.Errorf("%s %q: %s has an unfilled template: %s", slug, a.Title, field, s)
		}
	}
	if n := utf8.RuneCountInString(a.Title); n > 200 {
		t.Errorf("%s %q: title of %d characters", slug, a.Title, n)
	}
	if n := utf8.RuneCountInString(a.Summary); n > 500 {
		t.Errorf("%s %q: summary of %d characters", slug, a.Title, n)
	}
	if n := len(strings.Split(a.Keywords, ",")); n < 2 || n > 3 {
		t.Errorf("%s %q: %d keywords (%s), want 2–3", slug, a.Title, n, a.Keywords)
	}
	if n := textLen(a.Body); n < 200 || n > 600 {
		t.Errorf("%s %q: body of %d characters, want 200–600", slug, a.Title, n)
	}
	if ps := strings.Count(a.Body, "<p>"); ps < 2 || ps > 6 {
		t.Errorf("%s %q: %d paragraphs", slug, a.Title, ps)
	}
	if strings.Contains(strings.ToLower(a.Body), "<script") || strings.Contains(a.Body, "<img") {
		t.Errorf("%s %q: body has script or image", slug, a.Title)
	}
	if got := content.Sanitize(a.Body); got != a.Body {
		t.Errorf("%s %q: the sanitizer changes the body:\n%s\n%s", slug, a.Title, a.Body, got)
	}
}

// TestProfiles checks that every department and other unit of the
// reference seed has its own topics, not the generic ones.
func TestProfiles(t *testing.T) {
	all, _, _ := seedTenants(t)
	n := 0
	for _, tn := range all {
		if tn.Kind != tenants.Department && tn.Kind != tenants.Other {
			continue
		}
		if profiles[tn.Code] == nil {
			t.Errorf("%s %s has no profile", tn.Code, tn.Name)
			continue
		}
		if tn.Kind == tenants.Department {
			n++
		}
	}
	if n < 38 {
		t.Errorf("%d department profiles, want 38", n)
	}
	u := newUnit(&tenants.Tenant{ID: 1, Code: "xyz", Name: "思南县某某局", Kind: tenants.Department})
	if u.p != genericProfile || u.short != "县某某局" {
		t.Errorf("unknown department: profile %p short %q, want the generic profile", u.p, u.short)
	}
	for _, d := range planTenant(u.t, nil, nil) {
		checkArticle(t, d.slug, &d.article)
	}
}

// TestPortalSearchWords checks the words later search tests look for.
func TestPortalSearchWords(t *testing.T) {
	all, deps, towns := seedTenants(t)
	var titles []string
	for _, d := range planTenant(all[0], deps, towns) {
		titles = append(titles, d.slug+" "+d.article.Title)
	}
	joined := strings.Join(titles, "\n")
	for _, w := range []string{"扶贫", "脱贫攻坚", "教育", "2026年", "IPv6", "zcwj 思南县人民政府关于印发《思南县2026年优化营商环境工作方案》的通知（思府发〔2026〕12号）"} {
		if !strings.Contains(joined, w) {
			t.Errorf("no portal title contains %q", w)
		}
	}
}

// setup imports the reference seed into db, each tenant with the
// standard columns, and returns the stores and the tenants.
func setup(t testing.TB, db *store.DB) (*tenants.Store, *content.Store, []*tenants.Tenant) {
	t.Helper()
	ctx := context.Background()
	ts, cs := tenants.NewStore(db), content.NewStore(db)
	if err := ts.EnsureTemplate(ctx); err != nil {
		t.Fatal(err)
	}
	ts.OnCreate = func(ctx context.Context, tx *sqlx.Tx, tn *tenants.Tenant) error {
		tpl, err := tenants.ReadTemplate(ctx, tx)
		if err != nil {
			return err
		}
		return cs.ApplyTemplate(ctx, tx, tn, tpl)
	}
	rows, err := tenants.ParseSeed(bytes.NewReader(tenants.ReferenceSeed))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Import(ctx, "test", rows); err != nil {
		t.Fatal(err)
	}
	list, err := ts.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return ts, cs, list
}

type storedArticle struct {
	TenantID    int64      `db:"tenant_id"`
	Slug        string     `db:"slug"`
	Title       string     `db:"title"`
	Body        string     `db:"body"`
	Status      string     `db:"status"`
	Demo        bool       `db:"demo"`
	PublishedAt *time.Time `db:"published_at"`
}

func stored(t testing.TB, db *store.DB) []storedArticle {
	t.Helper()
	var as []storedArticle
	if err := db.Select(&as, `SELECT a.tenant_id, c.slug, a.title, a.body, a.status, a.demo, a.published_at
		FROM articles a JOIN site_columns c ON c.id = a.column_id AND c.tenant_id = a.tenant_id ORDER BY a.id`); err != nil {
		t.Fatal(err)
	}
	return as
}

func TestSeed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, cs, ts := setup(t, db)
		start := store.Now()
		n, err := Seed(ctx, db, cs, ts)
		took := time.Since(start)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("Seed wrote %d articles for %d tenants in %v on %s", n, len(ts), took.Round(time.Millisecond), db.Dialect)
		end := store.Now()

		as := stored(t, db)
		if len(as) != n {
			t.Fatalf("Seed reported %d articles, the database holds %d", n, len(as))
		}
		counts := map[int64]map[string]int{}
		for _, a := range as {
			if counts[a.TenantID] == nil {
				counts[a.TenantID] = map[string]int{}
			}
			counts[a.TenantID][a.Slug]++
			switch {
			case !a.Demo:
				t.Errorf("%q is not marked demo", a.Title)
			case a.Status != content.Published:
				t.Errorf("%q is %s, not published", a.Title, a.Status)
			case a.PublishedAt == nil:
				t.Errorf("%q has no publish time", a.Title)
			case a.PublishedAt.Before(start) || a.PublishedAt.After(end):
				t.Errorf("%q published at %v, outside the seed run %v–%v", a.Title, a.PublishedAt, start, end)
			case strings.Contains(strings.ToLower(a.Body), "<script"):
				t.Errorf("%q has a script", a.Title)
			}
		}
		for _, tn := range ts {
			for slug, want := range wantCounts[tn.Kind] {
				if got := counts[tn.ID][slug]; got < want.min || got > want.max {
					t.Errorf("%s %s: %d published articles, want %d–%d", tn.Code, slug, got, want.min, want.max)
				}
			}
		}

		portal := ts[0]
		cols, err := cs.Columns(ctx, portal.ID, true)
		if err != nil {
			t.Fatal(err)
		}
		var order []string
		for _, c := range cols {
			order = append(order, c.Slug)
		}
		if got := strings.Join(order, " "); got != "ywdt bmdt xzcz gzdt tzgg zcwj xxgk hdjl" {
			t.Errorf("portal columns %s", got)
		}

		var audits int
		if err := db.Get(&audits, `SELECT COUNT(*) FROM audit_log WHERE actor = ? AND action = 'article.publish'`, Actor); err != nil {
			t.Fatal(err)
		}
		if audits != n {
			t.Errorf("%d publications audited, want %d", audits, n)
		}

		again, err := Seed(ctx, db, cs, ts)
		if err != nil || again != 0 {
			t.Errorf("second Seed wrote %d articles (err %v), want 0", again, err)
		}
		if got := len(stored(t, db)); got != n {
			t.Errorf("after the second Seed %d articles, want %d", got, n)
		}
	})
}

// TestSeedSkips checks that Seed leaves alone a tenant that has an
// article (even a draft) and an archived tenant.
func TestSeedSkips(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		tstore, cs, _ := setup(t, db)
		if _, err := tstore.SetStatus(ctx, "test", "cl", tenants.Archived); err != nil {
			t.Fatal(err)
		}
		jyj, err := tstore.ByCode(ctx, "jyj")
		if err != nil {
			t.Fatal(err)
		}
		col, err := cs.Column(ctx, jyj.ID, "gzdt")
		if err != nil {
			t.Fatal(err)
		}
		own := &content.Article{TenantID: jyj.ID, ColumnID: col.ID, Title: "本局自己的稿件", Body: "<p>草稿</p>"}
		if err := cs.SaveDraft(ctx, db, own); err != nil {
			t.Fatal(err)
		}
		ts, err := tstore.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Seed(ctx, db, cs, ts); err != nil {
			t.Fatal(err)
		}
		perTenant := map[int64]int{}
		for _, a := range stored(t, db) {
			perTenant[a.TenantID]++
		}
		for _, tc := range []struct {
			code string
			want func(n int) bool
			desc string
		}{
			{"jyj", func(n int) bool { return n == 1 }, "only its own draft"},
			{"cl", func(n int) bool { return n == 0 }, "nothing: it is archived"},
			{"rsj", func(n int) bool { return n >= 13 }, "its demo articles"},
		} {
			tn, err := tstore.ByCode(ctx, tc.code)
			if err != nil {
				t.Fatal(err)
			}
			if n := perTenant[tn.ID]; !tc.want(n) {
				t.Errorf("%s has %d articles, want %s", tc.code, n, tc.desc)
			}
		}
	})
}

// TestSeedRollsBack makes the seed fail in the middle of one tenant and
// checks that the tenant is left without any article, and that the next
// run seeds it whole.
func TestSeedRollsBack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		tstore, cs, ts := setup(t, db)
		jyj, err := tstore.ByCode(ctx, "jyj")
		if err != nil {
			t.Fatal(err)
		}
		// gzdt is written last of the template columns, so the failure
		// comes after the tenant's other articles went in.
		col, err := cs.Column(ctx, jyj.ID, "gzdt")
		if err != nil {
			t.Fatal(err)
		}
		trigger := fmt.Sprintf(`CREATE TRIGGER demo_fail BEFORE INSERT ON articles WHEN NEW.column_id = %d
			BEGIN SELECT RAISE(ABORT, 'injected failure'); END`, col.ID)
		if db.Dialect == store.MySQL {
			trigger = fmt.Sprintf(`CREATE TRIGGER demo_fail BEFORE INSERT ON articles FOR EACH ROW
				BEGIN IF NEW.column_id = %d THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'injected failure'; END IF; END`, col.ID)
		}
		if _, err := db.Exec(trigger); err != nil {
			t.Fatal(err)
		}
		n, err := Seed(ctx, db, cs, ts)
		if err == nil || !strings.Contains(err.Error(), "seed demo for jyj") {
			t.Fatalf("Seed error %v, want one naming jyj", err)
		}
		perTenant := map[int64]int{}
		as := stored(t, db)
		for _, a := range as {
			perTenant[a.TenantID]++
		}
		if perTenant[jyj.ID] != 0 {
			t.Errorf("jyj has %d articles after a failed seed, want 0", perTenant[jyj.ID])
		}
		if len(as) != n || n == 0 {
			t.Errorf("Seed reported %d articles before failing, the database holds %d", n, len(as))
		}

		if _, err := db.Exec(`DROP TRIGGER demo_fail`); err != nil {
			t.Fatal(err)
		}
		if _, err := Seed(ctx, db, cs, ts); err != nil {
			t.Fatal(err)
		}
		perTenant = map[int64]int{}
		for _, a := range stored(t, db) {
			perTenant[a.TenantID]++
		}
		for _, tn := range ts {
			if perTenant[tn.ID] < 13 {
				t.Errorf("%s has %d articles after the rerun", tn.Code, perTenant[tn.ID])
			}
		}
	})
}

func BenchmarkSeed(b *testing.B) {
	ctx := context.Background()
	n := 0
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db := storetest.SQLite(b)
		_, cs, ts := setup(b, db)
		b.StartTimer()
		var err error
		if n, err = Seed(ctx, db, cs, ts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n), "articles/op")
}
