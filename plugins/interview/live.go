package interview

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/calendar"
)

func dateOf(t time.Time) calendar.Date { return calendar.DateOf(t.In(cst)) }

// Events serves an interview's live page: its channel is its id. Only an
// interview people may see has one; the events are the answers posted
// live and the changes of state, from the module's database.
func (h *Handler) Events(ctx context.Context, tenantID int64, channel string, after, until int64, send func(sdk.Event) error) error {
	id, err := strconv.ParseInt(channel, 10, 64)
	if err != nil || id <= 0 || !h.env.Enabled(tenantID) {
		return sdk.Errorf(sdk.ENOTFOUND, "没有这期访谈的直播。")
	}
	iv, err := h.interviewOf(ctx, tenantID, id)
	if err != nil {
		return err
	}
	if !iv.Public(h.now()) {
		return sdk.Errorf(sdk.ENOTFOUND, "没有这期访谈的直播。")
	}
	return h.log.Events(ctx, tenantID, channel, after, until, send)
}

// transcriptDoc is the search document of a published transcript.
func (h *Handler) transcriptDoc(ctx context.Context, s *sdk.Scope, iv *Interview) (sdk.Document, error) {
	as, err := answersOf(ctx, s, iv.ID)
	if err != nil {
		return sdk.Document{}, err
	}
	var b strings.Builder
	b.WriteString(sdk.PlainText(sdk.Sanitize(iv.Description)))
	for _, g := range iv.Guests {
		fmt.Fprintf(&b, "\n嘉宾：%s %s", g.Name, g.Post)
	}
	for _, a := range as {
		if a.Question != "" {
			fmt.Fprintf(&b, "\n网友：%s", a.Question)
		}
		fmt.Fprintf(&b, "\n%s：%s", a.Speaker, sdk.PlainText(sdk.Sanitize(a.Body)))
	}
	return sdk.Document{ID: iv.Channel(), TenantID: iv.TenantID, Type: "interview", Path: "interview/" + iv.Channel(),
		Title: iv.Title + "（文字实录）", Body: b.String(), Date: iv.StartsAt, Tags: []string{"在线访谈"}}, nil
}

// indexTranscript puts (or puts again) a transcript in the index; a
// failure is logged: Reindex repairs it.
func (h *Handler) indexTranscript(ctx context.Context, tenantID, id int64) {
	s := h.env.DB.Tenant(tenantID)
	iv, err := getInterview(ctx, s, id)
	if err == nil && iv.TranscriptAt != nil && iv.Published {
		var d sdk.Document
		if d, err = h.transcriptDoc(ctx, s, iv); err == nil {
			err = h.env.Host.Index(ctx, d)
		}
	}
	if err != nil {
		h.env.Log.Warn("index transcript", "interview", id, "err", err)
	}
}

// Reindex emits the published transcripts of a tenant (0: of all).
func (h *Handler) Reindex(ctx context.Context, tenantID int64, emit func(sdk.Document) error) error {
	for _, tc := range h.env.Tenants() {
		if tenantID != 0 && tc.Tenant.ID != tenantID {
			continue
		}
		s := h.env.DB.Tenant(tc.Tenant.ID)
		ivs, err := listInterviews(ctx, s)
		if err != nil {
			return err
		}
		for _, iv := range ivs {
			if iv.TranscriptAt == nil || !iv.Published {
				continue
			}
			full, err := getInterview(ctx, s, iv.ID)
			if err != nil {
				return err
			}
			d, err := h.transcriptDoc(ctx, s, full)
			if err != nil {
				return err
			}
			if err := emit(d); err != nil {
				return err
			}
		}
	}
	return nil
}

// Stats reports the figures the county office's supervision page and the
// yearly website report read: interviews held in the period, questions
// received, answered live, answered after.
func (h *Handler) Stats(ctx context.Context, tenantID int64, from, to time.Time) ([]sdk.Stat, error) {
	s := h.env.DB.Tenant(tenantID)
	var held, received, live, after int
	args := sdk.Args{"from": from.UTC(), "to": to.UTC()}
	for _, c := range []struct {
		dst *int
		q   string
	}{
		{&held, `SELECT COUNT(*) FROM interviews WHERE tenant_id = :tenant_id AND published = 1 AND starts_at >= :from AND starts_at < :to`},
		{&received, `SELECT COUNT(*) FROM interview_questions WHERE tenant_id = :tenant_id AND created_at >= :from AND created_at < :to`},
		{&live, `SELECT COUNT(*) FROM interview_questions WHERE tenant_id = :tenant_id AND answered = 'live' AND answered_at >= :from AND answered_at < :to`},
		{&after, `SELECT COUNT(*) FROM interview_questions WHERE tenant_id = :tenant_id AND answered = 'after' AND answered_at >= :from AND answered_at < :to`},
	} {
		if err := s.Get(ctx, c.dst, c.q, args); err != nil {
			return nil, fmt.Errorf("interview figures of tenant %d: %w", tenantID, err)
		}
	}
	return []sdk.Stat{
		{Name: "interviews", Title: "在线访谈期数", Value: float64(held), Unit: "期"},
		{Name: "questions_received", Title: "收到网民提问", Value: float64(received), Unit: "条"},
		{Name: "answered_live", Title: "访谈中答复", Value: float64(live), Unit: "条"},
		{Name: "answered_after", Title: "访谈后答复", Value: float64(after), Unit: "条"},
	}, nil
}

// Cases lists a person's questions in every tenant the module serves,
// for the account page: open while waiting for screening or an answer
// (with the 5-working-day deadline once the interview has ended), closed
// when answered, merged or not taken.
func (h *Handler) Cases(ctx context.Context, userID int64) ([]sdk.Case, error) {
	if userID == 0 {
		return nil, nil
	}
	today := h.today().String()
	var out []sdk.Case
	for _, tc := range h.env.Tenants() {
		s := h.env.DB.Tenant(tc.Tenant.ID)
		var qs []*Question
		if err := s.Select(ctx, &qs, `SELECT * FROM interview_questions WHERE tenant_id = :tenant_id AND user_id = :uid ORDER BY id`,
			sdk.Args{"uid": userID}); err != nil {
			return nil, fmt.Errorf("cases of user %d in tenant %d: %w", userID, tc.Tenant.ID, err)
		}
		ivs := map[int64]*Interview{}
		for _, q := range qs {
			iv := ivs[q.InterviewID]
			if iv == nil {
				var err error
				if iv, err = getInterview(ctx, s, q.InterviewID); err != nil {
					continue
				}
				ivs[q.InterviewID] = iv
			}
			title := []rune(q.Body)
			if len(title) > 30 {
				title = append(title[:30], '…')
			}
			c := sdk.Case{TenantID: q.TenantID, Kind: "访谈提问", Number: "FT" + strconv.FormatInt(q.ID, 10),
				Title: iv.Title + "：" + string(title), State: questionState(q), Path: "interview/my/", Updated: q.UpdatedAt}
			c.Closed = q.Answered != "" || q.Status == QRejected || q.Status == QMerged
			if !c.Closed && q.Status == QApproved && iv.AfterDue != "" {
				if d, err := calendar.ParseDate(iv.AfterDue); err == nil {
					c.Due, c.Overdue = d, iv.AfterDue < today
				}
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// Tick fixes the answer-after deadline of interviews that have just
// ended, so that cases and the staff page show it.
func (h *Handler) Tick(ctx context.Context, now time.Time) ([]string, error) {
	var notes []string
	for _, tc := range h.env.Tenants() {
		s := h.env.DB.Tenant(tc.Tenant.ID)
		var ivs []*Interview
		if err := s.Select(ctx, &ivs, `SELECT `+interviewCols+` FROM interviews WHERE tenant_id = :tenant_id AND published = 1 AND after_due = ''
			AND starts_at < :now`, sdk.Args{"now": now.UTC()}); err != nil {
			return notes, fmt.Errorf("interviews to close of tenant %d: %w", tc.Tenant.ID, err)
		}
		for _, iv := range ivs {
			if err := h.ensureDue(ctx, iv); err != nil {
				notes = append(notes, fmt.Sprintf("访谈 %d 的答复期限无法计算：%s", iv.ID, sdk.ErrorMessage(err)))
			}
		}
	}
	return notes, nil
}
