package cli_test

import (
	"bytes"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"golang.org/x/net/html"
)

// TestMySQLDumpAndRestore runs the documented MariaDB path
// (deploy/mysql/backup.sh and restore.sh, the server's own mariadb-dump
// and client) on a platform with a letter and its attachment: a dump
// taken while the service runs holds the platform's database and every
// module's schema; after all of them are dropped, a damaged dump restores
// nothing, the good one restores everything, and a fresh data folder
// with the uploads and the key beside it serves the same pages, the same
// letter with the same attachment, and an unbroken audit chain.
func TestMySQLDumpAndRestore(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary and the server's tools")
	}
	clearEnv(t)
	dsn := mysqlDatabase(t)
	dropModuleDatabases(t, dsn)
	cfg, err := mysql.ParseDSN(strings.TrimPrefix(dsn, "mysql://"))
	if err != nil {
		t.Fatal(err)
	}
	host, port, _ := net.SplitHostPort(cfg.Addr)
	client := []string{"MYSQL_ARGS=--protocol=tcp -h" + host + " -P" + port + " -u" + cfg.User}
	if cfg.Passwd != "" {
		client = append(client, "MYSQL_PWD="+cfg.Passwd)
	}
	scripts, _ := filepath.Abs("../../deploy/mysql")
	script := func(name string, args ...string) (string, error) {
		cmd := exec.Command("sh", append([]string{filepath.Join(scripts, name)}, args...)...)
		cmd.Env = append(os.Environ(), client...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	data := filepath.Join(t.TempDir(), "data")
	s := startServe(t, data, "--db", dsn, "--no-probes")
	s.waitHealthy(2 * time.Minute)
	_, p, _ := net.SplitHostPort(strings.TrimPrefix(s.base, "http://"))
	portal := "http://localhost:" + p

	writer := newVisitor(t, s)
	writer.signIn(portal+"/account/login?r=/mailbox/", "citizen")
	write := writer.form(portal+"/mailbox/write?box=county_head", "mailbox/write")
	write.set("box", "county_head")
	write.set("category", "建议")
	write.set("subject", "备份恢复后这封信还在")
	write.set("content", "建议在县城北门增设公交站台，方便附近居民出行。")
	photo := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{3}, 30<<10)...)
	write.attach("站台位置.png", photo)
	done := writer.submit(write)
	m := regexp.MustCompile(`([A-Z]{2}\d{14})`).FindStringSubmatch(done.text)
	if done.status != http.StatusOK || m == nil {
		t.Fatalf("writing a letter: %d\n%s", done.status, done.text)
	}
	letter := m[1]
	before := restorePages(s)

	// The dump is taken while the service runs.
	dump := filepath.Join(t.TempDir(), "yiwang.sql.gz")
	out, err := script("backup.sh", cfg.DBName, dump)
	if err != nil {
		t.Fatalf("backup.sh: %v\n%s", err, out)
	}
	for _, schema := range []string{cfg.DBName, cfg.DBName + "_mailbox", cfg.DBName + "_disclosure", cfg.DBName + "_interview", cfg.DBName + "_topics"} {
		if !regexp.MustCompile(`(?m)^  ` + schema + `$`).MatchString(out) {
			t.Errorf("the dump lacks %s:\n%s", schema, out)
		}
	}
	s.stop()

	// Everything is lost.
	schemas := regexp.MustCompile(`(?m)^  (\S+)$`).FindAllStringSubmatch(out, -1)
	drop := exec.Command("mariadb", "--protocol=tcp", "-h"+host, "-P"+port, "-u"+cfg.User)
	var sql strings.Builder
	for _, sc := range schemas {
		sql.WriteString("DROP DATABASE `" + sc[1] + "`;")
	}
	drop.Env = append(os.Environ(), client...)
	drop.Stdin = strings.NewReader(sql.String())
	if b, err := drop.CombinedOutput(); err != nil {
		t.Fatalf("dropping the schemas: %v\n%s", err, b)
	}

	// A damaged dump restores nothing.
	whole, err := os.ReadFile(dump)
	if err != nil {
		t.Fatal(err)
	}
	damaged := filepath.Join(t.TempDir(), "damaged.sql.gz")
	if err := os.WriteFile(damaged, whole[:len(whole)*2/3], 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := script("restore.sh", damaged); err == nil || !strings.Contains(out, "备份文件已损坏") {
		t.Fatalf("restoring a damaged dump: %v\n%s", err, out)
	}
	if r := run(t, "tenants", "list", "--db", dsn); r.code == 0 {
		t.Fatalf("a damaged dump left a platform database behind:\n%s", r.stdout)
	}

	if out, err := script("restore.sh", dump); err != nil || !strings.Contains(out, "已从") {
		t.Fatalf("restore.sh: %v\n%s", err, out)
	}

	// A fresh data folder, with what the database does not hold: the
	// uploads of the local file store and the second-factor key.
	fresh := filepath.Join(t.TempDir(), "restored")
	if err := os.CopyFS(filepath.Join(fresh, "uploads"), os.DirFS(filepath.Join(data, "uploads"))); err != nil {
		t.Fatal(err)
	}
	key, err := os.ReadFile(filepath.Join(data, "secret.key"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(fresh, "secret.key"), key, 0o600); err != nil {
		t.Fatal(err)
	}
	// On the same address, as the platform keeps its name: the built-in
	// provider's issuer, and so the writer's account, stay the same.
	s2 := startServeOn(t, strings.TrimPrefix(s.base, "http://"), fresh, "--db", dsn, "--no-probes", "--demo=false")
	s2.waitHealthy(2 * time.Minute)
	after := restorePages(s2)
	for p := range before {
		if after[p] != before[p] {
			t.Errorf("%s differs after the restore", p)
		}
	}
	_, p2, _ := net.SplitHostPort(strings.TrimPrefix(s2.base, "http://"))
	portal2 := "http://localhost:" + p2
	back := newVisitor(t, s2)
	back.signIn(portal2+"/account/login?r=/mailbox/my/"+letter, "citizen")
	mine := back.get(portal2 + "/mailbox/my/" + letter)
	if !strings.Contains(mine.text, "备份恢复后这封信还在") {
		t.Fatalf("the letter after the restore: %d\n%s", mine.status, mine.text[strings.Index(mine.text, "当前位置"):])
	}
	href := regexp.MustCompile(`href="([^"]*/mailbox/my/` + letter + `/files/[^"]+)"`).FindStringSubmatch(mine.page)
	if href == nil {
		t.Fatalf("the restored letter lists no attachment:\n%s", mine.text)
	}
	if f := back.get(absolute(portal2, html.UnescapeString(href[1]))); !bytes.Equal([]byte(f.page), photo) {
		t.Errorf("attachment after the restore: %d bytes, %d written", len(f.page), len(photo))
	}
	s2.stop()
	if r := mustRun(t, "audit", "verify", "--db", dsn); !strings.Contains(r.stdout, "哈希链完整") {
		t.Errorf("audit verify after the restore: %s", r.stdout)
	}
}
