package browsertest

import (
	"context"
	"html"
	"io"
	"net/http"
	"strings"
	"time"

	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/sdktest"
)

// Site serves a module to a browser as tenant t's site, every request
// made by user u: a minimal stand-in for the host, which strips the
// site's base, wraps fragments in a bare page and passes redirects, files
// and failures on. The module's own forms post through it as they would
// through the host, CSRF token as a field.
func Site(h *sdktest.Harness, t *sdk.Tenant, u *sdk.User) http.Handler {
	prefix := strings.TrimSuffix(sdktest.BaseOf(t), "/")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
		defer cancel()
		path := strings.TrimPrefix(r.URL.RequestURI(), prefix)
		resp, err := h.Handle(ctx, h.Wire(sdktest.Request{Tenant: t, User: u, Method: r.Method, Path: path, Header: r.Header.Clone(), Body: body}))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		out := sdktest.Decode(resp)
		for k, v := range out.Header {
			w.Header()[k] = v
		}
		status := out.Status
		if status == 0 {
			status = http.StatusOK
		}
		if out.Kind == "raw" {
			w.WriteHeader(status)
			_, _ = w.Write(out.Body)
			return
		}
		text := out.HTML
		if out.Kind == "failure" {
			text = `<p role="alert">` + html.EscapeString(out.Message) + `</p>`
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>`+html.EscapeString(out.Title)+
			`</title></head><body><main>`+text+`</main></body></html>`)
	})
}
