package content_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"yiwang/core"
	"yiwang/core/content"
	"yiwang/core/store"
	"yiwang/core/store/storetest"
)

func TestPublishTakesTheTimeFromTheServerClock(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		jyj := f.tenant(t, "jyj")
		gzdt := f.column(t, jyj.ID, "gzdt")

		t.Run("a caller's back-dated publish time is ignored", func(t *testing.T) {
			a := &content.Article{TenantID: jyj.ID, ColumnID: gzdt.ID, Title: "补发的旧闻", Body: "<p>正文</p>",
				PublishedAt: ptr(time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC))}
			must(t, f.content.SaveDraft(ctx, db, a))
			if a.PublishedAt != nil {
				t.Errorf("SaveDraft left PublishedAt = %v, want nil on a draft", a.PublishedAt)
			}
			var stored *time.Time
			must(t, db.GetContext(ctx, &stored, `SELECT published_at FROM articles WHERE id = ?`, a.ID))
			if stored != nil {
				t.Errorf("stored draft has published_at %v, want NULL", stored)
			}
			before := store.Now()
			must(t, f.content.Publish(ctx, "test", jyj.ID, a.ID))
			after := store.Now()
			got, err := f.content.Article(ctx, jyj.ID, a.ID)
			must(t, err)
			if got.Status != content.Published || got.PublishedAt == nil {
				t.Fatalf("article status %s, published %v; want published with a time", got.Status, got.PublishedAt)
			}
			if got.PublishedAt.Before(before) || got.PublishedAt.After(after) {
				t.Errorf("PublishedAt = %v, want between %v and %v", got.PublishedAt, before, after)
			}
		})

		t.Run("republishing does not move the publish time", func(t *testing.T) {
			a := f.publish(t, gzdt, "已发布的文章")
			first := *a.PublishedAt
			time.Sleep(5 * time.Millisecond)
			must(t, f.content.Publish(ctx, "test", jyj.ID, a.ID))
			got, err := f.content.Article(ctx, jyj.ID, a.ID)
			must(t, err)
			if !got.PublishedAt.Equal(first) {
				t.Errorf("PublishedAt moved from %v to %v", first, got.PublishedAt)
			}
			if !got.UpdatedAt.After(first) {
				t.Errorf("UpdatedAt = %v, want after the first publish %v", got.UpdatedAt, first)
			}
		})

		t.Run("another tenant's article is not found and stays a draft", func(t *testing.T) {
			mzj := f.tenant(t, "mzj")
			theirs := f.draft(t, f.column(t, mzj.ID, "gzdt"), "民政局草稿")
			wantCode(t, f.content.Publish(ctx, "test", jyj.ID, theirs.ID), core.ENOTFOUND)
			if s := f.status(t, theirs.ID); s != content.Draft {
				t.Errorf("status = %s, want draft", s)
			}
			wantCode(t, f.content.Publish(ctx, "test", jyj.ID, 987654), core.ENOTFOUND)
		})

		t.Run("each publish is audited", func(t *testing.T) {
			var n int
			must(t, db.GetContext(ctx, &n, `SELECT COUNT(*) FROM audit_log WHERE action = 'article.publish' AND tenant_id = ?`, jyj.ID))
			if n != 3 { // back-dated, first publish, republish
				t.Errorf("article.publish entries = %d, want 3", n)
			}
		})
	})
}

func TestTenantsCannotReachEachOthersContent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		a, b := f.tenant(t, "jyj"), f.tenant(t, "mzj")
		colA, colB := f.column(t, a.ID, "gzdt"), f.column(t, b.ID, "gzdt")
		f.publish(t, colA, "教育局文章")
		theirs := f.publish(t, colB, "民政局文章")

		t.Run("Article", func(t *testing.T) {
			_, err := f.content.Article(ctx, a.ID, theirs.ID)
			wantCode(t, err, core.ENOTFOUND)
		})
		t.Run("ListPublished", func(t *testing.T) {
			p, err := f.content.ListPublished(ctx, a.ID, colB.ID, 1, 20)
			must(t, err)
			if p.Total != 0 || len(p.Articles) != 0 {
				t.Errorf("tenant A listing B's column got %v (total %d), want nothing", titles(p.Articles), p.Total)
			}
		})
		t.Run("ColumnByID", func(t *testing.T) {
			_, err := f.content.ColumnByID(ctx, a.ID, colB.ID)
			wantCode(t, err, core.ENOTFOUND)
		})
		t.Run("SaveDraft into another tenant's column", func(t *testing.T) {
			n := f.countArticles(t)
			x := &content.Article{TenantID: a.ID, ColumnID: colB.ID, Title: "越权文章", Body: "<p>x</p>"}
			wantCode(t, f.content.SaveDraft(ctx, db, x), core.EINVALID)
			if got := f.countArticles(t); got != n {
				t.Errorf("articles = %d after a rejected draft, want %d", got, n)
			}
		})
		t.Run("Latest and counts", func(t *testing.T) {
			as, err := f.content.Latest(ctx, a.ID, 10)
			must(t, err)
			if got := titles(as); !slices.Equal(got, []string{"教育局文章"}) {
				t.Errorf("Latest(A) = %v, want only A's article", got)
			}
			counts, err := f.content.ArticleCounts(ctx, a.ID)
			must(t, err)
			if len(counts) != 1 || counts[colA.ID] != 1 {
				t.Errorf("ArticleCounts(A) = %v, want {%d: 1}", counts, colA.ID)
			}
		})
	})
}

func TestDraftsAreNeverShown(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		tn := f.tenant(t, "jyj")
		gzdt := f.column(t, tn.ID, "gzdt")
		pub := f.publish(t, gzdt, "已发布")
		draft := f.draft(t, gzdt, "草稿")
		onlyDrafts := f.column(t, tn.ID, "tzgg")
		f.draft(t, onlyDrafts, "通知草稿")

		for _, tc := range []struct {
			name  string
			check func(t *testing.T)
		}{
			{"Article", func(t *testing.T) {
				_, err := f.content.Article(ctx, tn.ID, draft.ID)
				wantCode(t, err, core.ENOTFOUND)
			}},
			{"ListPublished", func(t *testing.T) {
				p, err := f.content.ListPublished(ctx, tn.ID, gzdt.ID, 1, 20)
				must(t, err)
				if p.Total != 1 || len(p.Articles) != 1 || p.Articles[0].ID != pub.ID {
					t.Errorf("listed %v (total %d), want only the published article", titles(p.Articles), p.Total)
				}
			}},
			{"Latest", func(t *testing.T) {
				as, err := f.content.Latest(ctx, tn.ID, 10)
				must(t, err)
				if got := titles(as); !slices.Equal(got, []string{"已发布"}) {
					t.Errorf("Latest = %v, want [已发布]", got)
				}
			}},
			{"LatestByColumn", func(t *testing.T) {
				m, err := f.content.LatestByColumn(ctx, tn.ID, 8)
				must(t, err)
				if got := titles(m[gzdt.ID]); !slices.Equal(got, []string{"已发布"}) {
					t.Errorf("LatestByColumn[gzdt] = %v, want [已发布]", got)
				}
				if got := m[onlyDrafts.ID]; len(got) != 0 {
					t.Errorf("LatestByColumn[tzgg] = %v, want nothing", titles(got))
				}
			}},
			{"ArticleCounts", func(t *testing.T) {
				counts, err := f.content.ArticleCounts(ctx, tn.ID)
				must(t, err)
				if counts[gzdt.ID] != 1 || counts[onlyDrafts.ID] != 0 {
					t.Errorf("ArticleCounts = %v, want gzdt 1 and tzgg 0", counts)
				}
			}},
		} {
			t.Run(tc.name, tc.check)
		}
	})
}

func TestSaveDraftValidatesAndSanitizes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		tn := f.tenant(t, "jyj")
		gzdt := f.column(t, tn.ID, "gzdt")

		for _, tc := range []struct {
			name    string
			title   string
			summary string
			code    string // "" when the draft is saved
		}{
			{"empty title", "", "", core.EINVALID},
			{"blank title", " \t　", "", core.EINVALID}, // ideographic space too
			{"200-character title", strings.Repeat("题", 200), "", ""},
			{"201-character title", strings.Repeat("题", 201), "", core.EINVALID},
			{"500-character summary", "标题", strings.Repeat("摘", 500), ""},
			{"501-character summary", "标题", strings.Repeat("摘", 501), core.EINVALID},
		} {
			t.Run(tc.name, func(t *testing.T) {
				n := f.countArticles(t)
				a := &content.Article{TenantID: tn.ID, ColumnID: gzdt.ID, Title: tc.title, Summary: tc.summary, Body: "<p>正文</p>"}
				err := f.content.SaveDraft(ctx, db, a)
				if tc.code == "" {
					must(t, err)
					if a.ID == 0 || a.Status != content.Draft {
						t.Errorf("saved draft id %d status %s, want an id and draft", a.ID, a.Status)
					}
					return
				}
				wantCode(t, err, tc.code)
				if got := f.countArticles(t); got != n {
					t.Errorf("articles = %d after a rejected draft, want %d", got, n)
				}
			})
		}

		t.Run("the body is stored sanitized", func(t *testing.T) {
			a := &content.Article{TenantID: tn.ID, ColumnID: gzdt.ID, Title: "带脚本的正文",
				Body: `<p onclick="steal()">通知</p><script>alert(1)</script><a href="javascript:alert(2)">点此</a>`}
			must(t, f.content.SaveDraft(ctx, db, a))
			var body string
			must(t, db.GetContext(ctx, &body, `SELECT body FROM articles WHERE id = ?`, a.ID))
			for _, bad := range []string{"<script", "alert(1)", "onclick", "javascript:"} {
				if strings.Contains(body, bad) {
					t.Errorf("stored body %q contains %q", body, bad)
				}
			}
			if !strings.Contains(body, "<p>通知</p>") {
				t.Errorf("stored body %q lost the paragraph", body)
			}
			if body != a.Body {
				t.Errorf("a.Body = %q, want the stored %q", a.Body, body)
			}
		})
	})
}

func TestListPublishedPagesNewestFirst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		tn := f.tenant(t, "jyj")
		gzdt := f.column(t, tn.ID, "gzdt")
		ids := f.publishMany(t, gzdt, "动态", 45)
		f.publishMany(t, f.column(t, tn.ID, "tzgg"), "公告", 3) // another column, not listed

		var seen []int64
		for _, tc := range []struct {
			number, want int
		}{
			{1, 20}, {2, 20}, {3, 5}, {4, 0},
		} {
			t.Run(fmt.Sprintf("page %d", tc.number), func(t *testing.T) {
				p, err := f.content.ListPublished(ctx, tn.ID, gzdt.ID, tc.number, 20)
				must(t, err)
				if len(p.Articles) != tc.want || p.Total != 45 || p.Pages() != 3 || p.Number != tc.number || p.Size != 20 {
					t.Errorf("page %d: %d articles, total %d, pages %d, number %d, size %d; want %d, 45, 3, %d, 20",
						tc.number, len(p.Articles), p.Total, p.Pages(), p.Number, p.Size, tc.want, tc.number)
				}
				for _, a := range p.Articles {
					if a.ColumnID != gzdt.ID || a.Status != content.Published {
						t.Errorf("listed %q of column %d status %s", a.Title, a.ColumnID, a.Status)
					}
					seen = append(seen, a.ID)
				}
			})
		}

		want := slices.Clone(ids)
		slices.Reverse(want) // published oldest first, listed newest first
		if !slices.Equal(seen, want) {
			t.Errorf("pages together list ids %v, want %v", seen, want)
		}

		t.Run("out-of-range arguments fall back", func(t *testing.T) {
			for _, tc := range []struct {
				number, size         int
				wantNumber, wantSize int
			}{
				{0, 20, 1, 20},
				{-3, 20, 1, 20},
				{1, 0, 1, 20},
				{1, 101, 1, 20},
				{1, 100, 1, 100},
			} {
				p, err := f.content.ListPublished(ctx, tn.ID, gzdt.ID, tc.number, tc.size)
				must(t, err)
				if p.Number != tc.wantNumber || p.Size != tc.wantSize || len(p.Articles) != min(tc.wantSize, 45) {
					t.Errorf("ListPublished(%d, %d) = page %d size %d with %d articles, want page %d size %d",
						tc.number, tc.size, p.Number, p.Size, len(p.Articles), tc.wantNumber, tc.wantSize)
				}
			}
		})
	})
}

func TestPagesOfAnEmptyColumnIsOne(t *testing.T) {
	for _, tc := range []struct {
		total, size, want int
	}{
		{0, 20, 1}, {1, 20, 1}, {20, 20, 1}, {21, 20, 2}, {45, 20, 3}, {45, 0, 1},
	} {
		p := &content.Page{Total: tc.total, Size: tc.size}
		if got := p.Pages(); got != tc.want {
			t.Errorf("Pages() of %d by %d = %d, want %d", tc.total, tc.size, got, tc.want)
		}
	}
}

func TestLatestByColumnCapsEachColumn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		tn := f.tenant(t, "jyj")
		gzdt, tzgg, zcwj := f.column(t, tn.ID, "gzdt"), f.column(t, tn.ID, "tzgg"), f.column(t, tn.ID, "zcwj")
		f.publishMany(t, gzdt, "动态", 5)
		f.publishMany(t, tzgg, "公告", 2)

		m, err := f.content.LatestByColumn(ctx, tn.ID, 3)
		must(t, err)
		for _, tc := range []struct {
			col  *content.Column
			want []string
		}{
			{gzdt, []string{"动态 5", "动态 4", "动态 3"}},
			{tzgg, []string{"公告 2", "公告 1"}},
			{zcwj, nil},
		} {
			if got := titles(m[tc.col.ID]); !slices.Equal(got, tc.want) {
				t.Errorf("LatestByColumn[%s] = %v, want %v", tc.col.Slug, got, tc.want)
			}
		}

		latest, err := f.content.Latest(ctx, tn.ID, 4)
		must(t, err)
		if got, want := titles(latest), []string{"公告 2", "公告 1", "动态 5", "动态 4"}; !slices.Equal(got, want) {
			t.Errorf("Latest(4) = %v, want %v", got, want)
		}
	})
}

func TestLatestByColumnKeepsQuietColumnsBehindBusyOnes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		tn := f.tenant(t, "jyj")
		zcwj, gzdt := f.column(t, tn.ID, "zcwj"), f.column(t, tn.ID, "gzdt")
		f.publishMany(t, zcwj, "政策", 2)   // a quiet column, published long ago …
		f.publishMany(t, gzdt, "动态", 600) // … then a busy one
		m, err := f.content.LatestByColumn(ctx, tn.ID, 8)
		must(t, err)
		if got, want := titles(m[zcwj.ID]), []string{"政策 2", "政策 1"}; !slices.Equal(got, want) {
			t.Errorf("LatestByColumn[zcwj] = %v, want %v: the home page would show the column empty", got, want)
		}
		if got := titles(m[gzdt.ID]); len(got) != 8 || got[0] != "动态 600" || got[7] != "动态 593" {
			t.Errorf("LatestByColumn[gzdt] = %v, want 动态 600 … 动态 593", got)
		}
	})
}

func TestArticleCountsCountsPublishedPerColumn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		tn := f.tenant(t, "jyj")
		gzdt, tzgg := f.column(t, tn.ID, "gzdt"), f.column(t, tn.ID, "tzgg")
		f.publishMany(t, gzdt, "动态", 4)
		f.publishMany(t, tzgg, "公告", 1)
		f.draft(t, tzgg, "草稿")
		counts, err := f.content.ArticleCounts(ctx, tn.ID)
		must(t, err)
		if want := map[int64]int{gzdt.ID: 4, tzgg.ID: 1}; !maps.Equal(counts, want) {
			t.Errorf("ArticleCounts = %v, want %v", counts, want)
		}
	})
}

func BenchmarkListPublished(b *testing.B) {
	ctx := context.Background()
	f := newFixture(b, storetest.SQLite(b))
	tn := f.tenant(b, "jyj")
	gzdt := f.column(b, tn.ID, "gzdt")
	f.publishMany(b, gzdt, "动态", 200)
	b.ReportAllocs()
	for b.Loop() {
		p, err := f.content.ListPublished(ctx, tn.ID, gzdt.ID, 1, 20)
		if err != nil {
			b.Fatal(err)
		}
		if len(p.Articles) != 20 {
			b.Fatalf("listed %d articles, want 20", len(p.Articles))
		}
	}
}
