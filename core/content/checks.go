package content

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"golang.org/x/net/html"
	"yiwang/core"
	"yiwang/core/audit"
	"yiwang/core/store"
)

// Kinds of check rule, and the link checks.
const (
	CheckForbidden = "forbidden" // a word that must not appear: blocks
	CheckSensitive = "sensitive" // a word to look at twice: warns
	CheckMistake   = "mistake"   // a common serious mistake, with its correct form: blocks or warns as the rule says
	CheckLink      = "link"      // an empty or broken link in the body
)

// Levels of a hit.
const (
	LevelBlock = "block"
	LevelWarn  = "warn"
	LevelOff   = "off"
)

// Settings the county office changes, with their defaults.
const (
	SettingEmptyLinks      = "links.empty"                 // block | warn | off
	SettingBrokenLinks     = "links.broken"                // block | warn | off: same-site links to missing pages
	SettingExternalLinks   = "links.external"              // warn | off: outside links that do not answer
	SettingSourceWithdrawn = "submission.source_withdrawn" // withdraw | ask
)

var settingDefaults = map[string]string{
	SettingEmptyLinks:      LevelBlock,
	SettingBrokenLinks:     LevelWarn,
	SettingExternalLinks:   LevelWarn,
	SettingSourceWithdrawn: "withdraw",
}

var settingValues = map[string][]string{
	SettingEmptyLinks:      {LevelBlock, LevelWarn, LevelOff},
	SettingBrokenLinks:     {LevelBlock, LevelWarn, LevelOff},
	SettingExternalLinks:   {LevelWarn, LevelOff},
	SettingSourceWithdrawn: {"withdraw", "ask"},
}

// Rule is one entry of the county's check lists.
type Rule struct {
	ID         int64     `db:"id"`
	Kind       string    `db:"kind"`
	Pattern    string    `db:"pattern"`
	Correction string    `db:"correction"`
	Level      string    `db:"level"`
	Note       string    `db:"note"`
	CreatedAt  time.Time `db:"created_at"`
}

// KindLabel is the Chinese name of the rule's list.
func (r *Rule) KindLabel() string { return CheckKindLabel(r.Kind) }

// CheckKindLabel is the Chinese name of a check kind.
func CheckKindLabel(k string) string {
	switch k {
	case CheckForbidden:
		return "禁用词"
	case CheckSensitive:
		return "敏感词"
	case CheckMistake:
		return "严重错误"
	case CheckLink:
		return "链接"
	}
	return k
}

// Hit is one finding, with its place: the field, the offset and length in
// runes in the field's text (the body as BodyText), and which occurrence
// of Text it is, so an editor can mark the place in the page.
type Hit struct {
	Kind       string `json:"kind"`
	Level      string `json:"level"`
	Field      string `json:"field"` // title, subtitle, summary, body
	FieldLabel string `json:"fieldLabel"`
	Text       string `json:"text"`
	Correction string `json:"correction,omitempty"`
	URL        string `json:"url,omitempty"`
	Offset     int    `json:"offset"`
	Length     int    `json:"length"`
	Occurrence int    `json:"occurrence"`
	Context    string `json:"context"`
	Message    string `json:"message"`
}

// Blocks reports whether the hit refuses submission.
func (h Hit) Blocks() bool { return h.Level == LevelBlock }

// CheckReport is the result of the checks on one text.
type CheckReport struct {
	Hits []Hit
}

// Blocked reports whether any hit refuses submission.
func (r *CheckReport) Blocked() bool {
	for _, h := range r.Hits {
		if h.Blocks() {
			return true
		}
	}
	return false
}

// Summary is one line for the history: what was found and let through.
func (r *CheckReport) Summary() string {
	if r == nil || len(r.Hits) == 0 {
		return ""
	}
	var parts []string
	for _, h := range r.Hits {
		parts = append(parts, CheckKindLabel(h.Kind)+"“"+h.Text+"”")
	}
	return truncateRunes("提交时确认的提示："+strings.Join(parts, "、"), 900)
}

// CheckError refuses a submission: blocking hits, or warnings the writer
// has not yet confirmed. Its code is EINVALID when blocked, ECONFLICT when
// only a confirmation is missing.
type CheckError struct {
	Report *CheckReport
}

func (e *CheckError) Error() string { return e.coreError().Error() }

// Unwrap gives the coded error, so core.ErrorCode and ErrorMessage work.
func (e *CheckError) Unwrap() error { return e.coreError() }

func (e *CheckError) coreError() *core.Error {
	n := 0
	for _, h := range e.Report.Hits {
		if h.Blocks() {
			n++
		}
	}
	if n > 0 {
		return core.Errorf(core.EINVALID, "检查发现 %d 处必须修改的问题，修改后才能提交", n)
	}
	return core.Errorf(core.ECONFLICT, "检查发现 %d 处需要确认的提示，请逐一核对后确认提交", len(e.Report.Hits))
}

// Rules returns the county's check lists.
func (d *Desk) Rules(ctx context.Context) ([]Rule, error) {
	var rs []Rule
	if err := d.db.SelectContext(ctx, &rs, `SELECT id, kind, pattern, correction, level, note, created_at FROM check_rules ORDER BY kind, pattern`); err != nil {
		return nil, fmt.Errorf("list check rules: %w", err)
	}
	return rs, nil
}

// AddRule adds an entry to the county's lists; a forbidden word always
// blocks and a sensitive word always warns.
func (d *Desk) AddRule(ctx context.Context, a Actor, r Rule) (*Rule, error) {
	if err := a.need(PermCounty); err != nil {
		return nil, err
	}
	r.Pattern, r.Correction, r.Note = strings.TrimSpace(r.Pattern), strings.TrimSpace(r.Correction), strings.TrimSpace(r.Note)
	switch r.Kind {
	case CheckForbidden:
		r.Level, r.Correction = LevelBlock, ""
	case CheckSensitive:
		r.Level, r.Correction = LevelWarn, ""
	case CheckMistake:
		if r.Correction == "" || r.Correction == r.Pattern {
			return nil, core.Errorf(core.EINVALID, "严重错误须填写正确写法，且与错误写法不同")
		}
		if r.Level != LevelWarn {
			r.Level = LevelBlock
		}
	default:
		return nil, core.Errorf(core.EINVALID, "检查类型“%s”无效", r.Kind)
	}
	if r.Pattern == "" || utf8.RuneCountInString(r.Pattern) > 100 || utf8.RuneCountInString(r.Correction) > 100 || utf8.RuneCountInString(r.Note) > 150 {
		return nil, core.Errorf(core.EINVALID, "词语不能为空，且不超过 100 个字；说明不超过 150 个字")
	}
	r.CreatedAt = store.Now()
	err := d.db.Tx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO check_rules (kind, pattern, correction, level, note, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			r.Kind, r.Pattern, r.Correction, r.Level, r.Note, r.CreatedAt)
		if err != nil {
			if store.IsUniqueViolation(err) {
				return core.Errorf(core.ECONFLICT, "%s“%s”已在列表中", CheckKindLabel(r.Kind), r.Pattern)
			}
			return fmt.Errorf("add check rule: %w", err)
		}
		if r.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Entry{Actor: a.auditName(), Action: "check.rule.add", Target: "check_rule:" + strconv.FormatInt(r.ID, 10),
			Detail: CheckKindLabel(r.Kind) + "：" + r.Pattern, RemoteAddr: a.RemoteAddr})
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// DeleteRule removes an entry from the county's lists.
func (d *Desk) DeleteRule(ctx context.Context, a Actor, id int64) error {
	if err := a.need(PermCounty); err != nil {
		return err
	}
	return d.db.Tx(ctx, func(tx *sqlx.Tx) error {
		var r Rule
		err := tx.GetContext(ctx, &r, `SELECT id, kind, pattern, correction, level, note, created_at FROM check_rules WHERE id = ?`, id)
		if errors.Is(err, sql.ErrNoRows) {
			return core.Errorf(core.ENOTFOUND, "没有找到这条检查规则")
		}
		if err != nil {
			return fmt.Errorf("delete check rule %d: %w", id, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM check_rules WHERE id = ?`, id); err != nil {
			return fmt.Errorf("delete check rule %d: %w", id, err)
		}
		return audit.Write(ctx, tx, audit.Entry{Actor: a.auditName(), Action: "check.rule.delete", Target: "check_rule:" + strconv.FormatInt(id, 10),
			Detail: CheckKindLabel(r.Kind) + "：" + r.Pattern, RemoteAddr: a.RemoteAddr})
	})
}

// Setting returns a county-wide editorial setting, or its default.
func (d *Desk) Setting(ctx context.Context, name string) (string, error) {
	var v string
	err := d.db.GetContext(ctx, &v, `SELECT value FROM editorial_settings WHERE name = ?`, name)
	if errors.Is(err, sql.ErrNoRows) {
		return settingDefaults[name], nil
	}
	if err != nil {
		return "", fmt.Errorf("read setting %s: %w", name, err)
	}
	return v, nil
}

// Settings returns every editorial setting with its current value.
func (d *Desk) Settings(ctx context.Context) (map[string]string, error) {
	out := map[string]string{}
	for k := range settingDefaults {
		v, err := d.Setting(ctx, k)
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}

// SetSetting changes a county-wide editorial setting.
func (d *Desk) SetSetting(ctx context.Context, a Actor, name, value string) error {
	if err := a.need(PermCounty); err != nil {
		return err
	}
	ok := false
	for _, v := range settingValues[name] {
		ok = ok || v == value
	}
	if !ok {
		return core.Errorf(core.EINVALID, "设置“%s”的值“%s”无效", name, value)
	}
	return d.db.Tx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE editorial_settings SET value = ?, updated_at = ? WHERE name = ?`, value, store.Now(), name)
		if err != nil {
			return fmt.Errorf("set %s: %w", name, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO editorial_settings (name, value, updated_at) VALUES (?, ?, ?)`, name, value, store.Now()); err != nil {
				return fmt.Errorf("set %s: %w", name, err)
			}
		}
		return audit.Write(ctx, tx, audit.Entry{Actor: a.auditName(), Action: "editorial.setting", Target: name, Detail: value, RemoteAddr: a.RemoteAddr})
	})
}

// CheckText runs the checks on a text the actor is writing, before it is
// saved or submitted: the editor's "检查" button.
func (d *Desk) CheckText(ctx context.Context, a Actor, in Input) (*CheckReport, error) {
	if err := a.need(PermWrite); err != nil {
		return nil, err
	}
	// Links are checked in the body as written: the sanitizer drops a link
	// without a usable address, and the writer should hear of it before
	// it silently becomes plain text.
	return d.check(ctx, a.TenantID, in.article(a.TenantID), in.Body)
}

// Check runs the county's checks on an article of the tenant: the word
// lists on every field a person writes, and the links of the body.
func (d *Desk) Check(ctx context.Context, tenantID int64, art *Article) (*CheckReport, error) {
	return d.check(ctx, tenantID, art, art.Body)
}

func (d *Desk) check(ctx context.Context, tenantID int64, art *Article, linkBody string) (*CheckReport, error) {
	rules, err := d.Rules(ctx)
	if err != nil {
		return nil, err
	}
	rep := &CheckReport{Hits: WordHits(rules, art)}
	links, err := d.checkLinks(ctx, tenantID, linkBody, BodyText(art.Body))
	if err != nil {
		return nil, err
	}
	rep.Hits = append(rep.Hits, links...)
	return rep, nil
}

// ruleHits finds every occurrence of the rule's pattern in text. A mistake
// found inside its own correct form is no mistake (the wrong form
// 县委书记 inside the right form 县委副书记 would be, if the list had it
// the other way round).
// WordHits are the word lists' hits on every field of an article a
// person writes, without the link checks (which ask servers): what the
// daily check runs over published text.
func WordHits(rules []Rule, art *Article) []Hit {
	fields := []struct{ key, label, text string }{
		{"title", "标题", art.Title}, {"subtitle", "副标题", art.Subtitle}, {"summary", "摘要", art.Summary},
		{"source", "来源", art.Source}, {"author", "作者", art.Author}, {"body", "正文", BodyText(art.Body)},
	}
	var hits []Hit
	for _, f := range fields {
		for _, r := range rules {
			hits = append(hits, ruleHits(r, f.key, f.label, f.text)...)
		}
	}
	return hits
}

func ruleHits(r Rule, key, label, text string) []Hit {
	var out []Hit
	occ := 0
	for from := 0; ; {
		i := strings.Index(text[from:], r.Pattern)
		if i < 0 {
			break
		}
		start := from + i
		end := start + len(r.Pattern)
		from = start + max(1, utf8.RuneLen([]rune(r.Pattern)[0]))
		n := occ
		occ++
		if r.Kind == CheckMistake && insideCorrection(text, start, end, r.Correction) {
			continue
		}
		h := Hit{Kind: r.Kind, Level: r.Level, Field: key, FieldLabel: label, Text: r.Pattern, Correction: r.Correction,
			Offset: utf8.RuneCountInString(text[:start]), Length: utf8.RuneCountInString(r.Pattern), Occurrence: n,
			Context: around(text, start, end)}
		switch r.Kind {
		case CheckForbidden:
			h.Message = "禁用词“" + r.Pattern + "”，必须删除或改写"
		case CheckSensitive:
			h.Message = "敏感词“" + r.Pattern + "”，请核实用法"
		case CheckMistake:
			h.Message = "“" + r.Pattern + "”可能有误，应为“" + r.Correction + "”"
		}
		if r.Note != "" {
			h.Message += "（" + r.Note + "）"
		}
		out = append(out, h)
	}
	return out
}

func insideCorrection(text string, start, end int, correction string) bool {
	if correction == "" {
		return false
	}
	lo := max(0, end-len(correction))
	hi := min(len(text), start+len(correction))
	for i := lo; i <= start && i < hi; i++ {
		if strings.HasPrefix(text[i:], correction) && i+len(correction) >= end {
			return true
		}
	}
	return false
}

// around is the text near a hit, for the list of hits.
func around(text string, start, end int) string {
	before := []rune(text[:start])
	after := []rune(text[end:])
	if len(before) > 12 {
		before = append([]rune("…"), before[len(before)-12:]...)
	}
	if len(after) > 12 {
		after = append(after[:12], '…')
	}
	return strings.ReplaceAll(string(before)+"【"+text[start:end]+"】"+string(after), "\n", " ")
}

// link is an <a> of a body.
type link struct {
	href, text string
	hasHref    bool
}

func bodyLinks(body string) []link {
	var out []link
	z := html.NewTokenizer(strings.NewReader(body))
	var cur *link
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return out
		case html.StartTagToken:
			t := z.Token()
			if t.Data != "a" {
				continue
			}
			l := link{}
			for _, at := range t.Attr {
				if at.Key == "href" {
					l.href, l.hasHref = strings.TrimSpace(at.Val), true
				}
			}
			out = append(out, l)
			cur = &out[len(out)-1]
		case html.EndTagToken:
			if t := z.Token(); t.Data == "a" {
				cur = nil
			}
		case html.TextToken:
			if cur != nil {
				cur.text += string(z.Text())
			}
		}
	}
}

var (
	artPath = regexp.MustCompile(`^/art/([0-9]+)$`)
	colPath = regexp.MustCompile(`^/col/([a-z0-9-]+)/?$`)
)

// checkLinks finds empty links (no address, "#", or script), same-site
// links to articles or columns that are not there, and, when a checker is
// set, outside links that do not answer.
func (d *Desk) checkLinks(ctx context.Context, tenantID int64, body, text string) ([]Hit, error) {
	links := bodyLinks(body)
	if len(links) == 0 {
		return nil, nil
	}
	emptyLevel, err := d.Setting(ctx, SettingEmptyLinks)
	if err != nil {
		return nil, err
	}
	brokenLevel, err := d.Setting(ctx, SettingBrokenLinks)
	if err != nil {
		return nil, err
	}
	externalLevel, err := d.Setting(ctx, SettingExternalLinks)
	if err != nil {
		return nil, err
	}
	var bases []*url.URL
	if d.SiteURL != nil {
		for _, b := range d.SiteURL(ctx, tenantID) {
			if u, err := url.Parse(b); err == nil && u.Host != "" {
				bases = append(bases, u)
			}
		}
	}
	var out []Hit
	cursor := 0 // links are found in order: search each text after the last
	for _, l := range links {
		label := strings.TrimSpace(l.text)
		h := Hit{Kind: CheckLink, Field: "body", FieldLabel: "正文", Text: label, URL: l.href}
		if label != "" {
			if i := strings.Index(text[cursor:], label); i >= 0 {
				start := cursor + i
				h.Offset, h.Length = utf8.RuneCountInString(text[:start]), utf8.RuneCountInString(label)
				h.Occurrence = strings.Count(text[:start], label)
				h.Context = around(text, start, start+len(label))
				cursor = start + len(label)
			}
		}
		href := strings.ToLower(l.href)
		switch {
		case !l.hasHref || href == "" || href == "#" || strings.HasPrefix(href, "javascript:"):
			h.Level, h.Message = emptyLevel, "空链接：链接“"+label+"”没有有效的地址"
		case label == "" && !strings.Contains(body, "<img"):
			h.Level, h.Message = emptyLevel, "空链接：链接“"+l.href+"”没有文字"
		default:
			level, msg, err := d.checkTarget(ctx, tenantID, bases, l.href, brokenLevel, externalLevel)
			if err != nil {
				return nil, err
			}
			h.Level, h.Message = level, msg
		}
		if h.Level != "" && h.Level != LevelOff && h.Message != "" {
			out = append(out, h)
		}
	}
	return out, nil
}

// checkTarget checks one link address; "" message means it is fine.
func (d *Desk) checkTarget(ctx context.Context, tenantID int64, bases []*url.URL, href, brokenLevel, externalLevel string) (string, string, error) {
	u, err := url.Parse(href)
	if err != nil {
		return brokenLevel, "链接地址“" + href + "”格式错误", nil
	}
	if u.Scheme == "mailto" || u.Scheme == "tel" {
		return "", "", nil
	}
	local := u.Scheme == "" && u.Host == ""
	p := u.Path
	if !local {
		for _, b := range bases {
			if strings.EqualFold(b.Hostname(), u.Hostname()) && strings.HasPrefix(u.Path, strings.TrimSuffix(b.Path, "/")+"/") {
				local, p = true, "/"+strings.TrimPrefix(u.Path, strings.TrimSuffix(b.Path, "/")+"/")
				break
			}
		}
		if !local && u.Scheme != "http" && u.Scheme != "https" {
			return brokenLevel, "链接地址“" + href + "”不是网页地址", nil
		}
	} else if !strings.HasPrefix(p, "/") {
		// A relative link in an article page resolves against /art/.
		p = "/art/" + p
	}
	if !local {
		if d.CheckLink == nil || externalLevel == LevelOff {
			return "", "", nil
		}
		cctx, cancel := context.WithTimeout(ctx, 8*time.Second)
		defer cancel()
		if err := d.CheckLink(cctx, u.String()); err != nil {
			return externalLevel, "外部链接“" + href + "”无法访问", nil
		}
		return "", "", nil
	}
	target := tenantID
	if rest, ok := strings.CutPrefix(p, "/site/"); ok {
		c, after, _ := strings.Cut(rest, "/")
		var id int64
		err := d.db.GetContext(ctx, &id, `SELECT id FROM tenants WHERE code = ? AND status = 'active'`, c)
		if errors.Is(err, sql.ErrNoRows) {
			return brokenLevel, "站内链接“" + href + "”指向不存在的站点", nil
		}
		if err != nil {
			return "", "", fmt.Errorf("check link %s: %w", href, err)
		}
		target, p = id, "/"+after
	}
	if m := artPath.FindStringSubmatch(p); m != nil {
		var n int
		if err := d.db.GetContext(ctx, &n, `SELECT COUNT(*) FROM articles WHERE tenant_id = ? AND id = ? AND status = 'published'`, target, m[1]); err != nil {
			return "", "", fmt.Errorf("check link %s: %w", href, err)
		}
		if n == 0 {
			return brokenLevel, "站内链接“" + href + "”指向的文章不存在或未发布", nil
		}
	}
	if m := colPath.FindStringSubmatch(p); m != nil {
		var n int
		if err := d.db.GetContext(ctx, &n, `SELECT COUNT(*) FROM site_columns WHERE tenant_id = ? AND slug = ? AND hidden = 0`, target, m[1]); err != nil {
			return "", "", fmt.Errorf("check link %s: %w", href, err)
		}
		if n == 0 {
			return brokenLevel, "站内链接“" + href + "”指向的栏目不存在", nil
		}
	}
	return "", "", nil
}

// HitsJSON is the hits as JSON, for the editor's script to mark the places.
func (r *CheckReport) HitsJSON() string {
	if r == nil || len(r.Hits) == 0 {
		return "[]"
	}
	b, err := json.Marshal(r.Hits)
	if err != nil {
		return "[]"
	}
	return string(b)
}
