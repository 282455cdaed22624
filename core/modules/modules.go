// Package modules is the plugin host: it runs each module (built into the
// binary, or an external binary whose SHA-256 the configuration names) as
// one go-plugin process serving every tenant, supervises it (health
// checks, restart with back-off, 503 for that module's routes alone while
// it is down), routes /<module>/… and /admin/<module>/… of the tenants
// that enable it to it, and serves it the host's services (search, working
// days, audit log, notices, tenants, users, core articles).
//
// Enablement is per tenant, by the county office, with per-tenant
// settings (Store). A disabled module answers 404 for that tenant and
// leaves its navigation; its data stays.
//
// Rooms not built here plug in through Config: Indexer (search), Identity
// (who is signed in, with which roles), Users (look a user up), Notifier
// and CSRF. Each is optional and safe when unset.
package modules

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-sql-driver/mysql"
	"yiwang/core"
	"yiwang/core/calendar"
	"yiwang/core/changes"
	"yiwang/core/store"
	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/rpc"
	"yiwang/tenants"
)

// Spec says how to run one module.
type Spec struct {
	Name string
	// Path of an external module binary; "" for a built-in module, which
	// runs as this binary re-executed (Config.Command).
	Path string
	// SHA256 (hex) the external binary must have; it is checked before
	// every start. Required for external modules.
	SHA256 string
}

// External reports whether the module is a separate binary.
func (s Spec) External() bool { return s.Path != "" }

// Document is a search document, as the host hands it to the index.
type Document struct {
	// ID is unique across the platform: "<module>:<module's id>".
	ID       string
	Module   string
	TenantID int64
	Type     string // "topic"
	// Path is relative to the tenant's site base ("topics/12"); the
	// search room turns it into a link for the page it renders.
	Path  string
	Title string
	Body  string
	Date  time.Time
	Tags  []string
}

// Indexer is the search index as modules reach it. The search room
// implements it; until then LogIndexer records nothing.
type Indexer interface {
	Index(ctx context.Context, d Document) error
	Remove(ctx context.Context, id string) error
}

// LogIndexer is the Indexer of a platform without search: it logs at
// debug level what it would have indexed.
type LogIndexer struct{ Log *slog.Logger }

var _ Indexer = LogIndexer{}

func (l LogIndexer) Index(ctx context.Context, d Document) error {
	if l.Log != nil {
		l.Log.DebugContext(ctx, "search not configured: document not indexed", "id", d.ID, "tenant", d.TenantID, "title", d.Title)
	}
	return nil
}

func (l LogIndexer) Remove(ctx context.Context, id string) error {
	if l.Log != nil {
		l.Log.DebugContext(ctx, "search not configured: document not removed", "id", id)
	}
	return nil
}

// User is a person as the host tells a module about them.
type User struct {
	ID    int64
	Name  string
	Roles []string // on the request's tenant: "editor", "site_admin" …
	// Permissions are the names of the module's declared permissions the
	// roles carry; Identity fills them from the declarations it is given.
	Permissions []string
}

// Identity says who is behind a request and what they may do on its
// tenant, given the permissions the module declares. The sign-on room
// provides it; unset, every request is anonymous.
type Identity func(r *http.Request, t *tenants.Tenant, declared []sdk.Permission) *User

// Users looks a user up with their roles on a tenant, for modules
// (whom to notify, who handled a letter). Unset, every lookup is "not
// found".
type Users interface {
	User(ctx context.Context, tenantID, id int64) (*User, error)
}

// Notifier delivers a notice to a user (mail, SMS, the site inbox).
// Unset, notices are logged.
type Notifier interface {
	Notify(ctx context.Context, n sdk.Notification) error
}

// CSRF checks unsafe requests before they reach a module and gives the
// token that the module's forms must carry in a field named "csrf".
// Unset, the host accepts an unsafe request only when the browser says it
// comes from this same site (Origin, Referer or Sec-Fetch-Site).
type CSRF interface {
	Token(w http.ResponseWriter, r *http.Request) string
	Verify(r *http.Request) error
}

// Files is the platform's store of modules' files, by module and tenant.
type Files interface {
	Put(ctx context.Context, module string, tenantID int64, name, contentType string, data []byte) (string, error)
	Read(ctx context.Context, module string, tenantID int64, key string) ([]byte, string, error)
	Delete(ctx context.Context, module string, tenantID int64, key string) error
}

// Config is what the host runs with.
type Config struct {
	DB      *store.DB
	Tenants *tenants.Store
	Log     *slog.Logger

	// Modules to run; default every built-in module registered with the
	// SDK.
	Modules []Spec
	// Command returns the command that runs built-in module name; default
	// this executable with the arguments "plugin NAME".
	Command func(name string) *exec.Cmd
	// ModuleDSN is the DSN of a module's own database (see ModuleDSN).
	ModuleDSN func(name string) string
	// Demo is passed to modules: they may seed marked demo data.
	Demo bool

	Calendar *calendar.Calendar // default calendar.Official()
	// CalendarSource, when set, answers the calendar in force on each
	// call (the official dates with the county office's corrections), so
	// that a correction reaches every module's next deadline computation.
	CalendarSource func(ctx context.Context) (*calendar.Calendar, error)
	Indexer        Indexer // default LogIndexer
	Identity       Identity
	Users          Users
	Notifier       Notifier
	CSRF           CSRF
	// Files keeps modules' files in the platform's file store (the
	// composition root gives content.ModuleFiles); unset, the host
	// answers the file calls as unsupported and modules keep files in
	// their own databases.
	Files Files

	// ObserveCall, when set, learns the duration and result of every
	// request forwarded to a module (the metrics room).
	ObserveCall func(module, call string, d time.Duration, err error)

	// Instance names this host in process reports; default host:pid.
	Instance string
	// Reload is how often enablement changes made elsewhere (the CLI,
	// another replica) are picked up; default 5 s.
	Reload time.Duration
	// Health is the interval of health checks; default 5 s.
	Health time.Duration
	// MinBackoff and MaxBackoff bound the wait before a restart; default
	// 250 ms, doubling to 30 s.
	MinBackoff, MaxBackoff time.Duration
	// Timeout bounds one request to a module; default 30 s.
	Timeout time.Duration
	// Tick is the interval of modules' timed work (deadlines, reminders);
	// default a minute.
	Tick time.Duration
	// TickLease, when set, decides which host process runs a module's
	// timed work: every process runs its own module processes, but a
	// reminder must go out once, not once per host. It takes or renews
	// the lease of the module's ticks for this host for ttl; a host
	// without it ticks every module itself.
	TickLease func(ctx context.Context, module string, ttl time.Duration) (bool, error)
	// EventIdle is how long an event channel nobody watches keeps its
	// subscription to the module; default 30 s.
	EventIdle time.Duration
}

// Host runs and routes the modules.
type Host struct {
	cfg    Config
	portal atomic.Int64 // the portal's id once found: it never changes
	log    *slog.Logger
	store  *Store
	procs  map[string]*proc
	names  []string

	mu      sync.RWMutex
	enabled map[string]map[int64]Enablement // module → tenant → enablement

	// changed is poked when a process changes state, for a report at
	// once rather than at the next tick.
	changed chan struct{}

	limiters sync.Map // name → *sso.SharedLimiter, for hostService.Allow

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New prepares a host; Start starts the processes.
func New(cfg Config) (*Host, error) {
	if cfg.DB == nil || cfg.Tenants == nil {
		return nil, errors.New("modules: no database")
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Calendar == nil {
		cfg.Calendar = calendar.Official()
	}
	if cfg.Indexer == nil {
		cfg.Indexer = LogIndexer{Log: cfg.Log}
	}
	if cfg.Command == nil {
		cfg.Command = selfCommand
	}
	if cfg.ModuleDSN == nil {
		return nil, errors.New("modules: no ModuleDSN")
	}
	if cfg.Instance == "" {
		h, _ := os.Hostname()
		cfg.Instance = fmt.Sprintf("%s:%d", h, os.Getpid())
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.Reload, 5*time.Second)
	def(&cfg.Health, 5*time.Second)
	def(&cfg.MinBackoff, 250*time.Millisecond)
	def(&cfg.MaxBackoff, 30*time.Second)
	def(&cfg.Timeout, 30*time.Second)
	def(&cfg.Tick, time.Minute)
	if cfg.Modules == nil {
		for _, m := range sdk.Modules() {
			cfg.Modules = append(cfg.Modules, Spec{Name: m.Name})
		}
	}
	h := &Host{cfg: cfg, log: cfg.Log, store: NewStore(cfg.DB, cfg.Tenants), procs: map[string]*proc{},
		enabled: map[string]map[int64]Enablement{}, changed: make(chan struct{}, 1)}
	for _, sp := range cfg.Modules {
		if !sdk.ValidName(sp.Name) {
			return nil, fmt.Errorf("modules: bad module name %q", sp.Name)
		}
		if _, dup := h.procs[sp.Name]; dup {
			return nil, fmt.Errorf("modules: module %s configured twice", sp.Name)
		}
		pr := &proc{host: h, spec: sp, state: StateStopped, kick: make(chan struct{}, 1), reconf: make(chan struct{}, 1)}
		if sp.External() {
			if len(strings.TrimSpace(sp.SHA256)) != 64 {
				return nil, fmt.Errorf("modules: external module %s needs its SHA-256 (64 hex digits)", sp.Name)
			}
			// Until the binary has described itself, it is known by name.
			pr.desc = sdk.Description{Name: sp.Name, Title: sp.Name}
		} else {
			m, ok := sdk.Lookup(sp.Name)
			if !ok {
				return nil, fmt.Errorf("modules: no built-in module %s in this binary", sp.Name)
			}
			pr.desc = m.Describe()
		}
		pr.fan = h.newFanout(pr)
		h.procs[sp.Name] = pr
		h.names = append(h.names, sp.Name)
	}
	sort.Strings(h.names)
	return h, nil
}

// selfCommand re-executes this binary as `yiwang plugin NAME`.
func selfCommand(name string) *exec.Cmd {
	exe, err := os.Executable()
	if err != nil {
		exe = os.Args[0]
	}
	return exec.Command(exe, "plugin", name)
}

// Store returns the enablement store.
func (h *Host) Store() *Store { return h.store }

// Names returns the modules the host runs, in order.
func (h *Host) Names() []string { return append([]string(nil), h.names...) }

// Start loads enablement, starts every module process and the loops that
// supervise them. It waits (at most wait) for the first start of each,
// so that the first requests find them up; a module that does not come up
// keeps being retried in the background.
func (h *Host) Start(ctx context.Context, wait time.Duration) error {
	if err := h.reload(ctx); err != nil {
		return err
	}
	ctx, h.cancel = context.WithCancel(context.WithoutCancel(ctx))
	for _, name := range h.names {
		pr := h.procs[name]
		h.wg.Add(1)
		go func() { defer h.wg.Done(); pr.supervise(ctx) }()
	}
	h.wg.Add(1)
	go func() { defer h.wg.Done(); h.loop(ctx) }()
	deadline := time.Now().Add(wait)
	for _, name := range h.names {
		for time.Now().Before(deadline) && !h.procs[name].tried() {
			time.Sleep(20 * time.Millisecond)
		}
	}
	return nil
}

// Stop ends every module process and waits for them.
func (h *Host) Stop() {
	if h.cancel == nil {
		return
	}
	h.cancel()
	for _, pr := range h.procs {
		pr.fan.Close() // viewers' streams end; their browsers reconnect to another host
	}
	h.wg.Wait()
	states := h.States()
	for i := range states {
		states[i].State = StateStopped
		states[i].PID = 0
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.store.Report(ctx, states); err != nil {
		h.log.Warn("modules: final report", "err", err)
	}
}

// loop reloads enablement (changes made by the CLI or another replica)
// and reports the processes' state.
func (h *Host) loop(ctx context.Context) {
	t := time.NewTicker(h.cfg.Reload)
	defer t.Stop()
	h.report(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := h.reload(ctx); err != nil {
				h.log.Warn("modules: reload enablement", "err", err)
			}
			h.report(ctx)
		case <-h.changed:
			h.report(ctx)
		}
	}
}

func (h *Host) report(ctx context.Context) {
	if err := h.store.Report(ctx, h.States()); err != nil && ctx.Err() == nil {
		h.log.Warn("modules: report process state", "err", err)
	}
}

// FollowChanges reloads enablement when the page change feed says a
// tenant's pages all changed (a module switched on or off there, among
// other things), so that this process draws its navigation as another
// process just changed it. Subscribe it before the page cache, so that a
// page drawn after the cache dropped its copy sees the new enablement.
func (h *Host) FollowChanges(ctx context.Context, feed *changes.Feed) {
	feed.Subscribe(func(ch changes.Change) {
		if ch.Prefix != "" {
			return
		}
		if err := h.reload(ctx); err != nil && ctx.Err() == nil {
			h.log.Warn("modules: reload enablement after a change", "err", err)
		}
	})
}

// Reload picks up enablement changes now (the CLI's changes are picked up
// within Config.Reload anyway).
func (h *Host) Reload(ctx context.Context) error { return h.reload(ctx) }

// reload reads enablement and tells every module whose tenants or
// settings changed.
func (h *Host) reload(ctx context.Context) error {
	rows, err := h.store.List(ctx, Filter{EnabledOnly: true})
	if err != nil {
		return err
	}
	next := map[string]map[int64]Enablement{}
	for _, e := range rows {
		if next[e.Module] == nil {
			next[e.Module] = map[int64]Enablement{}
		}
		next[e.Module][e.TenantID] = e
	}
	h.mu.Lock()
	prev := h.enabled
	h.enabled = next
	h.mu.Unlock()
	for name, pr := range h.procs {
		if !sameTenants(prev[name], next[name]) {
			pr.reconfigure()
		}
	}
	return nil
}

func sameTenants(a, b map[int64]Enablement) bool {
	if len(a) != len(b) {
		return false
	}
	for id, x := range a {
		y, ok := b[id]
		if !ok || x.Settings != y.Settings || x.TenantCode != y.TenantCode || x.TenantName != y.TenantName {
			return false
		}
	}
	return true
}

// enablement returns the tenant's enablement of module, if enabled.
func (h *Host) enablement(module string, tenantID int64) (Enablement, bool) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	e, ok := h.enabled[module][tenantID]
	return e, ok
}

// tenantConfigs lists the tenants enabling module, for Configure.
func (h *Host) tenantConfigs(ctx context.Context, module string) []sdk.TenantConfig {
	h.mu.RLock()
	ids := make([]int64, 0, len(h.enabled[module]))
	for id := range h.enabled[module] {
		ids = append(ids, id)
	}
	settings := map[int64]string{}
	for id, e := range h.enabled[module] {
		settings[id] = e.Settings
	}
	h.mu.RUnlock()
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	var out []sdk.TenantConfig
	for _, id := range ids {
		t, err := h.cfg.Tenants.ByID(ctx, id)
		if err != nil {
			h.log.Warn("modules: tenant of an enablement", "tenant", id, "err", err)
			continue
		}
		out = append(out, sdk.TenantConfig{Tenant: *sdkTenant(t), Settings: []byte(settings[id])})
	}
	return out
}

func sdkTenant(t *tenants.Tenant) *sdk.Tenant {
	return &sdk.Tenant{ID: t.ID, Code: t.Code, Name: t.Name, Kind: string(t.Kind), Status: string(t.Status), PrimaryDomain: t.PrimaryDomain(), OrgCode: t.OrgCode}
}

// State of a module process.
const (
	StateStopped  = "stopped"  // not started, or the host stopped it
	StateStarting = "starting" // launching, describing, configuring
	StateRunning  = "running"  // up and healthy
	StateDown     = "down"     // crashed or unhealthy; a restart is scheduled
)

// States returns what the host knows of each module process.
func (h *Host) States() []ProcessState {
	var out []ProcessState
	for _, name := range h.names {
		out = append(out, h.procs[name].snapshot(h.cfg.Instance))
	}
	return out
}

// PID returns the process id of module name, 0 when it is not running.
func (h *Host) PID(name string) int {
	pr := h.procs[name]
	if pr == nil {
		return 0
	}
	pr.mu.RLock()
	defer pr.mu.RUnlock()
	if pr.plugin == nil {
		return 0
	}
	return pr.plugin.Pid()
}

// Description returns what module name said of itself (for a built-in,
// also before it ever started).
func (h *Host) Description(name string) (sdk.Description, bool) {
	pr := h.procs[name]
	if pr == nil {
		return sdk.Description{}, false
	}
	pr.mu.RLock()
	defer pr.mu.RUnlock()
	return pr.desc, true
}

// Reindex sends every search document of module (of one tenant, or of
// every enabling tenant when tenantID is 0) to the index again: for the
// search room's "rebuild the index" and for a tenant that (re-)enables
// the module.
func (h *Host) Reindex(ctx context.Context, module string, tenantID int64) error {
	return h.Documents(ctx, module, tenantID, func(d Document) error { return h.cfg.Indexer.Index(ctx, d) })
}

// Documents streams every search document of module (of one tenant, or
// of every enabling tenant when tenantID is 0) to fn, with platform-wide
// ids ("topics:12"): the search room's rebuild reads a module this way.
// A tenant that does not enable the module gets none.
func (h *Host) Documents(ctx context.Context, module string, tenantID int64, fn func(Document) error) error {
	pr := h.procs[module]
	if pr == nil {
		return core.Errorf(core.ENOTFOUND, "没有模块 %s", module)
	}
	if tenantID != 0 {
		if _, ok := h.enablement(module, tenantID); !ok {
			return nil
		}
	}
	pl := pr.current()
	if pl == nil {
		d, _ := h.Description(module)
		return unavailable(d.Title)
	}
	return h.documents(ctx, module, pl, tenantID, fn)
}

func (h *Host) reindex(ctx context.Context, module string, pl *rpc.Plugin, tenantID int64) error {
	return h.documents(ctx, module, pl, tenantID, func(d Document) error { return h.cfg.Indexer.Index(ctx, d) })
}

func (h *Host) documents(ctx context.Context, module string, pl *rpc.Plugin, tenantID int64, fn func(Document) error) error {
	return pl.Reindex(ctx, tenantID, func(d sdk.Document) error {
		if _, ok := h.enablement(module, d.TenantID); !ok {
			return nil // a tenant that has since disabled the module
		}
		if tenantID != 0 && d.TenantID != tenantID {
			return core.Errorf(core.EINVALID, "模块 %s 给出了其他站点的文档", module)
		}
		return fn(Document{ID: module + ":" + d.ID, Module: module, TenantID: d.TenantID, Type: d.Type,
			Path: d.Path, Title: d.Title, Body: d.Body, Date: d.Date, Tags: d.Tags})
	})
}

// ModuleDSN is where a module keeps its own database, next to the
// platform's: with the default SQLite, the file DATA/modules/NAME.db (or
// modules/NAME.db beside an explicit sqlite: file); with MySQL, a schema
// of its own on the same server, named after the platform's database with
// "_NAME" added (yiwang → yiwang_topics), reached with the same account.
func ModuleDSN(platformDSN, dataDir, name string) (string, error) {
	switch {
	case platformDSN == "":
		if dataDir == "" {
			dataDir = "data"
		}
		return "sqlite:" + filepath.Join(dataDir, "modules", name+".db"), nil
	case strings.HasPrefix(platformDSN, "sqlite:"):
		p := strings.TrimPrefix(strings.TrimPrefix(platformDSN, "sqlite://"), "sqlite:")
		return "sqlite:" + filepath.Join(filepath.Dir(p), "modules", name+".db"), nil
	case strings.HasPrefix(platformDSN, "mysql://"):
		cfg, err := mysql.ParseDSN(strings.TrimPrefix(platformDSN, "mysql://"))
		if err != nil {
			return "", fmt.Errorf("module database of %s: %w", name, err)
		}
		if cfg.DBName == "" {
			return "", fmt.Errorf("module database of %s: the platform DSN names no database", name)
		}
		cfg.DBName += "_" + name
		return "mysql://" + cfg.FormatDSN(), nil
	}
	return "", fmt.Errorf("module database of %s: unknown DSN form", name)
}

// Probe starts module name briefly, without configuring it, and returns
// its description: for `yiwang plugins list` when no server is running.
func (h *Host) Probe(ctx context.Context, name string) (sdk.Description, error) {
	pr := h.procs[name]
	if pr == nil {
		return sdk.Description{}, core.Errorf(core.ENOTFOUND, "没有模块 %s", name)
	}
	cmd, sum, err := pr.command()
	if err != nil {
		return sdk.Description{}, err
	}
	pl, err := rpc.Launch(rpc.LaunchConfig{Name: name, Cmd: cmd, SHA256: sum, Host: newHostService(h, pr), Log: h.log})
	if err != nil {
		return sdk.Description{}, err
	}
	defer pl.Kill()
	return pl.Describe(ctx)
}

// Stats asks module for a tenant's figures over a period, for the county
// office's supervision dashboard.
func (h *Host) Stats(ctx context.Context, module string, tenantID int64, from, to time.Time) ([]sdk.Stat, error) {
	pr := h.procs[module]
	if pr == nil {
		return nil, core.Errorf(core.ENOTFOUND, "没有模块 %s", module)
	}
	pl := pr.current()
	if pl == nil {
		d, _ := h.Description(module)
		return nil, unavailable(d.Title)
	}
	return pl.Stats(ctx, tenantID, from, to)
}

// Ticks is how many rounds of module name's timed work this host ran.
func (h *Host) Ticks(name string) int64 {
	if p, ok := h.procs[name]; ok {
		return p.ticks.Load()
	}
	return 0
}
