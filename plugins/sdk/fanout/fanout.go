// Package fanout serves a module's event channels to browsers as
// Server-Sent Events: one subscription to the module per channel, however
// many people watch, with each event handed to every viewer.
//
// A hub per channel keeps the last events it received (Options.Keep). A
// viewer that reconnects with Last-Event-ID gets what it missed from the
// hub, in order; one that was away longer than the hub remembers gets the
// older part by a replay from the module (one call for that viewer, the
// rare case), then the rest. When the subscription breaks (the module
// crashed or is restarting) viewers stay connected, are told so, and the
// hub subscribes again after the last id it saw as soon as the module
// answers: nothing posted meanwhile is lost, since the module keeps its
// events in its database.
//
// The host (core/modules) and the test harness (sdktest/browsertest) both
// serve channels with it, so a module's tests see what production does.
package fanout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"yiwang/plugins/sdk"
)

// Key names one channel of one tenant.
type Key struct {
	Tenant  int64
	Channel string
}

// Source subscribes to a channel, as sdk.Streamer.Events does through
// the transport: the ready marker (id 0), then the events after after, up
// to until when until > 0, else following until ctx ends.
type Source func(ctx context.Context, key Key, after, until int64, emit func(sdk.Event) error) error

// Options tune a Fanout; zero values take the defaults.
type Options struct {
	Keep      int           // events remembered per channel; default 1024
	Buffer    int           // events queued for one viewer before it is dropped (and reconnects); default 64
	Idle      time.Duration // a channel without viewers is unsubscribed after this; default 30 s
	Retry     time.Duration // first wait before subscribing again; default 250 ms, doubling
	MaxRetry  time.Duration // longest wait; default 2 s
	Heartbeat time.Duration // comment line that keeps proxies from closing a quiet stream; default 15 s
	// Wait bounds how long a first viewer waits for the subscription to
	// stand before its stream opens anyway (showing the module as down);
	// default 3 s.
	Wait time.Duration
	Log  *slog.Logger
}

// Status notices viewers receive as the SSE event "status" (no id, so
// they do not move a browser's Last-Event-ID).
const (
	StatusDown   = "down"   // the subscription broke; the hub is trying again
	StatusUp     = "up"     // it stands again; what was posted meanwhile follows
	StatusClosed = "closed" // the module refused the channel (removed, disabled)
)

var statusText = map[string]string{
	StatusDown:   "直播连接暂时中断，正在恢复。恢复后，中断期间发布的内容会自动补上，无需刷新页面。",
	StatusUp:     "直播连接已恢复。",
	StatusClosed: "本直播已不再提供。",
}

// Fanout serves the channels of one module.
type Fanout struct {
	src   Source
	o     Options
	log   *slog.Logger
	calls atomic.Int64

	mu     sync.Mutex
	hubs   map[Key]*hub
	closed bool
}

// New serves the channels src reads.
func New(src Source, o Options) *Fanout {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if o.Keep <= 0 {
		o.Keep = 1024
	}
	if o.Buffer <= 0 {
		o.Buffer = 64
	}
	def(&o.Idle, 30*time.Second)
	def(&o.Retry, 250*time.Millisecond)
	def(&o.MaxRetry, 2*time.Second)
	def(&o.Heartbeat, 15*time.Second)
	def(&o.Wait, 3*time.Second)
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return &Fanout{src: src, o: o, log: o.Log, hubs: map[Key]*hub{}}
}

// Calls counts the calls made to the source: subscriptions and replays.
// With every viewer of a channel connected, an event costs none; the
// benchmark and the tests read it.
func (f *Fanout) Calls() int64 { return f.calls.Load() }

// Viewers counts the viewers connected now.
func (f *Fanout) Viewers() int {
	f.mu.Lock()
	hs := make([]*hub, 0, len(f.hubs))
	for _, h := range f.hubs {
		hs = append(hs, h)
	}
	f.mu.Unlock()
	n := 0
	for _, h := range hs {
		h.mu.Lock()
		n += len(h.viewers)
		h.mu.Unlock()
	}
	return n
}

// Close ends every subscription and every viewer's stream.
func (f *Fanout) Close() {
	f.mu.Lock()
	f.closed = true
	hs := f.hubs
	f.hubs = map[Key]*hub{}
	f.mu.Unlock()
	for _, h := range hs {
		h.stop()
	}
}

// ErrClosed is what Serve answers once the Fanout is closed.
var ErrClosed = errors.New("fanout: closed")

// Position is where a viewer resumes: the browser's Last-Event-ID on a
// reconnection, else the query parameter "after" (the last event the
// page was rendered with), else -1: from what the channel has now.
func Position(r *http.Request) int64 {
	for _, v := range []string{r.Header.Get("Last-Event-ID"), r.URL.Query().Get("after")} {
		if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil && n >= 0 {
			return n
		}
	}
	return -1
}

// Serve streams the channel to one viewer until the viewer leaves or the
// Fanout closes. It returns an error without writing anything when the
// module refuses the channel (an *sdk.Error, ENOTFOUND for an unknown
// one), for the caller's error page.
func (f *Fanout) Serve(w http.ResponseWriter, r *http.Request, key Key) error {
	pos := Position(r)
	h, v, err := f.join(key, pos)
	if err != nil {
		return err
	}
	defer f.leave(h, v)
	select {
	case <-h.started:
	case <-time.After(f.o.Wait):
	case <-r.Context().Done():
		return nil
	}
	if err := h.startErr(); err != nil {
		return err
	}
	rc := http.NewResponseController(w)
	// A live page stays open for hours: the server's write timeout is
	// for pages, not for streams.
	_ = rc.SetWriteDeadline(time.Time{})
	hdr := w.Header()
	hdr.Set("Content-Type", "text/event-stream; charset=utf-8")
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("X-Accel-Buffering", "no") // nginx in front: do not hold events back
	w.WriteHeader(http.StatusOK)
	sw := &writer{w: w}
	sw.raw("retry: 2000\n\n")
	h.mu.Lock()
	up := h.up
	h.mu.Unlock()
	if !up {
		sw.status(StatusDown) // the module is not answering yet: say so
	}
	cursor := v.cursor
	send := func(e sdk.Event) {
		if e.ID > cursor {
			sw.event(e)
			cursor = e.ID
		}
	}
	if v.replay {
		// The viewer was away longer than the hub remembers: the part
		// before the hub's memory comes from the module, once.
		f.calls.Add(1)
		err := f.src(r.Context(), key, cursor, v.floor, func(e sdk.Event) error {
			if e.ID > 0 && e.ID <= v.floor {
				send(e)
			}
			return sw.err
		})
		if err != nil {
			if r.Context().Err() == nil {
				f.log.Warn("event replay failed", "tenant", key.Tenant, "channel", key.Channel, "err", err)
				sw.status(StatusDown)
				_ = rc.Flush()
			}
			return nil // the browser reconnects and asks again
		}
	}
	for _, e := range v.backlog {
		send(e)
	}
	v.backlog = nil
	if sw.flush(rc) != nil {
		return nil
	}
	beat := time.NewTicker(f.o.Heartbeat)
	defer beat.Stop()
	for {
		select {
		case <-r.Context().Done():
			return nil
		case <-beat.C:
			sw.raw(": \n\n")
		case e, ok := <-v.ch:
			if !ok {
				return nil // dropped (too slow) or closed: the browser reconnects
			}
			for {
				if e.ID == 0 {
					sw.status(e.Type)
				} else {
					send(e)
				}
				// Write what else is queued before one flush.
				select {
				case e, ok = <-v.ch:
					if ok {
						continue
					}
				default:
				}
				break
			}
			if !ok {
				_ = sw.flush(rc)
				return nil
			}
		}
		if sw.flush(rc) != nil {
			return nil
		}
	}
}

// writer writes the SSE wire format and remembers the first error.
type writer struct {
	w   io.Writer
	err error
	buf []byte
}

func (s *writer) raw(x string) { s.buf = append(s.buf, x...) }

func (s *writer) event(e sdk.Event) {
	s.buf = append(s.buf, "id: "...)
	s.buf = strconv.AppendInt(s.buf, e.ID, 10)
	s.buf = append(s.buf, '\n')
	if e.Type != "" {
		s.buf = append(s.buf, "event: "...)
		s.buf = append(s.buf, oneLine(e.Type)...)
		s.buf = append(s.buf, '\n')
	}
	// A line break inside data would end the field: each line is its
	// own data field, which the browser joins with "\n" again.
	for _, line := range strings.Split(strings.ReplaceAll(e.Data, "\r", ""), "\n") {
		s.buf = append(s.buf, "data: "...)
		s.buf = append(s.buf, line...)
		s.buf = append(s.buf, '\n')
	}
	s.buf = append(s.buf, '\n')
}

func (s *writer) status(state string) {
	b, _ := json.Marshal(map[string]string{"state": state, "message": statusText[state]})
	s.buf = append(s.buf, "event: status\ndata: "...)
	s.buf = append(s.buf, b...)
	s.buf = append(s.buf, "\n\n"...)
}

func (s *writer) flush(rc *http.ResponseController) error {
	if s.err != nil {
		return s.err
	}
	if len(s.buf) > 0 {
		_, s.err = s.w.Write(s.buf)
		s.buf = s.buf[:0]
		if s.err != nil {
			return s.err
		}
	}
	if err := rc.Flush(); err != nil {
		s.err = err
	}
	return s.err
}

func oneLine(s string) string { return strings.NewReplacer("\r", "", "\n", " ").Replace(s) }

// viewer is one browser's stream.
type viewer struct {
	ch      chan sdk.Event
	cursor  int64
	backlog []sdk.Event // what the hub remembered after cursor when the viewer joined
	replay  bool        // cursor is before the hub's memory: replay up to floor first
	floor   int64
	gone    bool // removed from the hub, ch closed
}

// join registers a viewer at pos with the channel's hub, starting the
// hub when it is the first.
func (f *Fanout) join(key Key, pos int64) (*hub, *viewer, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil, nil, ErrClosed
	}
	h := f.hubs[key]
	if h == nil {
		start := max(pos, 0)
		ctx, cancel := context.WithCancel(context.Background())
		h = &hub{f: f, key: key, ctx: ctx, cancel: cancel, last: start, floor: start, viewers: map[*viewer]struct{}{}, started: make(chan struct{})}
		f.hubs[key] = h
		go h.run()
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.idle != nil {
		h.idle.Stop()
		h.idle = nil
	}
	v := &viewer{ch: make(chan sdk.Event, f.o.Buffer), cursor: pos}
	if pos < 0 {
		v.cursor = h.last
	}
	if v.cursor < h.floor {
		v.replay, v.floor = true, h.floor
	}
	for _, e := range h.ring {
		if e.ID > v.cursor {
			v.backlog = append(v.backlog, e)
		}
	}
	h.viewers[v] = struct{}{}
	return h, v, nil
}

// leave removes a viewer; the last one out starts the idle timer that
// ends the subscription.
func (f *Fanout) leave(h *hub, v *viewer) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !v.gone {
		v.gone = true
		delete(h.viewers, v)
		close(v.ch)
	}
	if len(h.viewers) == 0 && h.idle == nil {
		h.idle = time.AfterFunc(f.o.Idle, func() { f.retire(h) })
	}
}

// retire ends a hub nobody watches.
func (f *Fanout) retire(h *hub) {
	f.mu.Lock()
	h.mu.Lock()
	empty := len(h.viewers) == 0
	if empty && f.hubs[h.key] == h {
		delete(f.hubs, h.key)
	}
	h.mu.Unlock()
	f.mu.Unlock()
	if empty {
		h.stop()
	}
}

// hub is one channel's subscription and its viewers.
type hub struct {
	f      *Fanout
	key    Key
	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	ring    []sdk.Event // the last events, by id
	floor   int64       // events up to floor may be missing from ring
	last    int64       // highest id received
	up      bool        // the subscription stands
	everUp  bool
	viewers map[*viewer]struct{}
	idle    *time.Timer
	started chan struct{} // closed at the first ready marker or refusal
	once    sync.Once
	err     error // the module refused the channel
}

func (h *hub) startErr() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.err
}

func (h *hub) markStarted() { h.once.Do(func() { close(h.started) }) }

// stop cancels the subscription and closes every viewer's stream.
func (h *hub) stop() {
	h.cancel()
	h.mu.Lock()
	defer h.mu.Unlock()
	for v := range h.viewers {
		v.gone = true
		close(v.ch)
		delete(h.viewers, v)
	}
	h.markStarted()
}

// run keeps the subscription: after a break it subscribes again from
// the last id it saw, with a back-off, telling viewers meanwhile.
func (h *hub) run() {
	f := h.f
	wait := f.o.Retry
	for h.ctx.Err() == nil {
		h.mu.Lock()
		after := h.last
		h.mu.Unlock()
		f.calls.Add(1)
		err := f.src(h.ctx, h.key, after, 0, h.receive)
		if h.ctx.Err() != nil {
			return
		}
		if refused(err) {
			h.refuse(err)
			return
		}
		h.mu.Lock()
		wasUp := h.up
		h.up = false
		if h.everUp {
			wait = f.o.Retry // it stood: start the back-off over
		}
		h.mu.Unlock()
		if wasUp {
			f.log.Warn("event subscription broke; subscribing again", "tenant", h.key.Tenant, "channel", h.key.Channel, "err", err)
			h.broadcast(sdk.Event{Type: StatusDown})
		}
		select {
		case <-h.ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(wait*2, f.o.MaxRetry)
	}
}

// refused reports whether the module itself turned the channel down (no
// such channel, not enabled), as opposed to being unreachable.
func refused(err error) bool {
	var se *sdk.Error
	if !errors.As(err, &se) {
		return errors.Is(err, sdk.ErrUnsupported)
	}
	switch se.Code {
	case sdk.ENOTFOUND, sdk.EINVALID, sdk.EFORBID:
		return true
	}
	return false
}

func (h *hub) refuse(err error) {
	h.f.mu.Lock()
	if h.f.hubs[h.key] == h {
		delete(h.f.hubs, h.key)
	}
	h.f.mu.Unlock()
	h.mu.Lock()
	h.err = err
	started := h.everUp
	h.mu.Unlock()
	if started {
		h.broadcast(sdk.Event{Type: StatusClosed})
	}
	h.markStarted()
	h.stop()
}

// receive takes one event from the module and hands it to every viewer.
func (h *hub) receive(e sdk.Event) error {
	if e.ID == 0 {
		if e.Type == sdk.EventReady {
			h.mu.Lock()
			back := h.everUp && !h.up
			h.up, h.everUp = true, true
			h.mu.Unlock()
			h.markStarted()
			if back {
				h.broadcast(sdk.Event{Type: StatusUp})
			}
		}
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if e.ID <= h.last {
		return nil // already had it (a subscription that overlapped)
	}
	h.last = e.ID
	h.ring = append(h.ring, e)
	if over := len(h.ring) - h.f.o.Keep; over > 0 {
		h.floor = h.ring[over-1].ID
		h.ring = append(h.ring[:0:0], h.ring[over:]...)
	}
	h.deliver(e)
	return nil
}

func (h *hub) broadcast(e sdk.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.deliver(e)
}

// deliver queues e for every viewer (h.mu held). A viewer whose queue is
// full is dropped rather than holding everyone up: its browser
// reconnects with Last-Event-ID and catches up from the ring.
func (h *hub) deliver(e sdk.Event) {
	for v := range h.viewers {
		select {
		case v.ch <- e:
		default:
			v.gone = true
			close(v.ch)
			delete(h.viewers, v)
		}
	}
}

// String names a key in logs.
func (k Key) String() string { return fmt.Sprintf("%d/%s", k.Tenant, k.Channel) }
