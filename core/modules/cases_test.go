package modules_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"yiwang/core/modules"

	_ "yiwang/plugins/mailbox"
)

var letterNumber = regexp.MustCompile(`<dt>信件编号</dt><dd><strong>(XX\d{14})</strong>`)

// Host.Cases gathers a person's letters from the real mailbox process,
// with the module and tenant filled in; a module that stops answering is
// left out within the timeout and named, and the others still answer.
func TestCasesAcrossModules(t *testing.T) {
	f := newFixture(t, modules.Spec{Name: "topics"}, modules.Spec{Name: "mailbox"})
	ctx := context.Background()
	if err := f.st.Enable(ctx, "test", "portal", "mailbox", nil); err != nil {
		t.Fatal(err)
	}
	if err := f.host.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	var number string
	waitFor(t, 10*time.Second, "the mailbox to take a letter", func() bool {
		a := f.do(http.MethodPost, "/mailbox/write", url.Values{"box": {"county_head"}, "category": {"咨询"}, "subject": {"入学材料"},
			"content": {"想咨询孩子入学需要准备哪些材料。"}, "phone": {"13812345678"}}, map[string]string{"X-Test-User": "55", "Origin": f.url})
		if m := letterNumber.FindStringSubmatch(a.body); m != nil {
			number = m[1]
			return true
		}
		return false
	})

	cl, err := f.host.Cases(ctx, 55)
	if err != nil {
		t.Fatal(err)
	}
	if len(cl.Missing) != 0 || len(cl.Cases) != 1 {
		t.Fatalf("cases = %+v, want the one letter and no module missing", cl)
	}
	c := cl.Cases[0]
	if c.Module != "mailbox" || c.TenantID != f.ids["portal"] || c.Number != number || c.Kind != "信件" ||
		c.Title != "入学材料" || c.State != "待受理" || c.Closed || c.Path != "mailbox/my/"+number {
		t.Errorf("case = %+v", c)
	}
	if other, err := f.host.Cases(ctx, 56); err != nil || len(other.Cases) != 0 {
		t.Errorf("another person: %+v, %v", other, err)
	}

	// The mailbox stops answering (SIGSTOP: a hung process): the list
	// comes back within the timeout, without it, saying so.
	pid := f.host.PID("mailbox")
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGKILL) })
	// The signal takes effect when the process next enters the kernel:
	// wait until it is stopped, or it may still answer.
	waitFor(t, 5*time.Second, "the mailbox to stop", func() bool { return stopped(pid) })
	start := time.Now()
	cl, err = f.host.Cases(ctx, 55)
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("a hung module held the list %v", took)
	}
	if err != nil || len(cl.Cases) != 0 || len(cl.Missing) != 1 || !strings.Contains(cl.Missing[0], "信") {
		t.Errorf("with the mailbox hung: %+v, %v; want it named as missing", cl, err)
	}
}

// stopped reports whether process pid is stopped by a signal (Linux:
// state T in /proc/pid/stat; elsewhere it is taken as stopped).
func stopped(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i > 0 && i+2 < len(s) && s[i+2] == 'T'
}
