package monitor_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"yiwang/core"
	"yiwang/core/audit"
	"yiwang/core/content"
	"yiwang/core/monitor"
	"yiwang/core/store"
	"yiwang/core/store/storetest"
	"yiwang/tenants"
)

var now = time.Date(2026, 12, 7, 9, 0, 0, 0, content.Location)

func site(id int64) *tenants.Tenant {
	return &tenants.Tenant{ID: id, Code: fmt.Sprint("s", id), Name: fmt.Sprint("单位", id), Status: tenants.Active}
}

func levels(s *monitor.Site, check string) []monitor.Level {
	var out []monitor.Level
	for _, f := range s.Findings {
		if f.Check == check {
			out = append(out, f.Level)
		}
	}
	return out
}

func has(ls []monitor.Level, l monitor.Level) bool {
	for _, x := range ls {
		if x == l {
			return true
		}
	}
	return false
}

// Each threshold just before, at and just after it.
func TestThresholds(t *testing.T) {
	th := monitor.Defaults
	rules := []content.FreshnessRule{{Slug: "c1", Name: "一", Days: 10}, {Slug: "c2", Name: "二", Days: 10}, {Slug: "c3", Name: "三", Days: 10},
		{Slug: "c4", Name: "四", Days: 10}, {Slug: "c5", Name: "五", Days: 10}}
	columns := func(n, empty int) []monitor.ColumnCount {
		var cs []monitor.ColumnCount
		for i := 1; i <= n; i++ {
			c := monitor.ColumnCount{Slug: fmt.Sprint("c", i), Name: fmt.Sprint("栏目", i), N: 3}
			if i <= empty {
				c.N = 0
			}
			cs = append(cs, c)
		}
		return cs
	}
	ago := func(days float64) *time.Time { x := now.Add(-time.Duration(days * 24 * float64(time.Hour))); return &x }
	for _, c := range []struct {
		name      string
		fresh     []content.Freshness
		cols      []monitor.ColumnCount
		oldest    int
		check     string
		want, not monitor.Level
	}{
		{"a column updated 10 days ago is not stale", []content.Freshness{{Slug: "c1", Last: ago(9.9)}}, columns(1, 0), 0, "stale", 0, monitor.Fail},
		{"10 days and an hour is stale", []content.Freshness{{Slug: "c1", Last: ago(10.05)}}, columns(1, 0), 0, "stale", monitor.Fail, monitor.Veto},
		{"4 stale columns are no veto", fresh(ago(20), 4), columns(4, 0), 0, "stale", monitor.Fail, monitor.Veto},
		{"5 stale columns are a veto", fresh(ago(20), 5), columns(5, 0), 0, "stale", monitor.Veto, 0},
		{"4 empty columns are no veto", nil, columns(4, 4), 0, "empty", monitor.Fail, monitor.Veto},
		{"5 empty columns are a veto", nil, columns(5, 5), 0, "empty", monitor.Veto, 0},
		{"29 days waiting is nothing", nil, nil, 29, "unanswered", 0, monitor.Warn},
		{"30 days is a warning", nil, nil, 30, "unanswered", monitor.Warn, monitor.Fail},
		{"59 days is still a warning", nil, nil, 59, "unanswered", monitor.Warn, monitor.Fail},
		{"60 days is a problem", nil, nil, 60, "unanswered", monitor.Fail, monitor.Veto},
		{"89 days is no veto", nil, nil, 89, "unanswered", monitor.Fail, monitor.Veto},
		{"90 days is a veto", nil, nil, 90, "unanswered", monitor.Veto, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := site(1)
			for i := range c.fresh {
				c.fresh[i].TenantID = 1
			}
			f := monitor.Facts{Fresh: c.fresh, Columns: map[int64][]monitor.ColumnCount{1: c.cols}, Oldest: map[int64]monitor.OpenCase{},
				Use: map[int64]*monitor.Use{1: {SignIns: 1}}}
			if c.oldest > 0 {
				f.Oldest[1] = monitor.OpenCase{Module: "mailbox", Title: "县长信箱", Days: c.oldest}
			}
			got := levels(monitor.Evaluate([]*tenants.Tenant{s}, f, th, rules, now)[0], c.check)
			if c.want != 0 && !has(got, c.want) {
				t.Errorf("%v lacks %s", got, c.want.Label())
			}
			if c.not != 0 && has(got, c.not) {
				t.Errorf("%v has %s", got, c.not.Label())
			}
			if c.want == 0 && len(got) > 0 {
				t.Errorf("findings %v, want none", got)
			}
		})
	}
}

func fresh(at *time.Time, n int) []content.Freshness {
	var out []content.Freshness
	for i := 1; i <= n; i++ {
		out = append(out, content.Freshness{Slug: fmt.Sprint("c", i), Last: at})
	}
	return out
}

// Sites are ranked by risk: a veto before any number of problems; a
// unit without staff use is flagged; an archived one is not checked.
func TestRanking(t *testing.T) {
	a, b, c, d := site(1), site(2), site(3), site(4)
	d.Status = tenants.Archived
	f := monitor.Facts{
		Columns: map[int64][]monitor.ColumnCount{1: {{Slug: "x", Name: "x", N: 0}, {Slug: "y", Name: "y", N: 0}}},
		Oldest:  map[int64]monitor.OpenCase{2: {Module: "mailbox", Title: "县长信箱", Days: 95}},
		Use:     map[int64]*monitor.Use{1: {Written: 1}, 2: {SignIns: 2}},
	}
	sites := monitor.Evaluate([]*tenants.Tenant{a, b, c, d}, f, monitor.Defaults, nil, now)
	var order []string
	for _, s := range sites {
		order = append(order, s.Tenant.Code)
	}
	if strings.Join(order, ",") != "s2,s1,s3" {
		t.Fatalf("order %v", order)
	}
	if got := levels(sites[2], "unused"); len(got) != 1 {
		t.Fatalf("an unused unit: %v", got)
	}
}

// Staff use of a seeded day from real audit records on both databases:
// sign-ins per unit where the person holds a role, articles by kind,
// module actions as cases; the day before and after not counted.
func TestStaffUse(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ts := tenants.NewStore(db)
		var ids []int64
		for _, code := range []string{"aaa", "bbb"} {
			tn := &tenants.Tenant{Code: code, Name: code + "局", Kind: tenants.Department, Sponsor: code + "局"}
			if err := ts.Create(ctx, "test", tn); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, tn.ID)
		}
		var accounts []int64
		for i := 0; i < 3; i++ {
			res, err := db.Exec(`INSERT INTO sso_accounts (subject, issuer, name, email, created_at, last_login_at) VALUES (?, 'test', ?, '', ?, ?)`,
				fmt.Sprint("sub", i), fmt.Sprint("人", i), store.Now(), store.Now())
			if err != nil {
				t.Fatal(err)
			}
			id, _ := res.LastInsertId()
			accounts = append(accounts, id)
		}
		grant := func(acc, tenant int64) {
			if _, err := db.Exec(`INSERT INTO memberships (account_id, tenant_id, role, granted_at) VALUES (?, ?, 'editor', ?)`, acc, tenant, store.Now()); err != nil {
				t.Fatal(err)
			}
		}
		grant(accounts[0], ids[0])
		grant(accounts[1], ids[0])
		grant(accounts[1], ids[1])
		day := time.Date(2026, 12, 3, 0, 0, 0, 0, content.Location)
		write := func(at time.Time, actor, action string, tenant *int64) {
			if err := audit.Write(ctx, db, audit.Entry{At: at.UTC(), Actor: actor, Action: action, TenantID: tenant}); err != nil {
				t.Fatal(err)
			}
		}
		user := func(i int) string { return fmt.Sprintf("user:%d", accounts[i]) }
		write(day.Add(8*time.Hour), user(0), "account.login", nil)
		write(day.Add(9*time.Hour), user(0), "account.login", nil) // the same person twice
		write(day.Add(10*time.Hour), user(1), "account.login", nil)
		write(day.Add(11*time.Hour), user(2), "account.login", nil) // no role anywhere
		write(day.Add(-time.Minute), user(0), "account.login", nil) // the day before
		write(day.Add(24*time.Hour), user(1), "account.login", nil) // the day after
		write(day.Add(12*time.Hour), user(0), "article.create", &ids[0])
		write(day.Add(12*time.Hour), user(0), "article.save", &ids[0])
		write(day.Add(13*time.Hour), user(1), "article.approve", &ids[0])
		write(day.Add(13*time.Hour), user(1), "article.publish", &ids[0])
		write(day.Add(14*time.Hour), user(1), "mailbox.reply", &ids[1])
		write(day.Add(14*time.Hour), user(1), "disclosure.request.answer", &ids[1])
		use, err := monitor.NewStore(db).StaffUse(ctx, day, day.Add(24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		a, b := use[ids[0]], use[ids[1]]
		if a == nil || b == nil {
			t.Fatalf("use %v", use)
		}
		if *a != (monitor.Use{SignIns: 2, Written: 2, Reviewed: 1, Published: 1}) {
			t.Errorf("aaa: %+v", *a)
		}
		if *b != (monitor.Use{SignIns: 1, Cases: 2}) {
			t.Errorf("bbb: %+v", *b)
		}
	})
}

// The county office's thresholds: defaults until saved, saved all or
// none, refused when out of range or out of order, audited.
func TestThresholdsKept(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := monitor.NewStore(db)
		if th, err := s.Thresholds(ctx); err != nil || th != monitor.Defaults {
			t.Fatalf("defaults: %+v %v", th, err)
		}
		values := map[string]string{}
		for _, x := range monitor.Defaults.Settings() {
			values[x.Key] = fmt.Sprint(x.Value)
		}
		values["monitor.stale_veto"] = "3"
		if _, err := s.SaveThresholds(ctx, "user:1", "127.0.0.1", values); err != nil {
			t.Fatal(err)
		}
		for name, bad := range map[string]map[string]string{
			"not a number":   {"monitor.empty_veto": "五"},
			"zero":           {"monitor.empty_veto": "0"},
			"warn past veto": {"monitor.open_warn2": "120"},
		} {
			v := map[string]string{}
			for k, x := range values {
				v[k] = x
			}
			for k, x := range bad {
				v[k] = x
			}
			if _, err := s.SaveThresholds(ctx, "user:1", "", v); core.ErrorCode(err) != core.EINVALID {
				t.Errorf("%s: %v", name, err)
			}
		}
		th, err := s.Thresholds(ctx)
		want := monitor.Defaults
		want.StaleVeto = 3
		if err != nil || th != want {
			t.Fatalf("kept %+v %v, want %+v", th, err, want)
		}
		var n int
		if err := db.Get(&n, `SELECT COUNT(*) FROM audit_log WHERE action = 'monitor.thresholds'`); err != nil || n != 1 {
			t.Fatalf("audit records %d %v", n, err)
		}
	})
}

// A simulated week of probes: 7 bad of 140 (5%) fails a site, 6 (4.3%)
// only warns, none says nothing.
func TestAvailabilityShare(t *testing.T) {
	for _, c := range []struct {
		bad  int
		want monitor.Level
	}{{0, 0}, {6, monitor.Warn}, {7, monitor.Veto}} {
		f := monitor.Facts{Use: map[int64]*monitor.Use{1: {SignIns: 1}}, Probes: map[int64]monitor.Availability{1: {TenantID: 1, Total: 140, Bad: c.bad}}}
		got := levels(monitor.Evaluate([]*tenants.Tenant{site(1)}, f, monitor.Defaults, nil, now)[0], "availability")
		if (c.want == 0 && len(got) != 0) || (c.want != 0 && (len(got) != 1 || got[0] != c.want)) {
			t.Errorf("%d bad of 140: %v, want %v", c.bad, got, c.want)
		}
	}
}

// Probes of real home pages through a handler: one answers, one fails,
// one is too slow; each is recorded, counted in the week's availability,
// and only one process of a cluster probes.
func TestProber(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ts := tenants.NewStore(db)
		for _, code := range []string{"up", "down", "slow"} {
			if err := ts.Create(ctx, "test", &tenants.Tenant{Code: code, Name: code, Kind: tenants.Department, Sponsor: code}); err != nil {
				t.Fatal(err)
			}
		}
		release := make(chan struct{})
		defer close(release)
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/site/down/":
				http.Error(w, "数据库不可用", http.StatusServiceUnavailable)
			case "/site/slow/":
				select {
				case <-release:
				case <-r.Context().Done():
				}
			default:
				_, _ = w.Write([]byte("ok"))
			}
		})
		p := &monitor.Prober{DB: db, Tenants: ts, Handler: h, Holder: "a", Every: time.Hour, Slow: 300 * time.Millisecond, Log: slog.Default(),
			Target: func(t *tenants.Tenant) (string, string) { return "portal.test", "/site/" + t.Code + "/" }}
		for i := 0; i < 2; i++ {
			bad, err := p.Round(ctx)
			if err != nil || bad != 2 {
				t.Fatalf("round %d: %d bad (%v), want 2", i, bad, err)
			}
		}
		av, err := monitor.NewStore(db).Availability(ctx, time.Now().AddDate(0, 0, -7))
		if err != nil {
			t.Fatal(err)
		}
		byCode := map[string]monitor.Availability{}
		all, _ := ts.List(ctx)
		for _, tn := range all {
			byCode[tn.Code] = av[tn.ID]
		}
		if a := byCode["up"]; a.Total != 2 || a.Bad != 0 || !a.LastOK {
			t.Errorf("up: %+v", a)
		}
		for _, c := range []string{"down", "slow"} {
			if a := byCode[c]; a.Total != 2 || a.Bad != 2 || a.LastOK || a.Share() != 1 {
				t.Errorf("%s: %+v", c, a)
			}
		}
		var reason string
		if err := db.Get(&reason, `SELECT error FROM monitor_probes WHERE ok = 0 AND status = 0 LIMIT 1`); err != nil || !strings.Contains(reason, "未响应") {
			t.Errorf("the slow probe's reason: %q %v", reason, err)
		}
		if held, err := p.Lease(ctx); err != nil || !held {
			t.Fatalf("first holder: %v %v", held, err)
		}
		other := *p
		other.Holder = "b"
		if held, err := other.Lease(ctx); err != nil || held {
			t.Fatalf("a second process took the lease: %v %v", held, err)
		}
	})
}

// A site without its footer facts is told which, with the county
// console's page to fill them in.
func TestFooterFacts(t *testing.T) {
	s := site(1)
	s.Sponsor, s.SiteIDCode, s.ICP = "县教育局", "5224270001", ""
	f := monitor.Facts{Use: map[int64]*monitor.Use{1: {SignIns: 1}}}
	var texts []string
	for _, fd := range monitor.Evaluate([]*tenants.Tenant{s}, f, monitor.Defaults, nil, now)[0].Findings {
		if fd.Check == "facts" {
			if !fd.County || fd.Fix != "admin/county/tenants/s1" {
				t.Errorf("fix of %q: %q county=%v", fd.Text, fd.Fix, fd.County)
			}
			texts = append(texts, fd.Text)
		}
	}
	if got := strings.Join(texts, "|"); !strings.Contains(got, "ICP备案编号") || !strings.Contains(got, "公安机关备案号") || strings.Contains(got, "网站标识码") || len(texts) != 2 {
		t.Errorf("facts findings: %s", got)
	}
}

// The word lists over published text: nothing found before a rule
// exists; a new rule reaches the old article; an edit that removes the
// word clears it; a withdrawn article is not listed.
func TestTextSweep(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ts := tenants.NewStore(db)
		cs := content.NewStore(db)
		portal := &tenants.Tenant{Code: "portal", Name: "县政府", Kind: tenants.Portal}
		if err := ts.Create(ctx, "test", portal); err != nil {
			t.Fatal(err)
		}
		col := &content.Column{TenantID: portal.ID, Slug: "gzdt", Name: "工作动态", Type: content.ColumnList}
		if err := cs.CreateColumn(ctx, db, col); err != nil {
			t.Fatal(err)
		}
		publish := func(title, body string) int64 {
			a := content.Article{TenantID: portal.ID, ColumnID: col.ID, Title: title, Body: body}
			if err := cs.SaveDraft(ctx, db, &a); err != nil {
				t.Fatal(err)
			}
			if err := cs.Publish(ctx, "test", portal.ID, a.ID); err != nil {
				t.Fatal(err)
			}
			return a.ID
		}
		old := publish("去年的报道", "<p>本县召开会议，部署甲乙丙工作。</p>")
		publish("干净的报道", "<p>本县召开会议。</p>")
		d := content.NewDesk(cs)
		sweep := &monitor.TextSweep{DB: db, Desk: d, Batch: 1}
		ms := monitor.NewStore(db)
		if err := sweep.Sweep(ctx, 0); err != nil {
			t.Fatal(err)
		}
		if n, err := sweep.Round(ctx); err != nil || n != 0 {
			t.Fatalf("a second pass checks %d (%v)", n, err)
		}
		if hs, _ := ms.TextHits(ctx); len(hs) != 0 {
			t.Fatalf("hits without rules: %v", hs)
		}
		county := content.Actor{TenantID: portal.ID, UserID: 1, Name: "县政府办", Roles: []tenants.Role{tenants.Citizen, tenants.PlatformAdmin}}
		if _, err := d.AddRule(ctx, county, content.Rule{Kind: content.CheckForbidden, Pattern: "甲乙丙"}); err != nil {
			t.Fatal(err)
		}
		if n, err := sweep.Round(ctx); err != nil || n != 1 {
			t.Fatalf("new rules recheck in batches: %d (%v)", n, err)
		}
		if err := sweep.Sweep(ctx, 0); err != nil {
			t.Fatal(err)
		}
		hs, err := ms.TextHits(ctx)
		if err != nil || len(hs[portal.ID]) != 1 || hs[portal.ID][0].ArticleID != old || hs[portal.ID][0].Blocks != 1 || !strings.Contains(hs[portal.ID][0].Summary, "甲乙丙") {
			t.Fatalf("the new rule on the old article: %+v %v", hs, err)
		}
		f := monitor.Facts{Text: hs, Use: map[int64]*monitor.Use{portal.ID: {SignIns: 1}}}
		got := monitor.Evaluate([]*tenants.Tenant{portal}, f, monitor.Defaults, nil, now)[0]
		if l := levels(got, "text"); len(l) != 1 || l[0] != monitor.Fail {
			t.Fatalf("text findings %v", l)
		}
		// The editor takes the word out (a new version, updated later).
		if _, err := db.Exec(`UPDATE articles SET body = '<p>本县召开会议。</p>', updated_at = ? WHERE id = ?`, store.Now().Add(time.Second), old); err != nil {
			t.Fatal(err)
		}
		if err := sweep.Sweep(ctx, 0); err != nil {
			t.Fatal(err)
		}
		if hs, _ := ms.TextHits(ctx); len(hs) != 0 {
			t.Fatalf("hits after the fix: %v", hs)
		}
	})
}

// The crawler against pages with known broken links, a redirect loop, a
// dead and a slow outside host: each broken link named with its page,
// the slow host given up on in bounded time, kept per site, and turned
// into findings that link to the article to fix.
func TestCrawler(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	pages := map[string]string{
		"/site/s1/":      `<a href="/site/s1/a">甲</a> <a href="http://outside.test/ok">外</a> <a href="http://outside.test/dead">死</a> <a href="http://slow.test/x">慢</a> <a href="/site/s1/art/5">文</a> <a href="/account/login">登录</a> <a href="mailto:x@y">信</a>`,
		"/site/s1/a":     `<a href="/site/s1/missing">缺</a> <a href="/site/s1/loop">环</a> <a href="/site/s1/">首页</a>`,
		"/site/s1/art/5": `<a href="/site/s2/gone">别站</a> <a href="http://outside.test/dead">死</a>`,
		"/site/s2/":      `<a href="/site/s2/b">乙</a>`,
		"/site/s2/b":     `正文`,
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/site/s1/loop" {
			http.Redirect(w, r, "/site/s1/loop", http.StatusFound)
			return
		}
		body, ok := pages[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte("<html><body>" + body + "</body></html>"))
	})
	var mu sync.Mutex
	asked := map[string]int{}
	c := &monitor.Crawler{DB: db, Handler: h, HostGap: 10 * time.Millisecond, Timeout: 200 * time.Millisecond,
		Target:   func(t *tenants.Tenant) (string, string) { return "portal.test", "/site/" + t.Code + "/" },
		Internal: func(host string) bool { return host == "portal.test" },
		External: func(ctx context.Context, u string) error {
			mu.Lock()
			asked[u]++
			mu.Unlock()
			switch {
			case strings.Contains(u, "dead"):
				return fmt.Errorf("link check: 404 Not Found")
			case strings.Contains(u, "slow"):
				<-ctx.Done()
				return ctx.Err()
			}
			return nil
		}}
	ts := tenants.NewStore(db)
	var sites []*tenants.Tenant
	for _, code := range []string{"s1", "s2"} {
		tn := &tenants.Tenant{Code: code, Name: code, Kind: tenants.Department, Sponsor: code}
		must(t, ts.Create(ctx, "test", tn))
		sites = append(sites, tn)
	}
	start := time.Now()
	n, err := c.Run(ctx, sites)
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("the crawl took %v: the slow host is not bounded", took)
	}
	if n != 7 { // s1: home, a, art/5, missing, loop; s2: home, b
		t.Errorf("%d pages read, want 7", n)
	}
	if asked["http://outside.test/dead"] != 1 {
		t.Errorf("a dead outside link asked %d times in one run", asked["http://outside.test/dead"])
	}
	got, err := monitor.NewStore(db).BrokenLinks(ctx)
	must(t, err)
	var lines []string
	for _, b := range got[sites[0].ID] {
		lines = append(lines, fmt.Sprintf("%s -> %s ext=%v %d %s", b.Page, b.Href, b.External, b.Status, b.Err))
	}
	all := strings.Join(lines, "\n")
	for _, want := range []string{
		"/site/s1/a -> http://portal.test/site/s1/missing ext=false 404",
		"/site/s1/a -> http://portal.test/site/s1/loop ext=false 0 重定向次数过多",
		"/site/s1/art/5 -> http://portal.test/site/s2/gone ext=false 404",
		"/site/s1/ -> http://outside.test/dead ext=true 0 link check: 404",
		"/site/s1/art/5 -> http://outside.test/dead ext=true",
		"/site/s1/ -> http://slow.test/x ext=true 0 超过 0.2 秒未响应",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("broken links lack %q:\n%s", want, all)
		}
	}
	if strings.Contains(all, "outside.test/ok") || strings.Contains(all, "account") || strings.Contains(all, "mailto") || len(got[sites[1].ID]) != 0 {
		t.Errorf("links that are not broken:\n%s\ns2: %v", all, got[sites[1].ID])
	}
	f := monitor.Facts{Links: got, Use: map[int64]*monitor.Use{sites[0].ID: {SignIns: 1}}}
	var fixes []string
	for _, fd := range monitor.Evaluate(sites[:1], f, monitor.Defaults, nil, now)[0].Findings {
		if fd.Check == "links" {
			fixes = append(fixes, fd.Fix)
		}
	}
	if !strings.Contains(strings.Join(fixes, ","), "admin/articles/5/edit") {
		t.Errorf("no fix link to the article: %v", fixes)
	}
	// A second run replaces the first: a fixed page leaves the list.
	pages["/site/s1/a"] = `<a href="/site/s1/">首页</a>`
	if _, err := c.Run(ctx, sites); err != nil {
		t.Fatal(err)
	}
	got, _ = monitor.NewStore(db).BrokenLinks(ctx)
	for _, b := range got[sites[0].ID] {
		if strings.Contains(b.Href, "missing") || strings.Contains(b.Href, "loop") {
			t.Errorf("a fixed link is still listed: %+v", b)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
