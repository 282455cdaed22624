package browsertest

import (
	"context"
	"html"
	"io"
	"net/http"
	"strings"
	"time"

	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/fanout"
	"yiwang/plugins/sdk/sdktest"
)

// Site serves a module to a browser as tenant t's site, every request
// made by user u: a minimal stand-in for the host, which strips the
// site's base, wraps fragments in a bare page and passes redirects, files
// and failures on. The module's own forms post through it as they would
// through the host, CSRF token as a field. A module's event channels
// (/<module>/events/<channel>) are served as the host serves them, by one
// fan-out subscription per channel.
func Site(h *sdktest.Harness, t *sdk.Tenant, u *sdk.User) http.Handler {
	prefix := strings.TrimSuffix(sdktest.BaseOf(t), "/")
	fan := fanout.New(func(ctx context.Context, key fanout.Key, after, until int64, emit func(sdk.Event) error) error {
		return h.Events(ctx, key.Tenant, key.Channel, after, until, emit)
	}, fanout.Options{})
	events := "/" + h.Module() + "/events/"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ch, ok := strings.CutPrefix(strings.TrimPrefix(r.URL.Path, prefix), events); ok && r.Method == http.MethodGet {
			if err := fan.Serve(w, r, fanout.Key{Tenant: t.ID, Channel: ch}); err != nil {
				http.Error(w, err.Error(), http.StatusNotFound)
			}
			return
		}
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
