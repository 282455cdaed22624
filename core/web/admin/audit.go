package admin

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"yiwang/core"
	"yiwang/core/audit"
	"yiwang/core/content"
	"yiwang/core/store"
	"yiwang/core/web"
	"yiwang/sso"
	"yiwang/tenants"
)

// The audit-log viewer. The log is append-only: nothing on the web edits
// or deletes it, and nothing in the platform deletes it at all, so it is
// kept at least the 180 days the rules ask for (archiving older rows is an
// operator's job, see deploy/README.md). A site admin reads their tenant's
// entries; a platform admin reads and filters all of them.

const auditPage = 50

// AuditFilter is the viewer's query, as the form carries it.
type AuditFilter struct {
	Tenant string // code (county console only)
	Action string // prefix: "role." or "tenant.create"
	Actor  string // account number, "user:12", "cli:root", or part of it
	Result string // ok | error | denied
	From   string // YYYY-MM-DD, Beijing time
	To     string
	Before int64 // id cursor for the next page
}

// auditRow is one entry as shown.
type auditRow struct {
	audit.Entry
	When, Who, From, Tenant, ActionLabel, TargetShown string
}

// auditView is the data of admin_audit.html.
type auditView struct {
	County  bool
	Filter  AuditFilter
	Rows    []auditRow
	Next    string // URL of the next (older) page
	Tenants []*tenants.Tenant
	Results []string
	Chain   *audit.ChainState // the hash chain, on the county console
}

var actionLabels = map[string]string{
	"tenant.create": "创建站点", "tenant.update": "修改站点信息", "tenant.archive": "归档站点", "tenant.restore": "恢复站点",
	"tenant.domain.add": "映射域名", "tenant.domain.remove": "移除域名", "tenant.import": "导入站点",
	"template.update": "修改栏目模板", "article.publish": "发布文章", "article.unpublish": "撤下文章",
	"role.grant": "授予角色", "role.revoke": "收回角色", "account.login": "工作人员登录", "account.logout": "工作人员退出",
	"account.mfa": "动态验证码验证", "account.totp.enrol": "绑定动态验证码", "console.denied": "越权访问被拒绝",
}

// ReadAuditFilter reads the audit viewer's filter from the query.
func ReadAuditFilter(r *http.Request) AuditFilter {
	q := r.URL.Query()
	f := AuditFilter{Tenant: strings.TrimSpace(q.Get("tenant")), Action: strings.TrimSpace(q.Get("action")),
		Actor: strings.TrimSpace(q.Get("actor")), Result: q.Get("result"), From: q.Get("from"), To: q.Get("to")}
	f.Before, _ = strconv.ParseInt(q.Get("before"), 10, 64)
	return f
}

// TenantAudit is the audit log of this site.
func (a *Consoles) TenantAudit(w http.ResponseWriter, r *http.Request, u *sso.User) {
	t := web.SiteOf(r).Tenant
	f := ReadAuditFilter(r)
	f.Tenant = t.Code
	a.RenderAudit(w, r, f, &t.ID, false, adminCrumbs(r, web.Crumb{Name: "审计日志", URL: ""}))
}

// RenderAudit shows the audit log of tenantID (every tenant for nil) as
// f selects; county adds the tenant column and filter.
func (a *Consoles) RenderAudit(w http.ResponseWriter, r *http.Request, f AuditFilter, tenantID *int64, county bool, crumbs []web.Crumb) {
	es, err := a.queryAudit(r.Context(), f, tenantID)
	if err != nil {
		a.srv.RenderError(w, r, err)
		return
	}
	v := auditView{County: county, Filter: f, Results: []string{"ok", "error", "denied"}}
	if county {
		v.Tenants = web.Tenants(r)
		if v.Chain, err = audit.State(r.Context(), a.srv.DB()); err != nil {
			a.srv.RenderError(w, r, err)
			return
		}
	}
	if len(es) > auditPage {
		es = es[:auditPage]
		q := r.URL.Query()
		q.Set("before", strconv.FormatInt(es[len(es)-1].ID, 10))
		v.Next = "?" + q.Encode()
	}
	names, err := ActorNames(r.Context(), a.srv.DB(), es)
	if err != nil {
		a.srv.RenderError(w, r, err)
		return
	}
	byID := map[int64]string{}
	for _, t := range web.Tenants(r) {
		byID[t.ID] = t.Name
	}
	for _, e := range es {
		row := auditRow{Entry: e, When: e.At.In(content.Location).Format("2006-01-02 15:04:05"), Who: e.Actor, From: e.RemoteAddr,
			ActionLabel: actionLabels[e.Action], TargetShown: e.Target}
		if n := names["user:"+strings.TrimPrefix(e.Target, "account:")]; n != "" && strings.HasPrefix(e.Target, "account:") {
			row.TargetShown = n + "（" + e.Target + "）"
		}
		actor, at, found := strings.Cut(e.Actor, "@")
		if found && row.From == "" {
			row.From = at
		}
		if n := names[actor]; n != "" {
			row.Who = n + "（" + actor + "）"
		}
		if e.TenantID != nil {
			row.Tenant = byID[*e.TenantID]
		}
		v.Rows = append(v.Rows, row)
	}
	title := "审计日志"
	if !county {
		title += " - " + web.SiteOf(r).Tenant.Name
	}
	a.srv.RenderStatus(w, r, "admin_audit", title, crumbs, v, http.StatusOK)
}

// queryAudit reads one page (and one more row, to know whether there is a
// next page) of the log, newest first.
func (a *Consoles) queryAudit(ctx context.Context, f AuditFilter, tenantID *int64) ([]audit.Entry, error) {
	q := `SELECT id, at, actor, action, tenant_id, target, detail, remote_addr, result FROM audit_log WHERE 1=1`
	var args []any
	if tenantID != nil {
		q += ` AND tenant_id = ?`
		args = append(args, *tenantID)
	}
	if f.Action != "" {
		q += ` AND action LIKE ? ESCAPE '!'`
		args = append(args, auditLike(f.Action)+"%")
	}
	if f.Actor != "" {
		actor := f.Actor
		if _, err := strconv.ParseInt(actor, 10, 64); err == nil {
			actor = "user:" + actor
		}
		q += ` AND (actor = ? OR actor LIKE ? ESCAPE '!')`
		args = append(args, actor, "%"+auditLike(actor)+"%")
	}
	if f.Result != "" {
		q += ` AND result = ?`
		args = append(args, f.Result)
	}
	if t, ok := auditDay(f.From); ok {
		q += ` AND at >= ?`
		args = append(args, t)
	}
	if t, ok := auditDay(f.To); ok {
		q += ` AND at < ?`
		args = append(args, t.Add(24*time.Hour))
	}
	if f.Before > 0 {
		q += ` AND id < ?`
		args = append(args, f.Before)
	}
	q += fmt.Sprintf(` ORDER BY id DESC LIMIT %d`, auditPage+1)
	var out []audit.Entry
	if err := a.srv.DB().SelectContext(ctx, &out, q, args...); err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	return out, nil
}

// ActorNames maps the "user:N" actors and "account:N" targets of es to
// account names (keyed "user:N").
func ActorNames(ctx context.Context, db *store.DB, es []audit.Entry) (map[string]string, error) {
	out := map[string]string{}
	var keys []string
	for _, e := range es {
		actor, _, _ := strings.Cut(e.Actor, "@")
		keys = append(keys, actor)
		if n, ok := strings.CutPrefix(e.Target, "account:"); ok {
			keys = append(keys, "user:"+n)
		}
	}
	for _, actor := range keys {
		n, ok := strings.CutPrefix(actor, "user:")
		if !ok {
			continue
		}
		if _, seen := out[actor]; seen {
			continue
		}
		id, err := strconv.ParseInt(n, 10, 64)
		if err != nil {
			continue
		}
		acc, err := sso.AccountByID(ctx, db, id)
		switch {
		case err == nil:
			out[actor] = acc.DisplayName()
		case core.ErrorCode(err) == core.ENOTFOUND:
			out[actor] = ""
		default:
			return nil, err
		}
	}
	return out, nil
}

func auditLike(s string) string {
	return strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(s)
}

// auditDay reads YYYY-MM-DD as the start of that day in Beijing time.
func auditDay(s string) (time.Time, bool) {
	t, err := time.ParseInLocation("2006-01-02", s, content.Location)
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}
