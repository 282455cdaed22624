package mailbox

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/calendar"
	"yiwang/plugins/sdk/sdktest"
)

func TestMain(m *testing.M) { sdktest.Main(m) }

var (
	portal = sdktest.Portal
	jyj    = sdktest.JYJ
	rsj    = sdktest.RSJ

	citizen    = &sdk.User{ID: 100, Name: "张三", Roles: []string{sdk.RoleCitizen}, Permissions: []string{PermWrite}}
	dispatcher = &sdk.User{ID: 1, Name: "县政府办", Roles: []string{sdk.RoleHandler}, Permissions: []string{PermWrite, PermHandle}}
	jyjHandler = &sdk.User{ID: 2, Name: "教育局经办", Roles: []string{sdk.RoleHandler}, Permissions: []string{PermWrite, PermHandle}}
	rsjHandler = &sdk.User{ID: 3, Name: "人社局经办", Roles: []string{sdk.RoleHandler}, Permissions: []string{PermWrite, PermHandle}}
)

var (
	numberRe = regexp.MustCompile(`<dt>信件编号</dt><dd><strong>(XX\d{14})</strong>`)
	codeRe   = regexp.MustCompile(`<dt>查询码</dt><dd><strong>(\d{8})</strong>`)
)

func options() sdktest.Options {
	return sdktest.Options{Tenants: []*sdk.Tenant{portal, jyj, rsj}}
}

// write submits a letter as citizen and returns its number and code.
func write(t *testing.T, h *sdktest.Harness, category, subject string, consent bool) (string, string) {
	t.Helper()
	f := url.Values{"box": {"county_head"}, "category": {category}, "subject": {subject},
		"content": {"我家住在城北社区，电话 13812345678，想咨询孩子入学需要准备哪些材料。"}, "phone": {"13812345678"}}
	if consent {
		f.Set("consent", "yes")
	}
	r := h.Post(portal, citizen, "/mailbox/write", f)
	n, c := numberRe.FindStringSubmatch(r.HTML), codeRe.FindStringSubmatch(r.HTML)
	if r.Status != 200 || n == nil || c == nil {
		t.Fatalf("submit: %d %s", r.Status, r.Text())
	}
	return n[1], c[1]
}

func expect(t *testing.T, r *sdktest.Response, status int, what string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s: status %d, want %d: %s", what, r.Status, status, r.Text())
	}
}

// handleToReply takes a letter from submission to an approved reply.
func handleToReply(t *testing.T, h *sdktest.Harness, number, reply string, publish bool) {
	t.Helper()
	expect(t, h.Post(portal, dispatcher, "/admin/mailbox/l/"+number, url.Values{"action": {"assign"}, "dept": {"2"}}), http.StatusSeeOther, "assign")
	expect(t, h.Post(jyj, jyjHandler, "/admin/mailbox/l/"+number, url.Values{"action": {"submit_reply"}, "reply": {reply}}), http.StatusSeeOther, "reply")
	f := url.Values{"action": {"approve"}}
	if publish {
		f.Set("publish", "yes")
	}
	expect(t, h.Post(portal, dispatcher, "/admin/mailbox/l/"+number, f), http.StatusSeeOther, "approve")
}

// TestLetterToPublishedReply is the whole path over the real plugin
// process: a letter written, looked up, assigned to 教育局, answered,
// approved, published without personal data, rated; a second letter
// whose writer did not consent never becomes public; 人社局 cannot see or
// answer 教育局's letter.
func TestLetterToPublishedReply(t *testing.T) {
	h := sdktest.Process(t, Module, options())
	number, code := write(t, h, "咨询", "孩子入学需要哪些材料", true)

	// Look-up by number and code, for anyone; a wrong code finds nothing.
	expect(t, h.Post(portal, nil, "/mailbox/query", url.Values{"number": {number}, "code": {"00000000"}}), http.StatusNotFound, "wrong code")
	if r := h.Post(portal, nil, "/mailbox/query", url.Values{"number": {number}, "code": {code}}); r.Status != 200 || !strings.Contains(r.HTML, "待受理") {
		t.Fatalf("query: %d %s", r.Status, r.Text())
	}
	if r := h.Get(portal, citizen, "/mailbox/my/"); !strings.Contains(r.HTML, number) {
		t.Fatalf("my letters: %s", r.Text())
	}
	if r := h.Get(portal, dispatcher, "/admin/mailbox/"); !strings.Contains(r.HTML, number) {
		t.Fatalf("dispatcher's list: %s", r.Text())
	}
	expect(t, h.Post(portal, dispatcher, "/admin/mailbox/l/"+number, url.Values{"action": {"assign"}, "dept": {"2"}}), http.StatusSeeOther, "assign")
	if r := h.Get(portal, citizen, "/mailbox/my/"+number); !strings.Contains(r.HTML, "期限如何计算") || !strings.Contains(r.HTML, "思南县教育局") {
		t.Fatalf("deadline not shown to the writer: %s", r.Text())
	}

	// 教育局 sees it; 人社局 can neither see, answer nor guess it.
	if r := h.Get(jyj, jyjHandler, "/admin/mailbox/"); !strings.Contains(r.HTML, number) {
		t.Fatalf("jyj's list: %s", r.Text())
	}
	if r := h.Get(rsj, rsjHandler, "/admin/mailbox/"); strings.Contains(r.HTML, number) {
		t.Fatalf("rsj sees jyj's letter")
	}
	expect(t, h.Get(rsj, rsjHandler, "/admin/mailbox/l/"+number), http.StatusNotFound, "rsj reads")
	expect(t, h.Post(rsj, rsjHandler, "/admin/mailbox/l/"+number, url.Values{"action": {"submit_reply"}, "reply": {"越权答复"}}), http.StatusNotFound, "rsj replies")
	expect(t, h.Get(rsj, rsjHandler, "/admin/mailbox/l/XX20260000000001"), http.StatusNotFound, "guess")
	// Nor can a handler of 教育局 act as the portal's dispatcher.
	expect(t, h.Post(jyj, jyjHandler, "/admin/mailbox/l/"+number, url.Values{"action": {"approve"}}), http.StatusConflict, "handler approves")

	reply := "您好：入学需准备户口簿、房产证明，咨询电话 0851-1234567。"
	expect(t, h.Post(jyj, jyjHandler, "/admin/mailbox/l/"+number, url.Values{"action": {"submit_reply"}, "reply": {reply}}), http.StatusSeeOther, "reply")
	if r := h.Get(portal, citizen, "/mailbox/my/"+number); strings.Contains(r.HTML, "户口簿") {
		t.Fatal("the writer sees a reply before it is approved")
	}
	staffView := h.Get(portal, dispatcher, "/admin/mailbox/l/"+number)
	if !strings.Contains(staffView.HTML, `name="public_content" rows="5">我家住在城北社区，电话 [已隐去]`) {
		t.Fatalf("prefilled public version: %s", staffView.HTML)
	}
	expect(t, h.Post(portal, dispatcher, "/admin/mailbox/l/"+number, url.Values{"action": {"approve"}, "publish": {"yes"},
		"public_subject": {"孩子入学需要哪些材料"}, "public_content": {"我家住在某社区，电话 13812345678，想咨询孩子入学需要准备哪些材料。"},
		"public_reply": {reply}}), http.StatusSeeOther, "approve")
	mine := h.Get(portal, citizen, "/mailbox/my/"+number)
	if !strings.Contains(mine.HTML, "户口簿") || !strings.Contains(mine.HTML, "已办结") {
		t.Fatalf("writer's view: %s", mine.Text())
	}
	expect(t, h.Post(portal, citizen, "/mailbox/my/"+number+"/rate", url.Values{"rating": {"满意"}}), http.StatusSeeOther, "rate")
	expect(t, h.Post(portal, citizen, "/mailbox/my/"+number+"/rate", url.Values{"rating": {"不满意"}}), http.StatusConflict, "rate twice")

	// Public, without personal data.
	list := h.Get(portal, nil, "/mailbox/")
	if !strings.Contains(list.HTML, "孩子入学需要哪些材料") {
		t.Fatalf("published list: %s", list.HTML)
	}
	page := h.Get(portal, nil, "/mailbox/public/"+number)
	if page.Status != 200 || !strings.Contains(page.HTML, "户口簿") || !strings.Contains(page.HTML, "某社区") || strings.Contains(page.HTML, "城北") || strings.Contains(page.HTML, "13812345678") || strings.Contains(page.HTML, "1234567") {
		t.Fatalf("published letter: %s", page.Text())
	}

	// A letter whose writer did not consent: approved with "publish" ticked
	// (a forged form), still never public nor indexed.
	secret, _ := write(t, h, "投诉", "不愿公开的投诉", false)
	handleToReply(t, h, secret, "已核实处理。", true)
	if r := h.Get(portal, nil, "/mailbox/"); strings.Contains(r.HTML, "不愿公开的投诉") {
		t.Fatal("unconsented letter listed")
	}
	expect(t, h.Get(portal, nil, "/mailbox/public/"+secret), http.StatusNotFound, "unconsented page")
	docs := h.Host.Documents()
	if len(docs) != 1 || docs[0].ID != number || strings.Contains(docs[0].Body, "13812345678") || strings.Contains(docs[0].Body, "城北") {
		t.Fatalf("search documents: %+v", docs)
	}
	// Withdrawn from publication: off the pages and out of the index.
	expect(t, h.Post(portal, dispatcher, "/admin/mailbox/l/"+number, url.Values{"action": {"unpublish"}, "reason": {"含有未隐去的个人信息"}}), http.StatusSeeOther, "unpublish")
	expect(t, h.Get(portal, nil, "/mailbox/public/"+number), http.StatusNotFound, "unpublished page")
	if docs := h.Host.Documents(); len(docs) != 0 {
		t.Fatalf("unpublished letter still indexed: %+v", docs)
	}
	actions := map[string]bool{}
	for _, a := range h.Host.AuditLog() {
		actions[a.Action] = true
	}
	for _, a := range []string{"letter.submit", "letter.assign", "letter.submit_reply", "letter.approve", "letter.rate"} {
		if !actions[a] {
			t.Errorf("audit log lacks %s: %v", a, actions)
		}
	}
}

func TestDeadlineAcrossSpringFestival(t *testing.T) {
	host := sdktest.NewFakeHost()
	ctx := context.Background()
	for _, c := range []struct {
		from string
		n    int
		want string
	}{
		{"2026-02-12", 3, "2026-02-24"}, // Fri 13, make-up Sat 14, then the holiday to Mon 23
		{"2026-02-12", 7, "2026-02-28"}, // … 24–27, and make-up Sat 28
		{"2026-02-13", 1, "2026-02-14"}, // the make-up Saturday counts
	} {
		from, _ := calendar.ParseDate(c.from)
		dl, ex, err := computeDeadline(ctx, host, from, c.n, "默认")
		if err != nil || dl != c.want {
			t.Errorf("%s + %d: %s, %v; want %s", c.from, c.n, dl, err, c.want)
		}
		if !strings.Contains(ex, "春节") {
			t.Errorf("explanation does not name the holiday: %s", ex)
		}
	}
}

// setNow moves the module's clock (in-process harness only).
func setNow(t *testing.T, s string) {
	t.Helper()
	at, err := time.ParseInLocation("2006-01-02 15:04", s, cst)
	if err != nil {
		t.Fatal(err)
	}
	now = func() time.Time { return at }
	t.Cleanup(func() { now = time.Now })
}

func TestExtension(t *testing.T) {
	sdktest.EachDB(t, func(t *testing.T, dsn string) {
		o := options()
		o.DSN = dsn
		h := sdktest.InProcess(t, Module, o)
		setNow(t, "2026-02-12 10:00")
		a, _ := write(t, h, "咨询", "延期一", false)
		b, _ := write(t, h, "咨询", "延期二", false)
		for _, n := range []string{a, b} {
			expect(t, h.Post(portal, dispatcher, "/admin/mailbox/l/"+n, url.Values{"action": {"assign"}, "dept": {"2"}}), http.StatusSeeOther, "assign")
		}
		if r := h.Get(jyj, jyjHandler, "/admin/mailbox/l/"+a); !strings.Contains(r.HTML, "2026-02-24") {
			t.Fatalf("deadline: %s", r.Text())
		}
		ask := url.Values{"action": {"ext_request"}, "days": {"5"}, "reason": {"需要现场核实"}}
		// After the deadline: refused.
		setNow(t, "2026-02-25 09:00")
		r := h.Post(jyj, jyjHandler, "/admin/mailbox/l/"+a, ask)
		if r.Status != http.StatusConflict || !strings.Contains(r.Message, "已超过办理期限") {
			t.Fatalf("late extension: %d %s", r.Status, r.Text())
		}
		// On the last day: asked, approved, the deadline moves 5 working days
		// (25–27 February, the make-up Saturday 28th, Monday 2 March).
		setNow(t, "2026-02-24 17:00")
		expect(t, h.Post(jyj, jyjHandler, "/admin/mailbox/l/"+b, ask), http.StatusSeeOther, "ask")
		expect(t, h.Post(portal, dispatcher, "/admin/mailbox/l/"+b, url.Values{"action": {"ext_approve"}}), http.StatusSeeOther, "approve extension")
		if r := h.Get(portal, citizen, "/mailbox/my/"+b); !strings.Contains(r.HTML, "2026-03-02") || !strings.Contains(r.HTML, "同意延期") {
			t.Fatalf("extended deadline: %s", r.Text())
		}
	})
}

func TestBounceAndRateLimit(t *testing.T) {
	h := sdktest.InProcess(t, Module, options())
	n, _ := write(t, h, "求助", "退回测试", false)
	for i, dept := range []string{"2", "2"} {
		expect(t, h.Post(portal, dispatcher, "/admin/mailbox/l/"+n, url.Values{"action": {"assign"}, "dept": {dept}}), http.StatusSeeOther, "assign")
		expect(t, h.Post(jyj, jyjHandler, "/admin/mailbox/l/"+n, url.Values{"action": {"bounce"}, "reason": {"不属于本单位职责"}}), http.StatusSeeOther, "bounce")
		if r := h.Get(portal, dispatcher, "/admin/mailbox/"); (i == 1) != strings.Contains(r.HTML, "多次退回") {
			t.Fatalf("flag after %d bounces: %s", i+1, r.HTML)
		}
	}
	for i := 0; i < perUserHour-1; i++ {
		write(t, h, "建议", "建议", false)
	}
	r := h.Post(portal, citizen, "/mailbox/write", url.Values{"box": {"county_head"}, "category": {"建议"}, "subject": {"又一封"}, "content": {"这是第六封信件的内容，应被限制。"}})
	if r.Status != http.StatusTooManyRequests || !strings.Contains(r.HTML, "提交过于频繁") || !strings.Contains(r.HTML, "这是第六封信件的内容") {
		t.Fatalf("rate limit: %d %s", r.Status, r.Text())
	}
	expect(t, h.Post(portal, nil, "/mailbox/write", url.Values{}), http.StatusSeeOther, "anonymous write")
}

func TestOverdueReminders(t *testing.T) {
	sdktest.EachDB(t, func(t *testing.T, dsn string) { testOverdueReminders_(t, dsn) })
}

func testOverdueReminders_(t *testing.T, dsn string) {
	o := options()
	o.DSN = dsn
	h := sdktest.InProcess(t, Module, o)
	setNow(t, "2026-03-02 10:00")
	n, _ := write(t, h, "咨询", "超期测试", false)
	expect(t, h.Post(portal, dispatcher, "/admin/mailbox/l/"+n, url.Values{"action": {"assign"}, "dept": {"2"}}), http.StatusSeeOther, "assign")
	// Due Thursday 5 March.
	tk := h.Server.Handler().(sdk.Ticker)
	at := func(s string) time.Time {
		x, _ := time.ParseInLocation("2006-01-02 15:04", s, cst)
		return x
	}
	if notes, err := tk.Tick(context.Background(), at("2026-03-05 18:00")); err != nil || len(notes) != 0 {
		t.Fatalf("tick on the deadline: %v %v", notes, err)
	}
	for i := 0; i < 2; i++ {
		notes, err := tk.Tick(context.Background(), at("2026-03-06 08:00"))
		if err != nil || len(notes) != 1-i {
			t.Fatalf("tick %d the day after: %v %v", i, notes, err)
		}
	}
	// Five working days after the deadline: Thursday 12 March.
	if notes, _ := tk.Tick(context.Background(), at("2026-03-11 08:00")); len(notes) != 0 {
		t.Fatalf("escalated too early: %v", notes)
	}
	if notes, _ := tk.Tick(context.Background(), at("2026-03-12 08:00")); len(notes) != 1 || !strings.Contains(notes[0], "督办") {
		t.Fatalf("escalation: %v", notes)
	}
	setNow(t, "2026-03-12 09:00")
	if r := h.Get(portal, dispatcher, "/admin/mailbox/l/"+n); !strings.Contains(r.HTML, "催办") || !strings.Contains(r.HTML, "督办") || !strings.Contains(r.HTML, "已超期") {
		t.Fatalf("history: %s", r.Text())
	}
}

func TestReportAndReindex(t *testing.T) {
	sdktest.EachDB(t, func(t *testing.T, dsn string) { testReportAndReindex_(t, dsn) })
}

func testReportAndReindex_(t *testing.T, dsn string) {
	o := options()
	o.DSN = dsn
	h := sdktest.InProcess(t, Module, o)
	setNow(t, "2026-03-02 10:00")
	pub, _ := write(t, h, "咨询", "公开的咨询", true)
	handleToReply(t, h, pub, "答复一。", true)
	expect(t, h.Post(portal, citizen, "/mailbox/my/"+pub+"/rate", url.Values{"rating": {"基本满意"}}), http.StatusSeeOther, "rate")
	priv, _ := write(t, h, "投诉", "不公开的投诉", false)
	handleToReply(t, h, priv, "答复二。", true)
	write(t, h, "建议", "未处理的建议", true)

	setNow(t, "2026-04-01 10:00")
	r := h.Get(portal, nil, "/mailbox/report?box=county_head&month=2026-03")
	for _, want := range []string{"<svg", "思南县教育局", "<td>2</td>", "100%", "未转办", `role="img"`, "<title id=\"chart-t\">"} {
		if !strings.Contains(r.HTML, want) {
			t.Errorf("report lacks %s", want)
		}
	}
	if strings.Contains(r.HTML, "不公开的投诉") {
		t.Error("report shows a subject")
	}
	var docs []sdk.Document
	err := h.Server.Handler().(sdk.Reindexer).Reindex(context.Background(), 0, func(d sdk.Document) error {
		docs = append(docs, d)
		return nil
	})
	if err != nil || len(docs) != 1 || docs[0].ID != pub || strings.Contains(docs[0].Body, "13812345678") {
		t.Fatalf("reindex: %+v %v", docs, err)
	}
}

func TestStats(t *testing.T) {
	sdktest.EachDB(t, func(t *testing.T, dsn string) { testStats_(t, dsn) })
}

func testStats_(t *testing.T, dsn string) {
	o := options()
	o.DSN = dsn
	h := sdktest.InProcess(t, Module, o)
	setNow(t, "2026-03-02 10:00")
	n, _ := write(t, h, "求助", "统计", false)
	expect(t, h.Post(portal, dispatcher, "/admin/mailbox/l/"+n, url.Values{"action": {"assign"}, "dept": {"2"}}), http.StatusSeeOther, "assign")
	setNow(t, "2026-04-15 10:00")
	st := h.Server.Handler().(sdk.Statser)
	in := func(tn *sdk.Tenant, month time.Month) map[string]float64 {
		ss, err := st.Stats(context.Background(), tn.ID, time.Date(2026, month, 1, 0, 0, 0, 0, cst), time.Date(2026, month+1, 1, 0, 0, 0, 0, cst))
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]float64{}
		for _, s := range ss {
			m[s.Name] = s.Value
		}
		return m
	}
	p, d := in(portal, time.March), in(jyj, time.March)
	if p["received"] != 1 || p["open"] != 1 || p["overdue"] != 1 || p["oldest_open_days"] != 44 || p["open_over_30_days"] != 1 || p["open_over_60_days"] != 0 {
		t.Errorf("portal stats: %v", p)
	}
	if d["assigned_open"] != 1 || d["open"] != 0 || d["closed"] != 0 {
		t.Errorf("jyj stats: %v", d)
	}

	// Deadlines met: one letter answered in time, one late, in April.
	setNow(t, "2026-04-01 09:00")
	quick, _ := write(t, h, "咨询", "按期", false)
	handleToReply(t, h, quick, "已按期答复。", false)
	setNow(t, "2026-04-16 10:00")
	handleToReply2 := func(number string) {
		t.Helper()
		expect(t, h.Post(jyj, jyjHandler, "/admin/mailbox/l/"+number, url.Values{"action": {"submit_reply"}, "reply": {"迟到的答复。"}}), http.StatusSeeOther, "reply")
		expect(t, h.Post(portal, dispatcher, "/admin/mailbox/l/"+number, url.Values{"action": {"approve"}}), http.StatusSeeOther, "approve")
	}
	handleToReply2(n) // assigned on 03-02, deadline long past
	if a := in(jyj, time.April); a["closed"] != 2 || a["closed_on_time"] != 1 || a["closed_late"] != 1 {
		t.Errorf("jyj in April: %v, want 2 closed, 1 on time, 1 late", a)
	}
	if a := in(rsj, time.April); a["closed"] != 0 {
		t.Errorf("rsj in April: %v", a)
	}
}

func TestForwardedLetter(t *testing.T) {
	h := sdktest.InProcess(t, Module, options())
	r := h.Post(portal, dispatcher, "/admin/mailbox/forwarded", url.Values{"origin": {"市长信箱"}, "origin_ref": {"SZ2026-0012"},
		"box": {"county_head"}, "category": {"求助"}, "subject": {"市长信箱转来的求助"}, "content": {"请帮助解决饮水问题。"}})
	expect(t, r, http.StatusSeeOther, "forwarded")
	loc := r.Header.Get("Location")
	number := loc[strings.LastIndex(loc, "/")+1:]
	handleToReply(t, h, number, "已安排送水。", false)
	if r := h.Get(portal, dispatcher, "/admin/mailbox/l/"+number); !strings.Contains(r.HTML, "市长信箱转来（原编号 SZ2026-0012）") || !strings.Contains(r.HTML, "已办结") {
		t.Fatalf("forwarded letter: %s", r.Text())
	}
	expect(t, h.Post(jyj, jyjHandler, "/admin/mailbox/forwarded", url.Values{"origin": {"社情民意"}}), http.StatusBadRequest, "jyj enters a portal letter")
	expect(t, h.Post(portal, citizen, "/admin/mailbox/forwarded", url.Values{"origin": {"社情民意"}}), http.StatusForbidden, "citizen enters")
}

func TestRejectAndAssignChecks(t *testing.T) {
	h := sdktest.InProcess(t, Module, sdktest.Options{Tenants: []*sdk.Tenant{portal, jyj}})
	n, _ := write(t, h, "举报", "涉诉事项", false)
	// 人社局 does not enable the module: no assignment to it.
	expect(t, h.Post(portal, dispatcher, "/admin/mailbox/l/"+n, url.Values{"action": {"assign"}, "dept": {"3"}}), http.StatusBadRequest, "assign to rsj")
	expect(t, h.Post(portal, dispatcher, "/admin/mailbox/l/"+n, url.Values{"action": {"reject"}}), http.StatusBadRequest, "reject without reason")
	expect(t, h.Post(portal, dispatcher, "/admin/mailbox/l/"+n, url.Values{"action": {"reject"}, "reason": {"已进入诉讼程序"}}), http.StatusSeeOther, "reject")
	if r := h.Get(portal, citizen, "/mailbox/my/"+n); !strings.Contains(r.HTML, "不予受理") || !strings.Contains(r.HTML, "已进入诉讼程序") {
		t.Fatalf("writer's view: %s", r.Text())
	}
	if ns := h.Host.Notices(); len(ns) != 1 || ns[0].UserID != citizen.ID {
		t.Fatalf("notices: %+v", ns)
	}
	// Another citizen cannot read it by number.
	other := &sdk.User{ID: 101, Roles: []string{sdk.RoleCitizen}, Permissions: []string{PermWrite}}
	expect(t, h.Get(portal, other, "/mailbox/my/"+n), http.StatusNotFound, "other citizen")
}

// multipartLetter builds a letter form with files.
func multipartLetter(t *testing.T, files map[string][]byte) (http.Header, []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range map[string]string{"csrf": sdktest.CSRFToken, "box": "county_head", "category": "求助", "subject": "附件测试",
		"content": "路灯损坏，附上照片和材料，请尽快维修。"} {
		_ = mw.WriteField(k, v)
	}
	for name, data := range files {
		fw, err := mw.CreateFormFile("files", name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = fw.Write(data)
	}
	_ = mw.Close()
	return http.Header{"Content-Type": {mw.FormDataContentType()}}, buf.Bytes()
}

func TestAttachments(t *testing.T) {
	t.Run("in the host's file store", func(t *testing.T) { testAttachments(t, false) })
	// A host older than the file calls: the files stay in the module's database.
	t.Run("on a host without files", func(t *testing.T) { testAttachments(t, true) })
}

func testAttachments(t *testing.T, noFiles bool) {
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...)
	o := options()
	o.Host = sdktest.NewFakeHost(o.Tenants...)
	o.Host.NoFiles = noFiles
	sdktest.Each(t, Module, o, func(t *testing.T, h *sdktest.Harness) {
		// An executable named .pdf is refused by its content.
		hdr, body := multipartLetter(t, map[string][]byte{"材料.pdf": []byte("MZ\x90\x00this is not a pdf")})
		r := h.Do(sdktest.Request{Tenant: portal, User: citizen, Method: http.MethodPost, Path: "/mailbox/write", Header: hdr, Body: body})
		if r.Status != http.StatusBadRequest || !strings.Contains(r.HTML, "不是图片") {
			t.Fatalf("disguised file: %d %s", r.Status, r.Text())
		}
		hdr, body = multipartLetter(t, map[string][]byte{"路灯.png": png})
		r = h.Do(sdktest.Request{Tenant: portal, User: citizen, Method: http.MethodPost, Path: "/mailbox/write", Header: hdr, Body: body})
		m := numberRe.FindStringSubmatch(r.HTML)
		if r.Status != 200 || m == nil {
			t.Fatalf("letter with a picture: %d %s", r.Status, r.Text())
		}
		number := m[1]
		page := h.Get(portal, citizen, "/mailbox/my/"+number)
		link := regexp.MustCompile(`href="(/mailbox/my/` + number + `/files/\d+)">路灯.png</a>`).FindStringSubmatch(page.HTML)
		if link == nil {
			t.Fatalf("attachment link: %s", page.HTML)
		}
		f := h.Get(portal, citizen, link[1])
		if f.Kind != "raw" || !bytes.Equal(f.Body, png) || f.Header.Get("Content-Type") != "image/png" || f.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Fatalf("download: %+v", f)
		}
		if want := map[bool]int{false: 1, true: 0}[noFiles]; h.Host.Files() < want || (noFiles && h.Host.Files() != 0) {
			t.Errorf("the host keeps %d files", h.Host.Files())
		}
		other := &sdk.User{ID: 101, Roles: []string{sdk.RoleCitizen}, Permissions: []string{PermWrite}}
		expect(t, h.Get(portal, other, link[1]), http.StatusNotFound, "another citizen's file")
		expect(t, h.Post(portal, dispatcher, "/admin/mailbox/l/"+number, url.Values{"action": {"assign"}, "dept": {"2"}}), http.StatusSeeOther, "assign")
		staff := strings.Replace(link[1], "/mailbox/my/", "/admin/mailbox/l/", 1)
		if f := h.Get(jyj, jyjHandler, staff); !bytes.Equal(f.Body, png) {
			t.Fatalf("handler's download: %+v", f)
		}
		expect(t, h.Get(rsj, rsjHandler, staff), http.StatusNotFound, "rsj's download")
	})
}

// TestDeadlineRecomputed: the deadline of an open letter follows the
// host's calendar. FakeHost's calendar cannot be edited, so the change is
// simulated the other way round: the stored deadline is made stale (as
// if computed under an older calendar) and the next Tick corrects it.
func TestDeadlineRecomputed(t *testing.T) {
	h := sdktest.InProcess(t, Module, options())
	setNow(t, "2026-02-12 10:00")
	n, _ := write(t, h, "咨询", "日历调整", false)
	expect(t, h.Post(portal, dispatcher, "/admin/mailbox/l/"+n, url.Values{"action": {"assign"}, "dept": {"2"}}), http.StatusSeeOther, "assign")
	s := h.Server.Env().DB.Tenant(portal.ID)
	if _, err := s.Exec(context.Background(), `UPDATE mailbox_letters SET deadline = '2026-02-17' WHERE tenant_id = :tenant_id AND number = :n`, sdk.Args{"n": n}); err != nil {
		t.Fatal(err)
	}
	notes, err := h.Server.Handler().(sdk.Ticker).Tick(context.Background(), now())
	if err != nil || len(notes) != 1 || !strings.Contains(notes[0], "由 2026-02-17 改为 2026-02-24") {
		t.Fatalf("recompute: %v %v", notes, err)
	}
	if r := h.Get(portal, citizen, "/mailbox/my/"+n); !strings.Contains(r.HTML, "工作日历调整") || !strings.Contains(r.HTML, "<dd>2026-02-24<details>") {
		t.Fatalf("writer's view: %s", r.Text())
	}
}

func TestDeadlineSettings(t *testing.T) {
	h := sdktest.InProcess(t, Module, options())
	setNow(t, "2026-03-02 10:00")
	n, _ := write(t, h, "投诉", "设置期限", false)
	req := h.Wire(sdktest.Request{Tenant: portal, User: dispatcher, Path: "/admin/mailbox/l/" + n, Form: url.Values{"action": {"assign"}, "dept": {"2"}}})
	req.SettingsJson = `{"deadlines": {"county_head": {"投诉": 5}}}`
	resp, err := h.Handle(context.Background(), req)
	if err != nil || resp.Status != http.StatusSeeOther {
		t.Fatalf("assign: %v %v", resp, err)
	}
	// 5 working days after Monday 2 March: Monday 9 March.
	if r := h.Get(portal, citizen, "/mailbox/my/"+n); !strings.Contains(r.HTML, "<dd>2026-03-09<details>") || !strings.Contains(r.HTML, "本信箱设置") {
		t.Fatalf("configured deadline: %s", r.Text())
	}
	var st Settings
	if d, why := st.daysFor("county_head", "投诉"); d != 7 || !strings.Contains(why, "默认") {
		t.Errorf("default: %d %s", d, why)
	}
}

// TestCalendarChangeMovesDeadlinesAtOnce: a correction of the calendar
// (the county office gives a day off) moves an open letter's deadline at
// the next tick, not only at the ten-minute recomputation.
func TestCalendarChangeMovesDeadlinesAtOnce(t *testing.T) {
	h := sdktest.InProcess(t, Module, options())
	setNow(t, "2026-03-02 10:00")
	n, _ := write(t, h, "咨询", "日历修订", false)
	expect(t, h.Post(portal, dispatcher, "/admin/mailbox/l/"+n, url.Values{"action": {"assign"}, "dept": {"2"}}), http.StatusSeeOther, "assign")
	tick := func() []string {
		t.Helper()
		notes, err := h.Server.Handler().(sdk.Ticker).Tick(context.Background(), now())
		if err != nil {
			t.Fatal(err)
		}
		return notes
	}
	// 3 working days from Monday 03-02: Thursday 03-05.
	if notes := tick(); len(notes) != 0 {
		t.Fatalf("first tick: %v", notes)
	}
	county := calendar.Layer{Name: "县政府办公室修订", Entries: []calendar.Entry{{Date: calendar.NewDate(2026, 3, 4), Off: true, Holiday: "县里放假", Source: "test"}}}
	c, err := calendar.Official().With(county)
	if err != nil {
		t.Fatal(err)
	}
	h.Host.SetCalendar(c)
	setNow(t, "2026-03-02 10:01")
	notes := tick()
	if len(notes) != 1 || !strings.Contains(notes[0], "由 2026-03-05 改为 2026-03-06") {
		t.Fatalf("a minute after the calendar changed: %v", notes)
	}
}

// TestQueryLimitSurvivesRestart guesses query codes from one address over
// the real plugin process, restarts the module on the same database and
// host, and is still refused: the count is the host's, not the process's.
func TestQueryLimitSurvivesRestart(t *testing.T) {
	o := options()
	o.DSN = "sqlite:" + filepath.Join(t.TempDir(), "mailbox.db")
	o.Host = sdktest.NewFakeHost(portal, jyj, rsj)
	guess := func(h *sdktest.Harness, i int) *sdktest.Response {
		return h.Post(portal, nil, "/mailbox/query", url.Values{"number": {"XX20260301000001"}, "code": {fmt.Sprintf("%08d", i)}})
	}
	first := sdktest.Process(t, Module, o)
	for i := 0; i < perAddrQueries; i++ {
		expect(t, guess(first, i), http.StatusNotFound, "wrong code")
	}
	first.Plugin.Kill()

	second := sdktest.Process(t, Module, o)
	r := guess(second, perAddrQueries)
	if r.Status != http.StatusTooManyRequests || !strings.Contains(r.HTML, "查询过于频繁") {
		t.Fatalf("after restart: %d %s", r.Status, r.Text())
	}
	// Another address is not affected.
	other := second.Wire(sdktest.Request{Method: "POST", Tenant: portal, Path: "/mailbox/query",
		Form: url.Values{"number": {"XX20260301000001"}, "code": {"00000000"}}})
	other.RemoteAddr = "192.0.2.7:5000"
	resp, err := second.Handle(context.Background(), other)
	if err != nil || resp.Status != http.StatusNotFound {
		t.Fatalf("other address: %v %v", resp, err)
	}
}
