package cli

import (
	"context"
	"fmt"
	"strings"

	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/rpc"

	// The built-in modules: compiled into this binary and run as
	// `yiwang plugin NAME` processes by the plugin host.
	_ "yiwang/plugins/builtin"
)

func init() {
	register("plugin", "以插件进程运行内置模块 NAME（由 serve 自动启动，无需手动运行）", pluginCmd)
}

// pluginCmd serves a built-in module over go-plugin. The host starts it
// with the handshake cookie in the environment; run by hand, go-plugin
// says it is a plugin and exits.
func pluginCmd(_ context.Context, e *env, args []string) error {
	if len(args) != 1 || strings.HasPrefix(args[0], "-") {
		return usageError{"用法：yiwang plugin NAME（内置模块：" + strings.Join(builtinNames(), "、") + "）"}
	}
	m, ok := sdk.Lookup(args[0])
	if !ok {
		return usageError{fmt.Sprintf("没有内置模块“%s”（内置模块：%s）", args[0], strings.Join(builtinNames(), "、"))}
	}
	rpc.Serve(m)
	return nil
}

func builtinNames() []string {
	var out []string
	for _, m := range sdk.Modules() {
		out = append(out, m.Name)
	}
	return out
}
