package cli

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"yiwang/core"
	"yiwang/core/store"
	"yiwang/core/web/account"
	"yiwang/core/web/host"
	"yiwang/sso"
	"yiwang/sso/provider"
	"yiwang/tenants"
)

// Single sign-on in `yiwang serve`: the relying party, the central account
// host, and, in the default run, the built-in OpenID Provider with its demo
// accounts.

func init() {
	extendServe(serveExtension{name: "sso", flags: ssoFlags, start: ssoStart})
}

// ssoOptions are the sign-on flags of one serve command (a process serves
// once, so one set is enough).
type ssoOptions struct {
	fs         *flag.FlagSet
	idp        string
	accountURL string
	main       oidcFlags
	staff      oidcFlags
	idle, max  time.Duration
	keyFile    string
}

type oidcFlags struct {
	issuer, clientID, clientSecret, scopes, nameClaim, groupsClaim, mfaACR string
}

var ssoOpts ssoOptions

func ssoFlags(fs *flag.FlagSet) {
	o := &ssoOpts
	*o = ssoOptions{fs: fs}
	fs.StringVar(&o.idp, "idp", envOr("YIWANG_IDP", "builtin"),
		"身份提供方：builtin（内置演示身份提供方，仅供本地演示，绝不用于生产）或 oidc（用 --oidc-* 对接 OpenID Provider）")
	fs.StringVar(&o.accountURL, "account-url", envOr("YIWANG_ACCOUNT_URL", ""),
		"统一登录的中心账号主机，如 https://www.example.gov.cn（默认 http://门户主机:端口）；身份提供方只需登记其 /account/callback")
	bindOIDC(fs, &o.main, "oidc", "YIWANG_OIDC", "")
	bindOIDC(fs, &o.staff, "staff-oidc", "YIWANG_STAFF_OIDC", "工作人员专用")
	fs.DurationVar(&o.idle, "session-idle", 2*time.Hour, "登录会话闲置多久后失效")
	fs.DurationVar(&o.max, "session-max", 12*time.Hour, "登录会话最长有效期")
	fs.StringVar(&o.keyFile, "secret-key-file", envOr("YIWANG_SECRET_KEY_FILE", ""),
		"加密工作人员动态验证码密钥的密钥文件（默认 数据目录/secret.key，首次启动时生成）；也可用环境变量 YIWANG_SECRET_KEY 直接给出（base64）。多台服务器须使用同一密钥")
}

// sealKey is the key that seals the second-factor secrets kept in the
// database: YIWANG_SECRET_KEY (base64, from a secret store), or the key
// file, created with a new key on the first start of a single server.
func (o *ssoOptions) sealKey(e *env) ([]byte, error) {
	if v := os.Getenv("YIWANG_SECRET_KEY"); v != "" {
		k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(v))
		if err != nil || len(k) != sso.SealKeySize {
			return nil, usageError{fmt.Sprintf("YIWANG_SECRET_KEY 应为 %d 字节密钥的 base64（可用 openssl rand -base64 %d 生成）", sso.SealKeySize, sso.SealKeySize)}
		}
		return k, nil
	}
	path := o.keyFile
	if path == "" {
		path = filepath.Join(flagString(o.fs, "data"), "secret.key")
	}
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		k := make([]byte, sso.SealKeySize)
		if _, err := rand.Read(k); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return nil, err
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("create secret key file %s: %w", path, err)
		}
		_, err = f.WriteString(base64.StdEncoding.EncodeToString(k) + "\n")
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, fmt.Errorf("write secret key file %s: %w", path, err)
		}
		e.log.Warn("created a secret key for second-factor secrets: back it up with the database; every replica needs the same key (YIWANG_SECRET_KEY)", "file", path)
		return k, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read secret key file: %w", err)
	}
	k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil || len(k) != sso.SealKeySize {
		return nil, fmt.Errorf("secret key file %s: want the base64 of %d bytes", path, sso.SealKeySize)
	}
	return k, nil
}

func bindOIDC(fs *flag.FlagSet, f *oidcFlags, prefix, env, what string) {
	fs.StringVar(&f.issuer, prefix+"-issuer", envOr(env+"_ISSUER", ""), what+"OpenID Provider 的 issuer（"+env+"_ISSUER）")
	fs.StringVar(&f.clientID, prefix+"-client-id", envOr(env+"_CLIENT_ID", ""), what+"客户端标识（"+env+"_CLIENT_ID）")
	fs.StringVar(&f.clientSecret, prefix+"-client-secret", envOr(env+"_CLIENT_SECRET", ""), what+"客户端密钥（建议用环境变量 "+env+"_CLIENT_SECRET）")
	fs.StringVar(&f.scopes, prefix+"-scopes", envOr(env+"_SCOPES", "openid profile email"), what+"申请的 scope，空格分隔")
	fs.StringVar(&f.nameClaim, prefix+"-name-claim", envOr(env+"_NAME_CLAIM", "name"), what+"作为显示名称的 claim")
	fs.StringVar(&f.groupsClaim, prefix+"-groups-claim", envOr(env+"_GROUPS_CLAIM", ""),
		what+"分组 claim：值 yiwang:platform_admin 或 yiwang:<站点代码>:<角色> 授予角色（空则不映射）")
	fs.StringVar(&f.mfaACR, prefix+"-mfa-acr", envOr(env+"_MFA_ACR", ""), what+"表示已通过第二因素的 acr 值，逗号分隔（amr 中的 otp、mfa、hwk 等总是认可）")
}

func (f oidcFlags) provider(name, label string) sso.ProviderConfig {
	var acr []string
	for _, v := range strings.Split(f.mfaACR, ",") {
		if v = strings.TrimSpace(v); v != "" {
			acr = append(acr, v)
		}
	}
	return sso.ProviderConfig{Name: name, Label: label, Issuer: f.issuer, ClientID: f.clientID, ClientSecret: f.clientSecret,
		Scopes: strings.Fields(f.scopes), NameClaim: f.nameClaim, GroupsClaim: f.groupsClaim, MFAACR: acr}
}

func ssoStart(ctx context.Context, e *env, p *platform, srv *host.Server) (func(), error) {
	o := &ssoOpts
	accountURL, err := o.defaultAccountURL()
	if err != nil {
		return nil, err
	}
	key, err := o.sealKey(e)
	if err != nil {
		return nil, err
	}
	cfg := sso.Config{AccountURL: accountURL, SessionIdle: o.idle, SessionMax: o.max, SealKey: key, Log: e.log}
	opts := account.Options{PlatformName: platformName(ctx, p)}
	var builtin *provider.Provider
	switch o.idp {
	case "builtin":
		var secret string
		if builtin, secret, err = startBuiltinProvider(ctx, e, p, accountURL); err != nil {
			return nil, err
		}
		srv.Handle(builtin.Prefix()+"/", builtin)
		opts.ExemptPrefixes = []string{builtin.Prefix() + "/"}
		cfg.Providers = []sso.ProviderConfig{{Name: "builtin", Label: "登录", Issuer: builtin.Issuer(), ClientID: "yiwang", ClientSecret: secret}}
	case "oidc":
		if o.main.issuer == "" || o.main.clientID == "" {
			return nil, usageError{"--idp oidc 需要 --oidc-issuer 和 --oidc-client-id（以及 --oidc-client-secret 或 YIWANG_OIDC_CLIENT_SECRET）"}
		}
		if o.staff.issuer != "" {
			cfg.Providers = []sso.ProviderConfig{o.main.provider("citizen", "公众用户登录"), o.staff.provider("staff", "工作人员登录")}
		} else {
			cfg.Providers = []sso.ProviderConfig{o.main.provider("main", "登录")}
		}
	default:
		return nil, usageError{fmt.Sprintf("--idp 应为 builtin 或 oidc（收到 %q）", o.idp)}
	}
	svc, err := sso.New(ctx, p.db, p.tenants, tenants.NewMemberships(p.db), cfg)
	if errors.Is(err, sso.ErrSealKeyMismatch) {
		return nil, errors.New("密钥与数据库中已加密的动态验证码密钥不符：多台服务器须使用同一密钥（YIWANG_SECRET_KEY 或 --secret-key-file），请从首次启动的服务器复制")
	}
	if err != nil {
		return nil, err
	}
	if builtin != nil {
		if err := seedDemoAccounts(ctx, p, svc, builtin.Issuer()); err != nil {
			return nil, err
		}
	}
	srv.EnableAccounts(svc, opts)
	e.log.Info("single sign-on", "account_url", accountURL, "redirect_uri", svc.RedirectURI(), "idp", o.idp)

	// Expired tickets, requests in flight and old sessions go away.
	jctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(10 * time.Minute)
		defer t.Stop()
		for {
			if err := svc.Cleanup(jctx); err != nil && jctx.Err() == nil {
				e.log.Warn("sso cleanup", "err", err)
			}
			select {
			case <-jctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return func() { cancel(); <-done }, nil
}

// defaultAccountURL is --account-url, or http://<portal host>:<port of --addr>.
func (o *ssoOptions) defaultAccountURL() (string, error) {
	if o.accountURL != "" {
		return strings.TrimSuffix(o.accountURL, "/"), nil
	}
	host := "localhost"
	if f := o.fs.Lookup("portal-host"); f != nil && f.Value.String() != "" {
		host = f.Value.String()
	}
	u := "http://" + host
	if f := o.fs.Lookup("addr"); f != nil {
		if _, port, err := net.SplitHostPort(f.Value.String()); err == nil && port != "80" && port != "" {
			if port == "0" {
				return "", usageError{"--addr 的端口为 0 时须用 --account-url 指定中心账号主机"}
			}
			u += ":" + port
		}
	}
	return u, nil
}

func platformName(ctx context.Context, p *platform) string {
	ts, err := p.tenants.List(ctx)
	if err == nil {
		for _, t := range ts {
			if t.IsPortal() {
				return t.Name + "网站群"
			}
		}
	}
	return "政府网站集约化平台"
}

// startBuiltinProvider starts the demo OpenID Provider at
// <account URL>/idp, with a signing key kept in the database so that a
// restart does not invalidate what it signed.
func startBuiltinProvider(ctx context.Context, e *env, p *platform, accountURL string) (*provider.Provider, string, error) {
	pemKey, err := sso.Secret(ctx, p.db, "builtin-idp-rsa-key", func() (string, error) {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return "", err
		}
		return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})), nil
	})
	if err != nil {
		return nil, "", err
	}
	block, _ := pem.Decode([]byte(pemKey))
	if block == nil {
		return nil, "", errors.New("builtin provider: stored signing key is not PEM")
	}
	key, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		return nil, "", fmt.Errorf("builtin provider: stored signing key: %w", err)
	}
	secret, err := sso.Secret(ctx, p.db, "builtin-idp-client-secret", func() (string, error) { return randomSecret(), nil })
	if err != nil {
		return nil, "", err
	}
	prov, err := provider.New(provider.Config{
		Issuer:   accountURL + "/idp",
		Accounts: provider.DemoAccounts(),
		Clients: []provider.Client{{ID: "yiwang", Secret: secret,
			RedirectURIs:           []string{accountURL + "/account/callback"},
			PostLogoutRedirectURIs: []string{accountURL + "/account/logged-out"},
			BackchannelLogoutURI:   accountURL + "/account/backchannel-logout"}},
		Key: key, Demo: true, Log: e.log,
		Limiter: sso.NewSharedLimiter(p.db, "idp-login", 10, time.Minute, e.log),
	})
	if err != nil {
		return nil, "", err
	}
	e.log.Warn("！！！内置演示身份提供方已启用（--idp builtin）：仅供本地演示，演示账号密码公开，切勿用于生产环境。" +
		"生产环境请使用 --idp oidc 对接省统一身份认证平台或其他 OpenID Provider。")
	e.log.Warn("BUILT-IN DEMO IDENTITY PROVIDER IS ON: demo accounts with published passwords; never use it in production (use --idp oidc)",
		"issuer", prov.Issuer())
	return prov, secret, nil
}

// seedDemoAccounts gives the demo accounts their roles (idempotent; only
// the rows marked as demo are touched).
func seedDemoAccounts(ctx context.Context, p *platform, svc *sso.Service, issuer string) error {
	ms := svc.Memberships()
	for _, d := range provider.Demo() {
		acc, err := sso.EnsureAccount(ctx, p.db, issuer, d.Subject, d.Name, d.Email, false, store.Now())
		if err != nil {
			return fmt.Errorf("demo account %s: %w", d.Username, err)
		}
		var want []tenants.Membership
		for _, g := range d.Grants {
			m := tenants.Membership{Role: tenants.Role(g.Role)}
			if g.Tenant != "" {
				t, err := p.tenants.ByCode(ctx, g.Tenant)
				if core.ErrorCode(err) == core.ENOTFOUND {
					continue
				}
				if err != nil {
					return err
				}
				m.TenantID = t.ID
			}
			want = append(want, m)
		}
		if err := ms.SyncSource(ctx, "system:demo", acc.ID, tenants.SourceDemo, want); err != nil {
			return fmt.Errorf("demo account %s: %w", d.Username, err)
		}
	}
	return nil
}

func randomSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
