package sdk

import (
	"strconv"
	"time"

	"yiwang/plugins/sdk/calendar"
)

// Tenant is a site of the platform as a module sees it.
type Tenant struct {
	ID            int64
	Code          string // "jyj"
	Name          string // 思南县教育局
	Kind          string // portal, department, township, other
	Status        string // active, archived
	PrimaryDomain string
	// OrgCode is the unit's 统一社会信用代码 (or organisation code), from
	// the tenant's facts; "" until the county office enters it.
	OrgCode string
}

// IsPortal reports whether t is the county portal.
func (t *Tenant) IsPortal() bool { return t.Kind == "portal" }

// User is the person behind a request, with what they hold on the
// request's tenant.
type User struct {
	ID          int64
	Name        string
	Roles       []string
	Permissions []string // this module's permissions, as the host mapped the roles
}

// Can reports whether u holds permission perm.
func (u *User) Can(perm string) bool {
	if u == nil {
		return false
	}
	for _, p := range u.Permissions {
		if p == perm {
			return true
		}
	}
	return false
}

// HasRole reports whether u holds role on the request's tenant.
func (u *User) HasRole(role string) bool {
	if u == nil {
		return false
	}
	for _, r := range u.Roles {
		if r == role {
			return true
		}
	}
	return false
}

// Actor names u in the audit log.
func (u *User) Actor() string {
	if u == nil {
		return "anonymous"
	}
	return "user:" + strconv.FormatInt(u.ID, 10)
}

// Document is a search document of a module.
type Document struct {
	ID       string // unique within the module: "12"; the host prefixes the module name
	TenantID int64
	Type     string // "topic"
	Path     string // relative to the tenant's site base: "topics/12"
	Title    string
	Body     string // plain text
	Date     time.Time
	// Tags are searchable words; a tag "key=value" is also a field the
	// search page filters by (a disclosure item's "publisher=…").
	Tags []string
}

// Column is a column of a tenant's site.
type Column struct {
	Slug, Name, Type string
	Parent           string // slug of the parent, "" at the top
}

// ArticleQuery selects a tenant's published core articles.
type ArticleQuery struct {
	TenantID int64
	Column   string // column slug, "" for any
	Tag      string // keyword, "" for any
	Limit    int    // 1–50
}

// Article is a published core article.
type Article struct {
	ID          int64
	TenantID    int64
	Column      string
	ColumnName  string
	Title       string
	Summary     string
	Path        string // relative to the tenant's site base: "art/12"
	PublishedAt time.Time
	Demo        bool
}

// AuditEntry is a line a module adds to the platform audit log.
type AuditEntry struct {
	TenantID   int64
	Actor      string // "user:12"
	Action     string // "topic.publish"; the host prefixes the module name
	Target     string
	Detail     string
	RemoteAddr string
	Result     string // "ok" (default) or "error"
}

// Notification is a notice to a user (a letter's new reply, a deadline).
type Notification struct {
	TenantID int64
	UserID   int64
	Subject  string
	Body     string
	Path     string // relative to the tenant's site base
}

// WorkingDays is the answer of the host's working-day arithmetic.
type WorkingDays struct {
	Date        calendar.Date // the deadline, or the end date
	Days        int
	Explanation string // Chinese, for staff and citizens
	Steps       []CalendarStep
}

// CalendarStep is a rest day skipped or a make-up day counted.
type CalendarStep struct {
	Date    calendar.Date
	Kind    calendar.Kind
	Holiday string
	Counted bool
}

// WorkingDaysOf turns a calendar result into the host's answer; hosts
// and fakes share it so that a module sees the same explanation in tests
// as in production.
func WorkingDaysOf(r *calendar.Result) *WorkingDays {
	w := &WorkingDays{Date: r.To, Days: r.Days, Explanation: r.Explain()}
	i, j := 0, 0
	// Merge the two ordered lists into one ordered list of steps.
	for i < len(r.Skipped) || j < len(r.Makeup) {
		if j >= len(r.Makeup) || (i < len(r.Skipped) && r.Skipped[i].Date.Before(r.Makeup[j].Date)) {
			s := r.Skipped[i]
			w.Steps = append(w.Steps, CalendarStep{Date: s.Date, Kind: s.Kind, Holiday: s.Holiday})
			i++
			continue
		}
		m := r.Makeup[j]
		w.Steps = append(w.Steps, CalendarStep{Date: m.Date, Kind: m.Kind, Holiday: m.Holiday, Counted: true})
		j++
	}
	return w
}

// Case is one matter of a person in a module, as the account page lists
// it. Labels are the module's own Chinese words, shown as they are.
type Case struct {
	TenantID int64
	Module   string        // filled by the host
	Kind     string        // 信件, 依申请公开
	Number   string        // the number the person was given
	Title    string        // subject or the information asked for
	State    string        // Chinese label: 办理中, 已答复 …
	Due      calendar.Date // the deadline, zero when none (closed, stopped)
	Overdue  bool          // open and past Due
	Path     string        // relative to the tenant's site base: "mailbox/my/XJ2026…"
	Updated  time.Time
	// Open cases are listed first; a module says which are closed.
	Closed bool
}
