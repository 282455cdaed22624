package modules_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"yiwang/core/modules"

	_ "yiwang/plugins/interview"
)

// interviewFixture runs the interview module for the portal, with one
// interview under way; it returns the fixture and the interview's id.
func interviewFixture(t testing.TB) (*fixture, string) {
	f := newFixture(t, modules.Spec{Name: "interview"})
	ctx := context.Background()
	if err := f.st.Enable(ctx, "test", "portal", "interview", nil); err != nil {
		t.Fatal(err)
	}
	if err := f.host.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	starts := time.Now().Add(-time.Minute).In(time.FixedZone("CST", 8*3600)).Format("2006-01-02T15:04")
	form := url.Values{"title": {"优化营商环境"}, "starts": {starts}, "duration": {"600"}, "announce_days": {"3"}, "publish": {"yes"}}
	deadline := time.Now().Add(10 * time.Second)
	for {
		a := f.hostPost("/admin/interview/", form)
		if m := regexp.MustCompile(`admin/interview/(\d+)`).FindStringSubmatch(a.header.Get("Location")); a.status == http.StatusSeeOther && m != nil {
			return f, m[1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("create interview: %d %s", a.status, a.body)
		}
		time.Sleep(50 * time.Millisecond) // enablement reaching the process
	}
}

// hostPost is a form POST from an interview host's browser.
func (f *fixture) hostPost(path string, form url.Values) answer {
	return f.do(http.MethodPost, path, form, map[string]string{"X-Test-User": "7", "X-Test-Host": "1", "Origin": f.url})
}

func (f *fixture) postAnswer(id, body string) answer {
	return f.hostPost("/admin/interview/"+id+"/answers", url.Values{"speaker": {"王县长"}, "body": {"<p>" + body + "</p>"}})
}

// TestInterviewSurvivesModuleKill: kill -9 of the interview module during
// a live interview. The viewers stay connected to the host and are told;
// answers posted once the supervisor has the module back reach them in
// order; nothing posted before is lost (the page, from the database,
// still has it).
func TestInterviewSurvivesModuleKill(t *testing.T) {
	f, id := interviewFixture(t)
	for _, p := range []string{"/interview/events/999999", "/interview/events/x", "/site/jyj/interview/events/" + id} {
		if a := f.get(p); a.status != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", p, a.status)
		}
	}
	vs := []*viewer{f.watch("/interview/events/"+id, ""), f.watch("/interview/events/"+id, "")}
	if a := f.postAnswer(id, "杀进程之前的答复"); a.status != http.StatusSeeOther {
		t.Fatalf("answer: %d %s", a.status, a.body)
	}
	for _, v := range vs {
		if e := v.next(t); e.typ != "answer" || !strings.Contains(e.data, "杀进程之前的答复") {
			t.Fatalf("before the kill: %+v", e)
		}
	}
	pid := f.host.PID("interview")
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		select {
		case e := <-v.ch:
			if e.typ != "status" || !strings.Contains(e.data, "中断") {
				t.Fatalf("after the kill: %+v", e)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("viewer not told of the interruption")
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for f.postAnswer(id, "恢复之后的第一条答复").status != http.StatusSeeOther {
		if time.Now().After(deadline) {
			t.Fatal("module not back")
		}
		time.Sleep(100 * time.Millisecond)
	}
	f.postAnswer(id, "恢复之后的第二条答复")
	for _, v := range vs {
		for _, want := range []string{"恢复之后的第一条答复", "恢复之后的第二条答复"} {
			if e := v.next(t); e.typ != "answer" || !strings.Contains(e.data, want) {
				t.Fatalf("after the restart, want %s: %+v", want, e)
			}
		}
	}
	page := f.get("/interview/" + id)
	for _, want := range []string{"杀进程之前的答复", "恢复之后的第一条答复", "恢复之后的第二条答复"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if !strings.Contains(page.body, "default-src 'self'") && !strings.Contains(page.header.Get("Content-Security-Policy"), "default-src 'self'") {
		t.Error("live page without the platform's policy")
	}
}

// TestInterviewSurvivesHostRestart: the host stops during a live
// interview (its viewers' streams end), a new one starts on the same
// databases, an answer is posted on it, and a viewer reconnecting with
// the Last-Event-ID it had gets exactly what it missed, in order.
func TestInterviewSurvivesHostRestart(t *testing.T) {
	f, id := interviewFixture(t)
	v := f.watch("/interview/events/"+id, "")
	f.postAnswer(id, "重启之前的答复")
	e := v.next(t)
	if !strings.Contains(e.data, "重启之前的答复") {
		t.Fatalf("before: %+v", e)
	}
	f.host.Stop()
	f.hs.CloseClientConnections()
	f.hs.Close()
	select {
	case _, ok := <-v.ch:
		for ok {
			_, ok = <-v.ch
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the stream outlived its host")
	}
	f.startHost()
	deadline := time.Now().Add(20 * time.Second)
	for f.postAnswer(id, "新主机上的第一条答复").status != http.StatusSeeOther {
		if time.Now().After(deadline) {
			t.Fatal("module not up on the new host")
		}
		time.Sleep(100 * time.Millisecond)
	}
	f.postAnswer(id, "新主机上的第二条答复")
	w := f.watch("/interview/events/"+id, e.id)
	for _, want := range []string{"新主机上的第一条答复", "新主机上的第二条答复"} {
		if got := w.next(t); got.typ != "answer" || !strings.Contains(got.data, want) {
			t.Fatalf("after the restart, want %s: %+v", want, got)
		}
	}
}

// TestStreamOutlivesWriteTimeout: serve runs with a write timeout for
// pages (60 s); a live page's stream lifts it for itself, through every
// response wrapper of the platform's middleware.
func TestStreamOutlivesWriteTimeout(t *testing.T) {
	f, id := interviewFixture(t)
	s := httptest.NewUnstartedServer(f.hs.Config.Handler)
	s.Config.WriteTimeout = 500 * time.Millisecond
	s.Start()
	defer func() { s.CloseClientConnections(); s.Close() }()
	f.url = s.URL
	v := f.watch("/interview/events/"+id, "")
	time.Sleep(1200 * time.Millisecond)
	if a := f.postAnswer(id, "超过写超时之后的答复"); a.status != http.StatusSeeOther {
		t.Fatalf("answer: %d", a.status)
	}
	if e := v.next(t); e.typ != "answer" || !strings.Contains(e.data, "超过写超时之后的答复") {
		t.Fatalf("after the write timeout: %+v", e)
	}
}
