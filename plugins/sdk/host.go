package sdk

import (
	"context"

	"yiwang/plugins/sdk/calendar"
)

// Host is what the host offers a module. In a plugin process it is a gRPC
// client of the host over the go-plugin broker; in tests a fake
// (sdktest.FakeHost). Errors are *Error values.
type Host interface {
	// Index adds or replaces a search document; Remove takes one away.
	Index(ctx context.Context, d Document) error
	Remove(ctx context.Context, tenantID int64, id string) error
	// AddWorkingDays returns the n-th working day after from, with an
	// explanation; WorkingDaysBetween counts the working days after from
	// up to to. Both fail when the calendar lacks a year.
	AddWorkingDays(ctx context.Context, from calendar.Date, n int) (*WorkingDays, error)
	WorkingDaysBetween(ctx context.Context, from, to calendar.Date) (*WorkingDays, error)
	// Audit writes the platform audit log.
	Audit(ctx context.Context, e AuditEntry) error
	// Notify sends a user a notice.
	Notify(ctx context.Context, n Notification) error
	// Tenant looks a tenant up; Tenants lists them (enabledOnly: those
	// enabling the calling module).
	Tenant(ctx context.Context, id int64) (*Tenant, error)
	Tenants(ctx context.Context, enabledOnly bool) ([]*Tenant, error)
	// User looks a user up with their roles on tenantID.
	User(ctx context.Context, tenantID, id int64) (*User, error)
	// Columns lists a tenant's columns; Articles and Article read its
	// published core articles.
	Columns(ctx context.Context, tenantID int64) ([]Column, error)
	Articles(ctx context.Context, q ArticleQuery) ([]Article, error)
	Article(ctx context.Context, tenantID, id int64) (*Article, error)
}
