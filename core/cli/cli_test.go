package cli_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"
	"yiwang/core/cli"
	"yiwang/core/content"
	"yiwang/core/store"
	"yiwang/core/store/storetest"
	"yiwang/tenants"
)

// seedFile is the reference county's seed file, relative to this package.
const seedFile = "../../tenants/seed/sinan.tsv"

// seedTenants is the number of tenants in seedFile.
const seedTenants = 75

// result is what one in-process run of the command line produced.
type result struct {
	code           int
	stdout, stderr string
}

// run runs the command line in-process, as the binary would.
func run(t *testing.T, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli.Run(args, &out, &errb)
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// mustRun runs args and fails the test unless the exit status is 0.
func mustRun(t *testing.T, args ...string) result {
	t.Helper()
	r := run(t, args...)
	if r.code != 0 {
		t.Fatalf("yiwang %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

// clearEnv keeps the caller's YIWANG_* settings from reaching the commands.
func clearEnv(t *testing.T) {
	for _, k := range []string{"YIWANG_DB", "YIWANG_DATA", "YIWANG_ADDR", "YIWANG_DEMO", "YIWANG_PORTAL_HOST", "YIWANG_LOG"} {
		t.Setenv(k, "")
	}
}

// listRow is one row of "tenants list".
type listRow struct {
	code, kind, status, name, domains string
}

// parseList parses the output of "tenants list": the header, then one row
// per tenant.
func parseList(t *testing.T, out string) map[string]listRow {
	t.Helper()
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) == 0 || strings.Join(strings.Fields(lines[0]), " ") != "CODE KIND STATUS NAME DOMAINS" {
		t.Fatalf("tenants list: no header in\n%s", out)
	}
	rows := map[string]listRow{}
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		if len(f) < 4 || len(f) > 5 {
			t.Fatalf("tenants list: malformed row %q", l)
		}
		r := listRow{code: f[0], kind: f[1], status: f[2], name: f[3]}
		if len(f) == 5 {
			r.domains = f[4]
		}
		if _, dup := rows[r.code]; dup {
			t.Fatalf("tenants list: code %s listed twice", r.code)
		}
		rows[r.code] = r
	}
	if len(rows) != len(lines)-1 {
		t.Fatalf("tenants list: %d rows, %d codes", len(lines)-1, len(rows))
	}
	return rows
}

func list(t *testing.T, storeArgs ...string) map[string]listRow {
	t.Helper()
	return parseList(t, mustRun(t, append([]string{"tenants", "list"}, storeArgs...)...).stdout)
}

// importAndList is the import flow every backend must pass: a first import
// creates the reference county, a second changes nothing, list shows it.
func importAndList(t *testing.T, storeArgs ...string) {
	t.Helper()
	args := append([]string{"tenants", "import", seedFile}, storeArgs...)
	r := mustRun(t, args...)
	if want := "导入完成：新建 75，更新 0，未变 0（共 75 个站点）"; !strings.Contains(r.stdout, want) {
		t.Errorf("first import: stdout %q, want %q", r.stdout, want)
	}
	r = mustRun(t, args...)
	if want := "导入完成：新建 0，更新 0，未变 75（共 75 个站点）"; !strings.Contains(r.stdout, want) {
		t.Errorf("second import is not idempotent: stdout %q, want %q", r.stdout, want)
	}
	out := mustRun(t, append([]string{"tenants", "list"}, storeArgs...)...).stdout
	if n := strings.Count(strings.TrimRight(out, "\n"), "\n") + 1; n != seedTenants+1 {
		t.Errorf("tenants list: %d lines, want %d tenants and a header", n, seedTenants)
	}
	rows := parseList(t, out)
	if got, want := rows["jyj"], (listRow{code: "jyj", kind: "department", status: "active", name: "思南县教育局"}); got != want {
		t.Errorf("tenants list: jyj row %+v, want %+v", got, want)
	}
	if got := rows["portal"]; got.kind != "portal" || got.name != "思南县人民政府" {
		t.Errorf("tenants list: portal row %+v", got)
	}
	first := strings.Fields(strings.Split(out, "\n")[1])
	if first[0] != "portal" {
		t.Errorf("tenants list: first row is %q, want the portal first", first[0])
	}
}

func TestTenantsSQLite(t *testing.T) {
	clearEnv(t)
	ctx := context.Background()
	data := t.TempDir()
	d := []string{"--data", data}

	importAndList(t, d...)
	if _, err := os.Stat(filepath.Join(data, store.DefaultFile)); err != nil {
		t.Fatalf("no SQLite file in the data directory: %v", err)
	}

	// create: a new tenant gets the standard columns.
	r := mustRun(t, "tenants", "create", "--code", "test1", "--name", "测试单位", "--kind", "other", "--data", data)
	if !strings.Contains(r.stdout, "已创建站点 test1（测试单位）") {
		t.Errorf("create: stdout %q", r.stdout)
	}
	if got := list(t, d...)["test1"]; got != (listRow{code: "test1", kind: "other", status: "active", name: "测试单位"}) {
		t.Errorf("list after create: test1 row %+v", got)
	}
	func() {
		db, err := store.Open(ctx, "", data)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		ts := tenants.NewStore(db)
		tpl, err := ts.Template(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(tpl) == 0 {
			t.Fatal("the standard column template is empty")
		}
		var want []string
		for _, c := range tpl {
			want = append(want, c.Slug)
		}
		sort.Strings(want)
		for _, code := range []string{"test1", "jyj"} {
			tn, err := ts.ByCode(ctx, code)
			if err != nil {
				t.Fatal(err)
			}
			if code == "test1" && tn.Sponsor != "测试单位" {
				t.Errorf("create: sponsor %q, want the name by default", tn.Sponsor)
			}
			cols, err := content.NewStore(db).Columns(ctx, tn.ID, true)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			var walk func([]*content.Column)
			walk = func(cs []*content.Column) {
				for _, c := range cs {
					if c.FromTemplate() {
						got = append(got, c.Slug)
					}
					walk(c.Children)
				}
			}
			walk(cols)
			sort.Strings(got)
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("tenant %s has template columns %v, want %v", code, got, want)
			}
		}
	}()

	// create again with the same code: a conflict, told in Chinese.
	r = run(t, "tenants", "create", "--code", "test1", "--name", "重复", "--data", data)
	if r.code != 1 || !strings.Contains(r.stderr, "站点代码“test1”已被使用") {
		t.Errorf("duplicate create: exit %d, stderr %q", r.code, r.stderr)
	}

	// archive and restore.
	r = mustRun(t, "tenants", "archive", "jyj", "--data", data)
	if !strings.Contains(r.stdout, "站点 jyj（思南县教育局）状态：archived") {
		t.Errorf("archive: stdout %q", r.stdout)
	}
	if got := list(t, d...)["jyj"].status; got != "archived" {
		t.Errorf("list after archive: jyj is %q", got)
	}
	if _, ok := list(t, "--all=false", "--data", data)["jyj"]; ok {
		t.Error("list --all=false shows the archived jyj")
	}
	r = mustRun(t, "tenants", "restore", "--data", data, "jyj")
	if !strings.Contains(r.stdout, "状态：active") {
		t.Errorf("restore: stdout %q", r.stdout)
	}
	if got := list(t, d...)["jyj"].status; got != "active" {
		t.Errorf("list after restore: jyj is %q", got)
	}

	// The portal cannot be archived.
	r = run(t, "tenants", "archive", "portal", "--data", data)
	if r.code != 1 || !strings.Contains(r.stderr, "县政府门户不能归档") {
		t.Errorf("archive portal: exit %d, stderr %q; want 1 and 县政府门户不能归档", r.code, r.stderr)
	}
	if got := list(t, d...)["portal"].status; got != "active" {
		t.Errorf("portal is %q after a refused archive", got)
	}
	// Neither can a tenant that does not exist.
	r = run(t, "tenants", "archive", "nosuch", "--data", data)
	if r.code != 1 || !strings.Contains(r.stderr, "没有找到站点“nosuch”") {
		t.Errorf("archive nosuch: exit %d, stderr %q", r.code, r.stderr)
	}

	// A bad code is refused with the validation message.
	r = run(t, "tenants", "create", "--code", "1Bad", "--name", "坏代码", "--data", data)
	if r.code != 1 || !strings.Contains(r.stderr, "站点代码“1Bad”无效：须以小写字母开头") {
		t.Errorf("create with a bad code: exit %d, stderr %q", r.code, r.stderr)
	}
	if r.stdout != "" {
		t.Errorf("create with a bad code: stdout %q", r.stdout)
	}
	r = run(t, "tenants", "create", "--code", "okcode", "--name", "坏类型", "--kind", "bureau", "--data", data)
	if r.code != 1 || !strings.Contains(r.stderr, "站点类型“bureau”无效") {
		t.Errorf("create with a bad kind: exit %d, stderr %q", r.code, r.stderr)
	}
	if _, ok := list(t, d...)["okcode"]; ok {
		t.Error("a tenant with a bad kind was created")
	}

	// Usage errors exit 2.
	for _, args := range [][]string{
		{"tenants", "frobnicate", "--data", data},
		{"tenants"},
		{"frobnicate"},
		{"tenants", "archive", "--data", data},
		{"tenants", "domain", "move", "jyj", "x.example.cn", "--data", data},
		{"tenants", "import", seedFile, "extra.tsv", "--data", data},
		{"tenants", "list", "--bogus", "--data", data},
		{"migrate", "--bogus", "--data", data},
		{"serve", "--bogus", "--data", data},
		{"serve", "extra", "--data", data},
	} {
		r = run(t, args...)
		if r.code != 2 {
			t.Errorf("yiwang %s: exit %d, want 2 (stderr %q)", strings.Join(args, " "), r.code, r.stderr)
		}
	}
	if r = run(t, "tenants", "frobnicate"); !strings.Contains(r.stderr, "未知子命令“frobnicate”") {
		t.Errorf("unknown subcommand: stderr %q", r.stderr)
	}
	if r = run(t, "--help"); r.code != 0 || !strings.Contains(r.stdout, "tenants") {
		t.Errorf("--help: exit %d, stdout %q", r.code, r.stdout)
	}
	// The usage says "yiwang <命令> -h" shows a command's options.
	for _, h := range []string{"-h", "--help", "help"} {
		if r = run(t, "tenants", h); r.code != 0 || !strings.Contains(r.stdout, "yiwang tenants import FILE") {
			t.Errorf("tenants %s: exit %d, stdout %q, stderr %q", h, r.code, r.stdout, r.stderr)
		}
	}
	if r = run(t, "tenants", "create", "-h"); r.code != 0 || !strings.Contains(r.stderr, "-code") {
		t.Errorf("tenants create -h: exit %d, stderr %q", r.code, r.stderr)
	}

	// domain add normalises the host; --primary puts it first.
	r = mustRun(t, "tenants", "domain", "add", "jyj", "JYJ.Example.CN", "--primary", "--data", data)
	if !strings.Contains(r.stdout, "jyj") {
		t.Errorf("domain add: stdout %q", r.stdout)
	}
	if got := list(t, d...)["jyj"].domains; got != "jyj.example.cn" {
		t.Errorf("list after domain add: jyj domains %q, want jyj.example.cn", got)
	}
	mustRun(t, "tenants", "domain", "add", "jyj", "edu.example.cn", "--data", data)
	if got := list(t, d...)["jyj"].domains; got != "jyj.example.cn,edu.example.cn" {
		t.Errorf("second, non-primary domain: jyj domains %q", got)
	}
	r = run(t, "tenants", "domain", "add", "rsj", "jyj.example.cn", "--data", data)
	if r.code != 1 || !strings.Contains(r.stderr, "已映射到其他站点") {
		t.Errorf("domain add of a host mapped elsewhere: exit %d, stderr %q", r.code, r.stderr)
	}
	r = run(t, "tenants", "domain", "add", "jyj", "bad_host:8080", "--data", data)
	if r.code != 1 || !strings.Contains(r.stderr, "无效") {
		t.Errorf("domain add of a bad host: exit %d, stderr %q", r.code, r.stderr)
	}
	mustRun(t, "tenants", "domain", "remove", "jyj", "edu.example.cn", "--data", data)
	if got := list(t, d...)["jyj"].domains; got != "jyj.example.cn" {
		t.Errorf("after domain remove: jyj domains %q", got)
	}

	// The seed names no domain for jyj: an empty domains field says
	// nothing, so importing it again keeps the domain mapped since.
	r = mustRun(t, "tenants", "import", seedFile, "--data", data)
	if !strings.Contains(r.stdout, "新建 0，更新 0，未变 75") {
		t.Errorf("re-import after a domain change: stdout %q", r.stdout)
	}
	if got := list(t, d...)["jyj"]; got.domains != "jyj.example.cn" || got.status != "active" {
		t.Errorf("after re-import: jyj row %+v", got)
	}

	// migrate reports the schema version.
	r = mustRun(t, "migrate", "--data", data)
	if !strings.Contains(r.stdout, "schema version") {
		t.Errorf("migrate: stdout %q", r.stdout)
	}
}

// TestTenantsImportMalformed checks that a seed file with one bad row is
// refused as a whole, with the line and field named.
func TestTenantsImportMalformed(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	// Line numbers count comments and blank lines; line 8 has a bad kind.
	lines := []string{
		"# 测试种子文件",
		strings.Join(tenants.SeedColumns, "\t"),
		row("portal", "测试县人民政府", "portal"),
		row("aaa", "测试县甲局", "department"),
		"",
		row("bbb", "测试县乙局", "department"),
		"# 注释",
		row("ccc", "测试县丙局", "bureau"),
		row("ddd", "测试县丁局", "other"),
	}
	file := filepath.Join(dir, "bad.tsv")
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := run(t, "tenants", "import", file, "--data", data)
	if r.code != 1 {
		t.Fatalf("import of a malformed file: exit %d, want 1\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"第 8 行", "kind", "bureau"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("import of a malformed file: stderr %q does not name %q", r.stderr, want)
		}
	}
	if strings.Contains(r.stdout, "导入完成") {
		t.Errorf("import of a malformed file: stdout %q", r.stdout)
	}
	if rows := list(t, "--data", data); len(rows) != 0 {
		t.Errorf("a refused import left %d tenants: %v", len(rows), rows)
	}

	// The same file, fixed, imports whole.
	lines[7] = row("ccc", "测试县丙局", "department")
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r = mustRun(t, "tenants", "import", file, "--data", data)
	if !strings.Contains(r.stdout, "新建 5") {
		t.Errorf("import of the fixed file: stdout %q", r.stdout)
	}

	// A missing file and a file without a header fail with exit 1.
	r = run(t, "tenants", "import", filepath.Join(dir, "missing.tsv"), "--data", data)
	if r.code != 1 {
		t.Errorf("import of a missing file: exit %d, stderr %q", r.code, r.stderr)
	}
	empty := filepath.Join(dir, "empty.tsv")
	if err := os.WriteFile(empty, []byte("# nothing\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r = run(t, "tenants", "import", empty, "--data", data)
	if r.code != 1 || !strings.Contains(r.stderr, "没有表头") {
		t.Errorf("import of a file without a header: exit %d, stderr %q", r.code, r.stderr)
	}
}

// row is one seed line with the given code, name and kind.
func row(code, name, kind string) string {
	f := make([]string, len(tenants.SeedColumns))
	for i, c := range tenants.SeedColumns {
		switch c {
		case "code":
			f[i] = code
		case "name", "sponsor":
			f[i] = name
		case "kind":
			f[i] = kind
		case "sort":
			f[i] = "1"
		}
	}
	return strings.Join(f, "\t")
}

// TestTenantsMySQL runs the import flow against the MySQL/MariaDB server
// named by YIWANG_TEST_MYSQL, through --db mysql://….
func TestTenantsMySQL(t *testing.T) {
	clearEnv(t)
	dsn := mysqlDatabase(t)
	data := t.TempDir()
	db := []string{"--db", dsn, "--data", data}

	importAndList(t, db...)
	mustRun(t, append([]string{"tenants", "archive", "rsj"}, db...)...)
	if got := list(t, db...)["rsj"].status; got != "archived" {
		t.Errorf("list after archive: rsj is %q", got)
	}
	mustRun(t, append([]string{"tenants", "restore", "rsj"}, db...)...)
	mustRun(t, append([]string{"tenants", "create", "--code", "test1", "--name", "测试单位", "--kind", "other", "--domains", "Test1.Example.CN,t1.example.cn"}, db...)...)
	if got := list(t, db...)["test1"]; got.status != "active" || got.domains != "test1.example.cn,t1.example.cn" {
		t.Errorf("list after create: test1 row %+v", got)
	}
	r := run(t, append([]string{"tenants", "create", "--code", "test1", "--name", "重复"}, db...)...)
	if r.code != 1 || !strings.Contains(r.stderr, "站点代码“test1”已被使用") {
		t.Errorf("duplicate create on MySQL: exit %d, stderr %q", r.code, r.stderr)
	}
	// The DSN is only for the database: nothing is written to --data.
	if _, err := os.Stat(filepath.Join(data, store.DefaultFile)); !os.IsNotExist(err) {
		t.Errorf("a MySQL run created %s (err %v)", store.DefaultFile, err)
	}

	// The same through YIWANG_DB.
	t.Setenv("YIWANG_DB", dsn)
	if got := len(list(t)); got != seedTenants+1 {
		t.Errorf("list through YIWANG_DB: %d tenants, want %d", got, seedTenants+1)
	}
}

// mysqlDatabase creates a database on the YIWANG_TEST_MYSQL server, dropped
// when the test ends, and returns its DSN for --db, credentials included.
func mysqlDatabase(t *testing.T) string {
	t.Helper()
	server := os.Getenv(storetest.EnvMySQL)
	if server == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI runs the MySQL path: set %s", storetest.EnvMySQL)
		}
		t.Skipf("MySQL path not tested: set %s, e.g. %s='root@tcp(127.0.0.1:3306)/'", storetest.EnvMySQL, storetest.EnvMySQL)
	}
	cfg, err := mysql.ParseDSN(server)
	if err != nil {
		t.Fatalf("%s=%q: %v", storetest.EnvMySQL, server, err)
	}
	cfg.DBName = ""
	adminDSN := cfg.FormatDSN()
	admin, err := sqlx.Open("mysql", adminDSN)
	if err != nil {
		t.Fatalf("%s=%q: %v", storetest.EnvMySQL, server, err)
	}
	defer admin.Close()
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "yiwang_clitest_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		t.Fatalf("MySQL at %s=%q is not reachable: %v", storetest.EnvMySQL, server, err)
	}
	t.Cleanup(func() {
		a, err := sqlx.Open("mysql", adminDSN)
		if err == nil {
			_, _ = a.Exec("DROP DATABASE IF EXISTS " + name)
			a.Close()
		}
	})
	cfg.DBName = name
	return "mysql://" + cfg.FormatDSN()
}
