package monitor

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"

	"yiwang/core/content"
	"yiwang/core/store"
)

// The publish-time checks (forbidden words, common mistakes) run over
// what is already published too: a sweep checks every published article
// once, again when it changes, and all of them again when the county
// office changes the word lists, in bounded batches.

// TextSweep checks published articles against the word lists.
type TextSweep struct {
	DB    *store.DB
	Desk  *content.Desk
	Batch int // articles per round; default 500
}

// rulesHash fingerprints the word lists: any change checks everything again.
func rulesHash(rules []content.Rule) string {
	keys := make([]string, len(rules))
	for i, r := range rules {
		keys[i] = r.Kind + "\x00" + r.Pattern + "\x00" + r.Correction + "\x00" + r.Level
	}
	sort.Strings(keys)
	sum := sha256.Sum256([]byte(strings.Join(keys, "\x01")))
	return hex.EncodeToString(sum[:])
}

// Round checks the next batch of articles that need it and returns how
// many it checked; 0 means every published article is up to date.
func (s *TextSweep) Round(ctx context.Context) (int, error) {
	rules, err := s.Desk.Rules(ctx)
	if err != nil {
		return 0, fmt.Errorf("text sweep: rules: %w", err)
	}
	hash := rulesHash(rules)
	batch := s.Batch
	if batch <= 0 {
		batch = 500
	}
	var arts []content.Article
	if err := s.DB.SelectContext(ctx, &arts, `SELECT a.id, a.tenant_id, a.title, a.subtitle, a.summary, a.source, a.author, a.body, a.updated_at
		FROM articles a LEFT JOIN monitor_text m ON m.article_id = a.id
		WHERE a.status = 'published' AND (m.article_id IS NULL OR m.rules_hash <> ? OR m.checked_at < a.updated_at)
		ORDER BY a.id LIMIT ?`, hash, batch); err != nil {
		return 0, fmt.Errorf("text sweep: articles: %w", err)
	}
	if len(arts) == 0 {
		return 0, nil
	}
	now := store.Now()
	err = s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		for i := range arts {
			a := &arts[i]
			blocks, warns, summary := 0, 0, []string{}
			for _, h := range content.WordHits(rules, a) {
				if h.Blocks() {
					blocks++
				} else {
					warns++
				}
				if len(summary) < 3 {
					m := h.FieldLabel + "“" + h.Text + "”"
					if h.Correction != "" {
						m += "（应为“" + h.Correction + "”）"
					}
					summary = append(summary, m)
				}
			}
			text := clip(strings.Join(summary, "；"), 500)
			if _, err := tx.ExecContext(ctx, `DELETE FROM monitor_text WHERE article_id = ?`, a.ID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO monitor_text (article_id, tenant_id, rules_hash, blocks, warnings, summary, checked_at)
				VALUES (?, ?, ?, ?, ?, ?, ?)`, a.ID, a.TenantID, hash, blocks, warns, text, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("text sweep: record: %w", err)
	}
	return len(arts), nil
}

func clip(s string, n int) string {
	for len(s) > n {
		_, size := utf8.DecodeLastRuneInString(s)
		s = s[:len(s)-size]
	}
	return s
}

// TextHit is a published article the word lists find fault with.
type TextHit struct {
	TenantID  int64  `db:"tenant_id"`
	ArticleID int64  `db:"article_id"`
	Title     string `db:"title"`
	Blocks    int    `db:"blocks"`
	Warnings  int    `db:"warnings"`
	Summary   string `db:"summary"`
}

// TextHits lists, per tenant, the published articles with hits (those
// withdrawn since are not listed).
func (s *Store) TextHits(ctx context.Context) (map[int64][]TextHit, error) {
	var hs []TextHit
	if err := s.db.SelectContext(ctx, &hs, `SELECT m.tenant_id, m.article_id, a.title, m.blocks, m.warnings, m.summary
		FROM monitor_text m JOIN articles a ON a.id = m.article_id AND a.tenant_id = m.tenant_id
		WHERE a.status = 'published' AND (m.blocks > 0 OR m.warnings > 0) ORDER BY m.tenant_id, m.blocks DESC, m.article_id`); err != nil {
		return nil, fmt.Errorf("text hits: %w", err)
	}
	out := map[int64][]TextHit{}
	for _, h := range hs {
		out[h.TenantID] = append(out[h.TenantID], h)
	}
	return out, nil
}

// Sweep runs rounds until everything is checked or ctx ends, pausing
// between full passes; for the serving process's job.
func (s *TextSweep) Sweep(ctx context.Context, pause time.Duration) error {
	for {
		n, err := s.Round(ctx)
		if err != nil || n == 0 {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause):
		}
	}
}
