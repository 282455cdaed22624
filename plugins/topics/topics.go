// Package topics is the topic pages module (专题专栏): special topics
// such as the portal's 脱贫攻坚, 大众创业万众创新 or 聚焦两会, and any
// tenant's own. A topic has a title, a banner, an introduction and ordered
// sections; a section shows the tenant's core articles chosen by column
// and/or tag (read through the host), or a custom block: rich text, an
// image gallery or a video link. Published topics are search documents.
//
// Routes, relative to the tenant's site:
//
//	GET  /topics/                       published topics, then past (archived) ones
//	GET  /topics/{id}                   a topic (drafts only for the tenant's editors)
//	GET  /topics/assets/{name}          the module's stylesheet and banners
//	GET  /admin/topics/                 the tenant's topics, every state (editors)
//	GET  /admin/topics/new              the form for a new topic
//	POST /admin/topics/                 create
//	GET  /admin/topics/{id}             edit a topic and its sections
//	POST /admin/topics/{id}             save the topic
//	POST /admin/topics/{id}/status      publish, withdraw to draft, archive
//	POST /admin/topics/{id}/sections/   add a section
//	POST /admin/topics/{id}/sections/{sid}  save, move, delete a section
//
// Editing needs the permission topics.edit, of kind "edit", which the host
// grants to the tenant's editors, reviewers and site admins (and to the
// county office).
package topics

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"yiwang/plugins/sdk"
)

// Name is the module's registry name and URL segment.
const Name = "topics"

// PermEdit lets a user create and edit the tenant's topics.
const PermEdit = "topics.edit"

// Version of the module.
const Version = "1.0.0"

// NavTitle is the title of the public navigation entry.
const NavTitle = "专题专栏"

//go:embed migrations/*.sql
var migrationFS embed.FS

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// Module is the topics module, registered as "topics".
var Module = &sdk.Module{
	Name:        Name,
	Version:     Version,
	Title:       "专题专栏",
	Nav:         []sdk.NavEntry{{Title: NavTitle, Path: "topics/"}},
	Admin:       []sdk.NavEntry{{Title: "专题管理", Path: "admin/topics/", Permission: PermEdit}},
	Permissions: []sdk.Permission{{Name: PermEdit, Title: "创建和编辑本站专题", Kind: sdk.KindEdit}},
	Migrations:  mustSub(migrationFS, "migrations"),
	New:         New,
}

func init() { sdk.Register(Module) }

func mustSub(f fs.FS, dir string) fs.FS {
	s, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return s
}

func assetExists(name string) bool {
	_, err := fs.Stat(assetFS, "assets/"+name)
	return err == nil
}

// Handler serves the module for every tenant.
type Handler struct {
	env   *sdk.Env
	mux   *sdk.Mux
	pages *template.Template
	now   func() time.Time
}

var (
	_ http.Handler   = (*Handler)(nil)
	_ sdk.Configurer = (*Handler)(nil)
	_ sdk.Reindexer  = (*Handler)(nil)
	_ sdk.Statser    = (*Handler)(nil)
)

// New builds the handler (sdk.Module.New).
func New(_ context.Context, env *sdk.Env) (http.Handler, error) {
	if env.DB == nil {
		return nil, errors.New("topics needs its database")
	}
	t, err := template.New("topics").Funcs(funcs).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse topics templates: %w", err)
	}
	h := &Handler{env: env, pages: t, now: time.Now}
	m := sdk.NewMux()
	m.HandleFunc("GET /topics", h.addSlash)
	m.HandleFunc("GET /topics/{$}", h.list)
	m.HandleFunc("GET /topics/{id}", h.topic)
	m.HandleFunc("GET /topics/assets/{name}", h.asset)
	m.HandleFunc("GET /admin/topics", h.addSlash)
	m.HandleFunc("GET /admin/topics/{$}", h.editor(h.adminList))
	m.HandleFunc("GET /admin/topics/new", h.editor(h.newForm))
	m.HandleFunc("POST /admin/topics/{$}", h.editor(h.create))
	m.HandleFunc("GET /admin/topics/{id}", h.editor(h.edit))
	m.HandleFunc("POST /admin/topics/{id}", h.editor(h.save))
	m.HandleFunc("POST /admin/topics/{id}/status", h.editor(h.status))
	m.HandleFunc("POST /admin/topics/{id}/sections/{$}", h.editor(h.addSection))
	m.HandleFunc("POST /admin/topics/{id}/sections/{sid}", h.editor(h.section))
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		sdk.Fail(w, sdk.Errorf(sdk.ENOTFOUND, "页面不存在，可能已被删除或地址有误。"))
	})
	h.mux = m
	return h, nil
}

// ServeHTTP answers a request for any tenant; every handler scopes its
// queries to sdk.TenantOf(r).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// Routes lists the module's route patterns, for the host's isolation walk.
func (h *Handler) Routes() []string { return h.mux.Routes() }

var _ sdk.Router = (*Handler)(nil)

var funcs = template.FuncMap{
	"kindLabel": KindLabel,
	"add":       func(a, b int) int { return a + b },
	"date": func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.In(cst).Format("2006-01-02")
	},
	"datetime": func(t time.Time) string { return t.In(cst).Format("2006-01-02 15:04") },
	"articleDate": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(cst).Format("2006-01-02")
	},
	"isLocalVideo": func(u string) bool {
		ext := strings.ToLower(path.Ext(strings.SplitN(u, "?", 2)[0]))
		return strings.HasPrefix(u, "/") && !strings.HasPrefix(u, "//") && (ext == ".mp4" || ext == ".webm")
	},
	"isExternal": func(u string) bool { return !strings.HasPrefix(u, "/") || strings.HasPrefix(u, "//") },
}

// cst is the time zone dates are shown in.
var cst = time.FixedZone("CST", 8*3600)

// view is what every template gets.
type view struct {
	Base   string
	CSS    string
	CSRF   string
	Tenant *sdk.Tenant
	Editor bool
	Data   any
}

func (h *Handler) newView(r *http.Request, data any) view {
	return view{Base: sdk.Base(r), CSS: sdk.URL(r, "topics/assets/topics.css?v="+Version), CSRF: sdk.CSRFToken(r),
		Tenant: sdk.TenantOf(r), Editor: sdk.Can(r, PermEdit), Data: data}
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

// topicID reads the id in the path; anything but a positive number is
// simply a page that does not exist.
func topicID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, sdk.Errorf(sdk.ENOTFOUND, "页面不存在，可能已被删除或地址有误。")
	}
	return id, nil
}

func listCrumb(r *http.Request) sdk.Crumb {
	return sdk.Crumb{Name: NavTitle, URL: sdk.URL(r, "topics/")}
}

// bannerURL resolves a stored banner: the module's own pictures are
// named bare and served under this tenant's /topics/assets/.
func bannerURL(r *http.Request, u string) string {
	if isAsset(u) {
		return sdk.URL(r, "topics/assets/"+u)
	}
	return u
}

type listView struct {
	Topics, Archived []*cardView
}

type cardView struct {
	*Topic
	Banner string
}

func (h *Handler) list(w http.ResponseWriter, r *http.Request) {
	ts, err := listTopics(r.Context(), h.db(r), Published, Archived)
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	var v listView
	for _, t := range ts {
		c := &cardView{Topic: t, Banner: bannerURL(r, t.BannerURL)}
		if t.Status == Published {
			v.Topics = append(v.Topics, c)
		} else {
			v.Archived = append(v.Archived, c)
		}
	}
	sdk.Cacheable(w, 10*time.Minute)
	h.render(w, r, "list", NavTitle, []sdk.Crumb{{Name: NavTitle}}, 0, v)
}

type topicView struct {
	Topic  *Topic
	Banner string
	Blocks []*block
}

// block is a section with what it shows.
type block struct {
	*Section
	Articles []sdk.Article
	MoreURL  string
	// Unavailable is set when the host could not list the articles.
	Unavailable bool
}

// complete reports whether a section has something to show; a section
// just added and not yet filled in stays off the public page.
func (s *Section) complete() bool {
	switch s.Kind {
	case KindArticles:
		return s.Column != "" || s.Tag != ""
	case KindRichText:
		return strings.TrimSpace(s.Body) != ""
	case KindGallery:
		return len(s.Images()) > 0
	case KindVideo:
		return s.Video() != nil && s.Video().URL != ""
	}
	return false
}

func (h *Handler) topic(w http.ResponseWriter, r *http.Request) {
	id, err := topicID(r, "id")
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	db := h.db(r)
	t, err := getTopic(r.Context(), db, id)
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	if t.Status == Draft && !sdk.Can(r, PermEdit) {
		// A draft does not exist for the public, not even as "forbidden".
		sdk.Fail(w, sdk.Errorf(sdk.ENOTFOUND, "没有找到这个专题，它可能已被删除或地址有误。"))
		return
	}
	if t.Status != Draft {
		sdk.Cacheable(w, 10*time.Minute)
	}
	secs, err := sectionsOf(r.Context(), db, t.ID)
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	v := topicView{Topic: t, Banner: bannerURL(r, t.BannerURL)}
	for _, s := range secs {
		if !s.complete() {
			continue
		}
		b := &block{Section: s}
		if s.Kind == KindArticles {
			as, err := h.env.Host.Articles(r.Context(), sdk.ArticleQuery{TenantID: t.TenantID, Column: s.Column, Tag: s.Tag, Limit: s.Limit})
			if err != nil {
				// The rest of the topic is still worth showing.
				h.env.Log.Warn("list articles for a topic section", "tenant", t.TenantID, "topic", t.ID, "section", s.ID, "err", err)
				b.Unavailable = true
			}
			for i := range as {
				as[i].Path = sdk.URL(r, as[i].Path)
			}
			b.Articles = as
			// The column page is "more" only when the section shows the
			// column as it is, not a tag's selection of it.
			if s.Column != "" && s.Tag == "" {
				b.MoreURL = sdk.URL(r, "col/"+s.Column+"/")
			}
		}
		v.Blocks = append(v.Blocks, b)
	}
	h.render(w, r, "topic", t.Title, []sdk.Crumb{listCrumb(r), {Name: t.Title}}, 0, v)
}

func (h *Handler) asset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	b, err := fs.ReadFile(assetFS, "assets/"+name)
	if err != nil || strings.Contains(name, "/") {
		sdk.Fail(w, sdk.Errorf(sdk.ENOTFOUND, "文件不存在。"))
		return
	}
	switch path.Ext(name) {
	case ".css":
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
	case ".svg":
		w.Header().Set("Content-Type", "image/svg+xml")
	default:
		w.Header().Set("Content-Type", "application/octet-stream")
	}
	w.Header().Set("Cache-Control", "public, max-age=86400")
	_, _ = w.Write(b)
}
