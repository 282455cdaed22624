package sdk

import (
	"net/http"
	"slices"
)

// Router is a module's handler that can say which route patterns it
// serves. The host's isolation walk asks every module for them, so that a
// route a module adds is walked by anonymous visitors, citizens and
// another tenant's staff without anyone keeping a list by hand.
type Router interface {
	Routes() []string
}

// Mux is a module's route table: an http.ServeMux (Go 1.22 patterns)
// that remembers the patterns it was given, in order.
type Mux struct {
	*http.ServeMux
	patterns []string
}

var _ Router = (*Mux)(nil)

// NewMux returns an empty route table.
func NewMux() *Mux { return &Mux{ServeMux: http.NewServeMux()} }

// Handle registers h for pattern, as http.ServeMux does.
func (m *Mux) Handle(pattern string, h http.Handler) {
	m.ServeMux.Handle(pattern, h)
	m.patterns = append(m.patterns, pattern)
}

// HandleFunc registers f for pattern, as http.ServeMux does.
func (m *Mux) HandleFunc(pattern string, f func(http.ResponseWriter, *http.Request)) {
	m.Handle(pattern, http.HandlerFunc(f))
}

// Routes returns the patterns in the order they were registered.
func (m *Mux) Routes() []string { return slices.Clone(m.patterns) }
