package sdk_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"yiwang/plugins/sdk"
)

func TestMuxRemembersItsRoutesAndServesThem(t *testing.T) {
	m := sdk.NewMux()
	m.HandleFunc("GET /notes/{id}", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("note " + r.PathValue("id"))) })
	m.Handle("POST /notes/{$}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusCreated) }))

	if got, want := m.Routes(), []string{"GET /notes/{id}", "POST /notes/{$}"}; !slices.Equal(got, want) {
		t.Errorf("Routes() = %q, want %q", got, want)
	}
	rec := httptest.NewRecorder()
	m.ServeHTTP(rec, httptest.NewRequest("GET", "/notes/7", nil))
	if rec.Body.String() != "note 7" {
		t.Errorf("GET /notes/7 answered %q", rec.Body.String())
	}
	rec = httptest.NewRecorder()
	m.ServeHTTP(rec, httptest.NewRequest("POST", "/notes/", nil))
	if rec.Code != http.StatusCreated {
		t.Errorf("POST /notes/ answered %d", rec.Code)
	}
	routes := m.Routes()
	routes[0] = "changed"
	if m.Routes()[0] != "GET /notes/{id}" {
		t.Error("Routes() hands out the table itself")
	}
}
