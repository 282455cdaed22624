package calendar_test

import (
	"context"
	"errors"
	"testing"

	"yiwang/core"
	"yiwang/core/audit"
	"yiwang/core/calendar"
	"yiwang/core/store"
	"yiwang/core/store/storetest"
)

func TestCountyCorrectionsChangeTheCalendarInForce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		cs := calendar.NewStore(db)
		cs.TTL = 0
		from := calendar.NewDate(2026, 3, 2) // a Monday
		before, err := cs.Current(ctx)
		if err != nil {
			t.Fatal(err)
		}
		r, err := before.AddWorkingDays(from, 3)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.To.String(); got != "2026-03-05" {
			t.Fatalf("3 working days from Monday 2026-03-02 = %s before any correction, want 2026-03-05", got)
		}

		// A local day off on Wednesday pushes the deadline by one day.
		if err := cs.SetDay(ctx, "cli:test", calendar.NewDate(2026, 3, 4), true, "临时停工", "思府办发〔2026〕1号"); err != nil {
			t.Fatal(err)
		}
		after, _ := cs.Current(ctx)
		if r, _ = after.AddWorkingDays(from, 3); r.To.String() != "2026-03-06" {
			t.Fatalf("after a county day off on 03-04: due %s, want 2026-03-06", r.To)
		}
		if err := cs.ClearDay(ctx, "cli:test", calendar.NewDate(2026, 3, 4)); err != nil {
			t.Fatal(err)
		}
		cleared, _ := cs.Current(ctx)
		if r, _ = cleared.AddWorkingDays(from, 3); r.To.String() != "2026-03-05" {
			t.Fatalf("after clearing the correction: due %s, want 2026-03-05", r.To)
		}

		// 2027 is unknown until the county office adds it.
		if _, err := cleared.AddWorkingDays(calendar.NewDate(2027, 3, 1), 3); !errors.Is(err, calendar.ErrYearMissing) {
			t.Fatalf("2027 before add-year: %v, want ErrYearMissing", err)
		}
		if err := cs.AddYear(ctx, "cli:test", 2027, "国务院办公厅关于2027年部分节假日安排的通知"); err != nil {
			t.Fatal(err)
		}
		y27, _ := cs.Current(ctx)
		if _, err := y27.AddWorkingDays(calendar.NewDate(2027, 3, 1), 3); err != nil {
			t.Fatalf("2027 after add-year: %v", err)
		}

		entries, err := audit.List(ctx, db, audit.Filter{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		actions := map[string]bool{}
		for _, e := range entries {
			actions[e.Action] = true
		}
		for _, a := range []string{"calendar.set", "calendar.clear", "calendar.year"} {
			if !actions[a] {
				t.Errorf("audit log lacks %s", a)
			}
		}
	})
}

func TestCountyCorrectionsAreChecked(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	cs := calendar.NewStore(db)
	cases := []struct {
		name string
		err  error
	}{
		{"a weekday listed as a make-up working day", cs.SetDay(ctx, "t", calendar.NewDate(2026, 3, 4), false, "", "依据")},
		{"no source", cs.SetDay(ctx, "t", calendar.NewDate(2026, 3, 4), true, "", "")},
		{"clearing a day never corrected", cs.ClearDay(ctx, "t", calendar.NewDate(2026, 3, 4))},
		{"a year out of range", cs.AddYear(ctx, "t", 1899, "依据")},
	}
	for _, c := range cases {
		if c.err == nil || core.ErrorCode(c.err) == core.EINTERNAL {
			t.Errorf("%s: %v, want a coded refusal", c.name, c.err)
		}
	}
	l, _ := cs.Layer(ctx)
	if len(l.Entries) != 0 || len(l.Years) != 0 {
		t.Fatalf("refused corrections were stored: %+v", l)
	}
}
