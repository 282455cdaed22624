package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"yiwang/core/content"
	"yiwang/core/store/storetest"
	"yiwang/core/web"
	"yiwang/core/web/host"
	"yiwang/core/web/webtest"
	"yiwang/tenants"
)

func TestSharedLayoutOnEveryPage(t *testing.T) {
	f := webtest.NewFixture(t, storetest.SQLite(t))
	a := f.Publish(t, "jyj", "gzdt", content.Article{Title: "县教育局召开秋季开学工作会", Source: "思南县教育局", Keywords: "开学,教育", Summary: "部署秋季开学工作"})
	for _, path := range []string{"/", "/site/jyj/", "/site/jyj/col/gzdt/", fmt.Sprintf("/site/jyj/art/%d", a.ID), "/site/jyj/sitemap/", "/sites/", "/site/jyj/nosuch"} {
		t.Run(path, func(t *testing.T) {
			r := f.Get(t, "localhost:8080", path)
			for _, want := range []string{
				`<html lang="zh-CN"`, `name="viewport"`,
				`class="platform-bar"`, `>思南县人民政府</a>`, // platform bar with the portal link
				`站群导航`, `思南县教育局`, `塘头镇人民政府`, `思南县人民法院`, // directory grouped by kind
				`role="search"`, `account/login`, `data-elder-toggle`, // search box, login, large text
				`name="SiteName" content="思南县人民政府"`, `name="SiteIDCode" content="5206240001"`, `name="SiteDomain"`,
				`网站地图`, `主办单位：`, `黔ICP备`, `公安备案：`, `网站标识码：`,
				`rel="canonical"`,
			} {
				if !strings.Contains(r.Body, want) {
					t.Errorf("GET %s: page lacks %q", path, want)
				}
			}
		})
	}
}

func TestSubSiteHasItsHeaderColumnsAndFooter(t *testing.T) {
	f := webtest.NewFixture(t, storetest.SQLite(t))
	r := f.Get(t, "localhost:8080", "/site/jyj/")
	if r.Status != http.StatusOK {
		t.Fatalf("status %d", r.Status)
	}
	for _, want := range []string{`<p class="site-name"><a href="/site/jyj/">思南县教育局</a>`, `href="/site/jyj/col/gzdt/">工作动态`,
		`通知公告`, `政策文件`, `政府信息公开`, `互动交流`, `jyj@sinan.gov.cn`, `主办单位：</dt><dd>思南县教育局`} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("sub-site home lacks %q", want)
		}
	}
}

func TestNotFoundAnswersChinesePageInLayout(t *testing.T) {
	f := webtest.NewFixture(t, storetest.SQLite(t))
	rsj := f.Publish(t, "rsj", "gzdt", content.Article{Title: "人社局的文章"})
	cases := []struct{ name, path, want string }{
		{"unknown tenant", "/site/nosuch/", "没有找到代码为“nosuch”的站点"},
		{"unknown column", "/site/jyj/col/nosuch/", "没有找到栏目“nosuch”"},
		{"unknown article", "/site/jyj/art/999999", "没有找到这篇文章"},
		{"article id not a number", "/site/jyj/art/abc", "没有找到这篇文章"},
		{"another tenant's article", fmt.Sprintf("/site/jyj/art/%d", rsj.ID), "没有找到这篇文章"},
		{"unknown page", "/site/jyj/no/such/page", "不存在"},
		{"page past the end", "/site/jyj/col/gzdt/?page=9", "没有第 9 页"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := f.Get(t, "localhost:8080", c.path)
			if r.Status != http.StatusNotFound {
				t.Fatalf("status %d, want 404", r.Status)
			}
			if !strings.Contains(r.Body, c.want) || !strings.Contains(r.Body, "您访问的页面不存在") || !strings.Contains(r.Body, `class="platform-bar"`) {
				t.Errorf("404 page lacks %q or the shared layout", c.want)
			}
		})
	}
}

func TestArchivedTenantAnswersGoneAndKeepsData(t *testing.T) {
	f := webtest.NewFixture(t, storetest.SQLite(t))
	a := f.Publish(t, "ajj", "gzdt", content.Article{Title: "安全生产大检查"})
	if _, err := f.Tenants.SetStatus(context.Background(), "test", "ajj", tenants.Archived); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/site/ajj/", fmt.Sprintf("/site/ajj/art/%d", a.ID)} {
		r := f.Get(t, "localhost:8080", p)
		if r.Status != http.StatusGone || !strings.Contains(r.Body, "网站已归档") {
			t.Fatalf("GET %s: status %d, want 410 with the archive notice", p, r.Status)
		}
	}
	if r := f.Get(t, "localhost:8080", "/"); strings.Contains(r.Body, "安全生产监督管理局</a>") {
		t.Error("archived tenant still listed in the directory")
	}
	tn, _ := f.Tenants.ByCode(context.Background(), "ajj")
	if _, err := f.Content.Article(context.Background(), tn.ID, a.ID); err != nil {
		t.Fatalf("archived tenant's article lost: %v", err)
	}
	if _, err := f.Tenants.SetStatus(context.Background(), "test", "ajj", tenants.Active); err != nil {
		t.Fatal(err)
	}
	if r := f.Get(t, "localhost:8080", fmt.Sprintf("/site/ajj/art/%d", a.ID)); r.Status != http.StatusOK {
		t.Fatalf("restored tenant's article: status %d", r.Status)
	}
}

func TestOneCanonicalURLPerPage(t *testing.T) {
	f := webtest.NewFixture(t, storetest.SQLite(t))
	ctx := context.Background()
	if err := f.Tenants.AddDomain(ctx, "test", "jyj", "jyj.localhost", true); err != nil {
		t.Fatal(err)
	}
	if err := f.Tenants.AddDomain(ctx, "test", "jyj", "old-jyj.example.cn", false); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, host, path string
		status           int
		location         string
	}{
		{"mapped tenant by path redirects to its host", "localhost:8080", "/site/jyj/col/gzdt/?page=1", 301, "http://jyj.localhost:8080/col/gzdt/?page=1"},
		{"mapped tenant by its host is served", "jyj.localhost:8080", "/col/gzdt/", 200, ""},
		{"path form on the tenant's own host redirects", "jyj.localhost:8080", "/site/jyj/col/gzdt/", 301, "http://jyj.localhost:8080/col/gzdt/"},
		{"secondary domain redirects to the primary", "old-jyj.example.cn", "/col/gzdt/", 301, "http://jyj.localhost/col/gzdt/"},
		{"unmapped dev host redirects to the path form", "rsj.localhost:8080", "/col/tzgg/", 301, "http://localhost:8080/site/rsj/col/tzgg/"},
		{"path form of an unmapped tenant is served", "localhost:8080", "/site/rsj/col/tzgg/", 200, ""},
		{"another tenant's path on a sub-site host goes to the portal host", "jyj.localhost:8080", "/site/rsj/", 301, "http://localhost:8080/site/rsj/"},
		{"portal by path redirects to the root", "localhost:8080", "/site/portal/col/tzgg/", 301, "http://localhost:8080/col/tzgg/"},
		{"site root without slash", "localhost:8080", "/site/rsj", 301, "/site/rsj/"},
		{"column without slash keeps the site prefix", "localhost:8080", "/site/rsj/col/tzgg", 301, "/site/rsj/col/tzgg/"},
		{"double slash is cleaned within the site", "localhost:8080", "/site/rsj//col/tzgg/", 301, "/site/rsj/col/tzgg/"},
		{"unknown host serves the portal", "10.0.0.5:8080", "/", 200, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := f.Get(t, c.host, c.path)
			if r.Status != c.status && !(c.status == 301 && r.Status/100 == 3) {
				t.Fatalf("GET %s%s: status %d, want %d (Location %q)", c.host, c.path, r.Status, c.status, r.Header.Get("Location"))
			}
			if c.location != "" && r.Header.Get("Location") != c.location {
				t.Fatalf("GET %s%s: Location %q, want %q", c.host, c.path, r.Header.Get("Location"), c.location)
			}
		})
	}
	// Links from a sub-site's own host lead back to the portal host.
	r := f.Get(t, "jyj.localhost:8080", "/")
	if !strings.Contains(r.Body, `href="http://localhost:8080/site/rsj/"`) || !strings.Contains(r.Body, `class="bar-home" href="http://localhost:8080/"`) {
		t.Error("directory links on a sub-site host are not absolute links to the portal host")
	}
	if !strings.Contains(r.Body, `rel="canonical" href="http://jyj.localhost:8080/"`) {
		t.Error("canonical link of a mapped sub-site is not its own host")
	}
}

func TestDatabaseFailureAnswers503WithoutDetail(t *testing.T) {
	f := webtest.NewFixture(t, storetest.SQLite(t))
	f.Get(t, "localhost:8080", "/") // load the tenant registry
	f.DB.Close()
	for _, p := range []string{"/", "/site/jyj/col/gzdt/", "/healthz"} {
		r := f.Get(t, "localhost:8080", p)
		if r.Status != http.StatusServiceUnavailable {
			t.Errorf("GET %s with the database closed: status %d, want 503", p, r.Status)
		}
		for _, leak := range []string{"sql", "database is closed", "goroutine", ".go:"} {
			if strings.Contains(r.Body, leak) && p != "/healthz" {
				t.Errorf("GET %s: error page leaks %q", p, leak)
			}
		}
	}
}

func TestHealthz(t *testing.T) {
	f := webtest.NewFixture(t, storetest.SQLite(t))
	if r := f.Get(t, "localhost:8080", "/healthz"); r.Status != 200 || r.Body != "ok\n" {
		t.Fatalf("healthz: %d %q", r.Status, r.Body)
	}
}

func TestSecurityHeaders(t *testing.T) {
	f := webtest.NewFixture(t, storetest.SQLite(t))
	if _, err := f.DB.Exec(`UPDATE tenants SET theme_color = '#8a1c1c' WHERE code = 'jyj'`); err != nil {
		t.Fatal(err)
	}
	f.Srv.InvalidateTenants()
	r := f.Get(t, "localhost:8080", "/site/jyj/")
	for k, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "SAMEORIGIN", "Referrer-Policy": "strict-origin-when-cross-origin"} {
		if r.Header.Get(k) != want {
			t.Errorf("%s = %q", k, r.Header.Get(k))
		}
	}
	csp := r.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "object-src 'none'", "frame-ancestors 'self'", "form-action 'self'", "base-uri 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("policy lacks %s: %q", want, csp)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("policy lets injected markup run: %q", csp)
	}
	if !strings.Contains(r.Header.Get("Permissions-Policy"), "camera=()") {
		t.Errorf("Permissions-Policy = %q", r.Header.Get("Permissions-Policy"))
	}
	if r.Header.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS on plain HTTP would lock a development server out")
	}

	// The theme colour is a stylesheet of its own, so that no page needs
	// an inline style and a cached page no per-answer nonce; the
	// stylesheet is named by the colour and kept for good.
	m := regexp.MustCompile(`'nonce-([A-Za-z0-9_-]+)'`).FindStringSubmatch(csp)
	if m == nil {
		t.Fatalf("no nonce in %q", csp)
	}
	if !strings.Contains(r.Body, `<link rel="stylesheet" href="/theme/8a1c1c.css">`) || strings.Contains(r.Body, "<style") {
		t.Errorf("theme colour not as a stylesheet: %s", r.Body)
	}
	if css := f.Get(t, "localhost:8080", "/theme/8a1c1c.css"); css.Body != "body{--theme:#8a1c1c}\n" || !strings.Contains(css.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("theme stylesheet: %q %q", css.Body, css.Header.Get("Cache-Control"))
	}
	if bad := f.Get(t, "localhost:8080", "/theme/8a1c1c;}body{x.css"); bad.Status != http.StatusNotFound {
		t.Errorf("a theme file that is not a colour: %d", bad.Status)
	}
	if strings.Contains(r.Body, ` style="`) {
		t.Error("a style attribute the policy would refuse")
	}
	if again := f.Get(t, "localhost:8080", "/site/jyj/"); strings.Contains(again.Header.Get("Content-Security-Policy"), m[1]) {
		t.Error("the nonce repeats between answers")
	}

	for _, path := range []string{"/nosuch-site-page", "/site/jyj/nosuch"} {
		if r := f.Get(t, "localhost:8080", path); !strings.Contains(r.Header.Get("Content-Security-Policy"), "default-src 'self'") {
			t.Errorf("%s answers without the policy", path)
		}
	}
}

func TestStrictTransportOnlyUnderHTTPS(t *testing.T) {
	db := storetest.SQLite(t)
	f := webtest.NewFixture(t, db)
	for _, tc := range []struct {
		name  string
		proto string
		trust bool
		want  bool
	}{
		{"plain http", "", false, false},
		{"forwarded https behind a trusted proxy", "https", true, true},
		{"forwarded https from an untrusted client", "https", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, err := host.New(web.Config{RegistryTTL: time.Nanosecond, TrustProxy: tc.trust}, db, f.Tenants, f.Content, slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err != nil {
				t.Fatal(err)
			}
			req := httptest.NewRequest("GET", "http://localhost:8080/", nil)
			if tc.proto != "" {
				req.Header.Set("X-Forwarded-Proto", tc.proto)
			}
			rec := httptest.NewRecorder()
			srv.Handler().ServeHTTP(rec, req)
			if got := rec.Header().Get("Strict-Transport-Security") != ""; got != tc.want {
				t.Errorf("HSTS sent = %v, want %v", got, tc.want)
			}
		})
	}
}

// Assets carry a hash of their content in their name: a page names the
// version it was drawn with, kept by browsers for good; a name with an
// old hash (a page drawn before a new build) still gets the current file.
func TestStaticNamesCarryTheirHash(t *testing.T) {
	f := webtest.NewFixture(t, storetest.SQLite(t))
	r := f.Get(t, "localhost:8080", "/")
	m := regexp.MustCompile(`href="(/static/site\.([0-9a-f]{10})\.css)"`).FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("no hashed stylesheet in %s", r.Body)
	}
	css := f.Get(t, "localhost:8080", m[1])
	if css.Status != http.StatusOK || !strings.Contains(css.Header.Get("Cache-Control"), "immutable") || !strings.Contains(css.Header.Get("Content-Type"), "text/css") {
		t.Fatalf("hashed asset: %d %v", css.Status, css.Header)
	}
	for _, u := range []string{"/static/site.css", "/static/site.0123456789.css"} {
		other := f.Get(t, "localhost:8080", u)
		if other.Status != http.StatusOK || other.Body != css.Body || strings.Contains(other.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("%s: %d, same file %v, %q", u, other.Status, other.Body == css.Body, other.Header.Get("Cache-Control"))
		}
	}
}

// Every answer carries a request id, new for each request, in the host's
// log line of it; a proxy's id is kept only behind a trusted proxy, and
// only when it cannot forge a log line.
func TestRequestIDs(t *testing.T) {
	f := webtest.NewFixture(t, storetest.SQLite(t))
	var logs bytes.Buffer
	trusted, err := host.New(web.Config{TrustProxy: true, RegistryTTL: time.Nanosecond}, f.DB, f.Tenants, f.Content,
		slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	webtest.Must(t, err)
	get := func(h http.Handler, id string) string {
		req := httptest.NewRequest("GET", "http://localhost:8080/", nil)
		if id != "" {
			req.Header.Set("X-Request-Id", id)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Header().Get("X-Request-Id")
	}
	a, b := get(f.H, ""), get(f.H, "")
	if !regexp.MustCompile(`^[0-9a-f]{24}$`).MatchString(a) || a == b {
		t.Errorf("ids %q and %q", a, b)
	}
	if got := get(f.H, "proxy-id-12345678"); got == "proxy-id-12345678" {
		t.Error("an untrusted client chose its request id")
	}
	th := trusted.Handler()
	if got := get(th, "proxy-id-12345678"); got != "proxy-id-12345678" {
		t.Errorf("behind a trusted proxy: %q", got)
	}
	if got := get(th, "bad id\nlevel=ERROR"); got == "" || strings.Contains(got, " ") {
		t.Errorf("a forged id was kept: %q", got)
	}
	if !strings.Contains(logs.String(), "request_id=proxy-id-12345678") {
		t.Errorf("the request log lacks the id:\n%s", logs.String())
	}
}
