package content_test

import (
	"context"
	"testing"

	"yiwang/core/content"
	"yiwang/tenants"
)

// desk is the fixture with an editorial desk, a portal, two departments
// and people with their roles.
type desk struct {
	*fixture
	d              *content.Desk
	portal, a, b   *tenants.Tenant
	editorA        content.Actor // writes on A
	reviewerA      content.Actor // reviews on A
	bothA          content.Actor // holds both roles on A
	editorB        content.Actor // writes on B
	portalEditor   content.Actor // adopts on the portal
	county         content.Actor // the county office
	reviewerPortal content.Actor
}

func newDesk(t *testing.T, f *fixture) *desk {
	t.Helper()
	portal := &tenants.Tenant{Code: "portal", Name: "思南县人民政府", Kind: tenants.Portal}
	must(t, f.tenants.Create(context.Background(), "test", portal))
	k := &desk{fixture: f, d: content.NewDesk(f.content), portal: portal}
	k.a, k.b = f.tenant(t, "jyj"), f.tenant(t, "mzj")
	role := func(tid, uid int64, name string, rs ...tenants.Role) content.Actor {
		return content.Actor{TenantID: tid, UserID: uid, Name: name, Roles: rs}
	}
	k.editorA = role(k.a.ID, 1, "编辑甲", tenants.Citizen, tenants.Editor)
	k.reviewerA = role(k.a.ID, 2, "审核乙", tenants.Citizen, tenants.Reviewer)
	k.bothA = role(k.a.ID, 3, "编审丙", tenants.Citizen, tenants.Editor, tenants.Reviewer)
	k.editorB = role(k.b.ID, 4, "编辑丁", tenants.Citizen, tenants.Editor)
	k.portalEditor = role(portal.ID, 5, "门户编辑", tenants.Citizen, tenants.Editor)
	k.reviewerPortal = role(portal.ID, 6, "门户审核", tenants.Citizen, tenants.Reviewer)
	k.county = role(portal.ID, 7, "县政府办", tenants.Citizen, tenants.PlatformAdmin)
	return k
}

// input is an article for tenant's column slug.
func (k *desk) input(t testing.TB, tenantID int64, slug, title, body string) content.Input {
	t.Helper()
	return content.Input{ColumnID: k.column(t, tenantID, slug).ID, Title: title, Body: body, Source: "测试"}
}

// published writes, submits and approves an article on A and returns it.
func (k *desk) published(t testing.TB, title string) *content.Manuscript {
	t.Helper()
	ctx := context.Background()
	m, err := k.d.Create(ctx, k.editorA, k.input(t, k.a.ID, "gzdt", title, "<p>"+title+"的正文。</p>"))
	must(t, err)
	_, err = k.d.Submit(ctx, k.editorA, m.ID, false)
	must(t, err)
	must(t, k.d.Approve(ctx, k.reviewerA, m.ID, nil))
	m, err = k.d.Manuscript(ctx, k.reviewerA, m.ID)
	must(t, err)
	return m
}

// auditCount counts audit lines with action on tenant.
func (k *desk) auditCount(t testing.TB, tenantID int64, action string) int {
	t.Helper()
	var n int
	must(t, k.db.GetContext(context.Background(), &n, `SELECT COUNT(*) FROM audit_log WHERE action = ? AND tenant_id = ?`, action, tenantID))
	return n
}
