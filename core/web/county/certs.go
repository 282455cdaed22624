package county

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"time"

	"yiwang/core/certs"
	"yiwang/core/content"
	"yiwang/core/web"
	"yiwang/core/web/account"
	"yiwang/sso"
	"yiwang/tenants"
)

// The county office's view of HTTPS: every domain mapped to a site, with
// its certificate's expiry (or none yet), as a table and a chart of the
// days left, so that a certificate about to lapse is seen before it does.

// renewWarn is how close to expiry a certificate is flagged: certmagic
// renews a third of the lifetime ahead (30 days for 90-day certificates),
// so one this close has failed to renew.
const renewWarn = 20 * 24 * time.Hour

// CertsLister lists the stored certificates.
type CertsLister = func(ctx context.Context) ([]certs.Certificate, error)

// CertsConsole is the county console's certificates page.
type CertsConsole struct {
	s      *web.Server
	stored CertsLister
	https  bool
}

// NewCertsConsole makes the county console's certificates page
// (/admin/county/certs on the portal, for platform admins): its console
// entry and notice; its route is added by core/web/host. stored lists
// the certificates; https says whether the process serves HTTPS itself
// (else TLS ends in front of it, and the page says so).
func NewCertsConsole(s *web.Server, stored CertsLister, https bool) *CertsConsole {
	s.AddConsoleRoutes(web.ConsoleRoute{Method: "GET", Path: "/admin/county/certs"})
	s.AddAdminEntries(func(r *http.Request, t *tenants.Tenant, roles []tenants.Role) []web.AdminEntry {
		if !onPortalFor(t, roles) {
			return nil
		}
		return []web.AdminEntry{{Title: "HTTPS 证书", URL: web.SiteOf(r).Base + "admin/county/certs", Description: "各站点域名的证书和到期时间，即将到期的会标出。"}}
	})
	if https {
		s.AddCountyNotices(func(r *http.Request) []web.CountyNotice {
			c := &CertsConsole{s: s, stored: stored, https: https}
			v, err := c.view(r)
			if err != nil || v.Warn == 0 {
				return nil
			}
			return []web.CountyNotice{{Text: fmt.Sprintf("有 %d 个域名的 HTTPS 证书已过期或即将到期而未能续期。", v.Warn), URL: web.SiteOf(r).Base + "admin/county/certs"}}
		})
	}
	return &CertsConsole{s: s, stored: stored, https: https}
}

// Page lists every active site's domains with their certificates.
func (c *CertsConsole) Page(w http.ResponseWriter, r *http.Request, _ *account.Accounts, _ *sso.User) {
	v, err := c.view(r)
	if err != nil {
		c.s.RenderError(w, r, err)
		return
	}
	v.HTTPS = c.https
	c.s.RenderStatus(w, r, "admin_certs", "HTTPS 证书 - 县级平台管理", crumbs(r, "HTTPS 证书"), v, http.StatusOK)
}

type certRow struct {
	Site, Domain, Issuer, Expires string
	DaysLeft                      int
	State                         string // 有效, 即将到期, 已过期, 尚未申请
	Warn                          bool
}

type certsView struct {
	HTTPS bool
	Rows  []certRow
	Chart template.HTML
	Warn  int
}

// view lists every active site's domains with their certificates.
func (c *CertsConsole) view(r *http.Request) (*certsView, error) {
	cs, err := c.stored(r.Context())
	if err != nil {
		return nil, err
	}
	newest := map[string]certs.Certificate{}
	for _, cert := range cs {
		if have, ok := newest[cert.Name]; !ok || cert.NotAfter.After(have.NotAfter) {
			newest[cert.Name] = cert
		}
	}
	ts, err := c.s.TenantStore().List(r.Context())
	if err != nil {
		return nil, err
	}
	now := time.Now()
	v := &certsView{}
	var bars []web.Bar
	for _, t := range ts {
		if t.Status != tenants.Active {
			continue
		}
		for _, d := range t.Domains {
			row := certRow{Site: t.Name, Domain: d, State: "尚未申请（首次访问时申请）"}
			if cert, ok := newest[d]; ok {
				left := cert.NotAfter.Sub(now)
				row.Issuer, row.Expires, row.DaysLeft = cert.Issuer, content.FormatTime(cert.NotAfter), int(left.Hours()/24)
				color := "#1e6b34"
				switch {
				case left <= 0:
					row.State, row.Warn, color = "已过期", true, "#a50e0e"
				case left < renewWarn:
					row.State, row.Warn, color = fmt.Sprintf("即将到期（续期未成功，剩 %d 天）", row.DaysLeft), true, "#a50e0e"
				default:
					row.State = fmt.Sprintf("有效，剩 %d 天", row.DaysLeft)
				}
				bars = append(bars, web.Bar{Name: d, V: float64(max(row.DaysLeft, 0)), Color: color})
			}
			if row.Warn {
				v.Warn++
			}
			v.Rows = append(v.Rows, row)
		}
	}
	v.Chart = web.HorizontalBars("certs-days", "各域名证书的剩余天数", bars, false)
	return v, nil
}
