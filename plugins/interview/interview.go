// Package interview is the online interview module (在线访谈): every
// quarter a department head answers citizens' questions live on the
// portal, with the county TV station's video.
//
// An interview has a topic, guests (name, post, photo), a host, a time,
// a duration and a description; its notice (预告) goes up a configurable
// number of days before (default 3) and from then on signed-in citizens
// send questions (rate limited). Staff holding interview.host screen them
// (approve, merge a duplicate into another, reject with a reason told to
// the asker, keep a private note); approved questions form the guests'
// queue in the order of approval. During the interview staff post the
// answers as rich text with photos; the live page shows them to every
// viewer within a second through the module's event channel, which the
// host fans out as Server-Sent Events (one subscription per interview,
// however many watch), and refreshes itself every 30 seconds without
// JavaScript. The TV station's HLS stream plays with hls.js (light
// build), served from the module's own assets.
//
// Afterwards the transcript (文字实录) is published with the photos and
// the video address and becomes a search document; approved questions
// not answered live are answered within 5 working days (the host's
// calendar); past interviews form the archive (往期回顾) of each site,
// and the portal's lists every enabling site's. A citizen's questions are
// cases on the account page, and the county office's figures count
// interviews, questions received, answered live and answered after.
//
// Routes, relative to the tenant's site:
//
//	GET  /interview/                         notices, live, archive (the portal's: every site's)
//	GET  /interview/{id}                     notice, live page or transcript
//	POST /interview/{id}/ask                 a question (signed in)
//	GET  /interview/{id}/photos/{pid}        a guest's or an answer's photo
//	GET  /interview/my/                      the signed-in person's questions
//	GET  /interview/assets/{name}            stylesheet, live script, hls.js
//	GET  /interview/events/{id}              (the host) the live page's events
//	GET  /admin/interview/                   staff: the site's interviews
//	GET  /admin/interview/new, POST /admin/interview/   plan one
//	GET  /admin/interview/{id}               staff: plan, guests, questions, answers
//	POST /admin/interview/{id}               save the plan
//	POST /admin/interview/{id}/guests        add a guest
//	POST /admin/interview/{id}/questions/{qid}  approve, merge, reject, note
//	POST /admin/interview/{id}/answers       post an answer (live or after)
//	POST /admin/interview/{id}/end           end the interview now
//	POST /admin/interview/{id}/transcript    publish the transcript
package interview

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/calendar"
)

// Name is the module's registry name and URL segment.
const Name = "interview"

// Version of the module.
const Version = "1.0.0"

// Permissions.
const (
	PermAsk  = "interview.ask"  // ask a question (any signed-in person)
	PermHost = "interview.host" // plan interviews, screen questions, post answers
)

// NavTitle is the public navigation entry.
const NavTitle = "在线访谈"

// Limits.
const (
	defaultAnnounceDays = 3
	defaultQuestionMax  = 500 // characters
	questionsPerHour    = 5   // per person
	afterDays           = 5   // working days to answer what was not answered live
	maxPhoto            = 5 << 20
)

//go:embed migrations/*.sql
var migrationFS embed.FS

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// Module is the interview module, registered as "interview".
var Module = &sdk.Module{
	Name: Name, Version: Version, Title: "在线访谈", Events: true,
	Nav:   []sdk.NavEntry{{Title: NavTitle, Path: "interview/"}},
	Admin: []sdk.NavEntry{{Title: "在线访谈", Path: "admin/interview/", Permission: PermHost}},
	Permissions: []sdk.Permission{
		{Name: PermAsk, Title: "在线访谈提问", Kind: sdk.KindPublic},
		{Name: PermHost, Title: "主持在线访谈：筛选问题、发布答复和文字实录", Kind: sdk.KindHost},
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

// cst is the time zone of the county.
var cst = time.FixedZone("CST", 8*3600)

// Settings are a tenant's settings: {"announce_days": 3, "question_max": 500}.
type Settings struct {
	AnnounceDays int `json:"announce_days"`
	QuestionMax  int `json:"question_max"`
}

func settingsOf(r *http.Request) Settings {
	var s Settings
	_ = sdk.Settings(r, &s)
	if s.AnnounceDays <= 0 || s.AnnounceDays > 60 {
		s.AnnounceDays = defaultAnnounceDays
	}
	if s.QuestionMax <= 0 || s.QuestionMax > 5000 {
		s.QuestionMax = defaultQuestionMax
	}
	return s
}

// Handler serves the module for every tenant.
type Handler struct {
	env   *sdk.Env
	mux   *sdk.Mux
	pages *template.Template
	log   *sdk.EventLog
	now   func() time.Time

	limMu sync.Mutex
	lim   map[string][]time.Time // in-process rate limit when the host has none
}

var (
	_ http.Handler  = (*Handler)(nil)
	_ sdk.Streamer  = (*Handler)(nil)
	_ sdk.Reindexer = (*Handler)(nil)
	_ sdk.Statser   = (*Handler)(nil)
	_ sdk.Caser     = (*Handler)(nil)
	_ sdk.Ticker    = (*Handler)(nil)
)

// New builds the handler (sdk.Module.New).
func New(_ context.Context, env *sdk.Env) (http.Handler, error) {
	if env.DB == nil {
		return nil, errors.New("interview needs its database")
	}
	t, err := template.New("interview").Funcs(funcs).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse interview templates: %w", err)
	}
	h := &Handler{env: env, pages: t, log: sdk.NewEventLog(env.DB), now: time.Now, lim: map[string][]time.Time{}}
	m := sdk.NewMux()
	m.HandleFunc("GET /interview", h.addSlash)
	m.HandleFunc("GET /interview/{$}", h.index)
	m.HandleFunc("GET /interview/my/{$}", h.mine)
	m.HandleFunc("GET /interview/assets/{name}", h.asset)
	m.HandleFunc("GET /interview/{id}", h.page)
	m.HandleFunc("POST /interview/{id}/ask", h.ask)
	m.HandleFunc("GET /interview/{id}/photos/{pid}", h.photo)
	m.HandleFunc("GET /admin/interview", h.addSlash)
	m.HandleFunc("GET /admin/interview/{$}", h.staff(h.adminList))
	m.HandleFunc("GET /admin/interview/new", h.staff(h.newForm))
	m.HandleFunc("POST /admin/interview/{$}", h.staff(h.create))
	m.HandleFunc("GET /admin/interview/{id}", h.staff(h.adminPage))
	m.HandleFunc("POST /admin/interview/{id}", h.staff(h.save))
	m.HandleFunc("POST /admin/interview/{id}/guests", h.staff(h.addGuest))
	m.HandleFunc("POST /admin/interview/{id}/questions/{qid}", h.staff(h.screen))
	m.HandleFunc("POST /admin/interview/{id}/answers", h.staff(h.answer))
	m.HandleFunc("POST /admin/interview/{id}/end", h.staff(h.end))
	m.HandleFunc("POST /admin/interview/{id}/transcript", h.staff(h.publishTranscript))
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

func (h *Handler) db(r *http.Request) *sdk.Scope { return h.env.DB.Tenant(sdk.TenantOf(r).ID) }

func (h *Handler) addSlash(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, sdk.URL(r, strings.TrimPrefix(r.URL.Path, "/")+"/"), http.StatusMovedPermanently)
}

// staff lets only holders of interview.host through.
func (h *Handler) staff(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if sdk.UserOf(r) == nil {
			http.Redirect(w, r, sdk.LoginURL(r), http.StatusSeeOther)
			return
		}
		if !sdk.Can(r, PermHost) {
			sdk.Fail(w, sdk.Errorf(sdk.EFORBID, "只有本站的访谈主持人和站点管理员可以管理在线访谈。"))
			return
		}
		next(w, r)
	}
}

var funcs = template.FuncMap{
	"dt":      func(t time.Time) string { return t.In(cst).Format("2006-01-02 15:04") },
	"date":    func(t time.Time) string { return t.In(cst).Format("2006年1月2日") },
	"clock":   func(t time.Time) string { return t.In(cst).Format("15:04") },
	"dtp":     func(t *time.Time) string { return t.In(cst).Format("2006-01-02 15:04") },
	"local":   func(t time.Time) string { return t.In(cst).Format("2006-01-02T15:04") },
	"phase":   func(p string) string { return phaseLabels[p] },
	"qstate":  questionState,
	"rich":    func(s string) template.HTML { return template.HTML(sdk.Sanitize(s)) }, //nolint:gosec // sanitized with the platform's policy
	"eq2":     func(a, b string) bool { return a == b },
	"map2":    func(k1 string, v1 any, k2 string, v2 any) map[string]any { return map[string]any{k1: v1, k2: v2} },
	"version": func() string { return Version },
}

// view is what every template gets.
type view struct {
	Base, CSS, CSRF string
	Tenant          *sdk.Tenant
	Staff           bool
	Data            any
}

func (h *Handler) newView(r *http.Request, data any) view {
	return view{Base: sdk.Base(r), CSS: sdk.URL(r, "interview/assets/interview.css?v="+Version), CSRF: sdk.CSRFToken(r),
		Tenant: sdk.TenantOf(r), Staff: sdk.Can(r, PermHost), Data: data}
}

// render answers with template name as a fragment.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, name, title string, crumbs []sdk.Crumb, status int, data any) {
	var buf bytes.Buffer
	if err := h.pages.ExecuteTemplate(&buf, name, h.newView(r, data)); err != nil {
		h.env.Log.Error("render", "template", name, "err", err)
		sdk.Fail(w, err)
		return
	}
	crumbs = append([]sdk.Crumb{{Name: NavTitle, URL: sdk.URL(r, "interview/")}}, crumbs...)
	sdk.Render(w, sdk.Fragment{Title: title, Crumbs: crumbs, HTML: template.HTML(buf.String()), Current: NavTitle, Status: status}) //nolint:gosec // html/template output
}

func (h *Handler) asset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	b, err := fs.ReadFile(assetFS, "assets/"+name)
	if err != nil || strings.Contains(name, "/") {
		sdk.Fail(w, sdk.Errorf(sdk.ENOTFOUND, "文件不存在。"))
		return
	}
	switch {
	case strings.HasSuffix(name, ".css"):
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
	case strings.HasSuffix(name, ".js"):
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	default:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	}
	w.Header().Set("Cache-Control", "public, max-age=86400")
	_, _ = w.Write(b)
}

// idOf reads a positive id in the path.
func idOf(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, sdk.Errorf(sdk.ENOTFOUND, "页面不存在，可能已被删除或地址有误。")
	}
	return id, nil
}

// markup finds what looks like HTML in a plain-text field.
var markup = regexp.MustCompile(`(?i)<\s*/?\s*[a-z!]|javascript:`)

// unsafeMarkup is what the sanitizer removes that a writer should hear
// about (formatting it tidies is not worth a word).
var unsafeMarkup = regexp.MustCompile(`(?i)<\s*(script|iframe|object|embed|style)|\son[a-z]+\s*=|javascript:`)

// plain checks a plain-text field: trimmed, required when asked, at most
// max characters, no markup (refused, not silently changed: people see
// what they sent).
func plain(label, v string, max int, required bool) (string, string) {
	v = strings.TrimSpace(v)
	switch {
	case v == "" && required:
		return "", fmt.Sprintf("请填写%s。", label)
	case utf8.RuneCountInString(v) > max:
		return "", fmt.Sprintf("%s不能超过 %d 个字（现有 %d 个字）。", label, max, utf8.RuneCountInString(v))
	case markup.MatchString(v):
		return "", fmt.Sprintf("%s中不能包含网页代码（如 <script>），请删除后重试。", label)
	}
	return v, ""
}

// rich cleans a rich-text field with the platform's policy and says so
// when something was removed.
func rich(label, v string, max int, required bool) (string, string, string) {
	v = strings.TrimSpace(v)
	clean := sdk.Sanitize(v)
	text := strings.TrimSpace(sdk.PlainText(clean))
	switch {
	case text == "" && required:
		return "", "", fmt.Sprintf("请填写%s。", label)
	case utf8.RuneCountInString(text) > max:
		return "", "", fmt.Sprintf("%s不能超过 %d 个字。", label, max)
	}
	note := ""
	if clean != v && unsafeMarkup.MatchString(v) {
		note = fmt.Sprintf("%s中的脚本等不安全代码已被自动清除。", label)
	}
	return clean, note, ""
}

// today is the calendar date in China.
func (h *Handler) today() calendar.Date { return calendar.DateOf(h.now().In(cst)) }

// allow spends one question of the person's hourly limit: counted by the
// host (so it survives restarts), in this process when the host has no
// such service.
func (h *Handler) allow(r *http.Request, key string) bool {
	ok, _, err := h.env.Host.Allow(r.Context(), "question", key, questionsPerHour, time.Hour)
	if err == nil {
		return ok
	}
	if !errors.Is(err, sdk.ErrUnsupported) {
		h.env.Log.Warn("rate limit: host unavailable, counting in this process", "err", err)
	}
	h.limMu.Lock()
	defer h.limMu.Unlock()
	now := h.now()
	var kept []time.Time
	for _, t := range h.lim[key] {
		if now.Sub(t) < time.Hour {
			kept = append(kept, t)
		}
	}
	if len(kept) >= questionsPerHour {
		h.lim[key] = kept
		return false
	}
	h.lim[key] = append(kept, now)
	return true
}

func (h *Handler) audit(r *http.Request, action, target, detail string) {
	err := h.env.Host.Audit(r.Context(), sdk.AuditEntry{TenantID: sdk.TenantOf(r).ID, Actor: sdk.UserOf(r).Actor(), Action: action,
		Target: target, Detail: detail, RemoteAddr: r.RemoteAddr, Result: "ok"})
	if err != nil {
		h.env.Log.Warn("audit", "action", action, "err", err)
	}
	// Every staff action may change a public page (an approved question,
	// an answer, a transcript): the host's page caches drop the tenant's
	// interview pages.
	if err := h.env.Host.PagesChanged(r.Context(), sdk.TenantOf(r).ID, ""); err != nil && !errors.Is(err, sdk.ErrUnsupported) {
		h.env.Log.Warn("pages changed", "action", action, "err", err)
	}
}
