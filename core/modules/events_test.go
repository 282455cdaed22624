package modules_test

import (
	"bufio"
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
	"time"

	"yiwang/core/modules"
	"yiwang/plugins/sdk"
)

// livefeed is the smallest module with an event channel: POST
// /livefeed/post stores an event of a channel, the channel "gone" does
// not exist. It runs as a real plugin process like any module.
var livefeed = &sdk.Module{
	Name: "livefeed", Version: "1.0.0", Title: "直播测试", Events: true,
	Migrations: fstest.MapFS{"0001_events.sql": {Data: []byte(`CREATE TABLE events (
	id {{id}}, tenant_id BIGINT NOT NULL, channel VARCHAR(64) NOT NULL, type VARCHAR(32) NOT NULL,
	data {{text}} NOT NULL, created_at {{time}} NOT NULL) {{table}};
CREATE INDEX ix_events_channel ON events (tenant_id, channel, id);`)}},
	New: func(_ context.Context, env *sdk.Env) (http.Handler, error) {
		return &feed{env: env, log: sdk.NewEventLog(env.DB)}, nil
	},
}

func init() { sdk.Register(livefeed) }

type feed struct {
	env *sdk.Env
	log *sdk.EventLog
}

var _ sdk.Streamer = (*feed)(nil)

func (f *feed) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/livefeed/post" {
		sdk.Fail(w, sdk.Errorf(sdk.ENOTFOUND, "没有这个页面。"))
		return
	}
	var id int64
	err := f.log.Tx(r.Context(), sdk.TenantOf(r).ID, func(_ *sdk.Scope, emit sdk.Emit) error {
		var err error
		id, err = emit(r.PostFormValue("channel"), "answer", r.PostFormValue("data"))
		return err
	})
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	_, _ = w.Write([]byte(strconv.FormatInt(id, 10)))
}

func (f *feed) Events(ctx context.Context, tenantID int64, channel string, after, until int64, send func(sdk.Event) error) error {
	if channel == "gone" {
		return sdk.Errorf(sdk.ENOTFOUND, "没有这个直播。")
	}
	return f.log.Events(ctx, tenantID, channel, after, until, send)
}

// sseEvent is one message a viewer read.
type sseEvent struct {
	id, typ, data string
}

// viewer is a browser's EventSource, reduced to a channel of messages.
type viewer struct {
	resp *http.Response
	ch   chan sseEvent
}

func (f *fixture) watch(path string, lastID string) *viewer {
	f.t.Helper()
	req, err := http.NewRequest(http.MethodGet, f.url+path, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header.Set("Accept", "text/event-stream")
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := (&http.Client{}).Do(req)
	if err != nil {
		f.t.Fatalf("watch %s: %v", path, err)
	}
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		resp.Body.Close()
		f.t.Fatalf("watch %s: %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	v := &viewer{resp: resp, ch: make(chan sseEvent, 1000)}
	f.t.Cleanup(v.close)
	go func() {
		defer close(v.ch)
		sc := bufio.NewScanner(resp.Body)
		var e sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if e.typ != "" || e.data != "" {
					v.ch <- e
				}
				e = sseEvent{}
			case strings.HasPrefix(line, "id: "):
				e.id = line[4:]
			case strings.HasPrefix(line, "event: "):
				e.typ = line[7:]
			case strings.HasPrefix(line, "data: "):
				e.data += line[6:]
			}
		}
	}()
	return v
}

func (v *viewer) close() { v.resp.Body.Close() }

// next returns the next message other than the status notices, or fails.
func (v *viewer) next(t *testing.T, status ...*[]string) sseEvent {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case e, ok := <-v.ch:
			if !ok {
				t.Fatal("stream ended")
			}
			if e.typ == "status" {
				if len(status) > 0 {
					*status[0] = append(*status[0], e.data)
				}
				continue
			}
			return e
		case <-timeout:
			t.Fatal("no event within 20 s")
		}
	}
}

func (f *fixture) post(base, channel, data string) answer {
	return f.do(http.MethodPost, base+"livefeed/post", url.Values{"channel": {channel}, "data": {data}}, map[string]string{"Origin": f.url})
}

func liveFixture(t *testing.T) *fixture {
	f := newFixture(t, modules.Spec{Name: "livefeed"}, modules.Spec{Name: "topics"})
	ctx := context.Background()
	for _, code := range []string{"portal", "jyj"} {
		if err := f.st.Enable(ctx, "test", code, "livefeed", nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.host.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	// Configure reaches the process asynchronously.
	deadline := time.Now().Add(10 * time.Second)
	for f.post("/", "warmup", "x").status != 200 {
		if time.Now().After(deadline) {
			t.Fatal("livefeed never enabled")
		}
		time.Sleep(50 * time.Millisecond)
	}
	return f
}

// TestEventsFanOutOneSubscription: twenty viewers of one channel receive
// every event in order, and the host subscribed to the module once.
func TestEventsFanOutOneSubscription(t *testing.T) {
	f := liveFixture(t)
	var vs []*viewer
	for range 20 {
		vs = append(vs, f.watch("/livefeed/events/c1", ""))
	}
	for i := range 5 {
		if a := f.post("/", "c1", "答复"+strconv.Itoa(i)); a.status != 200 {
			t.Fatalf("post: %d %s", a.status, a.body)
		}
	}
	for n, v := range vs {
		prev := 0
		for i := range 5 {
			e := v.next(t)
			id, _ := strconv.Atoi(e.id)
			if e.typ != "answer" || e.data != "答复"+strconv.Itoa(i) || id <= prev {
				t.Fatalf("viewer %d event %d: %+v after %d", n, i, e, prev)
			}
			prev = id
		}
	}
	if c := f.host.EventCalls("livefeed"); c != 1 {
		t.Errorf("%d calls to the module for 20 viewers, want 1", c)
	}
	if n := f.host.EventViewers("livefeed"); n != 20 {
		t.Errorf("%d viewers, want 20", n)
	}
}

// TestEventsResumeWithLastEventID: a viewer that drops and comes back
// with Last-Event-ID gets exactly what it missed, in order.
func TestEventsResumeWithLastEventID(t *testing.T) {
	f := liveFixture(t)
	v := f.watch("/livefeed/events/c2", "")
	var ids []string
	for i := range 3 {
		f.post("/", "c2", "第"+strconv.Itoa(i)+"条")
		ids = append(ids, v.next(t).id)
	}
	v.close()
	for i := 3; i < 7; i++ {
		f.post("/", "c2", "第"+strconv.Itoa(i)+"条")
	}
	// Back after the second event: the third onwards, in order.
	w := f.watch("/livefeed/events/c2", ids[1])
	for i := 2; i < 7; i++ {
		if e := w.next(t); e.data != "第"+strconv.Itoa(i)+"条" {
			t.Fatalf("resumed event %d: %+v", i, e)
		}
	}
	// A page rendered at some point follows from there with ?after=.
	x := f.watch("/livefeed/events/c2?after="+ids[2], "")
	if e := x.next(t); e.data != "第3条" {
		t.Fatalf("after=: %+v", e)
	}
}

// TestEventsTenantIsolation: a channel is a tenant's; the same name on
// another site is another channel; a site without the module has none.
func TestEventsTenantIsolation(t *testing.T) {
	f := liveFixture(t)
	portal := f.watch("/livefeed/events/c3", "")
	jyj := f.watch("/site/jyj/livefeed/events/c3", "")
	f.post("/site/jyj/", "c3", "教育局的答复")
	f.post("/", "c3", "门户的答复")
	if e := portal.next(t); e.data != "门户的答复" {
		t.Errorf("portal viewer got %+v", e)
	}
	if e := jyj.next(t); e.data != "教育局的答复" {
		t.Errorf("jyj viewer got %+v", e)
	}
	if a := f.get("/site/rsj/livefeed/events/c3"); a.status != 404 {
		t.Errorf("site without the module: %d", a.status)
	}
	if a := f.get("/livefeed/events/gone"); a.status != 404 || !strings.Contains(a.body, "没有这个直播") {
		t.Errorf("unknown channel: %d", a.status)
	}
	if a := f.get("/livefeed/events/bad%20name"); a.status != 404 {
		t.Errorf("bad channel name: %d", a.status)
	}
	// A module without channels keeps the path for itself.
	if a := f.get("/topics/events/x"); a.status != 404 || f.host.EventCalls("topics") != 0 {
		t.Errorf("module without channels: %d, %d calls", a.status, f.host.EventCalls("topics"))
	}
}

// TestEventsSurviveModuleKill: kill -9 of the module while viewers
// watch: they stay connected to the host, are told, and receive what is
// posted once the supervisor has the module back, nothing lost or
// repeated.
func TestEventsSurviveModuleKill(t *testing.T) {
	f := liveFixture(t)
	v := f.watch("/livefeed/events/c4", "")
	f.post("/", "c4", "杀进程之前")
	if e := v.next(t); e.data != "杀进程之前" {
		t.Fatalf("before: %+v", e)
	}
	pid := f.host.PID("livefeed")
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	// The viewer is told the stream is interrupted.
	select {
	case e := <-v.ch:
		if e.typ != "status" || !strings.Contains(e.data, `"down"`) || !strings.Contains(e.data, "中断") {
			t.Fatalf("after kill: %+v", e)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no notice of the interruption")
	}
	// Posts succeed again once the module is back (503 meanwhile).
	deadline := time.Now().Add(20 * time.Second)
	for {
		a := f.post("/", "c4", "恢复之后")
		if a.status == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("module not back: %d", a.status)
		}
		time.Sleep(100 * time.Millisecond)
	}
	f.post("/", "c4", "又一条")
	var notes []string
	if e := v.next(t, &notes); e.data != "恢复之后" {
		t.Fatalf("after restart: %+v", e)
	}
	if e := v.next(t, &notes); e.data != "又一条" {
		t.Fatalf("after restart: %+v", e)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], `"up"`) {
		t.Errorf("status notes after the restart: %q", notes)
	}
	if np := f.host.PID("livefeed"); np == pid || np == 0 {
		t.Errorf("pid %d after restart (was %d)", np, pid)
	}
}
