package interview

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
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

func TestMain(m *testing.M) { sdktest.Main(m) }

var (
	portal = sdktest.Portal
	jyj    = sdktest.JYJ
	rsj    = sdktest.RSJ

	citizen = &sdk.User{ID: 100, Name: "张三", Roles: []string{sdk.RoleCitizen}, Permissions: []string{PermAsk}}
	other   = &sdk.User{ID: 101, Name: "李四", Roles: []string{sdk.RoleCitizen}, Permissions: []string{PermAsk}}
	host    = &sdk.User{ID: 7, Name: "访谈主持", Roles: []string{sdk.RoleInterviewHost}, Permissions: []string{PermAsk, PermHost}}
)

var createdRe = regexp.MustCompile(`admin/interview/(\d+)`)

func expect(t *testing.T, r *sdktest.Response, status int, what string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s: status %d, want %d: %s", what, r.Status, status, r.Text())
	}
}

func local(t time.Time) string { return t.In(cst).Format("2006-01-02T15:04") }

// plan creates a published interview on tenant tn starting at starts.
func plan(t *testing.T, h *sdktest.Harness, tn *sdk.Tenant, title string, starts time.Time) string {
	t.Helper()
	r := h.Post(tn, host, "/admin/interview/", url.Values{"title": {title}, "starts": {local(starts)}, "duration": {"60"},
		"announce_days": {"3"}, "host_name": {"融媒体中心 王主持"}, "video_url": {"https://tv.example.cn/live/sinan.m3u8"},
		"description": {"<p>介绍" + title + "</p>"}, "publish": {"yes"}})
	m := createdRe.FindStringSubmatch(r.Header.Get("Location"))
	if r.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("create: %d %s", r.Status, r.Text())
	}
	return m[1]
}

var qRe = regexp.MustCompile(`id="q(\d+)"><p>([^<]+) <span`)

// pendingIDs maps the pending questions' text to their ids, from the
// staff page.
func pendingIDs(t *testing.T, h *sdktest.Harness, tn *sdk.Tenant, id string) map[string]string {
	t.Helper()
	r := h.Get(tn, host, "/admin/interview/"+id)
	expect(t, r, 200, "staff page")
	out := map[string]string{}
	for _, m := range qRe.FindAllStringSubmatch(r.HTML, -1) {
		out[m[2]] = m[1]
	}
	return out
}

// TestNoticeToTranscript is the whole path over the real plugin process
// on both databases: the notice, citizens' questions, screening, live
// answers pushed on the event channel in order, the end, an answer after,
// the transcript in the index, the asker's cases and the figures.
func TestNoticeToTranscript(t *testing.T) {
	sdktest.EachDB(t, func(t *testing.T, dsn string) {
		h := sdktest.Process(t, Module, sdktest.Options{DSN: dsn, Tenants: []*sdk.Tenant{portal, jyj}})
		id := plan(t, h, portal, "优化营商环境", time.Now().Add(48*time.Hour))

		// The notice is up (3 days ahead) and listed; questions are open.
		list := h.Get(portal, nil, "/interview/")
		expect(t, list, 200, "list")
		if !strings.Contains(list.HTML, "优化营商环境") || !strings.Contains(list.HTML, "预告") {
			t.Fatalf("list lacks the notice: %s", list.HTML)
		}
		page := h.Get(portal, nil, "/interview/"+id)
		if !strings.Contains(page.HTML, "请先<a") || !strings.Contains(page.HTML, "融媒体中心 王主持") {
			t.Errorf("notice page for anonymous: %s", page.HTML)
		}
		for _, q := range []string{"企业开办要跑几次？", "企业开办需要几天？", "你们的网站做得太差了"} {
			expect(t, h.Post(portal, citizen, "/interview/"+id+"/ask", url.Values{"question": {q}}), 200, "ask")
		}
		expect(t, h.Post(portal, other, "/interview/"+id+"/ask", url.Values{"question": {"减税降费有哪些新政策？"}}), 200, "ask")
		qs := pendingIDs(t, h, portal, id)
		if len(qs) != 4 {
			t.Fatalf("pending questions: %v", qs)
		}
		screen := func(q, action string, extra url.Values) {
			t.Helper()
			f := url.Values{"action": {action}}
			for k, v := range extra {
				f[k] = v
			}
			expect(t, h.Post(portal, host, "/admin/interview/"+id+"/questions/"+qs[q], f), http.StatusSeeOther, action)
		}
		screen("减税降费有哪些新政策？", "approve", nil)
		screen("企业开办要跑几次？", "approve", nil)
		screen("企业开办需要几天？", "merge", url.Values{"into": {qs["企业开办要跑几次？"]}})
		screen("你们的网站做得太差了", "reject", url.Values{"reason": {"与本期主题无关，欢迎通过领导信箱反映。"}})
		screen("减税降费有哪些新政策？", "note", url.Values{"note": {"请税务局嘉宾回答"}})
		staff := h.Get(portal, host, "/admin/interview/"+id)
		if i, j := strings.Index(staff.HTML, "减税降费有哪些新政策？"), strings.Index(staff.HTML, "企业开办要跑几次？"); i < 0 || j < 0 || i > j {
			t.Errorf("guests' queue not in the order of approval")
		}
		// Answers before the start are refused.
		r := h.Post(portal, host, "/admin/interview/"+id+"/answers", url.Values{"speaker": {"王县长"}, "body": {"<p>提前答复</p>"}})
		if r.Status != http.StatusBadRequest || !strings.Contains(r.HTML, "访谈尚未开始") {
			t.Errorf("answer before the start: %d %s", r.Status, r.Text())
		}

		// It starts: a viewer subscribes as the host does.
		expect(t, h.Post(portal, host, "/admin/interview/"+id, url.Values{"title": {"优化营商环境"}, "starts": {local(time.Now().Add(-time.Minute))},
			"duration": {"60"}, "announce_days": {"3"}, "video_url": {"https://tv.example.cn/live/sinan.m3u8"}, "publish": {"yes"}}), http.StatusSeeOther, "start")
		events := make(chan sdk.Event, 10)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() {
			_ = h.Events(ctx, portal.ID, id, 0, 0, func(e sdk.Event) error { events <- e; return nil })
		}()
		if e := next(t, events); e.Type != sdk.EventReady {
			t.Fatalf("first message: %+v", e)
		}
		if live := h.Get(portal, nil, "/interview/"+id); !strings.Contains(live.HTML, "正在直播") || !strings.Contains(live.HTML, `http-equiv="refresh"`) ||
			!strings.Contains(live.HTML, "hls.light.min.js") {
			t.Errorf("live page: %s", live.HTML)
		}
		post := func(q, body string) {
			t.Helper()
			expect(t, h.Post(portal, host, "/admin/interview/"+id+"/answers", url.Values{"question": {qs[q]}, "speaker": {"王县长"}, "body": {body}}),
				http.StatusSeeOther, "answer")
		}
		post("减税降费有哪些新政策？", "<p>今年新出台了 12 项减税降费措施。</p>")
		post("企业开办要跑几次？", "<p>企业开办一次都不用跑，全程网办。</p><script>alert(1)</script>")
		var last int64
		for _, want := range []string{"12 项减税降费", "全程网办"} {
			e := next(t, events)
			if e.Type != "answer" || !strings.Contains(e.Data, want) || e.ID <= last || strings.Contains(e.Data, "<script") {
				t.Fatalf("event: %+v (after %d)", e, last)
			}
			last = e.ID
		}
		// The page a latecomer loads says where its script follows from.
		if live := h.Get(portal, nil, "/interview/"+id); !strings.Contains(live.HTML, `data-last="`+strconv.FormatInt(last, 10)+`"`) || !strings.Contains(live.HTML, "全程网办") {
			t.Errorf("live page after answers lacks them or the last id %d", last)
		}
		// A question sent now is still taken; the interview ends.
		expect(t, h.Post(portal, other, "/interview/"+id+"/ask", url.Values{"question": {"个体户怎么申请贷款？"}}), 200, "ask live")
		qs = pendingIDs(t, h, portal, id)
		screen("个体户怎么申请贷款？", "approve", nil)
		expect(t, h.Post(portal, host, "/admin/interview/"+id+"/end", url.Values{}), http.StatusSeeOther, "end")
		if e := next(t, events); e.Type != "state" || !strings.Contains(e.Data, "已结束") {
			t.Errorf("end event: %+v", e)
		}
		// After the end: no live answer, no question; the open one is
		// answered after, within 5 working days.
		r = h.Post(portal, host, "/admin/interview/"+id+"/answers", url.Values{"speaker": {"王县长"}, "body": {"<p>补充一句</p>"}})
		if r.Status != http.StatusBadRequest || !strings.Contains(r.HTML, "访谈已结束") {
			t.Errorf("live answer after the end: %d %s", r.Status, r.Text())
		}
		r = h.Post(portal, citizen, "/interview/"+id+"/ask", url.Values{"question": {"还能提问吗？"}})
		if r.Status != http.StatusConflict || !strings.Contains(r.HTML, "不再接受提问") {
			t.Errorf("question after the end: %d %s", r.Status, r.Text())
		}
		if staff := h.Get(portal, host, "/admin/interview/"+id); !strings.Contains(staff.HTML, "未答复问题须在") {
			t.Errorf("staff page lacks the deadline for answers after")
		}
		post("个体户怎么申请贷款？", "<p>可申请创业担保贷款。</p>")
		expect(t, h.Post(portal, host, "/admin/interview/"+id+"/transcript", url.Values{"summary": {"<p>本期共答复网友问题 3 个。</p>"}}), http.StatusSeeOther, "transcript")

		tr := h.Get(portal, nil, "/interview/"+id)
		for _, want := range []string{"文字实录", "企业开办要跑几次？", "全程网办", "访谈后答复", "可申请创业担保贷款", "tv.example.cn/live/sinan.m3u8", "本期共答复网友问题"} {
			if !strings.Contains(tr.HTML, want) {
				t.Errorf("transcript lacks %q", want)
			}
		}
		for _, bad := range []string{"你们的网站做得太差了", "alert(1)", "请税务局嘉宾回答", "企业开办需要几天？"} {
			if strings.Contains(tr.HTML, bad) {
				t.Errorf("transcript shows %q", bad)
			}
		}
		// The transcript is a search document; the rejected question is in no document.
		docs := h.Host.Documents()
		if len(docs) != 1 || docs[0].Type != "interview" || docs[0].Path != "interview/"+id || !strings.Contains(docs[0].Body, "全程网办") {
			t.Fatalf("documents: %+v", docs)
		}
		for _, d := range docs {
			if strings.Contains(d.Body, "网站做得太差") || strings.Contains(d.Title, "网站做得太差") {
				t.Errorf("rejected question in the index: %+v", d)
			}
		}
		var n int
		_ = h.Events(context.Background(), portal.ID, id, 0, 1<<40, func(e sdk.Event) error {
			if strings.Contains(e.Data, "网站做得太差") {
				t.Errorf("rejected question on the event channel: %+v", e)
			}
			n++
			return nil
		})
		if n != 4 { // ready, two answers, the end
			t.Errorf("replay had %d messages, want 4", n)
		}
		// The archive lists it; the asker sees states and the reason.
		if list := h.Get(portal, nil, "/interview/"); !strings.Contains(list.HTML, "往期回顾") || !strings.Contains(list.HTML, "文字实录") {
			t.Errorf("archive: %s", list.HTML)
		}
		mine := h.Get(portal, citizen, "/interview/my/")
		for _, want := range []string{"已在访谈中答复", "与本期主题无关", "未采纳"} {
			if !strings.Contains(mine.HTML, want) {
				t.Errorf("my questions lack %q: %s", want, mine.HTML)
			}
		}
		cases := h.Cases(citizen.ID)
		if len(cases) != 3 {
			t.Fatalf("cases: %+v", cases)
		}
		for _, c := range cases {
			if !c.Closed || c.Kind != "访谈提问" || c.Path != "interview/my/" {
				t.Errorf("case: %+v", c)
			}
		}
		if oc := h.Cases(other.ID); len(oc) != 2 || oc[1].State != "已在访谈后答复" {
			t.Errorf("other's cases: %+v", oc)
		}
		stats, err := h.Plugin.Stats(context.Background(), portal.ID, time.Now().Add(-24*time.Hour), time.Now().Add(24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]float64{}
		for _, s := range stats {
			got[s.Name] = s.Value
		}
		if got["interviews"] != 1 || got["questions_received"] != 5 || got["answered_live"] != 3 || got["answered_after"] != 1 {
			t.Errorf("figures: %v", got)
		}
		// Staff actions are audited through the host.
		actions := map[string]bool{}
		for _, e := range h.Host.AuditLog() {
			actions[e.Action] = true
		}
		for _, a := range []string{"interview.create", "question.approve", "question.reject", "question.merge", "answer.post", "interview.end", "interview.transcript"} {
			if !actions[a] {
				t.Errorf("no audit entry %s: %v", a, actions)
			}
		}
	})
}

func next(t *testing.T, ch chan sdk.Event) sdk.Event {
	t.Helper()
	select {
	case e := <-ch:
		return e
	case <-time.After(10 * time.Second):
		t.Fatal("no event within 10 s")
	}
	return sdk.Event{}
}

// TestBadInput: too long, script in a plain field, an answer after the
// end: refused with a Chinese message; script in rich text cleaned.
func TestBadInput(t *testing.T) {
	h := sdktest.InProcess(t, Module, sdktest.Options{})
	id := plan(t, h, portal, "访谈", time.Now().Add(-time.Minute))
	for _, tc := range []struct {
		name, q, want string
		status        int
	}{
		{"too long", strings.Repeat("长", 501), "不能超过 500 个字", http.StatusBadRequest},
		{"script", "你好<script>alert(1)</script>", "不能包含网页代码", http.StatusBadRequest},
		{"empty", "   ", "请填写问题", http.StatusBadRequest},
		{"fine", "请问政策何时出台？", "您的问题已提交", http.StatusOK},
	} {
		r := h.Post(portal, citizen, "/interview/"+id+"/ask", url.Values{"question": {tc.q}})
		if r.Status != tc.status || !strings.Contains(r.HTML, tc.want) {
			t.Errorf("%s: %d %s", tc.name, r.Status, r.Text())
		}
	}
	r := h.Post(portal, host, "/admin/interview/", url.Values{"title": {"<img src=x onerror=alert(1)>"}, "starts": {local(time.Now())}, "duration": {"60"}, "announce_days": {"3"}})
	if r.Status != http.StatusBadRequest || !strings.Contains(r.HTML, "访谈主题中不能包含网页代码") {
		t.Errorf("script in the title: %d %s", r.Status, r.Text())
	}
	r = h.Post(portal, host, "/admin/interview/", url.Values{"title": {"视频"}, "starts": {local(time.Now())}, "duration": {"60"}, "announce_days": {"3"}, "video_url": {"javascript:alert(1)"}})
	if r.Status != http.StatusBadRequest || !strings.Contains(r.HTML, "视频地址须是") {
		t.Errorf("javascript video address: %d %s", r.Status, r.Text())
	}
	r = h.Post(portal, host, "/admin/interview/"+id+"/answers", url.Values{"speaker": {"嘉宾"}, "body": {`<p onclick="x()">答复</p><script>alert(1)</script>`}})
	if r.Status != http.StatusSeeOther || !strings.Contains(r.Header.Get("Location"), "done=cleaned") {
		t.Errorf("script in an answer: %d %v", r.Status, r.Header)
	}
	if p := h.Get(portal, nil, "/interview/"+id); strings.Contains(p.HTML, "alert(1)") || strings.Contains(p.HTML, "onclick") || !strings.Contains(p.HTML, "答复") {
		t.Errorf("answer not cleaned: %s", p.HTML)
	}
	expect(t, h.Post(portal, host, "/admin/interview/"+id+"/end", url.Values{}), http.StatusSeeOther, "end")
	r = h.Post(portal, host, "/admin/interview/"+id+"/answers", url.Values{"speaker": {"嘉宾"}, "body": {"<p>结束后</p>"}})
	if r.Status != http.StatusBadRequest || !strings.Contains(r.HTML, "访谈已结束，不能再发布现场答复") {
		t.Errorf("answer after the end: %d %s", r.Status, r.Text())
	}
	// Citizens are no staff.
	if r := h.Get(portal, citizen, "/admin/interview/"); r.Status != http.StatusForbidden {
		t.Errorf("citizen on the staff page: %d", r.Status)
	}
}

// TestRateLimit: a person asks at most 5 questions an hour.
func TestRateLimit(t *testing.T) {
	h := sdktest.InProcess(t, Module, sdktest.Options{})
	id := plan(t, h, portal, "访谈", time.Now().Add(time.Hour))
	for i := range 6 {
		r := h.Post(portal, citizen, "/interview/"+id+"/ask", url.Values{"question": {"问题" + strings.Repeat("啊", i)}})
		if i < 5 && r.Status != 200 {
			t.Fatalf("question %d: %d %s", i, r.Status, r.Text())
		}
		if i == 5 && (r.Status != http.StatusTooManyRequests || !strings.Contains(r.HTML, "提问过于频繁")) {
			t.Errorf("sixth question: %d %s", r.Status, r.Text())
		}
	}
}

// TestNoticeDays: an interview is public from its notice on, not before.
func TestNoticeDays(t *testing.T) {
	h := sdktest.InProcess(t, Module, sdktest.Options{})
	id := plan(t, h, portal, "远期访谈", time.Now().Add(5*24*time.Hour))
	if r := h.Get(portal, nil, "/interview/"+id); r.Status != 404 {
		t.Errorf("before the notice: %d", r.Status)
	}
	if r := h.Get(portal, nil, "/interview/"); strings.Contains(r.HTML, "远期访谈") {
		t.Error("listed before the notice")
	}
	if r := h.Post(portal, citizen, "/interview/"+id+"/ask", url.Values{"question": {"早问"}}); r.Status != 404 {
		t.Errorf("question before the notice: %d", r.Status)
	}
	if r := h.Get(portal, host, "/interview/"+id); r.Status != 200 {
		t.Errorf("staff preview: %d", r.Status)
	}
	err := h.Events(context.Background(), portal.ID, id, 0, 1, func(sdk.Event) error { return nil })
	if sdk.ErrorCode(err) != sdk.ENOTFOUND {
		t.Errorf("events before the notice: %v", err)
	}
}

// TestTenantIsolation: one site's interview, questions and channel are
// nobody else's, and a site that does not enable the module has none.
func TestTenantIsolation(t *testing.T) {
	sdktest.EachDB(t, func(t *testing.T, dsn string) {
		h := sdktest.InProcess(t, Module, sdktest.Options{DSN: dsn})
		id := plan(t, h, jyj, "教育局访谈", time.Now().Add(-time.Minute))
		expect(t, h.Post(jyj, citizen, "/interview/"+id+"/ask", url.Values{"question": {"教育局的问题"}}), 200, "ask")
		qs := pendingIDs(t, h, jyj, id)
		for _, p := range []string{"/interview/" + id, "/admin/interview/" + id} {
			if r := h.Get(portal, host, p); r.Status != 404 {
				t.Errorf("portal %s: %d", p, r.Status)
			}
		}
		if r := h.Post(portal, host, "/admin/interview/"+id+"/questions/"+qs["教育局的问题"], url.Values{"action": {"approve"}}); r.Status != 404 {
			t.Errorf("portal staff screening jyj's question: %d", r.Status)
		}
		if r := h.Post(portal, citizen, "/interview/"+id+"/ask", url.Values{"question": {"串站提问"}}); r.Status != 404 {
			t.Errorf("question through another site: %d", r.Status)
		}
		for _, tn := range []*sdk.Tenant{portal, rsj} {
			err := h.Events(context.Background(), tn.ID, id, 0, 1, func(sdk.Event) error { return nil })
			if sdk.ErrorCode(err) != sdk.ENOTFOUND {
				t.Errorf("events of jyj's interview on %s: %v", tn.Code, err)
			}
		}
		if r := h.Get(portal, nil, "/interview/"); strings.Contains(r.HTML, "教育局访谈") {
			t.Error("portal lists a sub-site's interview before its transcript")
		}
		if cs := h.Cases(citizen.ID); len(cs) != 1 || cs[0].TenantID != jyj.ID {
			t.Errorf("cases: %+v", cs)
		}
		if err := h.Events(context.Background(), jyj.ID, "x y", 0, 1, func(sdk.Event) error { return nil }); err == nil || errors.Is(err, context.Canceled) {
			t.Errorf("bad channel: %v", err)
		}
	})
}

// TestDemoContent: with demo on, each enabling site gets an announced
// interview and past ones with transcripts, indexed.
func TestDemoContent(t *testing.T) {
	h := sdktest.InProcess(t, Module, sdktest.Options{Demo: true})
	list := h.Get(portal, nil, "/interview/")
	for _, want := range []string{"优化营商环境 服务市场主体", "预告", "义务教育均衡发展", "往期回顾", "演示"} {
		if !strings.Contains(list.HTML, want) {
			t.Errorf("demo list lacks %q", want)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(h.Host.Documents()) < 6 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := len(h.Host.Documents()); n != 6 { // three past interviews on each of two sites
		t.Errorf("%d demo transcripts indexed, want 6", n)
	}
	h.Reconfigure(portal, jyj)
	ivs, _ := listInterviews(context.Background(), h.Server.Env().DB.Tenant(portal.ID))
	if len(ivs) != 4 {
		t.Errorf("demo seeded again: %d interviews", len(ivs))
	}
}

// multipart builds a form with one file field.
func multipartForm(t *testing.T, fields map[string]string, file, name string, data []byte) ([]byte, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	fw, err := mw.CreateFormFile(file, name)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write(data)
	_ = mw.Close()
	return b.Bytes(), mw.FormDataContentType()
}

// TestGuestAndAnswerPhotos: a guest's photo and an answer's photo are
// taken as PNG or JPEG by content, shown on the page, served by the
// module; anything else is refused; an answer's photo needs its text.
// Photos are kept in the platform's file store, or in the module's own
// database on a host without one; either way the page shows them.
func TestGuestAndAnswerPhotos(t *testing.T) {
	for _, noFiles := range []bool{false, true} {
		t.Run(fmt.Sprint("noFiles=", noFiles), func(t *testing.T) { guestAndAnswerPhotos(t, noFiles) })
	}
}

func guestAndAnswerPhotos(t *testing.T, noFiles bool) {
	fake := sdktest.NewFakeHost(sdktest.Portal, sdktest.JYJ, sdktest.RSJ)
	fake.NoFiles = noFiles
	h := sdktest.InProcess(t, Module, sdktest.Options{Host: fake})
	id := plan(t, h, portal, "访谈", time.Now().Add(-time.Minute))
	var img bytes.Buffer
	if err := png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 4, 5))); err != nil {
		t.Fatal(err)
	}
	post := func(path string, fields map[string]string, data []byte) *sdktest.Response {
		body, ct := multipartForm(t, fields, "photo", "照片.png", data)
		return h.Do(sdktest.Request{Tenant: portal, User: host, Method: http.MethodPost, Path: path, Body: body, Header: http.Header{"Content-Type": {ct}}})
	}
	if r := post("/admin/interview/"+id+"/guests", map[string]string{"csrf": sdktest.CSRFToken, "name": "王县长", "post": "副县长"}, []byte("GIF89a not a photo")); r.Status != http.StatusBadRequest || !strings.Contains(r.HTML, "PNG 或 JPEG") {
		t.Errorf("a guest photo that is no PNG: %d %s", r.Status, r.Text())
	}
	expect(t, post("/admin/interview/"+id+"/guests", map[string]string{"csrf": sdktest.CSRFToken, "name": "王县长", "post": "副县长"}, img.Bytes()), http.StatusSeeOther, "guest")
	if r := post("/admin/interview/"+id+"/answers", map[string]string{"csrf": sdktest.CSRFToken, "speaker": "王县长", "body": "<p>现场图片</p>"}, img.Bytes()); r.Status != http.StatusBadRequest || !strings.Contains(r.HTML, "请填写图片说明") {
		t.Errorf("an answer photo without its text: %d %s", r.Status, r.Text())
	}
	expect(t, post("/admin/interview/"+id+"/answers", map[string]string{"csrf": sdktest.CSRFToken, "speaker": "王县长", "body": "<p>现场图片</p>", "photo_alt": "访谈现场"}, img.Bytes()), http.StatusSeeOther, "answer with photo")
	page := h.Get(portal, nil, "/interview/"+id)
	srcs := regexp.MustCompile(`<img src="/interview/`+id+`/photos/(\d+)" alt="([^"]+)"`).FindAllStringSubmatch(page.HTML, -1)
	if len(srcs) != 2 || srcs[0][2] != "王县长的照片" || srcs[1][2] != "访谈现场" {
		t.Fatalf("photos on the page: %v", srcs)
	}
	for _, s := range srcs {
		r := h.Get(portal, nil, "/interview/"+id+"/photos/"+s[1])
		if r.Status != 200 || r.Header.Get("Content-Type") != "image/png" || !bytes.Equal(r.Body, img.Bytes()) {
			t.Errorf("photo %s: %d %v", s[1], r.Status, r.Header)
		}
	}
	if r := h.Get(jyj, nil, "/interview/"+id+"/photos/"+srcs[0][1]); r.Status != 404 {
		t.Errorf("photo through another site: %d", r.Status)
	}
	if want := map[bool]int{false: 2, true: 0}[noFiles]; fake.Files() != want {
		t.Errorf("the host's store keeps %d photos, want %d", fake.Files(), want)
	}
}
