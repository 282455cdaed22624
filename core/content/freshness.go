package content

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// Freshness is how recently a column of a site was updated: the newest
// published article and how many were published since a date.
type Freshness struct {
	TenantID int64      `db:"tenant_id"`
	Slug     string     `db:"slug"`
	Last     *time.Time `db:"published_at"`
	Recent   int        `db:"recent"`
}

// FreshnessRule is a column the county office watches and how long it
// may go without a new article.
type FreshnessRule struct {
	Slug, Name string
	Days       int
}

// FreshnessRules are the platform's monitoring thresholds for the
// standard template's columns: the news column two weeks, notices and
// policy documents six months. Other columns are not watched.
var FreshnessRules = []FreshnessRule{
	{"gzdt", "工作动态", 14},
	{"tzgg", "通知公告", 180},
	{"zcwj", "政策文件", 180},
}

// Freshness returns, for every site and column with a published article,
// the newest one's time and how many were published since since.
//
// Each column is answered from the (tenant, column, status, published_at)
// index: its newest article's id and its count since the date are probes
// of that index, never a pass over the county's articles. The times are
// then read by id, as rows, so that both databases hand them back as
// times (an aggregate's or a subquery's value comes back as text on
// SQLite).
func (s *Store) Freshness(ctx context.Context, since time.Time) ([]Freshness, error) {
	var cols []struct {
		TenantID int64  `db:"tenant_id"`
		Slug     string `db:"slug"`
		Newest   *int64 `db:"newest"`
		Recent   int    `db:"recent"`
	}
	if err := s.db.SelectContext(ctx, &cols, `SELECT c.tenant_id, c.slug,
		(SELECT a.id FROM articles a WHERE a.tenant_id = c.tenant_id AND a.column_id = c.id AND a.status = 'published'
			AND a.published_at IS NOT NULL ORDER BY a.published_at DESC, a.id DESC LIMIT 1) AS newest,
		(SELECT COUNT(*) FROM articles a WHERE a.tenant_id = c.tenant_id AND a.column_id = c.id AND a.status = 'published'
			AND a.published_at >= ?) AS recent
		FROM site_columns c ORDER BY c.tenant_id, c.id`, since.UTC()); err != nil {
		return nil, fmt.Errorf("column freshness: %w", err)
	}
	var out []Freshness
	at := map[int64]int{} // article id → its column's place in out
	var ids []int64
	for _, c := range cols {
		if c.Newest == nil {
			continue
		}
		at[*c.Newest] = len(out)
		ids = append(ids, *c.Newest)
		out = append(out, Freshness{TenantID: c.TenantID, Slug: c.Slug, Recent: c.Recent})
	}
	const chunk = 500
	for len(ids) > 0 {
		n := min(chunk, len(ids))
		q, args, err := sqlx.In(`SELECT id, published_at FROM articles WHERE id IN (?)`, ids[:n])
		if err != nil {
			return nil, fmt.Errorf("column freshness: %w", err)
		}
		var times []struct {
			ID int64     `db:"id"`
			At time.Time `db:"published_at"`
		}
		if err := s.db.SelectContext(ctx, &times, s.db.Rebind(q), args...); err != nil {
			return nil, fmt.Errorf("column freshness: %w", err)
		}
		for _, t := range times {
			tt := t.At
			out[at[t.ID]].Last = &tt
		}
		ids = ids[n:]
	}
	return out, nil
}
