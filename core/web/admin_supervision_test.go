package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"yiwang/core/store/storetest"
	"yiwang/core/web"
	"yiwang/core/web/webtest"
	"yiwang/tenants"
)

// fixedFigures stands in for the plugin host's module figures, which need
// running plugin processes (tested in core/modules).
type fixedFigures struct{ ts *tenants.Store }

func (f fixedFigures) Figures(ctx context.Context, from, to time.Time) ([]web.ModuleFigures, error) {
	jyj, _ := f.ts.ByCode(ctx, "jyj")
	rsj, _ := f.ts.ByCode(ctx, "rsj")
	return []web.ModuleFigures{
		{Module: "mailbox", Title: "领导信箱",
			Columns: []web.FigureColumn{{Name: "open", Title: "在办信件", Unit: "件"}, {Name: "overdue", Title: "超期未办结", Unit: "件"}},
			Rows: []web.FigureRow{
				{Tenant: jyj, Values: map[string]float64{"open": 7, "overdue": 2}},
				{Tenant: rsj, Values: map[string]float64{"open": 3, "overdue": 0}},
			}},
		{Module: "topics", Title: "专题专栏", Err: "“专题专栏”服务暂时不可用，请稍后再试。"},
	}, nil
}

func TestSupervisionDashboardShowsModuleFiguresAsTableAndChart(t *testing.T) {
	e := webtest.NewSSOEnv(t, storetest.SQLite(t))
	e.Srv.EnableSupervision(fixedFigures{e.TS})

	adm := e.Browser(t)
	adm.LoginDemo("admin")
	p := adm.Get(e.Portal + "/admin/county/supervision")
	if p.Status != http.StatusOK {
		t.Fatalf("supervision page: %d", p.Status)
	}
	for _, want := range []string{"监管统计", "领导信箱", "在办信件（件）", "超期未办结（件）", `<th scope="row">思南县教育局</th><td>7</td><td>2</td>`,
		`<svg class="bar-chart" role="img"`, "领导信箱：超期未办结（按站点）", "“专题专栏”服务暂时不可用"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("supervision page lacks %q", want)
		}
	}
	// A zero does not draw a bar: rsj has no overdue letters.
	chart := p.Body[strings.Index(p.Body, "领导信箱：超期未办结"):]
	chart = chart[:strings.Index(chart, "</svg>")]
	if strings.Contains(chart, "人力资源") {
		t.Error("the overdue chart draws a bar for a tenant with none")
	}

	ed := e.Browser(t)
	ed.LoginDemo("editor")
	if h := ed.Once("GET", e.Portal+"/admin/county/supervision", nil); h.Status != http.StatusForbidden {
		t.Errorf("editor on the supervision page: %d, want 403", h.Status)
	}
}
