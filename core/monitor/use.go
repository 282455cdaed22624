package monitor

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Use is what a unit's staff did on a day, counted from the audit log.
type Use struct {
	SignIns   int // distinct staff members who signed in
	Written   int // articles created or saved
	Reviewed  int // articles approved or sent back
	Published int
	Cases     int // module actions: letters, requests, interviews…
	Other     int
}

// Total is every counted action, sign-ins included.
func (u *Use) Total() int {
	return u.SignIns + u.Written + u.Reviewed + u.Published + u.Cases + u.Other
}

// coreActions sort core's audit actions into the kinds of use; a module's
// actions carry its name as prefix and count as cases.
var coreActions = map[string]func(*Use){
	"article.create":  func(u *Use) { u.Written++ },
	"article.save":    func(u *Use) { u.Written++ },
	"article.approve": func(u *Use) { u.Reviewed++ },
	"article.return":  func(u *Use) { u.Reviewed++ },
	"article.publish": func(u *Use) { u.Published++ },
}

// corePrefixes are core's action families; anything else is a module's.
var corePrefixes = []string{"article.", "account.", "column.", "submission.", "tenant.", "module.", "calendar.", "check.", "role.", "search.", "cert.", "setting.", "monitor.", "editorial.", "website_report."}

// StaffUse counts each unit's staff use on [from, to): sign-ins are
// platform-wide records, given to every unit where the person holds a
// role; everything else carries its tenant.
func (s *Store) StaffUse(ctx context.Context, from, to time.Time) (map[int64]*Use, error) {
	out := map[int64]*Use{}
	get := func(id int64) *Use {
		if out[id] == nil {
			out[id] = &Use{}
		}
		return out[id]
	}
	var signins []struct {
		TenantID int64 `db:"tenant_id"`
		N        int   `db:"n"`
	}
	if err := s.db.SelectContext(ctx, &signins, `SELECT m.tenant_id, COUNT(DISTINCT l.actor) AS n
		FROM audit_log l JOIN memberships m ON l.actor = CONCAT('user:', m.account_id)
		WHERE l.action = 'account.login' AND l.result = 'ok' AND l.at >= ? AND l.at < ? AND m.tenant_id > 0
		GROUP BY m.tenant_id`, from.UTC(), to.UTC()); err != nil {
		return nil, fmt.Errorf("staff sign-ins: %w", err)
	}
	for _, x := range signins {
		get(x.TenantID).SignIns = x.N
	}
	var acts []struct {
		TenantID int64  `db:"tenant_id"`
		Action   string `db:"action"`
		N        int    `db:"n"`
	}
	if err := s.db.SelectContext(ctx, &acts, `SELECT tenant_id, action, COUNT(*) AS n FROM audit_log
		WHERE at >= ? AND at < ? AND tenant_id IS NOT NULL AND tenant_id > 0 AND action <> 'account.login' AND result = 'ok'
		GROUP BY tenant_id, action`, from.UTC(), to.UTC()); err != nil {
		return nil, fmt.Errorf("staff actions: %w", err)
	}
	for _, a := range acts {
		u := get(a.TenantID)
		if f, ok := coreActions[a.Action]; ok {
			for i := 0; i < a.N; i++ {
				f(u)
			}
			continue
		}
		core := false
		for _, p := range corePrefixes {
			core = core || strings.HasPrefix(a.Action, p)
		}
		if core {
			u.Other += a.N
		} else {
			u.Cases += a.N
		}
	}
	return out, nil
}
