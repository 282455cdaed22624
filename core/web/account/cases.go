package account

import (
	"context"

	"yiwang/core/web"
)

// caseView is a case as account_home.html shows it.
type caseView struct {
	Kind, Number, Title, State, Due, Site, URL string
	Overdue, Closed                            bool
}

// accountCases reads the person's cases for the page; a failure of the
// whole source is a note, not a broken account page.
func (a *Accounts) accountCases(ctx context.Context, userID int64, link func(c web.Case) (site, url string)) (out []caseView, missing []string, on bool) {
	src := a.srv.CaseSource()
	if src == nil {
		return nil, nil, false
	}
	cl, err := src.Cases(ctx, userID)
	if err != nil {
		a.srv.Log().Warn("account: cases", "user", userID, "err", err)
		return nil, []string{"办事模块"}, true
	}
	for _, c := range cl.Cases {
		v := caseView{Kind: c.Kind, Number: c.Number, Title: c.Title, State: c.State, Overdue: c.Overdue, Closed: c.Closed}
		if !c.Due.IsZero() {
			v.Due = c.Due.Chinese()
		}
		v.Site, v.URL = link(c)
		out = append(out, v)
	}
	return out, cl.Missing, true
}
