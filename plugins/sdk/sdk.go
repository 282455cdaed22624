// Package sdk is the module contract of yiwang: what a module (mailbox,
// disclosure, interviews, topic pages, or one a third party writes) is,
// how it runs as a hashicorp/go-plugin process over gRPC, and what it may
// ask of the host.
//
// Writing a module feels like writing a net/http handler. A module is a
// Module value registered by name (as Caddy registers its modules):
//
//	func init() {
//		sdk.Register(&sdk.Module{
//			Name: "topics", Version: "1.0.0", Title: "专题专栏",
//			Nav:        []sdk.NavEntry{{Title: "专题专栏", Path: "topics/"}},
//			Migrations: migrations, // the module's own NNNN_name.sql files
//			New: func(ctx context.Context, env *sdk.Env) (http.Handler, error) { … },
//		})
//	}
//
// Its handler receives ordinary *http.Requests whose path is relative to
// the tenant's site ("/topics/12"); sdk.TenantOf, sdk.UserOf and sdk.Can
// say for whom; sdk.Render answers with a page fragment that the host wraps
// in the tenant's layout, anything written directly is sent as is (JSON, a
// file, a redirect), and sdk.Fail answers with the host's own error page.
//
// One process serves every tenant that enables the module. Its database is
// its own (a SQLite file by default, a MySQL schema in production), and
// every query goes through a Scope that binds the tenant (see DB). What
// belongs to the host (search, working days, the audit log, notices,
// tenants, users, core articles) is reached through env.Host.
//
// This package is the contract and needs nothing of the host: a module
// imports it, its subpackages (calendar for dates and working days,
// sqldb under the module's DB) and libraries. The transport is apart, in
// package rpc: rpc.Serve runs a module as a plugin process, rpc.Launch
// starts one from the host's side. Package sdktest runs a module
// in-process or as a real process for tests, against a fake host.
// plugins/README.md is the guide; plugins/sdk/example a whole module.
package sdk

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"regexp"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Module describes a module and builds its handler.
type Module struct {
	// Name is the registry key, the URL segment (/topics/, /admin/topics/)
	// and the name of the module's database: lower-case letters and digits.
	Name    string
	Version string
	Title   string // 专题专栏
	// Nav are public navigation entries, Admin console entries; paths are
	// relative to the site base ("topics/").
	Nav, Admin []NavEntry
	// Permissions the module checks with Can; the host maps platform roles
	// to them by each permission's Kind.
	Permissions []Permission
	// Migrations are the module's NNNN_name.sql files (the dialect tokens
	// of core/store apply), run on its own database before New.
	Migrations fs.FS
	// Events says that the handler is a Streamer: the host then serves
	// /<name>/events/<channel> to viewers from one subscription per
	// channel (event channel version EventsVersion).
	Events bool
	// New builds the handler once per process, after the database is open
	// and migrated. The handler may also implement Configurer, Ticker,
	// Reindexer, Statser, Caser and Streamer.
	New func(ctx context.Context, env *Env) (http.Handler, error)
}

// NavEntry is a link the host shows for tenants that enable the module.
type NavEntry struct {
	Title string
	Path  string // relative to the site base: "topics/"
	// Permission, when set, shows the entry only to holders.
	Permission string
}

// Permission is an action a module guards. The module says what kind of
// action it is; the host, which knows the platform's roles, decides who
// holds it (an editor holds every "edit" permission of every module).
type Permission struct {
	Name  string // "topics.edit"
	Title string // 创建和编辑本站专题
	Kind  string // KindEdit …
}

// Permission kinds, as the host's role table names them
// (tenants.PermissionKind).
const (
	KindPublic = "public" // any signed-in person: write a letter, ask a question
	KindView   = "view"   // see the tenant's staff pages
	KindEdit   = "edit"   // write and change content
	KindReview = "review" // approve, publish, reject
	KindHandle = "handle" // handle letters and requests assigned to the tenant
	KindHost   = "host"   // host interviews
	KindAdmin  = "admin"  // configure the tenant's module, grant roles
)

// Platform roles, as the host names them. The host passes the roles a
// user may use on the request's tenant; "platform_admin" (the county
// office) holds every permission everywhere.
const (
	RolePlatformAdmin = "platform_admin"
	RoleSiteAdmin     = "site_admin"
	RoleEditor        = "editor"
	RoleReviewer      = "reviewer"
	RoleHandler       = "handler"
	RoleInterviewHost = "interview_host"
	RoleCitizen       = "citizen"
)

// Configurer is implemented by a handler that wants to know the tenants
// enabling the module and their settings, at start and at every change.
type Configurer interface {
	Configure(ctx context.Context, tenants []TenantConfig) error
}

// Ticker is implemented by a handler with timed work (deadlines,
// reminders). The host calls Tick about once a minute.
type Ticker interface {
	Tick(ctx context.Context, now time.Time) (notes []string, err error)
}

// Reindexer is implemented by a handler whose content is searchable: it
// emits every search document of one tenant (tenantID 0: of every tenant
// it serves).
type Reindexer interface {
	Reindex(ctx context.Context, tenantID int64, emit func(Document) error) error
}

// Statser is implemented by a handler that reports figures for the
// supervision dashboard.
type Statser interface {
	Stats(ctx context.Context, tenantID int64, from, to time.Time) ([]Stat, error)
}

// Caser is implemented by a handler that keeps cases of citizens
// (letters, disclosure requests, interview questions): it lists the
// cases of one person across every tenant it serves, for the one list
// on the person's account page. The host fills Case.Module and keeps only
// cases of tenants that enable the module.
type Caser interface {
	Cases(ctx context.Context, userID int64) ([]Case, error)
}

// Stat is one figure of a tenant over a period.
type Stat struct {
	Name  string  // "published"
	Title string  // 发布专题数
	Value float64 // 3
	Unit  string  // 个
}

// TenantConfig is a tenant that enables the module, with its settings.
type TenantConfig struct {
	Tenant   Tenant
	Settings []byte // JSON, "{}" when none
}

// Env is what a module runs with.
type Env struct {
	Name string
	// DB is the module's own database, migrated.
	DB *DB
	// Host reaches the host's services.
	Host Host
	Log  *slog.Logger
	// Demo is set when the platform runs with demo content: a module may
	// seed marked demo data for the tenants that enable it.
	Demo bool

	tenants atomic.Pointer[[]TenantConfig]
}

// Tenants returns the tenants that enable the module now.
func (e *Env) Tenants() []TenantConfig {
	if p := e.tenants.Load(); p != nil {
		return *p
	}
	return nil
}

// Enabled reports whether the tenant enables the module now.
func (e *Env) Enabled(tenantID int64) bool {
	for _, t := range e.Tenants() {
		if t.Tenant.ID == tenantID {
			return true
		}
	}
	return false
}

// SetTenants replaces the tenants that enable the module: the transport
// calls it on every Configure, a test may call it directly.
func (e *Env) SetTenants(ts []TenantConfig) { e.tenants.Store(&ts) }

var (
	regMu    sync.RWMutex
	registry = map[string]*Module{}
)

var namePattern = regexp.MustCompile(`^[a-z][a-z0-9]{1,31}$`)

// ValidName reports whether s can name a module: it becomes a URL segment
// and part of a database name.
func ValidName(s string) bool { return namePattern.MatchString(s) }

// Register adds a built-in module to the registry. It panics on a bad or
// duplicate name: registration happens in init, where a mistake is a
// build defect.
func Register(m *Module) {
	if m == nil || !ValidName(m.Name) {
		panic(fmt.Sprintf("sdk.Register: bad module name %q", m.Name))
	}
	if m.New == nil {
		panic(fmt.Sprintf("sdk.Register: module %s has no New", m.Name))
	}
	regMu.Lock()
	defer regMu.Unlock()
	if _, dup := registry[m.Name]; dup {
		panic(fmt.Sprintf("sdk.Register: module %s registered twice", m.Name))
	}
	registry[m.Name] = m
}

// Lookup returns the registered module called name.
func Lookup(name string) (*Module, bool) {
	regMu.RLock()
	defer regMu.RUnlock()
	m, ok := registry[name]
	return m, ok
}

// Modules returns the registered modules in name order.
func Modules() []*Module {
	regMu.RLock()
	defer regMu.RUnlock()
	out := make([]*Module, 0, len(registry))
	for _, m := range registry {
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Description is what Describe answers: the module without its code.
type Description struct {
	Name, Version, Title string
	Nav, Admin           []NavEntry
	Permissions          []Permission
	// Events is the event channel version the module serves, 0 for none.
	Events int
}

// Describe returns m's description.
func (m *Module) Describe() Description {
	d := Description{Name: m.Name, Version: m.Version, Title: m.Title, Nav: m.Nav, Admin: m.Admin, Permissions: m.Permissions}
	if m.Events {
		d.Events = EventsVersion
	}
	return d
}

// String identifies a module for logs.
func (m *Module) String() string { return fmt.Sprintf("%s %s", m.Name, m.Version) }
