package content

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"html/template"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"yiwang/core"
	"yiwang/core/store"
)

// Version is one saved state of an article's text. Versions are only
// ever added; any two can be compared.
type Version struct {
	ID            int64     `db:"id"`
	TenantID      int64     `db:"tenant_id"`
	ArticleID     int64     `db:"article_id"`
	Number        int       `db:"number"`
	ColumnID      int64     `db:"column_id"`
	Title         string    `db:"title"`
	Subtitle      string    `db:"subtitle"`
	Summary       string    `db:"summary"`
	Body          string    `db:"body"`
	Source        string    `db:"source"`
	Author        string    `db:"author"`
	Keywords      string    `db:"keywords"`
	CoverURL      string    `db:"cover_url"`
	ExtraColumns  string    `db:"extra_columns"` // comma-separated column ids
	Note          string    `db:"note"`
	CreatedBy     int64     `db:"created_by"`
	CreatedByName string    `db:"created_by_name"`
	CreatedAt     time.Time `db:"created_at"`
}

const versionFields = `id, tenant_id, article_id, number, column_id, title, subtitle, summary, body, source, author, keywords, cover_url, extra_columns,
	note, created_by, created_by_name, created_at`

func (v *Version) article() Article {
	return Article{ID: v.ArticleID, TenantID: v.TenantID, ColumnID: v.ColumnID, Title: v.Title, Subtitle: v.Subtitle, Summary: v.Summary,
		Body: v.Body, Source: v.Source, Author: v.Author, Keywords: v.Keywords}
}

// Input returns the version as an editor's input, to continue from it.
func (v *Version) Input() Input {
	return Input{ColumnID: v.ColumnID, Columns: v.extraColumns(), Title: v.Title, Subtitle: v.Subtitle, Summary: v.Summary, Body: v.Body,
		Source: v.Source, Author: v.Author, Keywords: v.Keywords, CoverURL: v.CoverURL}
}

func (v *Version) extraColumns() []int64 {
	var out []int64
	for _, f := range strings.Split(v.ExtraColumns, ",") {
		if id, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}

func joinIDs(ids []int64) string {
	fs := make([]string, len(ids))
	for i, id := range ids {
		fs[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(fs, ",")
}

// same reports whether the version already holds this text.
func (v *Version) same(a *Article, in Input) bool {
	return v.ColumnID == a.ColumnID && v.Title == a.Title && v.Subtitle == a.Subtitle && v.Summary == a.Summary && v.Body == a.Body &&
		v.Source == a.Source && v.Author == a.Author && v.Keywords == a.Keywords && v.CoverURL == in.CoverURL && v.ExtraColumns == joinIDs(in.Columns)
}

// addVersion keeps the text as the article's next version and returns its number.
func (d *Desk) addVersion(ctx context.Context, tx *sqlx.Tx, a Actor, id int64, art *Article, in Input, note string) (int, error) {
	var n int
	if err := tx.GetContext(ctx, &n, `SELECT COALESCE(MAX(number), 0) FROM article_versions WHERE tenant_id = ? AND article_id = ?`, a.TenantID, id); err != nil {
		return 0, fmt.Errorf("number version of article %d: %w", id, err)
	}
	n++
	if _, err := tx.ExecContext(ctx, `INSERT INTO article_versions (tenant_id, article_id, number, column_id, title, subtitle, summary, body, source, author,
		keywords, cover_url, extra_columns, note, created_by, created_by_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.TenantID, id, n, art.ColumnID, art.Title, art.Subtitle, art.Summary, art.Body, art.Source, art.Author, art.Keywords, in.CoverURL,
		joinIDs(in.Columns), note, a.UserID, a.Name, store.Now()); err != nil {
		if store.IsUniqueViolation(err) {
			return 0, core.Errorf(core.ECONFLICT, "文章正被他人同时保存，请稍后再试")
		}
		return 0, fmt.Errorf("keep version of article %d: %w", id, err)
	}
	return n, nil
}

func (d *Desk) latestVersion(ctx context.Context, x sqlx.QueryerContext, tenantID, id int64) (*Version, error) {
	return d.oneVersion(ctx, x, `SELECT `+versionFields+` FROM article_versions WHERE tenant_id = ? AND article_id = ? ORDER BY number DESC LIMIT 1`, tenantID, id)
}

func (d *Desk) versionByID(ctx context.Context, x sqlx.QueryerContext, tenantID, vid int64) (*Version, error) {
	return d.oneVersion(ctx, x, `SELECT `+versionFields+` FROM article_versions WHERE tenant_id = ? AND id = ?`, tenantID, vid)
}

func (d *Desk) versionID(ctx context.Context, x sqlx.QueryerContext, tenantID, id int64, n int) (int64, error) {
	v, err := d.oneVersion(ctx, x, `SELECT `+versionFields+` FROM article_versions WHERE tenant_id = ? AND article_id = ? AND number = ?`, tenantID, id, n)
	if err != nil {
		return 0, err
	}
	return v.ID, nil
}

func (d *Desk) oneVersion(ctx context.Context, x sqlx.QueryerContext, q string, args ...any) (*Version, error) {
	var v Version
	err := sqlx.GetContext(ctx, x, &v, q, args...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, core.Errorf(core.ENOTFOUND, "没有找到这个版本")
	}
	if err != nil {
		return nil, fmt.Errorf("get version: %w", err)
	}
	return &v, nil
}

// Versions lists the article's versions, newest first, without bodies.
func (d *Desk) Versions(ctx context.Context, a Actor, id int64) ([]*Version, error) {
	if err := a.need(PermReadDesk); err != nil {
		return nil, err
	}
	var vs []*Version
	fields := strings.Replace(versionFields, "body,", "'' AS body,", 1)
	if err := d.db.SelectContext(ctx, &vs, `SELECT `+fields+` FROM article_versions WHERE tenant_id = ? AND article_id = ? ORDER BY number DESC`,
		a.TenantID, id); err != nil {
		return nil, fmt.Errorf("versions of article %d: %w", id, err)
	}
	return vs, nil
}

// Version returns version number n of the actor's tenant's article.
func (d *Desk) Version(ctx context.Context, a Actor, id int64, n int) (*Version, error) {
	if err := a.need(PermReadDesk); err != nil {
		return nil, err
	}
	return d.oneVersion(ctx, d.db, `SELECT `+versionFields+` FROM article_versions WHERE tenant_id = ? AND article_id = ? AND number = ?`, a.TenantID, id, n)
}

// FieldDiff is the comparison of one field of two versions.
type FieldDiff struct {
	Label   string
	Ops     []DiffOp
	Changed bool
}

// HTML shows the comparison with <del> and <ins>, escaped.
func (f FieldDiff) HTML() template.HTML { return DiffHTML(f.Ops) }

// Compare returns the field-by-field comparison of versions from and to
// of the actor's tenant's article.
func (d *Desk) Compare(ctx context.Context, a Actor, id int64, from, to int) ([]FieldDiff, error) {
	va, err := d.Version(ctx, a, id, from)
	if err != nil {
		return nil, err
	}
	vb, err := d.Version(ctx, a, id, to)
	if err != nil {
		return nil, err
	}
	return CompareVersions(va, vb), nil
}

// CompareVersions compares every field a person writes, the body as text
// with its paragraph breaks.
func CompareVersions(a, b *Version) []FieldDiff {
	fields := []struct {
		label string
		x, y  string
	}{
		{"标题", a.Title, b.Title}, {"副标题", a.Subtitle, b.Subtitle}, {"摘要", a.Summary, b.Summary},
		{"来源", a.Source, b.Source}, {"作者", a.Author, b.Author}, {"关键词", a.Keywords, b.Keywords},
		{"封面图片", a.CoverURL, b.CoverURL}, {"正文", BodyText(a.Body), BodyText(b.Body)},
	}
	out := make([]FieldDiff, 0, len(fields))
	for _, f := range fields {
		ops := Diff(f.x, f.y)
		out = append(out, FieldDiff{Label: f.label, Ops: ops, Changed: f.x != f.y})
	}
	return out
}

var blockEnd = regexp.MustCompile(`(?i)</(p|div|h[1-6]|li|tr|table|blockquote|figure|figcaption)>|<br\s*/?>`)

// BodyText is the body as plain text with one line per block, the form
// in which two bodies are compared and checks report positions.
func BodyText(body string) string {
	s := blockEnd.ReplaceAllString(body, "$0\n")
	s = PlainText(s)
	lines := strings.Split(s, "\n")
	out := lines[:0]
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// DiffOp is one run of a diff: text kept, inserted or deleted.
type DiffOp struct {
	Kind byte // '=', '+' or '-'
	Text string
}

// Diff compares a and b by tokens suited to Chinese: each Han character is
// a token (Chinese has no spaces between words, and a one-character edit
// should show as one character), a run of Latin letters or digits is one
// token, and every other character is its own token.
func Diff(a, b string) []DiffOp {
	ta, tb := tokens(a), tokens(b)
	// Common prefix and suffix first: most edits are small and local,
	// and this keeps the quadratic part to the changed middle.
	p := 0
	for p < len(ta) && p < len(tb) && ta[p] == tb[p] {
		p++
	}
	s := 0
	for s < len(ta)-p && s < len(tb)-p && ta[len(ta)-1-s] == tb[len(tb)-1-s] {
		s++
	}
	var ops []DiffOp
	add := func(k byte, t string) {
		if t == "" {
			return
		}
		if n := len(ops); n > 0 && ops[n-1].Kind == k {
			ops[n-1].Text += t
			return
		}
		ops = append(ops, DiffOp{k, t})
	}
	add('=', strings.Join(ta[:p], ""))
	for _, op := range myers(ta[p:len(ta)-s], tb[p:len(tb)-s]) {
		add(op.Kind, op.Text)
	}
	add('=', strings.Join(ta[len(ta)-s:], ""))
	return ops
}

func tokens(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if isWordRune(r) {
			j := i + n
			for j < len(s) {
				r2, n2 := utf8.DecodeRuneInString(s[j:])
				if !isWordRune(r2) {
					break
				}
				j += n2
			}
			out = append(out, s[i:j])
			i = j
			continue
		}
		out = append(out, s[i:i+n])
		i += n
	}
	return out
}

func isWordRune(r rune) bool {
	return r < 0x2E80 && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// maxEdit bounds the work of one diff: past it the changed middle is shown
// as deleted and inserted whole, which is still correct, just coarser.
const maxEdit = 2000

// myers is Myers' O(ND) shortest edit script over tokens.
func myers(a, b []string) []DiffOp {
	n, m := len(a), len(b)
	if n == 0 || m == 0 {
		return []DiffOp{{'-', strings.Join(a, "")}, {'+', strings.Join(b, "")}}
	}
	maxD := min(n+m, maxEdit)
	off := maxD + 1
	v := make([]int, 2*maxD+3)
	var trace [][]int
	found := -1
	for dd := 0; dd <= maxD && found < 0; dd++ {
		// Keep only the diagonals round dd reads: memory grows with D², not N·D.
		trace = append(trace, append([]int(nil), v[off-dd-1:off+dd+2]...))
		for k := -dd; k <= dd; k += 2 {
			var x int
			if k == -dd || (k != dd && v[off+k-1] < v[off+k+1]) {
				x = v[off+k+1]
			} else {
				x = v[off+k-1] + 1
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x++
				y++
			}
			v[off+k] = x
			if x >= n && y >= m {
				found = dd
				break
			}
		}
	}
	if found < 0 {
		return []DiffOp{{'-', strings.Join(a, "")}, {'+', strings.Join(b, "")}}
	}
	// Walk back through the trace to recover the script.
	var rev []DiffOp
	x, y := n, m
	for dd := found; dd > 0; dd-- {
		vp := trace[dd]
		at := func(k int) int { return vp[k+dd+1] }
		k := x - y
		var pk int
		if k == -dd || (k != dd && at(k-1) < at(k+1)) {
			pk = k + 1
		} else {
			pk = k - 1
		}
		px := at(pk)
		py := px - pk
		for x > px && y > py {
			x--
			y--
			rev = append(rev, DiffOp{'=', a[x]})
		}
		if x == px {
			y--
			rev = append(rev, DiffOp{'+', b[y]})
		} else {
			x--
			rev = append(rev, DiffOp{'-', a[x]})
		}
	}
	for x > 0 && y > 0 {
		x--
		y--
		rev = append(rev, DiffOp{'=', a[x]})
	}
	out := make([]DiffOp, 0, len(rev))
	for i := len(rev) - 1; i >= 0; i-- {
		if n := len(out); n > 0 && out[n-1].Kind == rev[i].Kind {
			out[n-1].Text += rev[i].Text
			continue
		}
		out = append(out, rev[i])
	}
	return out
}

// DiffHTML renders ops with <del> and <ins>; line breaks stay breaks.
func DiffHTML(ops []DiffOp) template.HTML {
	var b strings.Builder
	for _, op := range ops {
		t := strings.ReplaceAll(template.HTMLEscapeString(op.Text), "\n", "<br>")
		switch op.Kind {
		case '+':
			b.WriteString(`<ins>` + t + `</ins>`)
		case '-':
			b.WriteString(`<del>` + t + `</del>`)
		default:
			b.WriteString(t)
		}
	}
	return template.HTML(b.String()) //nolint:gosec // every text is escaped above
}
