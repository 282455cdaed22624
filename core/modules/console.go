package modules

import (
	"context"
	"time"

	"yiwang/core"
	"yiwang/tenants"

	"yiwang/core/web/county"
)

// The host is what the county console enables modules through.
var _ county.ModuleConsole = (*Host)(nil)

// Modules lists the host's modules with what they said of themselves.
func (h *Host) Modules() []county.ModuleInfo {
	var out []county.ModuleInfo
	for _, st := range h.States() {
		d, _ := h.Description(st.Module)
		title := d.Title
		if title == "" {
			title = st.Module
		}
		out = append(out, county.ModuleInfo{Name: st.Module, Title: title, Version: st.Version, Running: st.State == StateRunning})
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

// The host also feeds the county office's supervision dashboard.
var _ county.Supervision = (*Host)(nil)

// Figures asks every module for the figures of each tenant that enables
// it. A module that is down is reported as such; the others still show.
func (h *Host) Figures(ctx context.Context, from, to time.Time) ([]county.ModuleFigures, error) {
	ts, err := h.cfg.Tenants.List(ctx)
	if err != nil {
		return nil, err
	}
	byID := map[int64]*tenants.Tenant{}
	for _, t := range ts {
		byID[t.ID] = t
	}
	var out []county.ModuleFigures
	for _, name := range h.names {
		d, _ := h.Description(name)
		mf := county.ModuleFigures{Module: name, Title: d.Title}
		if mf.Title == "" {
			mf.Title = name
		}
		es, err := h.store.List(ctx, Filter{Module: name, EnabledOnly: true})
		if err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		for _, e := range es {
			t := byID[e.TenantID]
			if t == nil {
				continue
			}
			stats, err := h.Stats(ctx, name, e.TenantID, from, to)
			if err != nil {
				mf.Err = core.ErrorMessage(err)
				mf.Rows = nil
				break
			}
			row := county.FigureRow{Tenant: t, Values: map[string]float64{}}
			for _, st := range stats {
				if !seen[st.Name] {
					seen[st.Name] = true
					mf.Columns = append(mf.Columns, county.FigureColumn{Name: st.Name, Title: st.Title, Unit: st.Unit})
				}
				row.Values[st.Name] = st.Value
			}
			mf.Rows = append(mf.Rows, row)
		}
		out = append(out, mf)
	}
	return out, nil
}
