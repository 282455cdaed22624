package county

import (
	"net/http"
	"strconv"
	"strings"

	"yiwang/core"
	"yiwang/core/content"
	"yiwang/core/web"
	"yiwang/core/web/account"
	"yiwang/core/web/admin"
	"yiwang/sso"
	"yiwang/tenants"
)

// The county office's view of storage: every site's files, videos and
// uploads in progress against its quota, the fullest first, with the
// quota changed per site (audited). /admin/county/storage on the portal.

type storageView struct {
	Rows        []content.TenantStorage
	Store       string
	Default     string
	TotalFiles  int64
	TotalBytes  int64
	Done, Error string
}

// StoragePage is the county console's storage page, over the editorial
// console's desk and uploads.
type StoragePage struct {
	s *web.Server
	e *admin.Editorial
}

// NewStoragePage makes the county console's storage page
// (/admin/county/storage on the portal, for platform admins): its console
// entry; its routes are added by core/web/host.
func NewStoragePage(s *web.Server, e *admin.Editorial) *StoragePage {
	s.AddConsoleRoutes(web.ConsoleRoute{Method: "GET", Path: "/admin/county/storage"}, web.ConsoleRoute{Method: "POST", Path: "/admin/county/storage"})
	s.AddAdminEntries(func(r *http.Request, t *tenants.Tenant, roles []tenants.Role) []web.AdminEntry {
		if !onPortalFor(t, roles) {
			return nil
		}
		return []web.AdminEntry{{Title: "存储空间", URL: web.SiteOf(r).Base + "admin/county/storage", Description: "各站点附件和视频占用的空间与限额，调整各站限额。"}}
	})
	return &StoragePage{s: s, e: e}
}

func (p *StoragePage) countyActor(r *http.Request, acc *account.Accounts, u *sso.User) content.Actor {
	t := web.SiteOf(r).Tenant
	return content.Actor{TenantID: t.ID, UserID: u.ID, Name: u.DisplayName(), Roles: u.Roles(t.ID), RemoteAddr: acc.ClientIP(r)}
}

func (p *StoragePage) renderStorage(w http.ResponseWriter, r *http.Request, acc *account.Accounts, u *sso.User, done string, failed error) {
	def := p.e.Options().Uploads.TenantQuota
	if def <= 0 {
		def = content.DefaultTenantQuota
	}
	rows, err := p.e.Desk().Storage(r.Context(), p.countyActor(r, acc, u), def)
	if err != nil {
		p.s.RenderError(w, r, err)
		return
	}
	// The fullest first: a site about to hit its quota is the news.
	sortStorage(rows)
	v := storageView{Rows: rows, Default: content.FormatBytes(def), Done: done}
	if p.e.Options().Uploads.Store != nil {
		v.Store = p.e.Options().Uploads.Store.Name()
	}
	for _, r := range rows {
		v.TotalFiles += r.Files
		v.TotalBytes += r.Bytes
	}
	status := http.StatusOK
	if failed != nil {
		v.Error, status = core.ErrorMessage(failed), web.StatusOf(failed)
	}
	crumbs := crumbs(r, "存储空间")
	p.s.RenderStatus(w, r, "admin_storage", "存储空间 - 县级平台管理", crumbs, v, status)
}

func sortStorage(rows []content.TenantStorage) {
	for i := 1; i < len(rows); i++ {
		for j := i; j > 0 && less(rows[j], rows[j-1]); j-- {
			rows[j], rows[j-1] = rows[j-1], rows[j]
		}
	}
}

func less(a, b content.TenantStorage) bool {
	if a.Percent() != b.Percent() {
		return a.Percent() > b.Percent()
	}
	if a.Bytes != b.Bytes {
		return a.Bytes > b.Bytes
	}
	return a.TenantID < b.TenantID
}

// Page is the county's storage console.
func (p *StoragePage) Page(w http.ResponseWriter, r *http.Request, acc *account.Accounts, u *sso.User) {
	done := ""
	if r.URL.Query().Get("done") == "1" {
		done = "限额已修改。"
	}
	p.renderStorage(w, r, acc, u, done, nil)
}

// Quota sets one tenant's quota.
func (p *StoragePage) Quota(w http.ResponseWriter, r *http.Request, acc *account.Accounts, u *sso.User) {
	a := p.countyActor(r, acc, u)
	tid, _ := strconv.ParseInt(r.PostFormValue("tenant"), 10, 64)
	mb, err := strconv.ParseInt(strings.TrimSpace(r.PostFormValue("quota_mb")), 10, 64)
	if err != nil || mb < 0 {
		p.renderStorage(w, r, acc, u, "", core.Errorf(core.EINVALID, "限额请填写不小于 0 的整数（MB；0 表示平台默认）"))
		return
	}
	if err := p.e.Desk().SetQuota(r.Context(), a, tid, mb<<20); err != nil {
		p.renderStorage(w, r, acc, u, "", err)
		return
	}
	http.Redirect(w, r, web.SiteOf(r).Base+"admin/county/storage?done=1", http.StatusSeeOther)
}
