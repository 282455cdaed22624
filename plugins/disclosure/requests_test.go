package disclosure

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/sdktest"
)

var (
	portal, jyj, rsj = sdktest.Portal, sdktest.JYJ, sdktest.RSJ

	applicant = &sdk.User{ID: 100, Name: "张三", Roles: []string{sdk.RoleCitizen}, Permissions: []string{PermApply}}
	stranger  = &sdk.User{ID: 101, Name: "李四", Roles: []string{sdk.RoleCitizen}, Permissions: []string{PermApply}}
	handler   = &sdk.User{ID: 7, Name: "赵办理", Roles: []string{sdk.RoleHandler}, Permissions: []string{PermHandle}}
	head      = &sdk.User{ID: 8, Name: "钱主任", Roles: []string{sdk.RoleReviewer}, Permissions: []string{PermHandle, PermExtend}}
	rsjStaff  = &sdk.User{ID: 9, Name: "孙科员", Roles: []string{sdk.RoleHandler}, Permissions: []string{PermHandle}}

	numberRe = regexp.MustCompile(`申请编号 <strong>(YS\d{13})</strong>`)
	pngBytes = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR fake png body")
)

func requestOptions() sdktest.Options {
	return sdktest.Options{Tenants: []*sdk.Tenant{portal, jyj, rsj}}
}

// at sets the module's clock.
func at(t *testing.T, h *sdktest.Harness, s string) {
	t.Helper()
	when, err := time.ParseInLocation("2006-01-02 15:04", s, cst)
	if err != nil {
		t.Fatal(err)
	}
	h.Server.Handler().(*Handler).now = func() time.Time { return when }
}

// multipartForm is a form as the page posts it: the token a field, the
// files as parts.
func multipartForm(t *testing.T, fields url.Values, field string, files map[string][]byte) ([]byte, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	_ = mw.WriteField("csrf", sdktest.CSRFToken)
	for k, vs := range fields {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	for name, data := range files {
		w, _ := mw.CreateFormFile(field, name)
		_, _ = w.Write(data)
	}
	_ = mw.Close()
	return b.Bytes(), mw.FormDataContentType()
}

func applicationFields() url.Values {
	return url.Values{"applicant_kind": {ApplicantPerson}, "applicant_name": {"张三"}, "id_type": {"resident_id"}, "id_number": {"522227199001011234"},
		"phone": {"13812345678"}, "description": {"请公开2025年本县义务教育阶段学校布局调整方案全文"}, "medium": {"electronic"}, "delivery": {"online"}}
}

func postApplication(t *testing.T, h *sdktest.Harness, tenant *sdk.Tenant, u *sdk.User, fields url.Values, files map[string][]byte) *sdktest.Response {
	t.Helper()
	body, ctype := multipartForm(t, fields, "id_files", files)
	return h.Do(sdktest.Request{Tenant: tenant, User: u, Method: http.MethodPost, Path: "/disclosure/apply", Body: body,
		Header: http.Header{"Content-Type": {ctype}}})
}

// apply submits the standard application to 教育局 and returns its number.
func apply(t *testing.T, h *sdktest.Harness) string {
	t.Helper()
	r := postApplication(t, h, jyj, applicant, applicationFields(), map[string][]byte{"身份证.png": pngBytes})
	m := numberRe.FindStringSubmatch(r.HTML)
	if r.Status != http.StatusOK || m == nil {
		t.Fatalf("apply: %d %s", r.Status, r.Text())
	}
	return m[1]
}

func staff(t *testing.T, h *sdktest.Harness, u *sdk.User, number string, form url.Values, want int) *sdktest.Response {
	t.Helper()
	r := h.Post(jyj, u, "/admin/disclosure/requests/"+number, form)
	if r.Status != want {
		t.Fatalf("%s %v: %d, want %d: %s", number, form, r.Status, want, r.Text())
	}
	return r
}

func loadRequest(t *testing.T, h *sdktest.Harness, number string) *Request {
	t.Helper()
	q, err := requestByNumber(context.Background(), h.Server.Handler().(*Handler).env.DB.Tenant(jyj.ID), number)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// A request received before the Spring Festival of 2026, stopped once for
// correction and extended once: every due date is the one the State
// Council's notice gives, counted by hand.
func TestRequestDeadlineAcrossSpringFestival(t *testing.T) {
	sdktest.EachDB(t, func(t *testing.T, dsn string) {
		o := requestOptions()
		o.DSN = dsn
		h := sdktest.InProcess(t, Module, o)
		at(t, h, "2026-02-02 10:00") // Monday
		n := apply(t, h)
		// 20 working days from 2 February: 3–6, 9–13, the make-up Saturday
		// 14th, 24–27, Saturday 28th, 2–6 March.
		if q := loadRequest(t, h, n); q.DueOn != "2026-03-06" || !strings.Contains(q.DueExplain, "20 个工作日") {
			t.Fatalf("first due date %s: %s", q.DueOn, q.DueExplain)
		}
		at(t, h, "2026-02-04 09:00")
		staff(t, h, handler, n, url.Values{"action": {"correction"}, "note": {"请写明所需方案的发文单位或年份"}, "days": {"15"}}, http.StatusSeeOther)
		q := loadRequest(t, h, n)
		if q.Status != StatusCorrection || q.DueOn != "" || q.StopUntil != "2026-03-03" {
			// 15 working days from 4 February: 5, 6, 9–13, 14, 24–27, 28, 2, 3 March.
			t.Fatalf("during correction: status %s due %q correct by %s", q.Status, q.DueOn, q.StopUntil)
		}
		// The clock stops: staff cannot answer meanwhile.
		staff(t, h, handler, n, url.Values{"action": {"answer"}, "outcome": {OutcomeDisclose}, "answer": {"现予公开，见附件。附件略。"}}, http.StatusBadRequest)

		at(t, h, "2026-02-10 15:00")
		body, ctype := multipartForm(t, url.Values{"action": {"correct"}, "correction": {"发文单位为县教育局，2025年8月印发"}}, "files", nil)
		r := h.Do(sdktest.Request{Tenant: jyj, User: applicant, Method: http.MethodPost, Path: "/disclosure/my/" + n, Body: body, Header: http.Header{"Content-Type": {ctype}}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("correct: %d %s", r.Status, r.Text())
		}
		// Counted again from 10 February: 11–13, 14, 24–28, 2–6, 9–13, 16 March.
		if q := loadRequest(t, h, n); q.Status != StatusReceived || q.DueOn != "2026-03-16" || !strings.Contains(q.DueExplain, "重新计算") {
			t.Fatalf("after correction: %s %s: %s", q.Status, q.DueOn, q.DueExplain)
		}

		at(t, h, "2026-03-10 10:00")
		ext := url.Values{"action": {"extend"}, "days": {"10"}, "reason": {"涉及多所学校，需要汇总整理"}}
		staff(t, h, handler, n, ext, http.StatusForbidden) // only the head of the office
		staff(t, h, head, n, ext, http.StatusSeeOther)
		// Ten more: 17–20, 23–27, 30 March.
		if q := loadRequest(t, h, n); q.DueOn != "2026-03-30" || q.ExtensionBy != "钱主任" || !strings.Contains(q.DueExplain, "延长 10 个工作日") {
			t.Fatalf("after extension: %s by %q: %s", q.DueOn, q.ExtensionBy, q.DueExplain)
		}
		r = staff(t, h, head, n, ext, http.StatusBadRequest)
		if !strings.Contains(r.HTML, "只能延期一次") && !strings.Contains(r.HTML, "已经延期过一次") {
			t.Fatalf("second extension: %s", r.HTML)
		}
		notices := h.Host.Notices()
		if len(notices) != 2 || notices[0].UserID != applicant.ID || !strings.Contains(notices[1].Subject, "延期") {
			t.Fatalf("applicant told: %+v", notices)
		}

		// An outcome that needs a ground is refused without one, and nothing changes.
		staff(t, h, handler, n, url.Values{"action": {"answer"}, "outcome": {OutcomeWithhold}, "answer": {"经审查，该信息不予公开。"}}, http.StatusBadRequest)
		if q := loadRequest(t, h, n); q.Status != StatusReceived || q.Outcome != "" {
			t.Fatalf("refused answer changed the request: %+v", q)
		}
		at(t, h, "2026-03-20 10:00")
		staff(t, h, handler, n, url.Values{"action": {"answer"}, "outcome": {OutcomePartial}, "answer": {"方案全文予以公开，其中涉及个人信息的部分不予公开。"}}, http.StatusSeeOther)
		letter := h.Get(jyj, applicant, "/disclosure/my/"+n+"/letter")
		for _, want := range []string{"政府信息公开申请答复书", "2026年2月2日", "部分公开", "第三十七条", "行政复议", "思南县教育局", "2026年3月20日"} {
			if !strings.Contains(letter.HTML, want) {
				t.Errorf("answer letter lacks %q:\n%s", want, letter.HTML)
			}
		}
		if pdf := h.Get(jyj, applicant, "/disclosure/my/"+n+"/letter.pdf"); pdf.Status != http.StatusOK || !bytes.HasPrefix(pdf.Body, []byte("%PDF-")) ||
			pdf.Header.Get("Content-Type") != "application/pdf" {
			t.Errorf("letter PDF: %d %q %.20q", pdf.Status, pdf.Header.Get("Content-Type"), pdf.Body)
		}
		if pdf := h.Get(jyj, stranger, "/disclosure/my/"+n+"/letter.pdf"); pdf.Status != http.StatusNotFound {
			t.Errorf("another person's letter PDF: %d", pdf.Status)
		}
		page := h.Get(jyj, applicant, "/disclosure/my/"+n)
		for _, want := range []string{"提交申请", "要求补正", "申请人补正", "延期答复", "作出答复"} {
			if !strings.Contains(page.HTML, want) {
				t.Errorf("history lacks %q", want)
			}
		}
		var audited []string
		for _, e := range h.Host.AuditLog() {
			audited = append(audited, e.Action)
		}
		if got := strings.Join(audited, ","); got != "request.submit,request.correction_ask,request.extend,request.answer" {
			t.Errorf("audit log: %s", got)
		}
	})
}

// Staff of another tenant, other citizens and anonymous visitors see
// nothing of a request, its identity documents or its letter; requests
// are never search documents.
func TestRequestIsolation(t *testing.T) {
	h := sdktest.InProcess(t, Module, requestOptions())
	// Twenty working days from 10 December 2026 run into 2027, which the
	// calendar lacks: the application is received all the same.
	at(t, h, "2026-12-10 10:00")
	n := apply(t, h)
	q := loadRequest(t, h, n)
	if q.Status != StatusReceived || q.DueOn != "" || !strings.Contains(q.DueExplain, "暂时无法计算") {
		t.Fatalf("a due date past the calendar: %q %s", q.DueOn, q.DueExplain)
	}
	var fileID int64
	if err := h.Server.Handler().(*Handler).env.DB.Tenant(jyj.ID).Get(context.Background(), &fileID,
		`SELECT id FROM disclosure_files WHERE tenant_id = :tenant_id AND owner_id = :id`, sdk.Args{"id": q.ID}); err != nil {
		t.Fatal(err)
	}
	file := "/files/" + itoa(fileID)
	for _, c := range []struct {
		name   string
		tenant *sdk.Tenant
		user   *sdk.User
		path   string
		want   int
	}{
		{"another citizen", jyj, stranger, "/disclosure/my/" + n, http.StatusNotFound},
		{"another citizen's file", jyj, stranger, "/disclosure/my/" + n + file, http.StatusNotFound},
		{"anonymous", jyj, nil, "/disclosure/my/" + n, http.StatusSeeOther},
		{"another tenant's staff", rsj, rsjStaff, "/admin/disclosure/requests/" + n, http.StatusNotFound},
		{"another tenant's staff, file", rsj, rsjStaff, "/admin/disclosure/requests/" + n + file, http.StatusNotFound},
		{"the applicant elsewhere", rsj, applicant, "/disclosure/my/" + n, http.StatusNotFound},
		{"a citizen in the console", jyj, stranger, "/admin/disclosure/requests/" + n, http.StatusForbidden},
		{"the applicant", jyj, applicant, "/disclosure/my/" + n + file, http.StatusOK},
		{"the tenant's staff", jyj, handler, "/admin/disclosure/requests/" + n + file, http.StatusOK},
	} {
		r := h.Get(c.tenant, c.user, c.path)
		if r.Status != c.want {
			t.Errorf("%s: %d, want %d", c.name, r.Status, c.want)
		}
		if c.want != http.StatusOK && (strings.Contains(r.Text(), "522227199001011234") || strings.Contains(r.Text(), "布局调整")) {
			t.Errorf("%s: the answer shows the request", c.name)
		}
	}
	if r := h.Get(jyj, handler, "/admin/disclosure/requests/"+n+file); r.Header.Get("Cache-Control") != "private, no-store" || !bytes.Equal(r.Body, pngBytes) {
		t.Errorf("identity document: %q, %d bytes", r.Header.Get("Cache-Control"), len(r.Body))
	}
	decide := h.Post(rsj, rsjStaff, "/admin/disclosure/requests/"+n, url.Values{"action": {"answer"}, "outcome": {OutcomeDisclose}, "answer": {"予以公开，详见附件内容。"}})
	if decide.Status != http.StatusNotFound || loadRequest(t, h, n).Status != StatusReceived {
		t.Errorf("another tenant decided: %d", decide.Status)
	}
	if list := h.Get(rsj, rsjStaff, "/admin/disclosure/requests/"); strings.Contains(list.HTML, n) {
		t.Error("another tenant's console lists the request")
	}
	if docs := h.Host.Documents(); len(docs) != 0 {
		t.Errorf("requests indexed: %+v", docs)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Bad applications are refused with the reason, and nothing is stored.
func TestBadApplicationsStoreNothing(t *testing.T) {
	h := sdktest.InProcess(t, Module, requestOptions())
	big := append(append([]byte{}, pngBytes...), make([]byte, maxFileBytes)...)
	for _, c := range []struct {
		name   string
		fields func(url.Values)
		files  map[string][]byte
		want   string
	}{
		{"a text file named .png", nil, map[string][]byte{"id.png": []byte("just text")}, "不是 JPEG、PNG 图片或 PDF 文件"},
		{"too large", nil, map[string][]byte{"id.png": big}, "超过 5 MB"},
		{"no identity document", nil, nil, "请上传身份证明文件"},
		{"no description", func(v url.Values) { v.Set("description", "短") }, map[string][]byte{"id.png": pngBytes}, "请描述所需政府信息"},
		{"an organisation without its code", func(v url.Values) { v.Set("applicant_kind", ApplicantBusiness) }, map[string][]byte{"id.png": pngBytes}, "统一社会信用代码"},
		{"an unknown kind", func(v url.Values) { v.Set("applicant_kind", "alien") }, map[string][]byte{"id.png": pngBytes}, "请选择申请人类型"},
	} {
		f := applicationFields()
		if c.fields != nil {
			c.fields(f)
		}
		r := postApplication(t, h, jyj, applicant, f, c.files)
		if r.Status != http.StatusBadRequest || !strings.Contains(r.HTML, c.want) {
			t.Errorf("%s: %d %s", c.name, r.Status, r.Text())
		}
	}
	var n int
	if err := h.Server.Handler().(*Handler).env.DB.Tenant(jyj.ID).Get(context.Background(), &n,
		`SELECT (SELECT COUNT(*) FROM disclosure_requests WHERE tenant_id = :tenant_id) + (SELECT COUNT(*) FROM disclosure_files WHERE tenant_id = :tenant_id)`, nil); err != nil || n != 0 {
		t.Errorf("rows stored after refusals: %d (%v)", n, err)
	}
	if r := h.Get(jyj, nil, "/disclosure/apply"); r.Status != http.StatusSeeOther {
		t.Errorf("anonymous form: %d", r.Status)
	}
}

// A correction not answered in time ends the request as 其他处理 with the
// statutory ground, once, and an open request past its date is flagged.
func TestLapsedCorrectionAndOverdue(t *testing.T) {
	h := sdktest.InProcess(t, Module, requestOptions())
	at(t, h, "2026-03-02 10:00")
	lapsing, late := apply(t, h), apply(t, h)
	staff(t, h, handler, lapsing, url.Values{"action": {"correction"}, "note": {"请补充所需信息的年份"}, "days": {"5"}}, http.StatusSeeOther)
	tk := h.Server.Handler().(sdk.Ticker)
	for _, day := range []string{"2026-03-09 12:00", "2026-04-10 12:00", "2026-04-11 12:00"} {
		when, _ := time.ParseInLocation("2006-01-02 15:04", day, cst)
		if _, err := tk.Tick(context.Background(), when); err != nil {
			t.Fatal(err)
		}
	}
	q := loadRequest(t, h, lapsing)
	if q.Status != StatusAnswered || q.Outcome != OutcomeOther || q.Ground != GroundCorrectionLapsed {
		t.Fatalf("lapsed correction: %+v", q)
	}
	if l := loadRequest(t, h, late); l.Escalated != 1 || !l.Overdue("2026-04-11") {
		t.Fatalf("overdue request not flagged: %+v", l)
	}
	at(t, h, "2026-04-11 12:00")
	stats, err := h.Server.Handler().(sdk.Statser).Stats(context.Background(), jyj.ID, time.Date(2026, 1, 1, 0, 0, 0, 0, cst), time.Date(2027, 1, 1, 0, 0, 0, 0, cst))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, s := range stats {
		got[s.Name] = s.Value
	}
	// The open one waits since 2 March: 40 days on 11 April.
	if got["requests_received"] != 2 || got["requests_answered"] != 1 || got["oldest_open_days"] != 40 {
		t.Errorf("stats: %v", got)
	}
}

// Through the real plugin process: a multipart application with its
// identity document, answered, its letter read by the applicant.
func TestRequestThroughThePluginProcess(t *testing.T) {
	h := sdktest.Process(t, Module, requestOptions())
	n := apply(t, h)
	r := h.Post(jyj, handler, "/admin/disclosure/requests/"+n, url.Values{"action": {"answer"}, "outcome": {OutcomeUnable}, "ground": {"not_held"},
		"answer": {"经检索，本机关未制作或获取该政府信息。"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("answer: %d %s", r.Status, r.Text())
	}
	if l := h.Get(jyj, applicant, "/disclosure/my/"+n+"/letter"); !strings.Contains(l.HTML, "本机关不掌握相关政府信息") {
		t.Fatalf("letter: %d %s", l.Status, l.Text())
	}
}

// The applicant's requests at every tenant are their cases, and nobody
// else's.
func TestRequestsAreTheApplicantsCases(t *testing.T) {
	h := sdktest.InProcess(t, Module, requestOptions())
	at(t, h, "2026-03-02 10:00")
	n := apply(t, h)
	r := postApplication(t, h, rsj, applicant, applicationFields(), map[string][]byte{"身份证.png": pngBytes})
	other := numberRe.FindStringSubmatch(r.HTML)
	if other == nil {
		t.Fatalf("apply to 人社局: %s", r.Text())
	}
	cases, err := h.Server.Handler().(sdk.Caser).Cases(context.Background(), applicant.ID)
	if err != nil || len(cases) != 2 {
		t.Fatalf("cases: %+v (%v)", cases, err)
	}
	byNumber := map[string]sdk.Case{}
	for _, c := range cases {
		byNumber[c.Number] = c
	}
	if c := byNumber[n]; c.TenantID != jyj.ID || c.Path != "disclosure/my/"+n || c.Due.String() != "2026-03-30" || c.Closed || c.State != "办理中" {
		t.Errorf("教育局 case: %+v", c)
	}
	if c := byNumber[other[1]]; c.TenantID != rsj.ID {
		t.Errorf("人社局 case: %+v", c)
	}
	if none, _ := h.Server.Handler().(sdk.Caser).Cases(context.Background(), stranger.ID); len(none) != 0 {
		t.Errorf("another person's cases: %+v", none)
	}
}
