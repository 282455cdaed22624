package cli

import (
	"context"
	"fmt"

	"yiwang/core/modules"
	"yiwang/core/store"
	"yiwang/sso"
	"yiwang/tenants"
)

// accountUsers answers the host service's user look-up for modules: the
// account's display name and its roles on the tenant asked about. Only
// what a module needs to show who handled a case; no contact details.
type accountUsers struct {
	db *store.DB
	ms *tenants.Memberships
}

var _ modules.Users = accountUsers{}

func (a accountUsers) User(ctx context.Context, tenantID, id int64) (*modules.User, error) {
	acc, err := sso.AccountByID(ctx, a.db, id)
	if err != nil {
		return nil, err
	}
	roles, err := a.ms.RolesOf(ctx, id, tenantID)
	if err != nil {
		return nil, fmt.Errorf("roles of user %d on tenant %d: %w", id, tenantID, err)
	}
	u := &modules.User{ID: acc.ID, Name: acc.DisplayName()}
	for _, r := range roles {
		u.Roles = append(u.Roles, string(r))
	}
	return u, nil
}
