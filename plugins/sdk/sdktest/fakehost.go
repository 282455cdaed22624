// Package sdktest runs a module for its tests: in the test's own process
// (fast, debuggable) or as a real plugin process over go-plugin (the
// production path: gRPC, the broker, the handshake), with the same
// requests and the same answers, against FakeHost, an in-memory host.
//
// A module's test package starts with
//
//	func TestMain(m *testing.M) { sdktest.Main(m) }
//
// so that the test binary can be re-executed as the module's plugin.
package sdktest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/calendar"
)

// FakeHost is an in-memory sdk.Host that records what a module asked of
// it, for assertions.
type FakeHost struct {
	mu       sync.Mutex
	calendar *calendar.Calendar
	tenants  []*sdk.Tenant
	enabled  map[int64]bool
	docs     map[string]sdk.Document // tenant/id
	audit    []sdk.AuditEntry
	notices  []sdk.Notification
	articles map[int64][]sdk.Article
	columns  map[int64][]sdk.Column
	users    map[int64]*sdk.User
	hits     map[string][]time.Time // limit/key
	changed  []PageChange
	now      func() time.Time
	files    map[string]sdk.File // key
	// NoFiles makes the host answer the file calls as a host older than
	// them does (sdk.ErrUnsupported).
	NoFiles bool
}

// PageChange is one PagesChanged call the module made.
type PageChange struct {
	TenantID int64
	Prefix   string
}

var _ sdk.Host = (*FakeHost)(nil)

// NewFakeHost returns a host knowing tenants, with the official calendar.
func NewFakeHost(tenants ...*sdk.Tenant) *FakeHost {
	return &FakeHost{calendar: calendar.Official(), tenants: tenants, enabled: map[int64]bool{},
		docs: map[string]sdk.Document{}, articles: map[int64][]sdk.Article{}, columns: map[int64][]sdk.Column{},
		users: map[int64]*sdk.User{}, hits: map[string][]time.Time{}, now: time.Now}
}

// SetEnabled records which tenants enable the module (for Tenants(true)).
func (h *FakeHost) cal() *calendar.Calendar {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.calendar
}

// SetCalendar replaces the calendar the host answers working days from
// (the county office's corrections).
func (h *FakeHost) SetCalendar(c *calendar.Calendar) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calendar = c
}

func (h *FakeHost) SetEnabled(ids ...int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.enabled = map[int64]bool{}
	for _, id := range ids {
		h.enabled[id] = true
	}
}

// AddArticles gives a tenant published core articles.
func (h *FakeHost) AddArticles(tenantID int64, as ...sdk.Article) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, a := range as {
		a.TenantID = tenantID
		h.articles[tenantID] = append(h.articles[tenantID], a)
	}
}

// AddColumns gives a tenant columns.
func (h *FakeHost) AddColumns(tenantID int64, cs ...sdk.Column) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.columns[tenantID] = append(h.columns[tenantID], cs...)
}

// AddUser makes a user known to User lookups.
func (h *FakeHost) AddUser(u *sdk.User) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.users[u.ID] = u
}

// Documents returns the indexed documents, ordered by tenant and id.
func (h *FakeHost) Documents() []sdk.Document {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]sdk.Document, 0, len(h.docs))
	for _, d := range h.docs {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].TenantID != out[j].TenantID {
			return out[i].TenantID < out[j].TenantID
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// AuditLog returns the audit entries written, in order.
func (h *FakeHost) AuditLog() []sdk.AuditEntry {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]sdk.AuditEntry(nil), h.audit...)
}

// Notices returns the notifications sent, in order.
func (h *FakeHost) Notices() []sdk.Notification {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]sdk.Notification(nil), h.notices...)
}

func docKey(tenantID int64, id string) string { return strconv.FormatInt(tenantID, 10) + "/" + id }

func (h *FakeHost) Index(_ context.Context, d sdk.Document) error {
	if d.TenantID == 0 || d.ID == "" {
		return sdk.Errorf(sdk.EINVALID, "搜索文档缺少站点或编号")
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.docs[docKey(d.TenantID, d.ID)] = d
	return nil
}

func (h *FakeHost) Remove(_ context.Context, tenantID int64, id string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.docs, docKey(tenantID, id))
	return nil
}

func (h *FakeHost) AddWorkingDays(_ context.Context, from calendar.Date, n int) (*sdk.WorkingDays, error) {
	r, err := h.cal().AddWorkingDays(from, n)
	if err != nil {
		return nil, calendarError(err)
	}
	return sdk.WorkingDaysOf(r), nil
}

func (h *FakeHost) WorkingDaysBetween(_ context.Context, from, to calendar.Date) (*sdk.WorkingDays, error) {
	r, err := h.cal().WorkingDaysBetween(from, to)
	if err != nil {
		return nil, calendarError(err)
	}
	return sdk.WorkingDaysOf(r), nil
}

// calendarError is what the host answers: a year the calendar lacks is
// the service being unavailable until the county office adds it.
func calendarError(err error) error {
	if errors.Is(err, calendar.ErrYearMissing) {
		return sdk.Errorf(sdk.EUNAVAIL, "%s", err.Error())
	}
	return sdk.Errorf(sdk.EINVALID, "%s", err.Error())
}

func (h *FakeHost) Audit(_ context.Context, e sdk.AuditEntry) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.audit = append(h.audit, e)
	return nil
}

func (h *FakeHost) Notify(_ context.Context, n sdk.Notification) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.notices = append(h.notices, n)
	return nil
}

func (h *FakeHost) Tenant(_ context.Context, id int64) (*sdk.Tenant, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, t := range h.tenants {
		if t.ID == id {
			c := *t
			return &c, nil
		}
	}
	return nil, sdk.Errorf(sdk.ENOTFOUND, "没有找到站点")
}

func (h *FakeHost) Tenants(_ context.Context, enabledOnly bool) ([]*sdk.Tenant, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []*sdk.Tenant
	for _, t := range h.tenants {
		if !enabledOnly || h.enabled[t.ID] {
			c := *t
			out = append(out, &c)
		}
	}
	return out, nil
}

func (h *FakeHost) User(_ context.Context, _, id int64) (*sdk.User, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if u, ok := h.users[id]; ok {
		c := *u
		return &c, nil
	}
	return nil, sdk.Errorf(sdk.ENOTFOUND, "没有找到用户")
}

func (h *FakeHost) Columns(_ context.Context, tenantID int64) ([]sdk.Column, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]sdk.Column(nil), h.columns[tenantID]...), nil
}

func (h *FakeHost) Articles(_ context.Context, q sdk.ArticleQuery) ([]sdk.Article, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []sdk.Article
	for _, a := range h.articles[q.TenantID] {
		if q.Column != "" && a.Column != q.Column {
			continue
		}
		if q.Tag != "" && !strings.Contains(a.Summary+" "+a.Title, q.Tag) {
			continue
		}
		out = append(out, a)
		if q.Limit > 0 && len(out) >= q.Limit {
			break
		}
	}
	return out, nil
}

func (h *FakeHost) Article(_ context.Context, tenantID, id int64) (*sdk.Article, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, a := range h.articles[tenantID] {
		if a.ID == id {
			c := a
			return &c, nil
		}
	}
	return nil, sdk.Errorf(sdk.ENOTFOUND, "没有找到文章")
}

// Allow keeps rate limits in memory, over a sliding window. One FakeHost
// shared by two harnesses stands for the host's database: the count
// survives the module's restart.
func (h *FakeHost) Allow(_ context.Context, limit, key string, n int, window time.Duration) (bool, time.Duration, error) {
	if err := sdk.CheckLimit(limit, key, n, window); err != nil {
		return false, 0, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	now := h.now()
	k := limit + "/" + key
	var kept []time.Time
	for _, t := range h.hits[k] {
		if now.Sub(t) < window {
			kept = append(kept, t)
		}
	}
	if len(kept) >= n {
		h.hits[k] = kept
		return false, window - now.Sub(kept[0]), nil
	}
	h.hits[k] = append(kept, now)
	return true, 0, nil
}

// PagesChanged records the call, for PageChanges.
func (h *FakeHost) PagesChanged(_ context.Context, tenantID int64, prefix string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.changed = append(h.changed, PageChange{tenantID, prefix})
	return nil
}

// PageChanges returns the PagesChanged calls so far.
func (h *FakeHost) PageChanges() []PageChange {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]PageChange(nil), h.changed...)
}

// PutFile keeps the file in memory under a key of its tenant.
func (h *FakeHost) PutFile(_ context.Context, f sdk.File) (string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.NoFiles {
		return "", sdk.ErrUnsupported
	}
	if h.files == nil {
		h.files = map[string]sdk.File{}
	}
	key := fmt.Sprintf("modules/fake/%d/%d", f.TenantID, len(h.files)+1)
	f.Data = append([]byte(nil), f.Data...)
	h.files[key] = f
	return key, nil
}

// ReadFile gives a file back to its own tenant only.
func (h *FakeHost) ReadFile(_ context.Context, tenantID int64, key string) (*sdk.File, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.NoFiles {
		return nil, sdk.ErrUnsupported
	}
	f, ok := h.files[key]
	if !ok || f.TenantID != tenantID {
		return nil, sdk.Errorf(sdk.ENOTFOUND, "没有找到文件")
	}
	return &f, nil
}

// DeleteFile removes a file of the tenant.
func (h *FakeHost) DeleteFile(_ context.Context, tenantID int64, key string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.NoFiles {
		return sdk.ErrUnsupported
	}
	if f, ok := h.files[key]; ok && f.TenantID == tenantID {
		delete(h.files, key)
	}
	return nil
}

// Files is how many files the host keeps.
func (h *FakeHost) Files() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.files)
}

// SetClock replaces the clock rate limits are counted by.
func (h *FakeHost) SetClock(now func() time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.now = now
}
