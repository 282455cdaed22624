package sdk

import (
	"context"
	"errors"
	"regexp"
	"time"

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
	// Allow spends one event of the module's rate limit called limit for
	// key (an address, a user): n events per window. When it answers
	// false, retryAfter says how long until one is allowed again. The
	// host keeps the counts in its database, so a module's restart does
	// not reset them and they hold across host processes. A host older
	// than the call answers ErrUnsupported; count in the process then.
	Allow(ctx context.Context, limit, key string, n int, window time.Duration) (ok bool, retryAfter time.Duration, err error)
	// PagesChanged tells the host that the module's public pages of
	// tenantID under prefix (relative to the module's mount, "" for all)
	// changed, so that no host process serves them from its page cache
	// any longer. Indexing or removing a search document says so too; call
	// this for changes that are not search documents (a page's layout,
	// figures). A host older than the call answers ErrUnsupported.
	PagesChanged(ctx context.Context, tenantID int64, prefix string) error
	// PutFile keeps a file of the tenant in the platform's file store
	// (the folder, or the S3 bucket several replicas share), counted
	// against the tenant's quota, and returns the key to keep with the
	// module's row; ReadFile gives it back, DeleteFile removes it. Only
	// the module that put a file, for its tenant, reaches it. A host
	// older than the calls answers ErrUnsupported: keep the file in the
	// module's database then.
	PutFile(ctx context.Context, f File) (key string, err error)
	ReadFile(ctx context.Context, tenantID int64, key string) (*File, error)
	DeleteFile(ctx context.Context, tenantID int64, key string) error
}

// File is a module's file in the platform's store.
type File struct {
	TenantID    int64
	Name        string
	ContentType string
	Data        []byte
}

// ErrUnsupported is the answer of a host that does not offer a service
// the SDK knows (an older host, within the same protocol version).
var ErrUnsupported = errors.New("sdk: the host does not offer this service")

var limitName = regexp.MustCompile(`^[a-z][a-z0-9-]{0,31}$`)

// CheckLimit refuses a rate limit the host would not keep: a name of
// lower-case letters, digits and '-', a key of at most 512 bytes, 1 to
// 100000 events in a window of one second to one day. Hosts and fakes
// check with it, so a module sees the same refusal in tests.
func CheckLimit(limit, key string, n int, window time.Duration) error {
	switch {
	case !limitName.MatchString(limit):
		return Errorf(EINVALID, "限流名称 %q 无效：只能使用小写字母、数字和连字符", limit)
	case key == "" || len(key) > 512:
		return Errorf(EINVALID, "限流对象为空或过长")
	case n < 1 || n > 100000:
		return Errorf(EINVALID, "限流次数须在 1 到 100000 之间")
	case window < time.Second || window > 24*time.Hour:
		return Errorf(EINVALID, "限流时间窗须在 1 秒到 1 天之间")
	}
	return nil
}
