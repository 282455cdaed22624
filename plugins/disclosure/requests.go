package disclosure

import (
	"context"
	"net/http"
	"time"

	"yiwang/plugins/sdk"
)

// requestRoutes registers the request pages: applying and following a
// request (/disclosure/apply, /disclosure/my/…) and the staff console
// (/admin/disclosure/requests/…).
func (h *Handler) requestRoutes(m *http.ServeMux) {}

// tickRequests reminds and escalates requests near or past their
// deadline and closes corrections that lapsed.
func (h *Handler) tickRequests(ctx context.Context, at time.Time) ([]string, error) { return nil, nil }

// requestStats are the requests' figures for the supervision page.
func (h *Handler) requestStats(ctx context.Context, tenantID int64, from, to time.Time) ([]sdk.Stat, error) {
	return nil, nil
}
