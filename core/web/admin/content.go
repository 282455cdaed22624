package admin

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"yiwang/core"
	"yiwang/core/content"
	"yiwang/core/web"
	"yiwang/core/web/account"
	"yiwang/sso"
	"yiwang/tenants"
)

// The editorial console: each tenant's articles (write, review, publish,
// schedule, versions, withdrawal), columns, and 信息报送, under /admin/ of
// the tenant's site, behind the same sign-on, second factor and CSRF
// checks as the rest of the console. Every action goes through
// content.Desk, which scopes by the acting tenant and user.

// EditorialOptions configure the editorial console.
type EditorialOptions struct {
	Uploads content.UploadConfig
	// SignedVideoURLs sends a browser asking for a video to a short-lived
	// signed URL of the store (S3), so the bytes do not pass through the
	// host; the store's endpoint must be HTTPS, which the pages' security
	// policy requires of media from elsewhere. Other files, and stores
	// without signed URLs, are streamed by the host.
	SignedVideoURLs bool
}

// Editorial is the console's handlers over one desk.
type Editorial struct {
	s    *web.Server
	d    *content.Desk
	opts EditorialOptions
}

// NewEditorial makes the editorial console over d on s: the body limits
// of its uploads, the videos of the public column pages. Its routes and
// its console entries (Entries) are added by core/web/host. Sign-on (account.New)
// must be installed for the console to open; without it every console
// route answers 403.
func NewEditorial(s *web.Server, d *content.Desk, opts EditorialOptions) *Editorial {
	e := &Editorial{s: s, d: d, opts: opts}
	max := opts.Uploads.MaxUpload
	if max <= 0 {
		max = content.DefaultMaxUpload
	}
	// An upload carries its form token in a header, so the body is read by
	// the upload alone: a file and the multipart envelope around it.
	s.AllowBodyUnder("admin/uploads", max+1<<20)
	// A chunk is the one request body larger than a form: allow it on
	// the chunk route alone.
	s.AllowBodyUnder("chunk", content.ChunkSize+64<<10)
	s.UseVideos(d)

	return e
}

// Entries are the console entries of the editorial pages a person with
// roles on t may use (web.AdminEntries).
func (e *Editorial) Entries(r *http.Request, t *tenants.Tenant, roles []tenants.Role) []web.AdminEntry {
	base := web.SiteOf(r).Base
	a := content.Actor{TenantID: t.ID, Roles: roles}
	var out []web.AdminEntry
	if a.Can(content.PermReadDesk) {
		out = append(out, web.AdminEntry{Title: "文章管理", URL: base + "admin/articles/", Description: "撰写、审核、发布、定时发布和撤稿；查看版本和历史。"})
	}
	if a.Can(content.PermColumns) {
		out = append(out, web.AdminEntry{Title: "栏目管理", URL: base + "admin/columns/", Description: "新增、改名、排序、隐藏和移动本站栏目。"})
	}
	if a.Can(content.PermReadDesk) {
		out = append(out, web.AdminEntry{Title: "视频管理", URL: base + "admin/videos/", Description: "上传电视新闻等视频（大文件分片上传，断网可续传），填写简介和文字稿，发布到视频栏目。"})
	}
	if a.Can(content.PermReadDesk) {
		out = append(out, web.AdminEntry{Title: "信息报送", URL: base + "admin/submissions/", Description: "向门户报送信息，处理报送到本站的稿件，查看采用统计。"})
	}
	if a.County() && t.IsPortal() {
		out = append(out, web.AdminEntry{Title: "信息报送统计（全县）", URL: base + "admin/submissions/stats", Description: "各单位报送、采用、未采用和采用率排名与图表，含向省、市网站的报送。"})
		out = append(out, web.AdminEntry{Title: "内容检查规则", URL: base + "admin/checks/", Description: "全县禁用词、敏感词、常见严重错误和链接检查设置。"})
	}
	return out
}

// Options are the console's options.
func (e *Editorial) Options() EditorialOptions { return e.opts }

// Desk is the editorial desk the console works on.
func (e *Editorial) Desk() *content.Desk { return e.d }

// staffHandler is a console handler with the acting person.
type staffHandler func(w http.ResponseWriter, r *http.Request, a content.Actor)

// Staff guards an editorial route with the console's own access rule
// (signed in, second factor, a role that carries p on this tenant) and
// hands the handler the actor the desk needs.
func (e *Editorial) Staff(p tenants.Permission, h staffHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		acc := account.Of(r)
		if acc == nil {
			e.s.RenderError(w, r, core.Errorf(core.EFORBID, "统一身份认证未启用，管理功能不可用。"))
			return
		}
		allowed := func(u *sso.User, t *tenants.Tenant) bool {
			return content.Actor{TenantID: t.ID, Roles: u.Roles(t.ID)}.Can(p)
		}
		acc.Staff(allowed, func(w http.ResponseWriter, r *http.Request, u *sso.User) {
			t := web.SiteOf(r).Tenant
			h(w, r, content.Actor{TenantID: t.ID, UserID: u.ID, Name: u.DisplayName(), Roles: u.Roles(t.ID), RemoteAddr: acc.ClientIP(r)})
		})(w, r)
	}
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, core.Errorf(core.ENOTFOUND, "没有找到这篇文章")
	}
	return id, nil
}

// FormIDs reads the ids a form sends under name.
func FormIDs(r *http.Request, name string) []int64 {
	// PostFormValue parses multipart bodies too (editor.js posts FormData).
	_ = r.PostFormValue(name)
	var out []int64
	for _, v := range r.PostForm[name] {
		if id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil && id > 0 {
			out = append(out, id)
		}
	}
	return out
}

// adminCrumbs starts a console page's breadcrumbs.
func adminCrumbs(r *http.Request, more ...web.Crumb) []web.Crumb {
	return append([]web.Crumb{{Name: "管理后台", URL: web.SiteOf(r).Base + "admin/"}}, more...)
}

// contentCrumbs starts the breadcrumbs of an editorial page.
func contentCrumbs(r *http.Request, more ...web.Crumb) []web.Crumb {
	return adminCrumbs(r, append([]web.Crumb{{Name: "文章管理", URL: web.SiteOf(r).Base + "admin/articles/"}}, more...)...)
}

// listView is the data of admin_content_list.html.
type listView struct {
	Page    *content.ManuscriptPage
	Status  string
	Text    string
	Tabs    []tab
	CanNew  bool
	Columns map[int64]string
	Prev    string
	Next    string
}

type tab struct {
	Label, URL string
	Current    bool
}

var listTabs = []struct{ status, label string }{
	{"", "全部"}, {content.Draft, "草稿"}, {content.Returned, "已退回"}, {"review", "待审核"},
	{content.Scheduled, "定时发布"}, {content.Published, "已发布"}, {content.Withdrawn, "已撤稿"},
}

func (e *Editorial) List(w http.ResponseWriter, r *http.Request, a content.Actor) {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	f := content.ListFilter{Status: q.Get("status"), Text: q.Get("q"), Page: page}
	p, err := e.d.List(r.Context(), a, f)
	if err != nil {
		e.s.RenderError(w, r, err)
		return
	}
	base := web.SiteOf(r).Base + "admin/articles/"
	v := listView{Page: p, Status: f.Status, Text: f.Text, CanNew: a.Can(content.PermWrite), Columns: map[int64]string{}}
	for _, t := range listTabs {
		u := base
		if t.status != "" {
			u += "?status=" + t.status
		}
		v.Tabs = append(v.Tabs, tab{t.label, u, t.status == f.Status})
	}
	cols, err := e.d.AllColumns(r.Context(), a)
	if err != nil {
		e.s.RenderError(w, r, err)
		return
	}
	for _, c := range web.FlattenColumns(cols) {
		v.Columns[c.ID] = c.Name
	}
	pageURL := func(n int) string {
		return base + "?" + url.Values{"status": {f.Status}, "q": {f.Text}, "page": {strconv.Itoa(n)}}.Encode()
	}
	if p.Number > 1 {
		v.Prev = pageURL(p.Number - 1)
	}
	if p.Number < p.Pages() {
		v.Next = pageURL(p.Number + 1)
	}
	e.s.RenderStatus(w, r, "admin_content_list", "文章管理 - "+web.SiteOf(r).Tenant.Name, contentCrumbs(r), v, http.StatusOK)
}

// editView is the data of admin_content_edit.html.
type editView struct {
	ID      int64 // 0 for a new article
	In      content.Input
	Columns []*content.Column
	Extra   map[int64]bool
	Error   string
	Report  *content.CheckReport
	Notice  string // e.g. the article is published: saving makes a revision
	Action  string
	Version int
}

func (e *Editorial) renderEdit(w http.ResponseWriter, r *http.Request, a content.Actor, v editView, status int) {
	cols, err := e.d.AllColumns(r.Context(), a)
	if err != nil {
		e.s.RenderError(w, r, err)
		return
	}
	v.Columns = web.FlattenColumns(cols)
	v.Extra = map[int64]bool{}
	for _, c := range v.In.Columns {
		v.Extra[c] = true
	}
	title := "新建文章"
	if v.ID != 0 {
		title = "编辑文章"
	}
	e.s.RenderStatus(w, r, "admin_content_edit", title+" - "+web.SiteOf(r).Tenant.Name, contentCrumbs(r, web.Crumb{Name: title, URL: ""}), v, status)
}

func (e *Editorial) NewForm(w http.ResponseWriter, r *http.Request, a content.Actor) {
	v := editView{Action: web.SiteOf(r).Base + "admin/articles/new", In: content.Input{Source: web.SiteOf(r).Tenant.Name}}
	if c, err := strconv.ParseInt(r.URL.Query().Get("column"), 10, 64); err == nil {
		v.In.ColumnID = c
	}
	e.renderEdit(w, r, a, v, http.StatusOK)
}

// formInput reads the editor form. There is deliberately no publish time
// in it: whatever a request carries, the server's clock sets it.
func formInput(r *http.Request) content.Input {
	col, _ := strconv.ParseInt(r.PostFormValue("column"), 10, 64)
	return content.Input{ColumnID: col, Columns: FormIDs(r, "columns"), Title: r.PostFormValue("title"), Subtitle: r.PostFormValue("subtitle"),
		Summary: r.PostFormValue("summary"), Body: r.PostFormValue("body"), Source: r.PostFormValue("source"),
		Author: r.PostFormValue("author"), Keywords: r.PostFormValue("keywords"), CoverURL: strings.TrimSpace(r.PostFormValue("cover"))}
}

func (e *Editorial) Create(w http.ResponseWriter, r *http.Request, a content.Actor) {
	in := formInput(r)
	m, err := e.d.Create(r.Context(), a, in)
	if r.PostFormValue("op") == "autosave" {
		// The first autosave of a new article creates it; editor.js then
		// edits that article.
		if err != nil {
			e.jsonError(w, r, err)
			return
		}
		base := web.SiteOf(r).Base + "admin/articles/" + strconv.FormatInt(m.ID, 10)
		web.WriteJSON(w, http.StatusOK, map[string]any{"ok": true, "version": m.Version, "at": content.FormatTime(time.Now()),
			"edit": base + "/edit", "autosave": base + "/autosave"})
		return
	}
	if err != nil {
		e.renderEdit(w, r, a, editView{Action: web.SiteOf(r).Base + "admin/articles/new", In: in, Error: core.ErrorMessage(err)}, web.StatusOf(err))
		return
	}
	if r.PostFormValue("op") == "submit" {
		e.submitAndShow(w, r, a, m.ID, in, r.PostFormValue("ack") == "1")
		return
	}
	e.done(w, r, m.ID, "saved")
}

func (e *Editorial) EditForm(w http.ResponseWriter, r *http.Request, a content.Actor) {
	id, err := pathID(r)
	if err != nil {
		e.s.RenderError(w, r, err)
		return
	}
	m, err := e.d.Manuscript(r.Context(), a, id)
	if err != nil {
		e.s.RenderError(w, r, err)
		return
	}
	if !m.Editable() {
		e.s.RenderError(w, r, core.Errorf(core.ECONFLICT, "文章当前状态为“%s”，不能修改。", m.StatusLabel()))
		return
	}
	// Continue from the newest version: for a published article that is
	// the pending revision, not the text online.
	in := m.Input()
	if v, err := e.d.Version(r.Context(), a, id, m.Version); err == nil {
		in = v.Input()
	} else if core.ErrorCode(err) != core.ENOTFOUND { // none yet: an article from before the desk
		e.s.RenderError(w, r, err)
		return
	}
	ev := editView{ID: id, In: in, Action: web.SiteOf(r).Base + "admin/articles/" + strconv.FormatInt(id, 10) + "/edit", Version: m.Version}
	if m.Status == content.Published {
		ev.Notice = "这篇文章已发布。保存的修改将作为修改稿送审，审核通过前网站上仍显示原文。"
	}
	e.renderEdit(w, r, a, ev, http.StatusOK)
}

func (e *Editorial) Save(w http.ResponseWriter, r *http.Request, a content.Actor) {
	id, err := pathID(r)
	if err != nil {
		e.s.RenderError(w, r, err)
		return
	}
	in := formInput(r)
	if _, err := e.d.Save(r.Context(), a, id, in, false); err != nil {
		e.renderEdit(w, r, a, editView{ID: id, In: in, Error: core.ErrorMessage(err),
			Action: web.SiteOf(r).Base + "admin/articles/" + strconv.FormatInt(id, 10) + "/edit"}, web.StatusOf(err))
		return
	}
	if r.PostFormValue("op") == "submit" {
		e.submitAndShow(w, r, a, id, in, r.PostFormValue("ack") == "1")
		return
	}
	e.done(w, r, id, "saved")
}

// submitAndShow submits after a save from the editor; check hits send the
// writer back to the editor with the places marked.
func (e *Editorial) submitAndShow(w http.ResponseWriter, r *http.Request, a content.Actor, id int64, in content.Input, ack bool) {
	rep, err := e.d.Submit(r.Context(), a, id, ack)
	if err != nil {
		e.renderEdit(w, r, a, editView{ID: id, In: in, Error: core.ErrorMessage(err), Report: rep,
			Action: web.SiteOf(r).Base + "admin/articles/" + strconv.FormatInt(id, 10) + "/edit"}, web.StatusOf(err))
		return
	}
	e.done(w, r, id, "submitted")
}

// Autosave keeps a draft while the writer types (editor.js posts every
// half minute with the CSRF token in a header) and answers JSON.
func (e *Editorial) Autosave(w http.ResponseWriter, r *http.Request, a content.Actor) {
	id, err := pathID(r)
	if err == nil {
		var m *content.Manuscript
		if m, err = e.d.Save(r.Context(), a, id, formInput(r), true); err == nil {
			web.WriteJSON(w, http.StatusOK, map[string]any{"ok": true, "version": m.Version, "at": content.FormatTime(time.Now())})
			return
		}
	}
	e.jsonError(w, r, err)
}

// jsonError answers an autosave's failure as editor.js reads it. A
// server-side failure (the database unreachable, a transaction that
// could not commit) is logged too, as a page's would be: the JSON answer
// alone would leave no trace of why an editor's text was not saved.
func (e *Editorial) jsonError(w http.ResponseWriter, r *http.Request, err error) {
	status := web.StatusOf(err)
	if status >= 500 {
		e.s.Log().Error("request failed", "request_id", web.RequestID(r), "method", r.Method, "path", r.URL.Path, "err", err)
	}
	web.WriteJSON(w, status, map[string]any{"ok": false, "error": core.ErrorMessage(err)})
}

// CheckJSON runs the county's checks on the editor's text and answers the
// hits with their places, for editor.js to mark.
func (e *Editorial) CheckJSON(w http.ResponseWriter, r *http.Request, a content.Actor) {
	rep, err := e.d.CheckText(r.Context(), a, formInput(r))
	if err != nil {
		web.WriteJSON(w, web.StatusOf(err), map[string]any{"ok": false, "error": core.ErrorMessage(err)})
		return
	}
	hits := rep.Hits
	if hits == nil {
		hits = []content.Hit{}
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"ok": true, "blocked": rep.Blocked(), "hits": hits})
}

func (e *Editorial) Submit(w http.ResponseWriter, r *http.Request, a content.Actor) {
	id, err := pathID(r)
	if err != nil {
		e.s.RenderError(w, r, err)
		return
	}
	rep, err := e.d.Submit(r.Context(), a, id, r.PostFormValue("ack") == "1")
	if err != nil {
		e.renderView(w, r, a, id, err, rep)
		return
	}
	e.done(w, r, id, "submitted")
}

// Approve publishes now, or schedules for the time given in Beijing time.
// A publish time is never read from the form: "at" is only a schedule,
// and one in the past is refused.
func (e *Editorial) Approve(w http.ResponseWriter, r *http.Request, a content.Actor) {
	id, err := pathID(r)
	if err != nil {
		e.s.RenderError(w, r, err)
		return
	}
	var at *time.Time
	if s := strings.TrimSpace(r.PostFormValue("at")); s != "" && r.PostFormValue("when") == "later" {
		t, perr := time.ParseInLocation("2006-01-02T15:04", s, content.Location)
		if perr != nil {
			e.renderView(w, r, a, id, core.Errorf(core.EINVALID, "定时发布时间格式无效"), nil)
			return
		}
		at = &t
	}
	if err := e.d.Approve(r.Context(), a, id, at); err != nil {
		e.renderView(w, r, a, id, err, nil)
		return
	}
	code := "published"
	if at != nil {
		code = "scheduled"
	}
	e.done(w, r, id, code)
}

// Action is a POST on one article that answers with its page.
func (e *Editorial) Action(code string, do func(r *http.Request, a content.Actor, id int64) error) staffHandler {
	return func(w http.ResponseWriter, r *http.Request, a content.Actor) {
		id, err := pathID(r)
		if err != nil {
			e.s.RenderError(w, r, err)
			return
		}
		if err := do(r, a, id); err != nil {
			e.renderView(w, r, a, id, err, nil)
			return
		}
		e.done(w, r, id, code)
	}
}

func (e *Editorial) done(w http.ResponseWriter, r *http.Request, id int64, code string) {
	http.Redirect(w, r, web.SiteOf(r).Base+"admin/articles/"+strconv.FormatInt(id, 10)+"?done="+code, http.StatusSeeOther)
}

var doneMessages = map[string]string{
	"saved": "已保存。", "submitted": "已提交审核。", "recalled": "已撤回审核，可以继续修改。", "published": "审核通过，已发布。",
	"scheduled": "审核通过，将按定时发布。", "returned": "已退回作者。", "unscheduled": "已取消定时发布，文章回到待审核。",
	"withdrawn": "已撤稿。", "upward": "已报送，等待对方处理。",
}

// viewView is the data of admin_content_view.html.
type viewView struct {
	M          *content.Manuscript
	Column     string
	Extra      []string
	Revision   []content.FieldDiff // the pending revision against the text online
	History    []content.HistoryEntry
	Sent       []*content.Submission
	Targets    []content.Target
	Done       string
	Error      string
	Report     *content.CheckReport
	CanWrite   bool
	CanReview  bool
	SelfReview bool
	PublicURL  string
	Kinds      []kindOption
	MinAt      string
}

type kindOption struct{ Value, Label string }

func (e *Editorial) View(w http.ResponseWriter, r *http.Request, a content.Actor) {
	id, err := pathID(r)
	if err != nil {
		e.s.RenderError(w, r, err)
		return
	}
	e.renderView(w, r, a, id, nil, nil)
}

// renderView shows an article's console page, with the error of a failed
// action (and its status) when there is one.
func (e *Editorial) renderView(w http.ResponseWriter, r *http.Request, a content.Actor, id int64, actErr error, rep *content.CheckReport) {
	ctx := r.Context()
	m, err := e.d.Manuscript(ctx, a, id)
	if err != nil {
		e.s.RenderError(w, r, err)
		return
	}
	v := viewView{M: m, Done: doneMessages[r.URL.Query().Get("done")], Report: rep,
		CanWrite: a.Can(content.PermWrite), CanReview: a.Can(content.PermReview),
		MinAt: time.Now().In(content.Location).Add(5 * time.Minute).Format("2006-01-02T15:04")}
	for _, k := range []string{content.WithdrawNotice, content.WithdrawReplaced, content.WithdrawError} {
		v.Kinds = append(v.Kinds, kindOption{k, content.WithdrawKindLabel(k)})
	}
	status := http.StatusOK
	if actErr != nil {
		v.Error, v.Done, status = core.ErrorMessage(actErr), "", web.StatusOf(actErr)
		var ce *content.CheckError
		if errors.As(actErr, &ce) {
			v.Report = ce.Report
		}
	}
	v.SelfReview = m.SubmittedBy == a.UserID || m.EditedBy == a.UserID || (m.Status != content.Published && m.CreatedBy == a.UserID)
	cols, err := e.d.AllColumns(ctx, a)
	if err != nil {
		e.s.RenderError(w, r, err)
		return
	}
	names := map[int64]string{}
	for _, c := range web.FlattenColumns(cols) {
		names[c.ID] = c.Name
	}
	v.Column = names[m.ColumnID]
	for _, c := range m.ExtraColumns {
		v.Extra = append(v.Extra, names[c])
	}
	if m.RevisionID != nil {
		if rev, err := e.d.Version(ctx, a, id, m.Version); err == nil {
			online := &content.Version{Title: m.Title, Subtitle: m.Subtitle, Summary: m.Summary, Body: m.Body, Source: m.Source,
				Author: m.Author, Keywords: m.Keywords, CoverURL: m.CoverURL}
			v.Revision = content.CompareVersions(online, rev)
		}
	}
	if v.History, err = e.d.History(ctx, a, id); err != nil {
		e.s.RenderError(w, r, err)
		return
	}
	if sent, err := e.d.Sent(ctx, a, content.QueueFilter{Size: 100}); err == nil {
		for _, s := range sent.Items {
			if s.SourceArticleID != nil && *s.SourceArticleID == id {
				v.Sent = append(v.Sent, s)
			}
		}
	}
	if (m.Status == content.Published || m.Status == content.Scheduled) && m.OriginArticle == nil && v.CanWrite {
		if v.Targets, err = e.d.Targets(ctx, a); err != nil {
			e.s.RenderError(w, r, err)
			return
		}
	}
	if m.Status == content.Published || m.Status == content.Withdrawn {
		v.PublicURL = web.SiteOf(r).Base + "art/" + strconv.FormatInt(id, 10)
	}
	e.s.RenderStatus(w, r, "admin_content_view", m.Title+" - 文章管理", contentCrumbs(r, web.Crumb{Name: m.Title, URL: ""}), v, status)
}

// versionsView is the data of admin_content_versions.html.
type versionsView struct {
	M        *content.Manuscript
	Versions []*content.Version
	From, To int
	Diff     []content.FieldDiff
}

func (e *Editorial) Versions(w http.ResponseWriter, r *http.Request, a content.Actor) {
	id, err := pathID(r)
	if err != nil {
		e.s.RenderError(w, r, err)
		return
	}
	m, err := e.d.Manuscript(r.Context(), a, id)
	if err != nil {
		e.s.RenderError(w, r, err)
		return
	}
	vs, err := e.d.Versions(r.Context(), a, id)
	if err != nil {
		e.s.RenderError(w, r, err)
		return
	}
	v := versionsView{M: m, Versions: vs}
	v.To, _ = strconv.Atoi(r.URL.Query().Get("to"))
	v.From, _ = strconv.Atoi(r.URL.Query().Get("from"))
	if v.To == 0 && len(vs) > 0 {
		v.To = vs[0].Number
	}
	if v.From == 0 && len(vs) > 1 {
		v.From = vs[1].Number
	}
	if v.From > 0 && v.To > 0 {
		if v.Diff, err = e.d.Compare(r.Context(), a, id, v.From, v.To); err != nil {
			e.s.RenderError(w, r, err)
			return
		}
	}
	e.s.RenderStatus(w, r, "admin_content_versions", "版本比较 - "+m.Title, contentCrumbs(r,
		web.Crumb{Name: m.Title, URL: web.SiteOf(r).Base + "admin/articles/" + strconv.FormatInt(id, 10)}, web.Crumb{Name: "版本", URL: ""}), v, http.StatusOK)
}

// Upload stores an attachment and answers JSON with its URL (editor.js
// inserts an image or a link to it).
func (e *Editorial) Upload(w http.ResponseWriter, r *http.Request, a content.Actor) {
	f, hdr, err := r.FormFile("file")
	if err != nil {
		msg := "请选择要上传的文件"
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			msg = "文件过大"
		}
		limit := e.opts.Uploads.MaxUpload
		if limit <= 0 {
			limit = content.DefaultMaxUpload
		}
		web.WriteJSON(w, http.StatusBadRequest, map[string]any{"ok": false, "error": fmt.Sprintf("%s（单个文件不超过 %d MB）", msg, limit>>20)})
		return
	}
	defer f.Close()
	at, err := e.d.Upload(r.Context(), a, e.opts.Uploads, hdr.Filename, f)
	if err != nil {
		web.WriteJSON(w, web.StatusOf(err), map[string]any{"ok": false, "error": core.ErrorMessage(err)})
		return
	}
	web.WriteJSON(w, http.StatusOK, map[string]any{"ok": true, "url": web.SiteOf(r).Base + at.URL(), "name": at.Name, "image": at.IsImage(), "size": at.Size})
}

// File serves an uploaded file of this site, its type as the upload check
// found it. Office documents download; images and PDF show inline.
func (e *Editorial) File(w http.ResponseWriter, r *http.Request) {
	at, err := e.d.Attachment(r.Context(), web.SiteOf(r).Tenant.ID, r.PathValue("token"))
	if err != nil {
		e.s.RenderError(w, r, err)
		return
	}
	if e.opts.Uploads.Store == nil {
		e.s.RenderError(w, r, core.Errorf(core.ENOTFOUND, "没有找到这个附件"))
		return
	}
	disp := "attachment"
	if at.IsImage() || at.MIME == "application/pdf" || at.MIME == "video/mp4" {
		disp = "inline"
	}
	w.Header().Set("Content-Type", at.MIME)
	w.Header().Set("Content-Disposition", disp+"; filename*=UTF-8''"+url.PathEscape(at.Name))
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox")
	if e.opts.SignedVideoURLs && at.MIME == "video/mp4" {
		u, err := e.opts.Uploads.Store.SignedURL(r.Context(), at.Path, signedTTL, at.MIME, at.Name)
		if err == nil {
			// The URL expires: never cache the redirect longer than it lives.
			w.Header().Set("Cache-Control", "private, max-age=300")
			http.Redirect(w, r, u, http.StatusFound)
			return
		}
	}
	serveBlob(w, r, e.s, e.opts.Uploads.Store, at.Path, at.CreatedAt)
}

// signedTTL is how long a signed video URL lives: long enough for a
// player to seek through a news programme, short enough that a copied
// link soon stops working.
const signedTTL = 15 * time.Minute
