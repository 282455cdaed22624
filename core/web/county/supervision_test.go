package county_test

import (
	"net/http"
	"strings"
	"testing"

	"yiwang/core/store/storetest"
	"yiwang/core/web/webtest"
)

func TestSupervisionDashboardShowsModuleFiguresAsTableAndChart(t *testing.T) {
	e := webtest.NewSSOEnv(t, storetest.SQLite(t))
	e.Srv.EnableSupervision(webtest.FixedFigures{TS: e.TS})

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
