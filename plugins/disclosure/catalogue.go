package disclosure

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/calendar"
	"yiwang/plugins/sdk/sqldb"
)

// countyScope holds what the county office defines once for every
// tenant (the category tree): tenant id 0 is no tenant.
const countyScope = 0

// publishWithin is the period to publish an item in, in working days from
// its forming (成文日期): art. 26 of the Regulations.
const publishWithin = 20

// defaultCategories are the county's 22 categories (公开目录分类) shipped
// with the module; the county office edits the tree afterwards.
var defaultCategories = []struct{ code, name string }{
	{"jgzn", "机构职能"}, {"zcwj", "政策文件"}, {"zcjd", "政策解读"}, {"ghjh", "规划计划"}, {"xzqlqd", "行政权力清单"},
	{"czzj", "财政资金"}, {"bmyjs", "部门预决算"}, {"sgjf", "三公经费"}, {"rsxx", "人事信息"}, {"zfcg", "政府采购"},
	{"zdxm", "重大项目"}, {"tjxx", "统计信息"}, {"yjgl", "应急管理"}, {"jytabl", "建议提案办理"}, {"sjxx", "审计信息"},
	{"shjz", "社会救助"}, {"jyly", "教育领域"}, {"ylws", "医疗卫生"}, {"sthj", "生态环境"}, {"ggfw", "公共服务"},
	{"zwdc", "政务督查"}, {"qtxx", "其他信息"},
}

// Item statuses.
const (
	ItemDraft     = "draft"
	ItemPending   = "pending"
	ItemPublished = "published"
	ItemWithdrawn = "withdrawn"
)

// withdrawKinds are the three kinds of withdrawal core uses for articles.
var withdrawKinds = []Term{
	{"error", "错误发布（页面不再提供）"},
	{"notice", "撤回（保留页面并显示撤回说明）"},
	{"replaced", "已被替代（指向新的条目）"},
}

// validities name 有效性.
var validities = []Term{{ValidityValid, "有效"}, {ValidityAmended, "已修改"}, {ValidityRepealed, "已废止"}}

// Category is one entry of the county's tree.
type Category struct {
	ID   int64  `db:"id"`
	Code string `db:"code"`
	Name string `db:"name"`
	Sort int    `db:"sort"`
	N    int    `db:"-"` // published items, where a page counts them
}

// Item is a catalogue item with its standard metadata.
type Item struct {
	ID             int64      `db:"id"`
	TenantID       int64      `db:"tenant_id"`
	CategoryID     int64      `db:"category_id"`
	IndexNo        *string    `db:"index_no"`
	SeqYear        int        `db:"seq_year"`
	Title          string     `db:"title"`
	Publisher      string     `db:"publisher"`
	DocNo          string     `db:"doc_no"`
	TopicClass     string     `db:"topic_class"`
	Genre          string     `db:"genre"`
	WrittenOn      string     `db:"written_on"`
	PublishDue     string     `db:"publish_due"`
	PublishedAt    *time.Time `db:"published_at"`
	Validity       string     `db:"validity"`
	SupersededBy   int64      `db:"superseded_by"`
	RepealedOn     string     `db:"repealed_on"`
	InterpretsID   int64      `db:"interprets_id"`
	Keywords       string     `db:"keywords"`
	Summary        string     `db:"summary"`
	Body           string     `db:"body"`
	Status         string     `db:"status"`
	WithdrawKind   string     `db:"withdraw_kind"`
	WithdrawReason string     `db:"withdraw_reason"`
	CreatedBy      int64      `db:"created_by"`
	CreatedByName  string     `db:"created_by_name"`
	ReviewedBy     int64      `db:"reviewed_by"`
	ReviewNote     string     `db:"review_note"`
	Demo           int        `db:"demo"`
	CreatedAt      time.Time  `db:"created_at"`
	UpdatedAt      time.Time  `db:"updated_at"`
}

// Index is the 索引号, "" before first publication.
func (it *Item) Index() string {
	if it.IndexNo == nil {
		return ""
	}
	return *it.IndexNo
}

// ValidityLabel is 有效性 in Chinese.
func (it *Item) ValidityLabel() string { return termLabel(validities, it.Validity) }

// StatusLabel is the item's state in Chinese.
func (it *Item) StatusLabel() string {
	return map[string]string{ItemDraft: "草稿", ItemPending: "待审核", ItemPublished: "已发布", ItemWithdrawn: "已撤回"}[it.Status]
}

// Late reports whether the item was (or, unpublished, is) past its
// publication window on day.
func (it *Item) Late(day string) bool {
	if it.PublishDue == "" {
		return false
	}
	if it.PublishedAt != nil {
		return it.PublishedAt.In(cst).Format("2006-01-02") > it.PublishDue
	}
	return day > it.PublishDue
}

// public reports whether the item's page is open to everyone: published,
// or withdrawn with its page kept (every kind but an erroneous release).
func (it *Item) public() bool {
	return it.Status == ItemPublished || (it.Status == ItemWithdrawn && it.WithdrawKind != "error")
}

// listColumns are what a list shows of an item: no body.
const listColumns = `id, tenant_id, category_id, index_no, seq_year, title, publisher, doc_no, topic_class, genre, written_on, publish_due, published_at,
	validity, status, demo, created_at, updated_at`

const itemColumns = `id, tenant_id, category_id, index_no, seq_year, title, publisher, doc_no, topic_class, genre, written_on, publish_due, published_at,
	validity, superseded_by, repealed_on, interprets_id, keywords, summary, body, status, withdraw_kind, withdraw_reason, created_by, created_by_name,
	reviewed_by, review_note, demo, created_at, updated_at`

func itemByID(ctx context.Context, s *sdk.Scope, id int64) (*Item, error) {
	var it Item
	if err := s.Get(ctx, &it, `SELECT `+itemColumns+` FROM disclosure_items WHERE tenant_id = :tenant_id AND id = :id`, sdk.Args{"id": id}); err != nil {
		return nil, sdk.Found(err, "没有找到这条信息。")
	}
	return &it, nil
}

// catalogueRoutes registers the catalogue's pages: the public catalogue
// (/disclosure/…), the county-wide platform on the portal, and the staff
// console (/admin/disclosure/items/…).
func (h *Handler) catalogueRoutes(m *sdk.Mux) {
	m.HandleFunc("GET /disclosure/{$}", public(h.home))
	m.HandleFunc("GET /disclosure/list", public(h.publicList))
	m.HandleFunc("GET /disclosure/platform", public(h.platform))
	m.HandleFunc("GET /disclosure/items/{id}", public(h.publicItem))
	m.HandleFunc("GET /admin/disclosure/items/{$}", h.staffItems)
	m.HandleFunc("GET /admin/disclosure/items/new", h.newItem)
	m.HandleFunc("POST /admin/disclosure/items/{$}", h.saveItem)
	m.HandleFunc("GET /admin/disclosure/items/{id}", h.editItem)
	m.HandleFunc("POST /admin/disclosure/items/{id}", h.saveItem)
	m.HandleFunc("POST /admin/disclosure/items/{id}/state", h.itemState)
	m.HandleFunc("POST /admin/disclosure/items/{id}/files", h.addItemFiles)
	m.HandleFunc("POST /admin/disclosure/items/{id}/files/{fid}/delete", h.deleteItemFile)
	m.HandleFunc("GET /disclosure/items/{id}/files/{fid}", h.itemFile)
	m.HandleFunc("GET /admin/disclosure/categories/{$}", h.staffCategories)
	m.HandleFunc("POST /admin/disclosure/categories/{$}", h.saveCategory)
}

// ensureCategories writes the default tree once; two processes starting
// together meet on the unique code and the loser's rows are dropped.
func (h *Handler) ensureCategories(ctx context.Context) error {
	s := h.env.DB.Tenant(countyScope)
	var n int
	if err := s.Get(ctx, &n, `SELECT COUNT(*) FROM disclosure_categories WHERE tenant_id = :tenant_id`, nil); err != nil || n > 0 {
		return err
	}
	now := time.Now().UTC()
	for i, c := range defaultCategories {
		_, err := s.Exec(ctx, `INSERT INTO disclosure_categories (tenant_id, code, name, sort, created_at, updated_at) VALUES (:tenant_id, :code, :name, :sort, :at, :at)`,
			sdk.Args{"code": c.code, "name": c.name, "sort": i + 1, "at": now})
		if err != nil && !sqldb.IsUniqueViolation(err) {
			return fmt.Errorf("default category %s: %w", c.code, err)
		}
	}
	return nil
}

func (h *Handler) categories(ctx context.Context) ([]Category, error) {
	var cs []Category
	err := h.env.DB.Tenant(countyScope).Select(ctx, &cs, `SELECT id, code, name, sort FROM disclosure_categories WHERE tenant_id = :tenant_id ORDER BY sort, id`, nil)
	return cs, err
}

func categoryName(cs []Category, id int64) string {
	for _, c := range cs {
		if c.ID == id {
			return c.Name
		}
	}
	return ""
}

// ---- public pages

type listView struct {
	Items      []*Item
	Categories []Category
	Cat        int64
	Year       string
	Publisher  string
	Page, Last int
	Prev, Next string
	Platform   bool
	More       bool // more items match than the pages reach
	total      int
	Units      map[int64]string
	Unit       string
}

const pageSize = 20

// reader is a tenant's scope or a read across tenants.
type reader interface {
	Select(ctx context.Context, dest any, query string, arg any) error
	Get(ctx context.Context, dest any, query string, arg any) error
}

var (
	_ reader = (*sdk.Scope)(nil)
	_ reader = (*sdk.ReadScope)(nil)
)

// maxListed is how far the pages of a list reach (filters caps the page
// at 500); counting stops past it, so a county's list costs the same
// whatever the county's size.
const maxListed = 500 * pageSize

// listPage fills v with a page of published items matching where and the
// number of them up to maxListed (one more tells that there are more).
func (h *Handler) listPage(ctx context.Context, s reader, scope, where string, args sdk.Args, v *listView) error {
	if err := s.Get(ctx, &v.total, `SELECT COUNT(*) FROM (SELECT 1 FROM disclosure_items WHERE `+scope+` AND `+where+`
		LIMIT `+strconv.Itoa(maxListed+1)+`) AS listed`, args); err != nil {
		return fmt.Errorf("count items: %w", err)
	}
	args["off"] = (v.Page - 1) * pageSize
	if err := s.Select(ctx, &v.Items, `SELECT `+listColumns+` FROM disclosure_items WHERE `+scope+` AND `+where+`
		ORDER BY published_at DESC, id DESC LIMIT `+strconv.Itoa(pageSize)+` OFFSET :off`, args); err != nil {
		return fmt.Errorf("list items: %w", err)
	}
	v.More = v.total > maxListed
	return nil
}

// filters reads the list filters of a query into a WHERE clause.
func filters(r *http.Request, v *listView) (string, sdk.Args) {
	q := r.URL.Query()
	where, args := []string{"status = 'published'"}, sdk.Args{}
	if c, err := strconv.ParseInt(q.Get("cat"), 10, 64); err == nil && c > 0 {
		v.Cat = c
		where, args["cat"] = append(where, "category_id = :cat"), c
	}
	if y, err := strconv.Atoi(q.Get("year")); err == nil && y >= 1990 && y <= 2100 {
		v.Year = q.Get("year")
		where, args["year"] = append(where, "seq_year = :year"), y
	}
	if p := strings.TrimSpace(q.Get("publisher")); p != "" && utf8.RuneCountInString(p) <= 100 {
		v.Publisher = p
		where, args["publisher"] = append(where, "publisher = :publisher"), p
	}
	v.Page, _ = strconv.Atoi(q.Get("page"))
	v.Page = max(1, min(v.Page, 500))
	return strings.Join(where, " AND "), args
}

func (v *listView) links(r *http.Request, path string, total int) {
	v.Last = min(max(1, (total+pageSize-1)/pageSize), maxListed/pageSize)
	q := r.URL.Query()
	if v.Page > 1 {
		q.Set("page", strconv.Itoa(v.Page-1))
		v.Prev = sdk.URL(r, path) + "?" + q.Encode()
	}
	if v.Page < v.Last {
		q.Set("page", strconv.Itoa(v.Page+1))
		v.Next = sdk.URL(r, path) + "?" + q.Encode()
	}
}

func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	cs, err := h.categories(r.Context())
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	var counts []struct {
		Cat int64 `db:"category_id"`
		N   int   `db:"n"`
	}
	if err := h.db(r).Select(r.Context(), &counts, `SELECT category_id, COUNT(*) AS n FROM disclosure_items WHERE tenant_id = :tenant_id AND status = 'published' GROUP BY category_id`, nil); err != nil {
		sdk.Fail(w, err)
		return
	}
	for _, c := range counts {
		for i := range cs {
			if cs[i].ID == c.Cat {
				cs[i].N = c.N
			}
		}
	}
	var latest []*Item
	if err := h.db(r).Select(r.Context(), &latest, `SELECT `+itemColumns+` FROM disclosure_items WHERE tenant_id = :tenant_id AND status = 'published'
		ORDER BY published_at DESC, id DESC LIMIT 10`, nil); err != nil {
		sdk.Fail(w, err)
		return
	}
	h.render(w, r, "home", NavTitle, nil, http.StatusOK, map[string]any{"Categories": cs, "Latest": latest, "Portal": sdk.TenantOf(r).IsPortal()})
}

func (h *Handler) publicList(w http.ResponseWriter, r *http.Request) {
	v := &listView{}
	where, args := filters(r, v)
	if err := h.listPage(r.Context(), h.db(r), "tenant_id = :tenant_id", where, args, v); err != nil {
		sdk.Fail(w, err)
		return
	}
	var err error
	if v.Categories, err = h.categories(r.Context()); err != nil {
		sdk.Fail(w, err)
		return
	}
	v.links(r, "disclosure/list", v.total)
	h.render(w, r, "catalogue_list", "公开目录", h.crumbs(r, "公开目录"), http.StatusOK, v)
}

// platform is the portal's county-wide catalogue (信息公开平台): every
// enabling tenant's published items under the same filters, in one read
// across those tenants.
func (h *Handler) platform(w http.ResponseWriter, r *http.Request) {
	if !sdk.TenantOf(r).IsPortal() {
		sdk.Fail(w, sdk.Errorf(sdk.ENOTFOUND, "信息公开平台在门户网站上。"))
		return
	}
	v := &listView{Platform: true, Units: map[int64]string{}}
	where, args := filters(r, v)
	unit := r.URL.Query().Get("unit")
	var ids []int64
	for _, tc := range h.env.Tenants() {
		v.Units[tc.Tenant.ID] = tc.Tenant.Name
		if unit == "" || unit == tc.Tenant.Code {
			ids = append(ids, tc.Tenant.ID)
		}
	}
	if unit != "" && len(ids) > 0 {
		v.Unit = unit
	}
	var err error
	if len(ids) == 1 {
		// One unit reads as its own list does, by its own indexes.
		err = h.listPage(r.Context(), h.env.DB.Tenant(ids[0]), "tenant_id = :tenant_id", where, args, v)
	} else {
		err = h.listPage(r.Context(), h.env.DB.Across(ids), "tenant_id IN (:tenant_ids)", where, args, v)
	}
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	if v.Categories, err = h.categories(r.Context()); err != nil {
		sdk.Fail(w, err)
		return
	}
	v.links(r, "disclosure/platform", v.total)
	h.render(w, r, "catalogue_list", "信息公开平台", h.crumbs(r, "信息公开平台"), http.StatusOK, v)
}

func (h *Handler) publicItem(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	var it *Item
	if err == nil {
		it, err = itemByID(r.Context(), h.db(r), id)
	}
	if err != nil || !it.public() {
		sdk.Fail(w, sdk.Errorf(sdk.ENOTFOUND, "没有找到这条信息，可能已被撤回或地址有误。"))
		return
	}
	cs, err := h.categories(r.Context())
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	related := map[string]*Item{}
	for name, rid := range map[string]int64{"interprets": it.InterpretsID, "superseded": it.SupersededBy} {
		if rid > 0 {
			if x, err := itemByID(r.Context(), h.db(r), rid); err == nil && x.Status == ItemPublished {
				related[name] = x
			}
		}
	}
	var back []*Item // what interprets or is replaced by this item
	if err := h.db(r).Select(r.Context(), &back, `SELECT `+itemColumns+` FROM disclosure_items WHERE tenant_id = :tenant_id AND status = 'published'
		AND (interprets_id = :id OR superseded_by = :id) ORDER BY id`, sdk.Args{"id": it.ID}); err != nil {
		sdk.Fail(w, err)
		return
	}
	files, err := listFiles(r.Context(), h.db(r), "item", it.ID)
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	h.render(w, r, "catalogue_item", it.Title, h.crumbs(r, "信息详情"), http.StatusOK,
		map[string]any{"Item": it, "Files": files, "Category": categoryName(cs, it.CategoryID), "Related": related, "Back": back, "Body": template.HTML(sdk.Sanitize(it.Body))}) //nolint:gosec // sanitized
}

// ---- the staff console

func (h *Handler) needEditor(w http.ResponseWriter, r *http.Request) bool {
	if !sdk.Can(r, PermEdit) && !sdk.Can(r, PermReview) {
		sdk.Fail(w, sdk.Errorf(sdk.EFORBID, "您没有编辑本单位公开目录的权限。"))
		return false
	}
	return true
}

func (h *Handler) staffItems(w http.ResponseWriter, r *http.Request) {
	if !h.needEditor(w, r) {
		return
	}
	var items []*Item
	if err := h.db(r).Select(r.Context(), &items, `SELECT `+itemColumns+` FROM disclosure_items WHERE tenant_id = :tenant_id
		ORDER BY CASE status WHEN 'pending' THEN 0 WHEN 'draft' THEN 1 ELSE 2 END, updated_at DESC LIMIT 200`, nil); err != nil {
		sdk.Fail(w, err)
		return
	}
	h.render(w, r, "catalogue_staff", "公开目录管理", h.crumbs(r, "公开目录管理"), http.StatusOK, map[string]any{"Items": items, "Today": h.today()})
}

type itemForm struct {
	Item       *Item
	Categories []Category
	Validities []Term
	Withdraw   []Term
	Problems   []string
	Window     string // the publication window, explained
	Late, Soon bool
	Files      []StoredFile
	CanReview  bool
	Own        bool
}

func (h *Handler) showItemForm(w http.ResponseWriter, r *http.Request, it *Item, status int, problems []string) {
	cs, err := h.categories(r.Context())
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	f := itemForm{Item: it, Categories: cs, Validities: validities, Withdraw: withdrawKinds, Problems: problems,
		CanReview: sdk.Can(r, PermReview), Own: it.CreatedBy == sdk.UserOf(r).ID}
	if it.ID != 0 {
		if f.Files, err = listFiles(r.Context(), h.db(r), "item", it.ID); err != nil {
			sdk.Fail(w, err)
			return
		}
	}
	if it.PublishDue != "" {
		f.Window = "成文后 20 个工作日内公开（《政府信息公开条例》第二十六条），期限为 " + it.PublishDue + "。"
		if it.PublishedAt == nil {
			f.Late = h.today() > it.PublishDue
			if d, err := calendar.ParseDate(h.today()); err == nil && !f.Late {
				if wd, err := h.env.Host.AddWorkingDays(r.Context(), d, 5); err == nil && wd.Date.String() >= it.PublishDue {
					f.Soon = true
				}
			}
		}
	}
	h.render(w, r, "catalogue_edit", "编辑公开信息", h.crumbs(r, "编辑公开信息"), status, f)
}

func (h *Handler) newItem(w http.ResponseWriter, r *http.Request) {
	if !h.needEditor(w, r) {
		return
	}
	h.showItemForm(w, r, &Item{Publisher: sdk.TenantOf(r).Name, Validity: ValidityValid, CreatedBy: sdk.UserOf(r).ID}, http.StatusOK, nil)
}

func (h *Handler) staffItem(w http.ResponseWriter, r *http.Request) *Item {
	if !h.needEditor(w, r) {
		return nil
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	var it *Item
	if err == nil {
		it, err = itemByID(r.Context(), h.db(r), id)
	}
	if err != nil {
		sdk.Fail(w, sdk.Errorf(sdk.ENOTFOUND, "没有找到这条信息。"))
		return nil
	}
	return it
}

func (h *Handler) editItem(w http.ResponseWriter, r *http.Request) {
	if it := h.staffItem(w, r); it != nil {
		h.showItemForm(w, r, it, http.StatusOK, nil)
	}
}

// saveItem creates or updates an item's metadata; a published item keeps
// its index number and publication date.
func (h *Handler) saveItem(w http.ResponseWriter, r *http.Request) {
	if !h.needEditor(w, r) {
		return
	}
	it := &Item{Validity: ValidityValid, CreatedBy: sdk.UserOf(r).ID}
	if r.PathValue("id") != "" {
		if it = h.staffItem(w, r); it == nil {
			return
		}
	}
	f := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	it.Title, it.Publisher, it.DocNo, it.TopicClass, it.Genre = f("title"), f("publisher"), f("doc_no"), f("topic_class"), f("genre")
	it.WrittenOn, it.Keywords, it.Summary, it.Body = f("written_on"), f("keywords"), f("summary"), sdk.Sanitize(r.PostFormValue("body"))
	it.CategoryID, _ = strconv.ParseInt(f("category"), 10, 64)
	it.InterpretsID, _ = strconv.ParseInt(f("interprets"), 10, 64)
	it.SupersededBy, _ = strconv.ParseInt(f("superseded_by"), 10, 64)
	if v := f("validity"); validTerm(validities, v) {
		if v == ValidityRepealed && it.Validity != ValidityRepealed {
			it.RepealedOn = h.today()
		}
		it.Validity = v
	}
	cs, err := h.categories(r.Context())
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	problems, err := h.checkItem(r.Context(), h.db(r), cs, it)
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	if len(problems) > 0 {
		h.showItemForm(w, r, it, http.StatusBadRequest, messages(problems))
		return
	}
	at := h.now().UTC()
	args := sdk.Args{"cat": it.CategoryID, "title": it.Title, "publisher": it.Publisher, "doc_no": it.DocNo, "topic": it.TopicClass, "genre": it.Genre,
		"written": it.WrittenOn, "due": it.PublishDue, "validity": it.Validity, "sup": it.SupersededBy, "rep": it.RepealedOn, "interp": it.InterpretsID,
		"kw": it.Keywords, "summary": it.Summary, "body": it.Body, "at": at}
	action := "item.update"
	if it.ID == 0 {
		args["by"], args["by_name"] = sdk.UserOf(r).ID, sdk.UserOf(r).Name
		id, err := h.db(r).Insert(r.Context(), `INSERT INTO disclosure_items (tenant_id, category_id, title, publisher, doc_no, topic_class, genre, written_on,
			publish_due, validity, superseded_by, repealed_on, interprets_id, keywords, summary, body, status, withdraw_reason, created_by, created_by_name,
			review_note, created_at, updated_at) VALUES (:tenant_id, :cat, :title, :publisher, :doc_no, :topic, :genre, :written, :due, :validity, :sup, :rep,
			:interp, :kw, :summary, :body, 'draft', '', :by, :by_name, '', :at, :at)`, args)
		if err != nil {
			sdk.Fail(w, err)
			return
		}
		it.ID, action = id, "item.create"
	} else {
		args["id"] = it.ID
		if _, err := h.db(r).Exec(r.Context(), `UPDATE disclosure_items SET category_id = :cat, title = :title, publisher = :publisher, doc_no = :doc_no,
			topic_class = :topic, genre = :genre, written_on = :written, publish_due = :due, validity = :validity, superseded_by = :sup, repealed_on = :rep,
			interprets_id = :interp, keywords = :kw, summary = :summary, body = :body, updated_at = :at WHERE tenant_id = :tenant_id AND id = :id`, args); err != nil {
			sdk.Fail(w, err)
			return
		}
		if it.Status == ItemPublished {
			h.indexItem(r.Context(), it)
		}
	}
	h.audit(r, action, strconv.FormatInt(it.ID, 10), it.Title)
	http.Redirect(w, r, sdk.URL(r, "admin/disclosure/items/"+strconv.FormatInt(it.ID, 10)), http.StatusSeeOther)
}

// problem is one thing wrong with an item, named by its field (which an
// import's error list shows as the column).
type problem struct{ Field, Msg string }

func messages(ps []problem) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Msg
	}
	return out
}

// checkItem validates the metadata and computes the publication window.
func (h *Handler) checkItem(ctx context.Context, s *sdk.Scope, cs []Category, it *Item) ([]problem, error) {
	var p []problem
	if it.Title == "" || utf8.RuneCountInString(it.Title) > 300 {
		p = append(p, problem{"名称", "请填写名称（300 字以内）。"})
	}
	if it.Publisher == "" || utf8.RuneCountInString(it.Publisher) > 200 {
		p = append(p, problem{"发布机构", "请填写发布机构（200 字以内）。"})
	}
	if categoryName(cs, it.CategoryID) == "" {
		p = append(p, problem{"公开目录分类", "请选择公开目录分类。"})
	}
	d, err := calendar.ParseDate(it.WrittenOn)
	switch {
	case err != nil:
		p = append(p, problem{"成文日期", "请按“年-月-日”填写成文日期，例如 2026-03-01。"})
	case d.String() > h.today():
		p = append(p, problem{"成文日期", "成文日期不能晚于今天。"})
	default:
		wd, err := h.env.Host.AddWorkingDays(ctx, d, publishWithin)
		if err == nil {
			it.PublishDue = wd.Date.String()
		} else if sdk.ErrorCode(err) != sdk.EUNAVAIL {
			return nil, err
		}
	}
	for _, x := range []struct {
		id          int64
		field, what string
	}{{it.InterpretsID, "所解读的政策文件", "所解读的政策文件"}, {it.SupersededBy, "替代信息", "替代本条目的信息"}} {
		if x.id == 0 {
			continue
		}
		if x.id == it.ID {
			p = append(p, problem{x.field, x.what + "不能是本条目自己。"})
		} else if _, err := itemByID(ctx, s, x.id); err != nil {
			p = append(p, problem{x.field, x.what + "（编号 " + strconv.FormatInt(x.id, 10) + "）不存在于本单位的目录中。"})
		}
	}
	for _, x := range []struct {
		field, v string
		n        int
	}{{"发文字号", it.DocNo, 100}, {"主题分类", it.TopicClass, 64}, {"体裁分类", it.Genre, 64}, {"主题词", it.Keywords, 300}} {
		if utf8.RuneCountInString(x.v) > x.n {
			p = append(p, problem{x.field, fmt.Sprintf("%s过长（最多 %d 字）。", x.field, x.n)})
		}
	}
	return p, nil
}

// itemState moves an item through review: submit, approve (publish),
// return, withdraw.
func (h *Handler) itemState(w http.ResponseWriter, r *http.Request) {
	it := h.staffItem(w, r)
	if it == nil {
		return
	}
	u, ctx, at := sdk.UserOf(r), r.Context(), h.now().UTC()
	id := strconv.FormatInt(it.ID, 10)
	set := func(to, from, extra string, args sdk.Args) bool {
		args["id"], args["to"], args["from"], args["at"] = it.ID, to, from, at
		res, err := h.db(r).Exec(ctx, `UPDATE disclosure_items SET status = :to, updated_at = :at`+extra+` WHERE tenant_id = :tenant_id AND id = :id AND status = :from`, args)
		if err != nil {
			sdk.Fail(w, err)
			return false
		}
		if n, _ := res.RowsAffected(); n != 1 {
			sdk.Fail(w, sdk.Errorf(sdk.ECONFLICT, "这条信息的状态刚刚变了，请刷新页面后再试。"))
			return false
		}
		return true
	}
	switch action := r.PostFormValue("action"); action {
	case "submit":
		if it.Status != ItemDraft || !set(ItemPending, ItemDraft, "", sdk.Args{}) {
			if it.Status != ItemDraft {
				sdk.Fail(w, sdk.Errorf(sdk.ECONFLICT, "只有草稿可以送审。"))
			}
			return
		}
	case "return":
		if !sdk.Can(r, PermReview) {
			sdk.Fail(w, sdk.Errorf(sdk.EFORBID, "您没有审核权限。"))
			return
		}
		if !set(ItemDraft, ItemPending, ", review_note = :note", sdk.Args{"note": strings.TrimSpace(r.PostFormValue("note"))}) {
			return
		}
	case "approve":
		switch {
		case !sdk.Can(r, PermReview):
			sdk.Fail(w, sdk.Errorf(sdk.EFORBID, "您没有审核权限。"))
			return
		case it.CreatedBy == u.ID:
			sdk.Fail(w, sdk.Errorf(sdk.EFORBID, "不能审核自己编写的信息，请由其他审核人员审核。"))
			return
		case it.Status != ItemPending:
			sdk.Fail(w, sdk.Errorf(sdk.ECONFLICT, "只有待审核的信息可以发布。"))
			return
		}
		if err := h.publish(ctx, sdk.TenantOf(r), it, u.ID, at); err != nil {
			sdk.Fail(w, err)
			return
		}
	case "withdraw":
		kind, reason := r.PostFormValue("kind"), strings.TrimSpace(r.PostFormValue("reason"))
		switch {
		case !sdk.Can(r, PermReview):
			sdk.Fail(w, sdk.Errorf(sdk.EFORBID, "您没有撤回权限。"))
			return
		case !validTerm(withdrawKinds, kind) || utf8.RuneCountInString(reason) < 4:
			h.showItemForm(w, r, it, http.StatusBadRequest, []string{"请选择撤回方式并写明理由。"})
			return
		}
		if !set(ItemWithdrawn, ItemPublished, ", withdraw_kind = :kind, withdraw_reason = :reason", sdk.Args{"kind": kind, "reason": reason}) {
			return
		}
		if err := h.env.Host.Remove(ctx, it.TenantID, "item:"+id); err != nil {
			h.env.Log.Warn("remove search document", "item", it.ID, "err", err)
		}
	default:
		sdk.Fail(w, sdk.Errorf(sdk.EINVALID, "未知的操作。"))
		return
	}
	h.audit(r, "item."+r.PostFormValue("action"), id, it.Title)
	http.Redirect(w, r, sdk.URL(r, "admin/disclosure/items/"+id), http.StatusSeeOther)
}

// publish gives the item its index number, once, and publishes it, in
// one transaction; the sequence row is taken with an UPDATE first, so
// that concurrent publications of one tenant queue on it (MariaDB's row
// lock, SQLite's single writer) and numbers are neither repeated nor
// skipped.
func (h *Handler) publish(ctx context.Context, t *sdk.Tenant, it *Item, reviewer int64, at time.Time) error {
	prefix := t.OrgCode
	if prefix == "" && it.Demo == 1 {
		prefix = "演示" + t.Code
	}
	if prefix == "" && it.IndexNo == nil {
		return sdk.Errorf(sdk.ECONFLICT, "本单位尚未登记统一社会信用代码，无法生成索引号：请县政府办公室在 县级平台管理 → 站点 中补录后再发布。")
	}
	year := at.In(cst).Year()
	// The year's sequence row exists before the transaction that takes
	// it, so that publications queue on one row lock instead of racing
	// to insert it (MariaDB's gap locks would deadlock them).
	if it.IndexNo == nil {
		if _, err := h.env.DB.Tenant(t.ID).Exec(ctx, `INSERT INTO disclosure_index_seq (tenant_id, year, next_seq) VALUES (:tenant_id, :year, 1)`,
			sdk.Args{"year": year}); err != nil && !sqldb.IsUniqueViolation(err) {
			return fmt.Errorf("index sequence of %d: %w", year, err)
		}
	}
	for try := 0; ; try++ {
		err := h.env.DB.Tx(ctx, t.ID, func(s *sdk.Scope) error {
			index := it.Index()
			if index == "" {
				if _, err := s.Exec(ctx, `UPDATE disclosure_index_seq SET next_seq = next_seq + 1 WHERE tenant_id = :tenant_id AND year = :year`, sdk.Args{"year": year}); err != nil {
					return err
				}
				var next int
				if err := s.Get(ctx, &next, `SELECT next_seq FROM disclosure_index_seq WHERE tenant_id = :tenant_id AND year = :year`, sdk.Args{"year": year}); err != nil {
					return err
				}
				index = fmt.Sprintf("%s/%d-%05d", prefix, year, next-1)
			}
			res, err := s.Exec(ctx, `UPDATE disclosure_items SET status = 'published', index_no = :index, seq_year = :year, published_at = :at, reviewed_by = :rev,
				updated_at = :at WHERE tenant_id = :tenant_id AND id = :id AND status = 'pending'`,
				sdk.Args{"index": index, "year": year, "at": at, "rev": reviewer, "id": it.ID})
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return sdk.Errorf(sdk.ECONFLICT, "这条信息的状态刚刚变了，请刷新页面后再试。")
			}
			it.IndexNo, it.SeqYear, it.PublishedAt, it.Status = &index, year, &at, ItemPublished
			return nil
		})
		// MariaDB may still end one of two transactions as a deadlock
		// victim (1213); nothing of it was written, so once more.
		if err != nil && try < 10 && strings.Contains(err.Error(), "1213") {
			continue
		}
		if err != nil {
			return fmt.Errorf("publish item %d: %w", it.ID, err)
		}
		break
	}
	h.indexItem(ctx, it)
	return nil
}

// ---- search

func (h *Handler) itemDocument(ctx context.Context, it *Item) sdk.Document {
	cs, _ := h.categories(ctx)
	d := sdk.Document{ID: "item:" + strconv.FormatInt(it.ID, 10), TenantID: it.TenantID, Type: "disclosure", Path: "disclosure/items/" + strconv.FormatInt(it.ID, 10),
		Title: it.Title, Body: strings.TrimSpace(it.Summary + "\n" + sdk.PlainText(it.Body) + "\n" + it.DocNo + " " + it.Index() + " " + it.Keywords),
		Tags: []string{"publisher=" + it.Publisher, "year=" + strconv.Itoa(it.SeqYear)}}
	if it.PublishedAt != nil {
		d.Date = *it.PublishedAt
	}
	if c := categoryName(cs, it.CategoryID); c != "" {
		d.Tags = append(d.Tags, "category="+c)
	}
	if it.Genre != "" {
		d.Tags = append(d.Tags, "genre="+it.Genre)
	}
	return d
}

func (h *Handler) indexItem(ctx context.Context, it *Item) {
	if err := h.env.Host.Index(ctx, h.itemDocument(ctx, it)); err != nil {
		h.env.Log.Warn("index item", "item", it.ID, "err", err)
	}
}

// reindexItems emits the published items of a tenant (0: every tenant).
func (h *Handler) reindexItems(ctx context.Context, tenantID int64, emit func(sdk.Document) error) error {
	for _, tc := range h.env.Tenants() {
		if tenantID != 0 && tc.Tenant.ID != tenantID {
			continue
		}
		var items []*Item
		if err := h.env.DB.Tenant(tc.Tenant.ID).Select(ctx, &items, `SELECT `+itemColumns+` FROM disclosure_items WHERE tenant_id = :tenant_id AND status = 'published'`, nil); err != nil {
			return err
		}
		for _, it := range items {
			if err := emit(h.itemDocument(ctx, it)); err != nil {
				return err
			}
		}
	}
	return nil
}

// itemStats are the catalogue's figures for the supervision page.
func (h *Handler) itemStats(ctx context.Context, tenantID int64, from, to time.Time) ([]sdk.Stat, error) {
	var items []*Item
	if err := h.env.DB.Tenant(tenantID).Select(ctx, &items, `SELECT `+itemColumns+` FROM disclosure_items WHERE tenant_id = :tenant_id AND status IN ('published','withdrawn')
		AND published_at >= :f AND published_at < :t`, sdk.Args{"f": from.UTC(), "t": to.UTC()}); err != nil {
		return nil, err
	}
	late := 0
	for _, it := range items {
		if it.Late("") {
			late++
		}
	}
	return []sdk.Stat{
		{Name: "items_published", Title: "主动公开信息", Value: float64(len(items)), Unit: "条"},
		{Name: "items_late", Title: "超过 20 个工作日公开", Value: float64(late), Unit: "条"},
	}, nil
}

// seedDemo has nothing to do before the tenants are known: the demo
// catalogue is imported at Configure (seedDemoCatalogue).
func (h *Handler) seedDemo(ctx context.Context) error { return nil }

// ---- the county's category tree

// needCounty lets only the county office (platform_admin) edit what
// every tenant shares.
func (h *Handler) needCounty(w http.ResponseWriter, r *http.Request) bool {
	if u := sdk.UserOf(r); u == nil || !u.HasRole(sdk.RolePlatformAdmin) {
		sdk.Fail(w, sdk.Errorf(sdk.EFORBID, "公开目录分类由县政府办公室统一维护。"))
		return false
	}
	return true
}

func (h *Handler) categoryPage(w http.ResponseWriter, r *http.Request, status int, problems []string) {
	cs, err := h.categories(r.Context())
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	h.render(w, r, "catalogue_categories", "公开目录分类", h.crumbs(r, "公开目录分类"), status, map[string]any{"Categories": cs, "Problems": problems})
}

func (h *Handler) staffCategories(w http.ResponseWriter, r *http.Request) {
	if h.needCounty(w, r) {
		h.categoryPage(w, r, http.StatusOK, nil)
	}
}

var categoryCode = regexp.MustCompile(`^[a-z][a-z0-9]{1,31}$`)

// saveCategory adds, renames, reorders or deletes a category; a category
// that any tenant's item uses cannot be deleted.
func (h *Handler) saveCategory(w http.ResponseWriter, r *http.Request) {
	if !h.needCounty(w, r) {
		return
	}
	s, ctx, at := h.env.DB.Tenant(countyScope), r.Context(), h.now().UTC()
	name := strings.TrimSpace(r.PostFormValue("name"))
	id, _ := strconv.ParseInt(r.PostFormValue("id"), 10, 64)
	sort, _ := strconv.Atoi(r.PostFormValue("sort"))
	fail := func(msg string) { h.categoryPage(w, r, http.StatusBadRequest, []string{msg}) }
	action := r.PostFormValue("action")
	switch action {
	case "add":
		code := strings.TrimSpace(r.PostFormValue("code"))
		if !categoryCode.MatchString(code) || name == "" || utf8.RuneCountInString(name) > 100 {
			fail("请填写分类代码（小写字母开头，字母和数字，2 到 32 位）和名称（100 字以内）。")
			return
		}
		if _, err := s.Exec(ctx, `INSERT INTO disclosure_categories (tenant_id, code, name, sort, created_at, updated_at) VALUES (:tenant_id, :code, :name, :sort, :at, :at)`,
			sdk.Args{"code": code, "name": name, "sort": sort, "at": at}); err != nil {
			if sqldb.IsUniqueViolation(err) {
				fail("分类代码“" + code + "”已经存在。")
				return
			}
			sdk.Fail(w, err)
			return
		}
	case "save":
		if name == "" || utf8.RuneCountInString(name) > 100 {
			fail("分类名称不能为空，且在 100 字以内。")
			return
		}
		if _, err := s.Exec(ctx, `UPDATE disclosure_categories SET name = :name, sort = :sort, updated_at = :at WHERE tenant_id = :tenant_id AND id = :id`,
			sdk.Args{"name": name, "sort": sort, "at": at, "id": id}); err != nil {
			sdk.Fail(w, err)
			return
		}
	case "delete":
		for _, tc := range h.env.Tenants() {
			var n int
			if err := h.env.DB.Tenant(tc.Tenant.ID).Get(ctx, &n, `SELECT COUNT(*) FROM disclosure_items WHERE tenant_id = :tenant_id AND category_id = :id`, sdk.Args{"id": id}); err != nil {
				sdk.Fail(w, err)
				return
			}
			if n > 0 {
				fail(fmt.Sprintf("%s 的公开目录中有 %d 条信息使用这个分类，不能删除；可以改名。", tc.Tenant.Name, n))
				return
			}
		}
		if _, err := s.Exec(ctx, `DELETE FROM disclosure_categories WHERE tenant_id = :tenant_id AND id = :id`, sdk.Args{"id": id}); err != nil {
			sdk.Fail(w, err)
			return
		}
	default:
		fail("未知的操作。")
		return
	}
	h.audit(r, "category."+action, strconv.FormatInt(id, 10), name)
	http.Redirect(w, r, sdk.URL(r, "admin/disclosure/categories/"), http.StatusSeeOther)
}
