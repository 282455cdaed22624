package modules

import (
	"context"
	"sort"
	"sync"
	"time"

	"yiwang/core/web"
	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/rpc"
)

// casesTimeout bounds each module's answer: the account page waits for
// the slowest module, so one that hangs costs two seconds and a note.
const casesTimeout = 2 * time.Second

var _ web.Cases = (*Host)(nil)

// Cases asks every module some tenant enables, in parallel, for the
// person's cases: the account page's one list (我的办件). A module that is
// down, fails or is slow is left out and named in Missing; a case of a
// tenant that does not enable its module is dropped. Open cases come
// first, soonest deadline first (those without one after), then closed
// ones, latest change first.
func (h *Host) Cases(ctx context.Context, userID int64) (web.CaseList, error) {
	type answer struct {
		module, title string
		cases         []sdk.Case
		err           error
	}
	var (
		wg      sync.WaitGroup
		answers = make([]answer, len(h.names))
	)
	for i, name := range h.names {
		if !h.enablesAny(name) {
			continue
		}
		d, _ := h.Description(name)
		answers[i] = answer{module: name, title: moduleTitle(d, name)}
		pl := h.procs[name].current()
		if pl == nil {
			answers[i].err = unavailable(d.Title)
			continue
		}
		wg.Add(1)
		go func(a *answer, pl *rpc.Plugin) {
			defer wg.Done()
			cctx, cancel := context.WithTimeout(ctx, casesTimeout)
			defer cancel()
			a.cases, a.err = pl.Cases(cctx, userID)
		}(&answers[i], pl)
	}
	wg.Wait()
	var out web.CaseList
	for _, a := range answers {
		if a.module == "" {
			continue
		}
		if a.err != nil {
			h.log.Warn("modules: cases", "module", a.module, "user", userID, "err", a.err)
			out.Missing = append(out.Missing, a.title)
			continue
		}
		for _, c := range a.cases {
			if _, ok := h.enablement(a.module, c.TenantID); !ok {
				continue
			}
			out.Cases = append(out.Cases, web.Case{TenantID: c.TenantID, Module: a.module, Kind: c.Kind, Number: c.Number,
				Title: c.Title, State: c.State, Due: c.Due, Overdue: c.Overdue, Closed: c.Closed, Path: c.Path, Updated: c.Updated})
		}
	}
	sortCases(out.Cases)
	return out, nil
}

// enablesAny reports whether some tenant enables module.
func (h *Host) enablesAny(module string) bool {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.enabled[module]) > 0
}

func moduleTitle(d sdk.Description, name string) string {
	if d.Title != "" {
		return d.Title
	}
	return name
}

// sortCases: open before closed; open by due date (none last), closed by
// last change, newest first; the number breaks ties so the order is stable.
func sortCases(cs []web.Case) {
	sort.SliceStable(cs, func(i, j int) bool {
		a, b := cs[i], cs[j]
		if a.Closed != b.Closed {
			return !a.Closed
		}
		if !a.Closed {
			if a.Due != b.Due {
				switch {
				case a.Due.IsZero():
					return false
				case b.Due.IsZero():
					return true
				}
				return a.Due.Before(b.Due)
			}
		} else if !a.Updated.Equal(b.Updated) {
			return a.Updated.After(b.Updated)
		}
		return a.Number < b.Number
	})
}
