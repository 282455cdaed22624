package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"yiwang/tenants"
)

func init() {
	register("tenants", "管理站点：import FILE | list | create | archive CODE | restore CODE | domain add|remove CODE HOST", tenantsCmd)
	register("migrate", "升级数据库到最新版本并显示版本号", migrateCmd)
}

func migrateCmd(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var sf storeFlags
	sf.bind(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	p, err := sf.open(ctx, e)
	if err != nil {
		return err
	}
	defer p.Close()
	v, err := p.db.Version(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s: schema version %d\n", p.db.Name, v)
	return nil
}

func tenantsCmd(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usageError{"缺少子命令：import、list、create、archive、restore 或 domain"}
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		tenantsUsage(e.stdout)
		return flag.ErrHelp
	}
	sub, rest := args[0], args[1:]
	fs := flag.NewFlagSet("tenants "+sub, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var sf storeFlags
	sf.bind(fs)
	var (
		t       tenants.Tenant
		kind    string
		domains string
		primary bool
		all     bool
	)
	switch sub {
	case "create":
		fs.StringVar(&t.Code, "code", "", "站点代码（小写字母和数字，如 jyj）")
		fs.StringVar(&t.Name, "name", "", "站点名称（如 思南县教育局）")
		fs.StringVar(&kind, "kind", "department", "类型：department、township、other 或 portal")
		fs.StringVar(&t.Sponsor, "sponsor", "", "主办单位（默认同站点名称）")
		fs.StringVar(&t.ICP, "icp", "", "ICP备案号")
		fs.StringVar(&t.PSB, "psb", "", "公安备案号")
		fs.StringVar(&t.Address, "address", "", "地址")
		fs.StringVar(&t.Phone, "phone", "", "联系电话")
		fs.StringVar(&t.Email, "email", "", "电子邮箱")
		fs.IntVar(&t.Sort, "sort", 0, "同类站点中的排序")
		fs.StringVar(&domains, "domains", "", "映射的域名，逗号分隔，第一个为主域名")
	case "domain":
		fs.BoolVar(&primary, "primary", false, "设为主域名（规范网址）")
	case "list":
		fs.BoolVar(&all, "all", true, "包括已归档的站点")
	case "import", "archive", "restore":
	default:
		return usageError{"未知子命令“" + sub + "”"}
	}
	if err := parseFlags(fs, interleave(fs, rest)); err != nil {
		return err
	}
	p, err := sf.open(ctx, e)
	if err != nil {
		return err
	}
	defer p.Close()
	who := actor()

	switch sub {
	case "import":
		if fs.NArg() != 1 {
			return usageError{"用法：yiwang tenants import FILE"}
		}
		f, err := os.Open(fs.Arg(0))
		if err != nil {
			return fmt.Errorf("open seed file: %w", err)
		}
		defer f.Close()
		rows, err := tenants.ParseSeed(f)
		if err != nil {
			return fmt.Errorf("%s: %w", fs.Arg(0), err)
		}
		res, err := p.tenants.Import(ctx, who, rows)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "导入完成：新建 %d，更新 %d，未变 %d（共 %d 个站点）\n", res.Created, res.Updated, res.Unchanged, len(rows))
	case "list":
		ts, err := p.tenants.List(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "CODE\tKIND\tSTATUS\tNAME\tDOMAINS")
		for _, t := range ts {
			if !all && t.Status != tenants.Active {
				continue
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t.Code, t.Kind, t.Status, t.Name, strings.Join(t.Domains, ","))
		}
		return tw.Flush()
	case "create":
		t.Kind = tenants.Kind(kind)
		if t.Sponsor == "" {
			t.Sponsor = t.Name
		}
		for _, d := range strings.Split(domains, ",") {
			if d = tenants.NormalizeHost(d); d != "" {
				t.Domains = append(t.Domains, d)
			}
		}
		if err := p.tenants.Create(ctx, who, &t); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "已创建站点 %s（%s），已套用标准栏目模板\n", t.Code, t.Name)
	case "archive", "restore":
		if fs.NArg() != 1 {
			return usageError{"用法：yiwang tenants " + sub + " CODE"}
		}
		st := tenants.Archived
		if sub == "restore" {
			st = tenants.Active
		}
		t, err := p.tenants.SetStatus(ctx, who, fs.Arg(0), st)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "站点 %s（%s）状态：%s\n", t.Code, t.Name, t.Status)
	case "domain":
		if fs.NArg() != 3 || (fs.Arg(0) != "add" && fs.Arg(0) != "remove") {
			return usageError{"用法：yiwang tenants domain add|remove CODE HOST [--primary]"}
		}
		if fs.Arg(0) == "add" {
			err = p.tenants.AddDomain(ctx, who, fs.Arg(1), fs.Arg(2), primary)
		} else {
			err = p.tenants.RemoveDomain(ctx, who, fs.Arg(1), fs.Arg(2))
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "已%s域名 %s（站点 %s）\n", map[string]string{"add": "映射", "remove": "取消映射"}[fs.Arg(0)], fs.Arg(2), fs.Arg(1))
	}
	return nil
}

func tenantsUsage(w io.Writer) {
	fmt.Fprintln(w, "用法:")
	fmt.Fprintln(w, "  yiwang tenants import FILE                     从种子文件导入站点（可重复执行）")
	fmt.Fprintln(w, "  yiwang tenants list [--all=false]              列出站点")
	fmt.Fprintln(w, "  yiwang tenants create --code CODE --name NAME  新建站点并套用标准栏目模板")
	fmt.Fprintln(w, "  yiwang tenants archive|restore CODE            归档或恢复站点")
	fmt.Fprintln(w, "  yiwang tenants domain add|remove CODE HOST     映射或取消映射域名（add 可加 --primary）")
	fmt.Fprintln(w, "用 yiwang tenants <子命令> -h 查看该子命令的选项。")
}

// interleave moves flags before positional arguments, so that
// "archive jyj --data x" works like "archive --data x jyj".
func interleave(fs *flag.FlagSet, args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if strings.HasPrefix(a, "-") && len(a) > 1 {
			flags = append(flags, a)
			if !strings.Contains(a, "=") && i+1 < len(args) && !isBoolFlag(fs, a) {
				flags = append(flags, args[i+1])
				i++
			}
			continue
		}
		pos = append(pos, a)
	}
	return append(flags, pos...)
}

// isBoolFlag reports whether flag a (-name or --name) of fs takes no
// value.
func isBoolFlag(fs *flag.FlagSet, a string) bool {
	n := strings.TrimLeft(a, "-")
	if n == "h" || n == "help" {
		return true
	}
	f := fs.Lookup(n)
	if f == nil {
		return false
	}
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}
