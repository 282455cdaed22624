package cli_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"yiwang/core/certs"
	"yiwang/core/content"
	"yiwang/core/store"
	"yiwang/tenants"
)

// TestTwoHostsBehindAProxy runs two host processes on one MariaDB behind a
// reverse proxy that alternates between them on every request, with no
// stickiness: a person signed in on one is signed in on both; a change
// written by a third process (as the CLI writes) shows on both, their page
// caches dropping the old page; a letter written through one is the
// writer's on the other; a scheduled article is published once, not once
// per process.
func TestTwoHostsBehindAProxy(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary twice")
	}
	dsn := mysqlDatabase(t)
	dropModuleDatabases(t, dsn)
	ctx := context.Background()
	aData := t.TempDir()
	a := startServe(t, aData, "--db", dsn, "--no-probes")
	a.waitHealthy(2 * time.Minute)
	// Replicas share the key that seals second-factor secrets.
	b := startServe(t, t.TempDir(), "--db", dsn, "--no-probes", "--secret-key-file", filepath.Join(aData, "secret.key"))
	b.waitHealthy(2 * time.Minute)

	var served [2]atomic.Int64
	var next atomic.Int64
	backends := []*url.URL{mustParse(t, a.base), mustParse(t, b.base)}
	proxy := httptest.NewServer(&httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		i := next.Add(1) % 2
		served[i].Add(1)
		r.SetURL(backends[i])
		r.Out.Host = r.In.Host // the sites are told apart by the name asked for
	}})
	t.Cleanup(proxy.Close)
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(proxy.URL, "http://"))
	portal := "http://localhost:" + port
	viaProxy := func(jar http.CookieJar) *visitor {
		tr := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, strings.TrimPrefix(proxy.URL, "http://"))
		}}
		t.Cleanup(tr.CloseIdleConnections)
		return &visitor{t: t, c: &http.Client{Jar: jar, Transport: tr, Timeout: 30 * time.Second}}
	}
	// every asks for u through the proxy n times, so each host answers
	// at least twice, and reports whether every answer holds want.
	every := func(v *visitor, u, want string) bool {
		ok := true
		for range 4 {
			p := v.get(u)
			ok = ok && p.status == http.StatusOK && strings.Contains(p.page, want)
		}
		return ok
	}
	eventually := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within 30 s", what)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}

	// A page both hosts keep in their caches, then an article written by
	// a third process: both show it.
	anon := viaProxy(nil)
	if !every(anon, portal+"/site/rsj/", "思南县人力资源和社会保障局") {
		t.Fatal("rsj's home page through the proxy")
	}
	db, err := store.Open(ctx, dsn, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	cs := content.NewStore(db)
	rsj, err := tenants.NewStore(db).ByCode(ctx, "rsj")
	if err != nil {
		t.Fatal(err)
	}
	gzdt, err := cs.Column(ctx, rsj.ID, "gzdt")
	if err != nil {
		t.Fatal(err)
	}
	art := content.Article{TenantID: rsj.ID, ColumnID: gzdt.ID, Title: "县人社局举办春季招聘会", Body: "<p>正文</p>"}
	if err := cs.SaveDraft(ctx, db, &art); err != nil {
		t.Fatal(err)
	}
	if err := cs.Publish(ctx, "test", rsj.ID, art.ID); err != nil {
		t.Fatal(err)
	}
	eventually("the new article on both hosts", func() bool { return every(anon, portal+"/site/rsj/", art.Title) })

	// Signed in on one host, signed in on both.
	jar, _ := cookiejar.New(nil)
	citizen := newVisitor(t, a)
	citizen.c.Jar = jar
	_, aport, _ := net.SplitHostPort(strings.TrimPrefix(a.base, "http://"))
	citizen.signIn("http://localhost:"+aport+"/account/login?r=/", "citizen")
	signedIn := viaProxy(jar)
	if !every(signedIn, portal+"/", "张小民") {
		t.Fatal("the citizen signed in on one host is not signed in on both")
	}
	if every(anon, portal+"/", "张小民") {
		t.Fatal("an anonymous visitor sees the citizen")
	}

	// A letter: the form drawn by one host, posted to the other; the
	// writer's list on both.
	write := signedIn.form(portal+"/mailbox/write?box=county_head", "mailbox/write")
	write.set("box", "county_head")
	write.set("category", "咨询")
	write.set("subject", "两台服务器之间的信件")
	write.set("content", "请问社区卫生服务中心周末是否开放？")
	done := signedIn.submit(write)
	m := regexp.MustCompile(`(XX\d{14})`).FindStringSubmatch(done.text)
	if done.status != http.StatusOK || m == nil {
		t.Fatalf("the letter through the proxy: %d\n%s", done.status, done.text)
	}
	if !every(signedIn, portal+"/mailbox/my/", m[1]) {
		t.Fatal("the letter is not the writer's on both hosts")
	}

	// Certificates live in the database: one stored (as certmagic stores
	// what one host obtained) is on both hosts' certificate console.
	var domain string
	if err := db.GetContext(ctx, &domain, `SELECT host FROM tenant_domains ORDER BY host LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	if err := certs.NewStorage(db).Store(ctx, "certificates/acme-v02.api.letsencrypt.org-directory/"+domain+"/"+domain+".crt",
		selfSigned(t, domain)); err != nil {
		t.Fatal(err)
	}
	officeJar, _ := cookiejar.New(nil)
	office := newVisitor(t, a)
	office.c.Jar = officeJar
	office.signIn("http://localhost:"+aport+"/account/login?r=/admin/", "admin")
	if !every(viaProxy(officeJar), portal+"/admin/county/certs", "有效，剩 89 天") {
		t.Fatal("the stored certificate is not on both hosts' console")
	}

	// A scheduled article: both hosts' clocks look for it; one publishes.
	sched := content.Article{TenantID: rsj.ID, ColumnID: gzdt.ID, Title: "定时发布：县人社局公告", Body: "<p>正文</p>"}
	if err := cs.SaveDraft(ctx, db, &sched); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `UPDATE articles SET status = 'scheduled', scheduled_at = ? WHERE id = ?`, store.Now().Add(-time.Second), sched.ID); err != nil {
		t.Fatal(err)
	}
	eventually("the scheduled article published", func() bool {
		var status string
		_ = db.GetContext(ctx, &status, `SELECT status FROM articles WHERE id = ?`, sched.ID)
		return status == "published"
	})
	time.Sleep(3 * time.Second) // both clocks have had their turn again
	var publishes int
	if err := db.GetContext(ctx, &publishes, `SELECT COUNT(*) FROM audit_log WHERE action = 'article.publish' AND target = ?`, fmt.Sprintf("article:%d", sched.ID)); err != nil {
		t.Fatal(err)
	}
	if publishes != 1 {
		t.Errorf("the scheduled article was published %d times, want once", publishes)
	}
	eventually("the scheduled article on both hosts", func() bool { return every(anon, portal+"/site/rsj/", sched.Title) })
	if served[0].Load() < 5 || served[1].Load() < 5 {
		t.Errorf("the proxy sent %d and %d requests: both hosts were not used", served[0].Load(), served[1].Load())
	}
}

func mustParse(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// dropModuleDatabases removes, when the test ends, the databases the
// modules made beside the platform's (its name with _<module>).
func dropModuleDatabases(t *testing.T, dsn string) {
	t.Helper()
	cfg, err := mysql.ParseDSN(strings.TrimPrefix(dsn, "mysql://"))
	if err != nil {
		t.Fatal(err)
	}
	name := cfg.DBName
	cfg.DBName = ""
	t.Cleanup(func() {
		db, err := store.Open(context.Background(), "mysql://"+cfg.FormatDSN(), "")
		if err != nil {
			return
		}
		defer db.Close()
		var names []string
		_ = db.Select(&names, `SHOW DATABASES LIKE '`+name+`\_%'`)
		for _, n := range names {
			_, _ = db.Exec("DROP DATABASE IF EXISTS `" + n + "`")
		}
	})
}

// selfSigned is a PEM certificate for name, as a CA would have issued it.
func selfSigned(t *testing.T, name string) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name}, DNSNames: []string{name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(90 * 24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}
