package disclosure

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"html/template"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"yiwang/plugins/sdk"
)

// Every tenant publishes its 公开指南 and its 公开制度 (art. 12 and 18 of
// the Regulations). The module ships a standard text of each, written
// from the Regulations, which a tenant replaces with its own.

// pageKinds are the pages a tenant keeps, with their titles.
var pageKinds = []Term{{"guide", "政府信息公开指南"}, {"rules", "政府信息公开制度"}}

// maxPageRunes bounds a page's text.
const maxPageRunes = 50000

func (h *Handler) pageRoutes(m *sdk.Mux) {
	m.HandleFunc("GET /disclosure/guide", public(h.publicPage))
	m.HandleFunc("GET /disclosure/rules", public(h.publicPage))
	m.HandleFunc("GET /admin/disclosure/pages/{$}", h.staffPages)
	m.HandleFunc("POST /admin/disclosure/pages/{$}", h.savePage)
}

type ownPage struct {
	Body          string    `db:"body"`
	UpdatedByName string    `db:"updated_by_name"`
	UpdatedAt     time.Time `db:"updated_at"`
}

// page is the tenant's own text of kind, nil when it has none.
func (h *Handler) page(ctx context.Context, s *sdk.Scope, kind string) (*ownPage, error) {
	var p ownPage
	err := s.Get(ctx, &p, `SELECT body, updated_by_name, updated_at FROM disclosure_pages WHERE tenant_id = :tenant_id AND kind = :kind`, sdk.Args{"kind": kind})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return &p, err
}

// standardText renders the module's text of kind for the request's tenant.
func (h *Handler) standardText(r *http.Request, kind string) (template.HTML, error) {
	var b bytes.Buffer
	if err := h.pages.ExecuteTemplate(&b, "standard_"+kind, h.newView(r, nil)); err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil //nolint:gosec // our own template
}

func (h *Handler) publicPage(w http.ResponseWriter, r *http.Request) {
	kind := "guide"
	if r.URL.Path == "/disclosure/rules" {
		kind = "rules"
	}
	title := sdk.TenantOf(r).Name + termLabel(pageKinds, kind)
	p, err := h.page(r.Context(), h.db(r), kind)
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	v := map[string]any{"Title": title, "Kind": kind}
	if p != nil {
		v["Body"], v["Updated"] = template.HTML(sdk.Sanitize(p.Body)), p.UpdatedAt //nolint:gosec // sanitized
	} else if v["Body"], err = h.standardText(r, kind); err != nil {
		sdk.Fail(w, err)
		return
	}
	h.render(w, r, "disclosure_page", title, h.crumbs(r, termLabel(pageKinds, kind)), http.StatusOK, v)
}

type pagesForm struct {
	Pages    []pageEdit
	Problems []string
	Saved    string
}

type pageEdit struct {
	Kind, Title, Body string
	Own               *ownPage
}

func (h *Handler) needPageEditor(w http.ResponseWriter, r *http.Request) bool {
	if !sdk.Can(r, PermReview) {
		sdk.Fail(w, sdk.Errorf(sdk.EFORBID, "只有本单位的审核人员可以修改公开指南和公开制度。"))
		return false
	}
	return true
}

func (h *Handler) staffPages(w http.ResponseWriter, r *http.Request) {
	if h.needPageEditor(w, r) {
		h.showPages(w, r, http.StatusOK, nil, r.URL.Query().Get("saved"))
	}
}

func (h *Handler) showPages(w http.ResponseWriter, r *http.Request, status int, problems []string, saved string) {
	f := pagesForm{Problems: problems, Saved: termLabel(pageKinds, saved)}
	for _, k := range pageKinds {
		p, err := h.page(r.Context(), h.db(r), k.Code)
		if err != nil {
			sdk.Fail(w, err)
			return
		}
		e := pageEdit{Kind: k.Code, Title: k.Label, Own: p}
		if p != nil {
			e.Body = p.Body
		} else {
			std, err := h.standardText(r, k.Code)
			if err != nil {
				sdk.Fail(w, err)
				return
			}
			e.Body = string(std)
		}
		f.Pages = append(f.Pages, e)
	}
	h.render(w, r, "disclosure_pages_edit", "公开指南和制度", h.crumbs(r, "公开指南和制度"), status, f)
}

// savePage keeps a tenant's text of a page, or drops it ("restore") so
// the standard text shows again.
func (h *Handler) savePage(w http.ResponseWriter, r *http.Request) {
	if !h.needPageEditor(w, r) {
		return
	}
	kind := r.PostFormValue("kind")
	if !validTerm(pageKinds, kind) {
		h.showPages(w, r, http.StatusBadRequest, []string{"没有这个页面。"}, "")
		return
	}
	s, u := h.db(r), sdk.UserOf(r)
	if r.PostFormValue("action") == "restore" {
		if _, err := s.Exec(r.Context(), `DELETE FROM disclosure_pages WHERE tenant_id = :tenant_id AND kind = :kind`, sdk.Args{"kind": kind}); err != nil {
			sdk.Fail(w, err)
			return
		}
		h.audit(r, "page.restore", kind, termLabel(pageKinds, kind))
		h.pagesChanged(r)
		http.Redirect(w, r, sdk.URL(r, "admin/disclosure/pages/?saved="+kind), http.StatusSeeOther)
		return
	}
	body := sdk.Sanitize(r.PostFormValue("body"))
	if strings.TrimSpace(sdk.PlainText(body)) == "" || utf8.RuneCountInString(body) > maxPageRunes {
		h.showPages(w, r, http.StatusBadRequest, []string{termLabel(pageKinds, kind) + "的内容不能为空，也不能超过 5 万字。"}, "")
		return
	}
	args := sdk.Args{"kind": kind, "body": body, "by": u.Name, "at": h.now().UTC()}
	res, err := s.Exec(r.Context(), `UPDATE disclosure_pages SET body = :body, updated_by_name = :by, updated_at = :at WHERE tenant_id = :tenant_id AND kind = :kind`, args)
	if err == nil {
		if n, _ := res.RowsAffected(); n == 0 {
			_, err = s.Exec(r.Context(), `INSERT INTO disclosure_pages (tenant_id, kind, body, updated_by_name, updated_at) VALUES (:tenant_id, :kind, :body, :by, :at)`, args)
		}
	}
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	h.audit(r, "page.save", kind, termLabel(pageKinds, kind))
	h.pagesChanged(r)
	http.Redirect(w, r, sdk.URL(r, "admin/disclosure/pages/?saved="+kind), http.StatusSeeOther)
}
