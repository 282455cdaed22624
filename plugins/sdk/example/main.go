// Command example is a complete module written from plugins/sdk alone: a
// guest book (留言簿) with its own migrated database, a page the host
// wraps in each tenant's layout, a form whose CSRF token is a field, and
// an anonymous-form rate limit the host keeps. It is what plugins/README.md
// walks through, and the host's tests build it as an external binary and
// run it behind a checksum, as a third party's module would run.
//
//	go build -o data/plugins/guestbook ./plugins/sdk/example
//	yiwang serve --plugin guestbook=$(sha256sum data/plugins/guestbook | cut -d' ' -f1)
package main

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"net"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/rpc"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Module is the guest book.
var Module = &sdk.Module{
	Name: "guestbook", Version: "1.0.0", Title: "留言簿",
	Nav:        []sdk.NavEntry{{Title: "留言簿", Path: "guestbook/"}},
	Migrations: mustSub(migrationFiles, "migrations"),
	New:        newHandler,
}

func main() { rpc.Serve(Module) }

func mustSub(f fs.FS, dir string) fs.FS {
	s, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return s
}

// postsPerHour bounds anonymous posts from one address.
const postsPerHour = 10

type entry struct {
	Name      string    `db:"name"`
	Message   string    `db:"message"`
	CreatedAt time.Time `db:"created_at"`
}

type handler struct {
	env *sdk.Env
	mux *sdk.Mux
}

func newHandler(_ context.Context, env *sdk.Env) (http.Handler, error) {
	if env.DB == nil {
		return nil, errors.New("guestbook needs its database")
	}
	h := &handler{env: env, mux: sdk.NewMux()}
	h.mux.HandleFunc("GET /guestbook/{$}", h.list)
	h.mux.HandleFunc("POST /guestbook/{$}", h.post)
	h.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		sdk.Fail(w, sdk.Errorf(sdk.ENOTFOUND, "页面不存在"))
	})
	return h, nil
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// Routes lists the module's route patterns, for the host's isolation walk.
func (h *handler) Routes() []string { return h.mux.Routes() }

var _ sdk.Router = (*handler)(nil)

var page = template.Must(template.New("page").Parse(`<h1>留言簿</h1>
{{if .Problem}}<p class="notice notice-error" role="alert">{{.Problem}}</p>{{end}}
<form method="post" action="{{.Action}}">
<input type="hidden" name="csrf" value="{{.CSRF}}">
<p><label for="gb-name">称呼</label> <input id="gb-name" name="name" maxlength="60" required value="{{.Name}}"></p>
<p><label for="gb-message">留言</label> <textarea id="gb-message" name="message" maxlength="1000" required>{{.Message}}</textarea></p>
<p><button type="submit">提交留言</button></p>
</form>
<ul class="guestbook">{{range .Entries}}<li><strong>{{.Name}}</strong>：{{.Message}}</li>{{else}}<li>还没有留言。</li>{{end}}</ul>`))

func (h *handler) render(w http.ResponseWriter, r *http.Request, status int, problem, name, message string) {
	var entries []entry
	if err := h.env.DB.Tenant(sdk.TenantOf(r).ID).Select(r.Context(), &entries,
		`SELECT name, message, created_at FROM guestbook_entries WHERE tenant_id = :tenant_id ORDER BY id DESC LIMIT 50`, nil); err != nil {
		sdk.Fail(w, err)
		return
	}
	var b bytes.Buffer
	if err := page.Execute(&b, map[string]any{"Problem": problem, "Action": sdk.URL(r, "guestbook/"), "CSRF": sdk.CSRFToken(r),
		"Name": name, "Message": message, "Entries": entries}); err != nil {
		sdk.Fail(w, err)
		return
	}
	sdk.Render(w, sdk.Fragment{Title: "留言簿", Current: "留言簿", HTML: template.HTML(b.String()), Status: status})
}

func (h *handler) list(w http.ResponseWriter, r *http.Request) {
	h.render(w, r, http.StatusOK, "", "", "")
}

func (h *handler) post(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimSpace(r.PostFormValue("name"))
	message := strings.TrimSpace(r.PostFormValue("message"))
	if name == "" || message == "" || utf8.RuneCountInString(name) > 60 || utf8.RuneCountInString(message) > 1000 {
		h.render(w, r, http.StatusBadRequest, "请填写称呼（60 字以内）和留言（1000 字以内）。", name, message)
		return
	}
	// The host counts, so the limit holds across this process's restarts
	// and across every host process; an older host cannot, and then the
	// form stays open rather than closed for everyone.
	addr := r.RemoteAddr
	if host, _, err := net.SplitHostPort(addr); err == nil {
		addr = host
	}
	ok, _, err := h.env.Host.Allow(r.Context(), "post", addr, postsPerHour, time.Hour)
	if err != nil && !errors.Is(err, sdk.ErrUnsupported) {
		h.env.Log.Warn("rate limit unavailable", "err", err)
	}
	if err == nil && !ok {
		h.render(w, r, http.StatusTooManyRequests, "留言过于频繁，请一小时后再试。", name, message)
		return
	}
	if _, err := h.env.DB.Tenant(sdk.TenantOf(r).ID).Insert(r.Context(),
		`INSERT INTO guestbook_entries (tenant_id, name, message, created_at) VALUES (:tenant_id, :name, :message, :at)`,
		sdk.Args{"name": name, "message": message, "at": time.Now().UTC()}); err != nil {
		sdk.Fail(w, err)
		return
	}
	http.Redirect(w, r, sdk.URL(r, "guestbook/"), http.StatusSeeOther)
}
