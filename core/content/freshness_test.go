package content_test

import (
	"context"
	"testing"
	"time"

	"yiwang/core/content"
	"yiwang/core/store"
	"yiwang/core/store/storetest"
)

func TestFreshness(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		a, b := f.tenant(t, "aaa"), f.tenant(t, "bbb")
		old := f.publish(t, f.column(t, a.ID, "gzdt"), "旧动态")
		newer := f.publish(t, f.column(t, a.ID, "gzdt"), "新动态")
		f.publish(t, f.column(t, a.ID, "tzgg"), "通知")
		f.draft(t, f.column(t, b.ID, "gzdt"), "草稿不算")
		// Back-date the older article by 40 days, the notice by 200.
		past := func(id int64, days int) {
			t.Helper()
			if _, err := db.Exec(`UPDATE articles SET published_at = ? WHERE id = ?`, store.Now().AddDate(0, 0, -days), id); err != nil {
				t.Fatal(err)
			}
		}
		past(old.ID, 40)
		var notice int64
		must(t, db.Get(&notice, `SELECT id FROM articles WHERE title = '通知'`))
		past(notice, 200)

		fs, err := f.content.Freshness(ctx, time.Now().AddDate(0, 0, -30))
		must(t, err)
		got := map[string]content.Freshness{}
		for _, x := range fs {
			if x.TenantID == a.ID || x.TenantID == b.ID {
				got[x.Slug+"@"+map[int64]string{a.ID: "a", b.ID: "b"}[x.TenantID]] = x
			}
		}
		if len(got) != 2 {
			t.Fatalf("freshness rows %+v, want a's gzdt and tzgg only", got)
		}
		g := got["gzdt@a"]
		if g.Last == nil || time.Since(*g.Last) > time.Hour || g.Recent != 1 {
			t.Errorf("a's gzdt: %+v (newest should be %d, published now; one in 30 days)", g, newer.ID)
		}
		n := got["tzgg@a"]
		if n.Last == nil || time.Since(*n.Last) < 199*24*time.Hour || n.Recent != 0 {
			t.Errorf("a's tzgg: %+v", n)
		}
	})
}
