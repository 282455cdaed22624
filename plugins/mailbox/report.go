package mailbox

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"time"

	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/calendar"
)

// DeptRow is one department's line of a monthly report.
type DeptRow struct {
	Dept                                        string
	Received, Closed, OnTime, Overdue, Extended int
	AvgDays                                     string // average working days from acceptance to reply
	Satisfaction                                string // share of 满意 and 基本满意 among rated replies
	daysSum, daysN, rated, satisfied            int
}

// Report is a mailbox's monthly report.
type Report struct {
	Box, BoxTitle, Month string
	Rows                 []*DeptRow
	Categories           []CategoryCount
	Chart                *chartView
	Months               []string
	Boxes                []Mailbox
}

// CategoryCount is the number of letters of a category.
type CategoryCount struct {
	Category string
	Count    int
}

// monthReport computes the report of a tenant's mailbox for the month
// starting at start (CST): the letters received that month, by the
// department they were assigned to, as they stand now.
func (h *Handler) monthReport(ctx context.Context, t *sdk.Tenant, box string, start time.Time) (*Report, error) {
	end := start.AddDate(0, 1, 0)
	ls, err := selectLetters(ctx, h.env.DB.Tenant(t.ID), "mailbox = :box AND created_at >= :start AND created_at < :end AND status <> 'rejected'",
		sdk.Args{"box": box, "start": start.UTC(), "end": end.UTC()})
	if err != nil {
		return nil, err
	}
	rep := &Report{Box: box, BoxTitle: mailboxTitle(t, box), Month: start.Format("2006-01")}
	rows := map[int64]*DeptRow{}
	cats := map[string]int{}
	todayS := today().String()
	for _, l := range ls {
		cats[l.Category]++
		row := rows[l.AssignedTenantID]
		if row == nil {
			row = &DeptRow{Dept: "未转办"}
			if l.AssignedTenantID != 0 {
				if d, err := h.env.Host.Tenant(ctx, l.AssignedTenantID); err == nil {
					row.Dept = d.Name
				}
			}
			rows[l.AssignedTenantID] = row
		}
		row.Received++
		if l.ExtStatus == "approved" {
			row.Extended++
		}
		if l.Status == Closed && l.ClosedAt != nil {
			row.Closed++
			closed := calendar.DateOf(l.ClosedAt.In(cst))
			if l.Deadline == "" || closed.String() <= l.Deadline {
				row.OnTime++
			} else {
				row.Overdue++
			}
			if acc, err := calendar.ParseDate(l.AcceptedOn); err == nil {
				if wd, err := h.env.Host.WorkingDaysBetween(ctx, acc, closed); err == nil {
					row.daysSum += wd.Days
					row.daysN++
				}
			}
		} else if l.Deadline != "" && l.Deadline < todayS {
			row.Overdue++
		}
		if l.Rating != "" {
			row.rated++
			if l.Rating != "不满意" {
				row.satisfied++
			}
		}
	}
	for _, r := range rows {
		r.AvgDays, r.Satisfaction = "—", "—"
		if r.daysN > 0 {
			r.AvgDays = fmt.Sprintf("%.1f", float64(r.daysSum)/float64(r.daysN))
		}
		if r.rated > 0 {
			r.Satisfaction = fmt.Sprintf("%.0f%%", 100*float64(r.satisfied)/float64(r.rated))
		}
		rep.Rows = append(rep.Rows, r)
	}
	sort.Slice(rep.Rows, func(i, j int) bool {
		if rep.Rows[i].Received != rep.Rows[j].Received {
			return rep.Rows[i].Received > rep.Rows[j].Received
		}
		return rep.Rows[i].Dept < rep.Rows[j].Dept
	})
	for _, c := range Categories {
		rep.Categories = append(rep.Categories, CategoryCount{c, cats[c]})
	}
	rep.Chart = chart(rep)
	return rep, nil
}

// chartView is the monthly report's chart (templates/chart.html):
// received and closed letters per department as horizontal bars, an SVG
// with a title and a description for screen readers (the table beside it
// carries the same figures). Every coordinate is worked out here; the
// template only places them.
type chartView struct {
	Title         string
	Width, Height int
	Left, LabelX  int
	Bars          []chartBar
	LegendY       int // the legend's squares; their labels sit 10 below
	LegendTextY   int
}

// chartBar is one department's pair of bars.
type chartBar struct {
	Dept                                 string
	Received, Closed                     int
	LabelY                               int
	ReceivedY, ReceivedW, ReceivedTextX  int
	ClosedY, ClosedW, ClosedTextX, TextD int // TextD: a bar's label sits this far below its top
}

func chart(rep *Report) *chartView {
	const barH, gap, left, width = 14, 10, 220, 320
	max := 1
	for _, r := range rep.Rows {
		if r.Received > max {
			max = r.Received
		}
	}
	c := &chartView{Title: rep.BoxTitle + " " + rep.Month, Width: left + width + 60, Height: len(rep.Rows)*(2*barH+gap) + 40,
		Left: left, LabelX: left - 8}
	y := 10
	for _, r := range rep.Rows {
		b := chartBar{Dept: r.Dept, Received: r.Received, Closed: r.Closed, LabelY: y + barH + 4, TextD: barH - 3,
			ReceivedY: y, ReceivedW: width * r.Received / max, ClosedY: y + barH, ClosedW: width * r.Closed / max}
		b.ReceivedTextX, b.ClosedTextX = left+b.ReceivedW+4, left+b.ClosedW+4
		c.Bars = append(c.Bars, b)
		y += 2*barH + gap
	}
	c.LegendY, c.LegendTextY = y+4, y+14
	return c
}

func (h *Handler) report(w http.ResponseWriter, r *http.Request) {
	t := sdk.TenantOf(r)
	boxes := mailboxesOf(t)
	box := r.URL.Query().Get("box")
	if mailboxTitle(t, box) == box {
		box = boxes[0].Key
	}
	cur := now().In(cst)
	thisMonth := time.Date(cur.Year(), cur.Month(), 1, 0, 0, 0, 0, cst)
	start := thisMonth.AddDate(0, -1, 0)
	if m := r.URL.Query().Get("month"); m != "" {
		p, err := time.ParseInLocation("2006-01", m, cst)
		if err != nil || p.After(thisMonth) {
			sdk.Fail(w, sdk.Errorf(sdk.ENOTFOUND, "没有这个月份的报告。"))
			return
		}
		start = p
	}
	sdk.Cacheable(w, 10*time.Minute)
	rep, err := h.monthReport(r.Context(), t, box, start)
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	rep.Boxes = boxes
	for i := 1; i <= 12; i++ {
		rep.Months = append(rep.Months, thisMonth.AddDate(0, -i, 0).Format("2006-01"))
	}
	h.render(w, r, "report", rep.BoxTitle+" "+rep.Month+" 月度报告", 0, rep)
}
