package cli_test

import (
	"strings"
	"testing"
)

func TestCalendarCommands(t *testing.T) {
	data := t.TempDir()
	r := mustRun(t, "calendar", "list", "--data", data)
	if !strings.Contains(r.stdout, "[2025 2026]") {
		t.Fatalf("calendar list on a new platform: %q, want the official years 2025 and 2026", r.stdout)
	}
	mustRun(t, "calendar", "set", "2026-03-04", "off", "--holiday", "临时停工", "--source", "思府办发〔2026〕1号", "--data", data)
	if r = mustRun(t, "calendar", "list", "--year", "2026", "--data", data); !strings.Contains(r.stdout, "2026-03-04") || !strings.Contains(r.stdout, "思府办发〔2026〕1号") {
		t.Fatalf("the correction is not listed: %q", r.stdout)
	}
	if r = run(t, "calendar", "set", "2026-03-05", "work", "--source", "x", "--data", data); r.code != 1 || !strings.Contains(r.stderr, "本来就是工作日") {
		t.Errorf("a weekday as make-up day: exit %d, stderr %q", r.code, r.stderr)
	}
	if r = run(t, "calendar", "set", "2026-3-5", "off", "--source", "x", "--data", data); r.code != 2 {
		t.Errorf("a malformed date: exit %d, want 2", r.code)
	}
	mustRun(t, "calendar", "clear", "2026-03-04", "--data", data)
	mustRun(t, "calendar", "add-year", "2027", "--source", "国务院办公厅关于2027年部分节假日安排的通知", "--data", data)
	if r = mustRun(t, "calendar", "list", "--data", data); !strings.Contains(r.stdout, "[2025 2026 2027]") {
		t.Errorf("after add-year: %q", r.stdout)
	}
}
