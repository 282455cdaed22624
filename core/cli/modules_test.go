package cli_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestModulesCommands(t *testing.T) {
	clearEnv(t)
	data := t.TempDir()
	mustRun(t, "tenants", "import", seedFile, "--data", data)

	mustRun(t, "modules", "enable", "jyj", "topics", "--data", data, "--settings", `{"title":"教育专题"}`)
	mustRun(t, "modules", "enable", "rsj", "topics", "--data", data)
	mustRun(t, "modules", "disable", "rsj", "topics", "--data", data)
	out := mustRun(t, "modules", "list", "--data", data).stdout
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^jyj\s+topics\s+enabled\s+\{"title":"教育专题"\}`),
		regexp.MustCompile(`(?m)^rsj\s+topics\s+disabled\s+\{\}`),
	} {
		if !want.MatchString(out) {
			t.Errorf("modules list lacks %s:\n%s", want, out)
		}
	}
	if only := mustRun(t, "modules", "list", "--tenant", "jyj", "--data", data).stdout; strings.Contains(only, "rsj") {
		t.Errorf("--tenant jyj lists rsj:\n%s", only)
	}

	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"modules", "enable", "jyj", "nosuchmod"}, 2, "没有模块“nosuchmod”"},
		{[]string{"modules", "enable", "jyj"}, 2, "用法"},
		{[]string{"modules", "enable", "nosuch", "topics"}, 1, "nosuch"},
		{[]string{"modules", "enable", "jyj", "topics", "--settings", "{oops"}, 1, "JSON"},
		{[]string{"modules", "disable", "gsj", "topics"}, 1, "没有启用过"},
		{[]string{"modules", "frob"}, 2, "未知子命令"},
		{[]string{"plugin"}, 2, "topics"},
		{[]string{"plugin", "nosuch"}, 2, "没有内置模块"},
		{[]string{"plugins", "list", "--plugin", "x=1"}, 2, "NAME=SHA256"},
	} {
		args := tc.args
		if tc.args[0] != "plugin" {
			args = append(args, "--data", data)
		}
		r := run(t, args...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.msg) {
			t.Errorf("yiwang %s: exit %d, stderr %q; want %d with %q", strings.Join(tc.args, " "), r.code, r.stderr, tc.code, tc.msg)
		}
	}

	pl := mustRun(t, "plugins", "list", "--data", data).stdout
	if !regexp.MustCompile(`(?m)^topics\s+1\.0\.0\s+built-in\s+not running \(no server reporting\)\s+-\s+-\s+jyj$`).MatchString(pl) {
		t.Errorf("plugins list:\n%s", pl)
	}
}

// The real binary serves the topics module from `yiwang plugin topics`,
// enabled for the portal on first start; the CLI enables it for another
// tenant while the server runs; a killed plugin comes back; stopping the
// server leaves no plugin behind.
func TestServeRunsModulePlugins(t *testing.T) {
	clearEnv(t)
	data := t.TempDir()
	s := startServe(t, data, "--demo=false")
	s.waitHealthy(60 * time.Second)

	home := s.mustGet("/", 200)
	if !strings.Contains(home, `<a href="/topics/">专题专栏</a>`) {
		t.Errorf("portal nav has no 专题专栏 entry")
	}
	if body := s.mustGet("/topics/", 200); !strings.Contains(body, "本站暂无专题") || !strings.Contains(body, "<title>专题专栏</title>") {
		t.Errorf("portal topics page:\n%.500s", body)
	}
	s.mustGet("/site/rsj/topics/", 404)
	if strings.Contains(s.mustGet("/site/rsj/", 200), ">专题专栏</a>") {
		t.Error("rsj shows a module it does not enable")
	}

	if code, _, stderr := runBinary(t, "modules", "enable", "rsj", "topics", "--data", data); code != 0 {
		t.Fatalf("modules enable: %d %s", code, stderr)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, _, _, _ := s.get("/site/rsj/topics/")
		if code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the CLI's enable did not reach the running server: %d", code)
		}
		time.Sleep(200 * time.Millisecond)
	}

	_, out, _ := runBinary(t, "plugins", "list", "--data", data)
	m := regexp.MustCompile(`(?m)^topics\s+1\.0\.0\s+built-in\s+running\s+(\d+)\s+0\s+portal,rsj$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("plugins list while serving:\n%s", out)
	}
	pid, _ := strconv.Atoi(m[1])
	if cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); !strings.Contains(string(cmdline), "plugin\x00topics") {
		t.Errorf("pid %d is not `yiwang plugin topics`: %q", pid, cmdline)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(10 * time.Second)
	for {
		code, _, _, _ := s.get("/topics/")
		if code == 200 {
			break
		}
		if code != 503 || time.Now().After(deadline) {
			t.Fatalf("after kill -9 of the plugin: %d", code)
		}
		time.Sleep(100 * time.Millisecond)
	}
	s.mustGet("/", 200)

	s.stop()
	time.Sleep(200 * time.Millisecond)
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		b, _ := os.ReadFile(p)
		if strings.Contains(string(b), "--data\x00"+data) || (strings.Contains(string(b), "plugin\x00topics") && strings.Contains(string(b), filepath.Dir(binPath))) {
			st, _ := os.ReadFile(strings.TrimSuffix(p, "cmdline") + "stat")
			if !regexp.MustCompile(`\) [ZX] `).Match(st) {
				t.Errorf("process left after the server stopped: %s %q", p, b)
			}
		}
	}
}
