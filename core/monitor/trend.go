package monitor

import (
	"context"
	"fmt"
	"time"
)

// TrendWeeks is how many weeks the dashboard's small charts cover.
const TrendWeeks = 8

// WeeklyPublished counts each tenant's published articles in each of the
// weeks weeks before now, oldest first: week weeks-1 ends at now. Only the
// rows of those weeks are read, tenant by tenant through the (tenant,
// status, published_at) index, and bucketed here, since the two databases
// spell date arithmetic differently.
func (s *Store) WeeklyPublished(ctx context.Context, now time.Time, weeks int) (map[int64][]int, error) {
	from := now.AddDate(0, 0, -7*weeks)
	rows, err := s.db.QueryxContext(ctx, `SELECT a.tenant_id, a.published_at FROM tenants t
		JOIN articles a ON a.tenant_id = t.id AND a.status = 'published' AND a.published_at >= ? AND a.published_at < ?`, from.UTC(), now.UTC())
	if err != nil {
		return nil, fmt.Errorf("weekly published: %w", err)
	}
	defer rows.Close()
	out := map[int64][]int{}
	for rows.Next() {
		var id int64
		var at time.Time
		if err := rows.Scan(&id, &at); err != nil {
			return nil, fmt.Errorf("weekly published: %w", err)
		}
		w := int(at.Sub(from) / (7 * 24 * time.Hour))
		if w < 0 || w >= weeks {
			continue
		}
		if out[id] == nil {
			out[id] = make([]int, weeks)
		}
		out[id][w]++
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("weekly published: %w", err)
	}
	return out, nil
}

// OnTime is how many letters and requests a tenant closed in a period and
// how many of them within their deadline.
type OnTime struct {
	Closed, InTime int
}

// Share is the part closed in time, 0 to 1; 1 when nothing was closed.
func (o OnTime) Share() float64 {
	if o.Closed == 0 {
		return 1
	}
	return float64(o.InTime) / float64(o.Closed)
}

// onTimeStats are the modules' figures that say what was closed and what
// of it in time (the mailbox's letters, disclosure's requests).
var onTimeStats = [][2]string{
	{"closed", "closed_on_time"},
	{"requests_answered", "requests_on_time"},
}

// AddOnTime adds one module's figures of a tenant to o.
func (o *OnTime) AddOnTime(values map[string]float64) {
	for _, s := range onTimeStats {
		o.Closed += int(values[s[0]])
		o.InTime += int(values[s[1]])
	}
}
