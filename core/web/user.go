package web

import (
	"context"
	"net/http"

	"yiwang/sso"
	"yiwang/tenants"
)

// The signed-in person and the form token of a request, which sign-on
// (core/web/account) puts in it and everyone else reads: the layout, the
// page cache, the plugin host.

type userKey struct{}

// WithUser is r with its signed-in person, for the sign-on's session
// middleware.
func WithUser(r *http.Request, u *sso.User) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), userKey{}, u))
}

// UserOf returns the signed-in person of a request, nil for nobody. Their
// staff roles count only when the sign-in passed a second factor: use
// RolesOf, or User.Roles, never Memberships, to decide what they may do.
func UserOf(r *http.Request) *sso.User {
	u, _ := r.Context().Value(userKey{}).(*sso.User)
	return u
}

// RolesOf returns the roles the request's user may use on the request's
// tenant: nil for nobody, [citizen] for anyone signed in, plus staff roles
// after a second factor. Only for requests routed through the site routes.
func RolesOf(r *http.Request) []tenants.Role {
	u := UserOf(r)
	if u == nil {
		return nil
	}
	return u.Roles(SiteOf(r).Tenant.ID)
}

// PermissionsOf maps the request's roles to the declared permissions they
// carry (tenants.PermissionsFor): what the plugin host passes a module.
func PermissionsOf(r *http.Request, declared []tenants.Permission) []string {
	return tenants.PermissionsFor(RolesOf(r), declared)
}

// CSRFFieldName is the form field forms must carry the token in.
const CSRFFieldName = "csrf"

type csrfKey struct{}

// WithCSRFToken is r with the source of its forms' token, for the
// sign-on's form check.
func WithCSRFToken(r *http.Request, token func(r *http.Request) string) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), csrfKey{}, token))
}

// CSRFToken returns the token a form on r's page must carry (for the
// plugin host to hand to modules that draw their own forms), "" without
// sign-on.
func CSRFToken(r *http.Request) string {
	if fn, ok := r.Context().Value(csrfKey{}).(func(r *http.Request) string); ok {
		return fn(r)
	}
	return ""
}
