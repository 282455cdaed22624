package monitor

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"yiwang/core"
	"yiwang/core/audit"
	"yiwang/core/content"
	"yiwang/core/store"
	"yiwang/tenants"
)

// The yearly website report (政府网站工作年度报表) in the national form's
// sections, each site's due by 31 January of the next year. The platform
// fills what it knows (the site's facts, what it published, its topics,
// letters and interviews, as its modules report them); people enter the
// rest (visits, services, security, new media), then publish it, which
// freezes the counts.

// YearField is one line of the form.
type YearField struct {
	Key, Section, Label, Unit string
	Auto                      bool // the platform counts it
	Text                      bool // free text, not a number
}

// YearForm is the national form's lines in order.
var YearForm = []YearField{
	{"site_name", "基本信息", "网站名称", "", true, true},
	{"home_url", "基本信息", "首页网址", "", true, true},
	{"sponsor", "基本信息", "主办单位", "", true, true},
	{"site_kind", "基本信息", "网站类型", "", true, true},
	{"site_id_code", "基本信息", "政府网站标识码", "", true, true},
	{"icp", "基本信息", "ICP备案号", "", true, true},
	{"psb", "基本信息", "公安机关备案号", "", true, true},
	{"visitors", "基本信息", "独立用户访问总量", "个", false, false},
	{"visits", "基本信息", "网站总访问量", "次", false, false},
	{"info_total", "信息发布", "总数", "条", true, false},
	{"info_overview", "信息发布", "概况类信息更新量", "条", false, false},
	{"info_news", "信息发布", "政务动态信息更新量", "条", true, false},
	{"info_disclosure", "信息发布", "信息公开目录信息更新量", "条", true, false},
	{"topics_kept", "专栏专题", "维护数量", "个", true, false},
	{"topics_new", "专栏专题", "新开设数量", "个", true, false},
	{"interp_total", "政策解读", "总数", "条", false, false},
	{"interp_docs", "政策解读", "解读材料数量", "条", false, false},
	{"interp_products", "政策解读", "解读产品数量", "条", false, false},
	{"interp_media", "政策解读", "媒体评论文章数量", "篇", false, false},
	{"hot_topics", "回应关切", "回应公众关注热点或重大舆情数量", "次", false, false},
	{"svc_catalogue", "办事服务", "是否发布服务事项目录", "", false, true},
	{"svc_users", "办事服务", "注册用户数", "个", false, false},
	{"svc_items", "办事服务", "政务服务事项数量", "项", false, false},
	{"svc_online", "办事服务", "可全程在线办理政务服务事项数量", "项", false, false},
	{"svc_cases", "办事服务", "办件量总数", "件", false, false},
	{"msg_received", "互动交流", "收到留言数量", "条", true, false},
	{"msg_closed", "互动交流", "办结留言数量", "条", true, false},
	{"msg_avg_days", "互动交流", "平均办理时间", "天", false, false},
	{"msg_public", "互动交流", "公开答复数量", "条", false, false},
	{"survey_rounds", "互动交流", "征集调查期数", "期", false, false},
	{"interviews", "互动交流", "在线访谈期数", "期", true, false},
	{"interview_questions", "互动交流", "在线访谈网民留言数量", "条", true, false},
	{"interview_answers", "互动交流", "答复网民提问数量", "条", true, false},
	{"sec_checks", "安全防护", "安全检测评估次数", "次", false, false},
	{"sec_found", "安全防护", "发现问题数量", "个", false, false},
	{"sec_fixed", "安全防护", "问题整改数量", "个", false, false},
	{"sec_owner", "安全防护", "网站安全责任人", "", false, true},
	{"media", "移动新媒体", "政务新媒体账号（名称、信息发布量、关注量）", "", false, true},
	{"innovation", "创新发展", "创新发展情况", "", false, true},
}

// YearReport is a site's report of a year.
type YearReport struct {
	TenantID    int64
	Year        int
	Values      map[string]string
	Status      string // "" (not started), draft, published
	UpdatedBy   string
	UpdatedAt   time.Time
	PublishedAt *time.Time
}

// Due is the day the report is due.
func (r *YearReport) Due() string { return fmt.Sprintf("%d-01-31", r.Year+1) }

// ModuleYear are the modules' figures of a tenant for the year, by
// module and stat name.
type ModuleYear map[string]map[string]float64

// YearCounts are the platform's own counts of a site's year.
func (s *Store) YearCounts(ctx context.Context, t *tenants.Tenant, homeURL string, year int, mods ModuleYear) (map[string]string, error) {
	from := time.Date(year, 1, 1, 0, 0, 0, 0, content.Location)
	to := from.AddDate(1, 0, 0)
	var total, news int
	if err := s.db.GetContext(ctx, &total, `SELECT COUNT(*) FROM articles WHERE tenant_id = ? AND status = 'published' AND published_at >= ? AND published_at < ?`,
		t.ID, from.UTC(), to.UTC()); err != nil {
		return nil, fmt.Errorf("year counts: %w", err)
	}
	if err := s.db.GetContext(ctx, &news, `SELECT COUNT(*) FROM articles a JOIN site_columns c ON c.id = a.column_id AND c.tenant_id = a.tenant_id
		WHERE a.tenant_id = ? AND c.slug = 'gzdt' AND a.status = 'published' AND a.published_at >= ? AND a.published_at < ?`, t.ID, from.UTC(), to.UTC()); err != nil {
		return nil, fmt.Errorf("year counts: %w", err)
	}
	kind := "部门网站"
	if t.IsPortal() {
		kind = "政府门户网站"
	}
	n := func(module, stat string) string { return strconv.Itoa(int(mods[module][stat])) }
	disclosed := int(mods["disclosure"]["items_published"])
	return map[string]string{
		"site_name": t.Name, "home_url": homeURL, "sponsor": t.Sponsor, "site_kind": kind, "site_id_code": t.SiteIDCode, "icp": t.ICP, "psb": t.PSB,
		"info_total": strconv.Itoa(total + disclosed), "info_news": strconv.Itoa(news), "info_disclosure": strconv.Itoa(disclosed),
		"topics_kept": n("topics", "online"), "topics_new": n("topics", "published"),
		"msg_received": n("mailbox", "received"), "msg_closed": n("mailbox", "closed"),
		"interviews": n("interview", "interviews"), "interview_questions": n("interview", "questions_received"),
		"interview_answers": strconv.Itoa(int(mods["interview"]["answered_live"] + mods["interview"]["answered_after"])),
	}, nil
}

// YearReport reads a site's report, nil values and no status when none
// was started.
func (s *Store) YearReport(ctx context.Context, tenantID int64, year int) (*YearReport, error) {
	var row struct {
		Vals        string     `db:"vals"`
		Status      string     `db:"status"`
		UpdatedBy   string     `db:"updated_by"`
		UpdatedAt   time.Time  `db:"updated_at"`
		PublishedAt *time.Time `db:"published_at"`
	}
	r := &YearReport{TenantID: tenantID, Year: year, Values: map[string]string{}}
	err := s.db.GetContext(ctx, &row, `SELECT vals, status, updated_by, updated_at, published_at FROM website_reports WHERE tenant_id = ? AND year = ?`, tenantID, year)
	if errors.Is(err, sql.ErrNoRows) {
		return r, nil
	}
	if err != nil {
		return nil, fmt.Errorf("website report %d/%d: %w", tenantID, year, err)
	}
	if err := json.Unmarshal([]byte(row.Vals), &r.Values); err != nil {
		return nil, fmt.Errorf("website report %d/%d: %w", tenantID, year, err)
	}
	r.Status, r.UpdatedBy, r.UpdatedAt, r.PublishedAt = row.Status, row.UpdatedBy, row.UpdatedAt, row.PublishedAt
	return r, nil
}

// YearReports lists the reports of a year by tenant.
func (s *Store) YearReports(ctx context.Context, year int) (map[int64]*YearReport, error) {
	var rows []struct {
		TenantID    int64      `db:"tenant_id"`
		Status      string     `db:"status"`
		UpdatedAt   time.Time  `db:"updated_at"`
		PublishedAt *time.Time `db:"published_at"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT tenant_id, status, updated_at, published_at FROM website_reports WHERE year = ?`, year); err != nil {
		return nil, fmt.Errorf("website reports %d: %w", year, err)
	}
	out := map[int64]*YearReport{}
	for _, r := range rows {
		out[r.TenantID] = &YearReport{TenantID: r.TenantID, Year: year, Status: r.Status, UpdatedAt: r.UpdatedAt, PublishedAt: r.PublishedAt}
	}
	return out, nil
}

// SaveYearReport keeps the entered values of a site's report; publish
// also freezes the platform's counts into it. A published report is
// reopened (publish false, reopen true) before it changes again.
func (s *Store) SaveYearReport(ctx context.Context, actor, remote string, tenantID int64, year int, entered map[string]string, counts map[string]string, publish, reopen bool) error {
	old, err := s.YearReport(ctx, tenantID, year)
	if err != nil {
		return err
	}
	if old.Status == "published" && !reopen {
		return core.Errorf(core.ECONFLICT, "%d 年度报表已发布；如需修改，请先撤回发布。", year)
	}
	vals := map[string]string{}
	for k, v := range old.Values {
		vals[k] = v
	}
	if reopen {
		for _, f := range YearForm {
			if f.Auto {
				delete(vals, f.Key) // counted afresh until published again
			}
		}
	}
	for _, f := range YearForm {
		v, ok := entered[f.Key]
		if f.Auto || !ok {
			continue
		}
		v = strings.TrimSpace(v)
		if !f.Text && v != "" {
			if n, err := strconv.Atoi(v); err != nil || n < 0 {
				return core.Errorf(core.EINVALID, "“%s / %s”应为不小于 0 的整数。", f.Section, f.Label)
			}
		}
		if utf8.RuneCountInString(v) > 2000 {
			return core.Errorf(core.EINVALID, "“%s / %s”过长（最多 2000 字）。", f.Section, f.Label)
		}
		vals[f.Key] = v
	}
	status := "draft"
	var published *time.Time
	action := "website_report.save"
	if publish {
		for _, f := range YearForm {
			if f.Auto {
				vals[f.Key] = counts[f.Key]
			}
		}
		at := store.Now()
		status, published, action = "published", &at, "website_report.publish"
	}
	if reopen {
		action = "website_report.reopen"
	}
	b, _ := json.Marshal(vals)
	return s.db.Tx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE website_reports SET vals = ?, status = ?, updated_by = ?, updated_at = ?, published_at = ? WHERE tenant_id = ? AND year = ?`,
			string(b), status, actor, store.Now(), published, tenantID, year)
		if err != nil {
			return fmt.Errorf("save website report: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO website_reports (tenant_id, year, vals, status, updated_by, updated_at, published_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				tenantID, year, string(b), status, actor, store.Now(), published); err != nil {
				return fmt.Errorf("save website report: %w", err)
			}
		}
		tid := tenantID
		return audit.Write(ctx, tx, audit.Entry{Actor: actor, Action: action, TenantID: &tid, Target: strconv.Itoa(year), RemoteAddr: remote})
	})
}
