package fanout

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"yiwang/plugins/sdk"
)

// store is a source over a slice of events, as a module's table is.
type store struct {
	mu     sync.Mutex
	events []sdk.Event
	wake   chan struct{}
	calls  []string
}

func newStore() *store { return &store{wake: make(chan struct{})} }

func (s *store) add(data string) {
	s.mu.Lock()
	s.events = append(s.events, sdk.Event{ID: int64(len(s.events) + 1), Type: "answer", Data: data})
	close(s.wake)
	s.wake = make(chan struct{})
	s.mu.Unlock()
}

func (s *store) source(ctx context.Context, key Key, after, until int64, emit func(sdk.Event) error) error {
	if key.Channel == "gone" {
		return sdk.Errorf(sdk.ENOTFOUND, "没有这个直播。")
	}
	s.mu.Lock()
	s.calls = append(s.calls, strconv.FormatInt(after, 10)+"-"+strconv.FormatInt(until, 10))
	s.mu.Unlock()
	if err := emit(sdk.Event{Type: sdk.EventReady}); err != nil {
		return err
	}
	for {
		s.mu.Lock()
		evs, wake := append([]sdk.Event(nil), s.events...), s.wake
		s.mu.Unlock()
		for _, e := range evs {
			if e.ID > after && (until == 0 || e.ID <= until) {
				if err := emit(e); err != nil {
					return err
				}
				after = e.ID
			}
		}
		if until > 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-wake:
		}
	}
}

func read(t *testing.T, url, lastID string, n int) []string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := http.DefaultClient.Do(req.WithContext(ctx))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out []string
	sc := bufio.NewScanner(resp.Body)
	id := ""
	for len(out) < n && sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "id: ") {
			id = line[4:]
		}
		if strings.HasPrefix(line, "data: ") && id != "" {
			out = append(out, id+"="+line[6:])
			id = ""
		}
	}
	return out
}

func TestReplayBeyondMemory(t *testing.T) {
	s := newStore()
	for i := range 10 {
		s.add("e" + strconv.Itoa(i+1))
	}
	f := New(s.source, Options{Keep: 3, Idle: time.Hour})
	defer f.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := f.Serve(w, r, Key{Tenant: 1, Channel: strings.TrimPrefix(r.URL.Path, "/")}); err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
		}
	}))
	defer srv.Close()
	// The first viewer follows from event 9: the hub remembers 10 on.
	if got := read(t, srv.URL+"/c", "9", 1); strings.Join(got, ",") != "10=e10" {
		t.Fatalf("first viewer: %v", got)
	}
	// One back from 2 gets 3–9 by a replay and 10 from the hub.
	got := read(t, srv.URL+"/c", "2", 8)
	want := "3=e3,4=e4,5=e5,6=e6,7=e7,8=e8,9=e9,10=e10"
	if strings.Join(got, ",") != want {
		t.Fatalf("resumed: %v, want %s", got, want)
	}
	s.mu.Lock()
	calls := strings.Join(s.calls, " ")
	s.mu.Unlock()
	if calls != "9-0 2-9" {
		t.Errorf("calls to the module: %s, want one subscription and one replay", calls)
	}
	// The hub's memory is bounded: add more than it keeps.
	for i := 11; i <= 20; i++ {
		s.add("e" + strconv.Itoa(i))
	}
	if got := read(t, srv.URL+"/c", "15", 5); strings.Join(got, ",") != "16=e16,17=e17,18=e18,19=e19,20=e20" {
		t.Fatalf("after growth: %v", got)
	}
	if resp, err := http.Get(srv.URL + "/gone"); err != nil || resp.StatusCode != 404 {
		t.Errorf("refused channel: %v %v", resp, err)
	}
}

func TestSlowViewerIsDropped(t *testing.T) {
	s := newStore()
	f := New(s.source, Options{Buffer: 2, Idle: time.Hour})
	defer f.Close()
	h, v, err := f.join(Key{1, "c"}, -1)
	if err != nil {
		t.Fatal(err)
	}
	<-h.started
	for i := range 5 {
		s.add("e" + strconv.Itoa(i))
	}
	deadline := time.Now().Add(5 * time.Second)
	for f.Viewers() != 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if f.Viewers() != 0 {
		t.Fatal("a viewer that reads nothing holds the channel")
	}
	n := 0
	for range v.ch {
		n++
	}
	if n != 2 {
		t.Errorf("dropped viewer had %d queued, want its buffer of 2", n)
	}
}

func TestDataLinesAndStatus(t *testing.T) {
	w := &writer{}
	w.event(sdk.Event{ID: 7, Type: "an\nswer", Data: "第一行\r\n第二行"})
	w.status(StatusDown)
	got := string(w.buf)
	want := "id: 7\nevent: an swer\ndata: 第一行\ndata: 第二行\n\nevent: status\ndata: {\"message\":\"" + statusText[StatusDown] + "\",\"state\":\"down\"}\n\n"
	if got != want {
		t.Errorf("wire:\n%q\nwant\n%q", got, want)
	}
}
