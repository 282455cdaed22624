package calendar

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
)

// officialTSV is a copy of the State Council's notices for the years the
// platform ships with (shared/data/cn-holidays.tsv). A new year is added
// here, from the notice, when the State Council publishes it (usually in
// November); until then the county office adds it as its own layer.
//
//go:embed cn-holidays.tsv
var officialTSV []byte

// OfficialName names the shipped layer in explanations and errors.
const OfficialName = "国务院办公厅节假日安排通知"

var (
	officialOnce sync.Once
	official     *Calendar
)

// Official returns the calendar of the shipped notices. The file is part
// of the binary and tested, so a parse failure is a build defect: it
// panics.
func Official() *Calendar {
	officialOnce.Do(func() {
		l, err := ParseTSV(bytes.NewReader(officialTSV), OfficialName)
		if err != nil {
			panic(fmt.Sprintf("calendar: embedded cn-holidays.tsv: %v", err))
		}
		if official, err = New(l); err != nil {
			panic(fmt.Sprintf("calendar: embedded cn-holidays.tsv: %v", err))
		}
	})
	return official
}

// ParseTSV reads a holiday file: lines "date<TAB>off|work<TAB>holiday<TAB>source",
// "#" comments. Every year that appears in the file is declared complete:
// a file holds whole notices.
func ParseTSV(r io.Reader, name string) (Layer, error) {
	l := Layer{Name: name}
	years := map[int]bool{}
	seen := map[Date]int{}
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) < 3 {
			return l, fmt.Errorf("%s 第%d行：至少需要日期、类型、节日三列（以制表符分隔）", name, n)
		}
		d, err := ParseDate(f[0])
		if err != nil {
			return l, fmt.Errorf("%s 第%d行：%w", name, n, err)
		}
		if prev, dup := seen[d]; dup {
			return l, fmt.Errorf("%s 第%d行：%s 与第%d行重复", name, n, d, prev)
		}
		seen[d] = n
		e := Entry{Date: d, Holiday: strings.TrimSpace(f[2])}
		switch strings.TrimSpace(f[1]) {
		case "off":
			e.Off = true
		case "work":
		default:
			return l, fmt.Errorf("%s 第%d行：类型应为 off（放假）或 work（调休上班），不是“%s”", name, n, f[1])
		}
		if len(f) > 3 {
			e.Source = strings.TrimSpace(f[3])
		}
		l.Entries = append(l.Entries, e)
		years[d.Year] = true
	}
	if err := sc.Err(); err != nil {
		return l, fmt.Errorf("%s: %w", name, err)
	}
	for y := range years {
		l.Years = append(l.Years, y)
	}
	sort.Ints(l.Years)
	return l, nil
}
