package rpc

import (
	"fmt"

	"google.golang.org/protobuf/types/known/timestamppb"
	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/calendar"
	"yiwang/plugins/sdk/pb"
)

// Conversions between the Go API and the wire. Kept together so that a
// field added to one side is easy to carry to the other.

func tenantToPB(t *sdk.Tenant) *pb.Tenant {
	if t == nil {
		return nil
	}
	return &pb.Tenant{Id: t.ID, Code: t.Code, Name: t.Name, Kind: t.Kind, Status: t.Status, PrimaryDomain: t.PrimaryDomain, OrgCode: t.OrgCode}
}

func tenantFromPB(t *pb.Tenant) *sdk.Tenant {
	if t == nil {
		return nil
	}
	return &sdk.Tenant{ID: t.Id, Code: t.Code, Name: t.Name, Kind: t.Kind, Status: t.Status, PrimaryDomain: t.PrimaryDomain, OrgCode: t.OrgCode}
}

// TenantToPB converts for hosts and harnesses.
func TenantToPB(t *sdk.Tenant) *pb.Tenant { return tenantToPB(t) }

// UserToPB converts for hosts and harnesses.
func UserToPB(u *sdk.User) *pb.User { return userToPB(u) }

func userToPB(u *sdk.User) *pb.User {
	if u == nil {
		return nil
	}
	return &pb.User{Id: u.ID, Name: u.Name, Roles: u.Roles, Permissions: u.Permissions}
}

func userFromPB(u *pb.User) *sdk.User {
	if u == nil {
		return nil
	}
	return &sdk.User{ID: u.Id, Name: u.Name, Roles: u.Roles, Permissions: u.Permissions}
}

func docToPB(d sdk.Document) *pb.Document {
	pd := &pb.Document{Id: d.ID, TenantId: d.TenantID, Type: d.Type, Path: d.Path, Title: d.Title, Body: d.Body, Tags: d.Tags}
	if !d.Date.IsZero() {
		pd.Date = timestamppb.New(d.Date)
	}
	return pd
}

// DocumentFromPB converts for hosts.
func DocumentFromPB(d *pb.Document) sdk.Document { return docFromPB(d) }

func docFromPB(d *pb.Document) sdk.Document {
	out := sdk.Document{ID: d.Id, TenantID: d.TenantId, Type: d.Type, Path: d.Path, Title: d.Title, Body: d.Body, Tags: d.Tags}
	if d.Date != nil {
		out.Date = d.Date.AsTime()
	}
	return out
}

func articleToPB(a sdk.Article) *pb.Article {
	pa := &pb.Article{Id: a.ID, TenantId: a.TenantID, Column: a.Column, ColumnName: a.ColumnName, Title: a.Title,
		Summary: a.Summary, Path: a.Path, Demo: a.Demo}
	if !a.PublishedAt.IsZero() {
		pa.PublishedAt = timestamppb.New(a.PublishedAt)
	}
	return pa
}

func articleFromPB(a *pb.Article) sdk.Article {
	out := sdk.Article{ID: a.Id, TenantID: a.TenantId, Column: a.Column, ColumnName: a.ColumnName, Title: a.Title,
		Summary: a.Summary, Path: a.Path, Demo: a.Demo}
	if a.PublishedAt != nil {
		out.PublishedAt = a.PublishedAt.AsTime()
	}
	return out
}

func workingDaysToPB(w *sdk.WorkingDays) *pb.WorkingDays {
	out := &pb.WorkingDays{Date: w.Date.String(), Days: int32(w.Days), Explanation: w.Explanation}
	for _, s := range w.Steps {
		out.Steps = append(out.Steps, &pb.CalendarStep{Date: s.Date.String(), Kind: string(s.Kind), Holiday: s.Holiday, Counted: s.Counted})
	}
	return out
}

func workingDaysFromPB(w *pb.WorkingDays) (*sdk.WorkingDays, error) {
	d, err := calendar.ParseDate(w.Date)
	if err != nil {
		return nil, err
	}
	out := &sdk.WorkingDays{Date: d, Days: int(w.Days), Explanation: w.Explanation}
	for _, s := range w.Steps {
		sd, err := calendar.ParseDate(s.Date)
		if err != nil {
			return nil, err
		}
		out.Steps = append(out.Steps, sdk.CalendarStep{Date: sd, Kind: calendar.Kind(s.Kind), Holiday: s.Holiday, Counted: s.Counted})
	}
	return out, nil
}

func descriptionToPB(d sdk.Description) *pb.Description {
	out := &pb.Description{Name: d.Name, Version: d.Version, Title: d.Title, Events: int32(d.Events)}
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

func descriptionFromPB(d *pb.Description) sdk.Description {
	out := sdk.Description{Name: d.Name, Version: d.Version, Title: d.Title, Events: int(d.Events)}
	for _, n := range d.Nav {
		out.Nav = append(out.Nav, sdk.NavEntry{Title: n.Title, Path: n.Path, Permission: n.Permission})
	}
	for _, n := range d.Admin {
		out.Admin = append(out.Admin, sdk.NavEntry{Title: n.Title, Path: n.Path, Permission: n.Permission})
	}
	for _, p := range d.Permissions {
		out.Permissions = append(out.Permissions, sdk.Permission{Name: p.Name, Title: p.Title, Kind: p.Kind})
	}
	return out
}

// CaseToPB is a case on the wire.
func CaseToPB(c sdk.Case) *pb.Case {
	out := &pb.Case{TenantId: c.TenantID, Kind: c.Kind, Number: c.Number, Title: c.Title, State: c.State,
		Overdue: c.Overdue, Path: c.Path, Closed: c.Closed}
	if !c.Due.IsZero() {
		out.Due = c.Due.String()
	}
	if !c.Updated.IsZero() {
		out.Updated = timestamppb.New(c.Updated)
	}
	return out
}

// CaseFromPB reads a case from the wire; a malformed due date is an
// error, not a case without a deadline.
func CaseFromPB(c *pb.Case) (sdk.Case, error) {
	out := sdk.Case{TenantID: c.TenantId, Kind: c.Kind, Number: c.Number, Title: c.Title, State: c.State,
		Overdue: c.Overdue, Path: c.Path, Closed: c.Closed}
	if c.Due != "" {
		d, err := calendar.ParseDate(c.Due)
		if err != nil {
			return sdk.Case{}, fmt.Errorf("case %s: %w", c.Number, err)
		}
		out.Due = d
	}
	if c.Updated != nil {
		out.Updated = c.Updated.AsTime()
	}
	return out, nil
}
