package tenants_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"yiwang/core"
	"yiwang/core/store"
	"yiwang/core/store/storetest"
	"yiwang/tenants"
)

// account inserts a bare account row (the sso package owns the table; the
// membership store only needs the row to exist).
func account(t *testing.T, db *store.DB, sub, name string) int64 {
	t.Helper()
	res, err := db.ExecContext(context.Background(), `INSERT INTO sso_accounts (issuer, subject, name, email, created_at) VALUES (?, ?, ?, '', ?)`,
		"https://idp.example", sub, name, store.Now())
	must(t, err)
	id, err := res.LastInsertId()
	must(t, err)
	return id
}

func TestRolesToPermissions(t *testing.T) {
	declared := []tenants.Permission{
		{Name: "mailbox.write", Kind: tenants.KindPublic}, {Name: "mailbox.read", Kind: tenants.KindView},
		{Name: "mailbox.reply", Kind: tenants.KindHandle}, {Name: "mailbox.settings", Kind: tenants.KindAdmin},
		{Name: "interview.host", Kind: tenants.KindHost}, {Name: "content.publish", Kind: tenants.KindReview},
		{Name: "content.write", Kind: tenants.KindEdit},
	}
	for _, tc := range []struct {
		roles []tenants.Role
		want  string
	}{
		{nil, ""},
		{[]tenants.Role{tenants.Citizen}, "mailbox.write"},
		{[]tenants.Role{tenants.Citizen, tenants.Editor}, "content.write,mailbox.read,mailbox.write"},
		{[]tenants.Role{tenants.Citizen, tenants.Reviewer}, "content.publish,content.write,mailbox.read,mailbox.write"},
		{[]tenants.Role{tenants.Citizen, tenants.Handler}, "mailbox.read,mailbox.reply,mailbox.write"},
		{[]tenants.Role{tenants.Citizen, tenants.InterviewHost}, "interview.host,mailbox.read,mailbox.write"},
		{[]tenants.Role{tenants.Citizen, tenants.SiteAdmin}, "content.publish,content.write,interview.host,mailbox.read,mailbox.reply,mailbox.settings,mailbox.write"},
		{[]tenants.Role{tenants.PlatformAdmin}, "content.publish,content.write,interview.host,mailbox.read,mailbox.reply,mailbox.settings,mailbox.write"},
	} {
		if got := strings.Join(tenants.PermissionsFor(tc.roles, declared), ","); got != tc.want {
			t.Errorf("PermissionsFor(%v) = %s, want %s", tc.roles, got, tc.want)
		}
	}
}

func TestRolesOnAndCanGrant(t *testing.T) {
	ms := []tenants.Membership{{TenantID: 7, Role: tenants.Editor}, {TenantID: 7, Role: tenants.SiteAdmin}, {TenantID: 9, Role: tenants.Handler}}
	admin := []tenants.Membership{{TenantID: 0, Role: tenants.PlatformAdmin}}
	for _, tc := range []struct {
		ms     []tenants.Membership
		tenant int64
		want   []tenants.Role
	}{
		{ms, 7, []tenants.Role{tenants.Citizen, tenants.Editor, tenants.SiteAdmin}},
		{ms, 9, []tenants.Role{tenants.Citizen, tenants.Handler}},
		{ms, 8, []tenants.Role{tenants.Citizen}},
		{admin, 8, []tenants.Role{tenants.Citizen, tenants.PlatformAdmin}},
		{nil, 8, []tenants.Role{tenants.Citizen}},
	} {
		if got := tenants.RolesOn(tc.ms, tc.tenant); !slices.Equal(got, tc.want) {
			t.Errorf("RolesOn(%v, %d) = %v, want %v", tc.ms, tc.tenant, got, tc.want)
		}
	}
	for _, tc := range []struct {
		ms     []tenants.Membership
		tenant int64
		role   tenants.Role
		want   bool
	}{
		{ms, 7, tenants.Editor, true},           // site admin of 7
		{ms, 7, tenants.InterviewHost, true},    // site admin of 7
		{ms, 7, tenants.SiteAdmin, false},       // not their own rank
		{ms, 7, tenants.PlatformAdmin, false},   // never
		{ms, 9, tenants.Editor, false},          // only a handler there
		{ms, 0, tenants.PlatformAdmin, false},   // platform-wide
		{admin, 9, tenants.SiteAdmin, true},     // platform admin anything
		{admin, 0, tenants.PlatformAdmin, true}, // including platform admin
		{nil, 7, tenants.Editor, false},         // a citizen nothing
		{[]tenants.Membership{{TenantID: 7, Role: tenants.Editor}}, 7, tenants.Editor, false}, // editors do not grant
	} {
		if got := tenants.CanGrant(tc.ms, tc.tenant, tc.role); got != tc.want {
			t.Errorf("CanGrant(%v, %d, %s) = %v, want %v", tc.ms, tc.tenant, tc.role, got, tc.want)
		}
	}
}

func TestParseRole(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want tenants.Role
		err  bool
	}{
		{"editor", tenants.Editor, false}, {" Site_Admin ", tenants.SiteAdmin, false}, {"platform_admin", tenants.PlatformAdmin, false},
		{"citizen", "", true}, {"root", "", true}, {"", "", true},
	} {
		got, err := tenants.ParseRole(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("ParseRole(%q) = %q, %v", tc.in, got, err)
		}
	}
}

func TestMembershipsGrantRevokeAudit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ts := tenants.NewStore(db)
		must(t, ts.Create(ctx, "test", newTenant("jyj", "思南县教育局")))
		must(t, ts.Create(ctx, "test", newTenant("rsj", "思南县人社局")))
		jyj, _ := ts.ByCode(ctx, "jyj")
		rsj, _ := ts.ByCode(ctx, "rsj")
		m := tenants.NewMemberships(db)
		li := account(t, db, "li", "李文编")
		must(t, m.Grant(ctx, "user:9", "10.0.0.1", li, jyj.ID, tenants.Editor))
		must(t, m.Grant(ctx, "user:9", "10.0.0.1", li, jyj.ID, tenants.Editor)) // again: no error, no second row
		must(t, m.Grant(ctx, "user:9", "10.0.0.1", li, rsj.ID, tenants.Reviewer))
		for _, tc := range []struct {
			tenant int64
			role   tenants.Role
			code   string
		}{
			{jyj.ID, tenants.PlatformAdmin, core.EINVALID}, // global role on a tenant
			{0, tenants.Editor, core.EINVALID},             // tenant role without tenant
			{jyj.ID, tenants.Citizen, core.EINVALID},       // not grantable
			{999999, tenants.Editor, core.ENOTFOUND},       // no such tenant
		} {
			wantCode(t, m.Grant(ctx, "user:9", "", li, tc.tenant, tc.role), tc.code)
		}
		wantCode(t, m.Grant(ctx, "user:9", "", 424242, jyj.ID, tenants.Editor), core.ENOTFOUND)

		roles, err := m.RolesOf(ctx, li, jyj.ID)
		must(t, err)
		if !slices.Equal(roles, []tenants.Role{tenants.Citizen, tenants.Editor}) {
			t.Errorf("roles on jyj: %v", roles)
		}
		on, err := m.OnTenant(ctx, jyj.ID)
		must(t, err)
		if len(on) != 1 || on[0].AccountName != "李文编" || on[0].TenantCode != "jyj" || on[0].Source != tenants.SourceGrant || on[0].GrantedBy != "user:9" {
			t.Errorf("members of jyj: %+v", on)
		}
		must(t, m.Revoke(ctx, "user:9", "10.0.0.1", li, jyj.ID, tenants.Editor))
		wantCode(t, m.Revoke(ctx, "user:9", "", li, jyj.ID, tenants.Editor), core.ENOTFOUND)
		grants, revokes := auditEntries(t, db, "role.grant"), auditEntries(t, db, "role.revoke")
		if len(grants) != 2 || len(revokes) != 1 {
			t.Fatalf("audit: %d grants, %d revokes", len(grants), len(revokes))
		}
		if e := revokes[0]; e.Actor != "user:9" || e.RemoteAddr != "10.0.0.1" || e.TenantID == nil || *e.TenantID != jyj.ID || e.Detail != "editor" {
			t.Errorf("revoke audit entry: %+v", e)
		}
	})
}

func TestMembershipsSyncSource(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ts := tenants.NewStore(db)
		must(t, ts.Create(ctx, "test", newTenant("jyj", "思南县教育局")))
		jyj, _ := ts.ByCode(ctx, "jyj")
		m := tenants.NewMemberships(db)
		a := account(t, db, "wang", "王审核")
		must(t, m.Grant(ctx, "user:1", "", a, jyj.ID, tenants.Editor)) // by a person: kept
		sync := func(want ...tenants.Membership) {
			t.Helper()
			must(t, m.SyncSource(ctx, "idp:x", a, tenants.SourceIdP, want))
		}
		sync(tenants.Membership{TenantID: jyj.ID, Role: tenants.Reviewer}, tenants.Membership{Role: tenants.PlatformAdmin})
		sync(tenants.Membership{TenantID: jyj.ID, Role: tenants.Reviewer}, tenants.Membership{Role: tenants.PlatformAdmin}) // idempotent
		got, err := m.Of(ctx, a)
		must(t, err)
		if len(got) != 3 {
			t.Fatalf("after sync: %+v", got)
		}
		sync(tenants.Membership{TenantID: jyj.ID, Role: tenants.Editor}) // already granted by a person: not duplicated
		got, err = m.Of(ctx, a)
		must(t, err)
		if len(got) != 1 || got[0].Role != tenants.Editor || got[0].Source != tenants.SourceGrant {
			t.Errorf("after second sync: %+v", got)
		}
		wantCode(t, m.SyncSource(ctx, "idp:x", a, tenants.SourceIdP, []tenants.Membership{{Role: tenants.Editor}}), core.EINVALID)
	})
}
