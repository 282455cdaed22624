// Package disclosure is the government information disclosure module
// (政府信息公开) under the Regulations on Open Government Information
// (2019 revision): every tenant's catalogue of proactively disclosed
// items (主动公开) under the county's category tree, with the standard
// metadata and a 索引号 that never changes; requests for disclosure
// (依申请公开) handled under their statutory deadlines in working days;
// and the annual report (年度报告) in the national format, filled from
// the module's own data.
//
// One process serves every tenant that enables it. Rooms, one file each:
//
//	catalogue.go  categories, items, index numbers, review, public pages, import
//	requests.go   applications, the deadline clock, decisions, answer letters
//	report.go     the annual report of a tenant and of the county
//	cases.go      the applicant's cases for the account page
//
// Routes are relative to the tenant's site: /disclosure/… for the public,
// /admin/disclosure/… for staff; each room registers its own.
package disclosure

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"sync"
	"time"

	"yiwang/plugins/sdk"
)

// Name is the module's registry name and URL segment.
const Name = "disclosure"

// Version of the module.
const Version = "1.0.0"

// NavTitle is the title of the public navigation entry.
const NavTitle = "政府信息公开"

// Permissions the module checks.
const (
	PermApply  = "disclosure.apply"  // apply for disclosure (any signed-in person)
	PermEdit   = "disclosure.edit"   // write catalogue items, the annual report's text
	PermReview = "disclosure.review" // approve and withdraw items, publish the annual report
	PermHandle = "disclosure.handle" // handle the tenant's requests
	PermExtend = "disclosure.extend" // approve an extension (the head of the disclosure office)
	PermAdmin  = "disclosure.admin"  // the category tree, imports (the county office)
)

//go:embed migrations/*.sql
var migrationFS embed.FS

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// Module is the disclosure module, registered as "disclosure".
var Module = &sdk.Module{
	Name:    Name,
	Version: Version,
	Title:   NavTitle,
	Nav:     []sdk.NavEntry{{Title: NavTitle, Path: "disclosure/"}},
	Admin: []sdk.NavEntry{
		{Title: "公开目录管理", Path: "admin/disclosure/items/", Permission: PermEdit},
		{Title: "依申请公开办理", Path: "admin/disclosure/requests/", Permission: PermHandle},
		{Title: "信息公开年报", Path: "admin/disclosure/reports/", Permission: PermEdit},
		{Title: "导入公开目录", Path: "admin/disclosure/import/", Permission: PermAdmin},
		{Title: "公开指南和制度", Path: "admin/disclosure/pages/", Permission: PermReview},
		{Title: "公开目录分类", Path: "admin/disclosure/categories/", Permission: PermAdmin},
	},
	Permissions: []sdk.Permission{
		{Name: PermApply, Title: "在线提交政府信息公开申请", Kind: sdk.KindPublic},
		{Name: PermEdit, Title: "编辑本单位公开目录和年度报告", Kind: sdk.KindEdit},
		{Name: PermReview, Title: "审核、发布和撤销公开信息，发布年度报告", Kind: sdk.KindReview},
		{Name: PermHandle, Title: "办理本单位的依申请公开", Kind: sdk.KindHandle},
		{Name: PermExtend, Title: "批准依申请公开延期答复（公开工作机构负责人）", Kind: sdk.KindReview},
		{Name: PermAdmin, Title: "维护公开目录分类、导入目录", Kind: sdk.KindAdmin},
	},
	Migrations: mustSub(migrationFS, "migrations"),
	New:        New,
}

func init() { sdk.Register(Module) }

func mustSub(f fs.FS, dir string) fs.FS {
	s, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return s
}

// Handler serves the module for every tenant.
type Handler struct {
	env   *sdk.Env
	mux   *sdk.Mux
	pages *template.Template
	now   func() time.Time

	tickMu  sync.Mutex // one Tick at a time
	imports imports    // the catalogue imports this process runs
}

var (
	_ http.Handler   = (*Handler)(nil)
	_ sdk.Configurer = (*Handler)(nil)
	_ sdk.Ticker     = (*Handler)(nil)
	_ sdk.Reindexer  = (*Handler)(nil)
	_ sdk.Statser    = (*Handler)(nil)
)

// cst is China Standard Time: dates people read and deadlines count in it.
var cst = time.FixedZone("CST", 8*3600)

// New builds the handler (sdk.Module.New).
func New(ctx context.Context, env *sdk.Env) (http.Handler, error) {
	if env.DB == nil {
		return nil, errors.New("disclosure needs its database")
	}
	t, err := template.New("disclosure").Funcs(funcs).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse disclosure templates: %w", err)
	}
	h := &Handler{env: env, pages: t, now: time.Now}
	m := sdk.NewMux()
	m.HandleFunc("GET /disclosure", h.addSlash)
	m.HandleFunc("GET /admin/disclosure", h.addSlash)
	m.HandleFunc("GET /disclosure/assets/{name}", h.asset)
	h.catalogueRoutes(m)
	h.requestRoutes(m)
	h.reportRoutes(m)
	h.importRoutes(m)
	h.pageRoutes(m)
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		sdk.Fail(w, sdk.Errorf(sdk.ENOTFOUND, "页面不存在，可能已被删除或地址有误。"))
	})
	h.mux = m
	if env.Demo {
		if err := h.seedDemo(ctx); err != nil {
			return nil, fmt.Errorf("disclosure demo data: %w", err)
		}
	}
	return h, nil
}

// ServeHTTP answers a request for any tenant; every handler scopes its
// queries to sdk.TenantOf(r).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// Routes lists the module's route patterns, for the host's isolation walk.
func (h *Handler) Routes() []string { return h.mux.Routes() }

var _ sdk.Router = (*Handler)(nil)

// Configure learns the enabling tenants (kept by env) and makes sure the
// county's category tree exists under the portal.
func (h *Handler) Configure(ctx context.Context, ts []sdk.TenantConfig) error {
	if err := h.ensureCategories(ctx); err != nil {
		return err
	}
	if h.env.Demo {
		h.seedDemoCatalogue(ctx, ts)
	}
	return nil
}

// Tick runs the deadline work of requests (reminders, escalation,
// corrections that lapsed).
func (h *Handler) Tick(ctx context.Context, at time.Time) ([]string, error) {
	h.tickMu.Lock()
	defer h.tickMu.Unlock()
	notes, err := h.tickRequests(ctx, at)
	if err != nil {
		return notes, err
	}
	return append(notes, h.tickImports(ctx, at)...), nil
}

// Reindex emits the published catalogue items of a tenant (0: of all);
// requests are never search documents.
func (h *Handler) Reindex(ctx context.Context, tenantID int64, emit func(sdk.Document) error) error {
	return h.reindexItems(ctx, tenantID, emit)
}

// Stats reports a tenant's figures for the county office's supervision.
func (h *Handler) Stats(ctx context.Context, tenantID int64, from, to time.Time) ([]sdk.Stat, error) {
	items, err := h.itemStats(ctx, tenantID, from, to)
	if err != nil {
		return nil, err
	}
	reqs, err := h.requestStats(ctx, tenantID, from, to)
	if err != nil {
		return nil, err
	}
	return append(items, reqs...), nil
}

// view is what every template gets.
type view struct {
	Base   string
	CSS    string
	CSRF   string
	Tenant *sdk.Tenant
	User   *sdk.User
	Data   any
}

func (h *Handler) newView(r *http.Request, data any) view {
	return view{Base: sdk.Base(r), CSS: sdk.URL(r, "disclosure/assets/disclosure.css?v="+Version), CSRF: sdk.CSRFToken(r),
		Tenant: sdk.TenantOf(r), User: sdk.UserOf(r), Data: data}
}

// render answers with template name as a fragment.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, name, title string, crumbs []sdk.Crumb, status int, data any) {
	var buf bytes.Buffer
	if err := h.pages.ExecuteTemplate(&buf, name, h.newView(r, data)); err != nil {
		h.env.Log.Error("render", "template", name, "err", err)
		sdk.Fail(w, err)
		return
	}
	sdk.Render(w, sdk.Fragment{Title: title, Crumbs: crumbs, HTML: template.HTML(buf.String()), Current: NavTitle, Status: status}) //nolint:gosec // html/template output
}

func (h *Handler) addSlash(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, sdk.URL(r, strings.TrimPrefix(r.URL.Path, "/")+"/"), http.StatusMovedPermanently)
}

func (h *Handler) db(r *http.Request) *sdk.Scope { return h.env.DB.Tenant(sdk.TenantOf(r).ID) }

// asset serves the module's stylesheet: the page policy allows only
// same-site styles.
func (h *Handler) asset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	b, err := fs.ReadFile(assetFS, "assets/"+name)
	if err != nil || strings.Contains(name, "/") {
		sdk.Fail(w, sdk.Errorf(sdk.ENOTFOUND, "文件不存在"))
		return
	}
	if strings.HasSuffix(name, ".css") {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
	}
	w.Header().Set("Cache-Control", "public, max-age=86400")
	_, _ = w.Write(b)
}

// audit records a staff action in the host's audit log; a failure is
// logged, never shown, since the action itself has been done.
func (h *Handler) audit(r *http.Request, action, target, detail string) {
	e := sdk.AuditEntry{TenantID: sdk.TenantOf(r).ID, Action: action, Target: target, Detail: detail, RemoteAddr: r.RemoteAddr}
	if u := sdk.UserOf(r); u != nil {
		e.Actor = u.Actor()
	}
	if err := h.env.Host.Audit(r.Context(), e); err != nil {
		h.env.Log.Warn("audit", "action", action, "err", err)
	}
}

// pagesChanged tells the host's page cache that the module's public pages
// of the request's tenant changed (a guide, a report: not search
// documents, which say so themselves).
func (h *Handler) pagesChanged(r *http.Request) {
	if err := h.env.Host.PagesChanged(r.Context(), sdk.TenantOf(r).ID, ""); err != nil && !errors.Is(err, sdk.ErrUnsupported) {
		h.env.Log.Warn("pages changed", "err", err)
	}
}

// public marks a public page as the same for every anonymous visitor,
// for the host's page cache.
func public(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sdk.Cacheable(w, 10*time.Minute)
		h(w, r)
	}
}

// today is the calendar date in China Standard Time.
func (h *Handler) today() string { return h.now().In(cst).Format("2006-01-02") }

var funcs = template.FuncMap{
	"date": func(t *time.Time) string {
		if t == nil || t.IsZero() {
			return ""
		}
		return t.In(cst).Format("2006-01-02")
	},
	"datetime": func(t time.Time) string { return t.In(cst).Format("2006-01-02 15:04") },
	"add":      func(a, b int) int { return a + b },
	"mul":      func(a, b int) int { return a * b },
}
