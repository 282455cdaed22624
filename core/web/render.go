package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"regexp"
	"strings"

	"yiwang/core"
	"yiwang/core/content"
	"yiwang/tenants"
)

//go:embed templates/*.html templates/partials/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// staticNames are the embedded assets' content-hashed names
// (site.css → site.3f2a9c1b0d.css): a page names the version it was drawn
// with, so the asset can be kept by browsers for good.
var staticNames, staticFiles = hashStatic()

var hashedName = regexp.MustCompile(`^(.+)\.([0-9a-f]{10})(\.[a-z0-9]+)$`)

func hashStatic() (names, files map[string]string) {
	names, files = map[string]string{}, map[string]string{}
	_ = fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(p, "static/")
		sum := sha256.Sum256(b)
		ext := path.Ext(name)
		hashed := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:5]) + ext
		names[name], files[hashed] = hashed, name
		return nil
	})
	return names, files
}

// staticURL is the hashed URL of an embedded asset.
func staticURL(name string) string {
	if h, ok := staticNames[name]; ok {
		return "/static/" + h
	}
	return "/static/" + name
}

// StaticHandler serves the embedded assets: a hashed name is immutable;
// an old hash (a page drawn before a new build) or a plain name gets the
// current file, briefly cached.
func StaticHandler() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	fsrv := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/static/")
		r2 := r.Clone(r.Context())
		if plain, ok := staticFiles[name]; ok {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
			r2.URL.Path = "/" + plain
		} else {
			if m := hashedName.FindStringSubmatch(name); m != nil {
				name = m[1] + m[3]
			}
			w.Header().Set("Cache-Control", "public, max-age=300")
			r2.URL.Path = "/" + name
		}
		fsrv.ServeHTTP(w, r2)
	})
}

// themeFile is a site's theme colour as a stylesheet, so that no page
// needs an inline style (and a cached page no per-request nonce).
var themeFile = regexp.MustCompile(`^([0-9a-fA-F]{6})\.css$`)

// ThemeHandler serves a site's theme colour as a stylesheet.
func ThemeHandler(w http.ResponseWriter, r *http.Request) {
	m := themeFile.FindStringSubmatch(r.PathValue("file"))
	if m == nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	_, _ = w.Write([]byte("body{--theme:#" + strings.ToLower(m[1]) + "}\n"))
}

// views holds one template set per page, each the layout plus the page.
type views struct {
	pages map[string]*template.Template
}

var funcs = template.FuncMap{
	"pubtime": content.FormatTime,
	"static":  staticURL,
	"theme":   func(color string) string { return "/theme/" + strings.ToLower(strings.TrimPrefix(color, "#")) + ".css" },
	"add":     func(a, b int) int { return a + b },
	"sub":     func(a, b int) int { return a - b },
	"seq": func(n int) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = i + 1
		}
		return out
	},
	"coltype": content.ColumnTypeLabel,
	"bytes":   content.FormatBytes,
	"paras":   transcriptParas,
	"mb":      func(n int64) int64 { return n >> 20 },
	"smnode": func(c *content.Column, base string, counts map[int64]int) smNode {
		return smNode{Column: c, Base: base, Counts: counts}
	},
	"cols":   tableColumns,
	"action": newRowAction,
}

// tableColumns is the template function "cols": the column names of a
// "table-start" partial; a name that is not a non-empty string, such as
// (and $v.County "站点") when not County, is left out.
func tableColumns(names ...any) []string {
	var out []string
	for _, n := range names {
		if s, ok := n.(string); ok && s != "" {
			out = append(out, s)
		}
	}
	return out
}

// rowAction is the data of the "row-action" partial: a console table
// row's one-button form.
type rowAction struct {
	Action, CSRF, Text, Label string
	Danger                    bool
	Hidden                    []hiddenField
}

type hiddenField struct{ Name, Value string }

// newRowAction is the template function "action" (see
// templates/partials/console.html): hidden comes as name, value pairs;
// a pair whose name is not a non-empty string is left out, so a field
// can depend on a condition.
func newRowAction(action, csrf, text, label string, danger bool, hidden ...any) (rowAction, error) {
	if len(hidden)%2 != 0 {
		return rowAction{}, fmt.Errorf("action %s: hidden fields come in name, value pairs", action)
	}
	a := rowAction{Action: action, CSRF: csrf, Text: text, Label: label, Danger: danger}
	for i := 0; i < len(hidden); i += 2 {
		if name, ok := hidden[i].(string); ok && name != "" {
			a.Hidden = append(a.Hidden, hiddenField{name, fmt.Sprint(hidden[i+1])})
		}
	}
	return a, nil
}

// smNode is one column of the site map with what its template needs.
type smNode struct {
	Column *content.Column
	Base   string
	Counts map[int64]int
}

func parseViews() (*views, error) {
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout and partials: %w", err)
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	v := &views{pages: map[string]*template.Template{}}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(templateFS, n)
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", n, err)
		}
		if t.Lookup("content") == nil {
			return nil, fmt.Errorf("template %s defines no \"content\"", n)
		}
		v.pages[name] = t
	}
	return v, nil
}

// Meta are the meta tags of the national government web page
// specification (政府网站网页设计规范).
type Meta struct {
	SiteName, SiteDomain, SiteIDCode                  string
	ColumnName, ColumnDescription, ColumnKeywords     string
	ColumnType                                        string
	ArticleTitle, PubDate, ContentSource, Author, URL string
	Keywords, Description                             string
}

// Crumb is one step of the breadcrumb trail.
type Crumb struct{ Name, URL string }

// page is what every template gets.
type Page struct {
	Title     string
	Site      *tenants.Tenant
	Portal    *tenants.Tenant
	Base      string // this site's base URL
	PortalURL string
	Directory []DirGroup // filled only on the directory page
	// DirectoryHTML is the directory panel, rendered once per snapshot and
	// link form: it lists every site and would otherwise dominate the
	// cost of each page.
	DirectoryHTML template.HTML
	Nav           []*content.Column
	Current       string // slug of the current column
	Crumbs        []Crumb
	Meta          Meta
	Canonical     string
	Elder         bool   // large-text mode
	Path          string // path of this page within the site, for the elder toggle's return
	Status        int
	Data          any

	User      *Viewer    // signed-in person, nil for nobody
	CSRF      string     // token for forms on this page
	Nonce     string     // the request's CSP nonce, for the theme's inline style
	ModuleNav []NavEntry // module entries after the columns
}

// newPage fills the shared parts of a page for site.
func (s *Server) newPage(w http.ResponseWriter, r *http.Request, site *reqSite, title string) (*Page, error) {
	nav, err := s.siteColumns(r.Context(), site.tenant.ID)
	if err != nil {
		return nil, err
	}
	p := &Page{
		Title: title, Site: site.tenant, Portal: site.snap.portal, Base: site.base,
		PortalURL: site.link.siteBase(site.snap.portal), Nav: nav,
		Elder:  elderOn(r),
		Path:   r.URL.Path,
		Status: http.StatusOK,
	}
	p.DirectoryHTML = s.directoryHTML(site, p)
	if v, _ := r.Context().Value(siteKey{}).(*reqSite); v == nil {
		// The extensions below learn the site with SiteOf(r); an error
		// answered before routing (an unknown /site/<code>/) has not put
		// it in r yet.
		r = r.WithContext(context.WithValue(r.Context(), siteKey{}, site))
	}
	if s.ext.Viewer != nil {
		p.User = s.ext.Viewer(r)
	}
	if s.ext.CSRFToken != nil {
		p.CSRF = s.ext.CSRFToken(w, r)
	}
	if s.ext.Nav != nil {
		p.ModuleNav = s.ext.Nav(r, site.tenant)
	}
	p.Canonical = site.link.absolute(strings.TrimSuffix(site.base, "/") + r.URL.Path)
	p.Meta = Meta{
		SiteName:   site.snap.portal.Name,
		SiteDomain: site.snap.portal.PrimaryDomain(),
		SiteIDCode: site.snap.portal.SiteIDCode,
		URL:        p.Canonical,
	}
	if p.Meta.SiteDomain == "" {
		p.Meta.SiteDomain = site.link.host
	}
	if !site.tenant.IsPortal() {
		p.Crumbs = []Crumb{{site.snap.portal.Name, p.PortalURL}}
	}
	p.Crumbs = append(p.Crumbs, Crumb{site.tenant.Name, site.base})
	return p, nil
}

// directoryHTML renders the directory panel, cached in the snapshot by
// the link form of the request.
func (s *Server) directoryHTML(site *reqSite, p *Page) template.HTML {
	key := site.link.key()
	if v, ok := site.snap.dirHTML.Load(key); ok {
		return v.(template.HTML)
	}
	var buf bytes.Buffer
	data := struct {
		Groups []DirGroup
		AllURL string
	}{directory(site), p.PortalURL + "sites/"}
	if err := s.views.pages["error"].ExecuteTemplate(&buf, "directory", data); err != nil {
		s.log.Error("render directory", "err", err)
		return ""
	}
	h := template.HTML(buf.String()) //nolint:gosec // rendered by html/template
	site.snap.dirHTML.Store(key, h)
	return h
}

func directory(site *reqSite) []DirGroup {
	var gs []DirGroup
	for _, k := range tenants.Kinds {
		if k == tenants.Portal {
			continue
		}
		g := DirGroup{Label: k.Label()}
		for _, t := range site.snap.all {
			if t.Kind == k && t.Status == tenants.Active {
				g.Sites = append(g.Sites, DirSite{Name: t.Name, URL: site.link.siteBase(t)})
			}
		}
		if len(g.Sites) > 0 {
			gs = append(gs, g)
		}
	}
	return gs
}

// render writes page p with template name, buffered so that a template
// error becomes an error page, not half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, name string, p *Page) {
	t := s.views.pages[name]
	if t == nil {
		s.log.Error("render: no template", "name", name)
		http.Error(w, "页面模板缺失", http.StatusInternalServerError)
		return
	}
	p.Nonce = Nonce(r)
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", p); err != nil {
		s.log.Error("render", "template", name, "err", err)
		http.Error(w, "页面生成失败，请稍后再试。", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	if p.Status == 0 {
		p.Status = http.StatusOK
	}
	w.WriteHeader(p.Status)
	_, _ = buf.WriteTo(w)
}

// errorView is the data of the error page.
type errorView struct {
	Heading string
	Message string
}

// renderError answers err as a page in the site's layout.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, site *reqSite, err error) {
	status := StatusOf(err)
	var ce *core.Error
	if !errors.As(err, &ce) || status >= 500 {
		s.log.Error("request failed", "request_id", RequestID(r), "method", r.Method, "path", r.URL.Path, "err", err)
	}
	v := errorView{Message: core.ErrorMessage(err)}
	switch status {
	case http.StatusNotFound:
		v.Heading = "您访问的页面不存在"
	case http.StatusGone:
		v.Heading = "该页面已不再提供"
	case http.StatusServiceUnavailable:
		v.Heading = "服务暂时不可用"
		if core.ErrorCode(err) == core.EINTERNAL {
			v.Message = "系统正在维护或繁忙，请稍后再试。"
		}
	default:
		v.Heading = "请求无法完成"
	}
	p, perr := s.newPage(w, r, site, v.Heading)
	if perr != nil {
		s.plainError(w, r, err)
		return
	}
	p.Status, p.Data = status, v
	if status >= 500 {
		w.Header().Set("Retry-After", "30")
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, "error", p)
}

// plainError answers when not even the layout can be drawn (no database).
func (s *Server) plainError(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error("request failed without layout", "path", r.URL.Path, "err", err)
	w.Header().Set("Retry-After", "30")
	msg := "系统正在维护或繁忙，请稍后再试。"
	if core.ErrorCode(err) != core.EINTERNAL {
		msg = core.ErrorMessage(err)
	}
	s.plainErrorStatus(w, r, StatusOf(err), msg)
}

// plainErrorStatus writes the page drawn without the layout: status and
// msg, which must be safe to show.
func (s *Server) plainErrorStatus(w http.ResponseWriter, r *http.Request, status int, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>服务暂时不可用</title>%s<main><h1>服务暂时不可用</h1><p>%s</p></main></html>`,
		plainStyle(r), template.HTMLEscapeString(msg))
}

// plainStyle is the style element of the pages drawn without the layout.
func plainStyle(r *http.Request) string {
	return `<style nonce="` + Nonce(r) + `">main{font:18px/1.6 sans-serif;max-width:40em;margin:3em auto;padding:0 1em}</style>`
}

// transcriptParas splits a transcript into paragraphs for the page.
func transcriptParas(s string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
