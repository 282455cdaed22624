package sdktest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/pb"
	"yiwang/plugins/sdk/rpc"
)

// envServe tells a re-executed test binary to serve a module as a plugin.
const envServe = "YIWANG_SDKTEST_SERVE"

// Main is the TestMain of a module's tests: in a test binary re-executed
// by Process it serves the named registered module as a plugin and never
// returns; otherwise it runs the tests.
func Main(m *testing.M) {
	if name := os.Getenv(envServe); name != "" {
		mod, ok := sdk.Lookup(name)
		if !ok {
			fmt.Fprintf(os.Stderr, "sdktest: module %q is not registered in this test binary\n", name)
			os.Exit(2)
		}
		rpc.Serve(mod)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// Command returns the command that runs the registered module name as a
// plugin from this test binary (for hosts under test that start modules).
func Command(name string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envServe+"="+name)
	return cmd
}

// Tenants used by default: the portal and two sub-sites.
var (
	Portal = &sdk.Tenant{ID: 1, Code: "portal", Name: "思南县人民政府", Kind: "portal", Status: "active"}
	JYJ    = &sdk.Tenant{ID: 2, Code: "jyj", Name: "思南县教育局", Kind: "department", Status: "active"}
	RSJ    = &sdk.Tenant{ID: 3, Code: "rsj", Name: "思南县人力资源和社会保障局", Kind: "department", Status: "active"}
)

// Options configure a harness.
type Options struct {
	// Tenants enabling the module; default Portal and JYJ.
	Tenants []*sdk.Tenant
	// DSN of the module's database; default a SQLite file in t.TempDir().
	DSN  string
	Demo bool
	// Host; default a FakeHost knowing Portal, JYJ and RSJ.
	Host *FakeHost
}

// Harness is a configured module, in-process or as a process.
type Harness struct {
	t       testing.TB
	Host    *FakeHost
	Tenants []*sdk.Tenant
	// Server is the module server of an in-process harness (nil for a
	// process).
	Server *rpc.ModuleServer
	// Plugin is the process of a process harness (nil in-process).
	Plugin *rpc.Plugin
	cfg    rpc.Config
	module string
}

func (o *Options) fill(t testing.TB) {
	if len(o.Tenants) == 0 {
		o.Tenants = []*sdk.Tenant{Portal, JYJ}
	}
	if o.DSN == "" {
		o.DSN = "sqlite:" + filepath.Join(t.TempDir(), "module.db")
	}
	if o.Host == nil {
		o.Host = NewFakeHost(Portal, JYJ, RSJ)
	}
	var ids []int64
	for _, t := range o.Tenants {
		ids = append(ids, t.ID)
	}
	o.Host.SetEnabled(ids...)
}

func (o *Options) config() rpc.Config {
	c := rpc.Config{DatabaseDSN: o.DSN, Demo: o.Demo}
	for _, t := range o.Tenants {
		c.Tenants = append(c.Tenants, sdk.TenantConfig{Tenant: *t, Settings: []byte("{}")})
	}
	return c
}

// TestLogger logs to t, at debug level when -v is given.
func TestLogger(t testing.TB) *slog.Logger {
	level := slog.LevelWarn
	if testing.Verbose() {
		level = slog.LevelDebug
	}
	w := &testWriter{t: t}
	// Registered first, so it runs last: go-plugin's reader goroutines
	// may still log while the process is killed in a later cleanup, and
	// t.Log after the test has ended panics.
	t.Cleanup(func() { w.done.Store(true) })
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}

type testWriter struct {
	t    testing.TB
	done atomic.Bool
}

func (w *testWriter) Write(p []byte) (int, error) {
	if !w.done.Load() {
		w.t.Log(strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}

// InProcess runs m in the test's process: the module server and the
// protocol's conversions, without transport.
func InProcess(t testing.TB, m *sdk.Module, o Options) *Harness {
	t.Helper()
	o.fill(t)
	ms := rpc.NewModuleServer(m, TestLogger(t), func(uint32) (sdk.Host, error) { return o.Host, nil })
	t.Cleanup(func() { ms.Close() })
	h := &Harness{t: t, Host: o.Host, Tenants: o.Tenants, Server: ms, cfg: o.config(), module: m.Name}
	if _, err := ms.Configure(context.Background(), rpc.ConfigureRequest(h.cfg, 0)); err != nil {
		t.Fatalf("configure %s: %v", m.Name, rpc.FromStatus(err))
	}
	return h
}

// Process runs m as a real plugin process: this test binary re-executed
// (see Main), started and supervised by go-plugin as the host does.
func Process(t testing.TB, m *sdk.Module, o Options) *Harness {
	t.Helper()
	o.fill(t)
	p, err := rpc.Launch(rpc.LaunchConfig{Name: m.Name, Cmd: Command(m.Name), Host: o.Host, Log: TestLogger(t)})
	if err != nil {
		t.Fatalf("launch %s: %v", m.Name, err)
	}
	t.Cleanup(p.Kill)
	h := &Harness{t: t, Host: o.Host, Tenants: o.Tenants, Plugin: p, cfg: o.config(), module: m.Name}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := p.Configure(ctx, h.cfg); err != nil {
		t.Fatalf("configure %s: %v", m.Name, err)
	}
	return h
}

// Reconfigure tells the module a new set of enabling tenants.
func (h *Harness) Reconfigure(tenants ...*sdk.Tenant) {
	h.t.Helper()
	h.cfg.Tenants = nil
	var ids []int64
	for _, t := range tenants {
		h.cfg.Tenants = append(h.cfg.Tenants, sdk.TenantConfig{Tenant: *t, Settings: []byte("{}")})
		ids = append(ids, t.ID)
	}
	h.Host.SetEnabled(ids...)
	var err error
	if h.Server != nil {
		_, err = h.Server.Configure(context.Background(), rpc.ConfigureRequest(h.cfg, 0))
		err = rpc.FromStatus(err)
	} else {
		_, err = h.Plugin.Configure(context.Background(), h.cfg)
	}
	if err != nil {
		h.t.Fatalf("reconfigure: %v", err)
	}
}

// Handle sends one request on the wire form, as the host does.
func (h *Harness) Handle(ctx context.Context, req *pb.HandleRequest) (*pb.HandleResponse, error) {
	if h.Server != nil {
		return h.Server.Handle(ctx, req)
	}
	return h.Plugin.Handle(ctx, req)
}

// Module is the name of the module under test.
func (h *Harness) Module() string { return h.module }

// Events subscribes to one of the module's event channels as the host
// does (the ready marker first): over the real process, or through the
// module server's handler in-process.
func (h *Harness) Events(ctx context.Context, tenantID int64, channel string, after, until int64, emit func(sdk.Event) error) error {
	if h.Plugin != nil {
		return h.Plugin.Events(ctx, tenantID, channel, after, until, emit)
	}
	st, ok := h.Server.Handler().(sdk.Streamer)
	if !ok {
		return sdk.ErrUnsupported
	}
	return st.Events(ctx, tenantID, channel, after, until, sdk.ReadyFirst(emit))
}

// Cases asks the module for a person's cases as the host does, over the
// wire form (in process) or the real process; failures fail the test.
func (h *Harness) Cases(userID int64) []sdk.Case {
	h.t.Helper()
	if h.Plugin != nil {
		cs, err := h.Plugin.Cases(context.Background(), userID)
		if err != nil {
			h.t.Fatalf("cases of user %d: %v", userID, err)
		}
		return cs
	}
	resp, err := h.Server.Cases(context.Background(), &pb.CasesRequest{UserId: userID})
	if err != nil {
		h.t.Fatalf("cases of user %d: %v", userID, err)
	}
	var out []sdk.Case
	for _, c := range resp.Cases {
		x, err := rpc.CaseFromPB(c)
		if err != nil {
			h.t.Fatalf("cases of user %d: %v", userID, err)
		}
		out = append(out, x)
	}
	return out
}

// Request is one request to the module.
type Request struct {
	Tenant *sdk.Tenant // default the first enabling tenant
	User   *sdk.User   // nil: anonymous
	Method string      // default GET, POST when Form is set
	Path   string      // relative to the site: "/topics/12?page=2"
	Form   url.Values  // sent urlencoded; "csrf" is added
	Header http.Header
	Body   []byte
}

// CSRFToken is the token the harness passes and puts in forms.
const CSRFToken = "sdktest-csrf-token"

// BaseOf is the site base the harness gives a tenant: "/" for the portal,
// "/site/<code>/" for others, as on a portal host without mapped domains.
func BaseOf(t *sdk.Tenant) string {
	if t.IsPortal() {
		return "/"
	}
	return "/site/" + t.Code + "/"
}

// Wire builds the wire form of r.
func (h *Harness) Wire(r Request) *pb.HandleRequest {
	if r.Tenant == nil {
		r.Tenant = h.Tenants[0]
	}
	u, err := url.Parse(r.Path)
	if err != nil {
		h.t.Fatalf("bad path %q: %v", r.Path, err)
	}
	hdr := http.Header{}
	for k, v := range r.Header {
		hdr[k] = v
	}
	body := r.Body
	if r.Form != nil {
		f := url.Values{}
		for k, v := range r.Form {
			f[k] = v
		}
		if f.Get("csrf") == "" {
			f.Set("csrf", CSRFToken)
		}
		body = []byte(f.Encode())
		hdr.Set("Content-Type", "application/x-www-form-urlencoded")
		if r.Method == "" {
			r.Method = http.MethodPost
		}
	}
	if r.Method == "" {
		r.Method = http.MethodGet
	}
	return &pb.HandleRequest{
		Tenant: rpc.TenantToPB(r.Tenant), User: rpc.UserToPB(r.User), Method: r.Method,
		Path: u.Path, RawQuery: u.RawQuery, Headers: rpc.HeadersToPB(hdr), Body: body,
		RemoteAddr: "127.0.0.1:40000", Host: "localhost", Base: BaseOf(r.Tenant), CsrfToken: CSRFToken,
		SettingsJson: "{}",
	}
}

// Response is a module's answer.
type Response struct {
	Status int
	// Kind is "fragment", "raw" or "failure".
	Kind    string
	Title   string
	Crumbs  []sdk.Crumb
	Current string
	HTML    string // a fragment's HTML
	Header  http.Header
	Body    []byte // a raw response's body
	Code    string // a failure's core error code
	Message string // a failure's message
}

// Text is what a person would read of the answer: the fragment's HTML,
// the raw body or the failure's message.
func (r *Response) Text() string {
	switch r.Kind {
	case "fragment":
		return r.HTML
	case "failure":
		return r.Message
	}
	return string(r.Body)
}

// Do sends r and decodes the answer; a transport error fails the test.
func (h *Harness) Do(r Request) *Response {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := h.Handle(ctx, h.Wire(r))
	if err != nil {
		h.t.Fatalf("%s %s: %v", r.Method, r.Path, rpc.FromStatus(err))
	}
	return Decode(resp)
}

// Decode turns a wire answer into a Response.
func Decode(resp *pb.HandleResponse) *Response {
	out := &Response{Status: int(resp.Status)}
	switch b := resp.Body.(type) {
	case *pb.HandleResponse_Fragment:
		out.Kind, out.Title, out.HTML, out.Current = "fragment", b.Fragment.Title, b.Fragment.Html, b.Fragment.Current
		out.Header = rpc.HeadersFromPB(b.Fragment.Headers)
		for _, c := range b.Fragment.Crumbs {
			out.Crumbs = append(out.Crumbs, sdk.Crumb{Name: c.Name, URL: c.Url})
		}
	case *pb.HandleResponse_Raw:
		out.Kind, out.Body, out.Header = "raw", b.Raw.Body, rpc.HeadersFromPB(b.Raw.Headers)
	case *pb.HandleResponse_Failure:
		out.Kind, out.Code, out.Message = "failure", b.Failure.Code, b.Failure.Message
	}
	return out
}

// Get is Do for a GET.
func (h *Harness) Get(t *sdk.Tenant, u *sdk.User, path string) *Response {
	h.t.Helper()
	return h.Do(Request{Tenant: t, User: u, Path: path})
}

// Post is Do for a form POST.
func (h *Harness) Post(t *sdk.Tenant, u *sdk.User, path string, form url.Values) *Response {
	h.t.Helper()
	return h.Do(Request{Tenant: t, User: u, Path: path, Form: form})
}

// Each runs fn with the module in-process and as a real process: the
// same test proves both paths.
func Each(t *testing.T, m *sdk.Module, o Options, fn func(t *testing.T, h *Harness)) {
	t.Helper()
	t.Run("inprocess", func(t *testing.T) { fn(t, InProcess(t, m, o)) })
	t.Run("process", func(t *testing.T) {
		if testing.Short() {
			t.Skip("plugin process not started in -short mode")
		}
		fn(t, Process(t, m, o))
	})
}

var _ io.Writer = (*testWriter)(nil)
