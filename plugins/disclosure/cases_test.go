package disclosure

import (
	"context"
	"testing"
	"time"

	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/calendar"
	"yiwang/plugins/sdk/sdktest"
)

// casesInsert writes a request row as the requests room would.
func casesInsert(t *testing.T, h *Handler, tenantID, userID int64, number, status, outcome, due string, updated time.Time) {
	t.Helper()
	_, err := h.env.DB.Tenant(tenantID).Exec(context.Background(), `INSERT INTO disclosure_requests (tenant_id, number, user_id,
		applicant_kind, applicant_name, description, purpose, medium, delivery, status, received_on, due_on, due_explain,
		extension_reason, outcome, answer, created_at, updated_at)
		VALUES (:tenant_id, :number, :uid, 'natural', '张三', :descr, '', 'paper', 'post', :status, '2026-03-02', :due, '', '', :outcome, '', :at, :at)`,
		sdk.Args{"number": number, "uid": userID, "descr": "2025年城北新区道路建设的招标文件和中标结果", "status": status, "due": due, "outcome": outcome, "at": updated})
	if err != nil {
		t.Fatal(err)
	}
}

func TestCasesListTheApplicantsRequests(t *testing.T) {
	sdktest.EachDB(t, func(t *testing.T, dsn string) {
		o := sdktest.Options{Tenants: []*sdk.Tenant{sdktest.Portal, sdktest.JYJ}, DSN: dsn}
		hs := sdktest.InProcess(t, Module, o)
		h := hs.Server.Handler().(*Handler)
		h.now = func() time.Time { return time.Date(2026, 4, 15, 10, 0, 0, 0, cst) }
		at := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
		p, j := sdktest.Portal.ID, sdktest.JYJ.ID
		casesInsert(t, h, p, 100, "YS-LATE", StatusReceived, "", "2026-03-30", at)
		casesInsert(t, h, j, 100, "YS-OPEN", StatusConsulting, "", "2026-05-06", at)
		casesInsert(t, h, j, 100, "YS-STOP", StatusCorrection, "", "2026-04-01", at)
		casesInsert(t, h, p, 100, "YS-DONE", StatusAnswered, OutcomePartial, "2026-03-30", at)
		casesInsert(t, h, p, 100, "YS-GONE", StatusWithdrawn, "", "2026-03-30", at)
		casesInsert(t, h, p, 200, "YS-OTHER", StatusReceived, "", "2026-03-30", at)

		got := map[string]sdk.Case{}
		for _, c := range hs.Cases(100) {
			got[c.Number] = c
		}
		tests := []struct {
			number, state string
			tenant        int64
			due           calendar.Date
			overdue       bool
			closed        bool
		}{
			{"YS-LATE", "办理中", p, calendar.NewDate(2026, 3, 30), true, false},
			{"YS-OPEN", "征求意见中", j, calendar.NewDate(2026, 5, 6), false, false},
			{"YS-STOP", "待补正", j, calendar.NewDate(2026, 4, 1), false, false}, // the clock stops for 补正
			{"YS-DONE", "已答复（部分公开）", p, calendar.Date{}, false, true},
			{"YS-GONE", "已撤回", p, calendar.Date{}, false, true},
		}
		if len(got) != len(tests) {
			t.Fatalf("got %d cases, want %d (another applicant's request must not be listed): %v", len(got), len(tests), got)
		}
		for _, tc := range tests {
			c, ok := got[tc.number]
			switch {
			case !ok:
				t.Errorf("%s missing", tc.number)
			case c.State != tc.state || c.TenantID != tc.tenant || c.Due != tc.due || c.Overdue != tc.overdue || c.Closed != tc.closed:
				t.Errorf("%s = %+v, want state %s, tenant %d, due %v, overdue %v, closed %v", tc.number, c, tc.state, tc.tenant, tc.due, tc.overdue, tc.closed)
			case c.Kind != "依申请公开" || c.Path != "disclosure/my/"+tc.number || !c.Updated.Equal(at):
				t.Errorf("%s: kind %q, path %q, updated %v", tc.number, c.Kind, c.Path, c.Updated)
			case c.Title != "2025年城北新区道路建设的招标文件和中标结果":
				t.Errorf("%s: title %q", tc.number, c.Title)
			}
		}
		if n := len(hs.Cases(300)); n != 0 {
			t.Errorf("a person without requests has %d cases", n)
		}
	})
}
