package mailbox

import (
	"context"
	"fmt"
	"time"

	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/calendar"
)

var _ sdk.Ticker = (*Handler)(nil)

// escalateAfter is how many working days after the deadline an open
// letter is escalated to the county office.
const escalateAfter = 5

// Tick reminds (催办) open letters on the day after their deadline and
// escalates (督办) those still open five working days later. Each step
// happens once per letter: the UPDATE is guarded by the flag it sets, so
// two ticks never remind twice.
func (h *Handler) Tick(ctx context.Context, at time.Time) ([]string, error) {
	day := calendar.DateOf(at.In(cst))
	notes, err := h.recompute(ctx, at)
	if err != nil {
		return notes, err
	}
	for _, tc := range h.env.Tenants() {
		s := h.env.DB.Tenant(tc.Tenant.ID)
		ls, err := selectLetters(ctx, s, "status IN ('assigned','replied') AND deadline <> '' AND deadline < :today AND (reminded = 0 OR escalated = 0)",
			sdk.Args{"today": day.String()})
		if err != nil {
			return notes, err
		}
		for _, l := range ls {
			if !l.Reminded {
				ok, err := h.mark(ctx, tc.Tenant.ID, l, "reminded", "remind", "催办：已超过办理期限 "+l.Deadline+"，请承办单位尽快答复", at)
				if err != nil {
					return notes, err
				}
				if ok {
					notes = append(notes, fmt.Sprintf("信件 %s 超期催办", l.Number))
				}
			}
			if l.Escalated {
				continue
			}
			dl, err := calendar.ParseDate(l.Deadline)
			if err != nil {
				continue
			}
			wd, err := h.env.Host.WorkingDaysBetween(ctx, dl, day)
			if err != nil || wd.Days < escalateAfter {
				continue
			}
			ok, err := h.mark(ctx, tc.Tenant.ID, l, "escalated", "escalate",
				fmt.Sprintf("督办：超过办理期限 %d 个工作日仍未办结，已提请县政府办督办", wd.Days), at)
			if err != nil {
				return notes, err
			}
			if ok {
				notes = append(notes, fmt.Sprintf("信件 %s 超期 %d 个工作日，已督办", l.Number, wd.Days))
			}
		}
	}
	return notes, nil
}

// mark sets flag (reminded or escalated; escalation also flags the
// letter) once, with a history line and an audit entry.
func (h *Handler) mark(ctx context.Context, tenantID int64, l *Letter, flag, action, note string, at time.Time) (bool, error) {
	var q string
	switch flag {
	case "reminded":
		q = `UPDATE mailbox_letters SET reminded = 1 WHERE tenant_id = :tenant_id AND id = :id AND reminded = 0`
	case "escalated":
		q = `UPDATE mailbox_letters SET escalated = 1, flagged = 1 WHERE tenant_id = :tenant_id AND id = :id AND escalated = 0`
	default:
		return false, fmt.Errorf("mailbox: unknown flag %q", flag)
	}
	done := false
	err := h.env.DB.Tx(ctx, tenantID, func(s *sdk.Scope) error {
		res, err := s.Exec(ctx, q, sdk.Args{"id": l.ID})
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil
		}
		done = true
		return addEvent(ctx, s, &Event{LetterID: l.ID, At: at.UTC(), Actor: "system:mailbox", Action: action,
			FromStatus: l.Status, ToStatus: l.Status, Note: note})
	})
	if err != nil || !done {
		return false, err
	}
	if err := h.env.Host.Audit(ctx, sdk.AuditEntry{TenantID: tenantID, Actor: "system:mailbox", Action: "letter." + action,
		Target: l.Number, Detail: note}); err != nil {
		h.env.Log.Warn("audit", "action", action, "err", err)
	}
	return true, nil
}

// recomputeEvery is how often open letters' deadlines are checked
// against the host's calendar in any case; a change of the calendar
// itself is noticed at the next tick (calendarPrint).
const recomputeEvery = 10 * time.Minute

// calendarPrint is a fingerprint of the host's calendar around today
// (four months back, two ahead: where open letters' acceptance dates and
// deadlines lie), read with one call per tick, so that a correction the
// county office makes moves deadlines within a minute. An error (a year
// the calendar lacks) is part of the print: adding the year changes it.
func (h *Handler) calendarPrint(ctx context.Context, at time.Time) string {
	day := calendar.DateOf(at.In(cst))
	wd, err := h.env.Host.WorkingDaysBetween(ctx, day.AddDays(-120), day.AddDays(60))
	if err != nil {
		return "error: " + err.Error()
	}
	return fmt.Sprint(wd.Days, wd.Steps)
}

// recompute checks the deadline of every open letter against the host's
// calendar as it is now: when the county office has changed the calendar
// (a holiday added, a make-up day moved), the deadline moves with it and
// the change is in the letter's history and the audit log.
func (h *Handler) recompute(ctx context.Context, at time.Time) ([]string, error) {
	fp := h.calendarPrint(ctx, at)
	h.recomputeMu.Lock()
	if fp == h.lastPrint && !h.lastRecompute.IsZero() && at.Sub(h.lastRecompute) < recomputeEvery && at.After(h.lastRecompute) {
		h.recomputeMu.Unlock()
		return nil, nil
	}
	h.lastRecompute, h.lastPrint = at, fp
	h.recomputeMu.Unlock()
	var notes []string
	for _, tc := range h.env.Tenants() {
		ls, err := selectLetters(ctx, h.env.DB.Tenant(tc.Tenant.ID), "status IN ('assigned','replied') AND accepted_on <> '' AND days > 0", nil)
		if err != nil {
			return notes, err
		}
		for _, l := range ls {
			acc, err := calendar.ParseDate(l.AcceptedOn)
			if err != nil {
				continue
			}
			n, why := l.Days, "按受理时的期限"
			if l.ExtStatus == "approved" {
				n += l.ExtDays
				why += "及经批准的延期"
			}
			dl, ex, err := computeDeadline(ctx, h.env.Host, acc, n, why)
			if err != nil {
				h.env.Log.Warn("recompute deadline", "number", l.Number, "err", err)
				continue
			}
			if dl == l.Deadline {
				continue
			}
			old, from := l.Deadline, l.Status
			l.Deadline, l.DeadlineExplain, l.UpdatedAt = dl, "工作日历调整后重新计算："+ex, at.UTC()
			note := "工作日历调整，办理期限由 " + old + " 改为 " + dl
			err = h.env.DB.Tx(ctx, l.TenantID, func(s *sdk.Scope) error {
				if err := saveLetter(ctx, s, l, from); err != nil {
					return err
				}
				return addEvent(ctx, s, &Event{LetterID: l.ID, At: at.UTC(), Actor: "system:mailbox", Action: "recompute",
					FromStatus: from, ToStatus: from, Note: note})
			})
			if err != nil {
				// A letter changed meanwhile: the next check takes it up.
				h.env.Log.Warn("recompute deadline", "number", l.Number, "err", err)
				continue
			}
			_ = h.env.Host.Audit(ctx, sdk.AuditEntry{TenantID: l.TenantID, Actor: "system:mailbox", Action: "letter.recompute", Target: l.Number, Detail: note})
			notes = append(notes, "信件 "+l.Number+"："+note)
		}
	}
	return notes, nil
}
