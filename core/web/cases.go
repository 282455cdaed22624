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

// CaseSource is the source of the account page's 我的办件, nil without
// modules.
func (s *Server) CaseSource() Cases {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cases
}
