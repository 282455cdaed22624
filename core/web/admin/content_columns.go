package admin

import (
	"net/http"
	"strconv"
	"strings"

	"yiwang/core"
	"yiwang/core/content"
	"yiwang/core/web"
)

// Column management and the county's check lists.

// columnsView is the data of admin_content_columns.html.
type columnsView struct {
	Rows    []columnRow
	Parents []*content.Column // where a column can go
	Error   string
	Done    bool
	Types   []kindOption
}

// columnRow is one column of the tree, flattened with its depth.
type columnRow struct {
	*content.Column
	Depth       int
	First, Last bool
	Indent      string
}

func columnRows(cs []*content.Column, depth int) []columnRow {
	var out []columnRow
	for i, c := range cs {
		out = append(out, columnRow{Column: c, Depth: depth, First: i == 0, Last: i == len(cs)-1, Indent: strings.Repeat("— ", depth)})
		out = append(out, columnRows(c.Children, depth+1)...)
	}
	return out
}

func (e *Editorial) Columns(w http.ResponseWriter, r *http.Request, a content.Actor) {
	e.renderColumns(w, r, a, nil)
}

func (e *Editorial) renderColumns(w http.ResponseWriter, r *http.Request, a content.Actor, actErr error) {
	cs, err := e.d.AllColumns(r.Context(), a)
	if err != nil {
		e.s.RenderError(w, r, err)
		return
	}
	v := columnsView{Rows: columnRows(cs, 0), Done: r.URL.Query().Get("done") == "1"}
	for _, t := range []string{content.ColumnList, content.ColumnPage, content.ColumnLink} {
		v.Types = append(v.Types, kindOption{t, content.ColumnTypeLabel(t)})
	}
	for _, row := range v.Rows {
		if row.Type != content.ColumnLink && row.Depth < 2 {
			v.Parents = append(v.Parents, row.Column)
		}
	}
	status := http.StatusOK
	if actErr != nil {
		v.Error, v.Done, status = core.ErrorMessage(actErr), false, web.StatusOf(actErr)
	}
	e.s.RenderStatus(w, r, "admin_content_columns", "栏目管理 - "+web.SiteOf(r).Tenant.Name, adminCrumbs(r, web.Crumb{Name: "栏目管理", URL: ""}), v, status)
}

func columnForm(r *http.Request) content.ColumnInput {
	in := content.ColumnInput{Slug: r.PostFormValue("slug"), Name: r.PostFormValue("name"), Type: r.PostFormValue("type"),
		LinkURL: r.PostFormValue("link"), Description: r.PostFormValue("description"), Keywords: r.PostFormValue("keywords")}
	if p, err := strconv.ParseInt(r.PostFormValue("parent"), 10, 64); err == nil && p > 0 {
		in.ParentID = &p
	}
	return in
}

func (e *Editorial) ColumnAdd(w http.ResponseWriter, r *http.Request, a content.Actor) {
	if _, err := e.d.AddColumn(r.Context(), a, columnForm(r)); err != nil {
		e.renderColumns(w, r, a, err)
		return
	}
	http.Redirect(w, r, web.SiteOf(r).Base+"admin/columns/?done=1", http.StatusSeeOther)
}

func (e *Editorial) ColumnUpdate(w http.ResponseWriter, r *http.Request, a content.Actor) {
	e.ColumnDo(func(r *http.Request, a content.Actor, id int64) error {
		return e.d.UpdateColumn(r.Context(), a, id, columnForm(r))
	})(w, r, a)
}

func (e *Editorial) ColumnDo(do func(r *http.Request, a content.Actor, id int64) error) staffHandler {
	return func(w http.ResponseWriter, r *http.Request, a content.Actor) {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			e.s.RenderError(w, r, core.Errorf(core.ENOTFOUND, "没有找到栏目"))
			return
		}
		if err := do(r, a, id); err != nil {
			e.renderColumns(w, r, a, err)
			return
		}
		http.Redirect(w, r, web.SiteOf(r).Base+"admin/columns/?done=1", http.StatusSeeOther)
	}
}

// Shift moves a column one place up or down among its siblings.
func (e *Editorial) Shift(r *http.Request, a content.Actor, id int64) error {
	cs, err := e.d.AllColumns(r.Context(), a)
	if err != nil {
		return err
	}
	siblings, parent := findSiblings(cs, nil, id)
	var ids []int64
	at := -1
	for i, c := range siblings {
		ids = append(ids, c.ID)
		if c.ID == id {
			at = i
		}
	}
	if at < 0 {
		return core.Errorf(core.ENOTFOUND, "没有找到栏目")
	}
	to := at - 1
	if r.PostFormValue("dir") == "down" {
		to = at + 1
	}
	if to < 0 || to >= len(ids) {
		return nil
	}
	ids[at], ids[to] = ids[to], ids[at]
	return e.d.ReorderColumns(r.Context(), a, parent, ids)
}

func findSiblings(cs []*content.Column, parent *int64, id int64) ([]*content.Column, *int64) {
	for _, c := range cs {
		if c.ID == id {
			return cs, parent
		}
		pid := c.ID
		if s, p := findSiblings(c.Children, &pid, id); s != nil {
			return s, p
		}
	}
	return nil, nil
}

// checksView is the data of admin_content_checks.html.
type checksView struct {
	Rules    []content.Rule
	Settings []settingRow
	Error    string
	Done     bool
}

type settingRow struct {
	Name, Label, Value string
	Options            []kindOption
}

var settingLabels = []struct {
	name, label string
	options     []kindOption
}{
	{content.SettingEmptyLinks, "空链接（没有地址或只有 #）", []kindOption{{content.LevelBlock, "阻止提交"}, {content.LevelWarn, "提示"}, {content.LevelOff, "不检查"}}},
	{content.SettingBrokenLinks, "站内链接指向不存在的文章、栏目或站点", []kindOption{{content.LevelBlock, "阻止提交"}, {content.LevelWarn, "提示"}, {content.LevelOff, "不检查"}}},
	{content.SettingExternalLinks, "外部链接无法访问", []kindOption{{content.LevelWarn, "提示"}, {content.LevelOff, "不检查"}}},
	{content.SettingSourceWithdrawn, "报送来源文章撤稿后，已采用的稿件", []kindOption{{"withdraw", "随之撤下"}, {"ask", "提醒采用方审核人员决定"}}},
}

func (e *Editorial) Checks(w http.ResponseWriter, r *http.Request, a content.Actor) {
	e.renderChecks(w, r, a, nil)
}

func (e *Editorial) renderChecks(w http.ResponseWriter, r *http.Request, a content.Actor, actErr error) {
	rules, err := e.d.Rules(r.Context())
	if err != nil {
		e.s.RenderError(w, r, err)
		return
	}
	set, err := e.d.Settings(r.Context())
	if err != nil {
		e.s.RenderError(w, r, err)
		return
	}
	v := checksView{Rules: rules, Done: r.URL.Query().Get("done") == "1"}
	for _, l := range settingLabels {
		v.Settings = append(v.Settings, settingRow{Name: l.name, Label: l.label, Value: set[l.name], Options: l.options})
	}
	status := http.StatusOK
	if actErr != nil {
		v.Error, v.Done, status = core.ErrorMessage(actErr), false, web.StatusOf(actErr)
	}
	e.s.RenderStatus(w, r, "admin_content_checks", "内容检查规则", adminCrumbs(r, web.Crumb{Name: "内容检查规则", URL: ""}), v, status)
}

func (e *Editorial) ChecksDo(do func(r *http.Request, a content.Actor) error) staffHandler {
	return func(w http.ResponseWriter, r *http.Request, a content.Actor) {
		if err := do(r, a); err != nil {
			e.renderChecks(w, r, a, err)
			return
		}
		http.Redirect(w, r, web.SiteOf(r).Base+"admin/checks/?done=1", http.StatusSeeOther)
	}
}
