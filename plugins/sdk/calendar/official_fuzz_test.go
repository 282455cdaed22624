package calendar

import (
	"fmt"
	"strings"
	"testing"
)

// A holiday file either parses into entries of the years it declares,
// each date once, which print back into a file that parses the same; or
// it is refused with an error naming its line.
func FuzzParseTSV(f *testing.F) {
	f.Add("# 2026\n2026-02-15\toff\t春节\t国办发明电〔2025〕7号\n2026-02-14\twork\t春节\t国办发明电〔2025〕7号\n")
	f.Add("2026-13-01\toff\t春节\n")
	f.Add("2026-02-15\toff\n")
	f.Add("2026-02-15\toff\t春节\n2026-02-15\twork\t春节\n")
	f.Add("\r\n\t\t\t\n2025-10-01\tOFF\t国庆\n")
	f.Fuzz(func(t *testing.T, in string) {
		l, err := ParseTSV(strings.NewReader(in), "fuzz.tsv")
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.tsv") {
				t.Fatalf("error without the file's name: %v", err)
			}
			return
		}
		years := map[int]bool{}
		for _, y := range l.Years {
			years[y] = true
		}
		seen := map[Date]bool{}
		var b strings.Builder
		for _, e := range l.Entries {
			if !years[e.Date.Year] || seen[e.Date] {
				t.Fatalf("entry %+v: year not declared or date twice (%v)", e, l.Years)
			}
			seen[e.Date] = true
			kind := "work"
			if e.Off {
				kind = "off"
			}
			fmt.Fprintf(&b, "%s\t%s\t%s\t\n", e.Date, kind, e.Holiday)
		}
		if len(l.Entries) == 0 {
			return
		}
		again, err := ParseTSV(strings.NewReader(b.String()), "again.tsv")
		if err != nil || len(again.Entries) != len(l.Entries) {
			t.Fatalf("printed back %q: %v, %d entries of %d", b.String(), err, len(again.Entries), len(l.Entries))
		}
		for i := range again.Entries {
			if again.Entries[i].Date != l.Entries[i].Date || again.Entries[i].Off != l.Entries[i].Off {
				t.Fatalf("entry %d: %+v, printed back %+v", i, l.Entries[i], again.Entries[i])
			}
		}
	})
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-02-15", " 2026-02-29", "2026-2-1", "0000-01-01", "9999-12-31\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		d, err := ParseDate(in)
		if err != nil {
			return
		}
		if back, err := ParseDate(d.String()); err != nil || back != d {
			t.Fatalf("ParseDate(%q) = %v, printed %q parses as %v (%v)", in, d, d.String(), back, err)
		}
	})
}
