package web

import (
	"net/http"
	"strconv"
	"strings"

	"yiwang/core"
	"yiwang/core/content"
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

func (e *Editorial) enableStorage() {
	s := e.s
	s.AddConsoleRoutes(ConsoleRoute{"GET", "/admin/county/storage"}, ConsoleRoute{"POST", "/admin/county/storage"})
	s.AddAdminEntries(func(r *http.Request, t *tenants.Tenant, roles []tenants.Role) []AdminEntry {
		if !t.IsPortal() || !hasRole(roles, tenants.PlatformAdmin) {
			return nil
		}
		return []AdminEntry{{"存储空间", SiteOf(r).Base + "admin/county/storage", "各站点附件和视频占用的空间与限额，调整各站限额。"}}
	})
}

func (e *Editorial) countyActor(r *http.Request, acc *Accounts, u *sso.User) content.Actor {
	t := SiteOf(r).Tenant
	return content.Actor{TenantID: t.ID, UserID: u.ID, Name: u.DisplayName(), Roles: u.Roles(t.ID), RemoteAddr: acc.clientIP(r)}
}

func (e *Editorial) renderStorage(w http.ResponseWriter, r *http.Request, acc *Accounts, u *sso.User, done string, failed error) {
	def := e.opts.Uploads.TenantQuota
	if def <= 0 {
		def = content.DefaultTenantQuota
	}
	rows, err := e.d.Storage(r.Context(), e.countyActor(r, acc, u), def)
	if err != nil {
		e.s.RenderError(w, r, err)
		return
	}
	// The fullest first: a site about to hit its quota is the news.
	sortStorage(rows)
	v := storageView{Rows: rows, Default: content.FormatBytes(def), Done: done}
	if e.opts.Uploads.Store != nil {
		v.Store = e.opts.Uploads.Store.Name()
	}
	for _, r := range rows {
		v.TotalFiles += r.Files
		v.TotalBytes += r.Bytes
	}
	status := http.StatusOK
	if failed != nil {
		v.Error, status = core.ErrorMessage(failed), StatusOf(failed)
	}
	crumbs := []Crumb{{"管理后台", SiteOf(r).Base + "admin/"}, {"县级平台管理", SiteOf(r).Base + "admin/county/"}, {"存储空间", ""}}
	e.s.RenderStatus(w, r, "admin_storage", "存储空间 - 县级平台管理", crumbs, v, status)
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

// StoragePage is the county's storage console.
func (e *Editorial) StoragePage(w http.ResponseWriter, r *http.Request, acc *Accounts, u *sso.User) {
	done := ""
	if r.URL.Query().Get("done") == "1" {
		done = "限额已修改。"
	}
	e.renderStorage(w, r, acc, u, done, nil)
}

// StorageQuota sets one tenant's quota.
func (e *Editorial) StorageQuota(w http.ResponseWriter, r *http.Request, acc *Accounts, u *sso.User) {
	a := e.countyActor(r, acc, u)
	tid, _ := strconv.ParseInt(r.PostFormValue("tenant"), 10, 64)
	mb, err := strconv.ParseInt(strings.TrimSpace(r.PostFormValue("quota_mb")), 10, 64)
	if err != nil || mb < 0 {
		e.renderStorage(w, r, acc, u, "", core.Errorf(core.EINVALID, "限额请填写不小于 0 的整数（MB；0 表示平台默认）"))
		return
	}
	if err := e.d.SetQuota(r.Context(), a, tid, mb<<20); err != nil {
		e.renderStorage(w, r, acc, u, "", err)
		return
	}
	http.Redirect(w, r, SiteOf(r).Base+"admin/county/storage?done=1", http.StatusSeeOther)
}
