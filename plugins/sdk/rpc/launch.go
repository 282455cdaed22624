package rpc

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"time"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"
	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/pb"
)

// LaunchConfig says how the host starts one module process.
type LaunchConfig struct {
	Name string
	// Cmd runs the module: the host binary re-executed as
	// `yiwang plugin NAME` for a built-in module, the module's own binary
	// for an external one. A fresh Cmd for every launch.
	Cmd *exec.Cmd
	// SHA256, when set, is the checksum the binary must have; go-plugin
	// checks it right before it starts the process.
	SHA256 []byte
	// Host is served to the module through the broker.
	Host sdk.Host
	Log  *slog.Logger
	// StartTimeout bounds the handshake (default 20 s).
	StartTimeout time.Duration
}

// Plugin is a running module process, seen from the host.
type Plugin struct {
	name   string
	client *plugin.Client
	proto  plugin.ClientProtocol
	conn   *conn
	pid    int
}

// Launch starts a module process and completes the handshake. The process
// dies with the host: Kill ends it, and if the host dies without calling
// Kill (SIGKILL), the kernel (Linux: Pdeathsig) and the plugin's own
// watch of its parent end it.
func Launch(cfg LaunchConfig) (*Plugin, error) {
	if cfg.Cmd == nil {
		return nil, errors.New("launch: no command")
	}
	log := cfg.Log
	if log == nil {
		log = slog.Default()
	}
	cmd := cfg.Cmd
	cmd.Env = append(cmd.Env, EnvHostPID+"="+strconv.Itoa(os.Getpid()))
	setParentDeathSignal(cmd)
	var sec *plugin.SecureConfig
	if len(cfg.SHA256) > 0 {
		sec = &plugin.SecureConfig{Checksum: cfg.SHA256, Hash: sha256.New()}
	}
	if cfg.StartTimeout == 0 {
		cfg.StartTimeout = 20 * time.Second
	}
	hl := newHCLogger(log, "plugin."+cfg.Name)
	client := plugin.NewClient(&plugin.ClientConfig{
		HandshakeConfig:  Handshake,
		VersionedPlugins: pluginSets(&grpcPlugin{host: cfg.Host}),
		Cmd:              cmd,
		SecureConfig:     sec,
		AllowedProtocols: []plugin.Protocol{plugin.ProtocolGRPC},
		Logger:           hl,
		StartTimeout:     cfg.StartTimeout,
		// Anything the module prints outside its logger (a stray
		// fmt.Println) still reaches the host's log.
		SyncStdout:      hl.StandardWriter(nil),
		SyncStderr:      hl.StandardWriter(nil),
		Stderr:          io.Discard,
		GRPCDialOptions: dialOptions(),
	})
	proto, err := client.Client()
	if err != nil {
		client.Kill()
		if errors.Is(err, plugin.ErrChecksumsDoNotMatch) {
			return nil, fmt.Errorf("module %s: the binary's SHA-256 does not match the configured one; not started", cfg.Name)
		}
		return nil, fmt.Errorf("start module %s: %w", cfg.Name, err)
	}
	raw, err := proto.Dispense(pluginName)
	if err != nil {
		client.Kill()
		return nil, fmt.Errorf("module %s: %w", cfg.Name, err)
	}
	c, ok := raw.(*conn)
	if !ok {
		client.Kill()
		return nil, fmt.Errorf("module %s: unexpected plugin type %T", cfg.Name, raw)
	}
	p := &Plugin{name: cfg.Name, client: client, proto: proto, conn: c}
	if rc := client.ReattachConfig(); rc != nil {
		p.pid = rc.Pid
	}
	return p, nil
}

// Name of the module.
func (p *Plugin) Name() string { return p.name }

// Pid of the process.
func (p *Plugin) Pid() int { return p.pid }

// Protocol is the negotiated protocol version.
func (p *Plugin) Protocol() int { return p.client.NegotiatedVersion() }

// Exited reports whether the process has ended.
func (p *Plugin) Exited() bool { return p.client.Exited() }

// Ping is the health check: the plugin's gRPC health service answers.
func (p *Plugin) Ping() error { return p.proto.Ping() }

// Kill ends the process (gracefully for two seconds, then by force) and
// waits for it.
func (p *Plugin) Kill() { p.client.Kill() }

// Describe asks the module what it is.
func (p *Plugin) Describe(ctx context.Context) (sdk.Description, error) {
	d, err := p.conn.module.Describe(ctx, &pb.DescribeRequest{})
	if err != nil {
		return sdk.Description{}, FromStatus(err)
	}
	return descriptionFromPB(d), nil
}

// Config is what the host tells a module in Configure.
type Config struct {
	DatabaseDSN string
	Demo        bool
	Tenants     []sdk.TenantConfig
}

// ConfigureRequest is c on the wire, with the broker id of the host
// service.
func ConfigureRequest(c Config, hostID uint32) *pb.ConfigureRequest {
	req := &pb.ConfigureRequest{HostService: hostID, DatabaseDsn: c.DatabaseDSN, Demo: c.Demo}
	for _, t := range c.Tenants {
		tt := t.Tenant
		req.Tenants = append(req.Tenants, &pb.TenantConfig{Tenant: tenantToPB(&tt), SettingsJson: string(t.Settings)})
	}
	return req
}

// Configure gives the module its environment and tenants.
func (p *Plugin) Configure(ctx context.Context, c Config) ([]string, error) {
	resp, err := p.conn.module.Configure(ctx, ConfigureRequest(c, p.conn.hostID))
	if err != nil {
		return nil, FromStatus(err)
	}
	return resp.Warnings, nil
}

// Handle forwards one request. A transport failure comes back as the
// gRPC error (see IsTransport); the module's own errors arrive as a
// Failure in the response.
func (p *Plugin) Handle(ctx context.Context, req *pb.HandleRequest) (*pb.HandleResponse, error) {
	return p.conn.module.Handle(ctx, req)
}

// Stats asks for a tenant's figures over a period.
func (p *Plugin) Stats(ctx context.Context, tenantID int64, from, to time.Time) ([]sdk.Stat, error) {
	r, err := p.conn.module.Stats(ctx, &pb.StatsRequest{TenantId: tenantID, From: timestamppb.New(from), To: timestamppb.New(to)})
	if err != nil {
		return nil, FromStatus(err)
	}
	out := make([]sdk.Stat, 0, len(r.Stats))
	for _, s := range r.Stats {
		out = append(out, sdk.Stat{Name: s.Name, Title: s.Title, Value: s.Value, Unit: s.Unit})
	}
	return out, nil
}

// Cases asks for a person's cases. A module built before the call
// answers Unimplemented: it keeps no cases, which is no error.
func (p *Plugin) Cases(ctx context.Context, userID int64) ([]sdk.Case, error) {
	return casesOf(ctx, p.conn.module, userID)
}

func casesOf(ctx context.Context, m pb.ModuleClient, userID int64) ([]sdk.Case, error) {
	r, err := m.Cases(ctx, &pb.CasesRequest{UserId: userID})
	if status.Code(err) == codes.Unimplemented {
		return nil, nil
	}
	if err != nil {
		return nil, FromStatus(err)
	}
	out := make([]sdk.Case, 0, len(r.Cases))
	for _, c := range r.Cases {
		x, err := CaseFromPB(c)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, nil
}

// Tick runs the module's timed work.
func (p *Plugin) Tick(ctx context.Context, now time.Time) ([]string, error) {
	r, err := p.conn.module.Tick(ctx, &pb.TickRequest{Now: timestamppb.New(now)})
	if err != nil {
		return nil, FromStatus(err)
	}
	return r.Notes, nil
}

// Reindex streams the module's documents of a tenant (0: all) to emit.
func (p *Plugin) Reindex(ctx context.Context, tenantID int64, emit func(sdk.Document) error) error {
	st, err := p.conn.module.Reindex(ctx, &pb.ReindexRequest{TenantId: tenantID})
	if err != nil {
		return FromStatus(err)
	}
	for {
		d, err := st.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return FromStatus(err)
		}
		if err := emit(docFromPB(d)); err != nil {
			return err
		}
	}
}

// SHA256File returns the SHA-256 of the file at path.
func SHA256File(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}
