package modules

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"yiwang/core"
	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/fanout"
	"yiwang/plugins/sdk/rpc"
)

// proc is one module and its process, supervised.
type proc struct {
	host  *Host
	spec  Spec
	ticks atomic.Int64 // timed-work rounds this host ran

	mu        sync.RWMutex
	desc      sdk.Description
	plugin    *rpc.Plugin // nil while down
	state     string
	restarts  int
	lastErr   string
	startedAt time.Time
	attempts  int
	// configured are the tenants the process was last configured with.
	configured map[int64]bool

	fan *fanout.Fanout // viewers of the module's event channels

	kick   chan struct{} // check health now (a request failed on the wire)
	reconf chan struct{} // the tenants or their settings changed
}

func (p *proc) current() *rpc.Plugin {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.state != StateRunning {
		return nil
	}
	return p.plugin
}

func (p *proc) tried() bool {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.attempts > 0
}

func (p *proc) snapshot(instance string) ProcessState {
	p.mu.RLock()
	defer p.mu.RUnlock()
	st := ProcessState{Instance: instance, Module: p.spec.Name, Version: p.desc.Version, State: p.state,
		Restarts: p.restarts, LastError: p.lastErr}
	if p.plugin != nil && p.state == StateRunning {
		st.PID = p.plugin.Pid()
		t := p.startedAt.UTC()
		st.StartedAt = &t
	}
	return st
}

// poke sends on a one-slot channel without blocking: one pending signal
// is enough.
func poke(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

func (p *proc) reconfigure() { poke(p.reconf) }

// checkNow asks the supervisor to look at the process at once: a request
// just failed on the wire, so it may be gone.
func (p *proc) checkNow() { poke(p.kick) }

// supervise keeps the module's process running until ctx ends: start,
// watch, and after a crash or a failed health check, restart with a
// back-off that doubles up to MaxBackoff (and starts over once a process
// has stayed up for a minute).
func (p *proc) supervise(ctx context.Context) {
	h := p.host
	backoff := h.cfg.MinBackoff
	for ctx.Err() == nil {
		p.setState(StateStarting, nil)
		pl, err := p.start(ctx)
		p.mu.Lock()
		p.attempts++
		p.mu.Unlock()
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			h.log.Error("module did not start", "module", p.spec.Name, "err", err, "retry_in", backoff)
			p.setState(StateDown, err)
			if !sleep(ctx, backoff) {
				break
			}
			backoff = min(backoff*2, h.cfg.MaxBackoff)
			continue
		}
		p.mu.Lock()
		p.plugin, p.state, p.startedAt, p.lastErr = pl, StateRunning, time.Now(), ""
		p.mu.Unlock()
		poke(h.changed)
		h.log.Info("module running", "module", p.spec.Name, "version", p.desc.Version, "pid", pl.Pid())
		up := time.Now()
		reason := p.watch(ctx, pl)
		p.mu.Lock()
		p.plugin = nil
		p.mu.Unlock()
		pl.Kill()
		if ctx.Err() != nil {
			break
		}
		p.mu.Lock()
		p.restarts++
		p.mu.Unlock()
		p.setState(StateDown, reason)
		if time.Since(up) > time.Minute {
			backoff = h.cfg.MinBackoff
		}
		h.log.Error("module down; restarting", "module", p.spec.Name, "reason", reason, "restart_in", backoff)
		if !sleep(ctx, backoff) {
			break
		}
		backoff = min(backoff*2, h.cfg.MaxBackoff)
	}
	p.setState(StateStopped, nil)
}

func (p *proc) setState(s string, err error) {
	p.mu.Lock()
	p.state = s
	if err != nil {
		p.lastErr = err.Error()
	}
	p.mu.Unlock()
	poke(p.host.changed)
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// start launches the process, learns its description and configures it.
func (p *proc) start(ctx context.Context) (*rpc.Plugin, error) {
	h := p.host
	p.mu.Lock()
	p.configured = nil
	p.mu.Unlock()
	cmd, sum, err := p.command()
	if err != nil {
		return nil, err
	}
	pl, err := rpc.Launch(rpc.LaunchConfig{Name: p.spec.Name, Cmd: cmd, SHA256: sum, Host: newHostService(h, p), Log: h.log})
	if err != nil {
		return nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	d, err := pl.Describe(cctx)
	if err == nil && d.Name != p.spec.Name {
		err = fmt.Errorf("the binary is module %q, not %q", d.Name, p.spec.Name)
	}
	if err != nil {
		pl.Kill()
		return nil, fmt.Errorf("describe: %w", err)
	}
	p.mu.Lock()
	p.desc = d
	p.mu.Unlock()
	if err := p.configure(cctx, pl); err != nil {
		pl.Kill()
		return nil, err
	}
	return pl, nil
}

// command builds the command of the module: this binary re-executed for
// a built-in, the configured binary for an external one, which must
// exist and have the configured SHA-256.
func (p *proc) command() (*exec.Cmd, []byte, error) {
	if !p.spec.External() {
		return p.host.cfg.Command(p.spec.Name), nil, nil
	}
	want, err := hex.DecodeString(strings.TrimSpace(p.spec.SHA256))
	if err != nil || len(want) != 32 {
		return nil, nil, fmt.Errorf("module %s: configured SHA-256 is not 64 hex digits", p.spec.Name)
	}
	got, err := rpc.SHA256File(p.spec.Path)
	if err != nil {
		return nil, nil, fmt.Errorf("module %s: %w", p.spec.Name, err)
	}
	if hex.EncodeToString(got) != hex.EncodeToString(want) {
		// Said here, plainly, rather than by go-plugin's generic error:
		// this is what the county office has to act on.
		return nil, nil, fmt.Errorf("module %s: %s has SHA-256 %x, configuration says %x; not started",
			p.spec.Name, p.spec.Path, got, want)
	}
	if st, err := os.Stat(p.spec.Path); err != nil || st.Mode()&0o111 == 0 {
		return nil, nil, fmt.Errorf("module %s: %s is not executable", p.spec.Name, p.spec.Path)
	}
	// go-plugin checks the sum again right before it starts the file.
	return exec.Command(p.spec.Path), want, nil
}

func (p *proc) configure(ctx context.Context, pl *rpc.Plugin) error {
	h := p.host
	tcs := h.tenantConfigs(ctx, p.spec.Name)
	warnings, err := pl.Configure(ctx, rpc.Config{DatabaseDSN: h.cfg.ModuleDSN(p.spec.Name), Demo: h.cfg.Demo, Tenants: tcs})
	if err != nil {
		return fmt.Errorf("configure: %w", err)
	}
	for _, w := range warnings {
		h.log.Warn("module configure", "module", p.spec.Name, "warning", w)
	}
	now := map[int64]bool{}
	for _, tc := range tcs {
		now[tc.Tenant.ID] = true
	}
	p.mu.Lock()
	prev := p.configured
	p.configured = now
	p.mu.Unlock()
	if prev != nil {
		p.syncSearch(ctx, pl, prev, now)
	}
	return nil
}

// syncSearch follows enablement in the search index: a tenant that
// disables the module loses the module's documents from search (its pages
// are 404 now), and one that enables it (again) gets them (back). The
// first configuration after a start changes nothing: the index already
// holds what it held.
func (p *proc) syncSearch(ctx context.Context, pl *rpc.Plugin, prev, now map[int64]bool) {
	h := p.host
	for id := range prev {
		if !now[id] {
			err := pl.Reindex(ctx, id, func(d sdk.Document) error {
				return h.cfg.Indexer.Remove(ctx, p.spec.Name+":"+d.ID)
			})
			if err != nil {
				h.log.Warn("search: documents of a disabled module not removed", "module", p.spec.Name, "tenant", id, "err", err)
			}
		}
	}
	for id := range now {
		if !prev[id] {
			if err := h.reindex(ctx, p.spec.Name, pl, id); err != nil {
				h.log.Warn("search: documents of an enabled module not indexed", "module", p.spec.Name, "tenant", id, "err", err)
			}
		}
	}
}

// watch returns why the process has to go: it exited, it failed three
// health checks in a row, or a new configuration failed on the wire.
func (p *proc) watch(ctx context.Context, pl *rpc.Plugin) error {
	h := p.host
	// Exit is noticed within a fifth of a second: go-plugin offers no
	// channel for it, and polling a flag costs nothing.
	poll := time.NewTicker(200 * time.Millisecond)
	defer poll.Stop()
	health := time.NewTicker(h.cfg.Health)
	defer health.Stop()
	tick := time.NewTicker(h.cfg.Tick)
	defer tick.Stop()
	var ticking atomic.Bool
	failures := 0
	check := func() error {
		if pl.Exited() {
			return errors.New("process exited")
		}
		if err := ping(pl, 2*time.Second); err != nil {
			failures++
			h.log.Warn("module health check failed", "module", p.spec.Name, "failures", failures, "err", err)
			if failures >= 3 || pl.Exited() {
				return fmt.Errorf("health check: %w", err)
			}
			return nil
		}
		failures = 0
		return nil
	}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-poll.C:
			if pl.Exited() {
				return errors.New("process exited")
			}
		case <-health.C:
			if err := check(); err != nil {
				return err
			}
		case <-p.kick:
			if err := check(); err != nil {
				return err
			}
		case now := <-tick.C:
			// Timed work runs beside the watch, one tick at a time: a slow
			// tick must not hide a crash, nor pile up behind itself.
			if ticking.CompareAndSwap(false, true) {
				go func() {
					defer ticking.Store(false)
					tctx, cancel := context.WithTimeout(ctx, h.cfg.Tick)
					defer cancel()
					if lease := h.cfg.TickLease; lease != nil {
						ok, err := lease(tctx, p.spec.Name, 3*h.cfg.Tick)
						if err != nil {
							h.log.Warn("module tick lease", "module", p.spec.Name, "err", err)
						}
						if !ok {
							return // another host runs this module's timed work
						}
					}
					p.ticks.Add(1)
					notes, err := pl.Tick(tctx, now)
					if err != nil && !pl.Exited() {
						h.log.Warn("module tick failed", "module", p.spec.Name, "err", err)
					}
					for _, n := range notes {
						h.log.Info("module tick", "module", p.spec.Name, "note", n)
					}
				}()
			}
		case <-p.reconf:
			cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			err := p.configure(cctx, pl)
			cancel()
			if err != nil {
				if pl.Exited() || core.ErrorCode(err) == core.EUNAVAIL {
					return err
				}
				h.log.Error("module rejected its configuration", "module", p.spec.Name, "err", err)
			}
		}
	}
}

// ping runs the health check with a deadline: a hung process does not
// answer at all.
func ping(pl *rpc.Plugin, d time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- pl.Ping() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		return fmt.Errorf("no answer in %s", d)
	}
}
