package interview

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"yiwang/plugins/sdk"
)

// Interview is one online interview of a tenant.
type Interview struct {
	ID           int64      `db:"id"`
	TenantID     int64      `db:"tenant_id"`
	Title        string     `db:"title"`
	Description  string     `db:"description"` // rich text, sanitized
	HostName     string     `db:"host_name"`
	StartsAt     time.Time  `db:"starts_at"`
	DurationMin  int        `db:"duration_min"`
	AnnounceDays int        `db:"announce_days"`
	VideoURL     string     `db:"video_url"` // the TV station's HLS address
	Published    bool       `db:"published"`
	EndedAt      *time.Time `db:"ended_at"`  // ended early by staff
	AfterDue     string     `db:"after_due"` // YYYY-MM-DD: unanswered questions answered by then
	TranscriptAt *time.Time `db:"transcript_at"`
	Summary      string     `db:"summary"` // rich text with the transcript
	Demo         bool       `db:"demo"`
	CreatedAt    time.Time  `db:"created_at"`
	UpdatedAt    time.Time  `db:"updated_at"`

	Guests []Guest `db:"-"`
}

// Phases of an interview, from the clock and the staff's actions.
const (
	PhaseDraft    = "draft"    // not published
	PhaseComing   = "coming"   // published, not yet announced
	PhaseNotice   = "notice"   // announced (预告): questions open
	PhaseLive     = "live"     // under way
	PhaseEnded    = "ended"    // over, transcript not yet published
	PhaseArchived = "archived" // transcript (文字实录) published
)

var phaseLabels = map[string]string{
	PhaseDraft: "草稿", PhaseComing: "待预告", PhaseNotice: "预告", PhaseLive: "正在直播", PhaseEnded: "已结束", PhaseArchived: "文字实录",
}

// End is when the interview ends: early if staff ended it, else at its
// planned time.
func (iv *Interview) End() time.Time {
	if iv.EndedAt != nil {
		return *iv.EndedAt
	}
	return iv.StartsAt.Add(time.Duration(iv.DurationMin) * time.Minute)
}

// AnnounceAt is when the notice goes up.
func (iv *Interview) AnnounceAt() time.Time {
	return iv.StartsAt.AddDate(0, 0, -iv.AnnounceDays)
}

// Phase is where the interview stands at t.
func (iv *Interview) Phase(t time.Time) string {
	switch {
	case !iv.Published:
		return PhaseDraft
	case iv.TranscriptAt != nil:
		return PhaseArchived
	case !t.Before(iv.End()):
		return PhaseEnded
	case !t.Before(iv.StartsAt):
		return PhaseLive
	case !t.Before(iv.AnnounceAt()):
		return PhaseNotice
	}
	return PhaseComing
}

// Public reports whether people may see the interview at t.
func (iv *Interview) Public(t time.Time) bool {
	switch iv.Phase(t) {
	case PhaseNotice, PhaseLive, PhaseEnded, PhaseArchived:
		return true
	}
	return false
}

// Channel names the interview's event channel.
func (iv *Interview) Channel() string { return strconv.FormatInt(iv.ID, 10) }

// Guest is a guest of an interview.
type Guest struct {
	ID          int64  `db:"id"`
	TenantID    int64  `db:"tenant_id"`
	InterviewID int64  `db:"interview_id"`
	Name        string `db:"name"`
	Post        string `db:"post"`
	PhotoID     int64  `db:"photo_id"`
	Sort        int    `db:"sort"`
}

// Question states.
const (
	QPending  = "pending"
	QApproved = "approved"
	QRejected = "rejected"
	QMerged   = "merged"
)

// Question is a citizen's question.
type Question struct {
	ID          int64      `db:"id"`
	TenantID    int64      `db:"tenant_id"`
	InterviewID int64      `db:"interview_id"`
	UserID      int64      `db:"user_id"`
	UserName    string     `db:"user_name"`
	Body        string     `db:"body"` // plain text
	Status      string     `db:"status"`
	Reason      string     `db:"reason"` // why not taken, told to the asker
	Note        string     `db:"note"`   // staff only
	MergedInto  int64      `db:"merged_into"`
	QueuePos    int        `db:"queue_pos"`
	Answered    string     `db:"answered"` // "", "live", "after"
	AnsweredAt  *time.Time `db:"answered_at"`
	DecidedBy   string     `db:"decided_by"`
	CreatedAt   time.Time  `db:"created_at"`
	UpdatedAt   time.Time  `db:"updated_at"`
}

// Answer is an answer posted live or after.
type Answer struct {
	ID          int64     `db:"id"`
	TenantID    int64     `db:"tenant_id"`
	InterviewID int64     `db:"interview_id"`
	QuestionID  int64     `db:"question_id"`
	Speaker     string    `db:"speaker"`
	Body        string    `db:"body"`
	PhotoID     int64     `db:"photo_id"`
	PhotoAlt    string    `db:"photo_alt"`
	Phase       string    `db:"phase"`
	CreatedBy   string    `db:"created_by"`
	CreatedAt   time.Time `db:"created_at"`

	Question string `db:"-"` // the question's text, when it answers one
}

const interviewCols = `id, tenant_id, title, description, host_name, starts_at, duration_min, announce_days, video_url, published,
	ended_at, after_due, transcript_at, summary, demo, created_at, updated_at`

func getInterview(ctx context.Context, s *sdk.Scope, id int64) (*Interview, error) {
	var iv Interview
	err := s.Get(ctx, &iv, `SELECT `+interviewCols+` FROM interviews WHERE tenant_id = :tenant_id AND id = :id`, sdk.Args{"id": id})
	if err != nil {
		return nil, sdk.Found(err, "这期访谈不存在，可能已被删除或地址有误。")
	}
	if err := s.Select(ctx, &iv.Guests, `SELECT id, tenant_id, interview_id, name, post, photo_id, sort FROM interview_guests
		WHERE tenant_id = :tenant_id AND interview_id = :id ORDER BY sort, id`, sdk.Args{"id": id}); err != nil {
		return nil, fmt.Errorf("guests of interview %d: %w", id, err)
	}
	return &iv, nil
}

func listInterviews(ctx context.Context, s *sdk.Scope) ([]*Interview, error) {
	var out []*Interview
	if err := s.Select(ctx, &out, `SELECT `+interviewCols+` FROM interviews WHERE tenant_id = :tenant_id ORDER BY starts_at DESC, id DESC`, nil); err != nil {
		return nil, fmt.Errorf("list interviews: %w", err)
	}
	return out, nil
}

func questionsOf(ctx context.Context, s *sdk.Scope, interviewID int64) ([]*Question, error) {
	var out []*Question
	if err := s.Select(ctx, &out, `SELECT * FROM interview_questions WHERE tenant_id = :tenant_id AND interview_id = :iv ORDER BY id`,
		sdk.Args{"iv": interviewID}); err != nil {
		return nil, fmt.Errorf("questions of interview %d: %w", interviewID, err)
	}
	return out, nil
}

func getQuestion(ctx context.Context, s *sdk.Scope, interviewID, id int64) (*Question, error) {
	var q Question
	err := s.Get(ctx, &q, `SELECT * FROM interview_questions WHERE tenant_id = :tenant_id AND interview_id = :iv AND id = :id`,
		sdk.Args{"iv": interviewID, "id": id})
	if err != nil {
		return nil, sdk.Found(err, "这个问题不存在。")
	}
	return &q, nil
}

// answersOf lists the interview's answers in order, each with the text
// of the question it answers.
func answersOf(ctx context.Context, s *sdk.Scope, interviewID int64) ([]*Answer, error) {
	var out []*Answer
	if err := s.Select(ctx, &out, `SELECT * FROM interview_answers WHERE tenant_id = :tenant_id AND interview_id = :iv ORDER BY id`,
		sdk.Args{"iv": interviewID}); err != nil {
		return nil, fmt.Errorf("answers of interview %d: %w", interviewID, err)
	}
	qs, err := questionsOf(ctx, s, interviewID)
	if err != nil {
		return nil, err
	}
	byID := map[int64]*Question{}
	for _, q := range qs {
		byID[q.ID] = q
	}
	for _, a := range out {
		if q := byID[a.QuestionID]; q != nil {
			a.Question = q.Body
		}
	}
	return out, nil
}

// insertPhoto records a photo: its key in the platform's file store, or,
// with no key, its bytes here.
func insertPhoto(ctx context.Context, s *sdk.Scope, interviewID int64, ct string, data []byte, key string) (int64, error) {
	if key != "" {
		data = []byte{}
	}
	id, err := s.Insert(ctx, `INSERT INTO interview_photos (tenant_id, interview_id, content_type, data, blob_key, created_at)
		VALUES (:tenant_id, :iv, :ct, :data, :key, :now)`, sdk.Args{"iv": interviewID, "ct": ct, "data": data, "key": key, "now": time.Now().UTC()})
	if err != nil {
		return 0, fmt.Errorf("store photo: %w", err)
	}
	return id, nil
}

type photo struct {
	ContentType string `db:"content_type"`
	Data        []byte `db:"data"`
	Key         string `db:"blob_key"`
}

func getPhoto(ctx context.Context, s *sdk.Scope, interviewID, id int64) (*photo, error) {
	var p photo
	err := s.Get(ctx, &p, `SELECT content_type, data, blob_key FROM interview_photos WHERE tenant_id = :tenant_id AND interview_id = :iv AND id = :id`,
		sdk.Args{"iv": interviewID, "id": id})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, sdk.Errorf(sdk.ENOTFOUND, "图片不存在。")
	}
	return &p, err
}

// putPhoto hands a photo to the platform's file store (shared by the
// replicas, in the tenant's quota) and returns its key; "" keeps the bytes
// in the module's database: a host without the store, or one that cannot
// take the file now, never stops an answer.
func (h *Handler) putPhoto(ctx context.Context, tenantID int64, ct string, data []byte) string {
	if data == nil {
		return ""
	}
	key, err := h.env.Host.PutFile(ctx, sdk.File{TenantID: tenantID, Name: "photo", ContentType: ct, Data: data})
	if err != nil {
		if !errors.Is(err, sdk.ErrUnsupported) {
			h.env.Log.Warn("interview: photo kept in the module database", "err", err)
		}
		return ""
	}
	return key
}

// dropPhoto removes the store's copy of a photo whose row was not saved.
func (h *Handler) dropPhoto(ctx context.Context, tenantID int64, key string) {
	if key == "" {
		return
	}
	if err := h.env.Host.DeleteFile(context.WithoutCancel(ctx), tenantID, key); err != nil {
		h.env.Log.Warn("interview: remove photo", "err", err)
	}
}
