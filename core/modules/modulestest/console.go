// Package modulestest holds what tests of the consoles need of the plugin
// host without starting plugin processes.
package modulestest

import (
	"context"

	"yiwang/core/modules"
	"yiwang/core/web/county"
)

// StoreConsole is the county console's view of the plugin host over the
// real enablement store, without starting plugin processes.
type StoreConsole struct{ S *modules.Store }

// Modules are two modules, one running.
func (c StoreConsole) Modules() []county.ModuleInfo {
	return []county.ModuleInfo{{Name: "topics", Title: "专题专栏", Version: "1.0.0", Running: true}, {Name: "mailbox", Title: "领导信箱", Version: "1.0.0"}}
}

// Enabled reads the store.
func (c StoreConsole) Enabled(ctx context.Context) (map[int64]map[string]bool, error) {
	es, err := c.S.List(ctx, modules.Filter{EnabledOnly: true})
	out := map[int64]map[string]bool{}
	for _, e := range es {
		if out[e.TenantID] == nil {
			out[e.TenantID] = map[string]bool{}
		}
		out[e.TenantID][e.Module] = true
	}
	return out, err
}

// SetEnabled writes the store.
func (c StoreConsole) SetEnabled(ctx context.Context, actor, code, module string, on bool, settings *string) error {
	if on {
		return c.S.Enable(ctx, actor, code, module, settings)
	}
	return c.S.Disable(ctx, actor, code, module)
}
