package disclosure

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/calendar"
)

var _ sdk.Caser = (*Handler)(nil)

// caseStates are the request statuses as the applicant's list of cases
// reads them.
var caseStates = map[string]string{
	StatusReceived:   "办理中",
	StatusCorrection: "待补正",
	StatusConsulting: "征求意见中",
	StatusAnswered:   "已答复",
	StatusWithdrawn:  "已撤回",
}

// caseRow is what the list of cases reads of a request.
type caseRow struct {
	TenantID    int64     `db:"tenant_id"`
	Number      string    `db:"number"`
	Description string    `db:"description"`
	Status      string    `db:"status"`
	Outcome     string    `db:"outcome"`
	DueOn       string    `db:"due_on"`
	UpdatedAt   time.Time `db:"updated_at"`
}

// Cases lists the person's requests in every tenant the module serves,
// for the account page's one list of cases (我的办件).
func (h *Handler) Cases(ctx context.Context, userID int64) ([]sdk.Case, error) {
	if userID == 0 {
		return nil, nil
	}
	var out []sdk.Case
	day := h.today()
	for _, tc := range h.env.Tenants() {
		var rows []caseRow
		err := h.env.DB.Tenant(tc.Tenant.ID).Select(ctx, &rows, `SELECT tenant_id, number, description, status, outcome, due_on, updated_at
			FROM disclosure_requests WHERE tenant_id = :tenant_id AND user_id = :uid ORDER BY created_at DESC LIMIT 500`, sdk.Args{"uid": userID})
		if err != nil {
			return nil, fmt.Errorf("requests of user %d in tenant %d: %w", userID, tc.Tenant.ID, err)
		}
		for _, r := range rows {
			c, err := requestCase(r, day)
			if err != nil {
				return nil, err
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// requestCase is a request as the list shows it; day is today,
// YYYY-MM-DD. A request stopped for 补正 keeps its due date shown but is
// not overdue while the applicant holds it.
func requestCase(r caseRow, day string) (sdk.Case, error) {
	closed := r.Status == StatusAnswered || r.Status == StatusWithdrawn
	state, ok := caseStates[r.Status]
	if !ok {
		state = r.Status
	}
	if o, ok := OutcomeOf(r.Outcome); ok && r.Status == StatusAnswered {
		state += "（" + o.Label + "）"
	}
	c := sdk.Case{TenantID: r.TenantID, Kind: "依申请公开", Number: r.Number, Title: caseTitle(r.Description), State: state,
		Closed: closed, Path: "disclosure/my/" + url.PathEscape(r.Number), Updated: r.UpdatedAt}
	if closed || r.DueOn == "" {
		return c, nil
	}
	d, err := calendar.ParseDate(r.DueOn)
	if err != nil {
		return sdk.Case{}, fmt.Errorf("request %s: %w", r.Number, err)
	}
	c.Due = d
	c.Overdue = r.DueOn < day && r.Status != StatusCorrection
	return c, nil
}

// caseTitle is the start of the information asked for: the list has a
// line per case.
func caseTitle(s string) string {
	const max = 40
	rs := []rune(s)
	if len(rs) <= max {
		return s
	}
	return string(rs[:max]) + "…"
}
