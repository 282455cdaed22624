package cli

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
	"yiwang/core/calendar"

	"yiwang/core/modules"
	"yiwang/core/monitor"
	"yiwang/core/notices"
	"yiwang/core/web"
	"yiwang/core/web/host"
	"yiwang/plugins/sdk"
	"yiwang/tenants"
)

func init() {
	register("plugins", "列出模块插件：版本、进程状态、重启次数、启用的站点（plugins list）", pluginsCmd)
	extendServe(serveExtension{name: "modules", flags: modulesServeFlags, start: modulesStart})
}

// pluginFlags configure the external modules: binaries in a folder, each
// started only when its SHA-256 is the configured one.
type pluginFlags struct {
	dir  string
	sums multiFlag // NAME=SHA256
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func (pf *pluginFlags) bind(fs *flag.FlagSet) {
	fs.StringVar(&pf.dir, "plugins", os.Getenv("YIWANG_PLUGINS_DIR"), "外部模块程序所在目录（默认 DATA/plugins；环境变量 YIWANG_PLUGINS_DIR）")
	fs.Var(&pf.sums, "plugin", "启用外部模块：NAME=SHA256（可多次给出；环境变量 YIWANG_PLUGINS，逗号分隔）。目录中的 NAME 程序校验值相符才会启动")
}

// specs are the built-in modules and the configured external ones.
func (pf *pluginFlags) specs(dataDir string) ([]modules.Spec, error) {
	var out []modules.Spec
	for _, m := range sdk.Modules() {
		out = append(out, modules.Spec{Name: m.Name})
	}
	sums := append([]string(nil), pf.sums...)
	if v := os.Getenv("YIWANG_PLUGINS"); v != "" && len(sums) == 0 {
		sums = strings.Split(v, ",")
	}
	dir := pf.dir
	if dir == "" {
		if dataDir == "" {
			dataDir = "data"
		}
		dir = filepath.Join(dataDir, "plugins")
	}
	for _, s := range sums {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		name, sum, ok := strings.Cut(s, "=")
		if !ok || !sdk.ValidName(name) || len(sum) != 64 {
			return nil, usageError{fmt.Sprintf("--plugin 应为 NAME=SHA256（64 位十六进制），收到“%s”", s)}
		}
		if _, builtin := sdk.Lookup(name); builtin {
			return nil, usageError{fmt.Sprintf("模块 %s 已内置，不能再作为外部模块", name)}
		}
		abs, err := filepath.Abs(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		out = append(out, modules.Spec{Name: name, Path: abs, SHA256: strings.ToLower(sum)})
	}
	return out, nil
}

// The serve extension reads the store options of `serve` (which belong
// to serve.go) from its flag set, after parsing.
var (
	serveFlagSet *flag.FlagSet
	servePlugins pluginFlags
)

func modulesServeFlags(fs *flag.FlagSet) {
	serveFlagSet = fs
	servePlugins.bind(fs)
}

// serveModules names the modules `serve` runs.
func serveModules() ([]string, error) {
	specs, err := servePlugins.specs(flagString(serveFlagSet, "data"))
	if err != nil {
		return nil, err
	}
	names := make([]string, len(specs))
	for i, s := range specs {
		names[i] = s.Name
	}
	return names, nil
}

func flagString(fs *flag.FlagSet, name string) string {
	if fs == nil {
		return ""
	}
	if f := fs.Lookup(name); f != nil {
		return f.Value.String()
	}
	return ""
}

func modulesStart(ctx context.Context, e *env, p *platform, srv *host.Server) (func(), error) {
	data, dsn := flagString(serveFlagSet, "data"), flagString(serveFlagSet, "db")
	specs, err := servePlugins.specs(data)
	if err != nil {
		return nil, err
	}
	// Timed work (reminders, deadlines) once in the cluster: the host that
	// holds a module's tick lease runs it.
	holder := leaseHolder()
	h, err := modules.New(modules.Config{
		DB: p.db, Tenants: p.tenants, Log: e.log, Modules: specs, Demo: flagString(serveFlagSet, "demo") == "true",
		TickLease: func(ctx context.Context, module string, ttl time.Duration) (bool, error) {
			return monitor.TakeLease(ctx, p.db, "module.tick."+module, holder, ttl)
		},
		ModuleDSN: func(name string) string {
			d, err := modules.ModuleDSN(dsn, data, name)
			if err != nil {
				e.log.Error("module database", "module", name, "err", err)
			}
			return d
		},
		Identity: signedIn,
		CSRF:     signOnCSRF{},
		Users:    accountUsers{db: p.db, ms: tenants.NewMemberships(p.db)},
		Indexer:  searchForModules(p),
		ObserveCall: func(module, call string, d time.Duration, err error) {
			if p.metrics != nil {
				p.metrics.ModuleCall(module, call, d, err)
			}
		},
		Notifier: inbox{notices.NewStore(p.db)},
		Files:    moduleFiles(p),
		// The county office's corrections reach modules within the store's TTL.
		CalendarSource: calendar.NewStore(p.db).Current,
	})
	if err != nil {
		return nil, err
	}
	if err := defaultModules(ctx, e, h.Store(), p); err != nil {
		return nil, err
	}
	h.Register(srv)
	if err := h.Start(ctx, 20*time.Second); err != nil {
		return nil, err
	}
	p.host.Store(h)
	return func() { p.host.Store(nil); h.Stop() }, nil
}

// defaultModules enables the topics module for the portal on a platform
// where the county office has never enabled or disabled a module: the
// portal's special topics are part of every county portal. Once anything
// is recorded, nothing is enabled by default again.
func defaultModules(ctx context.Context, e *env, st *modules.Store, p *platform) error {
	touched, err := st.Touched(ctx)
	if err != nil || touched {
		return err
	}
	if _, ok := sdk.Lookup("topics"); !ok {
		return nil
	}
	ts, err := p.tenants.List(ctx)
	if err != nil {
		return err
	}
	for _, t := range ts {
		if t.IsPortal() && t.Status == tenants.Active {
			if err := enableFirstStart(ctx, e, st, t.Code); err != nil {
				return err
			}
			e.log.Info("first start: topics (专题专栏) enabled for the portal", "tenant", t.Code)
		}
	}
	return nil
}

// signedIn tells modules who is signed in, through the sign-on room: the
// roles the person may use on the tenant, and the module's declared
// permissions those roles carry (the platform's one role table,
// tenants.PermissionsFor).
func signedIn(r *http.Request, t *tenants.Tenant, declared []sdk.Permission) *modules.User {
	u := web.UserOf(r)
	if u == nil {
		return nil
	}
	roles := web.RolesOf(r)
	decl := make([]tenants.Permission, 0, len(declared))
	for _, d := range declared {
		decl = append(decl, tenants.Permission{Name: d.Name, Kind: tenants.PermissionKind(d.Kind), Title: d.Title})
	}
	out := &modules.User{ID: u.ID, Name: u.DisplayName(), Permissions: tenants.PermissionsFor(roles, decl)}
	for _, x := range roles {
		out.Roles = append(out.Roles, string(x))
	}
	return out
}

// signOnCSRF hands modules the sign-on room's CSRF token. That room's
// middleware has already refused any unsafe request without a valid
// token (and from another origin) before a module route runs; where it is
// not running, the host's own same-origin check applies.
type signOnCSRF struct{}

var _ modules.CSRF = signOnCSRF{}

func (signOnCSRF) Token(_ http.ResponseWriter, r *http.Request) string { return web.CSRFToken(r) }

func (signOnCSRF) Verify(r *http.Request) error {
	if web.CSRFToken(r) != "" {
		return nil
	}
	return modules.ErrNoVerifier
}

// pluginsCmd: yiwang plugins list.
func pluginsCmd(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "list" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprintln(e.stdout, "用法：yiwang plugins list [--probe=false] [--plugins DIR] [--plugin NAME=SHA256 …]")
			return flag.ErrHelp
		}
		return usageError{"用法：yiwang plugins list"}
	}
	fs := flag.NewFlagSet("plugins list", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var sf storeFlags
	sf.bind(fs)
	var pf pluginFlags
	pf.bind(fs)
	probe := fs.Bool("probe", true, "服务未运行时，短暂启动每个模块读取其版本")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	specs, err := pf.specs(sf.data)
	if err != nil {
		return err
	}
	p, err := sf.open(ctx, e)
	if err != nil {
		return err
	}
	defer p.Close()
	st := modules.NewStore(p.db, p.tenants)
	// A running server reports every few seconds; older reports are of
	// servers that have stopped.
	reports, err := st.Reports(ctx, 30*time.Second)
	if err != nil {
		return err
	}
	byModule := map[string][]modules.ProcessState{}
	for _, r := range reports {
		if r.State != modules.StateStopped {
			byModule[r.Module] = append(byModule[r.Module], r)
		}
	}
	ens, err := st.List(ctx, modules.Filter{EnabledOnly: true})
	if err != nil {
		return err
	}
	tenantsOf := map[string][]string{}
	for _, en := range ens {
		tenantsOf[en.Module] = append(tenantsOf[en.Module], en.TenantCode)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MODULE\tVERSION\tKIND\tSTATE\tPID\tRESTARTS\tTENANTS")
	sort.Slice(specs, func(i, j int) bool { return specs[i].Name < specs[j].Name })
	for _, s := range specs {
		kind := "built-in"
		if s.External() {
			kind = "external"
		}
		version := ""
		if m, ok := sdk.Lookup(s.Name); ok {
			version = m.Version
		}
		tl := tenantList(tenantsOf[s.Name])
		rs := byModule[s.Name]
		if len(rs) == 0 {
			state := "not running (no server reporting)"
			if s.External() && *probe {
				v, err := probeVersion(e, s, p)
				if err != nil {
					state = "cannot start: " + err.Error()
				} else {
					version = v
				}
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t-\t-\t%s\n", s.Name, dash(version), kind, state, tl)
			continue
		}
		for _, r := range rs {
			state := r.State
			if len(rs) > 1 {
				state += " @" + r.Instance
			}
			if r.LastError != "" && r.State != modules.StateRunning {
				state += ": " + r.LastError
			}
			v := r.Version
			if v == "" {
				v = version
			}
			pid := "-"
			if r.PID > 0 {
				pid = fmt.Sprint(r.PID)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", s.Name, dash(v), kind, state, pid, r.Restarts, tl)
		}
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func tenantList(codes []string) string {
	if len(codes) == 0 {
		return "（无）"
	}
	if len(codes) > 8 {
		return fmt.Sprintf("%s … 共 %d 个", strings.Join(codes[:8], ","), len(codes))
	}
	return strings.Join(codes, ",")
}

// probeVersion starts an external module briefly (after its checksum
// check) to ask its version: the binary is the only one who knows.
func probeVersion(e *env, s modules.Spec, p *platform) (string, error) {
	h, err := modules.New(modules.Config{DB: p.db, Tenants: p.tenants, Log: e.log, Modules: []modules.Spec{s},
		ModuleDSN: func(string) string { return "" }})
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d, err := h.Probe(ctx, s.Name)
	if err != nil {
		return "", err
	}
	return d.Version, nil
}
