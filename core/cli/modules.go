package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"yiwang/core/calendar"
	"yiwang/core/modules"
	"yiwang/plugins/sdk"
)

func init() {
	register("modules", "按站点启用、停用模块：enable TENANT MODULE [--settings JSON] | disable TENANT MODULE | list", modulesCmd)
}

func modulesUsage(w io.Writer) {
	fmt.Fprint(w, `用法：
  yiwang modules enable TENANT MODULE [--settings JSON]   为站点启用模块（可同时给出该站点的模块设置，JSON 对象）
  yiwang modules disable TENANT MODULE                    为站点停用模块：其页面返回 404、导航入口消失，数据保留
  yiwang modules list [--tenant CODE] [--module NAME]     列出各站点的模块及设置
变更写入审计日志，运行中的服务在 5 秒内生效。
`)
}

func modulesCmd(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usageError{"缺少子命令：enable、disable 或 list"}
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		modulesUsage(e.stdout)
		return flag.ErrHelp
	}
	sub, rest := args[0], args[1:]
	fs := flag.NewFlagSet("modules "+sub, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var sf storeFlags
	sf.bind(fs)
	var pf pluginFlags
	pf.bind(fs)
	var settings, tenant, module string
	switch sub {
	case "enable":
		fs.StringVar(&settings, "settings", "", `该站点的模块设置（JSON 对象，如 '{"title":"专题"}'；不给则保留原设置）`)
	case "disable":
	case "list":
		fs.StringVar(&tenant, "tenant", "", "只列出该站点")
		fs.StringVar(&module, "module", "", "只列出该模块")
	default:
		return usageError{"未知子命令“" + sub + "”"}
	}
	if err := parseFlags(fs, interleave(fs, rest)); err != nil {
		return err
	}
	var code, name string
	if sub != "list" {
		if fs.NArg() != 2 {
			return usageError{fmt.Sprintf("用法：yiwang modules %s TENANT MODULE", sub)}
		}
		code, name = fs.Arg(0), fs.Arg(1)
		specs, err := pf.specs(sf.data)
		if err != nil {
			return err
		}
		if !known(specs, name) {
			return usageError{fmt.Sprintf("没有模块“%s”（可用：%s；外部模块需用 --plugin NAME=SHA256 配置）", name, specNames(specs))}
		}
	} else if fs.NArg() > 0 {
		return usageError{"多余的参数：" + fs.Arg(0)}
	}
	p, err := sf.open(ctx, e)
	if err != nil {
		return err
	}
	defer p.Close()
	st := modules.NewStore(p.db, p.tenants)
	who := actor()
	switch sub {
	case "enable":
		var sp *string
		if isSet(fs, "settings") {
			sp = &settings
		}
		if err := st.Enable(ctx, who, code, name, sp); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "已为站点 %s 启用模块 %s\n", code, name)
	case "disable":
		if err := st.Disable(ctx, who, code, name); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "已为站点 %s 停用模块 %s（数据保留，重新启用即可恢复）\n", code, name)
	case "list":
		rows, err := st.List(ctx, modules.Filter{TenantCode: tenant, Module: module})
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "TENANT\tMODULE\tSTATE\tSETTINGS\tUPDATED\tBY\tNAME")
		for _, r := range rows {
			state := "enabled"
			if !r.Enabled {
				state = "disabled"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.TenantCode, r.Module, state, r.Settings,
				r.UpdatedAt.In(calendar.Location).Format("2006-01-02 15:04"), r.UpdatedBy, r.TenantName)
		}
		return tw.Flush()
	}
	return nil
}

func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			set = true
		}
	})
	return set
}

func known(specs []modules.Spec, name string) bool {
	for _, s := range specs {
		if s.Name == name {
			return true
		}
	}
	_, ok := sdk.Lookup(name)
	return ok
}

func specNames(specs []modules.Spec) string {
	out := ""
	for i, s := range specs {
		if i > 0 {
			out += "、"
		}
		out += s.Name
	}
	return out
}
