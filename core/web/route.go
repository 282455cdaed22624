package web

import (
	"context"
	"net/http"
)

// RouteLabel is filled in while a request is served: the tenant and the
// route pattern that answered it. Metrics count by these, never by raw
// paths or hosts, whose number has no bound.
type RouteLabel struct {
	Tenant  string // tenant code, "" before a site is resolved
	Pattern string // the route pattern ("GET /art/{id}"), "" when none matched
}

type routeLabelKey struct{}

// WithRouteLabel gives r a label the server fills in as it routes.
func WithRouteLabel(r *http.Request) (*http.Request, *RouteLabel) {
	l := &RouteLabel{}
	return r.WithContext(context.WithValue(r.Context(), routeLabelKey{}, l)), l
}

func routeLabelOf(r *http.Request) *RouteLabel {
	l, _ := r.Context().Value(routeLabelKey{}).(*RouteLabel)
	return l
}
