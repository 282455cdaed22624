package disclosure

import (
	"context"
	"fmt"
	"unicode/utf8"

	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/calendar"
)

var _ sdk.Caser = (*Handler)(nil)

// Cases lists the person's disclosure requests at every tenant that
// enables the module, for the account page's one list of cases.
func (h *Handler) Cases(ctx context.Context, userID int64) ([]sdk.Case, error) {
	if userID == 0 {
		return nil, nil
	}
	today := h.today()
	var out []sdk.Case
	for _, tc := range h.env.Tenants() {
		qs, err := selectRequests(ctx, h.env.DB.Tenant(tc.Tenant.ID), "user_id = :uid ORDER BY id DESC", sdk.Args{"uid": userID})
		if err != nil {
			return nil, fmt.Errorf("cases of user %d in tenant %d: %w", userID, tc.Tenant.ID, err)
		}
		for _, q := range qs {
			out = append(out, requestCase(q, today))
		}
	}
	return out, nil
}

func requestCase(q *Request, today string) sdk.Case {
	title := q.Description
	if utf8.RuneCountInString(title) > 60 {
		title = string([]rune(title)[:59]) + "…"
	}
	state := q.StatusLabel()
	if o, ok := OutcomeOf(q.Outcome); ok && q.Status == StatusAnswered {
		state += "（" + o.Label + "）"
	}
	c := sdk.Case{TenantID: q.TenantID, Kind: "依申请公开", Number: q.Number, Title: title, State: state,
		Closed: !q.Open(), Overdue: q.Overdue(today), Path: "disclosure/my/" + q.Number, Updated: q.UpdatedAt}
	if d, err := calendar.ParseDate(q.DueOn); err == nil && q.Open() {
		c.Due = d
	}
	return c
}
