package county

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"yiwang/core"
	"yiwang/core/audit"
	"yiwang/core/content"
	"yiwang/core/search"
	"yiwang/core/web"
	"yiwang/core/web/account"
	"yiwang/core/web/admin"
	"yiwang/sso"
	"yiwang/tenants"
)

// The county office's view of the search index: how many documents it
// holds, what waits in the outbox (and what keeps failing), and the last
// rebuild with its progress, which a button starts for every site or one.
// The server's worker does the rebuild; the page follows it.

// NewSearchConsole makes the county console's search index page
// (/admin/county/search on the portal, for platform admins): its console
// entry and notice; its routes are added by core/web/host. describe names the backend ("bleve:data/search");
// stale reports that this server's own index misses changes another
// server applies (several servers on an embedded index).
func NewSearchConsole(s *web.Server, idx search.Index, describe string, stale func() bool) SearchConsole {
	c := SearchConsole{srv: s, idx: idx, describe: describe, stale: stale}
	s.AddConsoleRoutes(web.ConsoleRoute{Method: "GET", Path: "/admin/county/search"},
		web.ConsoleRoute{Method: "GET", Path: "/admin/county/search/status"},
		web.ConsoleRoute{Method: "POST", Path: "/admin/county/search/rebuild"})
	if stale != nil {
		s.AddCountyNotices(func(r *http.Request) []web.CountyNotice {
			if !stale() {
				return nil
			}
			return []web.CountyNotice{{Text: "本服务器的内嵌搜索索引不再收到更新（另一台服务器在写入）：多台服务器须共用 Elasticsearch 索引。", URL: web.SiteOf(r).Base + "admin/county/search"}}
		})
	}
	s.AddAdminEntries(func(r *http.Request, t *tenants.Tenant, roles []tenants.Role) []web.AdminEntry {
		if !onPortalFor(t, roles) {
			return nil
		}
		return []web.AdminEntry{{Title: "搜索索引", URL: web.SiteOf(r).Base + "admin/county/search", Description: "统一检索的索引：文档数、待写入的变更、重建索引及其进度。"}}
	})
	return c
}

type SearchConsole struct {
	srv      *web.Server
	idx      search.Index
	describe string
	stale    func() bool
}

type searchConsoleView struct {
	Backend   string
	Stale     bool
	Documents int
	CountErr  bool
	Backlog   *search.Backlog
	OldestAge string
	Rebuild   *rebuildView
	Tenants   []*tenants.Tenant
	Action    string
	StatusURL string
	Done      string
}

// rebuildView is the last rebuild as the page (and its JSON) says it.
type rebuildView struct {
	Scope, By, Requested string
	Running              bool
	Pending              bool // asked for and not finished: the page keeps asking
	Done, Total, Percent int
	State                string // one sentence, for people
	Failed               bool
}

func (c SearchConsole) rebuildView(r *http.Request, a *account.Accounts, rb *search.Rebuild) (*rebuildView, error) {
	if rb == nil {
		return nil, nil
	}
	// Who asked, by name, as the audit log shows it.
	names, err := admin.ActorNames(r.Context(), c.srv.DB(), []audit.Entry{{Actor: rb.RequestedBy}})
	if err != nil {
		return nil, err
	}
	by := names[rb.RequestedBy]
	if by == "" {
		by = rb.RequestedBy
	}
	v := &rebuildView{Scope: "全部站点", By: by, Requested: content.FormatTime(rb.RequestedAt),
		Running: rb.Running(), Pending: rb.FinishedAt == nil, Done: rb.Done, Total: rb.Total, Percent: rb.Percent()}
	if rb.TenantID != 0 {
		if t, err := c.srv.TenantStore().ByID(r.Context(), rb.TenantID); err == nil {
			v.Scope = t.Name
		}
	}
	switch {
	case rb.StartedAt == nil:
		v.State = "已请求，等待服务开始重建。"
	case rb.Running():
		v.State = fmt.Sprintf("正在重建：已写入 %d 篇", rb.Done)
		if rb.Total > 0 {
			v.State += fmt.Sprintf("，共约 %d 篇（%d%%）", rb.Total, v.Percent)
		}
		v.State += "。"
	case rb.Error != "":
		v.Failed = true
		v.State = fmt.Sprintf("%s 结束，写入 %d 篇，但有部分未完成：%s", content.FormatTime(*rb.FinishedAt), rb.Done, rb.Error)
	default:
		v.State = fmt.Sprintf("%s 完成，共写入 %d 篇。", content.FormatTime(*rb.FinishedAt), rb.Done)
	}
	return v, nil
}

func (c SearchConsole) render(w http.ResponseWriter, r *http.Request, a *account.Accounts, errMsg string, status int) {
	ctx := r.Context()
	base := web.SiteOf(r).Base + "admin/county/search"
	v := searchConsoleView{Backend: c.describe, Action: base + "/rebuild", StatusURL: base + "/status", Stale: c.stale != nil && c.stale()}
	n, err := c.idx.Count(ctx)
	v.Documents, v.CountErr = n, err != nil
	if v.Backlog, err = search.OutboxBacklog(ctx, c.srv.DB()); err != nil {
		c.srv.RenderError(w, r, err)
		return
	}
	if v.Backlog.Oldest != nil {
		v.OldestAge = ageOf(time.Since(*v.Backlog.Oldest))
	}
	rb, err := search.LastRebuild(ctx, c.srv.DB())
	if err != nil {
		c.srv.RenderError(w, r, err)
		return
	}
	if v.Rebuild, err = c.rebuildView(r, a, rb); err != nil {
		c.srv.RenderError(w, r, err)
		return
	}
	ts, err := c.srv.TenantStore().List(ctx)
	if err != nil {
		c.srv.RenderError(w, r, err)
		return
	}
	for _, t := range ts {
		if t.Status == tenants.Active {
			v.Tenants = append(v.Tenants, t)
		}
	}
	if r.URL.Query().Get("done") == "rebuild" {
		v.Done = "已请求重建索引，进度显示在下面。重建期间搜索照常可用。"
	}
	crumbs := crumbs(r, "搜索索引")
	c.srv.RenderStatus(w, r, "admin_search", "搜索索引 - 县级平台管理", crumbs, web.ConsoleForm{Data: v, Error: errMsg}, status)
}

// ageOf says a duration the way the page does ("3 分钟").
func ageOf(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "不到 1 分钟"
	case d < time.Hour:
		return fmt.Sprintf("%d 分钟", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d 小时", int(d/time.Hour))
	}
	return fmt.Sprintf("%d 天", int(d/(24*time.Hour)))
}

// Status answers the page's progress poll.
func (c SearchConsole) Status(w http.ResponseWriter, r *http.Request, a *account.Accounts, _ *sso.User) {
	rb, err := search.LastRebuild(r.Context(), c.srv.DB())
	if err != nil {
		web.WriteJSON(w, web.StatusOf(err), map[string]string{"error": core.ErrorMessage(err)})
		return
	}
	v, err := c.rebuildView(r, a, rb)
	if err != nil {
		web.WriteJSON(w, web.StatusOf(err), map[string]string{"error": core.ErrorMessage(err)})
		return
	}
	if v == nil {
		v = &rebuildView{State: "还没有重建过。"}
	}
	w.Header().Set("Cache-Control", "no-store")
	web.WriteJSON(w, http.StatusOK, v)
}

func (c SearchConsole) Rebuild(w http.ResponseWriter, r *http.Request, a *account.Accounts, u *sso.User) {
	var tenantID int64
	if code := strings.TrimSpace(r.PostFormValue("tenant")); code != "" {
		t, err := c.srv.TenantStore().ByCode(r.Context(), code)
		if err != nil {
			c.render(w, r, a, core.ErrorMessage(err), web.StatusOf(err))
			return
		}
		tenantID = t.ID
	}
	if err := search.RequestRebuild(r.Context(), c.srv.DB(), u.Actor(), tenantID); err != nil {
		c.srv.RenderError(w, r, err)
		return
	}
	http.Redirect(w, r, web.SiteOf(r).Base+"admin/county/search?done=rebuild", http.StatusSeeOther)
}

// Page is the search console.
func (c SearchConsole) Page(w http.ResponseWriter, r *http.Request, a *account.Accounts, _ *sso.User) {
	c.render(w, r, a, "", http.StatusOK)
}
