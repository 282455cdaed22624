package mailbox

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
	"time"

	"yiwang/plugins/sdk"
)

// The mailbox's pages, one file a page under templates/, embedded and
// parsed when the module starts: a template that does not parse stops
// the module (and its tests) at once.
//
//go:embed templates/*.html
var templateFS embed.FS

var pages = template.Must(template.New("mailbox").Funcs(template.FuncMap{
	"status": StatusLabel,
	"dt":     func(t time.Time) string { return t.In(cst).Format("2006-01-02 15:04") },
	"eq2":    func(a, b string) bool { return a == b },
	"add":    func(a, b int) int { return a + b },
}).ParseFS(templateFS, "templates/*.html"))

type pageView struct {
	Base, CSRF string
	Data       any
}

func (h *Handler) render(w http.ResponseWriter, r *http.Request, name, title string, status int, data any) {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, pageView{Base: sdk.Base(r), CSRF: sdk.CSRFToken(r), Data: data}); err != nil {
		h.env.Log.Error("render", "template", name, "err", err)
		sdk.Fail(w, err)
		return
	}
	sdk.Render(w, sdk.Fragment{Title: title, Crumbs: []sdk.Crumb{{Name: NavTitle, URL: sdk.URL(r, "mailbox/")}, {Name: title}},
		HTML: template.HTML(buf.String()), Current: NavTitle, Status: status}) //nolint:gosec // html/template output
}
