package modules_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"yiwang/core/audit"
	"yiwang/core/content"
	"yiwang/core/modules"
	"yiwang/core/monitor"
	"yiwang/core/store"
	"yiwang/core/store/storetest"
	"yiwang/core/web"
	"yiwang/core/web/host"
	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/rpc"
	"yiwang/plugins/sdk/sdktest"
	"yiwang/tenants"

	_ "yiwang/plugins/topics"
)

// envHostMode makes the re-executed test binary a host that starts the
// topics plugin and waits to be killed (TestNoPluginOutlivesHost).
const envHostMode = "YIWANG_MODULES_TEST_HOST"

func TestMain(m *testing.M) {
	if dir := os.Getenv(envHostMode); dir != "" {
		os.Unsetenv(envHostMode) // the plugin it starts is no host
		hostMode(dir)
		return
	}
	sdktest.Main(m)
}

// memIndex records what the host sent to search.
type memIndex struct {
	mu   sync.Mutex
	docs map[string]modules.Document
}

func (m *memIndex) Index(_ context.Context, d modules.Document) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.docs[d.ID] = d
	return nil
}

func (m *memIndex) Remove(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.docs, id)
	return nil
}

func (m *memIndex) get(id string) (modules.Document, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	d, ok := m.docs[id]
	return d, ok
}

func (m *memIndex) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.docs)
}

// testIdentity: the header X-Test-User makes the request an editor's of
// the request's tenant, with every permission the module declares of the
// kinds an editor holds (and, with X-Test-Host, an interview host's).
func testIdentity(r *http.Request, t *tenants.Tenant, declared []sdk.Permission) *modules.User {
	id, err := strconv.ParseInt(r.Header.Get("X-Test-User"), 10, 64)
	if err != nil {
		return nil
	}
	u := &modules.User{ID: id, Name: "测试编辑", Roles: []string{"editor"}}
	host := r.Header.Get("X-Test-Host") != ""
	for _, p := range declared {
		if p.Kind == sdk.KindEdit || p.Kind == sdk.KindView || p.Kind == sdk.KindPublic || (host && p.Kind == sdk.KindHost) {
			u.Permissions = append(u.Permissions, p.Name)
		}
	}
	return u
}

// fixtureRegistryTTL is how long the fixture's server keeps its tenant
// snapshot: no time at all, so tests see changes at once; the benchmark
// sets the production default, since a long-lived stream keeps the
// snapshot its request was resolved with.
var fixtureRegistryTTL = time.Nanosecond

type fixture struct {
	t     testing.TB
	db    *store.DB
	ts    *tenants.Store
	st    *modules.Store
	host  *modules.Host
	idx   *memIndex
	url   string
	cl    *http.Client
	ids   map[string]int64
	pdir  string
	specs []modules.Spec
	// handles counts the requests the host forwarded to modules.
	handles atomic.Int64
	cs      *content.Store
	hs      *httptest.Server
}

func quietLog(t testing.TB) *slog.Logger {
	if testing.Verbose() {
		return sdktest.TestLogger(t)
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// platform builds the reference county on db (75 tenants, standard
// columns) and enables topics for the portal and 教育局.
func platform(t testing.TB, db *store.DB) (*tenants.Store, *content.Store, *modules.Store) {
	t.Helper()
	ctx := context.Background()
	ts, cs := tenants.NewStore(db), content.NewStore(db)
	if err := ts.EnsureTemplate(ctx); err != nil {
		t.Fatal(err)
	}
	ts.OnCreate = func(ctx context.Context, tx *sqlx.Tx, tn *tenants.Tenant) error {
		tpl, err := tenants.ReadTemplate(ctx, tx)
		if err != nil {
			return err
		}
		return cs.ApplyTemplate(ctx, tx, tn, tpl)
	}
	rows, err := tenants.ParseSeed(bytes.NewReader(tenants.ReferenceSeed))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Import(ctx, "test", rows); err != nil {
		t.Fatal(err)
	}
	st := modules.NewStore(db, ts)
	for _, code := range []string{"portal", "jyj"} {
		if err := st.Enable(ctx, "test", code, "topics", nil); err != nil {
			t.Fatal(err)
		}
	}
	return ts, cs, st
}

// startHost starts a host (web server, plugin host, HTTP listener) on
// the fixture's databases; a second call stands for the host restarted
// (the first is stopped by then, or a replica beside it).
func (f *fixture) startHost() {
	t := f.t
	srv, err := host.New(web.Config{RegistryTTL: fixtureRegistryTTL}, f.db, f.ts, f.cs, quietLog(t))
	if err != nil {
		t.Fatal(err)
	}
	f.host, err = modules.New(modules.Config{
		DB: f.db, Tenants: f.ts, Log: quietLog(t), Modules: f.specs, Command: sdktest.Command,
		ModuleDSN: func(name string) string { return "sqlite:" + filepath.Join(f.pdir, name+".db") },
		Indexer:   f.idx, Identity: testIdentity,
		ObserveCall: func(string, string, time.Duration, error) { f.handles.Add(1) },
		Reload:      100 * time.Millisecond, Health: 300 * time.Millisecond, MinBackoff: 100 * time.Millisecond, MaxBackoff: time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	f.host.Register(srv)
	if err := f.host.Start(context.Background(), 30*time.Second); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.host.Stop)
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	f.hs = hs
	f.url = hs.URL
}

func newFixture(t testing.TB, specs ...modules.Spec) *fixture {
	t.Helper()
	db := storetest.SQLite(t)
	ts, cs, st := platform(t, db)
	f := &fixture{t: t, db: db, ts: ts, st: st, idx: &memIndex{docs: map[string]modules.Document{}}, ids: map[string]int64{},
		pdir: t.TempDir(), specs: specs}
	for _, code := range []string{"portal", "jyj", "rsj"} {
		tn, err := ts.ByCode(context.Background(), code)
		if err != nil {
			t.Fatal(err)
		}
		f.ids[code] = tn.ID
	}
	if f.specs == nil {
		f.specs = []modules.Spec{{Name: "topics"}}
	}
	f.cs = cs
	f.startHost()
	f.cl = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: 30 * time.Second}
	return f
}

type answer struct {
	status int
	body   string
	header http.Header
}

func (f *fixture) do(method, path string, form url.Values, hdr map[string]string) answer {
	f.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, f.url+path, body)
	if err != nil {
		f.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := f.cl.Do(req)
	if err != nil {
		f.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, string(b), resp.Header}
}

func (f *fixture) get(path string) answer { return f.do(http.MethodGet, path, nil, nil) }

// editorPost is a form POST from an editor's browser on this site.
func (f *fixture) editorPost(path string, form url.Values) answer {
	return f.do(http.MethodPost, path, form, map[string]string{"X-Test-User": "7", "Origin": f.url})
}

var createdID = regexp.MustCompile(`admin/topics/(\d+)`)

// topic creates and publishes a topic on the site at base ("/" or
// "/site/jyj/") through the host and the plugin; it returns its id.
func (f *fixture) topic(base, title string, sections ...url.Values) string {
	f.t.Helper()
	a := f.editorPost(base+"admin/topics/", url.Values{"title": {title}, "intro": {title + "的导语"}})
	m := createdID.FindStringSubmatch(a.header.Get("Location"))
	if a.status != http.StatusSeeOther || m == nil {
		f.t.Fatalf("create topic: %d %s %s", a.status, a.header.Get("Location"), a.body)
	}
	id := m[1]
	for _, s := range sections {
		a := f.editorPost(base+"admin/topics/"+id+"/sections/", url.Values{"kind": s["kind"], "title": s["title"]})
		loc := a.header.Get("Location")
		sid := loc[strings.LastIndex(loc, "#es")+3:]
		s.Set("action", "save")
		if a := f.editorPost(base+"admin/topics/"+id+"/sections/"+sid, s); a.status != http.StatusSeeOther {
			f.t.Fatalf("save section: %d %s", a.status, a.body)
		}
	}
	if a := f.editorPost(base+"admin/topics/"+id+"/status", url.Values{"status": {"published"}}); a.status != http.StatusSeeOther {
		f.t.Fatalf("publish: %d %s", a.status, a.body)
	}
	return id
}

// article publishes a core article directly in the platform tables.
func (f *fixture) article(code, column, title, keywords string) int64 {
	f.t.Helper()
	ctx := context.Background()
	var colID int64
	if err := f.db.GetContext(ctx, &colID, `SELECT id FROM site_columns WHERE tenant_id = ? AND slug = ?`, f.ids[code], column); err != nil {
		f.t.Fatal(err)
	}
	now := store.Now()
	res, err := f.db.ExecContext(ctx, `INSERT INTO articles (tenant_id, column_id, title, body, keywords, status, published_at, created_at, updated_at)
		VALUES (?, ?, ?, '<p>正文</p>', ?, 'published', ?, ?, ?)`, f.ids[code], colID, title, keywords, now, now, now)
	if err != nil {
		f.t.Fatal(err)
	}
	id, _ := res.LastInsertId()
	return id
}

func TestRoutesThroughThePluginProcess(t *testing.T) {
	f := newFixture(t)
	if pid := f.host.PID("topics"); pid == 0 || pid == os.Getpid() {
		t.Fatalf("topics is not a process of its own: pid %d", pid)
	}
	f.article("portal", "gzdt", "全县脱贫攻坚推进会召开", "脱贫攻坚，乡村振兴")
	f.article("portal", "gzdt", "全县安全生产会议", "安全生产")
	id := f.topic("/", "脱贫攻坚",
		url.Values{"kind": {"articles"}, "title": {"相关报道"}, "tag": {"脱贫攻坚"}, "limit": {"5"}},
		url.Values{"kind": {"richtext"}, "title": {"工作要点"}, "body": {"<p>守住底线</p><script>x</script>"}})

	page := f.get("/topics/" + id)
	if page.status != 200 {
		t.Fatalf("topic page: %d %s", page.status, page.body)
	}
	// Publishing the topic indexed it, which told every host's page cache
	// that the portal's topic pages changed.
	var changed int
	if err := f.db.Get(&changed, `SELECT COUNT(*) FROM page_changes WHERE tenant_id = ? AND prefix = '/topics/'`, f.ids["portal"]); err != nil || changed == 0 {
		t.Errorf("no page change recorded for the portal's topics (%d, %v)", changed, err)
	}
	for _, want := range []string{
		"<title>脱贫攻坚</title>", // the shared layout, with the fragment's title
		"思南县人民政府",             // the site header
		`aria-label="当前位置"`,   // breadcrumbs: site, 专题专栏, the topic
		`<a href="/topics/">专题专栏</a>`,
		`aria-current="page">专题专栏</a>`, // the module's nav entry, current
		"全县脱贫攻坚推进会召开",                  // a core article through the host service, by tag
		"<p>守住底线</p>",
	} {
		if !strings.Contains(page.body, want) {
			t.Errorf("topic page lacks %s", want)
		}
	}
	for _, bad := range []string{"全县安全生产会议", "<script>x"} {
		if strings.Contains(page.body, bad) {
			t.Errorf("topic page has %s", bad)
		}
	}
	if csp := page.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
		t.Errorf("module page without the platform's security policy: %q", csp)
	}
	css := f.get("/topics/assets/topics.css")
	if css.status != 200 || !strings.HasPrefix(css.header.Get("Content-Type"), "text/css") {
		t.Errorf("raw response: %d %v", css.status, css.header)
	}
	if a := f.get("/topics"); a.status != http.StatusMovedPermanently || a.header.Get("Location") != "/topics/" {
		t.Errorf("/topics: %d %v", a.status, a.header.Get("Location"))
	}
	// A sub-site's topics live under its base.
	jid := f.topic("/site/jyj/", "双减工作")
	list := f.get("/site/jyj/topics/")
	if list.status != 200 || !strings.Contains(list.body, `href="/site/jyj/topics/`+jid+`"`) || !strings.Contains(list.body, "思南县教育局") {
		t.Errorf("sub-site list: %d %s", list.status, list.body)
	}
	// Published topics are search documents, named by module.
	d, ok := f.idx.get("topics:" + id)
	if !ok || d.TenantID != f.ids["portal"] || d.Module != "topics" || d.Path != "topics/"+id || !strings.Contains(d.Body, "守住底线") {
		t.Errorf("search document: %+v %v", d, ok)
	}
	// Staff actions are in the platform audit log, under the module's name.
	tid := f.ids["jyj"]
	es, err := audit.List(context.Background(), f.db, audit.Filter{TenantID: &tid, Action: "topics.topic.publish"})
	if err != nil || len(es) != 1 || es[0].Actor != "user:7" {
		t.Errorf("audit: %+v %v", es, err)
	}
	// The console is for editors.
	if a := f.get("/admin/topics/"); a.status != http.StatusSeeOther || a.header.Get("Location") != "/account/login?r=%2Fadmin%2Ftopics%2F" {
		t.Errorf("console for anonymous: %d %s", a.status, a.header.Get("Location"))
	}
	if a := f.do(http.MethodGet, "/admin/topics/", nil, map[string]string{"X-Test-User": "7"}); a.status != 200 || !strings.Contains(a.body, "脱贫攻坚") {
		t.Errorf("console for an editor: %d", a.status)
	}
	// Error pages drawn before routing (an unknown site) carry the
	// modules' navigation too, without failing.
	if a := f.get("/site/nosuch/"); a.status != 404 {
		t.Errorf("unknown site: %d", a.status)
	}
	// A module error is the platform's error page.
	if a := f.get("/topics/999999"); a.status != 404 || !strings.Contains(a.body, "错误代码：404") {
		t.Errorf("missing topic: %d", a.status)
	}
	st := f.host.States()
	if len(st) != 1 || st[0].State != modules.StateRunning || st[0].Version != "1.0.0" {
		t.Errorf("states: %+v", st)
	}
	// Figures for the supervision dashboard, and a rebuild of the index.
	stats, err := f.host.Stats(context.Background(), "topics", f.ids["portal"], time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	if err != nil || len(stats) != 3 || stats[0].Name != "published" || stats[0].Value != 1 {
		t.Errorf("stats: %+v %v", stats, err)
	}
	figs, err := f.host.Figures(context.Background(), time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	if err != nil || len(figs) != 1 || figs[0].Err != "" || len(figs[0].Columns) != 3 || len(figs[0].Rows) == 0 {
		t.Errorf("figures for the supervision dashboard: %+v %v", figs, err)
	} else if r := figs[0].Rows[0]; r.Tenant == nil || r.Values["published"] < 1 {
		t.Errorf("figures row: %+v", r)
	}
	f.idx.mu.Lock()
	f.idx.docs = map[string]modules.Document{}
	f.idx.mu.Unlock()
	if err := f.host.Reindex(context.Background(), "topics", 0); err != nil || f.idx.count() != 2 {
		t.Errorf("reindex: %d documents, %v", f.idx.count(), err)
	}
}

func TestUnsafeRequestsNeedSameOrigin(t *testing.T) {
	f := newFixture(t)
	form := url.Values{"title": {"跨站"}}
	for _, tc := range []struct {
		name string
		hdr  map[string]string
		want int
	}{
		{"no origin at all", map[string]string{"X-Test-User": "7"}, http.StatusForbidden},
		{"another origin", map[string]string{"X-Test-User": "7", "Origin": "https://evil.example"}, http.StatusForbidden},
		{"cross-site fetch", map[string]string{"X-Test-User": "7", "Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"referer of this site", map[string]string{"X-Test-User": "7", "Referer": f.url + "/admin/topics/new"}, http.StatusSeeOther},
		{"same origin", map[string]string{"X-Test-User": "7", "Origin": f.url}, http.StatusSeeOther},
	} {
		if a := f.do(http.MethodPost, "/admin/topics/", form, tc.hdr); a.status != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, a.status, tc.want)
		}
	}
}

func TestDisabledForOneTenant(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	pid := f.topic("/", "门户专题")
	jid := f.topic("/site/jyj/", "教育局专题")
	if !strings.Contains(f.get("/site/jyj/").body, ">专题专栏</a>") {
		t.Fatal("enabled module has no nav entry")
	}
	if err := f.st.Disable(ctx, "cli:test", "jyj", "topics"); err != nil {
		t.Fatal(err)
	}
	if err := f.host.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/site/jyj/topics/", "/site/jyj/topics/" + jid, "/site/jyj/admin/topics/", "/site/jyj/topics/assets/topics.css"} {
		if a := f.get(p); a.status != 404 {
			t.Errorf("%s of a tenant that disabled it: %d", p, a.status)
		}
	}
	if home := f.get("/site/jyj/"); home.status != 200 || strings.Contains(home.body, ">专题专栏</a>") {
		t.Errorf("disabled module's nav entry still there: %d", home.status)
	}
	// The portal is untouched.
	if a := f.get("/topics/" + pid); a.status != 200 || !strings.Contains(a.body, "门户专题") {
		t.Errorf("portal after 教育局 disabled: %d", a.status)
	}
	if !strings.Contains(f.get("/").body, ">专题专栏</a>") {
		t.Error("portal lost its nav entry")
	}
	// Search follows: the disabled tenant's documents go, the portal's stay.
	waitFor(t, 5*time.Second, "documents of the disabled tenant removed", func() bool {
		_, jOK := f.idx.get("topics:" + jid)
		_, pOK := f.idx.get("topics:" + pid)
		return !jOK && pOK
	})
	// Enabling again brings the data back.
	if err := f.st.Enable(ctx, "cli:test", "jyj", "topics", nil); err != nil {
		t.Fatal(err)
	}
	if err := f.host.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if a := f.get("/site/jyj/topics/" + jid); a.status != 200 || !strings.Contains(a.body, "教育局专题") {
		t.Errorf("re-enabled: %d", a.status)
	}
	waitFor(t, 5*time.Second, "documents back", func() bool { _, ok := f.idx.get("topics:" + jid); return ok })
	// A tenant that never enabled it: 404.
	if a := f.get("/site/rsj/topics/"); a.status != 404 {
		t.Errorf("never enabled: %d", a.status)
	}
}

func waitFor(t *testing.T, d time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, d)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill -9 of the plugin while requests run: its routes answer 503 in the
// layout, every other page keeps working, and the module serves again
// within seconds, without a restart of the host.
func TestPluginKilledDuringRequests(t *testing.T) {
	f := newFixture(t)
	id := f.topic("/", "专题")
	pid := f.host.PID("topics")

	var (
		stop                   atomic.Bool
		wg                     sync.WaitGroup
		mu                     sync.Mutex
		codes                  = map[int]int{}
		coreFailures           atomic.Int32
		saw503InLayout, other5 atomic.Bool
	)
	for w := 0; w < 3; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				a := f.get("/topics/" + id)
				mu.Lock()
				codes[a.status]++
				mu.Unlock()
				if a.status == 503 {
					if strings.Contains(a.body, "“专题专栏”服务暂时不可用") && strings.Contains(a.body, "思南县人民政府") {
						saw503InLayout.Store(true)
					} else {
						other5.Store(true)
					}
				}
				if c := f.get("/col/gzdt/"); c.status != 200 {
					coreFailures.Add(1)
				}
			}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	waitFor(t, 10*time.Second, "a new plugin process", func() bool {
		p := f.host.PID("topics")
		return p != 0 && p != pid
	})
	waitFor(t, 10*time.Second, "the module serving again", func() bool { return f.get("/topics/"+id).status == 200 })
	back := time.Since(killed)
	time.Sleep(200 * time.Millisecond)
	stop.Store(true)
	wg.Wait()
	t.Logf("serving again %s after kill -9; answers during the test: %v", back.Round(time.Millisecond), codes)
	if back > 5*time.Second {
		t.Errorf("took %s to serve again", back)
	}
	if !saw503InLayout.Load() {
		// Requests may all have fallen between the kill and the restart;
		// ask once more in the gap by killing again and asking at once.
		p := f.host.PID("topics")
		_ = syscall.Kill(p, syscall.SIGKILL)
		waitFor(t, 2*time.Second, "process gone", func() bool { return !alive(p) })
		if a := f.get("/topics/" + id); a.status != 503 || !strings.Contains(a.body, "服务暂时不可用") {
			t.Errorf("module down: %d", a.status)
		}
	}
	if other5.Load() {
		t.Error("a 503 without the layout's notice")
	}
	if n := coreFailures.Load(); n > 0 {
		t.Errorf("%d core page requests failed while the module was down", n)
	}
	for code := range codes {
		if code != 200 && code != 503 {
			t.Errorf("unexpected status %d", code)
		}
	}
	if st := f.host.States(); st[0].Restarts < 1 {
		t.Errorf("restarts not counted: %+v", st)
	}
	waitFor(t, 10*time.Second, "serving after the second kill", func() bool { return f.get("/topics/"+id).status == 200 })
}

// alive reports whether pid is a live process (a zombie is dead).
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return syscall.Kill(pid, 0) == nil
	}
	// The state follows the command name in parentheses.
	s := string(b)
	i := strings.LastIndex(s, ")")
	return i < 0 || i+2 >= len(s) || (s[i+2] != 'Z' && s[i+2] != 'X')
}

// hostMode is the re-executed test binary as a host: it starts the
// topics plugin, prints its pid and waits to be killed.
func hostMode(dir string) {
	db, err := store.Open(context.Background(), "sqlite:"+filepath.Join(dir, "host.db"), "")
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	if _, err := store.Migrate(context.Background(), db); err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	h, err := modules.New(modules.Config{DB: db, Tenants: tenants.NewStore(db), Modules: []modules.Spec{{Name: "topics"}},
		Command:   sdktest.Command,
		ModuleDSN: func(n string) string { return "sqlite:" + filepath.Join(dir, n+".db") },
		Log:       slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	if err := h.Start(context.Background(), 30*time.Second); err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	fmt.Println("plugin", h.PID("topics"))
	select {}
}

// No plugin process outlives its host, even one killed with SIGKILL,
// which no handler of the host sees.
func TestNoPluginOutlivesHost(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envHostMode+"="+t.TempDir())
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill() //nolint:errcheck
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("host said nothing: %v", err)
	}
	var pid int
	if _, err := fmt.Sscanf(line, "plugin %d", &pid); err != nil || pid == 0 {
		t.Fatalf("host said %q", line)
	}
	if !alive(pid) {
		t.Fatal("plugin not running")
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	waitFor(t, 3*time.Second, "the plugin to die with its host", func() bool { return !alive(pid) })
}

// An external module starts only when its binary has the configured
// SHA-256.
func TestExternalModuleChecksum(t *testing.T) {
	dir := t.TempDir()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// The "external binary": a script that runs this test binary as the
	// topics plugin.
	script := filepath.Join(dir, "topics")
	body := fmt.Sprintf("#!/bin/sh\nexec env YIWANG_SDKTEST_SERVE=topics %q -test.run='^$'\n", exe)
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	sum, err := rpc.SHA256File(script)
	if err != nil {
		t.Fatal(err)
	}
	wrong := strings.Repeat("0", 64)
	f := newFixture(t, modules.Spec{Name: "topics", Path: script, SHA256: wrong})
	st := f.host.States()[0]
	if st.State == modules.StateRunning || !strings.Contains(st.LastError, "SHA-256") {
		t.Fatalf("started with a wrong checksum: %+v", st)
	}
	if a := f.get("/topics/"); a.status != 503 {
		t.Errorf("routes of a module that cannot start: %d", a.status)
	}
	good := newFixture(t, modules.Spec{Name: "topics", Path: script, SHA256: fmt.Sprintf("%x", sum)})
	if st := good.host.States()[0]; st.State != modules.StateRunning {
		t.Fatalf("right checksum, not running: %+v", st)
	}
	if a := good.get("/topics/"); a.status != 200 {
		t.Errorf("external module: %d", a.status)
	}
}

// A module written from plugins/sdk alone (plugins/sdk/example), built as
// its own binary, runs as an external module: its page in the tenant's
// layout, its form posted as the page does (the token a field), its rate
// limit kept by the host.
func TestExternalModuleFromTheSDKAlone(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "guestbook")
	build := exec.Command("go", "build", "-o", bin, "yiwang/plugins/sdk/example")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the example module: %v\n%s", err, out)
	}
	sum, err := rpc.SHA256File(bin)
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, modules.Spec{Name: "topics"}, modules.Spec{Name: "guestbook", Path: bin, SHA256: fmt.Sprintf("%x", sum)})
	if err := f.st.Enable(context.Background(), "test", "jyj", "guestbook", nil); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, "the guest book on 教育局's site", func() bool { return f.get("/site/jyj/guestbook/").status == 200 })
	if a := f.get("/guestbook/"); a.status != 404 {
		t.Errorf("guest book on the portal, which does not enable it: %d", a.status)
	}
	page := f.get("/site/jyj/guestbook/")
	if !strings.Contains(page.body, "还没有留言") || !strings.Contains(page.body, `name="csrf"`) {
		t.Fatalf("guest book page: %s", page.body)
	}
	post := func(msg string) answer {
		return f.do(http.MethodPost, "/site/jyj/guestbook/", url.Values{"csrf": {"t"}, "name": {"李四"}, "message": {msg}}, map[string]string{"Origin": f.url})
	}
	if a := post("第 1 条留言"); a.status != http.StatusSeeOther {
		t.Fatalf("post: %d %s", a.status, a.body)
	}
	if a := f.get("/site/jyj/guestbook/"); !strings.Contains(a.body, "第 1 条留言") {
		t.Fatalf("entry not shown: %s", a.body)
	}
	for i := 2; i <= 10; i++ {
		post(fmt.Sprintf("第 %d 条留言", i))
	}
	if a := post("第 11 条留言"); a.status != http.StatusTooManyRequests || !strings.Contains(a.body, "留言过于频繁") {
		t.Fatalf("eleventh post in an hour: %d %s", a.status, a.body)
	}
}

// Two host processes on one database run a module's timed work once: the
// host holding the module's tick lease ticks, the other does not; when
// the holder stops, the other takes over within the lease.
func TestTimedWorkOncePerCluster(t *testing.T) {
	db := storetest.SQLite(t)
	ts, _, _ := platform(t, db)
	pdir := t.TempDir()
	start := func(holder string) *modules.Host {
		h, err := modules.New(modules.Config{
			DB: db, Tenants: ts, Log: quietLog(t), Modules: []modules.Spec{{Name: "topics"}}, Command: sdktest.Command,
			ModuleDSN: func(name string) string { return "sqlite:" + filepath.Join(pdir, name+".db") },
			Tick:      50 * time.Millisecond,
			TickLease: func(ctx context.Context, module string, ttl time.Duration) (bool, error) {
				return monitor.TakeLease(ctx, db, "module.tick."+module, holder, ttl)
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := h.Start(context.Background(), 30*time.Second); err != nil {
			t.Fatal(err)
		}
		return h
	}
	a, b := start("host-a"), start("host-b")
	stopA, stopB := sync.OnceFunc(a.Stop), sync.OnceFunc(b.Stop)
	t.Cleanup(stopA)
	t.Cleanup(stopB)
	deadline := time.Now().Add(20 * time.Second)
	for a.Ticks("topics")+b.Ticks("topics") < 10 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	ta, tb := a.Ticks("topics"), b.Ticks("topics")
	if ta+tb < 10 || (ta > 0 && tb > 0) {
		t.Fatalf("ticks: host a %d, host b %d; want all on one host", ta, tb)
	}
	stopHolder, other := stopA, b
	if tb > 0 {
		stopHolder, other = stopB, a
	}
	stopHolder()
	before := other.Ticks("topics")
	deadline = time.Now().Add(20 * time.Second)
	for other.Ticks("topics") == before && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if other.Ticks("topics") == before {
		t.Fatal("the other host never took the timed work over")
	}
}
