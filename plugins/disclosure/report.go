package disclosure

import "net/http"

// reportRoutes registers the annual reports: /disclosure/reports/… and
// the staff's /admin/disclosure/reports/….
func (h *Handler) reportRoutes(m *http.ServeMux) {}
