package webtest

import (
	"context"
	"testing"

	"yiwang/core/calendar"
	"yiwang/core/certs"
	"yiwang/core/search"
)

// EnableOptionalRooms turns on the rooms a server may run beside sign-on:
// the search, calendar, certificate and supervision consoles.
func EnableOptionalRooms(t *testing.T, e *SSOEnv) {
	t.Helper()
	idx, err := search.NewMemBleve("")
	Must(t, err)
	t.Cleanup(func() { idx.Close() })
	e.Srv.EnableSearchConsole(idx, "bleve:memory", nil)
	e.Srv.EnableCalendar(calendar.NewStore(e.DB))
	e.Srv.EnableCertsConsole(func(ctx context.Context) ([]certs.Certificate, error) { return nil, nil }, false)
	e.Srv.EnableSupervision(FixedFigures{TS: e.TS})
}
