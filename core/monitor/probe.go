package monitor

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"time"

	"yiwang/core/store"
	"yiwang/tenants"
)

// Availability: every site's home page is asked for about 20 times a day
// from inside the platform, through the host's own handler (the
// application and its database, what a site's failure usually is); an
// outside prober covers the network by reading /healthz/sites. A probe
// that fails or takes SlowAfter or longer counts against the site, and a
// week with 5% or more of them is a veto.

// Probe timing.
const (
	ProbeEvery = 72 * time.Minute // 20 a day
	SlowAfter  = 15 * time.Second
	probeLease = 5 * time.Minute
)

// AvailabilityVeto is the share of bad probes in a week that fails a site.
const AvailabilityVeto = 0.05

// Prober probes every active site's home page.
type Prober struct {
	DB      *store.DB
	Tenants *tenants.Store
	Handler http.Handler
	// Target is the host and path of a site's home page.
	Target func(t *tenants.Tenant) (host, path string)
	Holder string // this process, for the lease
	Every  time.Duration
	Slow   time.Duration
	Log    *slog.Logger
}

func (p *Prober) every() time.Duration {
	if p.Every <= 0 {
		return ProbeEvery
	}
	return p.Every
}

// Run probes every Every while it holds the lease, until ctx ends: one
// process of a cluster probes, whichever holds it.
func (p *Prober) Run(ctx context.Context) {
	every := p.every()
	t := time.NewTimer(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if held, err := p.Lease(ctx); err != nil && ctx.Err() == nil {
			p.Log.Warn("monitor: probe lease", "err", err)
		} else if held {
			if _, err := p.Round(ctx); err != nil && ctx.Err() == nil {
				p.Log.Warn("monitor: probes", "err", err)
			}
		}
		t.Reset(every)
	}
}

// Lease takes or renews the probing lease.
func (p *Prober) Lease(ctx context.Context) (bool, error) {
	return TakeLease(ctx, p.DB, "monitor.probe", p.Holder, p.every()+probeLease)
}

// TakeLease takes or renews the lease name for holder for ttl: a row of
// search_lease, which holds the cluster's single-runner jobs. False when
// another holder has it.
func TakeLease(ctx context.Context, db *store.DB, name, holder string, ttl time.Duration) (bool, error) {
	now := store.Now()
	res, err := db.ExecContext(ctx, `UPDATE search_lease SET holder = ?, expires_at = ? WHERE name = ? AND (holder = ? OR expires_at < ?)`,
		holder, now.Add(ttl), name, holder, now)
	if err != nil {
		return false, fmt.Errorf("lease %s: %w", name, err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return true, nil
	}
	_, err = db.ExecContext(ctx, `INSERT INTO search_lease (name, holder, expires_at) VALUES (?, ?, ?)`, name, holder, now.Add(ttl))
	switch {
	case err == nil:
		return true, nil
	case store.IsUniqueViolation(err):
		return false, nil
	}
	return false, fmt.Errorf("lease %s: %w", name, err)
}

// Round probes every active site once and records the results; it
// returns how many probes failed.
func (p *Prober) Round(ctx context.Context) (int, error) {
	ts, err := p.Tenants.List(ctx)
	if err != nil {
		return 0, fmt.Errorf("probe: sites: %w", err)
	}
	slow := p.Slow
	if slow <= 0 {
		slow = SlowAfter
	}
	bad := 0
	for _, t := range ts {
		if t.Status != tenants.Active {
			continue
		}
		r := p.probe(ctx, t, slow)
		if !r.ok {
			bad++
		}
		if _, err := p.DB.ExecContext(ctx, `INSERT INTO monitor_probes (tenant_id, at, ok, status, millis, error) VALUES (?, ?, ?, ?, ?, ?)`,
			t.ID, store.Now(), boolInt(r.ok), r.status, r.took.Milliseconds(), r.err); err != nil {
			return bad, fmt.Errorf("probe: record %s: %w", t.Code, err)
		}
	}
	// A year of probes is plenty for every report.
	if _, err := p.DB.ExecContext(ctx, `DELETE FROM monitor_probes WHERE at < ?`, store.Now().AddDate(-1, 0, 0)); err != nil {
		return bad, fmt.Errorf("probe: prune: %w", err)
	}
	return bad, nil
}

type probeResult struct {
	ok     bool
	status int
	took   time.Duration
	err    string
}

// probe asks for one home page, giving up at slow: a page that slow has
// failed its visitors whatever it answers later.
func (p *Prober) probe(ctx context.Context, t *tenants.Tenant, slow time.Duration) probeResult {
	host, path := p.Target(t)
	ctx, cancel := context.WithTimeout(ctx, slow)
	defer cancel()
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, path, nil)
	req.Host = host
	req.RemoteAddr = "127.0.0.1:0"
	req.Header.Set("User-Agent", "yiwang-monitor")
	rec := httptest.NewRecorder()
	start := time.Now()
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if v := recover(); v != nil {
				rec.Code = http.StatusInternalServerError
			}
		}()
		p.Handler.ServeHTTP(rec, req)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		return probeResult{took: time.Since(start), err: fmt.Sprintf("超过 %d 秒未响应", int(slow.Seconds()))}
	}
	took := time.Since(start)
	r := probeResult{status: rec.Code, took: took, ok: rec.Code < 400 && took < slow}
	if !r.ok {
		r.err = fmt.Sprintf("HTTP %d", rec.Code)
	}
	return r
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Availability is a site's probes over a period.
type Availability struct {
	TenantID int64      `db:"tenant_id"`
	Total    int        `db:"total"`
	Bad      int        `db:"bad"`
	Last     *time.Time `db:"-"`
	LastOK   bool       `db:"-"`
}

// Share is the share of bad probes.
func (a Availability) Share() float64 {
	if a.Total == 0 {
		return 0
	}
	return float64(a.Bad) / float64(a.Total)
}

// Availability returns each site's probes since since.
func (s *Store) Availability(ctx context.Context, since time.Time) (map[int64]Availability, error) {
	var rows []Availability
	if err := s.db.SelectContext(ctx, &rows, `SELECT tenant_id, COUNT(*) AS total, COALESCE(SUM(1 - ok), 0) AS bad
		FROM monitor_probes WHERE at >= ? GROUP BY tenant_id`, since.UTC()); err != nil {
		return nil, fmt.Errorf("availability: %w", err)
	}
	out := make(map[int64]Availability, len(rows))
	for _, r := range rows {
		out[r.TenantID] = r
	}
	var last []struct {
		TenantID int64     `db:"tenant_id"`
		At       time.Time `db:"at"`
		OK       int       `db:"ok"`
	}
	if err := s.db.SelectContext(ctx, &last, `SELECT tenant_id, at, ok FROM (SELECT tenant_id, at, ok,
		ROW_NUMBER() OVER (PARTITION BY tenant_id ORDER BY at DESC, id DESC) AS rn FROM monitor_probes WHERE at >= ?) p WHERE rn = 1`, since.UTC()); err != nil {
		return nil, fmt.Errorf("availability: %w", err)
	}
	for _, l := range last {
		a := out[l.TenantID]
		at := l.At
		a.Last, a.LastOK = &at, l.OK == 1
		out[l.TenantID] = a
	}
	return out, nil
}
