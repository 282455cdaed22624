package rpc

import (
	"context"
	"log/slog"
	"os"
	"strconv"
	"time"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/pb"
)

// ProtocolVersion is the module protocol this SDK speaks. A host and a
// plugin agree on the highest version both know (go-plugin
// VersionedPlugins), so a version 2 can be served beside this one while
// modules move over.
const ProtocolVersion = 1

// Handshake keeps a module binary from being run by hand or by another
// program by mistake: go-plugin refuses to serve without the cookie.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  ProtocolVersion,
	MagicCookieKey:   "YIWANG_MODULE_PLUGIN",
	MagicCookieValue: "yiwang-module-7f3c9a1e",
}

// pluginName is the one plugin each module process dispenses.
const pluginName = "module"

// EnvHostPID tells a plugin process which process started it, so that it
// can leave when that process is gone (see watchParent).
const EnvHostPID = "YIWANG_MODULE_HOST_PID"

// maxMessage bounds one request or response (uploads included): gRPC's
// default of 4 MiB is too small for a form with a picture.
const maxMessage = 32 << 20

// window is gRPC's flow-control window. Setting it turns off gRPC's
// bandwidth-delay probing, whose extra PING frames cost every small
// request on a local socket more wake-ups than the request itself.
const window = 4 << 20

func serverOptions() []grpc.ServerOption {
	return []grpc.ServerOption{grpc.MaxRecvMsgSize(maxMessage), grpc.MaxSendMsgSize(maxMessage),
		grpc.InitialWindowSize(window), grpc.InitialConnWindowSize(window)}
}

func dialOptions() []grpc.DialOption {
	return []grpc.DialOption{
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxMessage), grpc.MaxCallSendMsgSize(maxMessage)),
		grpc.WithInitialWindowSize(window), grpc.WithInitialConnWindowSize(window),
	}
}

// grpcPlugin is the go-plugin glue: on the plugin side it serves the
// module, on the host side it serves the host's services on the broker
// and returns a client of the module.
type grpcPlugin struct {
	plugin.NetRPCUnsupportedPlugin
	module *ModuleServer // plugin side
	host   sdk.Host      // host side
}

var _ plugin.GRPCPlugin = (*grpcPlugin)(nil)

func (g *grpcPlugin) GRPCServer(b *plugin.GRPCBroker, s *grpc.Server) error {
	if g.module.dial == nil {
		g.module.dial = func(id uint32) (sdk.Host, error) {
			conn, err := b.DialWithOptions(id, dialOptions()...)
			if err != nil {
				return nil, err
			}
			return &hostClient{c: pb.NewHostClient(conn)}, nil
		}
	}
	pb.RegisterModuleServer(s, g.module)
	return nil
}

// conn is what the host side gets from Dispense.
type conn struct {
	module pb.ModuleClient
	hostID uint32
}

func (g *grpcPlugin) GRPCClient(_ context.Context, b *plugin.GRPCBroker, cc *grpc.ClientConn) (any, error) {
	id := b.NextId()
	go b.AcceptAndServe(id, func(opts []grpc.ServerOption) *grpc.Server {
		s := grpc.NewServer(append(opts, serverOptions()...)...)
		pb.RegisterHostServer(s, NewHostServer(g.host))
		return s
	})
	return &conn{module: pb.NewModuleClient(cc), hostID: id}, nil
}

func pluginSets(g *grpcPlugin) map[int]plugin.PluginSet {
	return map[int]plugin.PluginSet{ProtocolVersion: {pluginName: g}}
}

// Serve runs m as a plugin process until the host kills it or goes away.
// It is what `yiwang plugin NAME` and a third-party module's main call.
// Standard output belongs to go-plugin's handshake: log through the
// slog logger (to standard error, in the format the host reads).
func Serve(m *sdk.Module) {
	stderr := os.Stderr // go-plugin swaps os.Stderr for its stdio stream
	log := slog.New(newPluginLogHandler(stderr, logLevel()))
	slog.SetDefault(log)
	watchParent(log)
	ms := NewModuleServer(m, log, nil)
	defer ms.Close()
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig:  Handshake,
		VersionedPlugins: pluginSets(&grpcPlugin{module: ms}),
		GRPCServer: func(opts []grpc.ServerOption) *grpc.Server {
			return grpc.NewServer(append(opts, serverOptions()...)...)
		},
		Logger: newHCLogger(log, "module."+m.Name),
	})
}

// watchParent ends the process when the host that started it is gone,
// whatever killed the host (SIGKILL included, which no handler of the
// host sees). On Linux the host also asks the kernel for SIGKILL on its
// death (Pdeathsig); polling is the portable net under it.
func watchParent(log *slog.Logger) {
	want, err := strconv.Atoi(os.Getenv(EnvHostPID))
	if err != nil || want <= 1 {
		return // not started by a yiwang host (a test harness in-process)
	}
	go func() {
		for {
			if os.Getppid() != want {
				log.Warn("host process gone; exiting", "host_pid", want)
				os.Exit(0)
			}
			time.Sleep(500 * time.Millisecond)
		}
	}()
}

func logLevel() slog.Level {
	switch os.Getenv("YIWANG_LOG") {
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	return slog.LevelInfo
}
