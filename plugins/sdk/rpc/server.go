package rpc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"google.golang.org/grpc"
	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/pb"
)

// ModuleServer is the module side of the protocol: it turns the host's
// calls into calls of a Module's handler. Serve runs one in a plugin
// process; sdktest runs one in the test's process.
type ModuleServer struct {
	pb.UnimplementedModuleServer
	m   *sdk.Module
	log *slog.Logger
	// dial reaches the Host service the host registered on the broker.
	dial func(id uint32) (sdk.Host, error)

	mu      sync.Mutex // serialises Configure
	env     *sdk.Env
	handler atomic.Pointer[http.Handler]
	dsn     string
}

var _ pb.ModuleServer = (*ModuleServer)(nil)

// NewModuleServer serves m. dial connects to the host's service by
// broker id (set by the plugin transport when nil).
func NewModuleServer(m *sdk.Module, log *slog.Logger, dial func(id uint32) (sdk.Host, error)) *ModuleServer {
	if log == nil {
		log = slog.Default()
	}
	return &ModuleServer{m: m, log: log.With("module", m.Name), dial: dial}
}

// Describe answers what the module is.
func (s *ModuleServer) Describe(context.Context, *pb.DescribeRequest) (*pb.Description, error) {
	return descriptionToPB(s.m.Describe()), nil
}

// Configure sets the module up on its first call (host service,
// database, migrations, handler) and passes the tenants to the handler on
// every call.
func (s *ModuleServer) Configure(ctx context.Context, req *pb.ConfigureRequest) (*pb.ConfigureResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tenants := make([]sdk.TenantConfig, 0, len(req.Tenants))
	for _, t := range req.Tenants {
		settings := []byte(t.SettingsJson)
		if len(settings) == 0 {
			settings = []byte("{}")
		}
		tenants = append(tenants, sdk.TenantConfig{Tenant: *tenantFromPB(t.Tenant), Settings: settings})
	}
	resp := &pb.ConfigureResponse{}
	if s.env == nil {
		if err := s.setUp(ctx, req); err != nil {
			s.log.Error("configure failed", "err", err)
			return nil, ToStatus(err)
		}
	} else if req.DatabaseDsn != s.dsn {
		// The database cannot move under a running module: the host
		// restarts the process for that.
		resp.Warnings = append(resp.Warnings, "database DSN changed; restart the module to use it")
	}
	s.env.SetTenants(tenants)
	h := *s.handler.Load()
	if c, ok := h.(sdk.Configurer); ok {
		if err := c.Configure(ctx, tenants); err != nil {
			s.log.Error("configure failed", "err", err)
			return nil, ToStatus(err)
		}
	}
	return resp, nil
}

func (s *ModuleServer) setUp(ctx context.Context, req *pb.ConfigureRequest) error {
	if s.dial == nil {
		return errors.New("no host connection")
	}
	host, err := s.dial(req.HostService)
	if err != nil {
		return fmt.Errorf("reach host service: %w", err)
	}
	env := &sdk.Env{Name: s.m.Name, Host: host, Log: s.log, Demo: req.Demo}
	if req.DatabaseDsn != "" {
		db, err := sdk.OpenDB(ctx, req.DatabaseDsn, s.m.Migrations)
		if err != nil {
			return fmt.Errorf("module %s database: %w", s.m.Name, err)
		}
		env.DB = db
	}
	h, err := s.m.New(ctx, env)
	if err != nil {
		if env.DB != nil {
			env.DB.Close()
		}
		return fmt.Errorf("start module %s: %w", s.m.Name, err)
	}
	s.env, s.dsn = env, req.DatabaseDsn
	s.handler.Store(&h)
	return nil
}

// Env returns the module's environment once configured, nil before.
func (s *ModuleServer) Env() *sdk.Env {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.env
}

// Handler returns the module's handler once configured, nil before: for
// benchmarks that measure the module without the protocol.
func (s *ModuleServer) Handler() http.Handler {
	if p := s.handler.Load(); p != nil {
		return *p
	}
	return nil
}

func (s *ModuleServer) current() (http.Handler, error) {
	p := s.handler.Load()
	if p == nil {
		return nil, &sdk.Error{Code: sdk.EUNAVAIL, Message: "模块尚未完成配置，请稍后再试。"}
	}
	return *p, nil
}

// Handle answers one request.
func (s *ModuleServer) Handle(ctx context.Context, req *pb.HandleRequest) (*pb.HandleResponse, error) {
	h, err := s.current()
	if err != nil {
		return nil, ToStatus(err)
	}
	r, err := requestOf(ctx, req)
	if err != nil {
		return nil, ToStatus(invalid(err))
	}
	rec := sdk.NewRecorder()
	if err := s.serve(h, rec, r); err != nil {
		return nil, ToStatus(err)
	}
	if f := rec.Failure(); f != nil && f.Code == sdk.EINTERNAL {
		// The detail stays here: the host shows people nothing of it.
		s.log.Error("request failed", "request_id", sdk.RequestID(r), "method", r.Method, "path", r.URL.Path, "tenant", req.Tenant.Code, "err", f.Err)
	}
	return response(rec), nil
}

// serve runs the handler; a panic is the module's bug, answered as an
// error with the stack in the log, and the process keeps serving.
func (s *ModuleServer) serve(h http.Handler, w http.ResponseWriter, r *http.Request) (err error) {
	defer func() {
		if v := recover(); v != nil {
			s.log.Error("panic in handler", "request_id", sdk.RequestID(r), "method", r.Method, "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
			err = &sdk.Error{Code: sdk.EINTERNAL, Err: fmt.Errorf("panic: %v", v)}
		}
	}()
	h.ServeHTTP(w, r)
	return nil
}

// Stats reports figures if the handler is a Statser.
func (s *ModuleServer) Stats(ctx context.Context, req *pb.StatsRequest) (*pb.StatsResponse, error) {
	h, err := s.current()
	if err != nil {
		return nil, ToStatus(err)
	}
	out := &pb.StatsResponse{}
	st, ok := h.(sdk.Statser)
	if !ok {
		return out, nil
	}
	stats, err := st.Stats(ctx, req.TenantId, req.From.AsTime(), req.To.AsTime())
	if err != nil {
		return nil, ToStatus(err)
	}
	for _, x := range stats {
		out.Stats = append(out.Stats, &pb.Stat{Name: x.Name, Title: x.Title, Value: x.Value, Unit: x.Unit})
	}
	return out, nil
}

// Cases lists a person's cases if the handler is a Caser; any other
// handler keeps none.
func (s *ModuleServer) Cases(ctx context.Context, req *pb.CasesRequest) (*pb.CasesResponse, error) {
	h, err := s.current()
	if err != nil {
		return nil, ToStatus(err)
	}
	out := &pb.CasesResponse{}
	cs, ok := h.(sdk.Caser)
	if !ok {
		return out, nil
	}
	cases, err := cs.Cases(ctx, req.UserId)
	if err != nil {
		return nil, ToStatus(err)
	}
	for _, c := range cases {
		out.Cases = append(out.Cases, CaseToPB(c))
	}
	return out, nil
}

// Tick runs the handler's timed work if it is a Ticker.
func (s *ModuleServer) Tick(ctx context.Context, req *pb.TickRequest) (*pb.TickResponse, error) {
	h, err := s.current()
	if err != nil {
		return nil, ToStatus(err)
	}
	tk, ok := h.(sdk.Ticker)
	if !ok {
		return &pb.TickResponse{}, nil
	}
	notes, err := tk.Tick(ctx, req.Now.AsTime())
	if err != nil {
		return nil, ToStatus(err)
	}
	return &pb.TickResponse{Notes: notes}, nil
}

// Reindex streams the handler's documents if it is a Reindexer.
func (s *ModuleServer) Reindex(req *pb.ReindexRequest, stream grpc.ServerStreamingServer[pb.Document]) error {
	h, err := s.current()
	if err != nil {
		return ToStatus(err)
	}
	ri, ok := h.(sdk.Reindexer)
	if !ok {
		return nil
	}
	return ToStatus(ri.Reindex(stream.Context(), req.TenantId, func(d sdk.Document) error {
		return stream.Send(docToPB(d))
	}))
}

// Close releases the module's database.
func (s *ModuleServer) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.env != nil && s.env.DB != nil {
		return s.env.DB.Close()
	}
	return nil
}
