package content

import (
	"context"
	"fmt"
	"time"
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
func (s *Store) Freshness(ctx context.Context, since time.Time) ([]Freshness, error) {
	// The newest article per column, read as a row (not an aggregate), so
	// that both databases hand its time back as a time.
	var last []Freshness
	if err := s.db.SelectContext(ctx, &last, `SELECT tenant_id, slug, published_at, 0 AS recent FROM (
		SELECT a.tenant_id, c.slug, a.published_at,
			ROW_NUMBER() OVER (PARTITION BY a.tenant_id, a.column_id ORDER BY a.published_at DESC, a.id DESC) AS rn
		FROM articles a JOIN site_columns c ON c.id = a.column_id
		WHERE a.status = 'published' AND a.published_at IS NOT NULL) newest
		WHERE rn = 1`); err != nil {
		return nil, fmt.Errorf("column freshness: %w", err)
	}
	var recent []struct {
		TenantID int64  `db:"tenant_id"`
		Slug     string `db:"slug"`
		N        int    `db:"n"`
	}
	if err := s.db.SelectContext(ctx, &recent, `SELECT a.tenant_id, c.slug, COUNT(*) AS n
		FROM articles a JOIN site_columns c ON c.id = a.column_id
		WHERE a.status = 'published' AND a.published_at >= ? GROUP BY a.tenant_id, c.slug`, since.UTC()); err != nil {
		return nil, fmt.Errorf("column freshness: %w", err)
	}
	type key struct {
		t int64
		s string
	}
	at := make(map[key]int, len(last))
	for i, f := range last {
		at[key{f.TenantID, f.Slug}] = i
	}
	for _, r := range recent {
		if i, ok := at[key{r.TenantID, r.Slug}]; ok {
			last[i].Recent = r.N
		}
	}
	return last, nil
}
