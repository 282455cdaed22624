package modules

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"yiwang/core"
	"yiwang/core/web"
	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/fanout"
	"yiwang/plugins/sdk/rpc"
)

// errDown is the source's answer while the module's process is down: the
// hub tells viewers and subscribes again when the supervisor has it back.
var errDown = errors.New("module process is down")

// newFanout serves pr's event channels: one subscription per channel,
// to whichever process is running now, so a restart of the module is a
// break the hub bridges, not an end.
func (h *Host) newFanout(pr *proc) *fanout.Fanout {
	name := pr.spec.Name
	return fanout.New(func(ctx context.Context, key fanout.Key, after, until int64, emit func(sdk.Event) error) error {
		if _, ok := h.enablement(name, key.Tenant); !ok {
			return sdk.Errorf(sdk.ENOTFOUND, "没有这个直播频道。")
		}
		pl := pr.current()
		if pl == nil {
			return errDown
		}
		err := pl.Events(ctx, key.Tenant, key.Channel, after, until, emit)
		if err != nil && ctx.Err() == nil && rpc.IsTransport(err) {
			pr.checkNow() // the process may be gone: look now
		}
		return err
	}, fanout.Options{Log: h.log, Idle: h.cfg.EventIdle})
}

// eventsPrefix is where a module's channels are served on every site:
// /<module>/events/<channel>.
func eventsPrefix(module string) string { return "/" + module + "/events/" }

// serveEvents answers a viewer of one of pr's channels, when the request
// is one and the module serves channels; it reports whether it did.
func (h *Host) serveEvents(srv *web.Server, w http.ResponseWriter, r *http.Request, pr *proc, tenantID int64) bool {
	channel, ok := strings.CutPrefix(r.URL.Path, eventsPrefix(pr.spec.Name))
	if !ok || r.Method != http.MethodGet {
		return false
	}
	if d, _ := h.Description(pr.spec.Name); d.Events < 1 {
		return false // a module without channels: the path is its own
	}
	if !sdk.ValidChannel(channel) {
		srv.RenderError(w, r, core.Errorf(core.ENOTFOUND, "没有这个直播频道。"))
		return true
	}
	if err := pr.fan.Serve(w, r, fanout.Key{Tenant: tenantID, Channel: channel}); err != nil {
		var se *sdk.Error
		if errors.As(err, &se) {
			srv.RenderError(w, r, &core.Error{Code: se.Code, Message: se.Message})
			return true
		}
		srv.RenderError(w, r, core.Errorf(core.EUNAVAIL, "直播服务暂时不可用，请稍后刷新页面。"))
	}
	return true
}

// EventCalls counts the calls the host made to module's event channel
// (subscriptions and replays), for tests and the benchmark: one per
// channel however many watch.
func (h *Host) EventCalls(module string) int64 {
	if pr := h.procs[module]; pr != nil {
		return pr.fan.Calls()
	}
	return 0
}

// EventViewers counts the viewers of module's channels connected now.
func (h *Host) EventViewers(module string) int {
	if pr := h.procs[module]; pr != nil {
		return pr.fan.Viewers()
	}
	return 0
}
