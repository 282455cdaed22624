package modules

import (
	"context"

	"yiwang/core/web"
)

// The host is what the county console enables modules through.
var _ web.ModuleConsole = (*Host)(nil)

// Modules lists the host's modules with what they said of themselves.
func (h *Host) Modules() []web.ModuleInfo {
	var out []web.ModuleInfo
	for _, st := range h.States() {
		d, _ := h.Description(st.Module)
		title := d.Title
		if title == "" {
			title = st.Module
		}
		out = append(out, web.ModuleInfo{Name: st.Module, Title: title, Version: st.Version, Running: st.State == StateRunning})
	}
	return out
}

// Enabled returns the enabled modules of every tenant.
func (h *Host) Enabled(ctx context.Context) (map[int64]map[string]bool, error) {
	es, err := h.store.List(ctx, Filter{})
	if err != nil {
		return nil, err
	}
	out := map[int64]map[string]bool{}
	for _, e := range es {
		if !e.Enabled {
			continue
		}
		if out[e.TenantID] == nil {
			out[e.TenantID] = map[string]bool{}
		}
		out[e.TenantID][e.Module] = true
	}
	return out, nil
}

// SetEnabled records the change (audited in the same transaction) and
// applies it to this host at once; other replicas pick it up on their
// next reload.
func (h *Host) SetEnabled(ctx context.Context, actor, code, module string, on bool, settings *string) error {
	var err error
	if on {
		err = h.store.Enable(ctx, actor, code, module, settings)
	} else {
		err = h.store.Disable(ctx, actor, code, module)
	}
	if err != nil {
		return err
	}
	return h.Reload(ctx)
}
