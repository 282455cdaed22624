package cli

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"yiwang/core"
	"yiwang/core/store"
	"yiwang/sso"
	"yiwang/tenants"
)

func init() {
	register("roles", "工作人员角色：roles list | grant | revoke | accounts（县级管理员在命令行授予角色）", roles)
}

const rolesUsage = `用法:
  yiwang roles list [--tenant CODE]                 列出角色（不给 --tenant 列出全部）
  yiwang roles accounts [查询]                       查找账号（姓名、邮箱、sub 或编号）
  yiwang roles grant  --role ROLE [--tenant CODE] 用户
  yiwang roles revoke --role ROLE [--tenant CODE] 用户

用户：--account 编号，或 --sub SUB [--issuer URL] [--name 姓名]（该人尚未登录过时先登记账号，
登录后即拥有角色；只有一个身份提供方时可省略 --issuer）。
角色：platform_admin（全平台，不带 --tenant）、site_admin、editor、reviewer、handler、interview_host。`

func roles(ctx context.Context, e *env, args []string) error {
	sub, args, done, err := subcommand(e, rolesUsage, args)
	if done {
		return err
	}
	fs, sf := commandFlags(e, "roles "+sub)
	tenant := fs.String("tenant", "", "站点代码")
	role := fs.String("role", "", "角色")
	account := fs.Int64("account", 0, "账号编号")
	subject := fs.String("sub", "", "身份提供方中的用户标识（sub）")
	issuer := fs.String("issuer", "", "身份提供方的 issuer")
	name := fs.String("name", "", "姓名（登记新账号时）")
	switch sub {
	case "list", "accounts", "grant", "revoke":
	default:
		return usageError{"未知子命令“" + sub + "”\n" + rolesUsage}
	}
	p, err := sf.parseOpen(ctx, e, fs, args)
	if err != nil {
		return err
	}
	defer p.Close()
	ms := tenants.NewMemberships(p.db)
	switch sub {
	case "list":
		return listRoles(ctx, e, p, ms, *tenant)
	case "accounts":
		return listAccounts(ctx, e, p.db, strings.Join(fs.Args(), " "))
	}
	if fs.NArg() > 0 {
		return usageError{"多余的参数：" + fs.Arg(0)}
	}
	r, err := tenants.ParseRole(*role)
	if err != nil {
		return usageError{core.ErrorMessage(err)}
	}
	var tenantID int64
	switch {
	case r.Global() && *tenant != "":
		return usageError{"platform_admin 是全平台角色，不要给 --tenant"}
	case !r.Global() && *tenant == "":
		return usageError{"角色 " + string(r) + " 需要 --tenant 站点代码"}
	case *tenant != "":
		t, err := p.tenants.ByCode(ctx, *tenant)
		if err != nil {
			return err
		}
		tenantID = t.ID
	}
	acc, err := resolveAccount(ctx, p.db, *account, *issuer, *subject, *name, sub == "grant")
	if err != nil {
		return err
	}
	where := "全平台"
	if *tenant != "" {
		where = "站点 " + *tenant
	}
	if sub == "grant" {
		if err := ms.Grant(ctx, actor(), "", acc.ID, tenantID, r); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "已授予 %s（编号 %d）%s的“%s”角色\n", acc.DisplayName(), acc.ID, where, r.Label())
		return nil
	}
	if err := ms.Revoke(ctx, actor(), "", acc.ID, tenantID, r); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "已收回 %s（编号 %d）%s的“%s”角色\n", acc.DisplayName(), acc.ID, where, r.Label())
	return nil
}

// resolveAccount finds the account a command names; create registers
// issuer+sub when nobody with it has logged in yet.
func resolveAccount(ctx context.Context, db *store.DB, id int64, issuer, subject, name string, create bool) (*sso.Account, error) {
	switch {
	case id != 0 && subject != "":
		return nil, usageError{"--account 和 --sub 只能给一个"}
	case id != 0:
		return sso.AccountByID(ctx, db, id)
	case subject == "":
		return nil, usageError{"请用 --account 编号或 --sub 指定用户"}
	}
	if issuer == "" {
		var issuers []string
		if err := db.SelectContext(ctx, &issuers, `SELECT DISTINCT issuer FROM sso_accounts ORDER BY issuer`); err != nil {
			return nil, fmt.Errorf("list issuers: %w", err)
		}
		if len(issuers) != 1 {
			return nil, usageError{"平台中有 " + fmt.Sprint(len(issuers)) + " 个身份提供方的账号，请用 --issuer 指定：" + strings.Join(issuers, "、")}
		}
		issuer = issuers[0]
	}
	if !create {
		var accID int64
		if err := db.GetContext(ctx, &accID, `SELECT id FROM sso_accounts WHERE issuer = ? AND subject = ?`, issuer, subject); err != nil {
			return nil, core.Errorf(core.ENOTFOUND, "没有找到 %s 的账号 %s", issuer, subject)
		}
		return sso.AccountByID(ctx, db, accID)
	}
	return sso.EnsureAccount(ctx, db, issuer, subject, name, "", false, store.Now())
}

func listRoles(ctx context.Context, e *env, p *platform, ms *tenants.Memberships, code string) error {
	var list []tenants.Membership
	var err error
	if code != "" {
		t, err := p.tenants.ByCode(ctx, code)
		if err != nil {
			return err
		}
		list, err = ms.OnTenant(ctx, t.ID)
		if err != nil {
			return err
		}
	} else if list, err = ms.All(ctx); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "站点\t角色\t账号\t姓名\tsub\t来源")
	for _, m := range list {
		site := m.TenantCode
		if m.TenantID == 0 {
			site = "（全平台）"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", site, m.Role, m.AccountID, m.AccountName, m.Subject, m.Source)
	}
	return tw.Flush()
}

func listAccounts(ctx context.Context, e *env, db *store.DB, q string) error {
	var accs []sso.Account
	var err error
	if strings.TrimSpace(q) == "" {
		err = db.SelectContext(ctx, &accs, `SELECT id, issuer, subject, name, email, created_at, last_login_at FROM sso_accounts ORDER BY id LIMIT 100`)
	} else {
		accs, err = sso.FindAccounts(ctx, db, q, 100)
	}
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "编号\t姓名\t电子邮箱\tsub\tissuer\t最近登录")
	for _, a := range accs {
		last := "—"
		if a.LastLoginAt != nil {
			last = a.LastLoginAt.Format("2006-01-02 15:04")
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", a.ID, a.Name, a.Email, a.Subject, a.Issuer, last)
	}
	return tw.Flush()
}
