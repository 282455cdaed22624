package sdk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// RequestInfo is what the host says about a request besides the request:
// for whom it is, where the site's pages are, the form token and the
// tenant's settings of the module. The transport attaches it (WithInfo).
type RequestInfo struct {
	Tenant   *Tenant
	User     *User
	Base     string // "/", "/site/jyj/" or absolute
	CSRF     string
	Settings []byte // JSON
}

type reqKey struct{}

func infoOf(r *http.Request) *RequestInfo {
	if v, ok := r.Context().Value(reqKey{}).(*RequestInfo); ok {
		return v
	}
	return &RequestInfo{Base: "/"}
}

// WithInfo returns r carrying info: what the transport does with every
// request the host forwards, and what a test does that calls a handler
// directly.
func WithInfo(r *http.Request, info RequestInfo) *http.Request {
	if info.Base == "" {
		info.Base = "/"
	}
	return r.WithContext(context.WithValue(r.Context(), reqKey{}, &info))
}

// TenantOf returns the tenant the request is for. Every query a handler
// makes must be scoped to it: use env.DB.Tenant(sdk.TenantOf(r).ID).
func TenantOf(r *http.Request) *Tenant { return infoOf(r).Tenant }

// UserOf returns the signed-in user with their roles and permissions on
// the request's tenant, nil for an anonymous visitor.
func UserOf(r *http.Request) *User { return infoOf(r).User }

// Can reports whether the request's user holds permission perm on the
// request's tenant.
func Can(r *http.Request, perm string) bool { return infoOf(r).User.Can(perm) }

// Base returns the site's base URL for links on this page: "/",
// "/site/jyj/" or absolute.
func Base(r *http.Request) string { return infoOf(r).Base }

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
func CSRFToken(r *http.Request) string { return infoOf(r).CSRF }

// Settings decodes the tenant's settings of this module into v.
func Settings(r *http.Request, v any) error {
	s := infoOf(r).Settings
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
	return WithInfo(r, RequestInfo{Tenant: t, User: u, Base: base, CSRF: csrf})
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

// Fail answers with the host's own error page for err: an *Error's code
// gives the status (not_found 404, forbidden 403, invalid 400 …) and its
// message is shown; any other error is a 503 that shows nothing of its
// detail.
func Fail(w http.ResponseWriter, err error) {
	var ce *Error
	if !errors.As(err, &ce) {
		ce = &Error{Code: EINTERNAL, Err: err}
	}
	if rec := recorderOf(w); rec != nil {
		rec.failure = ce
		return
	}
	http.Error(w, ErrorMessage(ce), HTTPStatus(ce.Code))
}

// Recorder is the ResponseWriter a handler writes to when the transport
// serves it: it keeps what Render and Fail say apart from what is written
// directly, for the transport to carry to the host.
type Recorder struct {
	header  http.Header
	status  int
	body    bytes.Buffer
	frag    *Fragment
	failure *Error
}

// NewRecorder returns an empty Recorder.
func NewRecorder() *Recorder { return &Recorder{header: http.Header{}} }

// Fragment is what Render gave, nil if it was not called.
func (r *Recorder) Fragment() *Fragment { return r.frag }

// Failure is what Fail gave, nil if it was not called.
func (r *Recorder) Failure() *Error { return r.failure }

// Status is the status written, 0 for none.
func (r *Recorder) Status() int { return r.status }

// Body is what was written directly.
func (r *Recorder) Body() []byte { return r.body.Bytes() }

func (r *Recorder) Header() http.Header { return r.header }

func (r *Recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}

func (r *Recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

// recorderOf finds the SDK's recorder under any wrapping middleware that
// follows the Unwrap convention of http.ResponseController.
func recorderOf(w http.ResponseWriter) *Recorder {
	for i := 0; i < 16 && w != nil; i++ {
		if rec, ok := w.(*Recorder); ok {
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

// Cacheable declares the page being answered the same for every
// anonymous visitor for up to ttl, so that the host may keep it in its
// page cache (at most ten minutes) and answer it without asking the
// module. The host drops it sooner when the module indexes or removes a
// search document of the tenant, or calls Host.PagesChanged. Never call
// it on a page that shows anything of the visitor.
func Cacheable(w http.ResponseWriter, ttl time.Duration) {
	w.Header().Set("Cache-Control", "public, max-age="+strconv.Itoa(int(ttl/time.Second)))
}

// HeaderRequestID is the request header that carries the host's id of the
// request, for following one request across the host's log and the
// module's.
const HeaderRequestID = "X-Request-Id"

// RequestID is the host's id of the request, "" outside the host.
func RequestID(r *http.Request) string { return r.Header.Get(HeaderRequestID) }

// Log returns l with the request's id, so that what a module logs about a
// request can be found beside the host's log of it.
func Log(r *http.Request, l *slog.Logger) *slog.Logger {
	if id := RequestID(r); id != "" {
		return l.With("request_id", id)
	}
	return l
}
