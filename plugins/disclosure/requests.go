package disclosure

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/calendar"
	"yiwang/plugins/sdk/sqldb"
)

// Statutory periods in working days (the Regulations, arts. 30–33).
const (
	answerDays      = 20 // to answer, from receipt (or receipt of the corrected application)
	maxExtension    = 20 // one extension, with the head of the office's approval
	maxConsultDays  = 15 // consulting third parties, not counted
	defaultCorrDays = 15 // the applicant's time to correct, unless staff set another
)

// requestRoutes registers the request pages: applying and following a
// request (/disclosure/apply, /disclosure/my/…) and the staff console
// (/admin/disclosure/requests/…).
func (h *Handler) requestRoutes(m *sdk.Mux) {
	m.HandleFunc("GET /disclosure/apply", h.applyForm)
	m.HandleFunc("POST /disclosure/apply", h.apply)
	m.HandleFunc("GET /disclosure/my/{$}", h.myRequests)
	m.HandleFunc("GET /disclosure/my/{number}", h.myRequest)
	m.HandleFunc("POST /disclosure/my/{number}", h.applicantAction)
	m.HandleFunc("GET /disclosure/my/{number}/letter", h.myLetter)
	m.HandleFunc("GET /disclosure/my/{number}/letter.pdf", h.myLetter)
	m.HandleFunc("GET /disclosure/my/{number}/files/{fid}", h.myFile)
	m.HandleFunc("GET /admin/disclosure/requests/{$}", h.staffRequests)
	m.HandleFunc("GET /admin/disclosure/requests/{number}", h.staffRequest)
	m.HandleFunc("POST /admin/disclosure/requests/{number}", h.staffAction)
	m.HandleFunc("GET /admin/disclosure/requests/{number}/letter", h.staffLetter)
	m.HandleFunc("GET /admin/disclosure/requests/{number}/letter.pdf", h.staffLetter)
	m.HandleFunc("GET /admin/disclosure/requests/{number}/files/{fid}", h.staffFile)
}

// Request is one application for disclosure.
type Request struct {
	ID              int64      `db:"id"`
	TenantID        int64      `db:"tenant_id"`
	Number          string     `db:"number"`
	UserID          int64      `db:"user_id"`
	ApplicantKind   string     `db:"applicant_kind"`
	ApplicantName   string     `db:"applicant_name"`
	IDType          string     `db:"id_type"`
	IDNumber        string     `db:"id_number"`
	OrgCode         string     `db:"org_code"`
	ContactPerson   string     `db:"contact_person"`
	Phone           string     `db:"phone"`
	Email           string     `db:"email"`
	Address         string     `db:"address"`
	Description     string     `db:"description"`
	Purpose         string     `db:"purpose"`
	Medium          string     `db:"medium"`
	Delivery        string     `db:"delivery"`
	Status          string     `db:"status"`
	ReceivedOn      string     `db:"received_on"`
	ClockFrom       string     `db:"clock_from"`
	ConsultDays     int        `db:"consult_days"`
	DueOn           string     `db:"due_on"`
	DueExplain      string     `db:"due_explain"`
	StopKind        string     `db:"stop_kind"`
	StopSince       string     `db:"stop_since"`
	StopUntil       string     `db:"stop_until"`
	ExtensionDays   int        `db:"extension_days"`
	ExtensionBy     string     `db:"extension_by"`
	ExtensionReason string     `db:"extension_reason"`
	Outcome         string     `db:"outcome"`
	Ground          string     `db:"ground"`
	Answer          string     `db:"answer"`
	AnsweredOn      string     `db:"answered_on"`
	AnsweredBy      string     `db:"answered_by"`
	Reminded        int        `db:"reminded"`
	Escalated       int        `db:"escalated"`
	Demo            int        `db:"demo"`
	CreatedAt       time.Time  `db:"created_at"`
	UpdatedAt       time.Time  `db:"updated_at"`
	ClosedAt        *time.Time `db:"closed_at"`
}

// Open reports whether the request still waits for a decision.
func (q *Request) Open() bool { return q.Status != StatusAnswered && q.Status != StatusWithdrawn }

// Overdue reports whether an open request is past its due date on day.
func (q *Request) Overdue(today string) bool {
	return q.Open() && q.Status != StatusCorrection && q.DueOn != "" && q.DueOn < today
}

// StatusLabel is the state in Chinese.
func (q *Request) StatusLabel() string {
	switch q.Status {
	case StatusReceived:
		if q.ExtensionDays > 0 {
			return "办理中（已延期）"
		}
		return "办理中"
	case StatusCorrection:
		return "待申请人补正"
	case StatusConsulting:
		return "征求第三方意见中"
	case StatusAnswered:
		return "已答复"
	case StatusWithdrawn:
		return "申请人已撤回"
	}
	return q.Status
}

// OutcomeLabel names the decision and its ground.
func (q *Request) OutcomeLabel() string {
	o, ok := OutcomeOf(q.Outcome)
	if !ok {
		return ""
	}
	for _, g := range o.Grounds {
		if g.Code == q.Ground {
			return o.Label + "（" + g.Label + "）"
		}
	}
	return o.Label
}

// KindLabel is the applicant's kind in Chinese.
func (q *Request) KindLabel() string { return termLabel(ApplicantKinds, q.ApplicantKind) }

func termLabel(ts []Term, code string) string {
	for _, t := range ts {
		if t.Code == code {
			return t.Label
		}
	}
	return code
}

// Media and deliveries the form offers.
var (
	Media      = []Term{{"paper", "纸质"}, {"electronic", "电子"}}
	Deliveries = []Term{{"online", "在线查看"}, {"post", "邮寄"}, {"email", "电子邮件"}, {"pickup", "当面领取"}}
	IDTypes    = []Term{{"resident_id", "居民身份证"}, {"passport", "护照"}, {"other", "其他有效身份证件"}}
)

func validTerm(ts []Term, code string) bool {
	for _, t := range ts {
		if t.Code == code {
			return true
		}
	}
	return false
}

// RequestEvent is one step in a request's history.
type RequestEvent struct {
	At         time.Time `db:"at"`
	Actor      string    `db:"actor"`
	Kind       string    `db:"kind"`
	FromStatus string    `db:"from_status"`
	ToStatus   string    `db:"to_status"`
	Days       int       `db:"days"`
	Note       string    `db:"note"`
}

// eventLabels name the steps of a request's history.
var eventLabels = map[string]string{
	"submit": "提交申请", "correction_ask": "要求补正", "correction_answer": "申请人补正", "correction_lapsed": "逾期未补正",
	"consult_start": "征求第三方意见", "consult_end": "征求意见结束", "extend": "延期答复", "answer": "作出答复", "withdraw": "申请人撤回",
	"overdue": "超过答复期限",
}

// Label names the step.
func (e RequestEvent) Label() string {
	if l, ok := eventLabels[e.Kind]; ok {
		return l
	}
	return e.Kind
}

// RequestFile is an identity document or a correction's enclosure.
type RequestFile struct {
	ID      int64  `db:"id"`
	Name    string `db:"name"`
	Mime    string `db:"mime"`
	Size    int64  `db:"size"`
	Purpose string `db:"purpose"`
}

const requestColumns = `id, tenant_id, number, user_id, applicant_kind, applicant_name, id_type, id_number, org_code, contact_person, phone, email, address,
	description, purpose, medium, delivery, status, received_on, clock_from, consult_days, due_on, due_explain, stop_kind, stop_since, stop_until,
	extension_days, extension_by, extension_reason, outcome, ground, answer, answered_on, answered_by, reminded, escalated, demo, created_at, updated_at, closed_at`

func requestByNumber(ctx context.Context, s *sdk.Scope, number string) (*Request, error) {
	var q Request
	err := s.Get(ctx, &q, `SELECT `+requestColumns+` FROM disclosure_requests WHERE tenant_id = :tenant_id AND number = :number`, sdk.Args{"number": number})
	if err != nil {
		return nil, sdk.Found(err, "没有找到这件申请。")
	}
	return &q, nil
}

func selectRequests(ctx context.Context, s *sdk.Scope, where string, args sdk.Args) ([]*Request, error) {
	var qs []*Request
	err := s.Select(ctx, &qs, `SELECT `+requestColumns+` FROM disclosure_requests WHERE tenant_id = :tenant_id AND `+where, args)
	return qs, err
}

// ---- deadlines

// dueDate computes a request's due date from its clock: answerDays
// working days from clock_from, plus the consultation days that do not
// count and the extension; the explanation says each part.
func (h *Handler) dueDate(ctx context.Context, q *Request) (string, string, error) {
	from, err := calendar.ParseDate(q.ClockFrom)
	if err != nil {
		return "", "", fmt.Errorf("request %s clock: %w", q.Number, err)
	}
	n := answerDays + q.ConsultDays + q.ExtensionDays
	wd, err := h.env.Host.AddWorkingDays(ctx, from, n)
	if err != nil {
		return "", "", err
	}
	var b strings.Builder
	if q.ClockFrom == q.ReceivedOn {
		fmt.Fprintf(&b, "自收到申请之日（%s）起 %d 个工作日内答复（《政府信息公开条例》第三十三条）", from.Chinese(), answerDays)
	} else {
		fmt.Fprintf(&b, "申请人补正后，自收到补正申请之日（%s）起重新计算 %d 个工作日（第三十条、第三十三条）", from.Chinese(), answerDays)
	}
	if q.ConsultDays > 0 {
		fmt.Fprintf(&b, "；征求第三方意见用去 %d 个工作日，不计入期限（第三十三条）", q.ConsultDays)
	}
	if q.ExtensionDays > 0 {
		fmt.Fprintf(&b, "；经政府信息公开工作机构负责人同意延长 %d 个工作日（%s）", q.ExtensionDays, q.ExtensionBy)
	}
	fmt.Fprintf(&b, "；合计 %d 个工作日，答复期限为 %s。%s", n, wd.Date.Chinese(), wd.Explanation)
	return wd.Date.String(), b.String(), nil
}

// computeDue sets the request's due date. A year the calendar lacks does
// not refuse a citizen's application: the request is received, its due
// date waits for the county office to add the year, and tickRequests
// computes it then; the statutory period runs from receipt all the same.
func (h *Handler) computeDue(ctx context.Context, q *Request) error {
	due, explain, err := h.dueDate(ctx, q)
	if sdk.ErrorCode(err) == sdk.EUNAVAIL {
		q.DueOn, q.DueExplain = "", "答复期限暂时无法计算："+sdk.ErrorMessage(err)+"。补录后自动计算；法定期限仍自"+q.ClockFrom+"起算。"
		return nil
	}
	if err != nil {
		return err
	}
	q.DueOn, q.DueExplain = due, explain
	return nil
}

// ---- applying

type applyView struct {
	Form      *Request
	Problems  []string
	Kinds     []Term
	Media     []Term
	Delivery  []Term
	IDTypes   []Term
	Submitted *Request
}

func (h *Handler) newApplyView(q *Request, problems []string) applyView {
	return applyView{Form: q, Problems: problems, Kinds: ApplicantKinds, Media: Media, Delivery: Deliveries, IDTypes: IDTypes}
}

func (h *Handler) needApplicant(w http.ResponseWriter, r *http.Request) bool {
	if sdk.UserOf(r) == nil {
		http.Redirect(w, r, sdk.LoginURL(r), http.StatusSeeOther)
		return false
	}
	if !sdk.Can(r, PermApply) {
		sdk.Fail(w, sdk.Errorf(sdk.EFORBID, "您的账号不能在线提交政府信息公开申请。"))
		return false
	}
	return true
}

func (h *Handler) applyForm(w http.ResponseWriter, r *http.Request) {
	if !h.needApplicant(w, r) {
		return
	}
	q := &Request{ApplicantKind: ApplicantPerson, ApplicantName: sdk.UserOf(r).Name, Medium: "electronic", Delivery: "online", IDType: "resident_id"}
	h.render(w, r, "requests_apply", "申请政府信息公开", h.crumbs(r, "申请政府信息公开"), http.StatusOK, h.newApplyView(q, nil))
}

func (h *Handler) crumbs(r *http.Request, last string) []sdk.Crumb {
	return []sdk.Crumb{{Name: NavTitle, URL: sdk.URL(r, "disclosure/")}, {Name: last}}
}

// Limits of an application.
const (
	maxFiles       = 3
	maxFileBytes   = 5 << 20
	perUserPerHour = 5
)

func (h *Handler) apply(w http.ResponseWriter, r *http.Request) {
	if !h.needApplicant(w, r) {
		return
	}
	u := sdk.UserOf(r)
	if err := r.ParseMultipartForm(maxFiles*maxFileBytes + 1<<20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		h.render(w, r, "requests_apply", "申请政府信息公开", h.crumbs(r, "申请政府信息公开"), http.StatusBadRequest,
			h.newApplyView(&Request{}, []string{"表单无法读取，附件总大小请勿超过 15 MB。"}))
		return
	}
	f := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	q := &Request{ApplicantKind: f("applicant_kind"), ApplicantName: f("applicant_name"), IDType: f("id_type"), IDNumber: f("id_number"),
		OrgCode: strings.ToUpper(f("org_code")), ContactPerson: f("contact_person"), Phone: f("phone"), Email: f("email"), Address: f("address"),
		Description: f("description"), Purpose: f("purpose"), Medium: f("medium"), Delivery: f("delivery")}
	problems := validateApplication(q)
	files, fileProblems := readFiles(r, "id_files", "identity", identityFiles)
	problems = append(problems, fileProblems...)
	if len(files) == 0 && len(fileProblems) == 0 {
		problems = append(problems, "请上传身份证明文件（身份证件或营业执照等的照片或 PDF）。")
	}
	if len(problems) > 0 {
		h.render(w, r, "requests_apply", "申请政府信息公开", h.crumbs(r, "申请政府信息公开"), http.StatusBadRequest, h.newApplyView(q, problems))
		return
	}
	if !h.allow(r, "request-user", strconv.FormatInt(u.ID, 10), perUserPerHour) {
		h.render(w, r, "requests_apply", "申请政府信息公开", h.crumbs(r, "申请政府信息公开"), http.StatusTooManyRequests,
			h.newApplyView(q, []string{fmt.Sprintf("提交过于频繁：每人每小时最多提交 %d 件申请，请稍后再试。您填写的内容仍保留在下面。", perUserPerHour)}))
		return
	}
	t := sdk.TenantOf(r)
	at := h.now()
	q.TenantID, q.UserID, q.Status = t.ID, u.ID, StatusReceived
	q.ReceivedOn = at.In(cst).Format("2006-01-02")
	q.ClockFrom = q.ReceivedOn
	if err := h.computeDue(r.Context(), q); err != nil {
		sdk.Fail(w, err)
		return
	}
	if err := h.storeRequest(r.Context(), q, files, u.Actor(), at); err != nil {
		h.env.Log.Error("store request", "tenant", t.ID, "err", err)
		h.render(w, r, "requests_apply", "申请政府信息公开", h.crumbs(r, "申请政府信息公开"), http.StatusServiceUnavailable,
			h.newApplyView(q, []string{"申请暂时未能保存，请稍后重新提交。您填写的内容仍保留在下面。"}))
		return
	}
	h.audit(r, "request.submit", q.Number, q.ApplicantKind)
	v := h.newApplyView(q, nil)
	v.Submitted = q
	h.render(w, r, "requests_apply", "申请已提交", h.crumbs(r, "申请已提交"), http.StatusOK, v)
}

func validateApplication(q *Request) []string {
	var p []string
	if !validTerm(ApplicantKinds, q.ApplicantKind) {
		p = append(p, "请选择申请人类型。")
	}
	if q.ApplicantName == "" || utf8.RuneCountInString(q.ApplicantName) > 100 {
		p = append(p, "请填写申请人姓名或名称（100 字以内）。")
	}
	if q.ApplicantKind == ApplicantPerson {
		if !validTerm(IDTypes, q.IDType) || q.IDNumber == "" || len(q.IDNumber) > 64 {
			p = append(p, "请选择证件类型并填写证件号码。")
		}
		q.OrgCode, q.ContactPerson = "", ""
	} else if q.ApplicantKind != "" {
		if q.OrgCode == "" || len(q.OrgCode) > 18 {
			p = append(p, "请填写统一社会信用代码（18 位）。")
		}
		if q.ContactPerson == "" {
			p = append(p, "请填写联系人。")
		}
		q.IDType, q.IDNumber = "", ""
	}
	if q.Phone == "" || len(q.Phone) > 32 {
		p = append(p, "请填写联系电话。")
	}
	if len(q.Email) > 100 || (q.Email != "" && !strings.Contains(q.Email, "@")) {
		p = append(p, "电子邮箱格式不正确。")
	}
	if utf8.RuneCountInString(q.Address) > 300 {
		p = append(p, "通信地址请勿超过 300 字。")
	}
	if n := utf8.RuneCountInString(q.Description); n < 10 || n > 5000 {
		p = append(p, "请描述所需政府信息的名称、文号或便于查询的其他特征（10 到 5000 字）。")
	}
	if utf8.RuneCountInString(q.Purpose) > 2000 {
		p = append(p, "用途说明请勿超过 2000 字。")
	}
	if !validTerm(Media, q.Medium) {
		p = append(p, "请选择信息的载体形式。")
	}
	if !validTerm(Deliveries, q.Delivery) {
		p = append(p, "请选择获取信息的方式。")
	}
	if q.Delivery == "post" && q.Address == "" {
		p = append(p, "选择邮寄时请填写通信地址。")
	}
	if q.Delivery == "email" && q.Email == "" {
		p = append(p, "选择电子邮件时请填写电子邮箱。")
	}
	return p
}

// newRequestNumber is YS, the date and five random digits; a clash is
// retried by the caller on the unique index.
func newRequestNumber(at time.Time) string {
	n, _ := rand.Int(rand.Reader, big.NewInt(100000))
	return fmt.Sprintf("YS%s%05d", at.In(cst).Format("20060102"), n.Int64())
}

// storeRequest writes the request, its first event and its files in one
// transaction, under a fresh number.
func (h *Handler) storeRequest(ctx context.Context, q *Request, files []upload, actor string, at time.Time) error {
	return h.withFiles(ctx, q.TenantID, files, func() error { return h.storeRequestRows(ctx, q, files, actor, at) })
}

func (h *Handler) storeRequestRows(ctx context.Context, q *Request, files []upload, actor string, at time.Time) error {
	var err error
	for try := 0; try < 5; try++ {
		q.Number = newRequestNumber(at)
		err = h.env.DB.Tx(ctx, q.TenantID, func(s *sdk.Scope) error {
			id, err := s.Insert(ctx, `INSERT INTO disclosure_requests (tenant_id, number, user_id, applicant_kind, applicant_name, id_type, id_number, org_code,
				contact_person, phone, email, address, description, purpose, medium, delivery, status, received_on, clock_from, due_on, due_explain,
				extension_reason, answer, demo, created_at, updated_at)
				VALUES (:tenant_id, :number, :user_id, :applicant_kind, :applicant_name, :id_type, :id_number, :org_code, :contact_person, :phone, :email, :address,
				:description, :purpose, :medium, :delivery, :status, :received_on, :clock_from, :due_on, :due_explain, '', '', :demo, :at, :at)`,
				sdk.Args{"number": q.Number, "user_id": q.UserID, "applicant_kind": q.ApplicantKind, "applicant_name": q.ApplicantName, "id_type": q.IDType,
					"id_number": q.IDNumber, "org_code": q.OrgCode, "contact_person": q.ContactPerson, "phone": q.Phone, "email": q.Email, "address": q.Address,
					"description": q.Description, "purpose": q.Purpose, "medium": q.Medium, "delivery": q.Delivery, "status": q.Status,
					"received_on": q.ReceivedOn, "clock_from": q.ClockFrom, "due_on": q.DueOn, "due_explain": q.DueExplain, "demo": q.Demo, "at": at.UTC()})
			if err != nil {
				return err
			}
			q.ID = id
			if err := addEvent(ctx, s, id, actor, "submit", "", q.Status, 0, q.DueExplain, at); err != nil {
				return err
			}
			return storeFiles(ctx, s, "request", id, files, at)
		})
		if err == nil || !sqldb.IsUniqueViolation(err) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("store request: %w", err)
	}
	return nil
}

func addEvent(ctx context.Context, s *sdk.Scope, requestID int64, actor, kind, from, to string, days int, note string, at time.Time) error {
	_, err := s.Exec(ctx, `INSERT INTO disclosure_request_events (tenant_id, request_id, at, actor, kind, from_status, to_status, days, note)
		VALUES (:tenant_id, :rid, :at, :actor, :kind, :from, :to, :days, :note)`,
		sdk.Args{"rid": requestID, "at": at.UTC(), "actor": actor, "kind": kind, "from": from, "to": to, "days": days, "note": note})
	return err
}

// allow spends one event of an hourly limit the host keeps; a host that
// cannot keep it leaves the form open rather than closed for everyone.
func (h *Handler) allow(r *http.Request, limit, key string, n int) bool {
	ok, _, err := h.env.Host.Allow(r.Context(), limit, key, n, time.Hour)
	if err != nil {
		if !errors.Is(err, sdk.ErrUnsupported) {
			h.env.Log.Warn("rate limit unavailable", "limit", limit, "err", err)
		}
		return true
	}
	return ok
}

// ---- the applicant's pages

type requestView struct {
	Q        *Request
	Events   []RequestEvent
	Files    []RequestFile
	Staff    bool
	Today    string
	Overdue  bool
	Outcomes []Outcome
	CanExt   bool
	Problems []string
	Letter   string // URL of the answer letter
	Self     string // URL of this page
}

// mine finds a request of the signed-in applicant on this tenant; anyone
// else's does not exist for them.
func (h *Handler) mine(w http.ResponseWriter, r *http.Request) *Request {
	if sdk.UserOf(r) == nil {
		http.Redirect(w, r, sdk.LoginURL(r), http.StatusSeeOther)
		return nil
	}
	q, err := requestByNumber(r.Context(), h.db(r), r.PathValue("number"))
	if err != nil || q.UserID != sdk.UserOf(r).ID {
		sdk.Fail(w, sdk.Errorf(sdk.ENOTFOUND, "没有找到这件申请。"))
		return nil
	}
	return q
}

func (h *Handler) myRequests(w http.ResponseWriter, r *http.Request) {
	u := sdk.UserOf(r)
	if u == nil {
		http.Redirect(w, r, sdk.LoginURL(r), http.StatusSeeOther)
		return
	}
	qs, err := selectRequests(r.Context(), h.db(r), "user_id = :uid ORDER BY id DESC", sdk.Args{"uid": u.ID})
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	h.render(w, r, "requests_mine", "我的信息公开申请", h.crumbs(r, "我的申请"), http.StatusOK, map[string]any{"Requests": qs, "Today": h.today()})
}

func (h *Handler) loadView(r *http.Request, q *Request, staff bool) (*requestView, error) {
	v := &requestView{Q: q, Staff: staff, Today: h.today(), Outcomes: Outcomes, CanExt: sdk.Can(r, PermExtend)}
	v.Overdue = q.Overdue(v.Today)
	if err := h.db(r).Select(r.Context(), &v.Events, `SELECT at, actor, kind, from_status, to_status, days, note FROM disclosure_request_events
		WHERE tenant_id = :tenant_id AND request_id = :id ORDER BY id`, sdk.Args{"id": q.ID}); err != nil {
		return nil, err
	}
	if err := h.db(r).Select(r.Context(), &v.Files, `SELECT id, name, mime, size, purpose FROM disclosure_files
		WHERE tenant_id = :tenant_id AND owner = 'request' AND owner_id = :id ORDER BY id`, sdk.Args{"id": q.ID}); err != nil {
		return nil, err
	}
	prefix := "disclosure/my/"
	if staff {
		prefix = "admin/disclosure/requests/"
	}
	v.Self = sdk.URL(r, prefix+q.Number)
	v.Letter = v.Self + "/letter"
	return v, nil
}

func (h *Handler) myRequest(w http.ResponseWriter, r *http.Request) {
	q := h.mine(w, r)
	if q == nil {
		return
	}
	h.showRequest(w, r, q, false, http.StatusOK, nil)
}

func (h *Handler) showRequest(w http.ResponseWriter, r *http.Request, q *Request, staff bool, status int, problems []string) {
	v, err := h.loadView(r, q, staff)
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	v.Problems = problems
	h.render(w, r, "requests_view", "申请 "+q.Number, h.crumbs(r, "申请 "+q.Number), status, v)
}

// applicantAction answers a correction request or withdraws.
func (h *Handler) applicantAction(w http.ResponseWriter, r *http.Request) {
	q := h.mine(w, r)
	if q == nil {
		return
	}
	if err := r.ParseMultipartForm(maxFiles*maxFileBytes + 1<<20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		h.showRequest(w, r, q, false, http.StatusBadRequest, []string{"表单无法读取，附件总大小请勿超过 15 MB。"})
		return
	}
	at, actor := h.now(), sdk.UserOf(r).Actor()
	switch r.PostFormValue("action") {
	case "correct":
		if q.Status != StatusCorrection {
			sdk.Fail(w, sdk.Errorf(sdk.ECONFLICT, "这件申请现在不需要补正。"))
			return
		}
		text := strings.TrimSpace(r.PostFormValue("correction"))
		files, problems := readFiles(r, "files", "correction", identityFiles)
		if utf8.RuneCountInString(text) < 5 {
			problems = append(problems, "请写明补正的内容（至少 5 个字）。")
		}
		if len(problems) > 0 {
			h.showRequest(w, r, q, false, http.StatusBadRequest, problems)
			return
		}
		prev := *q
		q.Status, q.ClockFrom, q.ConsultDays, q.StopKind, q.StopSince, q.StopUntil = StatusReceived, at.In(cst).Format("2006-01-02"), 0, "", "", ""
		if err := h.saveStep(r.Context(), q, &prev, actor, "correction_answer", 0, text, at, files); err != nil {
			sdk.Fail(w, err)
			return
		}
	case "withdraw":
		if !q.Open() {
			sdk.Fail(w, sdk.Errorf(sdk.ECONFLICT, "这件申请已经办结。"))
			return
		}
		prev := *q
		q.Status = StatusWithdrawn
		q.ClosedAt = &at
		if err := h.saveStep(r.Context(), q, &prev, actor, "withdraw", 0, strings.TrimSpace(r.PostFormValue("reason")), at, nil); err != nil {
			sdk.Fail(w, err)
			return
		}
	default:
		sdk.Fail(w, sdk.Errorf(sdk.EINVALID, "未知的操作。"))
		return
	}
	http.Redirect(w, r, sdk.URL(r, "disclosure/my/"+q.Number), http.StatusSeeOther)
}

// saveStep writes a request's new state, recomputing its due date, with
// the step's event and files, in one transaction that refuses to apply
// over a change made meanwhile.
func (h *Handler) saveStep(ctx context.Context, q, prev *Request, actor, kind string, days int, note string, at time.Time, files []upload) error {
	if q.Open() && q.Status != StatusCorrection {
		if err := h.computeDue(ctx, q); err != nil {
			return err
		}
	}
	return h.withFiles(ctx, q.TenantID, files, func() error { return h.saveStepRows(ctx, q, prev, actor, kind, days, note, at, files) })
}

func (h *Handler) saveStepRows(ctx context.Context, q, prev *Request, actor, kind string, days int, note string, at time.Time, files []upload) error {
	return h.env.DB.Tx(ctx, q.TenantID, func(s *sdk.Scope) error {
		res, err := s.Exec(ctx, `UPDATE disclosure_requests SET status = :status, clock_from = :clock_from, consult_days = :consult_days, due_on = :due_on,
			due_explain = :due_explain, stop_kind = :stop_kind, stop_since = :stop_since, stop_until = :stop_until, extension_days = :extension_days,
			extension_by = :extension_by, extension_reason = :extension_reason, outcome = :outcome, ground = :ground, answer = :answer,
			answered_on = :answered_on, answered_by = :answered_by, escalated = :escalated, updated_at = :at, closed_at = :closed_at
			WHERE tenant_id = :tenant_id AND id = :id AND status = :prev_status`,
			sdk.Args{"status": q.Status, "clock_from": q.ClockFrom, "consult_days": q.ConsultDays, "due_on": q.DueOn, "due_explain": q.DueExplain,
				"stop_kind": q.StopKind, "stop_since": q.StopSince, "stop_until": q.StopUntil, "extension_days": q.ExtensionDays, "extension_by": q.ExtensionBy,
				"extension_reason": q.ExtensionReason, "outcome": q.Outcome, "ground": q.Ground, "answer": q.Answer, "answered_on": q.AnsweredOn,
				"answered_by": q.AnsweredBy, "escalated": q.Escalated, "at": at.UTC(), "closed_at": q.ClosedAt, "id": q.ID,
				"prev_status": prev.Status})
		if err != nil {
			return fmt.Errorf("update request %s: %w", q.Number, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return sdk.Errorf(sdk.ECONFLICT, "这件申请刚被其他人处理过，请刷新页面后再试。")
		}
		if note == "" && kind != "withdraw" {
			note = q.DueExplain
		}
		if err := addEvent(ctx, s, q.ID, actor, kind, prev.Status, q.Status, days, note, at); err != nil {
			return err
		}
		return storeFiles(ctx, s, "request", q.ID, files, at)
	})
}

func (h *Handler) myLetter(w http.ResponseWriter, r *http.Request) {
	q := h.mine(w, r)
	if q == nil {
		return
	}
	h.letter(w, r, q)
}

func (h *Handler) myFile(w http.ResponseWriter, r *http.Request) {
	q := h.mine(w, r)
	if q == nil {
		return
	}
	h.sendFile(w, r, "request", q.ID, false)
}

// ---- staff

func (h *Handler) needHandler(w http.ResponseWriter, r *http.Request) bool {
	if !sdk.Can(r, PermHandle) {
		sdk.Fail(w, sdk.Errorf(sdk.EFORBID, "您没有办理本单位依申请公开的权限。"))
		return false
	}
	return true
}

func (h *Handler) staffRequests(w http.ResponseWriter, r *http.Request) {
	if !h.needHandler(w, r) {
		return
	}
	where, args := "1 = 1", sdk.Args{}
	status := r.URL.Query().Get("status")
	switch status {
	case "open":
		where = "status IN ('received','correction','consulting')"
	case StatusReceived, StatusCorrection, StatusConsulting, StatusAnswered, StatusWithdrawn:
		where, args = "status = :status", sdk.Args{"status": status}
	default:
		status = ""
	}
	qs, err := selectRequests(r.Context(), h.db(r), where+" ORDER BY CASE WHEN status IN ('received','consulting') THEN 0 WHEN status = 'correction' THEN 1 ELSE 2 END, due_on, id DESC", args)
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	h.render(w, r, "requests_staff_list", "依申请公开办理", h.crumbs(r, "依申请公开办理"), http.StatusOK,
		map[string]any{"Requests": qs, "Today": h.today(), "Status": status})
}

// staffFind finds a request of the request's tenant for its handlers;
// another tenant's numbers do not exist here.
func (h *Handler) staffFind(w http.ResponseWriter, r *http.Request) *Request {
	if !h.needHandler(w, r) {
		return nil
	}
	q, err := requestByNumber(r.Context(), h.db(r), r.PathValue("number"))
	if err != nil {
		sdk.Fail(w, err)
		return nil
	}
	return q
}

func (h *Handler) staffRequest(w http.ResponseWriter, r *http.Request) {
	if q := h.staffFind(w, r); q != nil {
		h.showRequest(w, r, q, true, http.StatusOK, nil)
	}
}

func (h *Handler) staffLetter(w http.ResponseWriter, r *http.Request) {
	if q := h.staffFind(w, r); q != nil {
		h.letter(w, r, q)
	}
}

func (h *Handler) staffFile(w http.ResponseWriter, r *http.Request) {
	if q := h.staffFind(w, r); q != nil {
		h.sendFile(w, r, "request", q.ID, false)
	}
}

func (h *Handler) staffAction(w http.ResponseWriter, r *http.Request) {
	q := h.staffFind(w, r)
	if q == nil {
		return
	}
	if !q.Open() {
		sdk.Fail(w, sdk.Errorf(sdk.ECONFLICT, "这件申请已经办结。"))
		return
	}
	ctx, u, at := r.Context(), sdk.UserOf(r), h.now()
	today := at.In(cst).Format("2006-01-02")
	prev := *q
	fail := func(msg string) { h.showRequest(w, r, q, true, http.StatusBadRequest, []string{msg}) }
	var kind, note string
	var days int
	switch action := r.PostFormValue("action"); action {
	case "correction":
		if q.Status != StatusReceived {
			fail("只有办理中的申请可以要求补正。")
			return
		}
		note = strings.TrimSpace(r.PostFormValue("note"))
		days = defaultCorrDays
		if s := r.PostFormValue("days"); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 || n > 30 {
				fail("补正期限应为 1 到 30 个工作日。")
				return
			}
			days = n
		}
		if utf8.RuneCountInString(note) < 5 {
			fail("请写明需要补正的事项和理由。")
			return
		}
		t, _ := calendar.ParseDate(today)
		wd, err := h.env.Host.AddWorkingDays(ctx, t, days)
		if err != nil {
			sdk.Fail(w, err)
			return
		}
		q.Status, q.StopKind, q.StopSince, q.StopUntil = StatusCorrection, "correction", today, wd.Date.String()
		q.DueOn, q.DueExplain = "", fmt.Sprintf("答复期限中止：已一次性告知申请人补正，申请人应在 %s 前补正；补正后自收到补正申请之日起重新计算 20 个工作日，逾期不补正视为放弃申请（第三十条）。", wd.Date.Chinese())
		note = note + "\n" + q.DueExplain
		kind = "correction_ask"
	case "consult":
		if q.Status != StatusReceived {
			fail("只有办理中的申请可以征求第三方意见。")
			return
		}
		q.Status, q.StopKind, q.StopSince = StatusConsulting, "consult", today
		note, kind = strings.TrimSpace(r.PostFormValue("note")), "consult_start"
		if note == "" {
			fail("请写明征求意见的对象和事项。")
			return
		}
	case "consult_end":
		if q.Status != StatusConsulting {
			fail("这件申请没有在征求意见。")
			return
		}
		since, _ := calendar.ParseDate(q.StopSince)
		t, _ := calendar.ParseDate(today)
		wd, err := h.env.Host.WorkingDaysBetween(ctx, since, t)
		if err != nil {
			sdk.Fail(w, err)
			return
		}
		days = min(max(wd.Days, 0), maxConsultDays-q.ConsultDays)
		q.ConsultDays += days
		q.Status, q.StopKind, q.StopSince = StatusReceived, "", ""
		note, kind = strings.TrimSpace(r.PostFormValue("note")), "consult_end"
	case "extend":
		if !sdk.Can(r, PermExtend) {
			sdk.Fail(w, sdk.Errorf(sdk.EFORBID, "延期答复须经政府信息公开工作机构负责人同意。"))
			return
		}
		if q.ExtensionDays > 0 {
			fail("这件申请已经延期过一次，不能再延期。")
			return
		}
		if q.Status == StatusCorrection {
			fail("待补正的申请不能延期。")
			return
		}
		n, err := strconv.Atoi(r.PostFormValue("days"))
		reason := strings.TrimSpace(r.PostFormValue("reason"))
		if err != nil || n < 1 || n > maxExtension {
			fail("延长的期限应为 1 到 20 个工作日。")
			return
		}
		if utf8.RuneCountInString(reason) < 5 {
			fail("请写明延期的理由。")
			return
		}
		if q.DueOn != "" && q.DueOn < today {
			fail("已超过答复期限，不能再延期。")
			return
		}
		q.ExtensionDays, q.ExtensionBy, q.ExtensionReason = n, u.Name, reason
		days, note, kind = n, reason, "extend"
	case "answer":
		if q.Status == StatusCorrection {
			fail("申请人尚未补正，不能答复。")
			return
		}
		outcome, ground := r.PostFormValue("outcome"), r.PostFormValue("ground")
		if o, ok := OutcomeOf(outcome); ok && len(o.Grounds) == 0 {
			ground = "" // the form's ground list is shared by every outcome
		}
		if !ValidDecision(outcome, ground) {
			fail("请选择办理结果；不予公开、无法提供、不予处理和其他处理须同时选择对应的理由。")
			return
		}
		answer := strings.TrimSpace(r.PostFormValue("answer"))
		if utf8.RuneCountInString(answer) < 10 {
			fail("请填写答复内容（至少 10 个字）。")
			return
		}
		q.Outcome, q.Ground, q.Answer = outcome, ground, answer
		q.Status, q.AnsweredOn, q.AnsweredBy, q.ClosedAt = StatusAnswered, today, u.Name, &at
		q.StopKind, q.StopSince = "", ""
		kind, note = "answer", q.OutcomeLabel()
	default:
		fail("未知的操作。")
		return
	}
	if err := h.saveStep(ctx, q, &prev, u.Actor(), kind, days, note, at, nil); err != nil {
		sdk.Fail(w, err)
		return
	}
	h.audit(r, "request."+kind, q.Number, note)
	h.tell(ctx, q, kind)
	http.Redirect(w, r, sdk.URL(r, "admin/disclosure/requests/"+q.Number), http.StatusSeeOther)
}

// tell notifies the applicant of a step that concerns them.
func (h *Handler) tell(ctx context.Context, q *Request, kind string) {
	subjects := map[string]string{
		"correction_ask":    "您的政府信息公开申请需要补正",
		"extend":            "您的政府信息公开申请延期答复",
		"answer":            "您的政府信息公开申请已答复",
		"correction_lapsed": "您的政府信息公开申请因逾期未补正已终止办理",
	}
	s, ok := subjects[kind]
	if !ok {
		return
	}
	n := sdk.Notification{TenantID: q.TenantID, UserID: q.UserID, Subject: s, Body: "申请编号 " + q.Number + "。", Path: "disclosure/my/" + q.Number}
	if err := h.env.Host.Notify(ctx, n); err != nil {
		h.env.Log.Warn("notify applicant", "request", q.Number, "err", err)
	}
}

// ---- the answer letter

// legalBasis names the provisions of the Regulations an outcome rests on.
var legalBasis = map[string]string{
	OutcomeDisclose:   "《中华人民共和国政府信息公开条例》第三十六条第（二）项",
	OutcomePartial:    "《中华人民共和国政府信息公开条例》第三十七条",
	OutcomeWithhold:   "《中华人民共和国政府信息公开条例》第十四条、第十五条、第十六条和第三十六条第（三）项",
	OutcomeUnable:     "《中华人民共和国政府信息公开条例》第三十六条第（四）项、第三十八条",
	OutcomeNotHandled: "《中华人民共和国政府信息公开条例》第三十五条、第三十六条第（六）项",
	OutcomeOther:      "《中华人民共和国政府信息公开条例》",
}

type letterView struct {
	Q        *Request
	Office   string
	Received string
	Answered string
	Basis    string
	Outcome  string
	Back     string
}

func (h *Handler) letter(w http.ResponseWriter, r *http.Request, q *Request) {
	if q.Status != StatusAnswered {
		sdk.Fail(w, sdk.Errorf(sdk.ENOTFOUND, "这件申请尚未答复。"))
		return
	}
	rec, _ := calendar.ParseDate(q.ReceivedOn)
	ans, _ := calendar.ParseDate(q.AnsweredOn)
	back := "disclosure/my/"
	if strings.HasPrefix(r.URL.Path, "/admin/") {
		back = "admin/disclosure/requests/"
	}
	v := letterView{Q: q, Office: sdk.TenantOf(r).Name, Received: rec.Chinese(), Answered: ans.Chinese(), Basis: legalBasis[q.Outcome], Outcome: q.OutcomeLabel(),
		Back: sdk.URL(r, back+q.Number)}
	if strings.HasSuffix(r.URL.Path, ".pdf") {
		sendPDF(w, "答复书-"+q.Number+".pdf", letterDoc(v))
		return
	}
	h.render(w, r, "requests_letter", "政府信息公开申请答复书", h.crumbs(r, "答复书"), http.StatusOK, v)
}

// letterDoc is the answer letter as a PDF says it, in the page's words.
func letterDoc(v letterView) pdfDoc {
	q := v.Q
	return pdfDoc{Title: "政府信息公开申请答复书", Subtitle: "申请编号：" + q.Number, Blocks: []pdfBlock{
		{Text: q.ApplicantName + "："},
		{Text: "本机关于" + v.Received + "收到您（单位）提出的政府信息公开申请，您申请获取：" + q.Description},
		{Text: "经审查，现答复如下：" + v.Outcome + "。"},
		{Text: q.Answer},
		{Text: "依据：" + v.Basis + "。"},
		{Text: "如对本答复不服，可以自收到本答复之日起六十日内依法申请行政复议，或者六个月内依法向人民法院提起行政诉讼。"},
		{Text: v.Office + "\n" + v.Answered, Right: true},
	}}
}

// ---- timed work and figures

// tickRequests closes corrections that lapsed (art. 30: deemed
// abandoned) and records once when an open request passes its due date,
// so that the county's supervision sees it.
func (h *Handler) tickRequests(ctx context.Context, at time.Time) ([]string, error) {
	today := at.In(cst).Format("2006-01-02")
	var notes []string
	for _, tc := range h.env.Tenants() {
		s := h.env.DB.Tenant(tc.Tenant.ID)
		lapsed, err := selectRequests(ctx, s, "status = 'correction' AND stop_until <> '' AND stop_until < :today", sdk.Args{"today": today})
		if err != nil {
			return notes, err
		}
		for _, q := range lapsed {
			prev := *q
			q.Status, q.Outcome, q.Ground, q.AnsweredOn, q.AnsweredBy, q.ClosedAt = StatusAnswered, OutcomeOther, GroundCorrectionLapsed, today, "系统", &at
			q.Answer = "申请人无正当理由逾期不补正，视为放弃申请，本机关不再处理该政府信息公开申请（《中华人民共和国政府信息公开条例》第三十条）。"
			if err := h.saveStep(ctx, q, &prev, "system", "correction_lapsed", 0, q.Answer, at, nil); err != nil {
				return notes, err
			}
			h.tell(ctx, q, "correction_lapsed")
			notes = append(notes, "申请 "+q.Number+" 逾期未补正，已终止办理")
		}
		pending, err := selectRequests(ctx, s, "status IN ('received','consulting') AND due_on = ''", nil)
		if err != nil {
			return notes, err
		}
		for _, q := range pending {
			if err := h.computeDue(ctx, q); err != nil || q.DueOn == "" {
				continue // the calendar still lacks the year
			}
			if _, err := s.Exec(ctx, `UPDATE disclosure_requests SET due_on = :due, due_explain = :why WHERE tenant_id = :tenant_id AND id = :id AND due_on = ''`,
				sdk.Args{"due": q.DueOn, "why": q.DueExplain, "id": q.ID}); err != nil {
				return notes, err
			}
			notes = append(notes, "申请 "+q.Number+" 的答复期限已按补录的工作日历计算")
		}
		late, err := selectRequests(ctx, s, "status IN ('received','consulting') AND escalated = 0 AND due_on <> '' AND due_on < :today", sdk.Args{"today": today})
		if err != nil {
			return notes, err
		}
		for _, q := range late {
			if _, err := s.Exec(ctx, `UPDATE disclosure_requests SET escalated = 1 WHERE tenant_id = :tenant_id AND id = :id AND escalated = 0`, sdk.Args{"id": q.ID}); err != nil {
				return notes, err
			}
			if err := addEvent(ctx, s, q.ID, "system", "overdue", q.Status, q.Status, 0, "已超过答复期限 "+q.DueOn+"，列入县政府办公室督办。", at); err != nil {
				return notes, err
			}
			_ = h.env.Host.Audit(ctx, sdk.AuditEntry{TenantID: q.TenantID, Actor: "system", Action: "request.overdue", Target: q.Number, Detail: "答复期限 " + q.DueOn})
			notes = append(notes, "申请 "+q.Number+" 已超过答复期限")
		}
	}
	return notes, nil
}

// requestStats are the requests' figures for the supervision page.
func (h *Handler) requestStats(ctx context.Context, tenantID int64, from, to time.Time) ([]sdk.Stat, error) {
	s := h.env.DB.Tenant(tenantID)
	f, t := from.In(cst).Format("2006-01-02"), to.In(cst).Format("2006-01-02")
	var row struct {
		Received int `db:"received"`
		Answered int `db:"answered"`
		Late     int `db:"late"`
	}
	if err := s.Get(ctx, &row, `SELECT
			COALESCE(SUM(CASE WHEN received_on >= :f AND received_on < :t THEN 1 ELSE 0 END), 0) AS received,
			COALESCE(SUM(CASE WHEN status = 'answered' AND answered_on >= :f AND answered_on < :t THEN 1 ELSE 0 END), 0) AS answered,
			COALESCE(SUM(CASE WHEN status = 'answered' AND answered_on >= :f AND answered_on < :t AND due_on <> '' AND answered_on > due_on THEN 1 ELSE 0 END), 0) AS late
		FROM disclosure_requests WHERE tenant_id = :tenant_id`, sdk.Args{"f": f, "t": t}); err != nil {
		return nil, err
	}
	var overdue int
	if err := s.Get(ctx, &overdue, `SELECT COUNT(*) FROM disclosure_requests WHERE tenant_id = :tenant_id AND status IN ('received','consulting')
		AND due_on <> '' AND due_on < :today`, sdk.Args{"today": h.today()}); err != nil {
		return nil, err
	}
	// The longest wait of an open request, in calendar days from receipt
	// (the county's supervision measures waits as people feel them); one
	// waiting for the applicant's correction waits on no one here.
	var first string
	if err := s.Get(ctx, &first, `SELECT COALESCE(MIN(received_on), '') FROM disclosure_requests WHERE tenant_id = :tenant_id
		AND status IN ('received','consulting')`, nil); err != nil {
		return nil, err
	}
	oldest := 0
	if d, err := time.ParseInLocation("2006-01-02", first, cst); err == nil {
		oldest = max(0, int(h.now().In(cst).Sub(d).Hours()/24))
	}
	return []sdk.Stat{
		{Name: "requests_received", Title: "收到依申请公开申请", Value: float64(row.Received), Unit: "件"},
		{Name: "requests_answered", Title: "答复依申请公开申请", Value: float64(row.Answered), Unit: "件"},
		{Name: "requests_on_time", Title: "按期答复", Value: float64(row.Answered - row.Late), Unit: "件"},
		{Name: "requests_late", Title: "超期答复", Value: float64(row.Late), Unit: "件"},
		{Name: "requests_overdue", Title: "超期未答复", Value: float64(overdue), Unit: "件"},
		{Name: "oldest_open_days", Title: "最久未答复申请已等待", Value: float64(oldest), Unit: "天"},
	}, nil
}
