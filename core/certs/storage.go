// Package certs holds HTTPS for the tenants' domains: certmagic's storage
// in the platform database (so that every replica shares certificates,
// keys, ACME accounts and locks), and the decision of which names may
// have a certificate at all (the domains mapped to active tenants).
package certs

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/caddyserver/certmagic"
	"github.com/jmoiron/sqlx"
	"yiwang/core/store"
)

// Storage is certmagic.Storage on the platform database.
type Storage struct {
	db *store.DB
	// LockTTL is how long a lock lives without being refreshed: a holder
	// that died frees it after this long. A live holder refreshes it every
	// LockTTL/3.
	LockTTL time.Duration
	// Poll is how often a waiting Lock tries again.
	Poll time.Duration

	holder string
	mu     sync.Mutex
	held   map[string]chan struct{} // lock name → stops its refresher
}

var _ certmagic.Storage = (*Storage)(nil)

// NewStorage returns the storage on db.
func NewStorage(db *store.DB) *Storage {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return &Storage{db: db, LockTTL: 30 * time.Second, Poll: time.Second, holder: hex.EncodeToString(b[:]), held: map[string]chan struct{}{}}
}

const maxKey = 700

func checkKey(key string) error {
	if key == "" || len(key) > maxKey {
		return fmt.Errorf("certs: key %q: empty or longer than %d bytes", key, maxKey)
	}
	return nil
}

// Store implements certmagic.Storage.
func (s *Storage) Store(ctx context.Context, key string, value []byte) error {
	key = clean(key)
	if err := checkKey(key); err != nil {
		return err
	}
	enc := base64.StdEncoding.EncodeToString(value)
	return s.db.Tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM cert_storage WHERE k = ?`, key); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO cert_storage (k, value, size, modified) VALUES (?, ?, ?, ?)`, key, enc, len(value), store.Now())
		return err
	})
}

// Load implements certmagic.Storage: fs.ErrNotExist for a missing key.
func (s *Storage) Load(ctx context.Context, key string) ([]byte, error) {
	var enc string
	err := s.db.GetContext(ctx, &enc, `SELECT value FROM cert_storage WHERE k = ?`, clean(key))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("certs: %s: %w", key, fs.ErrNotExist)
	}
	if err != nil {
		return nil, fmt.Errorf("certs: load %s: %w", key, err)
	}
	v, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return nil, fmt.Errorf("certs: load %s: %w", key, err)
	}
	return v, nil
}

// Delete implements certmagic.Storage: the key and everything under it.
func (s *Storage) Delete(ctx context.Context, key string) error {
	key = clean(key)
	_, err := s.db.ExecContext(ctx, `DELETE FROM cert_storage WHERE k = ? OR k LIKE ? ESCAPE '!'`, key, likePrefix(key))
	if err != nil {
		return fmt.Errorf("certs: delete %s: %w", key, err)
	}
	return nil
}

// Exists implements certmagic.Storage: a key, or a prefix of keys.
func (s *Storage) Exists(ctx context.Context, key string) bool {
	key = clean(key)
	var n int
	err := s.db.GetContext(ctx, &n, `SELECT COUNT(*) FROM cert_storage WHERE k = ? OR k LIKE ? ESCAPE '!'`, key, likePrefix(key))
	return err == nil && n > 0
}

// List implements certmagic.Storage: the keys and "directories" under
// prefix, joined to it; only the first level unless recursive.
func (s *Storage) List(ctx context.Context, prefix string, recursive bool) ([]string, error) {
	prefix = clean(prefix)
	var keys []string
	q, args := `SELECT k FROM cert_storage WHERE k LIKE ? ESCAPE '!'`, []any{likePrefix(prefix)}
	if prefix == "" {
		q, args = `SELECT k FROM cert_storage`, nil
	}
	if err := s.db.SelectContext(ctx, &keys, q, args...); err != nil {
		return nil, fmt.Errorf("certs: list %s: %w", prefix, err)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("certs: %s: %w", prefix, fs.ErrNotExist)
	}
	seen := map[string]bool{}
	var out []string
	for _, k := range keys {
		rest := strings.TrimPrefix(strings.TrimPrefix(k, prefix), "/")
		parts := strings.Split(rest, "/")
		n := 1
		if recursive {
			n = len(parts)
		}
		for i := 1; i <= n; i++ {
			p := path.Join(prefix, strings.Join(parts[:i], "/"))
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

// Stat implements certmagic.Storage.
func (s *Storage) Stat(ctx context.Context, key string) (certmagic.KeyInfo, error) {
	key = clean(key)
	var row struct {
		Size     int64     `db:"size"`
		Modified time.Time `db:"modified"`
	}
	err := s.db.GetContext(ctx, &row, `SELECT size, modified FROM cert_storage WHERE k = ?`, key)
	if err == nil {
		return certmagic.KeyInfo{Key: key, Modified: row.Modified, Size: row.Size, IsTerminal: true}, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return certmagic.KeyInfo{}, fmt.Errorf("certs: stat %s: %w", key, err)
	}
	if s.Exists(ctx, key) {
		return certmagic.KeyInfo{Key: key, IsTerminal: false}, nil
	}
	return certmagic.KeyInfo{}, fmt.Errorf("certs: %s: %w", key, fs.ErrNotExist)
}

// Lock implements certmagic.Locker: a row per lock, taken when absent or
// stale, refreshed while held.
func (s *Storage) Lock(ctx context.Context, name string) error {
	if err := checkKey(name); err != nil {
		return err
	}
	for {
		now := store.Now()
		_, err := s.db.ExecContext(ctx, `INSERT INTO cert_locks (name, holder, expires_at) VALUES (?, ?, ?)`, name, s.holder, now.Add(s.LockTTL))
		if err == nil {
			s.keepFresh(name)
			return nil
		}
		if !store.IsUniqueViolation(err) {
			return fmt.Errorf("certs: lock %s: %w", name, err)
		}
		// Held: take it over if its holder stopped refreshing it.
		if _, err := s.db.ExecContext(ctx, `DELETE FROM cert_locks WHERE name = ? AND expires_at < ?`, name, now); err != nil {
			return fmt.Errorf("certs: lock %s: %w", name, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(s.Poll):
		}
	}
}

func (s *Storage) keepFresh(name string) {
	stop := make(chan struct{})
	s.mu.Lock()
	s.held[name] = stop
	s.mu.Unlock()
	go func() {
		t := time.NewTicker(s.LockTTL / 3)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				_, _ = s.db.ExecContext(context.Background(), `UPDATE cert_locks SET expires_at = ? WHERE name = ? AND holder = ?`,
					store.Now().Add(s.LockTTL), name, s.holder)
			}
		}
	}()
}

// Unlock implements certmagic.Locker.
func (s *Storage) Unlock(ctx context.Context, name string) error {
	s.mu.Lock()
	if stop, ok := s.held[name]; ok {
		close(stop)
		delete(s.held, name)
	}
	s.mu.Unlock()
	if _, err := s.db.ExecContext(ctx, `DELETE FROM cert_locks WHERE name = ? AND holder = ?`, name, s.holder); err != nil {
		return fmt.Errorf("certs: unlock %s: %w", name, err)
	}
	return nil
}

// clean makes keys of one form: no leading or trailing slash.
func clean(key string) string { return strings.Trim(path.Clean("/"+key), "/") }

// likePrefix is the LIKE pattern of every key under key ("a/b" → "a/b/%").
func likePrefix(key string) string {
	r := strings.NewReplacer("!", "!!", "%", "!%", "_", "!_")
	if key == "" {
		return "%"
	}
	return r.Replace(key) + "/%"
}
