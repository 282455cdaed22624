// Package calendar does working-day arithmetic for legal deadlines
// (mailbox letters: 3 or 7 working days; disclosure requests: 20). Working
// days follow the State Council's yearly holiday notice, make-up working
// weekends (调休) included.
//
// The calendar knows only the years it has been given: the official notices
// shipped in cn-holidays.tsv, and whatever layers are put over them (the
// county office's own corrections, which the host keeps in its database,
// see core/calendar). A calculation that reaches a year no layer covers fails with a
// YearMissingError instead of guessing: a deadline computed on an unknown
// year's holidays would be wrong by days, and silently.
package calendar

import (
	_ "embed"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Location is the time zone dates are taken in: a letter received at
// 23:30 UTC on 1 March arrived on 2 March in the county.
var Location = time.FixedZone("CST", 8*3600)

// Date is a civil date, free of time zones. It is comparable.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// NewDate returns the date y-m-d, normalised (2026-02-30 is 2026-03-02).
func NewDate(y int, m time.Month, d int) Date {
	return dateOfUTC(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
}

// DateOf returns the date t falls on in the county (Beijing time).
func DateOf(t time.Time) Date {
	y, m, d := t.In(Location).Date()
	return Date{y, m, d}
}

// ParseDate reads YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse("2006-01-02", strings.TrimSpace(s))
	if err != nil {
		return Date{}, fmt.Errorf("日期“%s”格式不对，应为 YYYY-MM-DD：%w", s, err)
	}
	return dateOfUTC(t), nil
}

func dateOfUTC(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

func (d Date) time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// String is YYYY-MM-DD.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// Chinese is 2026年2月14日.
func (d Date) Chinese() string { return fmt.Sprintf("%d年%d月%d日", d.Year, int(d.Month), d.Day) }

// Weekday of the date.
func (d Date) Weekday() time.Weekday { return d.time().Weekday() }

// AddDays returns the date n calendar days later (earlier when n < 0).
func (d Date) AddDays(n int) Date { return dateOfUTC(d.time().AddDate(0, 0, n)) }

// Before reports whether d comes before o.
func (d Date) Before(o Date) bool { return d.time().Before(o.time()) }

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

var weekdayNames = [...]string{"星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"}

// WeekdayName is 星期一 … 星期日.
func WeekdayName(w time.Weekday) string { return weekdayNames[w] }

// Kind is what a day is for counting.
type Kind string

const (
	Workday Kind = "workday" // an ordinary Monday to Friday
	Weekend Kind = "weekend" // Saturday or Sunday, a rest day
	Holiday Kind = "holiday" // a public holiday (or a weekday off in its bridge)
	Makeup  Kind = "makeup"  // a weekend day that is a working day (调休上班)
)

// Working reports whether a day of kind k counts toward a deadline.
func (k Kind) Working() bool { return k == Workday || k == Makeup }

// Entry is one listed date of a layer: a day off or a make-up working day.
type Entry struct {
	Date    Date
	Off     bool   // true: a holiday; false: a working day (make-up weekend day)
	Holiday string // 春节, 国庆节 …
	Source  string // the notice it comes from
}

// Layer is a set of listed dates and the years it fully describes. The
// official notices are one layer; the county office's corrections (a
// later release keeps them in the database) are another, laid over it.
type Layer struct {
	Name string
	// Years this layer declares complete: a year is known to the calendar
	// only when some layer says so, however many entries mention it.
	Years   []int
	Entries []Entry
}

// Calendar answers which days are working days. It is immutable and safe
// for concurrent use; With returns a new one.
type Calendar struct {
	years map[int]string // year → name of the layer that covers it
	days  map[Date]Entry
}

// New builds a calendar from layers; a later layer's entry replaces an
// earlier one's for the same date.
func New(layers ...Layer) (*Calendar, error) {
	c := &Calendar{years: map[int]string{}, days: map[Date]Entry{}}
	for _, l := range layers {
		if err := c.add(l); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// With returns a copy of c with l laid over it.
func (c *Calendar) With(l Layer) (*Calendar, error) {
	n := &Calendar{years: make(map[int]string, len(c.years)), days: make(map[Date]Entry, len(c.days))}
	for y, s := range c.years {
		n.years[y] = s
	}
	for d, e := range c.days {
		n.days[d] = e
	}
	if err := n.add(l); err != nil {
		return nil, err
	}
	return n, nil
}

func (c *Calendar) add(l Layer) error {
	for _, e := range l.Entries {
		wd := e.Date.Weekday()
		weekend := wd == time.Saturday || wd == time.Sunday
		if !e.Off && !weekend {
			// A "working day" on a weekday changes nothing: almost surely
			// a typing error in the date, which would go unnoticed.
			return fmt.Errorf("%s：%s（%s）本来就是工作日，不能列为调休上班日", l.Name, e.Date, WeekdayName(wd))
		}
		c.days[e.Date] = e
	}
	for _, y := range l.Years {
		c.years[y] = l.Name
	}
	return nil
}

// Years returns the years the calendar covers, in order.
func (c *Calendar) Years() []int {
	ys := make([]int, 0, len(c.years))
	for y := range c.years {
		ys = append(ys, y)
	}
	sort.Ints(ys)
	return ys
}

// ErrYearMissing is matched by every YearMissingError.
var ErrYearMissing = errors.New("calendar: year not covered")

// YearMissingError says the calendar has no holiday notice for a year.
type YearMissingError struct{ Year int }

func (e *YearMissingError) Error() string {
	return fmt.Sprintf("工作日历缺少%d年的节假日安排，无法计算期限：请县政府办公室按国务院办公厅%d年部分节假日安排的通知补充该年度的放假和调休日期", e.Year, e.Year)
}

// Is makes errors.Is(err, ErrYearMissing) true.
func (e *YearMissingError) Is(target error) bool { return target == ErrYearMissing }

// Day is what the calendar says of one date.
type Day struct {
	Date    Date
	Kind    Kind
	Holiday string // for Holiday and Makeup days
}

// Day classifies d, or fails when d's year is not covered.
func (c *Calendar) Day(d Date) (Day, error) {
	if _, ok := c.years[d.Year]; !ok {
		return Day{}, &YearMissingError{Year: d.Year}
	}
	if e, ok := c.days[d]; ok {
		if e.Off {
			return Day{Date: d, Kind: Holiday, Holiday: e.Holiday}, nil
		}
		return Day{Date: d, Kind: Makeup, Holiday: e.Holiday}, nil
	}
	if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return Day{Date: d, Kind: Weekend}, nil
	}
	return Day{Date: d, Kind: Workday}, nil
}

// IsWorkingDay reports whether d is a working day.
func (c *Calendar) IsWorkingDay(d Date) (bool, error) {
	day, err := c.Day(d)
	return day.Kind.Working(), err
}

// Result is a computed span of working days with what it passed over, so
// that a deadline can be explained to the person who has to meet it.
type Result struct {
	From Date // the start, not counted
	To   Date // the deadline (AddWorkingDays) or the end (WorkingDaysBetween)
	Days int  // working days after From up to and including To
	// Skipped are the rest days passed over (weekends and holidays), in order.
	Skipped []Day
	// Makeup are the make-up working days counted, in order.
	Makeup []Day
}

// maxSpan bounds a calculation: no legal deadline is longer than a year
// of working days, and a bound keeps a bad input from looping.
const maxSpan = 400

// AddWorkingDays returns the n-th working day after from. As the Civil
// Code counts periods (第二百零一条), the day the period starts is not
// counted: a letter received on Thursday with 1 working day is due on
// Friday. n = 0 gives from itself.
func (c *Calendar) AddWorkingDays(from Date, n int) (*Result, error) {
	if n < 0 {
		return nil, fmt.Errorf("工作日天数不能为负数（%d）", n)
	}
	if n > maxSpan {
		return nil, fmt.Errorf("工作日天数 %d 超过上限 %d", n, maxSpan)
	}
	r := &Result{From: from, To: from}
	for d := from; r.Days < n; {
		d = d.AddDays(1)
		day, err := c.Day(d)
		if err != nil {
			return nil, err
		}
		r.note(day)
		r.To = d
	}
	return r, nil
}

// WorkingDaysBetween counts the working days after from up to and
// including to: the inverse of AddWorkingDays, so that
// WorkingDaysBetween(f, AddWorkingDays(f, n).To).Days == n. When to comes
// before from the count is negative.
func (c *Calendar) WorkingDaysBetween(from, to Date) (*Result, error) {
	sign := 1
	lo, hi := from, to
	if to.Before(from) {
		sign, lo, hi = -1, to, from
	}
	if hi.time().Sub(lo.time()) > maxSpan*2*24*time.Hour {
		return nil, fmt.Errorf("日期跨度过大（%s 至 %s）", lo, hi)
	}
	r := &Result{From: from, To: to}
	for d := lo; d.Before(hi); {
		d = d.AddDays(1)
		day, err := c.Day(d)
		if err != nil {
			return nil, err
		}
		r.note(day)
	}
	r.Days *= sign
	return r, nil
}

func (r *Result) note(day Day) {
	switch day.Kind {
	case Workday:
		r.Days++
	case Makeup:
		r.Days++
		r.Makeup = append(r.Makeup, day)
	default:
		r.Skipped = append(r.Skipped, day)
	}
}

// Explain says in Chinese how the result was computed: the start (not
// counted), the rest days skipped in runs, the make-up days counted, and
// the end.
func (r *Result) Explain() string {
	var b strings.Builder
	fmt.Fprintf(&b, "自%s（%s）起算，当日不计入；", r.From.Chinese(), WeekdayName(r.From.Weekday()))
	days := r.Days
	if days < 0 {
		days = -days
	}
	fmt.Fprintf(&b, "至%s（%s）共%d个工作日。", r.To.Chinese(), WeekdayName(r.To.Weekday()), days)
	if runs := runsOf(r.Skipped); len(runs) > 0 {
		b.WriteString("跳过休息日：")
		b.WriteString(strings.Join(runs, "；"))
		b.WriteString("。")
	}
	if len(r.Makeup) > 0 {
		var ms []string
		for _, d := range r.Makeup {
			ms = append(ms, fmt.Sprintf("%s（%s，%s调休上班）", d.Date.Chinese(), WeekdayName(d.Date.Weekday()), d.Holiday))
		}
		b.WriteString("计入调休上班日：")
		b.WriteString(strings.Join(ms, "、"))
		b.WriteString("。")
	}
	return b.String()
}

// runsOf groups consecutive rest days of the same reason: "2026年2月15日
// 至2月23日 春节假期（9天）".
func runsOf(days []Day) []string {
	var out []string
	for i := 0; i < len(days); {
		j := i
		for j+1 < len(days) && days[j+1].Date == days[j].Date.AddDays(1) && reason(days[j+1]) == reason(days[i]) {
			j++
		}
		first, last := days[i].Date, days[j].Date
		if i == j {
			out = append(out, fmt.Sprintf("%s%s", first.Chinese(), reason(days[i])))
		} else {
			end := fmt.Sprintf("%d月%d日", int(last.Month), last.Day)
			if last.Year != first.Year {
				end = last.Chinese()
			}
			out = append(out, fmt.Sprintf("%s至%s%s（%d天）", first.Chinese(), end, reason(days[i]), j-i+1))
		}
		i = j + 1
	}
	return out
}

func reason(d Day) string {
	if d.Kind == Holiday {
		return d.Holiday + "假期"
	}
	return "周末"
}
