package provider

// DemoPassword is the password of every demo account.
const DemoPassword = "demo1234"

// DemoAccount is an account of the default run with the roles the
// platform grants it (tenant code and role; "" code for platform-wide).
type DemoAccount struct {
	Account
	Grants []DemoGrant
}

// DemoGrant is one role of a demo account.
type DemoGrant struct{ Tenant, Role string }

// Demo returns the demo accounts. Staff accounts but one have a TOTP
// secret at the provider, which then asserts amr ["pwd","otp"]; jyjadmin
// has none, so the platform asks them to enrol a TOTP code of its own at
// their first login, as it would with a provider that asserts no second
// factor.
func Demo() []DemoAccount {
	return []DemoAccount{
		{Account: Account{Username: "citizen", Subject: "demo-citizen", Name: "张小民", Email: "citizen@example.cn"}},
		{Account: Account{Username: "editor", Subject: "demo-editor", Name: "李文编", Email: "editor@example.cn", TOTPSecret: "YIWANGDEMOEDITOR"},
			Grants: []DemoGrant{{"jyj", "editor"}}},
		{Account: Account{Username: "reviewer", Subject: "demo-reviewer", Name: "王审核", Email: "reviewer@example.cn", TOTPSecret: "YIWANGDEMOREVIEW"},
			Grants: []DemoGrant{{"jyj", "reviewer"}}},
		{Account: Account{Username: "handler", Subject: "demo-handler", Name: "赵办理", Email: "handler@example.cn", TOTPSecret: "YIWANGDEMOHANDLR"},
			Grants: []DemoGrant{{"portal", "handler"}, {"jyj", "handler"}}},
		{Account: Account{Username: "admin", Subject: "demo-admin", Name: "陈管理", Email: "admin@example.cn", TOTPSecret: "YIWANGDEMOADMINS"},
			Grants: []DemoGrant{{"", "platform_admin"}}},
		{Account: Account{Username: "jyjadmin", Subject: "demo-jyjadmin", Name: "刘站长", Email: "jyjadmin@example.cn"},
			Grants: []DemoGrant{{"jyj", "site_admin"}}},
	}
}

// DemoAccounts returns the demo accounts as the provider's accounts, all
// with DemoPassword.
func DemoAccounts() []Account {
	var out []Account
	for _, d := range Demo() {
		a := d.Account
		a.Password = DemoPassword
		out = append(out, a)
	}
	return out
}
