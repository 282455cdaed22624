package sdk

import (
	"strconv"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"
	"yiwang/core/calendar"
	"yiwang/plugins/sdk/pb"
)

// Tenant is a site of the platform as a module sees it.
type Tenant struct {
	ID            int64
	Code          string // "jyj"
	Name          string // 思南县教育局
	Kind          string // portal, department, township, other
	Status        string // active, archived
	PrimaryDomain string
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
	Tags     []string
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

// Conversions between the Go API and the wire. Kept together so that a
// field added to one side is easy to carry to the other.

func tenantToPB(t *Tenant) *pb.Tenant {
	if t == nil {
		return nil
	}
	return &pb.Tenant{Id: t.ID, Code: t.Code, Name: t.Name, Kind: t.Kind, Status: t.Status, PrimaryDomain: t.PrimaryDomain}
}

func tenantFromPB(t *pb.Tenant) *Tenant {
	if t == nil {
		return nil
	}
	return &Tenant{ID: t.Id, Code: t.Code, Name: t.Name, Kind: t.Kind, Status: t.Status, PrimaryDomain: t.PrimaryDomain}
}

// TenantToPB converts for hosts and harnesses.
func TenantToPB(t *Tenant) *pb.Tenant { return tenantToPB(t) }

// UserToPB converts for hosts and harnesses.
func UserToPB(u *User) *pb.User { return userToPB(u) }

func userToPB(u *User) *pb.User {
	if u == nil {
		return nil
	}
	return &pb.User{Id: u.ID, Name: u.Name, Roles: u.Roles, Permissions: u.Permissions}
}

func userFromPB(u *pb.User) *User {
	if u == nil {
		return nil
	}
	return &User{ID: u.Id, Name: u.Name, Roles: u.Roles, Permissions: u.Permissions}
}

func docToPB(d Document) *pb.Document {
	pd := &pb.Document{Id: d.ID, TenantId: d.TenantID, Type: d.Type, Path: d.Path, Title: d.Title, Body: d.Body, Tags: d.Tags}
	if !d.Date.IsZero() {
		pd.Date = timestamppb.New(d.Date)
	}
	return pd
}

// DocumentFromPB converts for hosts.
func DocumentFromPB(d *pb.Document) Document { return docFromPB(d) }

func docFromPB(d *pb.Document) Document {
	out := Document{ID: d.Id, TenantID: d.TenantId, Type: d.Type, Path: d.Path, Title: d.Title, Body: d.Body, Tags: d.Tags}
	if d.Date != nil {
		out.Date = d.Date.AsTime()
	}
	return out
}

func articleToPB(a Article) *pb.Article {
	pa := &pb.Article{Id: a.ID, TenantId: a.TenantID, Column: a.Column, ColumnName: a.ColumnName, Title: a.Title,
		Summary: a.Summary, Path: a.Path, Demo: a.Demo}
	if !a.PublishedAt.IsZero() {
		pa.PublishedAt = timestamppb.New(a.PublishedAt)
	}
	return pa
}

func articleFromPB(a *pb.Article) Article {
	out := Article{ID: a.Id, TenantID: a.TenantId, Column: a.Column, ColumnName: a.ColumnName, Title: a.Title,
		Summary: a.Summary, Path: a.Path, Demo: a.Demo}
	if a.PublishedAt != nil {
		out.PublishedAt = a.PublishedAt.AsTime()
	}
	return out
}

func workingDaysToPB(w *WorkingDays) *pb.WorkingDays {
	out := &pb.WorkingDays{Date: w.Date.String(), Days: int32(w.Days), Explanation: w.Explanation}
	for _, s := range w.Steps {
		out.Steps = append(out.Steps, &pb.CalendarStep{Date: s.Date.String(), Kind: string(s.Kind), Holiday: s.Holiday, Counted: s.Counted})
	}
	return out
}

func workingDaysFromPB(w *pb.WorkingDays) (*WorkingDays, error) {
	d, err := calendar.ParseDate(w.Date)
	if err != nil {
		return nil, err
	}
	out := &WorkingDays{Date: d, Days: int(w.Days), Explanation: w.Explanation}
	for _, s := range w.Steps {
		sd, err := calendar.ParseDate(s.Date)
		if err != nil {
			return nil, err
		}
		out.Steps = append(out.Steps, CalendarStep{Date: sd, Kind: calendar.Kind(s.Kind), Holiday: s.Holiday, Counted: s.Counted})
	}
	return out, nil
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

func descriptionToPB(d Description) *pb.Description {
	out := &pb.Description{Name: d.Name, Version: d.Version, Title: d.Title}
	for _, n := range d.Nav {
		out.Nav = append(out.Nav, &pb.NavEntry{Title: n.Title, Path: n.Path, Permission: n.Permission})
	}
	for _, n := range d.Admin {
		out.Admin = append(out.Admin, &pb.NavEntry{Title: n.Title, Path: n.Path, Permission: n.Permission})
	}
	for _, p := range d.Permissions {
		out.Permissions = append(out.Permissions, &pb.Permission{Name: p.Name, Title: p.Title, Kind: p.Kind})
	}
	return out
}

func descriptionFromPB(d *pb.Description) Description {
	out := Description{Name: d.Name, Version: d.Version, Title: d.Title}
	for _, n := range d.Nav {
		out.Nav = append(out.Nav, NavEntry{Title: n.Title, Path: n.Path, Permission: n.Permission})
	}
	for _, n := range d.Admin {
		out.Admin = append(out.Admin, NavEntry{Title: n.Title, Path: n.Path, Permission: n.Permission})
	}
	for _, p := range d.Permissions {
		out.Permissions = append(out.Permissions, Permission{Name: p.Name, Title: p.Title, Kind: p.Kind})
	}
	return out
}
