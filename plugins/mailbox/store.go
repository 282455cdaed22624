package mailbox

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"time"

	"yiwang/plugins/sdk"
)

// Letter states.
const (
	Submitted = "submitted" // 待受理
	Rejected  = "rejected"  // 不予受理
	Assigned  = "assigned"  // 办理中
	Replied   = "replied"   // 答复待审核
	Closed    = "closed"    // 已办结
)

// StatusLabel is a state as people read it.
func StatusLabel(s string) string {
	switch s {
	case Submitted:
		return "待受理"
	case Rejected:
		return "不予受理"
	case Assigned:
		return "办理中"
	case Replied:
		return "答复审核中"
	case Closed:
		return "已办结"
	}
	return s
}

// Categories of letters.
var Categories = []string{"咨询", "求助", "投诉", "建议", "举报"}

// Origins of letters forwarded from upper-level platforms.
var Origins = []string{"市长信箱", "社情民意"}

// Ratings a writer may give.
var Ratings = []string{"满意", "基本满意", "不满意"}

func validCategory(c string) bool { return contains(Categories, c) }

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// Letter is one letter.
type Letter struct {
	ID               int64      `db:"id"`
	TenantID         int64      `db:"tenant_id"`
	Mailbox          string     `db:"mailbox"`
	Category         string     `db:"category"`
	Subject          string     `db:"subject"`
	Content          string     `db:"content"`
	Phone            string     `db:"phone"`
	Consent          bool       `db:"consent"`
	Number           string     `db:"number"`
	CodeHash         string     `db:"code_hash"`
	UserID           int64      `db:"user_id"`
	RemoteAddr       string     `db:"remote_addr"`
	Status           string     `db:"status"`
	AssignedTenantID int64      `db:"assigned_tenant_id"`
	BounceCount      int        `db:"bounce_count"`
	Flagged          bool       `db:"flagged"`
	Reason           string     `db:"reason"`
	Reply            string     `db:"reply"`
	ReplyStatus      string     `db:"reply_status"` // draft, submitted, returned, approved
	Published        bool       `db:"published"`
	PublicSubject    string     `db:"public_subject"` // the published version, edited by the dispatcher
	PublicContent    string     `db:"public_content"`
	PublicReply      string     `db:"public_reply"`
	AcceptedOn       string     `db:"accepted_on"`
	Deadline         string     `db:"deadline"`
	Days             int        `db:"days"` // working days granted at acceptance
	DeadlineExplain  string     `db:"deadline_explain"`
	ExtReason        string     `db:"ext_reason"`
	ExtDays          int        `db:"ext_days"`
	ExtStatus        string     `db:"ext_status"` // requested, approved, refused
	Rating           string     `db:"rating"`
	Origin           string     `db:"origin"`     // 市长信箱, 社情民意: forwarded from an upper-level platform
	OriginRef        string     `db:"origin_ref"` // its number there
	Reminded         bool       `db:"reminded"`
	Escalated        bool       `db:"escalated"`
	CreatedAt        time.Time  `db:"created_at"`
	UpdatedAt        time.Time  `db:"updated_at"`
	ClosedAt         *time.Time `db:"closed_at"`
}

// StatusLabel of the letter.
func (l *Letter) StatusLabel() string { return StatusLabel(l.Status) }

// Event is a line of a letter's history.
type Event struct {
	ID         int64     `db:"id"`
	TenantID   int64     `db:"tenant_id"`
	LetterID   int64     `db:"letter_id"`
	At         time.Time `db:"at"`
	Actor      string    `db:"actor"`
	Action     string    `db:"action"`
	FromStatus string    `db:"from_status"`
	ToStatus   string    `db:"to_status"`
	Note       string    `db:"note"`
}

const letterCols = `id, tenant_id, mailbox, category, subject, content, phone, consent, number, code_hash, user_id, remote_addr,
	status, assigned_tenant_id, bounce_count, flagged, reason, reply, reply_status, published, public_subject, public_content, public_reply, accepted_on, deadline, days,
	deadline_explain, ext_reason, ext_days, ext_status, rating, origin, origin_ref, reminded, escalated, created_at, updated_at, closed_at`

func insertLetter(ctx context.Context, s *sdk.Scope, l *Letter) error {
	id, err := s.Insert(ctx, `INSERT INTO mailbox_letters (tenant_id, mailbox, category, subject, content, phone, consent, number,
		code_hash, user_id, remote_addr, status, reason, reply, deadline_explain, ext_reason, origin, origin_ref, public_content, public_reply, created_at, updated_at)
		VALUES (:tenant_id, :mailbox, :category, :subject, :content, :phone, :consent, :number, :code_hash, :user_id,
		:remote_addr, :status, '', '', '', '', :origin, :origin_ref, '', '', :created_at, :updated_at)`, l)
	if err != nil {
		return err
	}
	l.ID, l.TenantID = id, s.TenantID()
	return nil
}

// saveLetter writes the mutable fields of l, only if its status is still
// from: a concurrent change (two dispatchers, a double submit) loses
// instead of handling a letter twice.
func saveLetter(ctx context.Context, s *sdk.Scope, l *Letter, from string) error {
	res, err := s.Exec(ctx, `UPDATE mailbox_letters SET status = :status, assigned_tenant_id = :assigned_tenant_id,
		bounce_count = :bounce_count, flagged = :flagged, reason = :reason, reply = :reply, reply_status = :reply_status,
		published = :published, public_subject = :public_subject, public_content = :public_content, public_reply = :public_reply, accepted_on = :accepted_on, deadline = :deadline, days = :days, deadline_explain = :deadline_explain,
		ext_reason = :ext_reason, ext_days = :ext_days, ext_status = :ext_status, rating = :rating,
		updated_at = :updated_at, closed_at = :closed_at
		WHERE tenant_id = :tenant_id AND id = :id AND status = :from_status`, sdk.Args{
		"status": l.Status, "assigned_tenant_id": l.AssignedTenantID, "bounce_count": l.BounceCount, "flagged": l.Flagged,
		"reason": l.Reason, "reply": l.Reply, "reply_status": l.ReplyStatus, "published": l.Published, "public_subject": l.PublicSubject, "public_content": l.PublicContent, "public_reply": l.PublicReply,
		"accepted_on": l.AcceptedOn, "deadline": l.Deadline, "days": l.Days, "deadline_explain": l.DeadlineExplain,
		"ext_reason": l.ExtReason, "ext_days": l.ExtDays, "ext_status": l.ExtStatus, "rating": l.Rating,
		"updated_at": l.UpdatedAt, "closed_at": l.ClosedAt, "id": l.ID, "from_status": from,
	})
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return sdk.Errorf(sdk.ECONFLICT, "这封信件刚刚已被他人处理，请刷新页面后再操作。")
	}
	return nil
}

func addEvent(ctx context.Context, s *sdk.Scope, e *Event) error {
	_, err := s.Insert(ctx, `INSERT INTO mailbox_history (tenant_id, letter_id, at, actor, action, from_status, to_status, note)
		VALUES (:tenant_id, :letter_id, :at, :actor, :action, :from_status, :to_status, :note)`, e)
	return err
}

func letterByNumber(ctx context.Context, s *sdk.Scope, number string) (*Letter, error) {
	var l Letter
	err := s.Get(ctx, &l, `SELECT `+letterCols+` FROM mailbox_letters WHERE tenant_id = :tenant_id AND number = :number`, sdk.Args{"number": number})
	if err != nil {
		return nil, sdk.Found(err, "没有找到这封信件。")
	}
	return &l, nil
}

func historyOf(ctx context.Context, s *sdk.Scope, id int64) ([]Event, error) {
	var out []Event
	err := s.Select(ctx, &out, `SELECT id, tenant_id, letter_id, at, actor, action, from_status, to_status, note FROM mailbox_history
		WHERE tenant_id = :tenant_id AND letter_id = :id ORDER BY id`, sdk.Args{"id": id})
	return out, err
}

func selectLetters(ctx context.Context, s *sdk.Scope, where string, args sdk.Args) ([]*Letter, error) {
	var out []*Letter
	err := s.Select(ctx, &out, `SELECT `+letterCols+` FROM mailbox_letters WHERE tenant_id = :tenant_id AND `+where+` ORDER BY id DESC LIMIT 500`, args)
	return out, err
}

// newNumber is a letter number: the year and ten random digits, which a
// visitor cannot enumerate.
func newNumber(now time.Time) string {
	return fmt.Sprintf("XX%d%s", now.In(cst).Year(), randomDigits(10))
}

func randomDigits(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		d, err := rand.Int(rand.Reader, big.NewInt(10))
		if err != nil {
			panic(err)
		}
		b.WriteByte(byte('0' + d.Int64()))
	}
	return b.String()
}

// hashCode is how a query code is stored: salted with the letter number.
func hashCode(number, code string) string {
	sum := sha256.Sum256([]byte("yiwang-mailbox|" + number + "|" + strings.TrimSpace(code)))
	return hex.EncodeToString(sum[:])
}

var (
	idCardPattern = regexp.MustCompile(`\d{17}[\dXx]`)
	phonePattern  = regexp.MustCompile(`1[3-9]\d{9}|0\d{2,3}-?\d{7,8}`)
	emailPattern  = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`)
	digitsPattern = regexp.MustCompile(`\d{7,}`)
)

// redact removes personal data from text that is published: identity
// card numbers, telephone numbers, e-mail addresses and any long run of
// digits (bank cards, account numbers).
func redact(s string) string {
	s = idCardPattern.ReplaceAllString(s, "[已隐去]")
	s = phonePattern.ReplaceAllString(s, "[已隐去]")
	s = emailPattern.ReplaceAllString(s, "[已隐去]")
	return digitsPattern.ReplaceAllString(s, "[已隐去]")
}
