// Package monitor holds the county office's daily check of every site
// (网站监测, 一日一检查): findings per site and column against thresholds
// the county office edits, the veto rules of the national inspection
// indicators the platform can see, and the staff's use of the platform
// per unit and day from the audit log.
package monitor

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"yiwang/core"
	"yiwang/core/audit"
	"yiwang/core/content"
	"yiwang/core/store"
	"yiwang/tenants"
)

// Level is how bad a finding is.
type Level int

const (
	Warn Level = iota + 1 // to watch
	Fail                  // to fix
	Veto                  // fails the whole site (单项否决)
)

// Label is the level in Chinese.
func (l Level) Label() string {
	switch l {
	case Veto:
		return "单项否决"
	case Fail:
		return "问题"
	}
	return "预警"
}

// Finding is one thing wrong with a site, with where it is fixed.
type Finding struct {
	Check string // stale, empty, unanswered, unused
	Level Level
	Text  string
	Fix   string // a path under the site's base, where staff fix it
	// County says Fix is a path of the county console (under the
	// portal's base): facts only the county office edits.
	County bool
}

// Thresholds are the county office's numbers; Defaults are the ones the
// inspection indicators name for vetoes (5 stale or empty columns, a
// letter unanswered for three months) and the platform's warnings.
type Thresholds struct {
	StaleVeto int // stale watched columns in one site that fail it
	EmptyVeto int // empty list columns in one site that fail it
	OpenWarn  int // days a letter or request waits before a warning
	OpenWarn2 int // ... before a second, stronger warning
	OpenVeto  int // ... before it fails the site
}

// Defaults are the thresholds before the county office changes them.
var Defaults = Thresholds{StaleVeto: 5, EmptyVeto: 5, OpenWarn: 30, OpenWarn2: 60, OpenVeto: 90}

// thresholdNames are the keys of monitor_settings.
var thresholdNames = []struct {
	key   string
	field func(*Thresholds) *int
	Title string
}{
	{"monitor.stale_veto", func(t *Thresholds) *int { return &t.StaleVeto }, "一个站点超期未更新栏目数达到（单项否决）"},
	{"monitor.empty_veto", func(t *Thresholds) *int { return &t.EmptyVeto }, "一个站点空白栏目数达到（单项否决）"},
	{"monitor.open_warn", func(t *Thresholds) *int { return &t.OpenWarn }, "信件或申请未办结天数预警"},
	{"monitor.open_warn2", func(t *Thresholds) *int { return &t.OpenWarn2 }, "信件或申请未办结天数严重预警"},
	{"monitor.open_veto", func(t *Thresholds) *int { return &t.OpenVeto }, "信件或申请未办结天数达到（单项否决）"},
}

// Setting is one threshold as the settings form shows it.
type Setting struct {
	Key, Title string
	Value      int
}

// Settings lists the thresholds with their titles.
func (t Thresholds) Settings() []Setting {
	out := make([]Setting, len(thresholdNames))
	for i, n := range thresholdNames {
		out[i] = Setting{n.key, n.Title, *n.field(&t)}
	}
	return out
}

// Thresholds reads the county office's thresholds, defaults where it
// set none.
func (s *Store) Thresholds(ctx context.Context) (Thresholds, error) {
	t := Defaults
	var rows []struct {
		Name  string `db:"name"`
		Value int    `db:"value"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT name, value FROM monitor_settings`); err != nil {
		return t, fmt.Errorf("monitor thresholds: %w", err)
	}
	for _, r := range rows {
		for _, n := range thresholdNames {
			if n.key == r.Name && r.Value > 0 {
				*n.field(&t) = r.Value
			}
		}
	}
	return t, nil
}

// SaveThresholds checks the thresholds given as form values by key and
// keeps them all or none, audited as actor's.
func (s *Store) SaveThresholds(ctx context.Context, actor, remote string, values map[string]string) (Thresholds, error) {
	t := Defaults
	for _, n := range thresholdNames {
		v, err := strconv.Atoi(strings.TrimSpace(values[n.key]))
		if err != nil || v < 1 || v > 3650 {
			return t, core.Errorf(core.EINVALID, "“%s”应为 1 到 3650 之间的整数。", n.Title)
		}
		*n.field(&t) = v
	}
	if !(t.OpenWarn < t.OpenWarn2 && t.OpenWarn2 < t.OpenVeto) {
		return t, core.Errorf(core.EINVALID, "预警天数应小于严重预警天数，严重预警天数应小于否决天数。")
	}
	err := s.db.Tx(ctx, func(tx *sqlx.Tx) error {
		var detail []string
		for _, n := range thresholdNames {
			v := *n.field(&t)
			res, err := tx.ExecContext(ctx, `UPDATE monitor_settings SET value = ?, updated_by = ?, updated_at = ? WHERE name = ?`, v, actor, store.Now(), n.key)
			if err != nil {
				return err
			}
			if k, _ := res.RowsAffected(); k == 0 {
				if _, err := tx.ExecContext(ctx, `INSERT INTO monitor_settings (name, value, updated_by, updated_at) VALUES (?, ?, ?, ?)`, n.key, v, actor, store.Now()); err != nil {
					return err
				}
			}
			detail = append(detail, fmt.Sprintf("%s=%d", n.key, v))
		}
		return audit.Write(ctx, tx, audit.Entry{Actor: actor, Action: "monitor.thresholds", Target: "monitor_settings", Detail: strings.Join(detail, " "), RemoteAddr: remote})
	})
	if err != nil {
		return t, fmt.Errorf("save monitor thresholds: %w", err)
	}
	return t, nil
}

// Facts are what the monitors read, gathered once for every site.
type Facts struct {
	Fresh   []content.Freshness
	Columns map[int64][]ColumnCount // list columns per tenant with their published articles
	Oldest  map[int64]OpenCase      // the longest-waiting letter or request per tenant
	Use     map[int64]*Use          // staff use per tenant on the checked day
	Probes  map[int64]Availability  // the last week's probes of each home page
	Text    map[int64][]TextHit     // published articles the word lists find fault with
	Links   map[int64][]BrokenLink  // the crawler's broken links
	Weekly  map[int64][]int         // articles published per week, the last TrendWeeks weeks
	OnTime  map[int64]OnTime        // letters and requests closed last month, and in time
}

var articlePage = regexp.MustCompile(`/art/(\d+)$`)

// maxTextFindings bounds the articles a site's page lists one by one.
const maxTextFindings = 20

// ColumnCount is a list column and whether it has published anything
// (N is 1 or 0).
type ColumnCount struct {
	TenantID int64  `db:"tenant_id"`
	ID       int64  `db:"id"`
	Slug     string `db:"slug"`
	Name     string `db:"name"`
	N        int    `db:"n"`
}

// OpenCase is the longest wait of a tenant's open cases in a module.
type OpenCase struct {
	Module, Title string
	Days          int
}

// Site is one site's findings, ranked by risk.
type Site struct {
	Tenant             *tenants.Tenant
	Findings           []Finding
	Vetoes, Fails, Use int
}

// Risk orders sites: vetoes first, then problems, then warnings.
func (s *Site) Risk() int {
	warns := len(s.Findings) - s.Vetoes - s.Fails
	return s.Vetoes*10000 + s.Fails*100 + warns
}

// Evaluate holds every site against the thresholds. rules are the watched
// columns and their update periods; now is the time of the check.
func Evaluate(ts []*tenants.Tenant, f Facts, th Thresholds, rules []content.FreshnessRule, now time.Time) []*Site {
	fresh := map[int64]map[string]*time.Time{}
	for _, x := range f.Fresh {
		if fresh[x.TenantID] == nil {
			fresh[x.TenantID] = map[string]*time.Time{}
		}
		fresh[x.TenantID][x.Slug] = x.Last
	}
	var out []*Site
	for _, t := range ts {
		if t.Status != tenants.Active {
			continue
		}
		s := &Site{Tenant: t}
		add := func(fd Finding) {
			s.Findings = append(s.Findings, fd)
			switch fd.Level {
			case Veto:
				s.Vetoes++
			case Fail:
				s.Fails++
			}
		}
		// Stale: a watched column past its period, or never published.
		var stale []Finding
		have := map[string]bool{}
		for _, c := range f.Columns[t.ID] {
			have[c.Slug] = true
		}
		for _, rule := range rules {
			if !have[rule.Slug] {
				continue // the site has no such column
			}
			last := fresh[t.ID][rule.Slug]
			switch {
			case last == nil:
				stale = append(stale, Finding{Check: "stale", Level: Fail, Text: fmt.Sprintf("栏目“%s”从未发布信息（应每 %d 天内更新）", rule.Name, rule.Days),
					Fix: "admin/articles/new"})
			case now.Sub(*last) > time.Duration(rule.Days)*24*time.Hour:
				stale = append(stale, Finding{Check: "stale", Level: Fail, Text: fmt.Sprintf("栏目“%s”已 %d 天未更新（应每 %d 天内更新）", rule.Name,
					int(now.Sub(*last).Hours()/24), rule.Days), Fix: "admin/articles/new"})
			}
		}
		for _, fd := range stale {
			add(fd)
		}
		if len(stale) >= th.StaleVeto {
			add(Finding{Check: "stale", Level: Veto, Text: fmt.Sprintf("%d 个栏目超期未更新，达到单项否决线（%d 个）", len(stale), th.StaleVeto), Fix: "admin/articles/"})
		}
		// Empty: a list column with nothing published.
		empty := 0
		for _, c := range f.Columns[t.ID] {
			if c.N == 0 {
				empty++
				add(Finding{Check: "empty", Level: Fail, Text: fmt.Sprintf("栏目“%s”是空白栏目（没有已发布的信息）", c.Name), Fix: "admin/columns/"})
			}
		}
		if empty >= th.EmptyVeto {
			add(Finding{Check: "empty", Level: Veto, Text: fmt.Sprintf("%d 个空白栏目，达到单项否决线（%d 个）", empty, th.EmptyVeto), Fix: "admin/columns/"})
		}
		// Unanswered: the longest-waiting case of the site's modules.
		if o, ok := f.Oldest[t.ID]; ok {
			fix := "admin/" + o.Module + "/"
			switch {
			case o.Days >= th.OpenVeto:
				add(Finding{Check: "unanswered", Level: Veto, Text: fmt.Sprintf("%s有已等待 %d 天未办结的件，超过 %d 天为单项否决", o.Title, o.Days, th.OpenVeto), Fix: fix})
			case o.Days >= th.OpenWarn2:
				add(Finding{Check: "unanswered", Level: Fail, Text: fmt.Sprintf("%s有已等待 %d 天未办结的件（%d 天严重预警）", o.Title, o.Days, th.OpenWarn2), Fix: fix})
			case o.Days >= th.OpenWarn:
				add(Finding{Check: "unanswered", Level: Warn, Text: fmt.Sprintf("%s有已等待 %d 天未办结的件（%d 天预警）", o.Title, o.Days, th.OpenWarn), Fix: fix})
			}
		}
		// Availability: bad probes of the home page over the week.
		if a, ok := f.Probes[t.ID]; ok && a.Bad > 0 {
			text := fmt.Sprintf("近 7 天首页探测 %d 次，%d 次失败或超过 %d 秒（%.1f%%）", a.Total, a.Bad, int(SlowAfter.Seconds()), a.Share()*100)
			if a.Share() >= AvailabilityVeto {
				add(Finding{Check: "availability", Level: Veto, Text: text + "，达到单项否决线（5%）", Fix: ""})
			} else {
				add(Finding{Check: "availability", Level: Warn, Text: text, Fix: ""})
			}
		}
		// Published text: the word lists over what is online.
		for i, h := range f.Text[t.ID] {
			if i == maxTextFindings {
				add(Finding{Check: "text", Level: Warn, Text: fmt.Sprintf("另有 %d 篇已发布文章含禁用词或常见错误", len(f.Text[t.ID])-maxTextFindings), Fix: "admin/articles/"})
				break
			}
			level, what := Warn, "含提示词"
			if h.Blocks > 0 {
				level, what = Fail, "含禁用词或错误"
			}
			add(Finding{Check: "text", Level: level, Text: fmt.Sprintf("已发布的《%s》%s：%s", h.Title, what, h.Summary), Fix: fmt.Sprintf("admin/articles/%d/edit", h.ArticleID)})
		}
		// Broken links, where they are.
		for i, b := range f.Links[t.ID] {
			if i == maxTextFindings {
				add(Finding{Check: "links", Level: Warn, Text: fmt.Sprintf("另有 %d 个失效链接", len(f.Links[t.ID])-maxTextFindings)})
				break
			}
			why := b.Err
			if why == "" {
				why = fmt.Sprintf("HTTP %d", b.Status)
			}
			fix := ""
			if m := articlePage.FindStringSubmatch(b.Page); m != nil {
				fix = "admin/articles/" + m[1] + "/edit"
			}
			if b.External {
				add(Finding{Check: "links", Level: Warn, Text: fmt.Sprintf("页面 %s 上的外部链接 %s 无法访问（%s）", b.Page, b.Href, why), Fix: fix})
			} else {
				add(Finding{Check: "links", Level: Fail, Text: fmt.Sprintf("页面 %s 上的链接 %s 无法访问（%s）", b.Page, b.Href, why), Fix: fix})
			}
		}
		// Footer facts the national specification asks of every site,
		// which the layout prints in the footer and meta tags.
		for _, fact := range []struct{ name, v string }{{"主办单位", t.Sponsor}, {"网站标识码", t.SiteIDCode}, {"ICP备案编号", t.ICP}, {"公安机关备案号", t.PSB}} {
			if strings.TrimSpace(fact.v) == "" {
				add(Finding{Check: "facts", Level: Fail, Text: "页脚缺少" + fact.name + "（《政府网站网页设计规范》要求展示）",
					Fix: "admin/county/tenants/" + t.Code, County: true})
			}
		}
		// Unused: no staff action at all on the checked day.
		if u := f.Use[t.ID]; u == nil || u.Total() == 0 {
			add(Finding{Check: "unused", Level: Warn, Text: "检查日没有工作人员登录或办理任何事项", Fix: "admin/"})
		} else {
			s.Use = u.Total()
		}
		out = append(out, s)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Risk() > out[j].Risk() })
	return out
}

// Store reads the facts from the platform database.
type Store struct{ db *store.DB }

// NewStore returns the monitors' reader of db.
func NewStore(db *store.DB) *Store { return &Store{db: db} }

// ListColumns returns every visible list column and whether it has a
// published article.
func (s *Store) ListColumns(ctx context.Context) (map[int64][]ColumnCount, error) {
	var cs []ColumnCount
	// Whether a column has any published article is all the check asks:
	// one index probe per column, not a count of the county's articles.
	if err := s.db.SelectContext(ctx, &cs, `SELECT c.tenant_id, c.id, c.slug, c.name,
		CASE WHEN EXISTS (SELECT 1 FROM articles a WHERE a.tenant_id = c.tenant_id AND a.column_id = c.id AND a.status = 'published') THEN 1 ELSE 0 END AS n
		FROM site_columns c WHERE c.type = 'list' AND c.hidden = 0 ORDER BY c.tenant_id, c.sort, c.id`); err != nil {
		return nil, fmt.Errorf("list columns: %w", err)
	}
	out := map[int64][]ColumnCount{}
	for _, c := range cs {
		out[c.TenantID] = append(out[c.TenantID], c)
	}
	return out, nil
}
