package modules

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"yiwang/core"
	"yiwang/core/blob"
	"yiwang/core/calendar"
	"yiwang/core/content"
	"yiwang/core/store"
	"yiwang/core/store/storetest"
	"yiwang/core/web"
	"yiwang/plugins/sdk"
	"yiwang/tenants"

	_ "yiwang/plugins/topics"
)

// The host service answers a module about core content only for tenants
// that enable it, and finds articles by column and by whole keyword.
func TestHostServiceArticles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ts := seeded(t, db)
		portal, _ := ts.ByCode(ctx, "portal")
		jyj, _ := ts.ByCode(ctx, "jyj")
		now := store.Now()
		col := func(tenant int64, slug, name string) int64 {
			res, err := db.ExecContext(ctx, `INSERT INTO site_columns (tenant_id, slug, name, created_at) VALUES (?, ?, ?, ?)`, tenant, slug, name, now)
			if err != nil {
				t.Fatal(err)
			}
			id, _ := res.LastInsertId()
			return id
		}
		art := func(tenant, column int64, title, keywords, status string) {
			if _, err := db.ExecContext(ctx, `INSERT INTO articles (tenant_id, column_id, title, body, keywords, status, published_at, created_at, updated_at)
				VALUES (?, ?, ?, '', ?, ?, ?, ?, ?)`, tenant, column, title, keywords, status, now, now, now); err != nil {
				t.Fatal(err)
			}
		}
		gz := col(portal.ID, "gzdt", "工作动态")
		tz := col(portal.ID, "tzgg", "通知公告")
		jgz := col(jyj.ID, "gzdt", "工作动态")
		art(portal.ID, gz, "甲", "脱贫攻坚，乡村振兴", "published")
		art(portal.ID, gz, "乙", "脱贫攻坚成果展", "published") // not the whole keyword
		art(portal.ID, tz, "丙", "乡村振兴, 脱贫攻坚", "published")
		art(portal.ID, gz, "丁", "脱贫攻坚", "draft")
		art(portal.ID, gz, "戊", "100%_", "published")
		art(jyj.ID, jgz, "己", "脱贫攻坚", "published")

		st := NewStore(db, ts)
		if err := st.Enable(ctx, "t", "portal", "topics", nil); err != nil {
			t.Fatal(err)
		}
		h, err := New(Config{DB: db, Tenants: ts, Modules: []Spec{{Name: "topics"}}, ModuleDSN: func(string) string { return "" }})
		if err != nil {
			t.Fatal(err)
		}
		if err := h.reload(ctx); err != nil {
			t.Fatal(err)
		}
		s := newHostService(h, h.procs["topics"])
		titles := func(q sdk.ArticleQuery) string {
			t.Helper()
			as, err := s.Articles(ctx, q)
			if err != nil {
				t.Fatalf("%+v: %v", q, err)
			}
			var out []string
			for _, a := range as {
				if a.TenantID != q.TenantID || a.Path == "" {
					t.Errorf("article %+v", a)
				}
				out = append(out, a.Title)
			}
			return strings.Join(out, "")
		}
		for _, tc := range []struct {
			q    sdk.ArticleQuery
			want string
		}{
			{sdk.ArticleQuery{TenantID: portal.ID, Tag: "脱贫攻坚"}, "丙甲"},
			{sdk.ArticleQuery{TenantID: portal.ID, Tag: "脱贫攻坚", Column: "gzdt"}, "甲"},
			{sdk.ArticleQuery{TenantID: portal.ID, Column: "gzdt"}, "戊乙甲"},
			{sdk.ArticleQuery{TenantID: portal.ID, Column: "gzdt", Limit: 1}, "戊"},
			{sdk.ArticleQuery{TenantID: portal.ID, Tag: "%"}, ""},
			{sdk.ArticleQuery{TenantID: portal.ID, Tag: "100%_"}, "戊"},
		} {
			if got := titles(tc.q); got != tc.want {
				t.Errorf("%+v: %q, want %q", tc.q, got, tc.want)
			}
		}
		if _, err := s.Articles(ctx, sdk.ArticleQuery{TenantID: jyj.ID}); core.ErrorCode(err) != core.EFORBID {
			t.Errorf("articles of a tenant that does not enable the module: %v", err)
		}
		if _, err := s.Article(ctx, portal.ID, 6); core.ErrorCode(err) != core.ENOTFOUND {
			t.Errorf("jyj's article through the portal: %v", err)
		}
		cols, err := s.Columns(ctx, portal.ID)
		if err != nil || len(cols) != 2 {
			t.Errorf("columns: %+v %v", cols, err)
		}
		if err := s.Index(ctx, sdk.Document{ID: "1", TenantID: jyj.ID}); core.ErrorCode(err) != core.EFORBID {
			t.Errorf("indexing for a tenant that does not enable the module: %v", err)
		}
		if err := s.Audit(ctx, sdk.AuditEntry{TenantID: portal.ID, Actor: "user:1", Action: "topic.publish", Target: "topic:1"}); err != nil {
			t.Fatal(err)
		}
		var action string
		if err := db.GetContext(ctx, &action, `SELECT action FROM audit_log WHERE actor = 'user:1'`); err != nil || action != "topics.topic.publish" {
			t.Errorf("audit action %q %v", action, err)
		}
		wd, err := s.AddWorkingDays(ctx, calendar.NewDate(2026, 2, 12), 3)
		if err != nil || wd.Date.String() != "2026-02-24" {
			t.Errorf("working days: %+v %v", wd, err)
		}
		if _, err := s.AddWorkingDays(ctx, calendar.NewDate(2027, 3, 1), 3); core.ErrorCode(err) != core.EUNAVAIL || !strings.Contains(core.ErrorMessage(err), "2027") {
			t.Errorf("missing year: %v", err)
		}
		if _, err := s.User(ctx, portal.ID, 1); core.ErrorCode(err) != core.ENOTFOUND {
			t.Errorf("user lookup without a Users: %v", err)
		}
	})
}

func TestCheckCSRF(t *testing.T) {
	h := &Host{}
	for _, tc := range []struct {
		name string
		hdr  map[string]string
		ok   bool
	}{
		{"nothing", nil, false},
		{"same origin", map[string]string{"Origin": "http://localhost:8080"}, true},
		{"other port", map[string]string{"Origin": "http://localhost:9090"}, false},
		{"other host", map[string]string{"Origin": "https://evil.example"}, false},
		{"null origin, good referer", map[string]string{"Origin": "null", "Referer": "http://localhost:8080/admin/"}, true},
		{"bad referer", map[string]string{"Referer": "http://evil.example/"}, false},
		{"fetch metadata same-origin", map[string]string{"Sec-Fetch-Site": "same-origin"}, true},
		{"fetch metadata same-site", map[string]string{"Sec-Fetch-Site": "same-site", "Origin": "http://localhost:8080"}, false},
	} {
		r := httptest.NewRequest(http.MethodPost, "http://localhost:8080/topics/", nil)
		for k, v := range tc.hdr {
			r.Header.Set(k, v)
		}
		if err := h.checkCSRF(r); (err == nil) != tc.ok {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	// A verifier decides, unless it cannot judge the request.
	h.cfg.CSRF = fakeCSRF{errors.New("bad token")}
	r := httptest.NewRequest(http.MethodPost, "http://localhost:8080/topics/", nil)
	r.Header.Set("Origin", "http://localhost:8080")
	if h.checkCSRF(r) == nil {
		t.Error("verifier ignored")
	}
	h.cfg.CSRF = fakeCSRF{ErrNoVerifier}
	if err := h.checkCSRF(r); err != nil {
		t.Errorf("fallback to the origin check: %v", err)
	}
}

type fakeCSRF struct{ err error }

func (f fakeCSRF) Token(http.ResponseWriter, *http.Request) string { return "t" }
func (f fakeCSRF) Verify(*http.Request) error                      { return f.err }

func TestResponseFilters(t *testing.T) {
	for loc, ok := range map[string]bool{
		"/site/jyj/topics/1": true, "https://jyj.example.gov.cn/topics/": true, "//evil.example/": false,
		`/\evil.example`: false, "javascript:alert(1)": false, "http:evil": false,
	} {
		if safeRedirect(loc) != ok {
			t.Errorf("safeRedirect(%q) != %v", loc, ok)
		}
	}
	in := http.Header{"Cookie": {"s=1"}, "Authorization": {"x"}, "Accept-Language": {"zh-CN"}, "X-Request-Id": {"forged-by-visitor"}}
	out := forwardHeaders(in, "0123456789abcdef01234567")
	if out.Get("Cookie") != "" || out.Get("Authorization") != "" || out.Get("Accept-Language") != "zh-CN" {
		t.Errorf("forwarded: %v", out)
	}
	if got := out.Values("X-Request-Id"); len(got) != 1 || got[0] != "0123456789abcdef01234567" {
		t.Errorf("the module gets request id %v, want the host's", got)
	}
}

// Two host processes on one database keep one count of a module's rate
// limit, and two modules' limits of the same name never share it.
func TestHostServiceAllowIsShared(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ts := tenants.NewStore(db)
		host := func() *Host {
			h, err := New(Config{DB: db, Tenants: ts, Modules: []Spec{{Name: "topics"}}, ModuleDSN: func(string) string { return "" }})
			if err != nil {
				t.Fatal(err)
			}
			return h
		}
		one, two := host(), host()
		a := newHostService(one, one.procs["topics"])
		b := newHostService(two, two.procs["topics"])
		other := &hostService{h: two, name: "mailbox"}
		allow := func(s *hostService, key string) bool {
			t.Helper()
			ok, _, err := s.Allow(ctx, "form", key, 3, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		for i, s := range []*hostService{a, b, a} {
			if !allow(s, "192.0.2.1") {
				t.Fatalf("event %d refused", i+1)
			}
		}
		if allow(b, "192.0.2.1") {
			t.Fatal("fourth event allowed on the second host")
		}
		ok, wait, _ := a.Allow(ctx, "form", "192.0.2.1", 3, time.Hour)
		if ok || wait <= 0 || wait > time.Hour {
			t.Fatalf("first host: allowed %v, retry after %v", ok, wait)
		}
		if !allow(a, "192.0.2.2") {
			t.Fatal("another key refused")
		}
		if !allow(other, "192.0.2.1") {
			t.Fatal("another module's limit of the same name shares the count")
		}
		for _, bad := range []struct {
			limit, key string
			n          int
			window     time.Duration
		}{{"Form", "k", 3, time.Hour}, {"form", "", 3, time.Hour}, {"form", "k", 0, time.Hour}, {"form", "k", 3, 48 * time.Hour}} {
			if _, _, err := a.Allow(ctx, bad.limit, bad.key, bad.n, bad.window); core.ErrorCode(err) != core.EINVALID {
				t.Errorf("Allow(%q, %q, %d, %v) = %v, want EINVALID", bad.limit, bad.key, bad.n, bad.window, err)
			}
		}
	})
}

// A module learns the unit's 统一社会信用代码 with the tenant's other facts
// (the disclosure module prints it in every 索引号).
func TestSDKTenantCarriesOrgCode(t *testing.T) {
	got := sdkTenant(&tenants.Tenant{ID: 7, Code: "jyj", Name: "思南县教育局", Kind: tenants.Department, OrgCode: "11522427MB0000001X", Domains: []string{"jyj.example.cn"}})
	if got.OrgCode != "11522427MB0000001X" || got.PrimaryDomain != "jyj.example.cn" || got.ID != 7 {
		t.Errorf("sdkTenant = %+v", got)
	}
}

// The list of cases: open ones first by deadline (none last), then
// closed ones, latest change first.
func TestSortCases(t *testing.T) {
	d := func(m time.Month, day int) calendar.Date { return calendar.NewDate(2026, m, day) }
	at := func(day int) time.Time { return time.Date(2026, 4, day, 0, 0, 0, 0, time.UTC) }
	cs := []web.Case{
		{Number: "closed-old", Closed: true, Updated: at(1)},
		{Number: "open-none"},
		{Number: "open-late", Due: d(5, 20)},
		{Number: "closed-new", Closed: true, Updated: at(9)},
		{Number: "open-soon", Due: d(4, 2)},
	}
	sortCases(cs)
	var got []string
	for _, c := range cs {
		got = append(got, c.Number)
	}
	if want := "open-soon open-late open-none closed-new closed-old"; strings.Join(got, " ") != want {
		t.Errorf("order %v, want %s", got, want)
	}
}

// PagesChanged records the module's pages of the tenant under the
// module's mount, and the portal's pages of the module with them.
func TestHostServicePagesChanged(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ts := tenants.NewStore(db)
		portal := &tenants.Tenant{Code: "portal", Name: "县政府", Kind: tenants.Portal}
		dept := &tenants.Tenant{Code: "jyj", Name: "县教育局", Kind: tenants.Department}
		for _, tn := range []*tenants.Tenant{portal, dept} {
			if err := ts.Create(ctx, "test", tn); err != nil {
				t.Fatal(err)
			}
		}
		h, err := New(Config{DB: db, Tenants: ts, Modules: []Spec{{Name: "topics"}}, ModuleDSN: func(string) string { return "" }})
		if err != nil {
			t.Fatal(err)
		}
		s := newHostService(h, h.procs["topics"])
		var before int64
		if err := db.GetContext(ctx, &before, `SELECT COALESCE(MAX(id), 0) FROM page_changes`); err != nil {
			t.Fatal(err)
		}
		if err := s.PagesChanged(ctx, dept.ID, "item/"); err != nil {
			t.Fatal(err)
		}
		if err := s.PagesChanged(ctx, portal.ID, ""); err != nil {
			t.Fatal(err)
		}
		var rows []struct {
			TenantID int64  `db:"tenant_id"`
			Prefix   string `db:"prefix"`
		}
		if err := db.SelectContext(ctx, &rows, db.Rebind(`SELECT tenant_id, prefix FROM page_changes WHERE id > ? ORDER BY id`), before); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range rows {
			got = append(got, fmt.Sprintf("%d:%s", r.TenantID, r.Prefix))
		}
		want := []string{fmt.Sprintf("%d:/topics/item/", dept.ID), fmt.Sprintf("%d:/topics/item/", portal.ID), fmt.Sprintf("%d:/topics/", portal.ID)}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("changes %v, want %v", got, want)
		}
		if err := s.PagesChanged(ctx, 0, ""); core.ErrorCode(err) != core.EINVALID {
			t.Errorf("a change of no tenant: %v", err)
		}
	})
}

// A module's files go to the platform's store for tenants enabling the
// module; another module, or another tenant, does not reach them; a
// host without a store answers as one older than the calls.
func TestHostServiceFiles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ts := seeded(t, db)
		portal, _ := ts.ByCode(ctx, "portal")
		jyj, _ := ts.ByCode(ctx, "jyj")
		st := NewStore(db, ts)
		for _, code := range []string{"portal", "jyj"} {
			for _, m := range []string{"mailbox", "topics"} {
				if err := st.Enable(ctx, "t", code, m, nil); err != nil {
					t.Fatal(err)
				}
			}
		}
		bs, err := blob.NewLocal(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		files := &content.ModuleFiles{DB: db, Cfg: content.UploadConfig{Store: bs, TenantQuota: 1 << 20}}
		h, err := New(Config{DB: db, Tenants: ts, Modules: []Spec{{Name: "mailbox"}, {Name: "topics"}}, ModuleDSN: func(string) string { return "" }, Files: files})
		if err != nil {
			t.Fatal(err)
		}
		if err := h.reload(ctx); err != nil {
			t.Fatal(err)
		}
		mail := newHostService(h, h.procs["mailbox"])
		topics := newHostService(h, h.procs["topics"])
		data := []byte("%PDF-1.7 群众来信附件")
		key, err := mail.PutFile(ctx, sdk.File{TenantID: portal.ID, Name: "材料.pdf", ContentType: "application/pdf", Data: data})
		if err != nil {
			t.Fatal(err)
		}
		f, err := mail.ReadFile(ctx, portal.ID, key)
		if err != nil || !bytes.Equal(f.Data, data) || f.ContentType != "application/pdf" {
			t.Fatalf("read back: %+v %v", f, err)
		}
		if _, err := topics.ReadFile(ctx, portal.ID, key); core.ErrorCode(err) != core.ENOTFOUND {
			t.Errorf("another module reads the file: %v", err)
		}
		if _, err := mail.ReadFile(ctx, jyj.ID, key); core.ErrorCode(err) != core.ENOTFOUND {
			t.Errorf("another tenant reads the file: %v", err)
		}
		rsj, _ := ts.ByCode(ctx, "rsj")
		if _, err := mail.PutFile(ctx, sdk.File{TenantID: rsj.ID, Name: "x.pdf", ContentType: "application/pdf", Data: data}); core.ErrorCode(err) != core.EFORBID {
			t.Errorf("a tenant not enabling the module: %v", err)
		}
		// The quota counts modules' files.
		big := make([]byte, 1<<20)
		if _, err := mail.PutFile(ctx, sdk.File{TenantID: portal.ID, Name: "大.pdf", ContentType: "application/pdf", Data: big}); core.ErrorCode(err) != core.EINVALID {
			t.Errorf("past the quota: %v", err)
		}
		// The sweeper keeps them.
		rep, err := content.Sweep(ctx, db, bs, -time.Minute)
		if err != nil || rep.Objects != 0 {
			t.Errorf("sweep: %+v %v", rep, err)
		}
		if err := topics.DeleteFile(ctx, portal.ID, key); err != nil {
			t.Fatal(err)
		}
		if _, err := mail.ReadFile(ctx, portal.ID, key); err != nil {
			t.Errorf("another module deleted the file: %v", err)
		}
		if err := mail.DeleteFile(ctx, portal.ID, key); err != nil {
			t.Fatal(err)
		}
		if _, err := bs.Stat(ctx, key); !errors.Is(err, blob.ErrNotFound) {
			t.Errorf("deleted file still stored: %v", err)
		}
		// Without a store: unsupported, as an older host.
		h2, _ := New(Config{DB: db, Tenants: ts, Modules: []Spec{{Name: "mailbox"}}, ModuleDSN: func(string) string { return "" }})
		if _, err := newHostService(h2, h2.procs["mailbox"]).PutFile(ctx, sdk.File{TenantID: portal.ID, Data: data}); !errors.Is(err, sdk.ErrUnsupported) {
			t.Errorf("host without a store: %v", err)
		}
	})
}

// seeded is the tenant registry with the reference county.
func seeded(t *testing.T, db *store.DB) *tenants.Store {
	t.Helper()
	ts := tenants.NewStore(db)
	rows, err := tenants.ParseSeed(bytes.NewReader(tenants.ReferenceSeed))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Import(context.Background(), "test", rows); err != nil {
		t.Fatal(err)
	}
	return ts
}
