package disclosure

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"yiwang/plugins/sdk"
)

// The annual report (政府信息公开工作年度报告) in the format of
// 国办公开办函〔2021〕30号. The counts come from the module's own data and
// are computed whenever a draft is shown; publishing freezes them with
// the figures staff enter (which the platform cannot know) and the text.

// reportRoutes registers the annual reports: /disclosure/reports/… and
// the staff's /admin/disclosure/reports/….
func (h *Handler) reportRoutes(m *sdk.Mux) {
	m.HandleFunc("GET /disclosure/reports/{$}", public(h.publicReports))
	m.HandleFunc("GET /disclosure/reports/{year}", public(h.publicReport))
	m.HandleFunc("GET /admin/disclosure/reports/{$}", h.staffReports)
	m.HandleFunc("GET /admin/disclosure/reports/{year}", h.editReport)
	m.HandleFunc("POST /admin/disclosure/reports/{year}", h.saveReport)
}

// Matrix columns: 自然人, the five kinds of 法人或其他组织, 总计.
const matrixCols = 7

// MatrixRow is one row of section 三; a heading row has no cells.
type MatrixRow struct {
	Label   string
	Indent  int
	Heading bool
	Cells   [matrixCols]int
}

// GenreRow is section 二's line for 规章 or 行政规范性文件.
type GenreRow struct {
	Genre                   string
	Issued, Repealed, Valid int
}

// Figures are the computed parts of a report.
type Figures struct {
	Genres []GenreRow
	Matrix []MatrixRow
	// Outcomes are (七)总计's parts by outcome, for the chart.
	Outcomes []OutcomeCount
}

// OutcomeCount is one bar of the chart.
type OutcomeCount struct {
	Label string
	N     int
	Width int // of 100
}

// Manual figures staff enter, by key.
var manualFields = []struct{ Key, Label string }{
	{"permit", "行政许可：本年处理决定数量"},
	{"penalty", "行政处罚：本年处理决定数量"},
	{"coercion", "行政强制：本年处理决定数量"},
	{"fees", "行政事业性收费：本年收费金额（单位：万元）"},
	{"review_upheld", "行政复议：结果维持"}, {"review_corrected", "行政复议：结果纠正"}, {"review_other", "行政复议：其他结果"}, {"review_pending", "行政复议：尚未审结"},
	{"suit_upheld", "行政诉讼（未经复议直接起诉）：结果维持"}, {"suit_corrected", "行政诉讼（未经复议直接起诉）：结果纠正"},
	{"suit_other", "行政诉讼（未经复议直接起诉）：其他结果"}, {"suit_pending", "行政诉讼（未经复议直接起诉）：尚未审结"},
	{"suit2_upheld", "行政诉讼（复议后起诉）：结果维持"}, {"suit2_corrected", "行政诉讼（复议后起诉）：结果纠正"},
	{"suit2_other", "行政诉讼（复议后起诉）：其他结果"}, {"suit2_pending", "行政诉讼（复议后起诉）：尚未审结"},
}

// Report is a tenant's or the county's report of a year.
type Report struct {
	ID          int64      `db:"id"`
	TenantID    int64      `db:"tenant_id"`
	Year        int        `db:"year"`
	Scope       string     `db:"scope"`
	Status      string     `db:"status"`
	Overview    string     `db:"overview"`
	Problems    string     `db:"problems"`
	Other       string     `db:"other"`
	ManualJSON  string     `db:"manual_json"`
	FiguresJSON string     `db:"figures_json"`
	PublishedAt *time.Time `db:"published_at"`
	UpdatedAt   time.Time  `db:"updated_at"`
	UpdatedBy   string     `db:"updated_by"`
}

// kindColumn is an applicant kind's column in the matrix.
func kindColumn(kind string) int {
	for i, k := range ApplicantKinds {
		if k.Code == kind {
			return i
		}
	}
	return len(ApplicantKinds) - 1 // an unknown kind counts as 其他
}

// yearRequest is what the matrix reads of a request.
type yearRequest struct {
	Kind       string     `db:"applicant_kind"`
	Status     string     `db:"status"`
	Outcome    string     `db:"outcome"`
	Ground     string     `db:"ground"`
	ReceivedOn string     `db:"received_on"`
	AnsweredOn string     `db:"answered_on"`
	ClosedAt   *time.Time `db:"closed_at"`
}

// finishedOn is the day a request left the office's hands: answered, or
// withdrawn by the applicant; "" while open.
func (q yearRequest) finishedOn() string {
	switch q.Status {
	case StatusAnswered:
		return q.AnsweredOn
	case StatusWithdrawn:
		if q.ClosedAt != nil {
			return q.ClosedAt.In(cst).Format("2006-01-02")
		}
	}
	return ""
}

// computeFigures counts a year over the given tenants. The rules:
// 本年新收 are requests received in the year; 上年结转 those received
// before it and not finished when it began; the results are the requests
// finished in the year, by outcome and ground, a withdrawal counting as
// (六)其他处理 3.其他; 结转下年度 those received by the year's end and not
// finished by then. So 本年新收 + 上年结转 = (七)总计 + 结转下年度.
func (h *Handler) computeFigures(ctx context.Context, tenantIDs []int64, year int) (*Figures, error) {
	start, end := fmt.Sprintf("%d-01-01", year), fmt.Sprintf("%d-01-01", year+1)
	var newRow, carried, total, next [matrixCols]int
	results := map[string]*[matrixCols]int{}
	add := func(row *[matrixCols]int, col int) { row[col]++; row[matrixCols-1]++ }
	genres := []GenreRow{{Genre: GenreRegulation}, {Genre: GenreNormative}}
	for _, id := range tenantIDs {
		s := h.env.DB.Tenant(id)
		var qs []yearRequest
		if err := s.Select(ctx, &qs, `SELECT applicant_kind, status, outcome, ground, received_on, answered_on, closed_at FROM disclosure_requests
			WHERE tenant_id = :tenant_id AND received_on < :end`, sdk.Args{"end": end}); err != nil {
			return nil, fmt.Errorf("report %d of tenant %d: %w", year, id, err)
		}
		for _, q := range qs {
			col, done := kindColumn(q.Kind), q.finishedOn()
			if done != "" && done < start {
				continue // finished before the year
			}
			if q.ReceivedOn >= start {
				add(&newRow, col)
			} else {
				add(&carried, col)
			}
			if done == "" || done >= end {
				add(&next, col)
				continue
			}
			key := q.Outcome + "/" + q.Ground
			if q.Status == StatusWithdrawn {
				key = OutcomeOther + "/other"
			}
			if results[key] == nil {
				results[key] = &[matrixCols]int{}
			}
			add(results[key], col)
			add(&total, col)
		}
		var items []struct {
			Genre      string     `db:"genre"`
			Status     string     `db:"status"`
			Published  *time.Time `db:"published_at"`
			RepealedOn string     `db:"repealed_on"`
		}
		if err := s.Select(ctx, &items, `SELECT genre, status, published_at, repealed_on FROM disclosure_items
			WHERE tenant_id = :tenant_id AND genre IN ('`+GenreRegulation+`', '`+GenreNormative+`') AND status IN ('published', 'withdrawn') AND published_at IS NOT NULL`, nil); err != nil {
			return nil, fmt.Errorf("report %d of tenant %d: %w", year, id, err)
		}
		for _, it := range items {
			g := &genres[0]
			if it.Genre == GenreNormative {
				g = &genres[1]
			}
			pub := it.Published.In(cst).Format("2006-01-02")
			if pub >= start && pub < end {
				g.Issued++
			}
			if it.RepealedOn >= start && it.RepealedOn < end {
				g.Repealed++
			}
			// In force at the year's end: published by then, neither
			// repealed by then nor withdrawn.
			if pub < end && it.Status == ItemPublished && (it.RepealedOn == "" || it.RepealedOn >= end) {
				g.Valid++
			}
		}
	}
	f := &Figures{Genres: genres}
	f.Matrix = append(f.Matrix, MatrixRow{Label: "一、本年新收政府信息公开申请数量", Cells: newRow},
		MatrixRow{Label: "二、上年结转政府信息公开申请数量", Cells: carried},
		MatrixRow{Label: "三、本年度办理结果", Heading: true})
	numbers := []string{"（一）", "（二）", "（三）", "（四）", "（五）", "（六）"}
	for i, o := range Outcomes {
		label := numbers[i] + o.Label
		if o.Code == OutcomePartial {
			label += "（区分处理的，只计这一情形，不计其他情形）"
		}
		n := 0
		if len(o.Grounds) == 0 {
			row := MatrixRow{Label: label, Indent: 1}
			if c := results[o.Code+"/"]; c != nil {
				row.Cells = *c
			}
			n = row.Cells[matrixCols-1]
			f.Matrix = append(f.Matrix, row)
		} else {
			f.Matrix = append(f.Matrix, MatrixRow{Label: label, Indent: 1, Heading: true})
			for j, g := range o.Grounds {
				row := MatrixRow{Label: fmt.Sprintf("%d.%s", j+1, g.Label), Indent: 2}
				if c := results[o.Code+"/"+g.Code]; c != nil {
					row.Cells = *c
				}
				n += row.Cells[matrixCols-1]
				f.Matrix = append(f.Matrix, row)
			}
		}
		f.Outcomes = append(f.Outcomes, OutcomeCount{Label: o.Label, N: n})
	}
	f.Matrix = append(f.Matrix, MatrixRow{Label: "（七）总计", Indent: 1, Cells: total},
		MatrixRow{Label: "四、结转下年度继续办理", Cells: next})
	top := 1
	for _, o := range f.Outcomes {
		top = max(top, o.N)
	}
	for i := range f.Outcomes {
		f.Outcomes[i].Width = f.Outcomes[i].N * 100 / top
	}
	return f, nil
}

// Row finds a matrix row by its label's beginning, for tests and checks.
func (f *Figures) Row(prefix string) *MatrixRow {
	for i := range f.Matrix {
		if strings.HasPrefix(f.Matrix[i].Label, prefix) {
			return &f.Matrix[i]
		}
	}
	return nil
}

// reportDoc is the published report as a PDF, section by section.
func reportDoc(title string, v *reportView) pdfDoc {
	f := v.F
	genres := [][]string{{"信息内容", "本年制发件数", "本年废止件数", "现行有效件数"}}
	for _, g := range f.Genres {
		genres = append(genres, []string{g.Genre, strconv.Itoa(g.Issued), strconv.Itoa(g.Repealed), strconv.Itoa(g.Valid)})
	}
	decisions, reviews := [][]string{{"信息内容", "数量"}}, [][]string{{"事项", "数量"}}
	for _, m := range manualFields {
		row := []string{m.Label, v.Manual[m.Key]}
		if m.Key == "permit" || m.Key == "penalty" || m.Key == "coercion" || m.Key == "fees" {
			decisions = append(decisions, row)
		} else {
			reviews = append(reviews, row)
		}
	}
	matrix := [][]string{{"申请情况", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"}}
	for _, row := range f.Matrix {
		line := []string{strings.Repeat("  ", row.Indent) + row.Label}
		for _, c := range row.Cells {
			if row.Heading {
				line = append(line, "")
			} else {
				line = append(line, strconv.Itoa(c))
			}
		}
		matrix = append(matrix, line)
	}
	sub := ""
	if v.R.PublishedAt != nil {
		sub = "发布日期：" + v.R.PublishedAt.In(cst).Format("2006-01-02")
	}
	return pdfDoc{Title: title, Subtitle: sub, Blocks: []pdfBlock{
		{Heading: "一、总体情况", Text: v.R.Overview},
		{Heading: "二、主动公开政府信息情况", Table: genres},
		{Table: decisions},
		{Heading: "三、收到和处理政府信息公开申请情况", Table: matrix},
		{Heading: "四、政府信息公开行政复议、行政诉讼情况", Table: reviews},
		{Heading: "五、存在的主要问题及改进情况", Text: v.R.Problems},
		{Heading: "六、其他需要报告的事项", Text: v.R.Other},
	}}
}

// scopeOf reads the report's scope: the county's only on the portal.
func scopeOf(r *http.Request) string {
	if r.URL.Query().Get("scope") == "county" && sdk.TenantOf(r).IsPortal() {
		return "county"
	}
	return "unit"
}

func (h *Handler) reportTenants(r *http.Request, scope string) []int64 {
	if scope != "county" {
		return []int64{sdk.TenantOf(r).ID}
	}
	var ids []int64
	for _, tc := range h.env.Tenants() {
		ids = append(ids, tc.Tenant.ID)
	}
	return ids
}

func (h *Handler) loadReport(ctx context.Context, s *sdk.Scope, year int, scope string) (*Report, error) {
	var rs []Report
	if err := s.Select(ctx, &rs, `SELECT id, tenant_id, year, scope, status, overview, problems, other, manual_json, figures_json, published_at, updated_at, updated_by
		FROM disclosure_reports WHERE tenant_id = :tenant_id AND year = :year AND scope = :scope`, sdk.Args{"year": year, "scope": scope}); err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return &Report{TenantID: s.TenantID(), Year: year, Scope: scope, Status: "draft", ManualJSON: "{}", FiguresJSON: "{}"}, nil
	}
	return &rs[0], nil
}

// requestedReport is the report the path and query name, loaded (a new
// draft when none is stored yet).
func (h *Handler) requestedReport(r *http.Request) (*Report, string, error) {
	year, err := reportYear(r)
	if err != nil {
		return nil, "", err
	}
	scope := scopeOf(r)
	rep, err := h.loadReport(r.Context(), h.db(r), year, scope)
	return rep, scope, err
}

func reportYear(r *http.Request) (int, error) {
	y, err := strconv.Atoi(strings.TrimSuffix(r.PathValue("year"), ".pdf"))
	if err != nil || y < 2008 || y > 2100 {
		return 0, sdk.Errorf(sdk.ENOTFOUND, "没有这一年的年度报告。")
	}
	return y, nil
}

type reportView struct {
	R        *Report
	F        *Figures
	Manual   map[string]string
	Fields   []struct{ Key, Label string }
	Scope    string
	Name     string
	Problems []string
	Staff    bool
	Deadline string
	Late     bool
}

func (h *Handler) reportView(r *http.Request, rep *Report, scope string) (*reportView, error) {
	v := &reportView{R: rep, Scope: scope, Fields: manualFields, Manual: map[string]string{}, Name: sdk.TenantOf(r).Name}
	if scope == "county" {
		v.Name = strings.TrimSuffix(sdk.TenantOf(r).Name, "人民政府") // the portal's unit is the county's government
	}
	_ = json.Unmarshal([]byte(rep.ManualJSON), &v.Manual)
	if rep.Status == "published" {
		var f Figures
		if err := json.Unmarshal([]byte(rep.FiguresJSON), &f); err != nil {
			return nil, fmt.Errorf("report %d figures: %w", rep.Year, err)
		}
		v.F = &f
	} else {
		f, err := h.computeFigures(r.Context(), h.reportTenants(r, scope), rep.Year)
		if err != nil {
			return nil, err
		}
		v.F = f
	}
	v.Deadline = fmt.Sprintf("%d-01-31", rep.Year+1)
	v.Late = rep.Status != "published" && h.today() > v.Deadline
	return v, nil
}

func (h *Handler) publicReports(w http.ResponseWriter, r *http.Request) {
	var rs []Report
	if err := h.db(r).Select(r.Context(), &rs, `SELECT id, tenant_id, year, scope, status, overview, problems, other, manual_json, figures_json, published_at, updated_at, updated_by
		FROM disclosure_reports WHERE tenant_id = :tenant_id AND status = 'published' ORDER BY year DESC, scope`, nil); err != nil {
		sdk.Fail(w, err)
		return
	}
	h.render(w, r, "report_list", "政府信息公开工作年度报告", h.crumbs(r, "年度报告"), http.StatusOK, map[string]any{"Reports": rs})
}

func (h *Handler) publicReport(w http.ResponseWriter, r *http.Request) {
	rep, scope, err := h.requestedReport(r)
	if err == nil && rep.Status != "published" {
		err = sdk.Errorf(sdk.ENOTFOUND, "%d 年度报告尚未发布。", rep.Year)
	}
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	v, err := h.reportView(r, rep, scope)
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	title := fmt.Sprintf("%s%d年政府信息公开工作年度报告", v.Name, rep.Year)
	if strings.HasSuffix(r.PathValue("year"), ".pdf") {
		sendPDF(w, title+".pdf", reportDoc(title, v))
		return
	}
	h.render(w, r, "report_page", title, h.crumbs(r, "年度报告"), http.StatusOK, v)
}

func (h *Handler) staffReports(w http.ResponseWriter, r *http.Request) {
	if !h.needEditor(w, r) {
		return
	}
	year := h.now().In(cst).Year()
	h.render(w, r, "report_staff", "信息公开年报", h.crumbs(r, "信息公开年报"), http.StatusOK,
		map[string]any{"Years": []int{year - 1, year}, "Portal": sdk.TenantOf(r).IsPortal(), "Today": h.today()})
}

func (h *Handler) editReport(w http.ResponseWriter, r *http.Request) {
	if !h.needEditor(w, r) {
		return
	}
	h.showReportForm(w, r, http.StatusOK, nil)
}

func (h *Handler) showReportForm(w http.ResponseWriter, r *http.Request, status int, problems []string) {
	rep, scope, err := h.requestedReport(r)
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	v, err := h.reportView(r, rep, scope)
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	v.Staff, v.Problems = true, problems
	h.render(w, r, "report_edit", fmt.Sprintf("%d年度报告", rep.Year), h.crumbs(r, "年度报告"), status, v)
}

// saveReport saves the text and the staff's figures, publishes (freezing
// the computed figures) or reopens a published report.
func (h *Handler) saveReport(w http.ResponseWriter, r *http.Request) {
	if !h.needEditor(w, r) {
		return
	}
	rep, scope, err := h.requestedReport(r)
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	year, s := rep.Year, h.db(r)
	action := r.PostFormValue("action")
	if (action == "publish" || action == "reopen") && !sdk.Can(r, PermReview) {
		sdk.Fail(w, sdk.Errorf(sdk.EFORBID, "发布年度报告须有审核权限。"))
		return
	}
	at, by := h.now().UTC(), sdk.UserOf(r).Name
	switch action {
	case "reopen":
		reason := strings.TrimSpace(r.PostFormValue("reason"))
		if rep.Status != "published" || utf8.RuneCountInString(reason) < 4 {
			h.showReportForm(w, r, http.StatusBadRequest, []string{"只有已发布的报告可以重新打开修改，并须写明理由。"})
			return
		}
		if _, err := s.Exec(r.Context(), `UPDATE disclosure_reports SET status = 'draft', updated_at = :at, updated_by = :by WHERE tenant_id = :tenant_id AND id = :id`,
			sdk.Args{"at": at, "by": by, "id": rep.ID}); err != nil {
			sdk.Fail(w, err)
			return
		}
		h.audit(r, "report.reopen", fmt.Sprintf("%d/%s", year, scope), reason)
		h.pagesChanged(r)
	case "save", "publish":
		if rep.Status == "published" {
			h.showReportForm(w, r, http.StatusConflict, []string{"报告已发布；如需更正，请先重新打开。"})
			return
		}
		manual := map[string]string{}
		var problems []string
		for _, f := range manualFields {
			v := strings.TrimSpace(r.PostFormValue(f.Key))
			if v == "" {
				continue
			}
			if n, err := strconv.ParseFloat(v, 64); err != nil || n < 0 {
				problems = append(problems, f.Label+"应为不小于 0 的数字。")
				continue
			}
			manual[f.Key] = v
		}
		rep.Overview, rep.Problems, rep.Other = strings.TrimSpace(r.PostFormValue("overview")), strings.TrimSpace(r.PostFormValue("problems")), strings.TrimSpace(r.PostFormValue("other"))
		if action == "publish" && (utf8.RuneCountInString(rep.Overview) < 20 || utf8.RuneCountInString(rep.Problems) < 10) {
			problems = append(problems, "发布前请填写“总体情况”（至少 20 字）和“存在的主要问题及改进情况”（至少 10 字）。")
		}
		if len(problems) > 0 {
			h.showReportForm(w, r, http.StatusBadRequest, problems)
			return
		}
		mj, _ := json.Marshal(manual)
		args := sdk.Args{"year": year, "scope": scope, "overview": rep.Overview, "problems": rep.Problems, "other": rep.Other, "manual": string(mj), "at": at, "by": by,
			"status": "draft", "figures": "{}", "published": nil}
		if action == "publish" {
			f, err := h.computeFigures(r.Context(), h.reportTenants(r, scope), year)
			if err != nil {
				sdk.Fail(w, err)
				return
			}
			fj, _ := json.Marshal(f)
			args["status"], args["figures"], args["published"] = "published", string(fj), at
		}
		q := `UPDATE disclosure_reports SET status = :status, overview = :overview, problems = :problems, other = :other, manual_json = :manual,
			figures_json = :figures, published_at = :published, updated_at = :at, updated_by = :by WHERE tenant_id = :tenant_id AND year = :year AND scope = :scope`
		if rep.ID == 0 {
			q = `INSERT INTO disclosure_reports (tenant_id, year, scope, status, overview, problems, other, manual_json, figures_json, published_at, updated_at, updated_by)
				VALUES (:tenant_id, :year, :scope, :status, :overview, :problems, :other, :manual, :figures, :published, :at, :by)`
		}
		if _, err := s.Exec(r.Context(), q, args); err != nil {
			sdk.Fail(w, err)
			return
		}
		h.audit(r, "report."+action, fmt.Sprintf("%d/%s", year, scope), "")
		h.pagesChanged(r)
	default:
		sdk.Fail(w, sdk.Errorf(sdk.EINVALID, "未知的操作。"))
		return
	}
	target := fmt.Sprintf("admin/disclosure/reports/%d", year)
	if scope == "county" {
		target += "?scope=county"
	}
	http.Redirect(w, r, sdk.URL(r, target), http.StatusSeeOther)
}
