package tenants

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"yiwang/core"
	"yiwang/core/audit"
	"yiwang/core/store"
)

// Role is what a person may do on a tenant (or, for PlatformAdmin, on
// every tenant). Every signed-in person is a Citizen; the other roles are
// staff roles, granted in the platform database.
type Role string

const (
	PlatformAdmin Role = "platform_admin" // county office: every tenant, the county console
	SiteAdmin     Role = "site_admin"     // a tenant's own administrator: its members and settings
	Editor        Role = "editor"         // writes articles
	Reviewer      Role = "reviewer"       // approves articles
	Handler       Role = "handler"        // handles mailbox letters and disclosure requests
	InterviewHost Role = "interview_host" // runs online interviews
	Citizen       Role = "citizen"        // anyone signed in
)

// StaffRoles are the roles a grant can give, in display order.
var StaffRoles = []Role{PlatformAdmin, SiteAdmin, Editor, Reviewer, Handler, InterviewHost}

// TenantRoles are the staff roles held on one tenant.
var TenantRoles = []Role{SiteAdmin, Editor, Reviewer, Handler, InterviewHost}

// Label is the Chinese name of the role.
func (r Role) Label() string {
	switch r {
	case PlatformAdmin:
		return "平台管理员（县政务公开办）"
	case SiteAdmin:
		return "站点管理员"
	case Editor:
		return "信息编辑"
	case Reviewer:
		return "信息审核"
	case Handler:
		return "信件和申请办理"
	case InterviewHost:
		return "访谈主持"
	case Citizen:
		return "公众用户"
	}
	return string(r)
}

// Valid reports whether r is a staff role a grant may give.
func (r Role) Valid() bool { return slices.Contains(StaffRoles, r) }

// Global reports whether the role holds on every tenant (tenant 0).
func (r Role) Global() bool { return r == PlatformAdmin }

// ParseRole reads a role name as people type it.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToLower(strings.TrimSpace(s)))
	if !r.Valid() {
		var names []string
		for _, x := range StaffRoles {
			names = append(names, string(x))
		}
		return "", core.Errorf(core.EINVALID, "角色“%s”无效：应为 %s 之一", s, strings.Join(names, "、"))
	}
	return r, nil
}

// PermissionKind classifies a permission so that core can map roles to
// permissions it has never seen: a module declares each of its
// permissions with one kind, and the roles that carry that kind get it.
type PermissionKind string

const (
	KindPublic PermissionKind = "public" // any signed-in person: write a letter, ask a question
	KindView   PermissionKind = "view"   // see the tenant's staff pages
	KindEdit   PermissionKind = "edit"   // write and change content
	KindReview PermissionKind = "review" // approve, publish, reject
	KindHandle PermissionKind = "handle" // handle letters and requests assigned to the tenant
	KindHost   PermissionKind = "host"   // host interviews
	KindAdmin  PermissionKind = "admin"  // configure the tenant's module, grant roles
)

// Permission is one thing a module (or core) lets a role do.
type Permission struct {
	Name  string         // "mailbox.reply", "content.publish" …
	Kind  PermissionKind // how core maps roles to it
	Title string         // Chinese, for the console
}

// Core permissions: what the platform's own consoles check.
var (
	PermConsole      = Permission{"console.open", KindView, "进入本站管理后台"}
	PermMembers      = Permission{"members.manage", KindAdmin, "管理本站工作人员和角色"}
	PermAuditTenant  = Permission{"audit.read", KindAdmin, "查看本站审计日志"}
	PermContentEdit  = Permission{"content.edit", KindEdit, "编辑栏目和文章"}
	PermContentCheck = Permission{"content.review", KindReview, "审核和发布文章"}
)

// roleKinds is the one place roles become permissions.
var roleKinds = map[Role][]PermissionKind{
	PlatformAdmin: {KindPublic, KindView, KindEdit, KindReview, KindHandle, KindHost, KindAdmin},
	SiteAdmin:     {KindPublic, KindView, KindEdit, KindReview, KindHandle, KindHost, KindAdmin},
	Editor:        {KindPublic, KindView, KindEdit},
	Reviewer:      {KindPublic, KindView, KindEdit, KindReview},
	Handler:       {KindPublic, KindView, KindHandle},
	InterviewHost: {KindPublic, KindView, KindHost},
	Citizen:       {KindPublic},
}

// Kinds returns the permission kinds the role carries.
func (r Role) Kinds() []PermissionKind { return roleKinds[r] }

// Allows reports whether any of roles carries p.
func Allows(roles []Role, p Permission) bool {
	for _, r := range roles {
		if slices.Contains(roleKinds[r], p.Kind) {
			return true
		}
	}
	return false
}

// PermissionsFor maps roles to the names of the declared permissions they
// carry, sorted: what the plugin host passes to a module with a request.
func PermissionsFor(roles []Role, declared []Permission) []string {
	var out []string
	for _, p := range declared {
		if Allows(roles, p) {
			out = append(out, p.Name)
		}
	}
	sort.Strings(out)
	return out
}

// Membership is one role of one account on one tenant (TenantID 0: every
// tenant).
type Membership struct {
	ID        int64     `db:"id"`
	AccountID int64     `db:"account_id"`
	TenantID  int64     `db:"tenant_id"`
	Role      Role      `db:"role"`
	Source    string    `db:"source"` // grant | idp | demo
	GrantedBy string    `db:"granted_by"`
	GrantedAt time.Time `db:"granted_at"`

	// Filled by the listings, for display.
	AccountName  string `db:"account_name"`
	AccountEmail string `db:"account_email"`
	Subject      string `db:"subject"`
	TenantCode   string `db:"tenant_code"`
	TenantName   string `db:"tenant_name"`
}

// Sources of a membership row.
const (
	SourceGrant = "grant"
	SourceIdP   = "idp"
	SourceDemo  = "demo"
)

// SourceLabel says in Chinese where the membership came from.
func (m Membership) SourceLabel() string {
	switch m.Source {
	case SourceGrant:
		return "管理员授予"
	case SourceIdP:
		return "身份提供方分组"
	case SourceDemo:
		return "演示账号"
	}
	return m.Source
}

// RolesOn returns the roles ms give on tenantID: the tenant's own roles,
// platform-wide ones, and Citizen. ms are one account's memberships.
func RolesOn(ms []Membership, tenantID int64) []Role {
	out := []Role{Citizen}
	for _, m := range ms {
		if (m.TenantID == tenantID || m.TenantID == 0) && !slices.Contains(out, m.Role) {
			out = append(out, m.Role)
		}
	}
	return out
}

// HasStaffRole reports whether roles hold more than Citizen.
func HasStaffRole(roles []Role) bool {
	for _, r := range roles {
		if r != Citizen {
			return true
		}
	}
	return false
}

// CanGrant reports whether a person with memberships ms may grant or
// revoke role on tenantID: a platform admin anything anywhere; a tenant's
// site admin the roles below site admin on that tenant.
func CanGrant(ms []Membership, tenantID int64, role Role) bool {
	for _, m := range ms {
		if m.Role == PlatformAdmin && m.TenantID == 0 {
			return true
		}
	}
	if tenantID == 0 || role == PlatformAdmin || role == SiteAdmin {
		return false
	}
	for _, m := range ms {
		if m.Role == SiteAdmin && m.TenantID == tenantID {
			return true
		}
	}
	return false
}

// Memberships keeps staff roles in the platform database. Every change is
// audited in the transaction that makes it.
type Memberships struct {
	db *store.DB
}

// NewMemberships returns the membership store on db.
func NewMemberships(db *store.DB) *Memberships { return &Memberships{db: db} }

const membershipSelect = `SELECT m.id, m.account_id, m.tenant_id, m.role, m.source, m.granted_by, m.granted_at,
	a.name AS account_name, a.email AS account_email, a.subject AS subject,
	COALESCE(t.code, '') AS tenant_code, COALESCE(t.name, '') AS tenant_name
	FROM memberships m JOIN sso_accounts a ON a.id = m.account_id LEFT JOIN tenants t ON t.id = m.tenant_id`

// Of returns the memberships of one account, platform-wide first.
func (s *Memberships) Of(ctx context.Context, accountID int64) ([]Membership, error) {
	var ms []Membership
	// Every signed-in request asks this: prepared once per connection.
	st, err := s.db.Prepared(ctx, membershipSelect+` WHERE m.account_id = ? ORDER BY m.tenant_id, m.role`)
	if err == nil {
		err = st.SelectContext(ctx, &ms, accountID)
	}
	if err != nil {
		return nil, fmt.Errorf("memberships of account %d: %w", accountID, err)
	}
	return ms, nil
}

// RolesOf returns the roles of an account on a tenant, Citizen included.
// It does not know about second factors: the session layer gives staff
// roles only to sessions that passed one.
func (s *Memberships) RolesOf(ctx context.Context, accountID, tenantID int64) ([]Role, error) {
	ms, err := s.Of(ctx, accountID)
	if err != nil {
		return nil, err
	}
	return RolesOn(ms, tenantID), nil
}

// OnTenant returns the memberships held on a tenant (not platform-wide
// ones), by role then name.
func (s *Memberships) OnTenant(ctx context.Context, tenantID int64) ([]Membership, error) {
	var ms []Membership
	if err := s.db.SelectContext(ctx, &ms, membershipSelect+` WHERE m.tenant_id = ? ORDER BY m.role, a.name, m.id`, tenantID); err != nil {
		return nil, fmt.Errorf("memberships on tenant %d: %w", tenantID, err)
	}
	return ms, nil
}

// All returns every membership, platform-wide first, then by tenant.
func (s *Memberships) All(ctx context.Context) ([]Membership, error) {
	var ms []Membership
	if err := s.db.SelectContext(ctx, &ms, membershipSelect+` ORDER BY m.tenant_id, m.role, a.name, m.id`); err != nil {
		return nil, fmt.Errorf("list memberships: %w", err)
	}
	return ms, nil
}

// Grant gives an account a role on a tenant (tenantID 0 for the
// platform-wide PlatformAdmin). Granting a role already held is not an
// error. The caller has checked CanGrant.
func (s *Memberships) Grant(ctx context.Context, actor, remote string, accountID, tenantID int64, role Role) error {
	if err := checkScope(tenantID, role); err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sqlx.Tx) error {
		var n int
		if err := tx.GetContext(ctx, &n, `SELECT COUNT(*) FROM sso_accounts WHERE id = ?`, accountID); err != nil {
			return fmt.Errorf("grant %s: %w", role, err)
		}
		if n == 0 {
			return core.Errorf(core.ENOTFOUND, "没有找到编号为 %d 的用户", accountID)
		}
		did, err := insertMembership(ctx, tx, accountID, tenantID, role, SourceGrant, actor)
		if err != nil || !did {
			return err
		}
		return audit.Write(ctx, tx, audit.Entry{Actor: actor, Action: "role.grant", TenantID: tenantRef(tenantID),
			Target: fmt.Sprintf("account:%d", accountID), Detail: string(role), RemoteAddr: remote})
	})
}

// Revoke takes a role away. Revoking a role not held is a not-found error.
func (s *Memberships) Revoke(ctx context.Context, actor, remote string, accountID, tenantID int64, role Role) error {
	return s.db.Tx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM memberships WHERE account_id = ? AND tenant_id = ? AND role = ?`, accountID, tenantID, role)
		if err != nil {
			return fmt.Errorf("revoke %s from account %d: %w", role, accountID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return core.Errorf(core.ENOTFOUND, "该用户在此站点没有“%s”角色", role.Label())
		}
		return audit.Write(ctx, tx, audit.Entry{Actor: actor, Action: "role.revoke", TenantID: tenantRef(tenantID),
			Target: fmt.Sprintf("account:%d", accountID), Detail: string(role), RemoteAddr: remote})
	})
}

// SyncSource replaces the memberships an account has from source (the
// provider's groups claim at each login, or the demo accounts) with want.
// Grants made by people are not touched. Changes are audited as actor.
func (s *Memberships) SyncSource(ctx context.Context, actor string, accountID int64, source string, want []Membership) error {
	return s.db.Tx(ctx, func(tx *sqlx.Tx) error {
		var have []Membership
		if err := tx.SelectContext(ctx, &have, `SELECT id, account_id, tenant_id, role, source, granted_by, granted_at
			FROM memberships WHERE account_id = ? AND source = ?`, accountID, source); err != nil {
			return fmt.Errorf("sync memberships of account %d: %w", accountID, err)
		}
		key := func(m Membership) string { return fmt.Sprintf("%d|%s", m.TenantID, m.Role) }
		wanted := map[string]bool{}
		for _, m := range want {
			if err := checkScope(m.TenantID, m.Role); err != nil {
				return err
			}
			wanted[key(m)] = true
		}
		kept := map[string]bool{}
		for _, m := range have {
			if wanted[key(m)] {
				kept[key(m)] = true
				continue
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM memberships WHERE id = ?`, m.ID); err != nil {
				return fmt.Errorf("sync memberships of account %d: %w", accountID, err)
			}
			if err := audit.Write(ctx, tx, audit.Entry{Actor: actor, Action: "role.revoke", TenantID: tenantRef(m.TenantID),
				Target: fmt.Sprintf("account:%d", accountID), Detail: string(m.Role) + " (" + source + ")"}); err != nil {
				return err
			}
		}
		for _, m := range want {
			if kept[key(m)] {
				continue
			}
			kept[key(m)] = true
			did, err := insertMembership(ctx, tx, accountID, m.TenantID, m.Role, source, actor)
			if err != nil {
				return err
			}
			if did {
				if err := audit.Write(ctx, tx, audit.Entry{Actor: actor, Action: "role.grant", TenantID: tenantRef(m.TenantID),
					Target: fmt.Sprintf("account:%d", accountID), Detail: string(m.Role) + " (" + source + ")"}); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// insertMembership adds a row unless the account already holds the role
// there (from any source); it reports whether it added one.
func insertMembership(ctx context.Context, tx *sqlx.Tx, accountID, tenantID int64, role Role, source, by string) (bool, error) {
	var n int
	if err := tx.GetContext(ctx, &n, `SELECT COUNT(*) FROM memberships WHERE account_id = ? AND tenant_id = ? AND role = ?`,
		accountID, tenantID, role); err != nil {
		return false, fmt.Errorf("grant %s to account %d: %w", role, accountID, err)
	}
	if n > 0 {
		return false, nil
	}
	if tenantID != 0 {
		if err := tx.GetContext(ctx, &n, `SELECT COUNT(*) FROM tenants WHERE id = ?`, tenantID); err != nil {
			return false, fmt.Errorf("grant %s to account %d: %w", role, accountID, err)
		}
		if n == 0 {
			return false, core.Errorf(core.ENOTFOUND, "没有找到编号为 %d 的站点", tenantID)
		}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO memberships (account_id, tenant_id, role, source, granted_by, granted_at)
		VALUES (?, ?, ?, ?, ?, ?)`, accountID, tenantID, role, source, by, store.Now())
	if err != nil {
		if store.IsUniqueViolation(err) {
			return false, nil // granted by someone else meanwhile
		}
		return false, fmt.Errorf("grant %s to account %d: %w", role, accountID, err)
	}
	return true, nil
}

func checkScope(tenantID int64, role Role) error {
	switch {
	case !role.Valid():
		return core.Errorf(core.EINVALID, "角色“%s”无效", role)
	case role.Global() && tenantID != 0:
		return core.Errorf(core.EINVALID, "“%s”是全平台角色，不属于某个站点", role.Label())
	case !role.Global() && tenantID == 0:
		return core.Errorf(core.EINVALID, "“%s”角色必须指定站点", role.Label())
	}
	return nil
}

func tenantRef(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}
