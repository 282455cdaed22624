package disclosure

import (
	"bytes"
	"context"
	"embed"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/calendar"
	"yiwang/plugins/sdk/sqldb"
)

// A county moving onto the platform brings its old catalogue as a sheet
// (CSV or XLSX). An import checks every row first and writes all of them
// in one transaction or none: a sheet with one bad row is refused whole,
// with the row and column of every error, so that no one has to find out
// which half of a catalogue arrived.

// Limits of an import.
const (
	maxImportBytes  = 15 << 20 // under the host's 16 MB body limit
	maxImportRows   = 20000
	maxImportErrors = 500 // kept and shown; the count says how many more
)

// Import statuses.
const (
	ImportRunning = "running"
	ImportDone    = "done"
	ImportFailed  = "failed"
)

// importColumns are the sheet's columns in the template's order.
var importColumns = []struct {
	Name     string
	Required bool
	Hint     string
}{
	{"索引号", false, "旧系统的索引号，原样保留；留空则按本单位的统一社会信用代码生成"},
	{"名称", true, "300 字以内"},
	{"公开目录分类", true, "分类名称或代码，如 政策文件 或 zcwj"},
	{"发布机构", true, ""},
	{"发文字号", false, ""},
	{"主题分类", false, ""},
	{"体裁分类", false, "如 行政规范性文件、规章、通知"},
	{"成文日期", true, "年-月-日，如 2024-03-01"},
	{"发布日期", true, "旧系统中的发布日期，不早于成文日期"},
	{"有效性", false, "有效、已修改或已废止，留空为有效"},
	{"主题词", false, ""},
	{"内容概述", false, ""},
	{"正文", false, "可含 HTML，导入时清理"},
}

// ImportError is one thing wrong in a sheet, where people find it.
type ImportError struct {
	Row    int    `json:"row"` // as the spreadsheet numbers it; the header is row 1
	Column string `json:"column"`
	Msg    string `json:"msg"`
}

// Import is a run as the console lists it.
type Import struct {
	ID            int64      `db:"id"`
	TenantID      int64      `db:"tenant_id"`
	FileName      string     `db:"file_name"`
	Status        string     `db:"status"`
	Total         int        `db:"total"`
	Written       int        `db:"written"`
	ErrorsJSON    string     `db:"errors"`
	CreatedBy     int64      `db:"created_by"`
	CreatedByName string     `db:"created_by_name"`
	CreatedAt     time.Time  `db:"created_at"`
	FinishedAt    *time.Time `db:"finished_at"`
}

// StatusLabel is the run's state in Chinese.
func (im *Import) StatusLabel() string {
	return map[string]string{ImportRunning: "进行中", ImportDone: "已导入", ImportFailed: "未导入"}[im.Status]
}

// Errors are the run's errors; ErrorCount may be larger than their number.
func (im *Import) Errors() (list []ImportError, count int) {
	var v struct {
		Count  int           `json:"count"`
		Errors []ImportError `json:"errors"`
	}
	if json.Unmarshal([]byte(im.ErrorsJSON), &v) != nil {
		return nil, 0
	}
	return v.Errors, v.Count
}

// progress is where a run is, kept in the process that runs it.
type progress struct {
	mu          sync.Mutex
	phase       string
	done, total int
}

func (p *progress) set(phase string, done, total int) {
	p.mu.Lock()
	p.phase, p.done, p.total = phase, done, total
	p.mu.Unlock()
}

func (p *progress) get() (string, int, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.phase, p.done, p.total
}

// imports are the runs of this process.
type imports struct {
	mu   sync.Mutex
	runs map[int64]*progress
	wg   sync.WaitGroup
}

func (x *imports) start(id int64) *progress {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.runs == nil {
		x.runs = map[int64]*progress{}
	}
	p := &progress{phase: "读取"}
	x.runs[id] = p
	return p
}

func (x *imports) of(id int64) *progress {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.runs[id]
}

func (x *imports) finish(id int64) {
	x.mu.Lock()
	delete(x.runs, id)
	x.mu.Unlock()
}

func (h *Handler) importRoutes(m *sdk.Mux) {
	m.HandleFunc("GET /admin/disclosure/import/{$}", h.importPage)
	m.HandleFunc("POST /admin/disclosure/import/{$}", h.startImport)
	m.HandleFunc("GET /admin/disclosure/import/template.csv", h.importTemplate)
	m.HandleFunc("GET /admin/disclosure/import/template.xlsx", h.importTemplate)
	m.HandleFunc("GET /admin/disclosure/import/{id}", h.importRun)
	m.HandleFunc("GET /admin/disclosure/import/{id}/progress", h.importProgress)
}

func (h *Handler) needImporter(w http.ResponseWriter, r *http.Request) bool {
	if !sdk.Can(r, PermAdmin) {
		sdk.Fail(w, sdk.Errorf(sdk.EFORBID, "只有站点管理员可以导入公开目录。"))
		return false
	}
	return true
}

func (h *Handler) importPage(w http.ResponseWriter, r *http.Request) {
	if h.needImporter(w, r) {
		h.showImportPage(w, r, http.StatusOK, nil)
	}
}

func (h *Handler) showImportPage(w http.ResponseWriter, r *http.Request, status int, problems []string) {
	var runs []*Import
	if err := h.db(r).Select(r.Context(), &runs, `SELECT id, tenant_id, file_name, status, total, written, errors, created_by, created_by_name, created_at, finished_at
		FROM disclosure_imports WHERE tenant_id = :tenant_id ORDER BY id DESC LIMIT 20`, nil); err != nil {
		sdk.Fail(w, err)
		return
	}
	h.render(w, r, "catalogue_import", "导入公开目录", h.crumbs(r, "导入公开目录"), status,
		map[string]any{"Runs": runs, "Columns": importColumns, "Problems": problems, "MaxRows": maxImportRows})
}

// importTemplate answers an empty sheet with the columns and one example
// row, as CSV or XLSX.
func (h *Handler) importTemplate(w http.ResponseWriter, r *http.Request) {
	if !h.needImporter(w, r) {
		return
	}
	header := make([]string, len(importColumns))
	for i, c := range importColumns {
		header[i] = c.Name
	}
	example := []string{"", "关于印发思南县义务教育学校布局规划的通知", "政策文件", sdk.TenantOf(r).Name, "思教发〔2024〕12号", "教育", GenreNormative,
		"2024-03-01", "2024-03-05", "有效", "教育 学校布局", "规划全县义务教育学校布局", "<p>正文</p>"}
	if strings.HasSuffix(r.URL.Path, ".xlsx") {
		f := excelize.NewFile()
		defer f.Close()
		for i, row := range [][]string{header, example} {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
				sdk.Fail(w, err)
				return
			}
		}
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+urlEscape("公开目录导入模板.xlsx"))
		_ = f.Write(w)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+urlEscape("公开目录导入模板.csv"))
	_, _ = io.WriteString(w, "\uFEFF") // Excel reads UTF-8 only after a byte-order mark
	cw := csv.NewWriter(w)
	_ = cw.Write(header)
	_ = cw.Write(example)
	cw.Flush()
}

// startImport takes the sheet, records the run and starts it; the page it
// redirects to shows the progress.
func (h *Handler) startImport(w http.ResponseWriter, r *http.Request) {
	if !h.needImporter(w, r) {
		return
	}
	if err := r.ParseMultipartForm(maxImportBytes + 1<<20); err != nil || r.MultipartForm == nil || len(r.MultipartForm.File["sheet"]) != 1 {
		h.showImportPage(w, r, http.StatusBadRequest, []string{"请选择一个 CSV 或 XLSX 文件。"})
		return
	}
	fh := r.MultipartForm.File["sheet"][0]
	if fh.Size > maxImportBytes {
		h.showImportPage(w, r, http.StatusBadRequest, []string{fmt.Sprintf("文件超过 %d MB，请分成几个文件导入。", maxImportBytes>>20)})
		return
	}
	data, err := readPart(fh)
	if err != nil || len(data) == 0 {
		h.showImportPage(w, r, http.StatusBadRequest, []string{"文件是空的或无法读取。"})
		return
	}
	t, u := sdk.TenantOf(r), sdk.UserOf(r)
	var running int
	if err := h.db(r).Get(r.Context(), &running, `SELECT COUNT(*) FROM disclosure_imports WHERE tenant_id = :tenant_id AND status = 'running'`, nil); err != nil {
		sdk.Fail(w, err)
		return
	}
	if running > 0 {
		h.showImportPage(w, r, http.StatusConflict, []string{"本单位有一个导入正在进行，请等它结束后再导入。"})
		return
	}
	name := cleanFileName(fh.Filename)
	id, err := h.db(r).Insert(r.Context(), `INSERT INTO disclosure_imports (tenant_id, file_name, status, errors, created_by, created_by_name, created_at)
		VALUES (:tenant_id, :name, 'running', '', :by, :by_name, :at)`, sdk.Args{"name": name, "by": u.ID, "by_name": u.Name, "at": h.now().UTC()})
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	h.audit(r, "item.import.start", strconv.FormatInt(id, 10), name)
	p := h.imports.start(id)
	audit := sdk.AuditEntry{TenantID: t.ID, Actor: u.Actor(), RemoteAddr: r.RemoteAddr, Target: strconv.FormatInt(id, 10)}
	// The run outlives the request; it keeps the request's values (the
	// host's call metadata) but not its cancellation.
	ctx := context.WithoutCancel(r.Context())
	h.imports.wg.Add(1)
	go func() {
		defer h.imports.wg.Done()
		defer h.imports.finish(id)
		h.runImport(ctx, t, u, id, name, data, p, audit)
	}()
	http.Redirect(w, r, sdk.URL(r, "admin/disclosure/import/"+strconv.FormatInt(id, 10)), http.StatusSeeOther)
}

// runImport reads, checks and writes a sheet, and records how it ended.
func (h *Handler) runImport(ctx context.Context, t *sdk.Tenant, u *sdk.User, id int64, name string, data []byte, p *progress, audit sdk.AuditEntry) {
	s := h.env.DB.Tenant(t.ID)
	finish := func(status string, total, written int, errs []ImportError) {
		b, _ := json.Marshal(map[string]any{"count": len(errs), "errors": errs[:min(len(errs), maxImportErrors)]})
		if len(errs) == 0 {
			b = []byte("")
		}
		if _, err := s.Exec(ctx, `UPDATE disclosure_imports SET status = :status, total = :total, written = :written, errors = :errors, finished_at = :at
			WHERE tenant_id = :tenant_id AND id = :id`, sdk.Args{"status": status, "total": total, "written": written, "errors": string(b), "at": h.now().UTC(), "id": id}); err != nil {
			h.env.Log.Error("record import", "import", id, "err", err)
		}
		audit.Action, audit.Detail = "item.import."+status, fmt.Sprintf("%s：%d 行，写入 %d 条，错误 %d 处", name, total, written, len(errs))
		if err := h.env.Host.Audit(ctx, audit); err != nil {
			h.env.Log.Warn("audit", "action", audit.Action, "err", err)
		}
	}
	rows, err := readSheet(name, data)
	if err != nil {
		finish(ImportFailed, 0, 0, []ImportError{{Row: 0, Column: "", Msg: err.Error()}})
		return
	}
	items, errs, err := h.checkSheet(ctx, s, t, rows, p)
	if err != nil {
		h.env.Log.Error("check import", "import", id, "err", err)
		finish(ImportFailed, len(rows)-1, 0, []ImportError{{Msg: "检查时出错，未导入任何条目，请稍后重试。"}})
		return
	}
	if len(errs) > 0 {
		finish(ImportFailed, len(items), 0, errs)
		return
	}
	if len(items) == 0 {
		finish(ImportFailed, 0, 0, []ImportError{{Row: 2, Msg: "表格中没有数据行。"}})
		return
	}
	if errs, err := h.writeImport(ctx, t, u, name, items, p, false); err != nil || len(errs) > 0 {
		if err != nil {
			h.env.Log.Error("write import", "import", id, "err", err)
			errs = []ImportError{{Msg: "写入时出错，未导入任何条目，请稍后重试。"}}
		}
		finish(ImportFailed, len(items), 0, errs)
		return
	}
	for i, row := range items {
		p.set("建立检索", i, len(items))
		h.indexItem(ctx, row.item)
	}
	finish(ImportDone, len(items), len(items), nil)
}

// readSheet gives the rows of a CSV or XLSX file, told apart by content.
func readSheet(name string, data []byte) ([][]string, error) {
	if mime := sniffDocument(name, data); mime == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		f, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			return nil, sdk.Errorf(sdk.EINVALID, "无法打开这个 XLSX 文件：%v", err)
		}
		defer f.Close()
		sheets := f.GetSheetList()
		if len(sheets) == 0 {
			return nil, sdk.Errorf(sdk.EINVALID, "XLSX 文件中没有工作表。")
		}
		// Raw values: a date cell is its serial number whatever format
		// the sheet shows it in.
		rows, err := f.GetRows(sheets[0], excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, sdk.Errorf(sdk.EINVALID, "无法读取工作表“%s”：%v", sheets[0], err)
		}
		return rows, nil
	} else if mime != "" {
		return nil, sdk.Errorf(sdk.EINVALID, "请上传 CSV 或 XLSX 文件（旧版 .xls 请在 Excel 或 WPS 中另存为 .xlsx）。")
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	if !utf8.Valid(data) {
		// Excel and WPS on Chinese Windows save CSV in GB18030 (GBK).
		d, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
		if err != nil || !utf8.Valid(d) {
			return nil, sdk.Errorf(sdk.EINVALID, "无法识别文件的编码，请另存为 UTF-8 或 GBK 编码的 CSV 文件。")
		}
		data = d
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	rows, err := cr.ReadAll()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, sdk.Errorf(sdk.EINVALID, "CSV 文件第 %d 行格式有误：%v", pe.Line, pe.Err)
		}
		return nil, sdk.Errorf(sdk.EINVALID, "无法读取 CSV 文件：%v", err)
	}
	return rows, nil
}

// importRow is a checked row: the item and where it came from.
type importRow struct {
	row       int
	item      *Item
	published time.Time
	seq       int  // of a given index number in the tenant's own form, else 0
	generate  bool // the sheet gives no index number
}

var indexForm = regexp.MustCompile(`^(.+)/(\d{4})-(\d{5})$`)

// checkSheet checks every row and returns the items or every error.
func (h *Handler) checkSheet(ctx context.Context, s *sdk.Scope, t *sdk.Tenant, rows [][]string, p *progress) ([]importRow, []ImportError, error) {
	var errs []ImportError
	bad := func(row int, col, msg string) { errs = append(errs, ImportError{Row: row, Column: col, Msg: msg}) }
	head := 0
	for head < len(rows) && blank(rows[head]) {
		head++
	}
	if head == len(rows) {
		return nil, []ImportError{{Row: 1, Msg: "表格是空的：第一行应是列名，见导入模板。"}}, nil
	}
	if len(rows)-head-1 > maxImportRows {
		return nil, []ImportError{{Row: head + 1, Msg: fmt.Sprintf("一次最多导入 %d 行，请分成几个文件。", maxImportRows)}}, nil
	}
	col := map[string]int{}
	for i, name := range rows[head] {
		name = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(name), "*"))
		if name == "" {
			continue
		}
		known := false
		for _, c := range importColumns {
			known = known || c.Name == name
		}
		if !known {
			bad(head+1, columnName(i), "无法识别的列“"+name+"”，列名见导入模板。")
		} else if _, dup := col[name]; dup {
			bad(head+1, columnName(i), "列“"+name+"”出现了两次。")
		}
		col[name] = i
	}
	for _, c := range importColumns {
		if _, ok := col[c.Name]; c.Required && !ok {
			bad(head+1, "", "缺少必填的列“"+c.Name+"”。")
		}
	}
	if len(errs) > 0 {
		return nil, errs, nil
	}
	cs, err := h.categories(ctx)
	if err != nil {
		return nil, nil, err
	}
	prefix := t.OrgCode
	seen := map[string]int{}
	var out []importRow
	total := len(rows) - head - 1
	for i, row := range rows[head+1:] {
		n := head + 2 + i
		if i%100 == 0 {
			p.set("检查", i, total)
		}
		if blank(row) {
			continue
		}
		cell := func(name string) string {
			if j, ok := col[name]; ok && j < len(row) {
				return strings.TrimSpace(row[j])
			}
			return ""
		}
		it := &Item{Title: cell("名称"), Publisher: cell("发布机构"), DocNo: cell("发文字号"), TopicClass: cell("主题分类"), Genre: cell("体裁分类"),
			Keywords: cell("主题词"), Summary: cell("内容概述"), Body: sdk.Sanitize(cell("正文")), Validity: ValidityValid, Status: ItemPublished, TenantID: t.ID}
		it.CategoryID = categoryByNameOrCode(cs, cell("公开目录分类"))
		var written time.Time
		if v := cell("成文日期"); v != "" {
			if d, ok := sheetDate(v); ok {
				it.WrittenOn, written = d.Format("2006-01-02"), d
			} else {
				it.WrittenOn = v // checkItem names the format
			}
		}
		ps, err := h.checkItem(ctx, s, cs, it)
		if err != nil {
			return nil, nil, err
		}
		for _, pr := range ps {
			if v := cell("公开目录分类"); pr.Field == "公开目录分类" && v != "" {
				pr.Msg = "没有名为“" + v + "”的公开目录分类，请填写分类的名称或代码。"
			}
			bad(n, pr.Field, pr.Msg)
		}
		r := importRow{row: n, item: it}
		switch v := cell("发布日期"); {
		case v == "":
			bad(n, "发布日期", "请填写发布日期。")
		default:
			d, ok := sheetDate(v)
			switch {
			case !ok:
				bad(n, "发布日期", "请按“年-月-日”填写发布日期，例如 2024-03-05。")
			case d.Format("2006-01-02") > h.today():
				bad(n, "发布日期", "发布日期不能晚于今天。")
			case !written.IsZero() && d.Before(written):
				bad(n, "发布日期", "发布日期不能早于成文日期。")
			default:
				r.published = d
				it.PublishedAt, it.SeqYear = &r.published, d.Year()
			}
		}
		if v := cell("有效性"); v != "" {
			if code := validityCode(v); code != "" {
				it.Validity = code
				if code == ValidityRepealed {
					it.RepealedOn = h.today()
				}
			} else {
				bad(n, "有效性", "有效性应为 有效、已修改 或 已废止。")
			}
		}
		switch idx := cell("索引号"); {
		case idx == "" && prefix == "":
			bad(n, "索引号", "本单位尚未登记统一社会信用代码，无法生成索引号：请填写旧系统的索引号，或请县政府办公室补录代码。")
		case idx == "":
			r.generate = true
		case utf8.RuneCountInString(idx) > 64 || strings.ContainsAny(idx, " \t\r\n"):
			bad(n, "索引号", "索引号应不超过 64 个字符且不含空格。")
		case seen[idx] > 0:
			bad(n, "索引号", fmt.Sprintf("索引号 %s 与第 %d 行重复。", idx, seen[idx]))
		default:
			seen[idx] = n
			var have int
			if err := s.Get(ctx, &have, `SELECT COUNT(*) FROM disclosure_items WHERE tenant_id = :tenant_id AND index_no = :idx`, sdk.Args{"idx": idx}); err != nil {
				return nil, nil, err
			}
			if have > 0 {
				bad(n, "索引号", "索引号 "+idx+" 已在本单位的目录中。")
			}
			it.IndexNo = &idx
			if m := indexForm.FindStringSubmatch(idx); m != nil && m[1] == prefix {
				r.seq, _ = strconv.Atoi(m[3])
				it.SeqYear, _ = strconv.Atoi(m[2])
			}
		}
		out = append(out, r)
	}
	p.set("检查", total, total)
	return out, errs, nil
}

// writeImport writes every checked row in one transaction. Index numbers
// the sheet lacks are taken from the tenant's sequence, which is moved
// past every number of the tenant's own form the sheet brings, so no
// number is ever given twice. An index number another tenant holds shows
// only here, as the unique index refuses it: the row is named and
// nothing is written.
func (h *Handler) writeImport(ctx context.Context, t *sdk.Tenant, u *sdk.User, name string, rows []importRow, p *progress, demo bool) ([]ImportError, error) {
	demoFlag := 0
	if demo {
		demoFlag = 1
	}
	years := map[int]bool{}
	for _, r := range rows {
		years[r.item.SeqYear] = true
	}
	for y := range years {
		if _, err := h.env.DB.Tenant(t.ID).Exec(ctx, `INSERT INTO disclosure_index_seq (tenant_id, year, next_seq) VALUES (:tenant_id, :year, 1)`,
			sdk.Args{"year": y}); err != nil && !sqldb.IsUniqueViolation(err) {
			return nil, fmt.Errorf("index sequence of %d: %w", y, err)
		}
	}
	var rowErr []ImportError
	at := h.now().UTC()
	for try := 0; ; try++ {
		rowErr = nil
		err := h.env.DB.Tx(ctx, t.ID, func(s *sdk.Scope) error {
			for _, r := range rows {
				if r.seq > 0 {
					if _, err := s.Exec(ctx, `UPDATE disclosure_index_seq SET next_seq = :next WHERE tenant_id = :tenant_id AND year = :year AND next_seq <= :seq`,
						sdk.Args{"next": r.seq + 1, "year": r.item.SeqYear, "seq": r.seq}); err != nil {
						return err
					}
				}
			}
			for i, r := range rows {
				if i%100 == 0 {
					p.set("写入", i, len(rows))
				}
				it := r.item
				if r.generate {
					if _, err := s.Exec(ctx, `UPDATE disclosure_index_seq SET next_seq = next_seq + 1 WHERE tenant_id = :tenant_id AND year = :year`, sdk.Args{"year": it.SeqYear}); err != nil {
						return err
					}
					var next int
					if err := s.Get(ctx, &next, `SELECT next_seq FROM disclosure_index_seq WHERE tenant_id = :tenant_id AND year = :year`, sdk.Args{"year": it.SeqYear}); err != nil {
						return err
					}
					idx := fmt.Sprintf("%s/%d-%05d", t.OrgCode, it.SeqYear, next-1)
					it.IndexNo = &idx
				}
				published := time.Date(r.published.Year(), r.published.Month(), r.published.Day(), 0, 0, 0, 0, cst).UTC()
				it.PublishedAt = &published
				id, err := s.Insert(ctx, `INSERT INTO disclosure_items (tenant_id, category_id, index_no, seq_year, title, publisher, doc_no, topic_class, genre,
					written_on, publish_due, published_at, validity, repealed_on, keywords, summary, body, status, withdraw_reason, created_by, created_by_name,
					reviewed_by, review_note, demo, created_at, updated_at) VALUES (:tenant_id, :cat, :idx, :year, :title, :publisher, :doc_no, :topic, :genre,
					:written, :due, :published, :validity, :rep, :kw, :summary, :body, 'published', '', :by, :by_name, :by, :note, :demo, :at, :at)`,
					sdk.Args{"cat": it.CategoryID, "idx": *it.IndexNo, "year": it.SeqYear, "title": it.Title, "publisher": it.Publisher, "doc_no": it.DocNo,
						"topic": it.TopicClass, "genre": it.Genre, "written": it.WrittenOn, "due": it.PublishDue, "published": published, "validity": it.Validity,
						"rep": it.RepealedOn, "kw": it.Keywords, "summary": it.Summary, "body": it.Body, "by": u.ID, "by_name": u.Name,
						"note": "从旧目录导入（" + name + "）", "demo": demoFlag, "at": at})
				if sqldb.IsUniqueViolation(err) {
					rowErr = []ImportError{{Row: r.row, Column: "索引号", Msg: "索引号 " + *it.IndexNo + " 已被其他单位使用。"}}
					return err
				}
				if err != nil {
					return fmt.Errorf("row %d: %w", r.row, err)
				}
				it.ID, it.CreatedAt, it.UpdatedAt = id, at, at
			}
			p.set("写入", len(rows), len(rows))
			return nil
		})
		if err != nil {
			for _, r := range rows { // nothing was kept
				r.item.ID = 0
			}
		}
		if rowErr != nil {
			return rowErr, nil
		}
		if err != nil && try < 10 && strings.Contains(err.Error(), "1213") {
			continue
		}
		return nil, err
	}
}

// importLimit is how long a run may take before it is taken for
// interrupted: its process ended, and with it the transaction, so nothing
// of it was written.
const importLimit = time.Hour

// tickImports closes runs whose process ended while they ran.
func (h *Handler) tickImports(ctx context.Context, at time.Time) []string {
	var notes []string
	for _, tc := range h.env.Tenants() {
		res, err := h.env.DB.Tenant(tc.Tenant.ID).Exec(ctx, `UPDATE disclosure_imports SET status = 'failed', finished_at = :at,
			errors = :errors WHERE tenant_id = :tenant_id AND status = 'running' AND created_at < :before`,
			sdk.Args{"at": at.UTC(), "before": at.Add(-importLimit).UTC(), "errors": `{"count":1,"errors":[{"row":0,"column":"","msg":"导入被中断，未写入任何条目，请重新导入。"}]}`})
		if err != nil {
			h.env.Log.Warn("close interrupted imports", "tenant", tc.Tenant.ID, "err", err)
			continue
		}
		if n, _ := res.RowsAffected(); n > 0 {
			notes = append(notes, fmt.Sprintf("%s：%d 次中断的目录导入已关闭", tc.Tenant.Name, n))
		}
	}
	return notes
}

//go:embed demo/*.csv
var demoFS embed.FS

// seedDemoCatalogue imports the demo catalogues of the portal and 县教育局
// into tenants that have no items yet, marked as demo data. A unit
// without its code numbers them under 演示<code>.
func (h *Handler) seedDemoCatalogue(ctx context.Context, ts []sdk.TenantConfig) {
	for _, tc := range ts {
		t := tc.Tenant
		data, err := demoFS.ReadFile("demo/" + t.Code + ".csv")
		if err != nil {
			continue
		}
		s := h.env.DB.Tenant(t.ID)
		var n int
		if err := s.Get(ctx, &n, `SELECT COUNT(*) FROM disclosure_items WHERE tenant_id = :tenant_id`, nil); err != nil || n > 0 {
			continue
		}
		if t.OrgCode == "" {
			t.OrgCode = "演示" + t.Code
		}
		rows, err := readSheet(t.Code+".csv", data)
		if err == nil {
			var items []importRow
			var errs []ImportError
			if items, errs, err = h.checkSheet(ctx, s, &t, rows, &progress{}); err == nil && len(errs) == 0 {
				if errs, err = h.writeImport(ctx, &t, &sdk.User{Name: "演示数据"}, "演示目录", items, &progress{}, true); err == nil && len(errs) == 0 {
					for _, r := range items {
						h.indexItem(ctx, r.item)
					}
					continue
				}
			}
			if err == nil {
				err = fmt.Errorf("%+v", errs)
			}
		}
		h.env.Log.Warn("demo catalogue", "tenant", t.Code, "err", err)
	}
}

func blank(row []string) bool {
	for _, c := range row {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// columnName is a spreadsheet's name of the i-th column (0: A).
func columnName(i int) string {
	n, err := excelize.ColumnNumberToName(i + 1)
	if err != nil {
		return strconv.Itoa(i + 1)
	}
	return n + " 列"
}

func categoryByNameOrCode(cs []Category, v string) int64 {
	for _, c := range cs {
		if c.Name == v || strings.EqualFold(c.Code, v) {
			return c.ID
		}
	}
	return 0
}

func validityCode(v string) string {
	for _, t := range validities {
		if t.Label == v || t.Code == v {
			return t.Code
		}
	}
	return ""
}

var dateForms = []string{"2006-01-02", "2006/1/2", "2006-1-2", "2006.1.2", "2006年1月2日", "20060102"}

// sheetDate reads a date as people type it or as Excel stores it (a
// serial day number); a time after the date is ignored.
func sheetDate(v string) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if i := strings.IndexAny(v, " T"); i > 0 {
		v = v[:i]
	}
	for _, f := range dateForms {
		if d, err := time.ParseInLocation(f, v, cst); err == nil {
			return d, true
		}
	}
	if n, err := strconv.ParseFloat(v, 64); err == nil && n >= 1 && n < 100000 && len(v) <= 12 {
		if d, err := excelize.ExcelDateToTime(n, false); err == nil {
			return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, cst), true
		}
	}
	if _, err := calendar.ParseDate(v); err == nil {
		d, _ := time.ParseInLocation("2006-01-02", v, cst)
		return d, true
	}
	return time.Time{}, false
}

// importRun shows a run: its progress while it runs, then its result.
func (h *Handler) importRun(w http.ResponseWriter, r *http.Request) {
	if !h.needImporter(w, r) {
		return
	}
	im, ok := h.importOf(w, r)
	if !ok {
		return
	}
	errs, count := im.Errors()
	phase, done, total := "", 0, 0
	if p := h.imports.of(im.ID); p != nil {
		phase, done, total = p.get()
	}
	h.render(w, r, "catalogue_import_run", "导入公开目录", h.crumbs(r, "导入公开目录"), http.StatusOK,
		map[string]any{"Run": im, "Errors": errs, "ErrorCount": count, "Phase": phase, "Done": done, "Total": total})
}

// importProgress answers a run's progress as JSON for the page's script.
func (h *Handler) importProgress(w http.ResponseWriter, r *http.Request) {
	if !h.needImporter(w, r) {
		return
	}
	im, ok := h.importOf(w, r)
	if !ok {
		return
	}
	v := map[string]any{"status": im.Status, "phase": "", "done": im.Written, "total": im.Total}
	if p := h.imports.of(im.ID); p != nil && im.Status == ImportRunning {
		v["phase"], v["done"], v["total"] = p.get()
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(v)
}

func (h *Handler) importOf(w http.ResponseWriter, r *http.Request) (*Import, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	var im Import
	if err == nil {
		err = h.db(r).Get(r.Context(), &im, `SELECT id, tenant_id, file_name, status, total, written, errors, created_by, created_by_name, created_at, finished_at
			FROM disclosure_imports WHERE tenant_id = :tenant_id AND id = :id`, sdk.Args{"id": id})
	}
	if err != nil {
		sdk.Fail(w, sdk.Errorf(sdk.ENOTFOUND, "没有找到这次导入。"))
		return nil, false
	}
	return &im, true
}
