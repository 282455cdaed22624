package modules

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"yiwang/core"
	"yiwang/core/web"
	"yiwang/core/web/host"
	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/pb"
	"yiwang/plugins/sdk/rpc"
	"yiwang/tenants"
)

// maxBody bounds what a browser may send a module (forms with a picture).
const maxBody = 16 << 20

// Register adds every module's routes to every site and the modules'
// entries to each tenant's navigation: /<module>/… and /admin/<module>/…,
// relative to the site base; the county console's module and supervision
// pages; the account page's 我的办件.
func (h *Host) Register(s *host.Server) {
	srv := s.Server
	for _, name := range h.names {
		hf := h.handler(srv, h.procs[name])
		// The sign-on room's form check reads the body before the module
		// does: let it read as much as the host passes on.
		srv.AllowBodyUnder(name, maxBody)
		for _, p := range []string{"/" + name, "/" + name + "/", "/admin/" + name, "/admin/" + name + "/"} {
			srv.HandleSite(p, hf)
		}
	}
	srv.Extend(web.Extensions{Nav: h.nav})
	s.EnableModuleConsole(h)
	s.EnableSupervision(h)
	srv.EnableCases(h)
}

// nav lists the public entries of the modules the tenant enables, with
// the entries a permission guards only for its holders. A disabled module
// has no entry; one that is down keeps its entry (its page says it is
// down and will be back).
func (h *Host) nav(r *http.Request, t *tenants.Tenant) []web.NavEntry {
	var out []web.NavEntry
	base := web.SiteOf(r).Base
	for _, name := range h.names {
		if _, ok := h.enablement(name, t.ID); !ok {
			continue
		}
		d, _ := h.Description(name)
		var u *User
		for _, e := range d.Nav {
			if e.Permission != "" {
				if u == nil {
					u = h.user(r, t, d.Permissions)
				}
				if u == nil || !contains(u.Permissions, e.Permission) {
					continue
				}
			}
			out = append(out, web.NavEntry{Name: e.Title, URL: strings.TrimSuffix(base, "/") + "/" + strings.TrimPrefix(e.Path, "/")})
		}
	}
	return out
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func (h *Host) user(r *http.Request, t *tenants.Tenant, declared []sdk.Permission) *User {
	if h.cfg.Identity == nil {
		return nil
	}
	return h.cfg.Identity(r, t, declared)
}

// unavailable is the notice of a module that is down: the rest of the
// site works, and this says so.
func unavailable(title string) error {
	return &core.Error{Code: core.EUNAVAIL, Message: fmt.Sprintf("“%s”服务暂时不可用，请稍后再试。本站其他栏目不受影响。", title)}
}

// handler routes a request of a site to the module.
func (h *Host) handler(srv *web.Server, pr *proc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		site := web.SiteOf(r)
		t := site.Tenant
		en, ok := h.enablement(pr.spec.Name, t.ID)
		if !ok {
			srv.RenderError(w, r, core.Errorf(core.ENOTFOUND, "页面“%s”不存在，可能已被删除或地址有误。", r.URL.Path))
			return
		}
		if web.UnsafeMethod(r.Method) {
			if err := h.checkCSRF(r); err != nil {
				h.log.Warn("module request refused: origin or token", "request_id", web.RequestID(r), "module", pr.spec.Name, "path", r.URL.Path, "reason", err)
				srv.RenderError(w, r, core.Errorf(core.EFORBID, "页面已过期或请求来源不明，为保护您的账号，本次操作没有执行。请返回上一页，刷新后重试。"))
				return
			}
		}
		if h.serveEvents(srv, w, r, pr, t.ID) {
			return
		}
		desc, _ := h.Description(pr.spec.Name)
		pl := pr.current()
		if pl == nil {
			srv.RenderError(w, r, unavailable(desc.Title))
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				srv.RenderError(w, r, core.Errorf(core.EINVALID, "提交的内容超过 %d MB，请减小后重试。", maxBody>>20))
				return
			}
			srv.RenderError(w, r, core.Errorf(core.EINVALID, "没有收到完整的请求，请重试。"))
			return
		}
		req := &pb.HandleRequest{
			Tenant:       rpc.TenantToPB(sdkTenant(t)),
			Method:       r.Method,
			Path:         r.URL.Path,
			RawQuery:     r.URL.RawQuery,
			Headers:      rpc.HeadersToPB(forwardHeaders(r.Header, web.RequestID(r))),
			Body:         body,
			RemoteAddr:   r.RemoteAddr,
			Host:         strings.ToValidUTF8(r.Host, "\uFFFD"),
			Base:         site.Base,
			SettingsJson: en.Settings,
			Secure:       r.TLS != nil,
		}
		if u := h.user(r, t, desc.Permissions); u != nil {
			req.User = &pb.User{Id: u.ID, Name: u.Name, Roles: u.Roles, Permissions: u.Permissions}
		}
		if h.cfg.CSRF != nil {
			req.CsrfToken = h.cfg.CSRF.Token(w, r)
		}
		ctx, cancel := context.WithTimeout(r.Context(), h.cfg.Timeout)
		defer cancel()
		start := time.Now()
		resp, err := pl.Handle(ctx, req)
		if h.cfg.ObserveCall != nil {
			h.cfg.ObserveCall(pr.spec.Name, "handle", time.Since(start), err)
		}
		if err != nil {
			if r.Context().Err() != nil {
				return // the visitor left
			}
			if rpc.IsTransport(err) {
				// The process may be gone: look now rather than at the
				// next health check, and say the module is down.
				pr.checkNow()
				h.log.Warn("module request failed", "request_id", web.RequestID(r), "module", pr.spec.Name, "path", r.URL.Path, "err", err)
				srv.RenderError(w, r, unavailable(desc.Title))
				return
			}
			srv.RenderError(w, r, rpc.FromStatus(err))
			return
		}
		h.answer(srv, w, r, resp)
	}
}

func (h *Host) answer(srv *web.Server, w http.ResponseWriter, r *http.Request, resp *pb.HandleResponse) {
	switch b := resp.Body.(type) {
	case *pb.HandleResponse_Fragment:
		f := b.Fragment
		fh := rpc.HeadersFromPB(f.Headers)
		copyHeaders(w.Header(), fh, fragmentHeaders)
		if o := fh.Get(sdk.HeaderStreamOrigin); o != "" {
			allowStream(w.Header(), o)
		}
		frag := web.Fragment{Title: f.Title, HTML: f.Html, Status: int(resp.Status), Current: f.Current}
		for _, c := range f.Crumbs {
			frag.Crumbs = append(frag.Crumbs, web.Crumb{Name: c.Name, URL: c.Url})
		}
		srv.RenderFragment(w, r, frag)
	case *pb.HandleResponse_Failure:
		srv.RenderError(w, r, &core.Error{Code: b.Failure.Code, Message: b.Failure.Message})
	case *pb.HandleResponse_Raw:
		hdr := rpc.HeadersFromPB(b.Raw.Headers)
		for k, vs := range hdr {
			if blockedRaw[k] {
				continue
			}
			w.Header()[k] = vs
		}
		if loc := w.Header().Get("Location"); loc != "" && !safeRedirect(loc) {
			w.Header().Del("Location")
		}
		status := int(resp.Status)
		if status < 100 || status > 999 {
			status = http.StatusOK
		}
		w.WriteHeader(status)
		_, _ = w.Write(b.Raw.Body)
	default:
		srv.RenderError(w, r, core.Errorf(core.EUNAVAIL, "模块返回了无法识别的应答。"))
	}
}

// allowStream widens the page's security policy for a video player that
// fetches an HLS stream from origin and plays it through Media Source
// Extensions: connect-src gains the origin, media-src blob:. Only an
// https origin (scheme, host, port; nothing else) is taken.
func allowStream(h http.Header, origin string) {
	u, err := url.Parse(origin)
	csp := h.Get("Content-Security-Policy")
	if err != nil || u.Scheme != "https" || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.User != nil ||
		strings.ContainsAny(origin, " ;,'\"") || csp == "" {
		return
	}
	var parts []string
	connect := false
	for _, d := range strings.Split(csp, ";") {
		d = strings.TrimSpace(d)
		switch {
		case strings.HasPrefix(d, "media-src "):
			d += " blob:"
		case strings.HasPrefix(d, "connect-src "):
			d += " " + origin
			connect = true
		}
		parts = append(parts, d)
	}
	if !connect {
		parts = append(parts, "connect-src 'self' "+origin)
	}
	h.Set("Content-Security-Policy", strings.Join(parts, "; "))
}

// forwardHeaders are the request headers a module sees: never the
// visitor's cookies or credentials (who they are arrives as User). HTTP
// lets header values carry bytes that are not UTF-8, which the protocol's
// strings cannot: such bytes become U+FFFD rather than failing the call.
func forwardHeaders(in http.Header, requestID string) http.Header {
	out := http.Header{}
	for k, v := range in {
		switch k {
		case "Cookie", "Authorization", "Proxy-Authorization", "X-Request-Id":
			continue
		}
		vs := make([]string, len(v))
		for i, s := range v {
			vs[i] = strings.ToValidUTF8(s, "\uFFFD")
		}
		out[strings.ToValidUTF8(k, "\uFFFD")] = vs
	}
	// The host's id of this request, never the visitor's own.
	if requestID != "" {
		out.Set(sdk.HeaderRequestID, requestID)
	}
	return out
}

// fragmentHeaders may come with a page fragment; the layout owns the rest.
var fragmentHeaders = map[string]bool{"Cache-Control": true, "X-Robots-Tag": true, "Vary": true, "Last-Modified": true, "Etag": true}

// blockedRaw are headers a module may not send: cookies are the
// platform's (its sessions), the security policy is the host's, and the
// connection headers belong to the server.
var blockedRaw = map[string]bool{
	"Set-Cookie": true, "Content-Security-Policy": true, "Strict-Transport-Security": true,
	"X-Frame-Options": true, "Connection": true, "Transfer-Encoding": true, "Content-Length": true,
	"Keep-Alive": true, "Upgrade": true, "Trailer": true,
}

func copyHeaders(dst, src http.Header, allowed map[string]bool) {
	for k, vs := range src {
		if allowed[k] {
			dst[k] = vs
		}
	}
}

// safeRedirect keeps a module's redirects on the platform's own sites:
// a path, or an http(s) URL (a tenant's own domain). An open redirect to
// javascript: or a protocol-relative host is dropped.
func safeRedirect(loc string) bool {
	if strings.HasPrefix(loc, "/") && !strings.HasPrefix(loc, "//") && !strings.HasPrefix(loc, `/\`) {
		return true
	}
	u, err := url.Parse(loc)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// ErrNoVerifier is what a CSRF verifier answers when it cannot judge a
// request (its room is not running): the host's same-origin check decides.
var ErrNoVerifier = errors.New("no CSRF verifier for this request")

// checkCSRF verifies an unsafe request: with the configured verifier, or,
// without one, by the browser's own word that the request comes from this
// site. A request that says nothing about its origin is refused: it
// cannot be told apart from a forged one.
func (h *Host) checkCSRF(r *http.Request) error {
	if h.cfg.CSRF != nil {
		if err := h.cfg.CSRF.Verify(r); !errors.Is(err, ErrNoVerifier) {
			return err
		}
	}
	if s := r.Header.Get("Sec-Fetch-Site"); s != "" {
		if s == "same-origin" {
			return nil
		}
		return fmt.Errorf("Sec-Fetch-Site %s", s)
	}
	for _, hdr := range []string{"Origin", "Referer"} {
		v := r.Header.Get(hdr)
		if v == "" || v == "null" {
			continue
		}
		u, err := url.Parse(v)
		if err != nil || !strings.EqualFold(u.Host, r.Host) {
			return fmt.Errorf("%s %s is not %s", hdr, v, r.Host)
		}
		return nil
	}
	return errors.New("no Origin, Referer or Sec-Fetch-Site")
}
