package cli

import (
	"context"

	"yiwang/core"
	"yiwang/core/modules"
	"yiwang/plugins/sdk"
)

// enableFirstStart enables the portal's default modules on a platform's
// first start: the topics module always, and with demo content the
// leadership mailbox (县长信箱, 书记信箱) and government information
// disclosure (政府信息公开) as well, for the portal and for the demo
// department whose staff accounts answer letters and requests. Called by
// defaultModules for the portal.
func enableFirstStart(ctx context.Context, e *env, st *modules.Store, code string) error {
	if err := st.Enable(ctx, "system:first-start", code, "topics", nil); err != nil {
		return err
	}
	if flagString(serveFlagSet, "demo") != "true" {
		return nil
	}
	for _, m := range demoModules {
		if _, ok := sdk.Lookup(m.name); !ok {
			continue
		}
		for _, site := range []string{code, demoDepartment} {
			// A department receives letters and requests only with the
			// module enabled.
			if err := st.Enable(ctx, "system:first-start", site, m.name, nil); err != nil {
				if core.ErrorCode(err) == core.ENOTFOUND {
					continue // a county whose seed has no such department
				}
				return err
			}
			e.log.Info("first start: module enabled (demo)", "module", m.name, "title", m.title, "tenant", site)
		}
	}
	return nil
}

// demoModules are enabled on a first start with demo content.
var demoModules = []struct{ name, title string }{
	{"mailbox", "领导信箱"},
	{"disclosure", "政府信息公开"},
	{"interview", "在线访谈"},
}

// demoDepartment is the department of the demo staff accounts.
const demoDepartment = "jyj"
