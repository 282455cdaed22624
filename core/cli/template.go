package cli

import (
	"context"
	"flag"
	"fmt"
	"os"

	"yiwang/tenants"
)

func init() {
	register("template", "标准栏目模板（基本栏目统一）：export 输出当前模板 | import FILE 更新模板并同步到所有站点", templateCmd)
}

func templateCmd(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || (args[0] != "export" && args[0] != "import") {
		return usageError{"用法：yiwang template export | import FILE"}
	}
	fs := flag.NewFlagSet("template "+args[0], flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var sf storeFlags
	sf.bind(fs)
	if err := parseFlags(fs, interleave(fs, args[1:])); err != nil {
		return err
	}
	p, err := sf.open(ctx, e)
	if err != nil {
		return err
	}
	defer p.Close()
	if args[0] == "export" {
		cs, err := p.tenants.Template(ctx)
		if err != nil {
			return err
		}
		return tenants.WriteTemplate(e.stdout, cs)
	}
	if fs.NArg() != 1 {
		return usageError{"用法：yiwang template import FILE"}
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return fmt.Errorf("open template file: %w", err)
	}
	defer f.Close()
	cs, err := tenants.ParseTemplate(f)
	if err != nil {
		return fmt.Errorf("%s: %w", fs.Arg(0), err)
	}
	if err := p.tenants.SetTemplate(ctx, actor(), cs, p.content.SyncTemplate); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "标准栏目模板已更新（%d 个栏目），已同步到所有站点\n", len(cs))
	return nil
}
