package cli

import (
	"context"

	"yiwang/core"
	"yiwang/core/modules"
	"yiwang/plugins/sdk"
)

// enableFirstStart enables the portal's default modules on a platform's
// first start: the topics module always, and with demo content the
// leadership mailbox (县长信箱, 书记信箱) as well. Called by
// defaultModules for the portal.
func enableFirstStart(ctx context.Context, e *env, st *modules.Store, code string) error {
	if err := st.Enable(ctx, "system:first-start", code, "topics", nil); err != nil {
		return err
	}
	if _, ok := sdk.Lookup("mailbox"); !ok || flagString(serveFlagSet, "demo") != "true" {
		return nil
	}
	if err := st.Enable(ctx, "system:first-start", code, "mailbox", nil); err != nil {
		return err
	}
	e.log.Info("first start: mailbox (领导信箱) enabled for the portal (demo)", "tenant", code)
	// The demo department whose handler (赵办理) answers letters the
	// portal's dispatcher assigns: a department receives letters only
	// with the module enabled.
	if err := st.Enable(ctx, "system:first-start", demoDepartment, "mailbox", nil); err != nil {
		if core.ErrorCode(err) == core.ENOTFOUND {
			return nil // a county whose seed has no such department
		}
		return err
	}
	e.log.Info("first start: mailbox (领导信箱) enabled for the demo department", "tenant", demoDepartment)
	return nil
}

// demoDepartment is the department of the demo staff accounts.
const demoDepartment = "jyj"
