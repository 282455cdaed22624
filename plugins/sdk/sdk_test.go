package sdk_test

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/calendar"
	"yiwang/plugins/sdk/rpc"
	"yiwang/plugins/sdk/sdktest"
)

func TestMain(m *testing.M) { sdktest.Main(m) }

//go:embed testdata/migrations/*.sql
var echoMigrations embed.FS

// echo is a small module that exercises every part of the contract.
var echo = func() *sdk.Module {
	sub, _ := fs.Sub(echoMigrations, "testdata/migrations")
	m := &sdk.Module{
		Name: "echo", Version: "0.1.0", Title: "回声",
		Nav:         []sdk.NavEntry{{Title: "回声", Path: "echo/"}},
		Permissions: []sdk.Permission{{Name: "echo.write", Title: "写留言", Kind: sdk.KindEdit}},
		Migrations:  sub,
		New: func(ctx context.Context, env *sdk.Env) (http.Handler, error) {
			mux := http.NewServeMux()
			mux.HandleFunc("GET /echo/{$}", func(w http.ResponseWriter, r *http.Request) {
				u := sdk.UserOf(r)
				name := "游客"
				if u != nil {
					name = u.Name
				}
				w.Header().Set("Cache-Control", "no-store")
				sdk.Render(w, sdk.Fragment{Title: "回声", Current: "回声", Crumbs: []sdk.Crumb{{Name: "回声"}},
					HTML: template.HTML(template.HTMLEscapeString(fmt.Sprintf("%s|%s|%s|%s", sdk.TenantOf(r).Code, name, sdk.Base(r), sdk.CSRFToken(r))))})
			})
			mux.HandleFunc("GET /echo/json", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_ = json.NewEncoder(w).Encode(map[string]any{"tenant": sdk.TenantOf(r).ID, "q": r.URL.Query().Get("q")})
			})
			mux.HandleFunc("GET /echo/redirect", func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, sdk.URL(r, "echo/"), http.StatusSeeOther)
			})
			mux.HandleFunc("GET /echo/missing", func(w http.ResponseWriter, r *http.Request) {
				sdk.Fail(w, sdk.Errorf(sdk.ENOTFOUND, "没有这条回声"))
			})
			mux.HandleFunc("GET /echo/broken", func(w http.ResponseWriter, r *http.Request) {
				sdk.Fail(w, errors.New("secret database detail"))
			})
			mux.HandleFunc("GET /echo/panic", func(w http.ResponseWriter, r *http.Request) { panic("boom") })
			mux.HandleFunc("GET /echo/deadline", func(w http.ResponseWriter, r *http.Request) {
				from, err := calendar.ParseDate(r.URL.Query().Get("from"))
				if err != nil {
					sdk.Fail(w, sdk.Errorf(sdk.EINVALID, "%s", err))
					return
				}
				wd, err := env.Host.AddWorkingDays(r.Context(), from, 3)
				if err != nil {
					sdk.Fail(w, err)
					return
				}
				fmt.Fprintf(w, "%s %d %s", wd.Date, len(wd.Steps), wd.Explanation)
			})
			mux.HandleFunc("POST /echo/notes", func(w http.ResponseWriter, r *http.Request) {
				if !sdk.Can(r, "echo.write") {
					sdk.Fail(w, sdk.Errorf(sdk.EFORBID, "没有权限"))
					return
				}
				db := env.DB.Tenant(sdk.TenantOf(r).ID)
				id, err := db.Insert(r.Context(), `INSERT INTO notes (tenant_id, body) VALUES (:tenant_id, :body)`, sdk.Args{"body": r.FormValue("body")})
				if err != nil {
					sdk.Fail(w, err)
					return
				}
				_ = env.Host.Audit(r.Context(), sdk.AuditEntry{TenantID: sdk.TenantOf(r).ID, Actor: sdk.UserOf(r).Actor(), Action: "note.create", Target: fmt.Sprint(id)})
				_ = env.Host.Index(r.Context(), sdk.Document{ID: fmt.Sprint(id), TenantID: sdk.TenantOf(r).ID, Type: "note", Path: fmt.Sprintf("echo/notes/%d", id), Title: r.FormValue("body")})
				fmt.Fprint(w, id)
			})
			mux.HandleFunc("GET /echo/notes/{id}", func(w http.ResponseWriter, r *http.Request) {
				var body string
				err := env.DB.Tenant(sdk.TenantOf(r).ID).Get(r.Context(), &body,
					`SELECT body FROM notes WHERE tenant_id = :tenant_id AND id = :id`, sdk.Args{"id": r.PathValue("id")})
				if err != nil {
					sdk.Fail(w, sdk.Found(err, "没有这条留言"))
					return
				}
				fmt.Fprint(w, body)
			})
			return mux, nil
		},
	}
	sdk.Register(m)
	return m
}()

func TestContract(t *testing.T) {
	editor := &sdk.User{ID: 7, Name: "张编辑", Roles: []string{sdk.RoleEditor}, Permissions: []string{"echo.write"}}
	sdktest.Each(t, echo, sdktest.Options{}, func(t *testing.T, h *sdktest.Harness) {
		t.Run("fragment", func(t *testing.T) {
			r := h.Get(sdktest.JYJ, editor, "/echo/")
			if r.Kind != "fragment" || r.Status != 200 || r.Title != "回声" || r.Current != "回声" || len(r.Crumbs) != 1 {
				t.Fatalf("%+v", r)
			}
			if want := "jyj|张编辑|/site/jyj/|" + sdktest.CSRFToken; r.HTML != want {
				t.Errorf("html %q, want %q", r.HTML, want)
			}
			if r.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("header set before Render lost: %v", r.Header)
			}
			if a := h.Get(sdktest.Portal, nil, "/echo/"); a.HTML != "portal|游客|/|"+sdktest.CSRFToken {
				t.Errorf("anonymous: %q", a.HTML)
			}
		})
		t.Run("raw json", func(t *testing.T) {
			r := h.Get(sdktest.JYJ, nil, "/echo/json?q=%E4%B8%AD")
			if r.Kind != "raw" || r.Header.Get("Content-Type") != "application/json" || strings.TrimSpace(string(r.Body)) != `{"q":"中","tenant":2}` {
				t.Fatalf("%+v %s", r, r.Body)
			}
		})
		t.Run("redirect", func(t *testing.T) {
			r := h.Get(sdktest.JYJ, nil, "/echo/redirect")
			if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/site/jyj/echo/" {
				t.Fatalf("%+v", r)
			}
		})
		t.Run("failures", func(t *testing.T) {
			if r := h.Get(nil, nil, "/echo/missing"); r.Kind != "failure" || r.Status != 404 || r.Code != sdk.ENOTFOUND || r.Message != "没有这条回声" {
				t.Errorf("not found: %+v", r)
			}
			if r := h.Get(nil, nil, "/echo/broken"); r.Status != 503 || strings.Contains(r.Message, "secret") {
				t.Errorf("internal detail leaked or wrong status: %+v", r)
			}
			if r := h.Get(nil, nil, "/echo/nothing-here"); r.Status != 404 {
				t.Errorf("unrouted: %+v", r)
			}
			// A panic is the module's bug: an error, and the process lives on.
			ctx := context.Background()
			if _, err := h.Handle(ctx, h.Wire(sdktest.Request{Path: "/echo/panic"})); err == nil {
				t.Error("panic answered without error")
			}
			if r := h.Get(nil, nil, "/echo/"); r.Status != 200 {
				t.Errorf("after a panic: %+v", r)
			}
		})
		t.Run("host service", func(t *testing.T) {
			r := h.Get(nil, nil, "/echo/deadline?from=2026-02-12")
			if !strings.HasPrefix(string(r.Body), "2026-02-24 10 ") || !strings.Contains(string(r.Body), "春节假期（9天）") {
				t.Errorf("deadline across the Spring Festival: %s", r.Body)
			}
			r = h.Get(nil, nil, "/echo/deadline?from=2027-03-01")
			if r.Status != 503 || !strings.Contains(r.Message, "2027") { // as the host answers: unavailable until the year is added
				t.Errorf("missing year: %+v", r)
			}
		})
		t.Run("scoped data", func(t *testing.T) {
			if r := h.Post(sdktest.JYJ, nil, "/echo/notes", url.Values{"body": {"x"}}); r.Status != 403 {
				t.Fatalf("anonymous write: %+v", r)
			}
			a := h.Post(sdktest.Portal, editor, "/echo/notes", url.Values{"body": {"门户的留言"}})
			b := h.Post(sdktest.JYJ, editor, "/echo/notes", url.Values{"body": {"教育局的留言"}})
			if a.Status != 200 || b.Status != 200 {
				t.Fatalf("%+v %+v", a, b)
			}
			if r := h.Get(sdktest.Portal, nil, "/echo/notes/"+string(a.Body)); string(r.Body) != "门户的留言" {
				t.Errorf("own note: %+v", r)
			}
			if r := h.Get(sdktest.Portal, nil, "/echo/notes/"+string(b.Body)); r.Status != 404 {
				t.Errorf("another tenant's note by id: %+v %s", r, r.Body)
			}
			docs := h.Host.Documents()
			if len(docs) != 2 || docs[0].TenantID != 1 || docs[1].TenantID != 2 {
				t.Errorf("documents: %+v", docs)
			}
			if al := h.Host.AuditLog(); len(al) != 2 || al[0].Actor != "user:7" || al[0].Action != "note.create" {
				t.Errorf("audit: %+v", al)
			}
		})
	})
}

func TestScopeRefusesUnscoped(t *testing.T) {
	h := sdktest.InProcess(t, echo, sdktest.Options{})
	db := h.Server.Env().DB
	ctx := context.Background()
	s := db.Tenant(1)
	if _, err := s.Exec(ctx, `DELETE FROM notes`, nil); !errors.Is(err, sdk.ErrUnscoped) {
		t.Errorf("unscoped delete: %v", err)
	}
	if _, err := s.Exec(ctx, `DELETE FROM notes WHERE tenant_id = :tenant_id`, sdk.Args{"tenant_id": int64(2)}); err == nil ||
		!strings.Contains(err.Error(), "differs") {
		t.Errorf("tenant_id from arguments: %v", err)
	}
	type note struct {
		TenantID int64  `db:"tenant_id"`
		Body     string `db:"body"`
	}
	if _, err := s.Insert(ctx, `INSERT INTO notes (tenant_id, body) VALUES (:tenant_id, :body)`, note{Body: "struct"}); err != nil {
		t.Fatalf("struct argument: %v", err)
	}
	var n int
	if err := db.Tenant(2).Get(ctx, &n, `SELECT COUNT(*) FROM notes WHERE tenant_id = :tenant_id`, nil); err != nil || n != 0 {
		t.Errorf("tenant 2 sees %d notes (%v)", n, err)
	}
	if err := s.Get(ctx, &n, `SELECT COUNT(*) FROM notes WHERE tenant_id = :tenant_id`, nil); err != nil || n != 1 {
		t.Errorf("tenant 1 sees %d notes (%v)", n, err)
	}
}

func TestErrorsRoundTrip(t *testing.T) {
	for _, code := range []string{sdk.ENOTFOUND, sdk.EGONE, sdk.EINVALID, sdk.ECONFLICT, sdk.EFORBID, sdk.EUNAVAIL} {
		err := rpc.FromStatus(rpc.ToStatus(sdk.Errorf(code, "消息|带竖线")))
		if got := err.Error(); !strings.Contains(got, code) || !strings.Contains(got, "消息|带竖线") {
			t.Errorf("%s: %v", code, err)
		}
	}
	err := rpc.FromStatus(rpc.ToStatus(errors.New("detail")))
	if !strings.Contains(err.Error(), "internal") || !strings.Contains(err.Error(), "detail") {
		t.Errorf("plain error: %v", err)
	}
}

func TestRegistry(t *testing.T) {
	if m, ok := sdk.Lookup("echo"); !ok || m != echo {
		t.Fatal("echo not registered")
	}
	for name, ok := range map[string]bool{"topics": true, "a": false, "Topics": false, "mail-box": false, "x1": true} {
		if sdk.ValidName(name) != ok {
			t.Errorf("ValidName(%q) != %v", name, ok)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("duplicate registration accepted")
		}
	}()
	sdk.Register(&sdk.Module{Name: "echo", New: echo.New})
}

// A read across tenants sees exactly the tenants it was given, and runs
// nothing but one SELECT over them.
func TestReadAcrossTenants(t *testing.T) {
	h := sdktest.InProcess(t, echo, sdktest.Options{})
	db := h.Server.Env().DB
	ctx := context.Background()
	for tenant, n := range map[int64]int{1: 2, 2: 3, 3: 4} {
		for i := 0; i < n; i++ {
			if _, err := db.Tenant(tenant).Exec(ctx, `INSERT INTO notes (tenant_id, body) VALUES (:tenant_id, 'x')`, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, c := range []struct {
		ids  []int64
		want int
	}{{[]int64{1, 3}, 6}, {[]int64{2}, 3}, {nil, 0}, {[]int64{1, 2, 3}, 9}} {
		var n int
		if err := db.Across(c.ids).Get(ctx, &n, `SELECT COUNT(*) FROM notes WHERE tenant_id IN (:tenant_ids) AND body = :b`, sdk.Args{"b": "x"}); err != nil || n != c.want {
			t.Errorf("tenants %v: %d (%v), want %d", c.ids, n, err, c.want)
		}
	}
	s := db.Across([]int64{1})
	var n int
	for name, q := range map[string]string{
		"no tenants named":  `SELECT COUNT(*) FROM notes`,
		"a write":           `DELETE FROM notes WHERE tenant_id IN (:tenant_ids)`,
		"two statements":    `SELECT COUNT(*) FROM notes WHERE tenant_id IN (:tenant_ids); DELETE FROM notes`,
		"one tenant's form": `SELECT COUNT(*) FROM notes WHERE tenant_id IN (:tenant_ids) OR tenant_id = :tenant_id`,
	} {
		if err := s.Get(ctx, &n, q, nil); !errors.Is(err, sdk.ErrNotRead) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := s.Get(ctx, &n, `SELECT COUNT(*) FROM notes WHERE tenant_id IN (:tenant_ids)`, sdk.Args{"tenant_ids": []int64{2, 3}}); err == nil {
		t.Error("tenant_ids taken from the arguments")
	}
}
