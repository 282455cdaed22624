package cli

import (
	"context"
	"slices"
	"testing"

	"yiwang/core"
	"yiwang/core/store"
	"yiwang/core/store/storetest"
	"yiwang/sso"
	"yiwang/tenants"
)

func TestModulesLookUpUsersWithTheirRolesOnTheTenant(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ts := tenants.NewStore(db)
		jyj := &tenants.Tenant{Code: "jyj", Name: "思南县教育局", Kind: tenants.Department}
		rsj := &tenants.Tenant{Code: "rsj", Name: "思南县人社局", Kind: tenants.Department}
		for _, tn := range []*tenants.Tenant{jyj, rsj} {
			if err := ts.Create(ctx, "test", tn); err != nil {
				t.Fatal(err)
			}
		}
		acc, err := sso.EnsureAccount(ctx, db, "https://idp.example", "sub-1", "王办理", "wang@example.cn", false, store.Now())
		if err != nil {
			t.Fatal(err)
		}
		ms := tenants.NewMemberships(db)
		if err := ms.Grant(ctx, "test", "", acc.ID, jyj.ID, tenants.Handler); err != nil {
			t.Fatal(err)
		}
		users := accountUsers{db: db, ms: ms}

		u, err := users.User(ctx, jyj.ID, acc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if u.Name != "王办理" || !slices.Contains(u.Roles, "handler") {
			t.Fatalf("on jyj: %+v, want 王办理 with the handler role", u)
		}
		if u, err = users.User(ctx, rsj.ID, acc.ID); err != nil || slices.Contains(u.Roles, "handler") {
			t.Fatalf("on rsj: %+v, %v; a role on one tenant must not show on another", u, err)
		}
		if _, err := users.User(ctx, jyj.ID, acc.ID+1000); core.ErrorCode(err) != core.ENOTFOUND {
			t.Fatalf("unknown user: %v, want not found", err)
		}
	})
}
