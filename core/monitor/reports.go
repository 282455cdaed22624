package monitor

import (
	"context"
	"fmt"
	"html"
	"strings"
	"time"

	"yiwang/core/content"
	"yiwang/tenants"
)

// The weekly exposure (一周一曝光) and the monthly summary (一月一小结) are
// drafted by the platform from the findings and figures, then edited,
// reviewed and published by people through the portal's editorial desk
// like any article.

// Draft is the platform's text of a report, for the desk.
type Draft struct{ Title, Summary, Body string }

// ExposureDraft names the sites that fail or have problems on day, worst
// first, with their first findings.
func ExposureDraft(sites []*Site, day time.Time) Draft {
	year, week := day.ISOWeek()
	var b strings.Builder
	fmt.Fprintf(&b, "<p>根据平台 %s 的网站监测结果，现将存在问题的站点通报如下，请有关单位立即整改。</p>", day.Format("2006年1月2日"))
	n := 0
	b.WriteString("<table><thead><tr><th>单位</th><th>单项否决</th><th>问题</th><th>主要问题</th></tr></thead><tbody>")
	for _, s := range sites {
		if s.Vetoes == 0 && s.Fails == 0 {
			continue
		}
		n++
		var first []string
		for _, f := range s.Findings {
			if f.Level >= Fail && len(first) < 3 {
				first = append(first, html.EscapeString(f.Text))
			}
		}
		fmt.Fprintf(&b, "<tr><td>%s</td><td>%d</td><td>%d</td><td>%s</td></tr>", html.EscapeString(s.Tenant.Name), s.Vetoes, s.Fails, strings.Join(first, "；"))
	}
	b.WriteString("</tbody></table>")
	if n == 0 {
		b.Reset()
		fmt.Fprintf(&b, "<p>根据平台 %s 的网站监测结果，各站点均未发现问题。</p>", day.Format("2006年1月2日"))
	}
	return Draft{
		Title:   fmt.Sprintf("%d年第%d周全县政府网站监测情况通报", year, week),
		Summary: fmt.Sprintf("%d 个站点存在问题", n),
		Body:    b.String(),
	}
}

// MonthFigures are a unit's work in a month.
type MonthFigures struct {
	Published int // articles published
	Adopted   int // articles the portal adopted from it (信息报送)
	Cases     int // letters and requests answered, as the modules report
}

// MonthFigures counts every unit's articles and adopted submissions in
// [from, to).
func (s *Store) MonthFigures(ctx context.Context, from, to time.Time) (map[int64]*MonthFigures, error) {
	out := map[int64]*MonthFigures{}
	get := func(id int64) *MonthFigures {
		if out[id] == nil {
			out[id] = &MonthFigures{}
		}
		return out[id]
	}
	var rows []struct {
		TenantID int64 `db:"tenant_id"`
		N        int   `db:"n"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT tenant_id, COUNT(*) AS n FROM articles WHERE status = 'published' AND published_at >= ? AND published_at < ?
		GROUP BY tenant_id`, from.UTC(), to.UTC()); err != nil {
		return nil, fmt.Errorf("month figures: %w", err)
	}
	for _, r := range rows {
		get(r.TenantID).Published = r.N
	}
	rows = rows[:0]
	if err := s.db.SelectContext(ctx, &rows, `SELECT source_tenant_id AS tenant_id, COUNT(*) AS n FROM submissions WHERE status = ? AND decided_at >= ? AND decided_at < ?
		GROUP BY source_tenant_id`, content.SubAdopted, from.UTC(), to.UTC()); err != nil {
		return nil, fmt.Errorf("month figures: %w", err)
	}
	for _, r := range rows {
		get(r.TenantID).Adopted = r.N
	}
	return out, nil
}

// SummaryDraft sums up a month per unit, units with the least work last.
func SummaryDraft(ts []*tenants.Tenant, figs map[int64]*MonthFigures, month time.Time) Draft {
	var b strings.Builder
	fmt.Fprintf(&b, "<p>%s，全县各单位通过政府网站集约化平台发布信息、向门户报送信息和办理群众来信、政府信息公开申请的情况如下。</p>", month.Format("2006年1月"))
	b.WriteString("<table><thead><tr><th>单位</th><th>发布信息</th><th>被门户采用</th><th>办结信件和申请</th></tr></thead><tbody>")
	total := MonthFigures{}
	var idle []string
	for _, t := range ts {
		if t.Status != tenants.Active {
			continue
		}
		f := figs[t.ID]
		if f == nil {
			f = &MonthFigures{}
		}
		total.Published, total.Adopted, total.Cases = total.Published+f.Published, total.Adopted+f.Adopted, total.Cases+f.Cases
		if f.Published == 0 {
			idle = append(idle, html.EscapeString(t.Name))
		}
		fmt.Fprintf(&b, "<tr><td>%s</td><td>%d</td><td>%d</td><td>%d</td></tr>", html.EscapeString(t.Name), f.Published, f.Adopted, f.Cases)
	}
	b.WriteString("</tbody></table>")
	fmt.Fprintf(&b, "<p>本月全县共发布信息 %d 条，门户采用报送信息 %d 条，办结信件和申请 %d 件。", total.Published, total.Adopted, total.Cases)
	if len(idle) > 0 {
		fmt.Fprintf(&b, "本月未发布信息的单位：%s。", strings.Join(idle, "、"))
	}
	b.WriteString("</p>")
	return Draft{Title: month.Format("2006年1月") + "全县政府网站工作小结", Summary: fmt.Sprintf("本月发布信息 %d 条", total.Published), Body: b.String()}
}
