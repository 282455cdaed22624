// Package content holds each tenant's columns and articles: the column
// tree built from the county's standard template, and articles published
// by the server's clock into those columns.
package content

import (
	"html/template"
	"time"
)

// Column types.
const (
	ColumnList = "list" // a paginated list of articles
	ColumnPage = "page" // one page: the column's newest article
	ColumnLink = "link" // a link elsewhere
	// ColumnVideo is a 电视新闻 column: a list of videos with posters.
	ColumnVideo = "video"
)

// ColumnTypeLabel is the 栏目类型 the national specification's ColumnType
// meta tag carries.
func ColumnTypeLabel(t string) string {
	switch t {
	case ColumnList:
		return "列表栏目"
	case ColumnPage:
		return "单页栏目"
	case ColumnLink:
		return "链接栏目"
	case ColumnVideo:
		return "视频栏目"
	}
	return t
}

// Column is a node of a tenant's column tree.
type Column struct {
	ID           int64     `db:"id"`
	TenantID     int64     `db:"tenant_id"`
	ParentID     *int64    `db:"parent_id"`
	Slug         string    `db:"slug"`
	Name         string    `db:"name"`
	Type         string    `db:"type"`
	LinkURL      string    `db:"link_url"`
	Description  string    `db:"description"`
	Keywords     string    `db:"keywords"`
	Sort         int       `db:"sort"`
	Hidden       bool      `db:"hidden"`
	TemplateSlug *string   `db:"template_slug"` // set when the column comes from the standard template
	CreatedAt    time.Time `db:"created_at"`

	Children []*Column `db:"-"`
}

// FromTemplate reports whether the county's standard template owns the column.
func (c *Column) FromTemplate() bool { return c.TemplateSlug != nil }

// Article states.
const (
	Draft     = "draft"
	Published = "published"
	Withdrawn = "withdrawn"
)

// Article is one piece of published content.
type Article struct {
	ID          int64      `db:"id"`
	TenantID    int64      `db:"tenant_id"`
	ColumnID    int64      `db:"column_id"`
	Title       string     `db:"title"`
	Subtitle    string     `db:"subtitle"`
	Summary     string     `db:"summary"`
	Body        string     `db:"body"` // sanitized HTML, sanitized again on write
	Source      string     `db:"source"`
	Author      string     `db:"author"`
	Keywords    string     `db:"keywords"`
	Status      string     `db:"status"`
	Demo        bool       `db:"demo"`
	PublishedAt *time.Time `db:"published_at"`
	CreatedAt   time.Time  `db:"created_at"`
	UpdatedAt   time.Time  `db:"updated_at"`
}

// HTML returns the body for templates. The body was sanitized when it was
// written and is sanitized again here, so a row written by any other path
// still cannot carry script into a page.
func (a *Article) HTML() template.HTML { return template.HTML(Sanitize(a.Body)) } //nolint:gosec // sanitized

// PubTime formats the publish time as the national specification shows it.
func (a *Article) PubTime() string {
	if a.PublishedAt == nil {
		return ""
	}
	return FormatTime(*a.PublishedAt)
}

// Location is the time zone publication times are shown in.
var Location = time.FixedZone("CST", 8*3600)

// FormatTime shows t as YYYY-MM-DD HH:MM, Beijing time.
func FormatTime(t time.Time) string { return t.In(Location).Format("2006-01-02 15:04") }
