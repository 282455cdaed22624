package web

import (
	"context"
	"time"

	"yiwang/plugins/sdk/calendar"
)

// Cases is the source of a person's one list of cases (我的办件): the
// modules host asks every running module. The account page shows what it
// gets, with a note for each module that could not answer.
type Cases interface {
	Cases(ctx context.Context, userID int64) (CaseList, error)
}

// CaseList is a person's cases across modules, in the order to list
// them, and the modules that could not answer.
type CaseList struct {
	Cases   []Case
	Missing []string // titles of the modules that failed or are down: 信箱
}

// Case is one of them: the module's own words, the tenant it belongs to
// and the path on that tenant's site.
type Case struct {
	TenantID int64
	Module   string
	Kind     string
	Number   string
	Title    string
	State    string
	Due      calendar.Date // zero: no deadline running
	Overdue  bool
	Closed   bool
	Path     string // relative to the tenant's site base
	Updated  time.Time
}

// EnableCases lists the person's cases on the account page.
func (s *Server) EnableCases(c Cases) {
	s.mu.Lock()
	s.cases = c
	s.mu.Unlock()
}

func (s *Server) caseSource() Cases {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cases
}

// caseView is a case as account_home.html shows it.
type caseView struct {
	Kind, Number, Title, State, Due, Site, URL string
	Overdue, Closed                            bool
}

// accountCases reads the person's cases for the page; a failure of the
// whole source is a note, not a broken account page.
func (a *Accounts) accountCases(ctx context.Context, userID int64, link func(c Case) (site, url string)) (out []caseView, missing []string, on bool) {
	src := a.srv.caseSource()
	if src == nil {
		return nil, nil, false
	}
	cl, err := src.Cases(ctx, userID)
	if err != nil {
		a.srv.log.Warn("account: cases", "user", userID, "err", err)
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
