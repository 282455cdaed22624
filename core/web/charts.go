package web

import (
	"fmt"
	"html/template"
	"sort"
	"strings"
)

// Charts of the consoles, drawn as inline SVG beside the tables that carry
// the same numbers for screen readers: bars, sparklines and share bars.

// Bar is one bar: its label, its value, and its colour ("" for the
// theme's).
type Bar struct {
	Name  string
	V     float64
	Color string
}

// HorizontalBars draws bars as an SVG with a title, largest first when
// sorted (else in the order given); the table beside it carries the same
// numbers for screen readers. Nothing for no bars.
func HorizontalBars(id, title string, bars []Bar, sorted bool) template.HTML {
	if len(bars) == 0 {
		return ""
	}
	bars = append([]Bar(nil), bars...)
	if sorted {
		sort.SliceStable(bars, func(i, j int) bool { return bars[i].V > bars[j].V })
	}
	max := 0.0
	for _, x := range bars {
		max = maxf(max, x.V)
	}
	const rowH, labelW, barW = 26, 220, 360
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="bar-chart" role="img" aria-labelledby="%s-t" viewBox="0 0 %d %d" width="100%%">`, id, labelW+barW+60, rowH*len(bars)+10)
	fmt.Fprintf(&b, `<title id="%s-t">%s</title>`, id, template.HTMLEscapeString(title))
	for i, x := range bars {
		y := 5 + i*rowH
		w := 2
		if max > 0 {
			w = max2(int(x.V/max*barW), 2)
		}
		color := x.Color
		if color == "" {
			color = "#a8141c"
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" font-size="13" fill="#1f1f1f">%s</text>`, labelW-6, y+17, template.HTMLEscapeString(x.Name))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="18" fill="%s"></rect>`, labelW, y+3, w, template.HTMLEscapeString(color))
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="13" fill="#1f1f1f">%s</text>`, labelW+w+6, y+17, FormatFigure(x.V))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // every text is escaped above
}

func max2(a, b int) int {
	if a > b {
		return a
	}
	return b
}

func maxf(a, b float64) float64 {
	if a > b {
		return a
	}
	return b
}

// FormatFigure writes a figure: whole numbers as such, others with one
// decimal.
func FormatFigure(v float64) string {
	if v == float64(int64(v)) {
		return fmt.Sprint(int64(v))
	}
	return fmt.Sprintf("%.1f", v)
}

// Sparkline draws a short series of counts as small bars for a table
// cell, oldest first, with the numbers spoken in its label; a week with
// nothing is a red tick, so a gap shows at a glance.
func Sparkline(label string, values []int) template.HTML {
	if len(values) == 0 {
		return ""
	}
	peak := 0
	spoken := make([]string, len(values))
	for i, v := range values {
		peak = max2(peak, v)
		spoken[i] = fmt.Sprint(v)
	}
	const barW, gap, h = 8, 2, 24
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="sparkline" role="img" aria-label="%s" viewBox="0 0 %d %d" width="%d" height="%d">`,
		template.HTMLEscapeString(label+"："+strings.Join(spoken, "、")), len(values)*(barW+gap), h, len(values)*(barW+gap), h)
	fmt.Fprintf(&b, `<title>%s</title>`, template.HTMLEscapeString(label+"："+strings.Join(spoken, "、")))
	for i, v := range values {
		x := i * (barW + gap)
		if v == 0 {
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="2" fill="#a8141c"></rect>`, x, h-2, barW)
			continue
		}
		bh := max2(v*(h-2)/max2(peak, 1), 3)
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="#1e5a8a"></rect>`, x, h-bh, barW, bh)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // every text is escaped above
}

// ShareBar draws a part of a whole (0 to 1) as a filled bar for a table
// cell; the figure is written beside it in the page, so the bar itself
// only repeats it for the eye.
func ShareBar(share float64) template.HTML {
	const w, h = 60, 10
	fill := int(share*w + 0.5)
	color := "#1e6b34"
	if share < 0.9 {
		color = "#a8141c"
	}
	return template.HTML(fmt.Sprintf(`<svg class="share-bar" aria-hidden="true" viewBox="0 0 %d %d" width="%d" height="%d"><rect width="%d" height="%d" fill="none" stroke="#595959"></rect><rect width="%d" height="%d" fill="%s"></rect></svg>`,
		w, h, w, h, w, h, fill, h, color)) //nolint:gosec // numbers only
}
