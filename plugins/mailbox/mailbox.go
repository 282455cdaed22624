// Package mailbox is the leadership mailbox module (县长信箱, 书记信箱 and
// departments' own mailboxes): citizens write letters after signing in,
// the county office's dispatchers accept, reject and assign (转办) them to
// department tenants, whose handlers draft replies that the dispatcher
// approves before the writer sees them; deadlines count working days
// through the host's calendar; letters whose writer consented and that a
// dispatcher chose to publish are listed and indexed, with personal data
// removed.
//
// Routes, relative to the tenant's site:
//
//	GET  /mailbox/                      mailboxes, published letters, look-up form
//	GET  /mailbox/write?box=NAME        the letter form (signed in)
//	POST /mailbox/write                 submit a letter
//	GET  /mailbox/my/                   the writer's own letters
//	GET  /mailbox/my/{number}           one of them, with history and reply
//	POST /mailbox/my/{number}/rate      rate a closed letter's reply
//	GET  /mailbox/my/{number}/files/{id}     the writer's attachment
//	GET  /admin/mailbox/l/{number}/files/{id} staff: an attachment
//	POST /mailbox/query                 look a letter up by number and query code
//	GET  /mailbox/public/{number}       a published letter
//	GET  /mailbox/report?box=&month=    a mailbox's monthly report (table and chart)
//	GET  /admin/mailbox/                staff: the dispatcher's and the department's letters
//	GET  /admin/mailbox/l/{number}      staff: one letter
//	POST /admin/mailbox/l/{number}      staff: an action on it (field "action")
//	POST /admin/mailbox/forwarded       staff: enter a letter forwarded from 市长信箱 or 社情民意
//
// Letters belong to the tenant whose mailbox received them (tenant_id);
// a department sees a letter only while it is assigned to it: its queries
// read the owning tenant's rows with assigned_tenant_id bound to the
// request's tenant.
package mailbox

import (
	"context"
	"crypto/subtle"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/calendar"
)

// Name is the module's registry name and URL segment.
const Name = "mailbox"

// Version of the module.
const Version = "0.1.0"

// Permissions.
const (
	PermWrite  = "mailbox.write"  // write a letter (any signed-in person)
	PermHandle = "mailbox.handle" // handle letters assigned to the tenant
)

// NavTitle is the public navigation entry.
const NavTitle = "领导信箱"

//go:embed migrations/*.sql
var migrationFS embed.FS

// Module is the mailbox module, registered as "mailbox".
var Module = &sdk.Module{
	Name: Name, Version: Version, Title: "领导信箱",
	Nav:   []sdk.NavEntry{{Title: NavTitle, Path: "mailbox/"}},
	Admin: []sdk.NavEntry{{Title: "信件办理", Path: "admin/mailbox/", Permission: PermHandle}},
	Permissions: []sdk.Permission{
		{Name: PermWrite, Title: "给领导信箱写信", Kind: sdk.KindPublic},
		{Name: PermHandle, Title: "受理、转办、答复本单位信件", Kind: sdk.KindHandle},
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

var cst = time.FixedZone("CST", 8*3600)

// now is the clock; tests move it.
var now = time.Now

// today is the calendar date in China.
func today() calendar.Date { return calendar.DateOf(now().In(cst)) }

// Mailbox is one mailbox of a tenant.
type Mailbox struct{ Key, Title string }

// mailboxesOf lists a tenant's mailboxes: the portal has the county head's
// and the party secretary's, any other tenant its own.
func mailboxesOf(t *sdk.Tenant) []Mailbox {
	if t.IsPortal() {
		return []Mailbox{{"county_head", "县长信箱"}, {"secretary", "书记信箱"}}
	}
	return []Mailbox{{"dept", t.Name + "信箱"}}
}

func mailboxTitle(t *sdk.Tenant, key string) string {
	for _, m := range mailboxesOf(t) {
		if m.Key == key {
			return m.Title
		}
	}
	return key
}

// Settings are a tenant's module settings: working days per mailbox and
// category, e.g. {"deadlines": {"county_head": {"咨询": 3, "投诉": 5}}}.
type Settings struct {
	Deadlines map[string]map[string]int `json:"deadlines"`
}

// daysFor is the number of working days a letter has: the setting of its
// mailbox and category, else 咨询 3 and every other category 7.
func (s *Settings) daysFor(mailbox, category string) (int, string) {
	if m, ok := s.Deadlines[mailbox]; ok {
		if n, ok := m[category]; ok && n > 0 && n <= 60 {
			return n, "本信箱设置"
		}
	}
	if category == "咨询" {
		return 3, "默认：咨询类 3 个工作日"
	}
	return 7, "默认：" + category + "类 7 个工作日"
}

// Handler serves the module for every tenant.
type Handler struct {
	env *sdk.Env
	mux *sdk.Mux
	lim *limiter

	recomputeMu   sync.Mutex
	lastRecompute time.Time
	lastPrint     string // calendarPrint at lastRecompute
}

var (
	_ sdk.Reindexer = (*Handler)(nil)
	_ sdk.Statser   = (*Handler)(nil)
)

// New builds the handler.
func New(_ context.Context, env *sdk.Env) (http.Handler, error) {
	if env.DB == nil {
		return nil, errors.New("mailbox needs its database")
	}
	h := &Handler{env: env, lim: newLimiter()}
	m := sdk.NewMux()
	m.HandleFunc("GET /mailbox", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, sdk.URL(r, "mailbox/"), http.StatusMovedPermanently)
	})
	m.HandleFunc("GET /mailbox/{$}", h.index)
	m.HandleFunc("GET /mailbox/write", h.writeForm)
	m.HandleFunc("POST /mailbox/write", h.submit)
	m.HandleFunc("GET /mailbox/my/{$}", h.myList)
	m.HandleFunc("GET /mailbox/my/{number}", h.myLetter)
	m.HandleFunc("POST /mailbox/my/{number}/rate", h.rate)
	m.HandleFunc("GET /mailbox/my/{number}/files/{file}", h.myFile)
	m.HandleFunc("GET /admin/mailbox/l/{number}/files/{file}", h.staffFile)
	m.HandleFunc("POST /mailbox/query", h.query)
	m.HandleFunc("GET /mailbox/public/{number}", h.public)
	m.HandleFunc("GET /mailbox/report", h.report)
	m.HandleFunc("GET /admin/mailbox/{$}", h.staffList)
	m.HandleFunc("GET /admin/mailbox/l/{number}", h.staffLetter)
	m.HandleFunc("POST /admin/mailbox/l/{number}", h.staffAction)
	m.HandleFunc("POST /admin/mailbox/forwarded", h.forwarded)
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		sdk.Fail(w, sdk.Errorf(sdk.ENOTFOUND, "页面不存在，可能已被删除或地址有误。"))
	})
	h.mux = m
	return h, nil
}

// ServeHTTP answers a request for any tenant.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// Routes lists the module's route patterns, for the host's isolation walk.
func (h *Handler) Routes() []string { return h.mux.Routes() }

var _ sdk.Router = (*Handler)(nil)

func (h *Handler) db(r *http.Request) *sdk.Scope { return h.env.DB.Tenant(sdk.TenantOf(r).ID) }

// isDispatcher reports whether the request's user dispatches the
// request's tenant's mailboxes: the county office (platform_admin), or
// the tenant's own handlers and site admins.
func isDispatcher(r *http.Request) bool {
	u := sdk.UserOf(r)
	if u == nil {
		return false
	}
	if u.HasRole(sdk.RolePlatformAdmin) {
		return true
	}
	return u.Can(PermHandle) && (u.HasRole(sdk.RoleHandler) || u.HasRole(sdk.RoleSiteAdmin))
}

// isHandler reports whether the user handles letters assigned to the
// request's tenant.
func isHandler(r *http.Request) bool { return sdk.Can(r, PermHandle) }

// limiter counts in the process when the host does not keep the module's
// rate limits (a host older than the call, or its database down): a limit
// that resets with the module beats no limit at all.
type limiter struct {
	mu   sync.Mutex
	hits map[string][]time.Time
}

func newLimiter() *limiter { return &limiter{hits: map[string][]time.Time{}} }

// Limits per hour.
const (
	perUserHour = 5
	perAddrHour = 20
	// perAddrQueries bounds look-ups by number and code, so that a query
	// code cannot be guessed by trying.
	perAddrQueries = 60
)

// allow records an event of key if it stays within max per hour.
func (l *limiter) allow(key string, max int, t time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	var kept []time.Time
	for _, x := range l.hits[key] {
		if t.Sub(x) < time.Hour {
			kept = append(kept, x)
		}
	}
	if len(kept) >= max {
		l.hits[key] = kept
		return false
	}
	l.hits[key] = append(kept, t)
	return true
}

// allow spends one event of the hourly limit called limit for key. The
// host keeps the count in its database, so neither a restart of this
// process nor a second host process resets it.
func (h *Handler) allow(r *http.Request, limit, key string, max int) bool {
	ok, _, err := h.env.Host.Allow(r.Context(), limit, key, max, time.Hour)
	if err == nil {
		return ok
	}
	if !errors.Is(err, sdk.ErrUnsupported) {
		h.env.Log.Warn("rate limit: host unavailable, counting in this process", "limit", limit, "err", err)
	}
	return h.lim.allow(limit+":"+key, max, now())
}

func remoteHost(addr string) string {
	if i := strings.LastIndex(addr, ":"); i > 0 {
		return addr[:i]
	}
	return addr
}

// audit writes the platform audit log; a failure is logged, the change
// itself stays in the letter's history.
func (h *Handler) audit(r *http.Request, tenantID int64, action, target, detail string) {
	err := h.env.Host.Audit(r.Context(), sdk.AuditEntry{TenantID: tenantID, Actor: sdk.UserOf(r).Actor(), Action: action,
		Target: target, Detail: detail, RemoteAddr: r.RemoteAddr})
	if err != nil {
		h.env.Log.Warn("audit", "action", action, "target", target, "err", err)
	}
}

func clean(s string, max int) string {
	s = strings.TrimSpace(sdk.PlainText(sdk.Sanitize(s)))
	if utf8.RuneCountInString(s) > max {
		s = string([]rune(s)[:max])
	}
	return s
}

func (h *Handler) submit(w http.ResponseWriter, r *http.Request) {
	u := sdk.UserOf(r)
	if u == nil {
		http.Redirect(w, r, sdk.LoginURL(r), http.StatusSeeOther)
		return
	}
	t := sdk.TenantOf(r)
	if err := parseLetterForm(r); err != nil {
		sdk.Fail(w, sdk.Errorf(sdk.EINVALID, "表单无法读取，附件总大小请勿超过 %d MB。", maxFiles*maxFileSize>>20))
		return
	}
	l := &Letter{Mailbox: r.PostForm.Get("box"), Category: r.PostForm.Get("category"),
		Subject: clean(r.PostForm.Get("subject"), 100), Content: clean(r.PostForm.Get("content"), 5000),
		Phone: clean(r.PostForm.Get("phone"), 20), Consent: r.PostForm.Get("consent") == "yes",
		UserID: u.ID, RemoteAddr: remoteHost(r.RemoteAddr), Status: Submitted}
	var problems []string
	if mailboxTitle(t, l.Mailbox) == l.Mailbox {
		problems = append(problems, "请选择信箱。")
	}
	if !validCategory(l.Category) {
		problems = append(problems, "请选择信件类别。")
	}
	if l.Subject == "" {
		problems = append(problems, "请填写标题。")
	}
	if utf8.RuneCountInString(l.Content) < 10 {
		problems = append(problems, "请填写信件内容（至少 10 个字）。")
	}
	files, fileProblems := readAttachments(r)
	problems = append(problems, fileProblems...)
	if len(problems) > 0 {
		h.renderWrite(w, r, l, problems, http.StatusBadRequest)
		return
	}
	at := now()
	// Per user: the letters stored in the last hour, and the host's count
	// of attempts; per address: the host's count.
	var recent int
	if err := h.db(r).Get(r.Context(), &recent, `SELECT COUNT(*) FROM mailbox_letters WHERE tenant_id = :tenant_id AND user_id = :uid AND created_at >= :since`,
		sdk.Args{"uid": u.ID, "since": at.Add(-time.Hour).UTC()}); err != nil {
		sdk.Fail(w, err)
		return
	}
	if recent >= perUserHour || !h.allow(r, "letter-user", strconv.FormatInt(u.ID, 10), perUserHour) {
		h.renderWrite(w, r, l, []string{fmt.Sprintf("提交过于频繁：每位用户每小时最多提交 %d 封信件，请一小时后再试。您填写的内容仍保留在下面。", perUserHour)}, http.StatusTooManyRequests)
		return
	}
	if !h.allow(r, "letter-address", l.RemoteAddr, perAddrHour) {
		h.renderWrite(w, r, l, []string{fmt.Sprintf("提交过于频繁：同一网络地址每小时最多提交 %d 封信件，请稍后再试。", perAddrHour)}, http.StatusTooManyRequests)
		return
	}
	code, err := h.store(r.Context(), t.ID, l, files, u.Actor(), "来信人提交信件", at)
	if err != nil {
		h.env.Log.Error("store letter", "tenant", t.ID, "err", err)
		h.renderWrite(w, r, l, []string{"信件暂时未能保存，请稍后重新提交。您填写的内容仍保留在下面。"}, http.StatusServiceUnavailable)
		return
	}
	h.audit(r, t.ID, "letter.submit", l.Number, l.Category)
	h.pagesChanged(r.Context(), t.ID)
	h.render(w, r, "submitted", "信件已提交", 0, map[string]any{"Letter": l, "Code": code, "Box": mailboxTitle(t, l.Mailbox)})
}

// store saves a new letter and its first history line in one
// transaction, with a fresh number and query code; only then may the
// number be shown.
func (h *Handler) store(ctx context.Context, tenantID int64, l *Letter, files []*Attachment, actor, note string, at time.Time) (string, error) {
	code := randomDigits(8)
	l.CreatedAt, l.UpdatedAt = at.UTC(), at.UTC()
	h.putFiles(ctx, tenantID, files)
	err := h.env.DB.Tx(ctx, tenantID, func(s *sdk.Scope) error {
		for i := 0; ; i++ {
			l.Number = newNumber(at)
			l.CodeHash = hashCode(l.Number, code)
			var n int
			if err := s.Get(ctx, &n, `SELECT COUNT(*) FROM mailbox_letters WHERE tenant_id = :tenant_id AND number = :number`, sdk.Args{"number": l.Number}); err != nil {
				return err
			}
			if n == 0 || i > 5 {
				break
			}
		}
		if err := insertLetter(ctx, s, l); err != nil {
			return err
		}
		for _, a := range files {
			a.LetterID, a.CreatedAt = l.ID, at.UTC()
			if err := insertAttachment(ctx, s, a); err != nil {
				return err
			}
		}
		return addEvent(ctx, s, &Event{LetterID: l.ID, At: at.UTC(), Actor: actor, Action: "submit", ToStatus: Submitted, Note: note})
	})
	if err != nil {
		h.dropFiles(ctx, tenantID, files)
	}
	return code, err
}

// ownLetter finds a letter of the signed-in writer.
func (h *Handler) ownLetter(r *http.Request) (*Letter, error) {
	u := sdk.UserOf(r)
	l, err := letterByNumber(r.Context(), h.db(r), r.PathValue("number"))
	if err != nil {
		return nil, err
	}
	if u == nil || l.UserID != u.ID {
		return nil, sdk.Errorf(sdk.ENOTFOUND, "没有找到这封信件。")
	}
	return l, nil
}

func (h *Handler) myList(w http.ResponseWriter, r *http.Request) {
	u := sdk.UserOf(r)
	if u == nil {
		http.Redirect(w, r, sdk.LoginURL(r), http.StatusSeeOther)
		return
	}
	ls, err := selectLetters(r.Context(), h.db(r), "user_id = :uid", sdk.Args{"uid": u.ID})
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	h.render(w, r, "mylist", "我的信件", 0, ls)
}

// letterView is a letter with what a page shows of it.
type letterView struct {
	L        *Letter
	Box      string
	Dept     string
	History  []Event
	Reply    string // the reply the writer may read: approved only
	CanRate  bool
	Staff    bool
	Dispatch bool
	Handle   bool
	Depts    []*sdk.Tenant
	Overdue  bool
	Files    []*Attachment
	// PublicSubject, PublicContent and PublicReply prefill the
	// dispatcher's published version: personal data already removed.
	PublicSubject, PublicContent, PublicReply string
	FileBase                                  string // where the files are downloaded; "" lists names only
}

func (h *Handler) view(r *http.Request, l *Letter) (*letterView, error) {
	hist, err := historyOf(r.Context(), h.env.DB.Tenant(l.TenantID), l.ID)
	if err != nil {
		return nil, err
	}
	v := &letterView{L: l, History: hist}
	if v.Files, err = attachmentsOf(r.Context(), h.env.DB.Tenant(l.TenantID), l.ID); err != nil {
		return nil, err
	}
	if t, err := h.env.Host.Tenant(r.Context(), l.TenantID); err == nil {
		v.Box = mailboxTitle(t, l.Mailbox)
	}
	if l.AssignedTenantID != 0 {
		if t, err := h.env.Host.Tenant(r.Context(), l.AssignedTenantID); err == nil {
			v.Dept = t.Name
		}
	}
	if l.ReplyStatus == "approved" {
		v.Reply = l.Reply
	}
	v.CanRate = l.Status == Closed && l.Rating == ""
	if l.Deadline != "" && l.Status != Closed && l.Status != Rejected && l.Deadline < today().String() {
		v.Overdue = true
	}
	return v, nil
}

func (h *Handler) myLetter(w http.ResponseWriter, r *http.Request) {
	l, err := h.ownLetter(r)
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	v, err := h.view(r, l)
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	v.FileBase = sdk.URL(r, "mailbox/my/"+l.Number+"/files/")
	h.render(w, r, "letter", l.Subject, 0, v)
}

func (h *Handler) rate(w http.ResponseWriter, r *http.Request) {
	l, err := h.ownLetter(r)
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	rating := r.PostFormValue("rating")
	if !contains(Ratings, rating) {
		sdk.Fail(w, sdk.Errorf(sdk.EINVALID, "请选择满意、基本满意或不满意。"))
		return
	}
	if l.Status != Closed || l.Rating != "" {
		sdk.Fail(w, sdk.Errorf(sdk.ECONFLICT, "这封信件尚未办结或已经评价过。"))
		return
	}
	l.Rating, l.UpdatedAt = rating, now().UTC()
	if err := h.change(r, l, Closed, "rate", "来信人评价："+rating); err != nil {
		sdk.Fail(w, err)
		return
	}
	http.Redirect(w, r, sdk.URL(r, "mailbox/my/"+l.Number), http.StatusSeeOther)
}

// change stores l (whose status was from) with a history line, in one
// transaction, and writes the audit log.
func (h *Handler) change(r *http.Request, l *Letter, from, action, note string) error {
	err := h.env.DB.Tx(r.Context(), l.TenantID, func(s *sdk.Scope) error {
		if err := saveLetter(r.Context(), s, l, from); err != nil {
			return err
		}
		return addEvent(r.Context(), s, &Event{LetterID: l.ID, At: now().UTC(), Actor: sdk.UserOf(r).Actor(), Action: action,
			FromStatus: from, ToStatus: l.Status, Note: note})
	})
	if err != nil {
		return err
	}
	h.audit(r, l.TenantID, "letter."+action, l.Number, note)
	h.pagesChanged(r.Context(), l.TenantID)
	return nil
}

// pagesChanged tells the host's page cache that the mailbox's public
// pages of the tenant (the list, its figures, the monthly report)
// changed with a letter.
func (h *Handler) pagesChanged(ctx context.Context, tenantID int64) {
	if err := h.env.Host.PagesChanged(ctx, tenantID, ""); err != nil && !errors.Is(err, sdk.ErrUnsupported) {
		h.env.Log.Warn("mailbox: pages changed", "tenant", tenantID, "err", err)
	}
}

func (h *Handler) query(w http.ResponseWriter, r *http.Request) {
	number := strings.TrimSpace(r.PostFormValue("number"))
	code := strings.TrimSpace(r.PostFormValue("code"))
	notFound := func() {
		h.render(w, r, "query", "信件查询", http.StatusNotFound, map[string]any{"Error": "信件编号或查询码不正确，请核对后重试。"})
	}
	if number == "" || code == "" {
		notFound()
		return
	}
	if !h.allow(r, "letter-query", remoteHost(r.RemoteAddr), perAddrQueries) {
		h.render(w, r, "query", "信件查询", http.StatusTooManyRequests, map[string]any{"Error": fmt.Sprintf("查询过于频繁：同一网络地址每小时最多查询 %d 次，请稍后再试。", perAddrQueries)})
		return
	}
	l, err := letterByNumber(r.Context(), h.db(r), number)
	if err != nil || subtle.ConstantTimeCompare([]byte(l.CodeHash), []byte(hashCode(l.Number, code))) != 1 {
		notFound()
		return
	}
	v, err := h.view(r, l)
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	v.CanRate = false
	h.render(w, r, "letter", l.Subject, 0, v)
}

// publicLetter is what a published letter shows: never the writer, the
// phone or anything the redaction removes.
type publicLetter struct {
	Number, Box, Category, Subject, Content, Reply, Dept, Received, Replied string
}

func (h *Handler) publicOf(ctx context.Context, t *sdk.Tenant, l *Letter) publicLetter {
	return h.publicWith(t, l, func(id int64) string {
		if d, err := h.env.Host.Tenant(ctx, id); err == nil {
			return d.Name
		}
		return ""
	})
}

// publicWith is publicOf with the departments' names looked up by name.
func (h *Handler) publicWith(t *sdk.Tenant, l *Letter, name func(id int64) string) publicLetter {
	p := publicLetter{Number: l.Number, Box: mailboxTitle(t, l.Mailbox), Category: l.Category,
		Subject: redact(or(l.PublicSubject, l.Subject)), Content: redact(or(l.PublicContent, l.Content)),
		Reply: redact(or(l.PublicReply, l.Reply)), Received: l.CreatedAt.In(cst).Format("2006-01-02")}
	if l.ClosedAt != nil {
		p.Replied = l.ClosedAt.In(cst).Format("2006-01-02")
	}
	if l.AssignedTenantID != 0 {
		p.Dept = name(l.AssignedTenantID)
	}
	return p
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// publishedWhere is the only condition under which a letter is public.
const publishedWhere = "status = 'closed' AND consent = 1 AND published = 1 AND reply_status = 'approved'"

func (h *Handler) index(w http.ResponseWriter, r *http.Request) {
	t := sdk.TenantOf(r)
	ls, err := selectLetters(r.Context(), h.db(r), publishedWhere, nil)
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	box := r.URL.Query().Get("box")
	// The departments' names in one call, not one per letter.
	names := map[int64]string{}
	if ts, err := h.env.Host.Tenants(r.Context(), false); err == nil {
		for _, d := range ts {
			names[d.ID] = d.Name
		}
	}
	var pub []publicLetter
	for _, l := range ls {
		if box == "" || l.Mailbox == box {
			pub = append(pub, h.publicWith(t, l, func(id int64) string { return names[id] }))
		}
	}
	sdk.Cacheable(w, 10*time.Minute)
	h.render(w, r, "index", NavTitle, 0, map[string]any{"Boxes": mailboxesOf(t), "Published": pub, "Box": box})
}

func (h *Handler) public(w http.ResponseWriter, r *http.Request) {
	l, err := letterByNumber(r.Context(), h.db(r), r.PathValue("number"))
	if err == nil && !(l.Status == Closed && l.Consent && l.Published && l.ReplyStatus == "approved") {
		err = sdk.Errorf(sdk.ENOTFOUND, "没有找到这封信件。")
	}
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	p := h.publicOf(r.Context(), sdk.TenantOf(r), l)
	sdk.Cacheable(w, 10*time.Minute)
	h.render(w, r, "public", p.Subject, 0, p)
}

func (h *Handler) writeForm(w http.ResponseWriter, r *http.Request) {
	if sdk.UserOf(r) == nil {
		http.Redirect(w, r, sdk.LoginURL(r), http.StatusSeeOther)
		return
	}
	h.renderWrite(w, r, &Letter{Mailbox: r.URL.Query().Get("box")}, nil, 0)
}

func (h *Handler) renderWrite(w http.ResponseWriter, r *http.Request, l *Letter, problems []string, status int) {
	h.render(w, r, "write", "写信", status, map[string]any{"L": l, "Problems": problems, "Boxes": mailboxesOf(sdk.TenantOf(r)),
		"Categories": Categories})
}

// publishDoc is the search document of a published letter.
func (h *Handler) publishDoc(ctx context.Context, t *sdk.Tenant, l *Letter) sdk.Document {
	p := h.publicOf(ctx, t, l)
	d := sdk.Document{ID: l.Number, TenantID: l.TenantID, Type: "letter", Path: "mailbox/public/" + l.Number,
		Title: p.Subject, Body: p.Content + "\n答复：" + p.Reply, Tags: []string{p.Box, p.Category}}
	if l.ClosedAt != nil {
		d.Date = *l.ClosedAt
	}
	return d
}

// Reindex emits the published letters only.
func (h *Handler) Reindex(ctx context.Context, tenantID int64, emit func(sdk.Document) error) error {
	for _, tc := range h.env.Tenants() {
		t := tc.Tenant
		if tenantID != 0 && t.ID != tenantID {
			continue
		}
		ls, err := selectLetters(ctx, h.env.DB.Tenant(t.ID), publishedWhere, nil)
		if err != nil {
			return err
		}
		for _, l := range ls {
			if !l.Consent {
				continue
			}
			if err := emit(h.publishDoc(ctx, &t, l)); err != nil {
				return err
			}
		}
	}
	return nil
}

// Stats reports, for the supervision dashboard, the tenant's mailboxes
// (received in the period, open, overdue, the oldest unanswered letter's
// age and those older than 30 and 60 days: no valid letter may stay
// unanswered for 3 months) and the letters assigned to the tenant that
// are still open.
func (h *Handler) Stats(ctx context.Context, tenantID int64, from, to time.Time) ([]sdk.Stat, error) {
	s := h.env.DB.Tenant(tenantID)
	var received, overdue int
	if err := s.Get(ctx, &received, `SELECT COUNT(*) FROM mailbox_letters WHERE tenant_id = :tenant_id AND created_at >= :from AND created_at < :to`, sdk.Args{"from": from.UTC(), "to": to.UTC()}); err != nil {
		return nil, err
	}
	if err := s.Get(ctx, &overdue, `SELECT COUNT(*) FROM mailbox_letters WHERE tenant_id = :tenant_id AND status IN ('assigned','replied') AND deadline <> '' AND deadline < :today`, sdk.Args{"today": today().String()}); err != nil {
		return nil, err
	}
	var open []time.Time
	if err := s.Select(ctx, &open, `SELECT created_at FROM mailbox_letters WHERE tenant_id = :tenant_id AND status IN ('submitted','assigned','replied') ORDER BY created_at`, nil); err != nil {
		return nil, err
	}
	oldest, over30, over60 := 0, 0, 0
	for i, c := range open {
		days := int(now().Sub(c).Hours() / 24)
		if i == 0 {
			oldest = days
		}
		if days >= 30 {
			over30++
		}
		if days >= 60 {
			over60++
		}
	}
	// Letters this tenant handled (assigned to it, in any mailbox): those
	// still open, and those closed in the period, on time or late.
	assigned, closed, late := 0, 0, 0
	for _, tc := range h.env.Tenants() {
		db := h.env.DB.Tenant(tc.Tenant.ID)
		var n int
		if err := db.Get(ctx, &n, `SELECT COUNT(*) FROM mailbox_letters WHERE tenant_id = :tenant_id AND assigned_tenant_id = :me AND status IN ('assigned','replied')`, sdk.Args{"me": tenantID}); err != nil {
			return nil, err
		}
		assigned += n
		var done []struct {
			ClosedAt time.Time `db:"closed_at"`
			Deadline string    `db:"deadline"`
		}
		if err := db.Select(ctx, &done, `SELECT closed_at, deadline FROM mailbox_letters WHERE tenant_id = :tenant_id AND assigned_tenant_id = :me
			AND status = 'closed' AND closed_at >= :from AND closed_at < :to`, sdk.Args{"me": tenantID, "from": from.UTC(), "to": to.UTC()}); err != nil {
			return nil, err
		}
		for _, d := range done {
			closed++
			if d.Deadline != "" && calendar.DateOf(d.ClosedAt.In(cst)).String() > d.Deadline {
				late++
			}
		}
	}
	return []sdk.Stat{
		{Name: "received", Title: "收到信件", Value: float64(received), Unit: "件"},
		{Name: "open", Title: "未办结信件", Value: float64(len(open)), Unit: "件"},
		{Name: "overdue", Title: "超期信件", Value: float64(overdue), Unit: "件"},
		{Name: "oldest_open_days", Title: "最久未办结信件已等待", Value: float64(oldest), Unit: "天"},
		{Name: "open_over_30_days", Title: "超过30天未办结（预警）", Value: float64(over30), Unit: "件"},
		{Name: "open_over_60_days", Title: "超过60天未办结（严重预警，3个月为否决线）", Value: float64(over60), Unit: "件"},
		{Name: "assigned_open", Title: "转办本单位未办结信件", Value: float64(assigned), Unit: "件"},
		{Name: "closed", Title: "本单位本期办结信件", Value: float64(closed), Unit: "件"},
		{Name: "closed_on_time", Title: "其中按期办结", Value: float64(closed - late), Unit: "件"},
		{Name: "closed_late", Title: "其中超期办结", Value: float64(late), Unit: "件"},
	}, nil
}
