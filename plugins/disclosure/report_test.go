package disclosure

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/sdktest"
)

type seeded struct {
	kind, status, outcome, ground, received, finished string
}

// seedYear writes requests of every kind and outcome around 2026 for a
// tenant, straight into its tables, and returns what it wrote.
func seedYear(t *testing.T, h *sdktest.Harness, tenant *sdk.Tenant, salt int) []seeded {
	t.Helper()
	var out []seeded
	i := 0
	add := func(s seeded) {
		i++
		out = append(out, s)
		var closed any
		answered := ""
		switch s.status {
		case StatusAnswered:
			answered = s.finished
		case StatusWithdrawn:
			d, _ := time.ParseInLocation("2006-01-02", s.finished, cst)
			closed = d.Add(10 * time.Hour).UTC()
		}
		if _, err := h.Server.Handler().(*Handler).env.DB.Tenant(tenant.ID).Exec(context.Background(), `INSERT INTO disclosure_requests (tenant_id, number, user_id,
			applicant_kind, applicant_name, description, purpose, medium, delivery, status, received_on, clock_from, due_explain, extension_reason, outcome, ground,
			answer, answered_on, created_at, updated_at, closed_at) VALUES (:tenant_id, :n, 1, :kind, '甲', '所需信息', '', 'electronic', 'online', :status, :rec, :rec,
			'', '', :outcome, :ground, '', :ans, :at, :at, :closed)`,
			sdk.Args{"n": fmt.Sprintf("YS%d%04d", salt, i), "kind": s.kind, "status": s.status, "rec": s.received, "outcome": s.outcome, "ground": s.ground,
				"ans": answered, "at": time.Now().UTC(), "closed": closed}); err != nil {
			t.Fatal(err)
		}
	}
	kinds := ApplicantKinds
	k := 0
	next := func() string { k++; return kinds[k%len(kinds)].Code }
	for _, o := range Outcomes {
		grounds := o.Grounds
		if len(grounds) == 0 {
			grounds = []Term{{"", ""}}
		}
		for _, g := range grounds {
			add(seeded{next(), StatusAnswered, o.Code, g.Code, "2026-03-02", "2026-03-20"}) // this year
			add(seeded{next(), StatusAnswered, o.Code, g.Code, "2025-12-20", "2026-01-12"}) // carried in, answered
			add(seeded{next(), StatusAnswered, o.Code, g.Code, "2025-05-06", "2025-06-01"}) // last year entirely
			add(seeded{next(), StatusAnswered, o.Code, g.Code, "2026-12-28", "2027-01-15"}) // carried out
		}
	}
	add(seeded{ApplicantPerson, StatusReceived, "", "", "2026-12-30", ""})              // open at the end
	add(seeded{ApplicantBusiness, StatusCorrection, "", "", "2025-12-29", ""})          // carried in and out
	add(seeded{ApplicantResearch, StatusWithdrawn, "", "", "2026-04-01", "2026-04-03"}) // withdrawn in the year
	add(seeded{ApplicantLegalServices, StatusReceived, "", "", "2027-01-04", ""})       // next year's
	return out
}

// expected builds the matrix from the seeded list, by the format's rules,
// without SQL.
func expected(list []seeded, year int) map[string][matrixCols]int {
	start, end := fmt.Sprintf("%d-01-01", year), fmt.Sprintf("%d-01-01", year+1)
	m := map[string][matrixCols]int{}
	inc := func(key, kind string) {
		row := m[key]
		row[kindColumn(kind)]++
		row[matrixCols-1]++
		m[key] = row
	}
	for _, s := range list {
		if s.received >= end || (s.finished != "" && s.finished < start) {
			continue
		}
		if s.received >= start {
			inc("new", s.kind)
		} else {
			inc("carried", s.kind)
		}
		if s.finished == "" || s.finished >= end {
			inc("next", s.kind)
			continue
		}
		key := s.outcome + "/" + s.ground
		if s.status == StatusWithdrawn {
			key = "other/other"
		}
		inc(key, s.kind)
		inc("total", s.kind)
	}
	return m
}

func checkMatrix(t *testing.T, f *Figures, want map[string][matrixCols]int) {
	t.Helper()
	get := func(prefix string) [matrixCols]int {
		r := f.Row(prefix)
		if r == nil {
			t.Fatalf("no row %q", prefix)
		}
		return r.Cells
	}
	for key, prefix := range map[string]string{"new": "一、", "carried": "二、", "total": "（七）", "next": "四、"} {
		if got := get(prefix); got != want[key] {
			t.Errorf("%s: %v, want %v", prefix, got, want[key])
		}
	}
	// Every outcome and ground, row by row in the format's order.
	i := 0
	for _, o := range Outcomes {
		grounds := o.Grounds
		if len(grounds) == 0 {
			grounds = []Term{{"", ""}}
		}
		for _, g := range grounds {
			for f.Matrix[i].Heading || !strings.Contains(f.Matrix[i].Label, map[bool]string{true: o.Label, false: g.Label}[g.Code == ""]) {
				i++
			}
			if got := f.Matrix[i].Cells; got != want[o.Code+"/"+g.Code] {
				t.Errorf("%s %s (%s): %v, want %v", o.Label, g.Label, f.Matrix[i].Label, got, want[o.Code+"/"+g.Code])
			}
			i++
		}
	}
	n, c, tot, nx := get("一、"), get("二、"), get("（七）"), get("四、")
	for col := 0; col < matrixCols; col++ {
		if n[col]+c[col] != tot[col]+nx[col] {
			t.Errorf("column %d: 新收 %d + 结转 %d ≠ 总计 %d + 结转下年 %d", col, n[col], c[col], tot[col], nx[col])
		}
	}
}

// The matrix equals the counts of a seeded year, cell by cell, on both
// databases; the county's report sums its units.
func TestAnnualReportMatrix(t *testing.T) {
	sdktest.EachDB(t, func(t *testing.T, dsn string) {
		o := catalogueOptions()
		o.DSN = dsn
		h := sdktest.InProcess(t, Module, o)
		a, b := seedYear(t, h, jyjU, 1), seedYear(t, h, rsjU, 2)
		hd := h.Server.Handler().(*Handler)
		f, err := hd.computeFigures(context.Background(), []int64{jyjU.ID}, 2026)
		if err != nil {
			t.Fatal(err)
		}
		checkMatrix(t, f, expected(a, 2026))
		county, err := hd.computeFigures(context.Background(), []int64{portalU.ID, jyjU.ID, rsjU.ID}, 2026)
		if err != nil {
			t.Fatal(err)
		}
		checkMatrix(t, county, expected(append(append([]seeded{}, a...), b...), 2026))
	})
}

// Staff write the text and figures; publishing freezes the numbers; only
// a published report is public; another tenant's staff change nothing.
func TestAnnualReportPublishing(t *testing.T) {
	h := sdktest.InProcess(t, Module, catalogueOptions())
	at(t, h, "2027-01-20 10:00")
	seedYear(t, h, jyjU, 1)
	if r := h.Get(jyjU, nil, "/disclosure/reports/2026"); r.Status != http.StatusNotFound {
		t.Fatalf("a draft report is public: %d", r.Status)
	}
	form := url.Values{"overview": {"2026年，县教育局认真贯彻落实政府信息公开条例，主动公开各类信息。"}, "problems": {"公开内容还不够全面，将进一步完善。"},
		"permit": {"12"}, "fees": {"0.5"}, "review_upheld": {"1"}}
	bad := url.Values{"permit": {"十二"}}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("permit", "十二")
	bad.Set("action", "save")
	if r := h.Post(jyjU, editor, "/admin/disclosure/reports/2026", bad); r.Status != http.StatusBadRequest || !strings.Contains(r.HTML, "应为不小于 0 的数字") {
		t.Fatalf("bad figure: %d %s", r.Status, r.Text())
	}
	form.Set("action", "publish")
	if r := h.Post(jyjU, editor, "/admin/disclosure/reports/2026", form); r.Status != http.StatusForbidden {
		t.Fatalf("an editor publishes: %d", r.Status)
	}
	if r := h.Post(rsjU, reviewer, "/admin/disclosure/reports/2026", form); r.Status != http.StatusSeeOther {
		t.Fatalf("人社局's own report: %d %s", r.Status, r.Text())
	}
	if r := h.Post(jyjU, reviewer, "/admin/disclosure/reports/2026", form); r.Status != http.StatusSeeOther {
		t.Fatalf("publish: %d %s", r.Status, r.Text())
	}
	page := h.Get(jyjU, nil, "/disclosure/reports/2026")
	for _, want := range []string{"思南县教育局2026年政府信息公开工作年度报告", "本年新收政府信息公开申请数量", "属于国家秘密", "行政许可：本年处理决定数量", "<svg"} {
		if !strings.Contains(page.HTML, want) {
			t.Errorf("report page lacks %q", want)
		}
	}
	if pdf := h.Get(jyjU, nil, "/disclosure/reports/2026.pdf"); pdf.Status != http.StatusOK || !bytes.HasPrefix(pdf.Body, []byte("%PDF-")) || len(pdf.Body) < 2000 {
		t.Errorf("report PDF: %d, %d bytes", pdf.Status, len(pdf.Body))
	}
	// A request answered after publication leaves the published report as it was.
	before := h.Get(jyjU, nil, "/disclosure/reports/2026").HTML
	seedYear(t, h, jyjU, 3)
	if after := h.Get(jyjU, nil, "/disclosure/reports/2026").HTML; after != before {
		t.Error("the published report changed with new data")
	}
	if r := h.Get(rsjU, nil, "/disclosure/reports/2026"); !strings.Contains(r.HTML, "人力资源和社会保障局2026年") || strings.Contains(r.HTML, "思南县教育局2026年") {
		t.Errorf("人社局's report: %s", r.Text())
	}
	if r := h.Get(jyjU, nil, "/disclosure/reports/2026?scope=county"); r.Status != http.StatusNotFound && !strings.Contains(r.HTML, "思南县教育局") {
		t.Errorf("county scope on a sub-site: %d", r.Status)
	}
}
