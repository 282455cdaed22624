// Package notices is the site inbox (站内消息): what the platform and its
// modules tell a person (your letter was answered, its deadline extended),
// kept in the platform database and shown on the person's account page on
// every site, read or not.
package notices

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"yiwang/core"
	"yiwang/core/store"
)

// Notice is one message to one account.
type Notice struct {
	ID        int64      `db:"id"`
	AccountID int64      `db:"account_id"`
	TenantID  int64      `db:"tenant_id"`
	Subject   string     `db:"subject"`
	Body      string     `db:"body"`
	Path      string     `db:"path"` // relative to the tenant's site base
	CreatedAt time.Time  `db:"created_at"`
	ReadAt    *time.Time `db:"read_at"`
}

// Store keeps notices in the platform database.
type Store struct{ db *store.DB }

// NewStore returns the store on db.
func NewStore(db *store.DB) *Store { return &Store{db: db} }

const (
	maxSubject = 200
	maxBody    = 4000
	maxPath    = 500
)

// Add stores a notice. The path must stay on the site (no scheme, no
// host): a notice never links elsewhere.
func (s *Store) Add(ctx context.Context, n *Notice) error {
	n.Subject, n.Body, n.Path = strings.TrimSpace(n.Subject), strings.TrimSpace(n.Body), strings.TrimPrefix(strings.TrimSpace(n.Path), "/")
	switch {
	case n.AccountID <= 0:
		return core.Errorf(core.EINVALID, "消息缺少收件人")
	case n.TenantID <= 0:
		return core.Errorf(core.EINVALID, "消息缺少站点")
	case n.Subject == "":
		return core.Errorf(core.EINVALID, "消息缺少标题")
	case utf8.RuneCountInString(n.Subject) > maxSubject || utf8.RuneCountInString(n.Body) > maxBody || len(n.Path) > maxPath:
		return core.Errorf(core.EINVALID, "消息过长")
	case strings.Contains(n.Path, "://") || strings.HasPrefix(n.Path, "/") || strings.ContainsAny(n.Path, "\\\r\n"):
		return core.Errorf(core.EINVALID, "消息的链接只能指向本站")
	}
	n.CreatedAt = store.Now()
	res, err := s.db.ExecContext(ctx, `INSERT INTO notices (account_id, tenant_id, subject, body, path, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		n.AccountID, n.TenantID, n.Subject, n.Body, n.Path, n.CreatedAt)
	if err == nil {
		n.ID, err = res.LastInsertId()
	}
	if err != nil {
		return fmt.Errorf("add notice for account %d: %w", n.AccountID, err)
	}
	return nil
}

// Latest returns an account's newest notices, at most limit, and how many
// are unread in all.
func (s *Store) Latest(ctx context.Context, accountID int64, limit int) ([]Notice, int, error) {
	var out []Notice
	if err := s.db.SelectContext(ctx, &out, `SELECT id, account_id, tenant_id, subject, body, path, created_at, read_at
		FROM notices WHERE account_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`, accountID, limit); err != nil {
		return nil, 0, fmt.Errorf("notices of account %d: %w", accountID, err)
	}
	unread, err := s.Unread(ctx, accountID)
	return out, unread, err
}

// Unread counts an account's unread notices.
func (s *Store) Unread(ctx context.Context, accountID int64) (int, error) {
	var n int
	// Every signed-in page shows it: prepared once per connection.
	st, err := s.db.Prepared(ctx, `SELECT COUNT(*) FROM notices WHERE account_id = ? AND read_at IS NULL`)
	if err == nil {
		err = st.GetContext(ctx, &n, accountID)
	}
	if err != nil {
		return 0, fmt.Errorf("unread notices of account %d: %w", accountID, err)
	}
	return n, nil
}

// MarkRead marks all of an account's notices read.
func (s *Store) MarkRead(ctx context.Context, accountID int64) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE notices SET read_at = ? WHERE account_id = ? AND read_at IS NULL`, store.Now(), accountID); err != nil {
		return fmt.Errorf("mark notices of account %d read: %w", accountID, err)
	}
	return nil
}
