package web

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"time"

	"yiwang/core/certs"
	"yiwang/core/content"
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
	s      *Server
	stored CertsLister
	https  bool
}

// NewCertsConsole makes the county console's certificates page
// (/admin/county/certs on the portal, for platform admins): its console
// entry and notice; its route is added by core/web/host. stored lists the certificates; https says whether the process
// serves HTTPS itself (else TLS ends in front of it, and the page says
// so).
func NewCertsConsole(s *Server, stored CertsLister, https bool) *CertsConsole {
	s.addConsoleRoutes(ConsoleRoute{"GET", "/admin/county/certs"})
	s.AddAdminEntries(func(r *http.Request, t *tenants.Tenant, roles []tenants.Role) []AdminEntry {
		if !t.IsPortal() || !hasRole(roles, tenants.PlatformAdmin) {
			return nil
		}
		return []AdminEntry{{"HTTPS 证书", SiteOf(r).Base + "admin/county/certs", "各站点域名的证书和到期时间，即将到期的会标出。"}}
	})
	if https {
		s.AddCountyNotices(func(r *http.Request) []CountyNotice {
			v, err := s.certsView(r, stored)
			if err != nil || v.Warn == 0 {
				return nil
			}
			return []CountyNotice{{Text: fmt.Sprintf("有 %d 个域名的 HTTPS 证书已过期或即将到期而未能续期。", v.Warn), URL: SiteOf(r).Base + "admin/county/certs"}}
		})
	}
	return &CertsConsole{s: s, stored: stored, https: https}
}

// Page lists every active site's domains with their certificates.
func (c *CertsConsole) Page(w http.ResponseWriter, r *http.Request, _ *Accounts, _ *sso.User) {
	c.s.renderCerts(w, r, c.stored, c.https)
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

func (s *Server) renderCerts(w http.ResponseWriter, r *http.Request, stored CertsLister, https bool) {
	v, err := s.certsView(r, stored)
	if err != nil {
		s.RenderError(w, r, err)
		return
	}
	v.HTTPS = https
	crumbs := []Crumb{{"管理后台", SiteOf(r).Base + "admin/"}, {"县级平台管理", SiteOf(r).Base + "admin/county/"}, {"HTTPS 证书", ""}}
	s.RenderStatus(w, r, "admin_certs", "HTTPS 证书 - 县级平台管理", crumbs, v, http.StatusOK)
}

// certsView lists every active site's domains with their certificates.
func (s *Server) certsView(r *http.Request, stored CertsLister) (*certsView, error) {
	cs, err := stored(r.Context())
	if err != nil {
		return nil, err
	}
	newest := map[string]certs.Certificate{}
	for _, c := range cs {
		if have, ok := newest[c.Name]; !ok || c.NotAfter.After(have.NotAfter) {
			newest[c.Name] = c
		}
	}
	ts, err := s.tenants.List(r.Context())
	if err != nil {
		return nil, err
	}
	now := time.Now()
	v := &certsView{}
	var bars []hbar
	for _, t := range ts {
		if t.Status != tenants.Active {
			continue
		}
		for _, d := range t.Domains {
			row := certRow{Site: t.Name, Domain: d, State: "尚未申请（首次访问时申请）"}
			if c, ok := newest[d]; ok {
				left := c.NotAfter.Sub(now)
				row.Issuer, row.Expires, row.DaysLeft = c.Issuer, content.FormatTime(c.NotAfter), int(left.Hours()/24)
				color := "#1e6b34"
				switch {
				case left <= 0:
					row.State, row.Warn, color = "已过期", true, "#a50e0e"
				case left < renewWarn:
					row.State, row.Warn, color = fmt.Sprintf("即将到期（续期未成功，剩 %d 天）", row.DaysLeft), true, "#a50e0e"
				default:
					row.State = fmt.Sprintf("有效，剩 %d 天", row.DaysLeft)
				}
				bars = append(bars, hbar{d, float64(max(row.DaysLeft, 0)), color})
			}
			if row.Warn {
				v.Warn++
			}
			v.Rows = append(v.Rows, row)
		}
	}
	v.Chart = horizontalBars("certs-days", "各域名证书的剩余天数", bars, false)
	return v, nil
}
