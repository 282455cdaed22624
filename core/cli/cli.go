// Package cli is the yiwang command line: serve, migrate, tenants. Every
// command opens the same store from the same --data and --db options, so
// it works beside a running server.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/jmoiron/sqlx"
	"yiwang/core"
	"yiwang/core/content"
	"yiwang/core/metrics"
	"yiwang/core/modules"
	"yiwang/core/store"
	"yiwang/tenants"
)

// command is one subcommand.
type command struct {
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

var commands = map[string]command{}

func register(name, summary string, run func(ctx context.Context, env *env, args []string) error) {
	commands[name] = command{summary: summary, run: run}
}

// env is what a command runs with.
type env struct {
	stdout, stderr io.Writer
	log            *slog.Logger
}

// Run runs the command in args and returns the exit status.
func Run(args []string, stdout, stderr io.Writer) int {
	e := &env{stdout: stdout, stderr: stderr, log: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: logLevel()}))}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "yiwang: 未知命令“%s”\n\n", args[0])
		usage(stderr)
		return 2
	}
	ctx, stop := signalContext()
	defer stop()
	if err := c.run(ctx, e, args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "yiwang %s: %s\n", args[0], ue.msg)
			return 2
		}
		fmt.Fprintf(stderr, "yiwang %s: %s\n", args[0], describe(err))
		return 1
	}
	return 0
}

// describe is what a person reads of an error: the Chinese message of a
// coded error, or the full chain for anything else.
func describe(err error) string {
	var ce *core.Error
	if errors.As(err, &ce) {
		return ce.Message
	}
	return err.Error()
}

type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

// parseFlags parses args into fs. A bad option is a usage error (exit 2),
// like a bad argument; the flag package has already shown the options.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	return nil
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "yiwang — 县级政府网站集约化平台（一张网）")
	fmt.Fprintln(w, "\n用法: yiwang <命令> [选项]\n\n命令:")
	var names []string
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\n每个命令都接受 --data DIR（默认 ./data，环境变量 YIWANG_DATA）和 --db DSN（环境变量 YIWANG_DB；")
	fmt.Fprintln(w, "sqlite:PATH 或 mysql://USER:PASS@tcp(HOST:3306)/DB；不给则用 DIR/yiwang.db）。")
	fmt.Fprintln(w, "用 yiwang <命令> -h 查看该命令的选项。")
}

func logLevel() slog.Level {
	switch strings.ToLower(os.Getenv("YIWANG_LOG")) {
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	return slog.LevelInfo
}

// storeFlags are the options every command shares.
type storeFlags struct {
	data, dsn string
}

// subcommand splits `yiwang CMD SUB …`: no SUB prints usage and is an
// error; -h or --help prints usage and is done.
func subcommand(e *env, usage string, args []string) (sub string, rest []string, done bool, err error) {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(e.stdout, usage)
		if len(args) == 0 {
			return "", nil, true, usageError{"缺少子命令"}
		}
		return "", nil, true, nil
	}
	return args[0], args[1:], false, nil
}

// commandFlags is the flag set of one command, with the store options.
func commandFlags(e *env, name string) (*flag.FlagSet, *storeFlags) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	sf := &storeFlags{}
	sf.bind(fs)
	return fs, sf
}

// parseOpen parses a command's arguments (flags anywhere among them) and
// opens the platform; the caller closes it.
func (sf *storeFlags) parseOpen(ctx context.Context, e *env, fs *flag.FlagSet, args []string) (*platform, error) {
	if err := parseFlags(fs, interleave(fs, args)); err != nil {
		return nil, err
	}
	return sf.open(ctx, e)
}

func (sf *storeFlags) bind(fs *flag.FlagSet) {
	fs.StringVar(&sf.data, "data", envOr("YIWANG_DATA", "data"), "数据目录（SQLite 数据库、上传文件）")
	fs.StringVar(&sf.dsn, "db", os.Getenv("YIWANG_DB"), "数据库 DSN：sqlite:PATH 或 mysql://USER:PASS@tcp(HOST:PORT)/DB")
}

// envBool reads a yes/no variable the way people write it: 1/0,
// true/false, yes/no, on/off. Anything else keeps the default.
func envBool(k string, def bool) bool {
	switch strings.ToLower(strings.TrimSpace(os.Getenv(k))) {
	case "1", "true", "yes", "on":
		return true
	case "0", "false", "no", "off":
		return false
	}
	return def
}

func envInt(k string, def int) int {
	if n, err := strconv.Atoi(strings.TrimSpace(os.Getenv(k))); err == nil {
		return n
	}
	return def
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// platform is the opened, migrated store with its services wired together.
type platform struct {
	db      *store.DB
	tenants *tenants.Store
	content *content.Store
	// host runs the module processes; only `serve` starts it, and other
	// rooms' goroutines read it.
	host atomic.Pointer[modules.Host]
	// metrics is set by the metrics room when `serve --metrics` is given.
	metrics *metrics.Metrics
}

func (sf *storeFlags) open(ctx context.Context, e *env) (*platform, error) {
	db, err := store.Open(ctx, sf.dsn, sf.data)
	if err != nil {
		return nil, err
	}
	n, err := store.Migrate(ctx, db)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate %s: %w", db.Name, err)
	}
	if n > 0 {
		e.log.Info("database migrated", "db", db.Name, "applied", n)
	}
	p := &platform{db: db, tenants: tenants.NewStore(db), content: content.NewStore(db)}
	if err := p.tenants.EnsureTemplate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	// A new tenant gets the standard columns in the transaction that
	// creates it.
	p.tenants.OnCreate = func(ctx context.Context, tx *sqlx.Tx, t *tenants.Tenant) error {
		tpl, err := tenants.ReadTemplate(ctx, tx)
		if err != nil {
			return err
		}
		return p.content.ApplyTemplate(ctx, tx, t, tpl)
	}
	return p, nil
}

func (p *platform) Close() error { return p.db.Close() }

// actor names the person at the terminal in the audit log.
func actor() string {
	u := os.Getenv("SUDO_USER")
	if u == "" {
		u = os.Getenv("USER")
	}
	if u == "" {
		u = "unknown"
	}
	return "cli:" + u
}
