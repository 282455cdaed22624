package sdk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strings"

	"yiwang/core"
	"yiwang/plugins/sdk/pb"
)

// reqInfo is what the host said about a request besides the request.
type reqInfo struct {
	tenant   *Tenant
	user     *User
	base     string
	csrf     string
	settings []byte
}

type reqKey struct{}

func infoOf(r *http.Request) *reqInfo {
	if v, ok := r.Context().Value(reqKey{}).(*reqInfo); ok {
		return v
	}
	return &reqInfo{base: "/"}
}

// TenantOf returns the tenant the request is for. Every query a handler
// makes must be scoped to it: use env.DB.Tenant(sdk.TenantOf(r).ID).
func TenantOf(r *http.Request) *Tenant { return infoOf(r).tenant }

// UserOf returns the signed-in user with their roles and permissions on
// the request's tenant, nil for an anonymous visitor.
func UserOf(r *http.Request) *User { return infoOf(r).user }

// Can reports whether the request's user holds permission perm on the
// request's tenant.
func Can(r *http.Request, perm string) bool { return infoOf(r).user.Can(perm) }

// Base returns the site's base URL for links on this page: "/",
// "/site/jyj/" or absolute.
func Base(r *http.Request) string { return infoOf(r).base }

// URL returns the link to path (relative to the site, "topics/12") as
// seen from this request.
func URL(r *http.Request, path string) string {
	return strings.TrimSuffix(Base(r), "/") + "/" + strings.TrimPrefix(path, "/")
}

// LoginURL is the platform's sign-in page, returning to this request's
// page afterwards: where a module sends an anonymous visitor who needs to
// sign in.
func LoginURL(r *http.Request) string {
	back := URL(r, strings.TrimPrefix(r.URL.RequestURI(), "/"))
	return URL(r, "account/login") + "?r=" + url.QueryEscape(back)
}

// CSRFToken returns the token every form must carry in a field named
// "csrf"; the host checks it before a POST reaches the module.
func CSRFToken(r *http.Request) string { return infoOf(r).csrf }

// Settings decodes the tenant's settings of this module into v.
func Settings(r *http.Request, v any) error {
	s := infoOf(r).settings
	if len(bytes.TrimSpace(s)) == 0 {
		return nil
	}
	if err := json.Unmarshal(s, v); err != nil {
		return fmt.Errorf("module settings of tenant %s: %w", TenantOf(r).Code, err)
	}
	return nil
}

// WithRequestInfo returns r carrying what the host would say: for tests
// that call a handler directly. Production requests get it from the host.
func WithRequestInfo(r *http.Request, t *Tenant, u *User, base, csrf string) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), reqKey{}, &reqInfo{tenant: t, user: u, base: base, csrf: csrf}))
}

// Crumb is one step of a breadcrumb trail after the site's own.
type Crumb struct{ Name, URL string }

// Fragment is a page body the host wraps in the tenant's layout.
type Fragment struct {
	Title  string
	Crumbs []Crumb
	// HTML is trusted as is: produce it with html/template, sanitize any
	// rich text in it (Sanitize).
	HTML template.HTML
	// Current is the Title of the module's navigation entry to mark as
	// the current page.
	Current string
	Status  int // 200 when 0
}

// Render answers with a page fragment. Headers set on w before (e.g.
// Cache-Control) go with it.
func Render(w http.ResponseWriter, f Fragment) {
	if rec := recorderOf(w); rec != nil {
		rec.frag = &f
		return
	}
	// Outside the SDK (a handler tested with httptest): the bare HTML.
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if f.Status != 0 {
		w.WriteHeader(f.Status)
	}
	_, _ = io.WriteString(w, string(f.HTML))
}

// Fail answers with the host's own error page for err: a *core.Error's
// code gives the status (not_found 404, forbidden 403, invalid 400 …) and
// its message is shown; any other error is a 503 that shows nothing of
// its detail.
func Fail(w http.ResponseWriter, err error) {
	var ce *core.Error
	if !errors.As(err, &ce) {
		ce = &core.Error{Code: core.EINTERNAL, Err: err}
	}
	if rec := recorderOf(w); rec != nil {
		rec.failure = ce
		return
	}
	http.Error(w, core.ErrorMessage(ce), core.HTTPStatus(ce.Code))
}

// Errorf builds a *core.Error whose message is shown to people.
func Errorf(code, format string, args ...any) error { return core.Errorf(code, format, args...) }

// Error codes, as core names them.
const (
	ENOTFOUND = core.ENOTFOUND
	EGONE     = core.EGONE
	EINVALID  = core.EINVALID
	ECONFLICT = core.ECONFLICT
	EFORBID   = core.EFORBID
	EUNAVAIL  = core.EUNAVAIL
	EINTERNAL = core.EINTERNAL
)

// recorder is the ResponseWriter a handler writes to inside the SDK.
type recorder struct {
	header  http.Header
	status  int
	body    bytes.Buffer
	frag    *Fragment
	failure *core.Error
}

func newRecorder() *recorder { return &recorder{header: http.Header{}} }

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

// recorderOf finds the SDK's recorder under any wrapping middleware that
// follows the Unwrap convention of http.ResponseController.
func recorderOf(w http.ResponseWriter) *recorder {
	for i := 0; i < 16 && w != nil; i++ {
		if rec, ok := w.(*recorder); ok {
			return rec
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return nil
		}
		w = u.Unwrap()
	}
	return nil
}

func (r *recorder) response() *pb.HandleResponse {
	switch {
	case r.failure != nil:
		return &pb.HandleResponse{Status: int32(core.HTTPStatus(r.failure.Code)), Body: &pb.HandleResponse_Failure{
			Failure: &pb.Failure{Code: r.failure.Code, Message: r.failure.Message}}}
	case r.frag != nil:
		st := r.frag.Status
		if st == 0 {
			st = http.StatusOK
		}
		f := &pb.Fragment{Title: r.frag.Title, Html: string(r.frag.HTML), Current: r.frag.Current, Headers: headersToPB(r.header)}
		for _, c := range r.frag.Crumbs {
			f.Crumbs = append(f.Crumbs, &pb.Crumb{Name: c.Name, Url: c.URL})
		}
		return &pb.HandleResponse{Status: int32(st), Body: &pb.HandleResponse_Fragment{Fragment: f}}
	default:
		st := r.status
		if st == 0 {
			st = http.StatusOK
		}
		return &pb.HandleResponse{Status: int32(st), Body: &pb.HandleResponse_Raw{Raw: &pb.Raw{Headers: headersToPB(r.header), Body: r.body.Bytes()}}}
	}
}

// HeadersToPB converts headers for the wire.
func HeadersToPB(h http.Header) []*pb.Header { return headersToPB(h) }

func headersToPB(h http.Header) []*pb.Header {
	if len(h) == 0 {
		return nil
	}
	out := make([]*pb.Header, 0, len(h))
	for k, v := range h {
		out = append(out, &pb.Header{Name: k, Values: v})
	}
	return out
}

// HeadersFromPB converts headers from the wire.
func HeadersFromPB(hs []*pb.Header) http.Header {
	h := make(http.Header, len(hs))
	for _, x := range hs {
		h[http.CanonicalHeaderKey(x.Name)] = x.Values
	}
	return h
}

// requestOf rebuilds the HTTP request the host forwarded.
func requestOf(ctx context.Context, req *pb.HandleRequest) (*http.Request, error) {
	if req.Tenant == nil {
		return nil, errors.New("request carries no tenant")
	}
	p := req.Path
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	u := &url.URL{Path: p, RawQuery: req.RawQuery}
	info := &reqInfo{tenant: tenantFromPB(req.Tenant), user: userFromPB(req.User), base: req.Base, csrf: req.CsrfToken,
		settings: []byte(req.SettingsJson)}
	if info.base == "" {
		info.base = "/"
	}
	r := &http.Request{
		Method:        req.Method,
		URL:           u,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        HeadersFromPB(req.Headers),
		Body:          io.NopCloser(bytes.NewReader(req.Body)),
		ContentLength: int64(len(req.Body)),
		Host:          req.Host,
		RemoteAddr:    req.RemoteAddr,
		RequestURI:    u.RequestURI(),
	}
	return r.WithContext(context.WithValue(ctx, reqKey{}, info)), nil
}
