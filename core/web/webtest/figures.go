package webtest

import (
	"context"
	"time"

	"yiwang/core/web/county"
	"yiwang/tenants"
)

// FixedFigures stand in for the plugin host's module figures, which need
// running plugin processes (tested in core/modules).
type FixedFigures struct{ TS *tenants.Store }

// Figures are two modules' over jyj and rsj, one of them down.
func (f FixedFigures) Figures(ctx context.Context, from, to time.Time) ([]county.ModuleFigures, error) {
	jyj, _ := f.TS.ByCode(ctx, "jyj")
	rsj, _ := f.TS.ByCode(ctx, "rsj")
	return []county.ModuleFigures{
		{Module: "mailbox", Title: "领导信箱",
			Columns: []county.FigureColumn{{Name: "open", Title: "在办信件", Unit: "件"}, {Name: "overdue", Title: "超期未办结", Unit: "件"}},
			Rows: []county.FigureRow{
				{Tenant: jyj, Values: map[string]float64{"open": 7, "overdue": 2}},
				{Tenant: rsj, Values: map[string]float64{"open": 3, "overdue": 0}},
			}},
		{Module: "topics", Title: "专题专栏", Err: "“专题专栏”服务暂时不可用，请稍后再试。"},
	}, nil
}
