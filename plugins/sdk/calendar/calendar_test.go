package calendar

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func d(s string) Date {
	v, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return v
}

func TestDayKinds(t *testing.T) {
	c := Official()
	for _, tc := range []struct {
		date    string
		kind    Kind
		holiday string
	}{
		{"2026-02-12", Workday, ""},  // Thursday
		{"2026-02-14", Makeup, "春节"}, // Saturday, a working day
		{"2026-02-15", Holiday, "春节"},
		{"2026-02-23", Holiday, "春节"}, // Monday off
		{"2026-02-24", Workday, ""},
		{"2026-02-28", Makeup, "春节"},
		{"2026-03-01", Weekend, ""},
		{"2026-01-04", Makeup, "元旦"},
		{"2025-10-08", Holiday, "国庆节、中秋节"},
		{"2025-10-11", Makeup, "国庆节、中秋节"},
		{"2025-12-31", Workday, ""},
	} {
		got, err := c.Day(d(tc.date))
		if err != nil {
			t.Fatalf("%s: %v", tc.date, err)
		}
		if got.Kind != tc.kind || got.Holiday != tc.holiday {
			t.Errorf("%s: got %s %q, want %s %q", tc.date, got.Kind, got.Holiday, tc.kind, tc.holiday)
		}
	}
}

func TestAddWorkingDays(t *testing.T) {
	c := Official()
	for _, tc := range []struct {
		name     string
		from     string
		n        int
		want     string
		skipped  int // rest days passed over
		makeups  int
		explains []string
	}{
		{"zero is the start itself", "2026-02-12", 0, "2026-02-12", 0, 0, nil},
		{"next day", "2026-02-12", 1, "2026-02-13", 0, 0, nil},
		{"make-up Saturday counts", "2026-02-12", 2, "2026-02-14", 0, 1, []string{"2026年2月14日（星期六，春节调休上班）"}},
		{"consultation across Spring Festival", "2026-02-12", 3, "2026-02-24", 9, 1,
			[]string{"2026年2月15日至2月23日春节假期（9天）", "至2026年2月24日（星期二）共3个工作日"}},
		{"received on Friday before the festival", "2026-02-13", 3, "2026-02-25", 9, 1, nil},
		{"received on the make-up Saturday", "2026-02-14", 3, "2026-02-26", 9, 0, nil},
		{"received during the holiday", "2026-02-20", 1, "2026-02-24", 3, 0, nil},
		{"other letters, 7 days", "2026-02-10", 7, "2026-02-26", 9, 1, nil},
		{"second make-up Saturday", "2026-02-25", 3, "2026-02-28", 0, 1, nil},
		{"disclosure, 20 days", "2026-02-02", 20, "2026-03-06", 12, 2, []string{"2026年2月7日至2月8日周末（2天）"}},
		{"across the new year", "2025-12-30", 3, "2026-01-05", 3, 1,
			[]string{"2026年1月1日至1月3日元旦假期（3天）", "2026年1月4日（星期日，元旦调休上班）"}},
		{"national day 2025", "2025-09-30", 1, "2025-10-09", 8, 0, nil},
		{"start day in an uncovered year is not examined", "2024-12-31", 1, "2025-01-02", 1, 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := c.AddWorkingDays(d(tc.from), tc.n)
			if err != nil {
				t.Fatal(err)
			}
			if r.To.String() != tc.want || r.Days != tc.n {
				t.Fatalf("AddWorkingDays(%s, %d) = %s (%d days), want %s", tc.from, tc.n, r.To, r.Days, tc.want)
			}
			if len(r.Skipped) != tc.skipped || len(r.Makeup) != tc.makeups {
				t.Errorf("skipped %d, make-up %d; want %d, %d", len(r.Skipped), len(r.Makeup), tc.skipped, tc.makeups)
			}
			ex := r.Explain()
			for _, want := range tc.explains {
				if !strings.Contains(ex, want) {
					t.Errorf("explanation lacks %q:\n%s", want, ex)
				}
			}
			back, err := c.WorkingDaysBetween(d(tc.from), r.To)
			if err != nil || back.Days != tc.n {
				t.Errorf("WorkingDaysBetween(%s, %s) = %v, %v; want %d", tc.from, r.To, back, err, tc.n)
			}
		})
	}
}

func TestMissingYear(t *testing.T) {
	c := Official()
	for _, tc := range []struct {
		from string
		n    int
		year int
	}{
		{"2026-12-29", 5, 2027},
		{"2024-12-30", 1, 2024},
		{"2031-05-06", 1, 2031},
	} {
		_, err := c.AddWorkingDays(d(tc.from), tc.n)
		var ym *YearMissingError
		if !errors.As(err, &ym) || ym.Year != tc.year || !errors.Is(err, ErrYearMissing) {
			t.Fatalf("AddWorkingDays(%s, %d): err %v, want the year %d missing", tc.from, tc.n, err, tc.year)
		}
		if !strings.Contains(err.Error(), "县政府办公室") || !strings.Contains(err.Error(), "补充") {
			t.Errorf("message does not tell who must add the year: %s", err)
		}
	}
	if _, err := c.WorkingDaysBetween(d("2026-12-20"), d("2027-01-10")); !errors.Is(err, ErrYearMissing) {
		t.Errorf("WorkingDaysBetween into 2027: %v", err)
	}
	if got := c.Years(); len(got) != 2 || got[0] != 2025 || got[1] != 2026 {
		t.Errorf("Years() = %v, want [2025 2026]", got)
	}
}

// The inverse property holds for every start day and span of the shipped
// years: counting back what was added gives the same number.
func TestBetweenIsInverse(t *testing.T) {
	c := Official()
	for from := d("2025-01-01"); from.Before(d("2026-11-01")); from = from.AddDays(1) {
		for _, n := range []int{1, 3, 7, 20} {
			r, err := c.AddWorkingDays(from, n)
			if err != nil {
				t.Fatalf("%s + %d: %v", from, n, err)
			}
			if ok, _ := c.IsWorkingDay(r.To); !ok {
				t.Fatalf("%s + %d = %s, not a working day", from, n, r.To)
			}
			b, err := c.WorkingDaysBetween(from, r.To)
			if err != nil || b.Days != n {
				t.Fatalf("between %s and %s: %v %v, want %d", from, r.To, b, err, n)
			}
			rev, _ := c.WorkingDaysBetween(r.To, from)
			if rev.Days != -n {
				t.Fatalf("between %s and %s backwards: %d, want %d", r.To, from, rev.Days, -n)
			}
		}
	}
}

func TestLayers(t *testing.T) {
	base := Official()
	// The county office adds 2027 before the official file is updated,
	// and a local correction moves a day.
	county := Layer{Name: "县政府办公室", Years: []int{2027}, Entries: []Entry{
		{Date: d("2027-01-01"), Off: true, Holiday: "元旦"},
		{Date: d("2026-03-02"), Off: true, Holiday: "测试调整"},
	}}
	c, err := base.With(county)
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.AddWorkingDays(d("2026-12-30"), 2)
	if err != nil {
		t.Fatal(err)
	}
	if r.To.String() != "2027-01-04" { // 12-31, (01-01 off, 02-03 weekend), 01-04
		t.Errorf("with 2027 layered: %s", r.To)
	}
	if day, _ := c.Day(d("2026-03-02")); day.Kind != Holiday {
		t.Errorf("override not applied: %v", day)
	}
	if day, _ := base.Day(d("2026-03-02")); day.Kind != Workday {
		t.Errorf("With changed the base calendar: %v", day)
	}
	if _, err := base.With(Layer{Name: "bad", Entries: []Entry{{Date: d("2026-03-03")}}}); err == nil {
		t.Error("a make-up working day on a Tuesday was accepted")
	}
}

func TestParseTSV(t *testing.T) {
	for _, tc := range []struct {
		name, in, err string
	}{
		{"ok", "# c\n2027-01-01\toff\t元旦\tX\n", ""},
		{"bad kind", "2027-01-01\tholiday\t元旦\n", "类型应为"},
		{"bad date", "2027-13-01\toff\t元旦\n", "格式不对"},
		{"too few columns", "2027-01-01\toff\n", "至少需要"},
		{"duplicate", "2027-01-01\toff\t元旦\n2027-01-01\toff\t元旦\n", "重复"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := ParseTSV(strings.NewReader(tc.in), "t")
			if tc.err == "" {
				if err != nil || len(l.Years) != 1 || l.Years[0] != 2027 {
					t.Fatalf("%v %v", l, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("err %v, want %q", err, tc.err)
			}
		})
	}
}

func TestDateOf(t *testing.T) {
	// 23:30 UTC on 1 March is 2 March in the county.
	if got := DateOf(time.Date(2026, 3, 1, 23, 30, 0, 0, time.UTC)); got.String() != "2026-03-02" {
		t.Errorf("DateOf = %s", got)
	}
	if _, err := Official().AddWorkingDays(d("2026-02-12"), -1); err == nil {
		t.Error("negative days accepted")
	}
}
