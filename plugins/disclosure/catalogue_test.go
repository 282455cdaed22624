package disclosure

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/pb"
	"yiwang/plugins/sdk/sdktest"
)

// Units with their codes (test values, not any real body's).
var (
	portalU = &sdk.Tenant{ID: 1, Code: "portal", Name: "思南县人民政府", Kind: "portal", Status: "active", OrgCode: "TESTPORTAL"}
	jyjU    = &sdk.Tenant{ID: 2, Code: "jyj", Name: "思南县教育局", Kind: "department", Status: "active", OrgCode: "TESTJYJ"}
	rsjU    = &sdk.Tenant{ID: 3, Code: "rsj", Name: "思南县人力资源和社会保障局", Kind: "department", Status: "active", OrgCode: "TESTRSJ"}

	editor   = &sdk.User{ID: 20, Name: "周编辑", Roles: []string{sdk.RoleEditor}, Permissions: []string{PermEdit}}
	reviewer = &sdk.User{ID: 21, Name: "吴审核", Roles: []string{sdk.RoleReviewer}, Permissions: []string{PermEdit, PermReview}}

	itemIDRe = regexp.MustCompile(`admin/disclosure/items/(\d+)`)
)

func catalogueOptions() sdktest.Options {
	return sdktest.Options{Tenants: []*sdk.Tenant{portalU, jyjU, rsjU}, Host: sdktest.NewFakeHost(portalU, jyjU, rsjU)}
}

func firstCategory(t *testing.T, h *sdktest.Harness) int64 {
	t.Helper()
	cs, err := h.Server.Handler().(*Handler).categories(context.Background())
	if err != nil || len(cs) != len(defaultCategories) {
		t.Fatalf("categories: %d (%v)", len(cs), err)
	}
	return cs[1].ID // 政策文件
}

// draft creates an item as the editor and returns its id.
func draft(t *testing.T, h *sdktest.Harness, tenant *sdk.Tenant, u *sdk.User, title string, extra url.Values) string {
	t.Helper()
	f := url.Values{"title": {title}, "category": {fmt.Sprint(firstCategory(t, h))}, "publisher": {tenant.Name}, "doc_no": {"思教发〔2026〕3号"},
		"genre": {GenreNormative}, "written_on": {"2026-03-02"}, "summary": {"关于学校布局的通知"}, "body": {"<p>正文</p><script>x()</script>"}}
	for k, v := range extra {
		f[k] = v
	}
	r := h.Post(tenant, u, "/admin/disclosure/items/", f)
	m := itemIDRe.FindStringSubmatch(r.Header.Get("Location"))
	if r.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("create %s: %d %s", title, r.Status, r.Text())
	}
	return m[1]
}

func state(t *testing.T, h *sdktest.Harness, tenant *sdk.Tenant, u *sdk.User, id, action string, want int, extra ...string) *sdktest.Response {
	t.Helper()
	f := url.Values{"action": {action}}
	for i := 0; i+1 < len(extra); i += 2 {
		f.Set(extra[i], extra[i+1])
	}
	r := h.Post(tenant, u, "/admin/disclosure/items/"+id+"/state", f)
	if r.Status != want {
		t.Fatalf("%s %s: %d, want %d: %s", action, id, r.Status, want, r.Text())
	}
	return r
}

// The path of an item: drafted, never approved by its writer, published
// with its index number, found by its metadata, withdrawn.
func TestItemReviewPublishWithdraw(t *testing.T) {
	h := sdktest.InProcess(t, Module, catalogueOptions())
	at(t, h, "2026-03-10 10:00")
	id := draft(t, h, jyjU, reviewer, "关于调整义务教育学校布局的通知", nil)
	if r := h.Get(jyjU, nil, "/disclosure/items/"+id); r.Status != http.StatusNotFound {
		t.Fatalf("a draft is public: %d", r.Status)
	}
	state(t, h, jyjU, reviewer, id, "submit", http.StatusSeeOther)
	r := state(t, h, jyjU, reviewer, id, "approve", http.StatusForbidden)
	if !strings.Contains(r.Message, "不能审核自己编写的信息") {
		t.Fatalf("self-approval: %s", r.Message)
	}
	other := &sdk.User{ID: 22, Name: "郑审核", Permissions: []string{PermEdit, PermReview}}
	state(t, h, jyjU, other, id, "approve", http.StatusSeeOther)
	page := h.Get(jyjU, nil, "/disclosure/items/"+id)
	for _, want := range []string{"TESTJYJ/2026-00001", "思教发〔2026〕3号", "行政规范性文件", "2026-03-02", "有效", "<p>正文</p>"} {
		if !strings.Contains(page.HTML, want) {
			t.Errorf("item page lacks %q", want)
		}
	}
	if strings.Contains(page.HTML, "<script>") {
		t.Error("body not sanitized")
	}
	docs := h.Host.Documents()
	if len(docs) != 1 || !contains(docs[0].Tags, "publisher=思南县教育局") || !contains(docs[0].Tags, "genre=行政规范性文件") || !contains(docs[0].Tags, "year=2026") {
		t.Fatalf("search document: %+v", docs)
	}
	// Editing keeps the number.
	if r := h.Post(jyjU, editor, "/admin/disclosure/items/"+id, url.Values{"title": {"关于调整义务教育学校布局的通知（修订）"}, "category": {fmt.Sprint(firstCategory(t, h))},
		"publisher": {"思南县教育局"}, "written_on": {"2026-03-02"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", r.Status, r.Text())
	}
	if it := loadItem(t, h, jyjU, id); it.Index() != "TESTJYJ/2026-00001" || it.Status != ItemPublished {
		t.Fatalf("after edit: %s %s", it.Index(), it.Status)
	}
	state(t, h, jyjU, other, id, "withdraw", http.StatusSeeOther, "kind", "notice", "reason", "内容已过时")
	if r := h.Get(jyjU, nil, "/disclosure/items/"+id); !strings.Contains(r.HTML, "本信息已撤回：内容已过时") {
		t.Errorf("withdrawn page: %d %s", r.Status, r.Text())
	}
	if len(h.Host.Documents()) != 0 {
		t.Error("withdrawn item still indexed")
	}
	if it := loadItem(t, h, jyjU, id); it.Index() != "TESTJYJ/2026-00001" {
		t.Errorf("withdrawal changed the number: %s", it.Index())
	}
}

func contains(xs []string, x string) bool {
	for _, s := range xs {
		if s == x {
			return true
		}
	}
	return false
}

func loadItem(t *testing.T, h *sdktest.Harness, tenant *sdk.Tenant, id string) *Item {
	t.Helper()
	var n int64
	fmt.Sscan(id, &n)
	it, err := itemByID(context.Background(), h.Server.Handler().(*Handler).env.DB.Tenant(tenant.ID), n)
	if err != nil {
		t.Fatal(err)
	}
	return it
}

// Bad metadata is refused with the reason; a unit without its code cannot
// publish; another tenant cannot reach an item by id.
func TestItemRefusalsAndIsolation(t *testing.T) {
	o := catalogueOptions()
	noCode := &sdk.Tenant{ID: 4, Code: "nocode", Name: "某乡人民政府", Kind: "township", Status: "active"}
	o.Tenants = append(o.Tenants, noCode)
	o.Host = sdktest.NewFakeHost(portalU, jyjU, rsjU, noCode)
	h := sdktest.InProcess(t, Module, o)
	at(t, h, "2026-03-10 10:00")
	cat := fmt.Sprint(firstCategory(t, h))
	for _, c := range []struct {
		name string
		form url.Values
		want string
	}{
		{"future date", url.Values{"title": {"x"}, "category": {cat}, "publisher": {"p"}, "written_on": {"2026-03-11"}}, "成文日期不能晚于今天"},
		{"bad date", url.Values{"title": {"x"}, "category": {cat}, "publisher": {"p"}, "written_on": {"2026/3/1"}}, "请按“年-月-日”填写成文日期"},
		{"no category", url.Values{"title": {"x"}, "publisher": {"p"}, "written_on": {"2026-03-01"}}, "请选择公开目录分类"},
		{"interprets nothing", url.Values{"title": {"x"}, "category": {cat}, "publisher": {"p"}, "written_on": {"2026-03-01"}, "interprets": {"999"}}, "不存在于本单位的目录中"},
	} {
		if r := h.Post(jyjU, editor, "/admin/disclosure/items/", c.form); r.Status != http.StatusBadRequest || !strings.Contains(r.HTML, c.want) {
			t.Errorf("%s: %d %s", c.name, r.Status, r.Text())
		}
	}
	id := draft(t, h, noCode, editor, "乡政府工作报告", nil)
	state(t, h, noCode, editor, id, "submit", http.StatusSeeOther)
	if r := state(t, h, noCode, reviewer, id, "approve", http.StatusConflict); !strings.Contains(r.Message, "统一社会信用代码") {
		t.Errorf("publish without a code: %s", r.Message)
	}
	mine := draft(t, h, jyjU, editor, "教育局草稿", nil)
	for _, path := range []string{"/admin/disclosure/items/" + mine, "/disclosure/items/" + mine} {
		if r := h.Get(rsjU, reviewer, path); r.Status != http.StatusNotFound {
			t.Errorf("人社局 reaches 教育局's item at %s: %d", path, r.Status)
		}
	}
	state(t, h, rsjU, reviewer, mine, "submit", http.StatusNotFound)
	if it := loadItem(t, h, jyjU, mine); it.Status != ItemDraft {
		t.Errorf("another tenant changed the item: %s", it.Status)
	}
	if r := h.Get(jyjU, &sdk.User{ID: 99, Name: "公众"}, "/admin/disclosure/items/"); r.Status != http.StatusForbidden {
		t.Errorf("console for a citizen: %d", r.Status)
	}
}

// Index numbers stay unique, in sequence and without gaps when several
// tenants' reviewers publish at once, on both databases.
func TestIndexNumbersUnderConcurrentPublishing(t *testing.T) {
	sdktest.EachDB(t, func(t *testing.T, dsn string) {
		o := catalogueOptions()
		o.DSN = dsn
		h := sdktest.InProcess(t, Module, o)
		at(t, h, "2026-03-10 10:00")
		const perTenant = 12
		units := []*sdk.Tenant{portalU, jyjU, rsjU}
		type job struct {
			tenant *sdk.Tenant
			id     string
		}
		var jobs []job
		for _, u := range units {
			for i := 0; i < perTenant; i++ {
				id := draft(t, h, u, editor, fmt.Sprintf("%s 第%d号文件", u.Name, i), nil)
				state(t, h, u, editor, id, "submit", http.StatusSeeOther)
				jobs = append(jobs, job{u, id})
			}
		}
		var wg sync.WaitGroup
		errs := make(chan string, len(jobs))
		for _, j := range jobs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req := h.Wire(sdktest.Request{Tenant: j.tenant, User: reviewer, Path: "/admin/disclosure/items/" + j.id + "/state", Form: url.Values{"action": {"approve"}}})
				resp, err := h.Handle(context.Background(), req)
				if err != nil || resp.Status != http.StatusSeeOther {
					errs <- fmt.Sprintf("%s %s: %v %v", j.tenant.Code, j.id, err, failure(resp))
				}
			}()
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Error(e)
		}
		for _, u := range units {
			var got []string
			if err := h.Server.Handler().(*Handler).env.DB.Tenant(u.ID).Select(context.Background(), &got,
				`SELECT index_no FROM disclosure_items WHERE tenant_id = :tenant_id AND status = 'published'`, nil); err != nil {
				t.Fatal(err)
			}
			sort.Strings(got)
			var want []string
			for i := 1; i <= perTenant; i++ {
				want = append(want, fmt.Sprintf("%s/2026-%05d", u.OrgCode, i))
			}
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("%s numbers:\n got %v\nwant %v", u.Code, got, want)
			}
		}
	})
}

func failure(resp *pb.HandleResponse) string {
	if resp == nil {
		return ""
	}
	return sdktest.Decode(resp).Text()
}

// The portal's county-wide view lists every unit's published items, with
// the same filters; a sub-site has no such page.
func TestCountyWidePlatform(t *testing.T) {
	h := sdktest.InProcess(t, Module, catalogueOptions())
	at(t, h, "2026-03-10 10:00")
	for _, u := range []*sdk.Tenant{jyjU, rsjU} {
		id := draft(t, h, u, editor, u.Name+"年度预算", url.Values{"publisher": {u.Name}})
		state(t, h, u, editor, id, "submit", http.StatusSeeOther)
		state(t, h, u, reviewer, id, "approve", http.StatusSeeOther)
	}
	draft(t, h, jyjU, editor, "未发布的草稿", nil)
	all := h.Get(portalU, nil, "/disclosure/platform")
	if !strings.Contains(all.HTML, "思南县教育局年度预算") || !strings.Contains(all.HTML, "思南县人力资源和社会保障局年度预算") || strings.Contains(all.HTML, "未发布的草稿") {
		t.Fatalf("platform: %s", all.HTML)
	}
	one := h.Get(portalU, nil, "/disclosure/platform?publisher="+url.QueryEscape("思南县教育局"))
	if !strings.Contains(one.HTML, "思南县教育局年度预算") || strings.Contains(one.HTML, "人力资源和社会保障局年度预算") {
		t.Fatalf("platform by publisher: %s", one.HTML)
	}
	if r := h.Get(portalU, nil, "/disclosure/platform?unit=rsj"); !strings.Contains(r.HTML, "人力资源和社会保障局年度预算") || strings.Contains(r.HTML, "思南县教育局年度预算") {
		t.Fatalf("platform by unit: %s", r.HTML)
	}
	// A unit that no longer enables the module leaves the county's view.
	h.Reconfigure(portalU, jyjU)
	if r := h.Get(portalU, nil, "/disclosure/platform"); strings.Contains(r.HTML, "人力资源和社会保障局年度预算") || !strings.Contains(r.HTML, "思南县教育局年度预算") {
		t.Fatalf("platform after rsj disabled the module: %s", r.HTML)
	}
	h.Reconfigure(portalU, jyjU, rsjU)
	if r := h.Get(jyjU, nil, "/disclosure/platform"); r.Status != http.StatusNotFound {
		t.Errorf("platform on a sub-site: %d", r.Status)
	}
	if r := h.Get(jyjU, nil, "/disclosure/list?year=2026"); !strings.Contains(r.HTML, "思南县教育局年度预算") || strings.Contains(r.HTML, "人力资源") {
		t.Errorf("tenant list: %s", r.HTML)
	}
}

// Only the county office edits the shared tree; a category in use by any
// tenant cannot be deleted; a duplicate code is refused.
func TestCountyCategoryTree(t *testing.T) {
	h := sdktest.InProcess(t, Module, catalogueOptions())
	at(t, h, "2026-03-10 10:00")
	county := &sdk.User{ID: 1, Name: "县政府办公室", Roles: []string{sdk.RolePlatformAdmin}, Permissions: []string{PermAdmin, PermEdit, PermReview}}
	siteAdmin := &sdk.User{ID: 30, Name: "站点管理员", Roles: []string{sdk.RoleSiteAdmin}, Permissions: []string{PermAdmin}}
	post := func(u *sdk.User, f url.Values) *sdktest.Response {
		return h.Post(portalU, u, "/admin/disclosure/categories/", f)
	}
	used := firstCategory(t, h) // 政策文件: 人社局 gets an item in it
	draft(t, h, rsjU, editor, "人社局文件", nil)
	if r := post(siteAdmin, url.Values{"action": {"add"}, "code": {"xzcf"}, "name": {"行政处罚"}}); r.Status != http.StatusForbidden {
		t.Fatalf("a site admin edits the county's tree: %d", r.Status)
	}
	if r := post(county, url.Values{"action": {"add"}, "code": {"xzcf"}, "name": {"行政处罚"}, "sort": {"30"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("add: %d %s", r.Status, r.Text())
	}
	if r := post(county, url.Values{"action": {"add"}, "code": {"xzcf"}, "name": {"重复"}}); r.Status != http.StatusBadRequest || !strings.Contains(r.HTML, "已经存在") {
		t.Fatalf("duplicate code: %d %s", r.Status, r.Text())
	}
	r := post(county, url.Values{"action": {"delete"}, "id": {fmt.Sprint(used)}})
	if r.Status != http.StatusBadRequest || !strings.Contains(r.HTML, "思南县人力资源和社会保障局") {
		t.Fatalf("delete a category in use: %d %s", r.Status, r.Text())
	}
	if r := post(county, url.Values{"action": {"save"}, "id": {fmt.Sprint(used)}, "name": {"政策法规文件"}, "sort": {"2"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("rename: %d %s", r.Status, r.Text())
	}
	cs, _ := h.Server.Handler().(*Handler).categories(context.Background())
	names := map[string]bool{}
	for _, c := range cs {
		names[c.Name] = true
	}
	if !names["政策法规文件"] || !names["行政处罚"] || names["政策文件"] || len(cs) != len(defaultCategories)+1 {
		t.Fatalf("tree after the changes: %+v", cs)
	}
	var unused int64
	for _, c := range cs {
		if c.Code == "xzcf" {
			unused = c.ID
		}
	}
	if r := post(county, url.Values{"action": {"delete"}, "id": {fmt.Sprint(unused)}}); r.Status != http.StatusSeeOther {
		t.Fatalf("delete an unused category: %d %s", r.Status, r.Text())
	}
}
