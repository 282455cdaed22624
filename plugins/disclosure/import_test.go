package disclosure

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/sdktest"
)

var (
	importer    = &sdk.User{ID: 30, Name: "站点管理员", Roles: []string{sdk.RoleSiteAdmin}, Permissions: []string{PermAdmin, PermEdit}}
	importRunRe = regexp.MustCompile(`admin/disclosure/import/(\d+)$`)
)

var sheetHeader = []string{"索引号", "名称", "公开目录分类", "发布机构", "发文字号", "体裁分类", "成文日期", "发布日期", "有效性", "内容概述", "正文"}

func csvOf(t *testing.T, rows ...[]string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write(sheetHeader)
	_ = w.WriteAll(rows)
	return b.Bytes()
}

// importSheet uploads a sheet as the import form does, waits for the run
// and returns its page.
func importSheet(t *testing.T, h *sdktest.Harness, tenant *sdk.Tenant, u *sdk.User, name string, data []byte) (*sdktest.Response, string) {
	t.Helper()
	body, ctype := multipartForm(t, nil, "sheet", map[string][]byte{name: data})
	r := h.Do(sdktest.Request{Tenant: tenant, User: u, Method: http.MethodPost, Path: "/admin/disclosure/import/", Body: body,
		Header: http.Header{"Content-Type": {ctype}}})
	m := importRunRe.FindStringSubmatch(r.Header.Get("Location"))
	if r.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("import %s: %d %s", name, r.Status, r.Text())
	}
	h.Server.Handler().(*Handler).imports.wg.Wait()
	return h.Get(tenant, u, "/admin/disclosure/import/"+m[1]), m[1]
}

func countItems(t *testing.T, h *sdktest.Harness, tenant *sdk.Tenant) int {
	t.Helper()
	var n int
	if err := h.Server.Handler().(*Handler).env.DB.Tenant(tenant.ID).Get(t.Context(), &n, `SELECT COUNT(*) FROM disclosure_items WHERE tenant_id = :tenant_id`, nil); err != nil {
		t.Fatal(err)
	}
	return n
}

// A sheet with errors is refused whole, each error named by row and
// column, and the catalogue is as it was.
func TestImportRefusesABadSheetWhole(t *testing.T) {
	h := sdktest.InProcess(t, Module, catalogueOptions())
	at(t, h, "2026-03-10 10:00")
	sheet := csvOf(t,
		[]string{"", "2024年部门预算", "部门预决算", "思南县教育局", "", "", "2024-02-01", "2024-02-10", "有效", "", ""},
		[]string{"", "关于学校布局的通知", "没有这个分类", "思南县教育局", "", "", "2024-02-01", "2024-02-10", "", "", ""},
		[]string{"TESTJYJ/2024-00007", "2024年决算", "部门预决算", "思南县教育局", "", "", "2024/3/1", "2024-02-10", "", "", ""},
		[]string{"TESTJYJ/2024-00007", "重复的索引号", "zcwj", "思南县教育局", "", "", "2024-03-01", "2024-03-02", "失效", "", ""},
		[]string{"", "", "zcwj", "思南县教育局", "", "", "2024-13-01", "2027-01-01", "", "", ""},
	)
	r, _ := importSheet(t, h, jyjU, importer, "旧目录.csv", sheet)
	text := r.Text()
	for _, want := range []string{
		"表格未导入", "共 7 处错误",
		"第 3 行", "没有名为“没有这个分类”的公开目录分类", // the unknown category
		"发布日期不能早于成文日期",                    // row 4
		"索引号 TESTJYJ/2024-00007 与第 4 行重复", // row 5
		"有效性应为",                                  // row 5
		"请填写名称", "请按“年-月-日”填写成文日期", "发布日期不能晚于今天", // row 6
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the refusal does not say %q:\n%d %s", want, r.Status, r.HTML)
		}
	}
	if n := countItems(t, h, jyjU); n != 0 {
		t.Fatalf("a refused sheet wrote %d items", n)
	}
	if len(h.Host.Documents()) != 0 {
		t.Fatal("a refused sheet was indexed")
	}
}

// A good sheet: GBK-encoded as Excel on Chinese Windows saves it, old
// index numbers kept, missing ones generated past the old ones, every
// item published with its old date and in the search index.
func TestImportKeepsOldIndexNumbers(t *testing.T) {
	sdktest.EachDB(t, func(t *testing.T, dsn string) {
		o := catalogueOptions()
		o.DSN = dsn
		h := sdktest.InProcess(t, Module, o)
		at(t, h, "2026-03-10 10:00")
		utf := csvOf(t,
			[]string{"TESTJYJ/2024-00042", "关于印发义务教育学校布局规划的通知", "政策文件", "思南县教育局", "思教发〔2024〕12号", GenreNormative, "2024-03-01", "2024-03-05", "有效", "布局规划", "<p>全文</p><script>x()</script>"},
			[]string{"", "2024年教育经费统计公告", "tjxx", "思南县教育局", "", "公告", "2024-05-06", "2024-05-08", "", "", ""},
			[]string{"OLD-SYS-0001", "2023年部门决算", "部门预决算", "思南县教育局", "", "", "2023-08-01", "2023-08-20", "已废止", "", ""},
		)
		gbk, err := simplifiedchinese.GB18030.NewEncoder().Bytes(utf)
		if err != nil {
			t.Fatal(err)
		}
		r, _ := importSheet(t, h, jyjU, importer, "旧目录.csv", gbk)
		if !strings.Contains(r.Text(), "已导入 3 条公开信息") {
			t.Fatalf("import: %s", r.Text())
		}
		d := h.Server.Handler().(*Handler)
		var got []*Item
		if err := d.env.DB.Tenant(jyjU.ID).Select(t.Context(), &got, `SELECT `+itemColumns+` FROM disclosure_items WHERE tenant_id = :tenant_id ORDER BY id`, nil); err != nil {
			t.Fatal(err)
		}
		want := []struct{ index, published, validity string }{
			{"TESTJYJ/2024-00042", "2024-03-05", ValidityValid},
			{"TESTJYJ/2024-00043", "2024-05-08", ValidityValid},
			{"OLD-SYS-0001", "2023-08-20", ValidityRepealed},
		}
		if len(got) != len(want) {
			t.Fatalf("%d items", len(got))
		}
		for i, w := range want {
			it := got[i]
			if it.Index() != w.index || it.Status != ItemPublished || it.PublishedAt.In(cst).Format("2006-01-02") != w.published || it.Validity != w.validity {
				t.Errorf("item %d: %s %s %v %s, want %+v", i, it.Index(), it.Status, it.PublishedAt, it.Validity, w)
			}
		}
		if strings.Contains(got[0].Body, "script") || got[0].Title != "关于印发义务教育学校布局规划的通知" {
			t.Errorf("body not sanitized or title garbled: %q %q", got[0].Title, got[0].Body)
		}
		if n := len(h.Host.Documents()); n != 3 {
			t.Errorf("%d documents indexed, want 3", n)
		}
		// The year's sequence moved past what the sheet brought.
		var next int
		if err := d.env.DB.Tenant(jyjU.ID).Get(t.Context(), &next, `SELECT next_seq FROM disclosure_index_seq WHERE tenant_id = :tenant_id AND year = 2024`, nil); err != nil || next != 44 {
			t.Errorf("next 2024 number %d (%v), want 44", next, err)
		}
		if r := h.Get(jyjU, nil, "/disclosure/list?year=2024"); !strings.Contains(r.Text(), "2024年教育经费统计公告") {
			t.Errorf("the public list lacks an imported item: %s", r.Text())
		}
		// The same sheet again: every old number is taken now.
		r, _ = importSheet(t, h, jyjU, importer, "旧目录.csv", utf)
		if !strings.Contains(r.Text(), "索引号 TESTJYJ/2024-00042 已在本单位的目录中") || countItems(t, h, jyjU) != 3 {
			t.Fatalf("a second import of the same sheet: %s", r.Text())
		}
		// A number another tenant holds is found at writing; nothing of
		// the sheet is kept.
		r, _ = importSheet(t, h, rsjU, importer, "人社局.csv", csvOf(t,
			[]string{"", "2024年人社工作要点", "规划计划", "思南县人社局", "", "", "2024-01-05", "2024-01-06", "", "", ""},
			[]string{"OLD-SYS-0001", "撞号的条目", "规划计划", "思南县人社局", "", "", "2024-01-05", "2024-01-06", "", "", ""},
		))
		if !strings.Contains(r.Text(), "第 3 行") || !strings.Contains(r.Text(), "已被其他单位使用") || countItems(t, h, rsjU) != 0 {
			t.Fatalf("a number of another tenant: %s", r.Text())
		}
	})
}

// An XLSX sheet: dates as Excel keeps them (serial numbers behind any
// display format), the run's progress readable while and after it runs.
func TestImportXLSX(t *testing.T) {
	h := sdktest.InProcess(t, Module, catalogueOptions())
	at(t, h, "2026-03-10 10:00")
	f := excelize.NewFile()
	_ = f.SetSheetRow("Sheet1", "A1", &sheetHeader)
	style, _ := f.NewStyle(&excelize.Style{NumFmt: 31}) // yyyy"年"m"月"d"日"
	for i := 0; i < 250; i++ {
		row := i + 2
		_ = f.SetSheetRow("Sheet1", "A"+strconv.Itoa(row), &[]any{"", "第" + strconv.Itoa(i+1) + "号公告", "通知公告", "思南县教育局", "", "公告"})
		_ = f.SetCellValue("Sheet1", "G"+strconv.Itoa(row), mustDate("2025-06-03"))
		_ = f.SetCellValue("Sheet1", "H"+strconv.Itoa(row), mustDate("2025-06-04"))
		_ = f.SetCellStyle("Sheet1", "G"+strconv.Itoa(row), "H"+strconv.Itoa(row), style)
	}
	// 通知公告 is no category of the default tree: every row is refused.
	var buf bytes.Buffer
	_ = f.Write(&buf)
	r, id := importSheet(t, h, jyjU, importer, "公告.xlsx", buf.Bytes())
	if !strings.Contains(r.Text(), "共 250 处错误") {
		t.Fatalf("unknown category in every row: %s", r.Text())
	}
	for i := 0; i < 250; i++ {
		_ = f.SetCellValue("Sheet1", "C"+strconv.Itoa(i+2), "其他信息")
	}
	buf.Reset()
	_ = f.Write(&buf)
	r, id = importSheet(t, h, jyjU, importer, "公告.xlsx", buf.Bytes())
	if !strings.Contains(r.Text(), "已导入 250 条公开信息") {
		t.Fatalf("xlsx import: %s", r.Text())
	}
	var p struct {
		Status      string
		Done, Total int
	}
	pr := h.Get(jyjU, importer, "/admin/disclosure/import/"+id+"/progress")
	if err := json.Unmarshal([]byte(pr.Text()), &p); err != nil || p.Status != ImportDone || p.Done != 250 || p.Total != 250 {
		t.Fatalf("progress: %s (%v)", pr.Text(), err)
	}
	var it Item
	if err := h.Server.Handler().(*Handler).env.DB.Tenant(jyjU.ID).Get(t.Context(), &it, `SELECT `+itemColumns+` FROM disclosure_items WHERE tenant_id = :tenant_id ORDER BY id LIMIT 1`, nil); err != nil {
		t.Fatal(err)
	}
	if it.WrittenOn != "2025-06-03" || it.Index() != "TESTJYJ/2025-00001" {
		t.Fatalf("first xlsx item: %s %s", it.WrittenOn, it.Index())
	}
}

// Only a site's administrator imports, and a run is seen only under its
// own tenant.
func TestImportIsTheSiteAdministrators(t *testing.T) {
	h := sdktest.InProcess(t, Module, catalogueOptions())
	at(t, h, "2026-03-10 10:00")
	body, ctype := multipartForm(t, nil, "sheet", map[string][]byte{"a.csv": csvOf(t)})
	if r := h.Do(sdktest.Request{Tenant: jyjU, User: editor, Method: http.MethodPost, Path: "/admin/disclosure/import/", Body: body,
		Header: http.Header{"Content-Type": {ctype}}}); r.Status != http.StatusForbidden {
		t.Fatalf("an editor imports: %d", r.Status)
	}
	r, id := importSheet(t, h, jyjU, importer, "空表.csv", csvOf(t))
	if !strings.Contains(r.Text(), "表格中没有数据行") {
		t.Fatalf("an empty sheet: %s", r.Text())
	}
	if r := h.Get(rsjU, importer, "/admin/disclosure/import/"+id); r.Status != http.StatusNotFound {
		t.Fatalf("another tenant sees the run: %d", r.Status)
	}
	if r := h.Get(jyjU, importer, "/admin/disclosure/import/template.xlsx"); r.Status != http.StatusOK || !strings.HasPrefix(r.Text(), "PK") {
		t.Fatalf("xlsx template: %d", r.Status)
	}
	tpl := h.Get(jyjU, importer, "/admin/disclosure/import/template.csv")
	rows, err := readSheet("template.csv", []byte(tpl.Text()))
	if err != nil || len(rows) != 2 || rows[0][1] != "名称" {
		t.Fatalf("csv template: %v %v", rows, err)
	}
	// The template's example row imports as it stands.
	r, _ = importSheet(t, h, jyjU, importer, "模板.csv", []byte(tpl.Text()))
	if !strings.Contains(r.Text(), "已导入 1 条公开信息") {
		t.Fatalf("the template's own example: %s", r.Text())
	}
}

func TestSheetDate(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"2024-03-01", "2024-03-01"}, {"2024/3/1", "2024-03-01"}, {"2024.3.1", "2024-03-01"}, {"2024年3月1日", "2024-03-01"},
		{"20240301", "2024-03-01"}, {"45352", "2024-03-01"}, {"2024-03-01 09:30:00", "2024-03-01"}, {"昨天", ""}, {"2024-02-30", ""},
	} {
		d, ok := sheetDate(c.in)
		got := ""
		if ok {
			got = d.Format("2006-01-02")
		}
		if got != c.want {
			t.Errorf("%q: %q, want %q", c.in, got, c.want)
		}
	}
}

func mustDate(s string) time.Time {
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return d
}

// With demo content, the portal and 县教育局 get the demo catalogues once,
// marked as demo data; a tenant with no demo sheet gets nothing.
func TestDemoCatalogue(t *testing.T) {
	o := catalogueOptions()
	o.Demo = true
	jyjNoCode := *jyjU
	jyjNoCode.OrgCode = ""
	o.Tenants = []*sdk.Tenant{portalU, &jyjNoCode, rsjU}
	h := sdktest.InProcess(t, Module, o)
	want := map[*sdk.Tenant]int{portalU: 7, &jyjNoCode: 5, rsjU: 0}
	for tenant, n := range want {
		if got := countItems(t, h, tenant); got != n {
			t.Errorf("%s: %d demo items, want %d", tenant.Code, got, n)
		}
	}
	h.Reconfigure(o.Tenants...)
	if got := countItems(t, h, portalU); got != 7 {
		t.Errorf("a second configuration added demo items: %d", got)
	}
	r := h.Get(&jyjNoCode, nil, "/disclosure/list")
	if !strings.Contains(r.Text(), "演示jyj/2026-00001") || !strings.Contains(r.HTML, "demo-tag") {
		t.Errorf("demo list: %s", r.Text())
	}
}
