package topics

import (
	"context"
	"fmt"
	"time"

	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/sqldb"
)

// Configure seeds demo topics, when the platform runs with demo content,
// for each enabling tenant that has never had them and has no topic of
// its own.
func (h *Handler) Configure(ctx context.Context, tenants []sdk.TenantConfig) error {
	if !h.env.Demo {
		return nil
	}
	for _, tc := range tenants {
		t := tc.Tenant
		n, err := h.seedDemo(ctx, &t)
		if err != nil {
			return fmt.Errorf("demo topics of %s: %w", t.Code, err)
		}
		if n > 0 {
			h.env.Log.Info("demo topics written", "tenant", t.Code, "topics", n)
		}
	}
	return nil
}

func (h *Handler) seedDemo(ctx context.Context, t *sdk.Tenant) (int, error) {
	var written []*Topic
	err := h.env.DB.Tx(ctx, t.ID, func(db *sdk.Scope) error {
		written = nil // Tx may run this again after a conflict
		var seeded, existing int
		if err := db.Get(ctx, &seeded, `SELECT COUNT(*) FROM topics_demo_seeded WHERE tenant_id = :tenant_id`, nil); err != nil {
			return err
		}
		if err := db.Get(ctx, &existing, `SELECT COUNT(*) FROM topics WHERE tenant_id = :tenant_id`, nil); err != nil {
			return err
		}
		if seeded > 0 || existing > 0 {
			return nil
		}
		for i, d := range demoTopicsFor(t) {
			tp := &Topic{Title: d.title, BannerURL: d.banner, Intro: d.intro, Status: d.status, Sort: (i + 1) * 10, Demo: true,
				UpdatedBy: "system:demo"}
			if err := createTopic(ctx, db, tp); err != nil {
				return err
			}
			for _, s := range d.sections {
				s := s
				s.TopicID = tp.ID
				if err := createSection(ctx, db, &s); err != nil {
					return err
				}
			}
			written = append(written, tp)
		}
		_, err := db.Exec(ctx, `INSERT INTO topics_demo_seeded (tenant_id, seeded_at) VALUES (:tenant_id, :at)`, sdk.Args{"at": sqldb.Now()})
		return err
	})
	if err != nil {
		return 0, err
	}
	for _, tp := range written {
		h.syncIndex(ctx, tp)
	}
	return len(written), nil
}

// Reindex emits the document of every published topic of a tenant (0:
// of every enabling tenant).
func (h *Handler) Reindex(ctx context.Context, tenantID int64, emit func(sdk.Document) error) error {
	ids := []int64{tenantID}
	if tenantID == 0 {
		ids = ids[:0]
		for _, tc := range h.env.Tenants() {
			ids = append(ids, tc.Tenant.ID)
		}
	}
	for _, id := range ids {
		db := h.env.DB.Tenant(id)
		ts, err := listTopics(ctx, db, Published)
		if err != nil {
			return err
		}
		for _, t := range ts {
			d, err := h.document(ctx, db, t)
			if err != nil {
				return err
			}
			if err := emit(d); err != nil {
				return err
			}
		}
	}
	return nil
}

// Stats reports, for the supervision dashboard, the topics a tenant
// published and updated in a period and how many it has online.
func (h *Handler) Stats(ctx context.Context, tenantID int64, from, to time.Time) ([]sdk.Stat, error) {
	db := h.env.DB.Tenant(tenantID)
	var published, updated, online int
	args := sdk.Args{"from": from.UTC(), "to": to.UTC()}
	if err := db.Get(ctx, &published, `SELECT COUNT(*) FROM topics WHERE tenant_id = :tenant_id AND demo = 0
		AND published_at >= :from AND published_at < :to`, args); err != nil {
		return nil, err
	}
	if err := db.Get(ctx, &updated, `SELECT COUNT(*) FROM topics WHERE tenant_id = :tenant_id AND demo = 0
		AND updated_at >= :from AND updated_at < :to`, args); err != nil {
		return nil, err
	}
	if err := db.Get(ctx, &online, `SELECT COUNT(*) FROM topics WHERE tenant_id = :tenant_id AND status = 'published'`, nil); err != nil {
		return nil, err
	}
	return []sdk.Stat{
		{Name: "published", Title: "新发布专题", Value: float64(published), Unit: "个"},
		{Name: "updated", Title: "更新专题", Value: float64(updated), Unit: "个"},
		{Name: "online", Title: "在线专题", Value: float64(online), Unit: "个"},
	}, nil
}
