package mailbox

import (
	"context"
	"fmt"
	"net/url"

	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/calendar"
)

var _ sdk.Caser = (*Handler)(nil)

// Cases lists the person's letters in every tenant the mailbox serves,
// for the account page's one list of cases: the same states, deadline
// and overdue test as the letter's own page (/mailbox/my/<number>).
func (h *Handler) Cases(ctx context.Context, userID int64) ([]sdk.Case, error) {
	if userID == 0 {
		return nil, nil // anonymous letters are followed by number and code
	}
	var out []sdk.Case
	day := today().String()
	for _, tc := range h.env.Tenants() {
		ls, err := selectLetters(ctx, h.env.DB.Tenant(tc.Tenant.ID), "user_id = :uid", sdk.Args{"uid": userID})
		if err != nil {
			return nil, fmt.Errorf("cases of user %d in tenant %d: %w", userID, tc.Tenant.ID, err)
		}
		for _, l := range ls {
			out = append(out, letterCase(l, day))
		}
	}
	return out, nil
}

// letterCase is a letter as the list of cases shows it; day is today's
// date, YYYY-MM-DD.
func letterCase(l *Letter, day string) sdk.Case {
	closed := l.Status == Closed || l.Status == Rejected
	c := sdk.Case{TenantID: l.TenantID, Kind: "信件", Number: l.Number, Title: l.Subject, State: l.StatusLabel(),
		Closed: closed, Path: "mailbox/my/" + url.PathEscape(l.Number), Updated: l.UpdatedAt}
	if l.Deadline != "" && !closed {
		if d, err := calendar.ParseDate(l.Deadline); err == nil {
			c.Due = d
			c.Overdue = l.Deadline < day
		}
	}
	return c
}
