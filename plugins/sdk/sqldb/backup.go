package sqldb

import (
	"context"
	"errors"
	"fmt"
	"os"

	"modernc.org/sqlite"
)

// ErrNotSQLite is returned by Backup on a MySQL database: that is backed
// up with the server's own tools (mariadb-dump, mariabackup).
var ErrNotSQLite = errors.New("sqldb: online backup copies SQLite databases only")

// Backup copies a SQLite database to the new file dst while it is in use
// (SQLite's online backup, a consistent snapshot even with writers), a
// batch of pages at a time, calling progress with pages done and total.
// dst must not exist.
func (db *DB) Backup(ctx context.Context, dst string, progress func(done, total int)) error {
	if db.Dialect != SQLite {
		return ErrNotSQLite
	}
	if _, err := os.Stat(dst); err == nil {
		return fmt.Errorf("backup: %s already exists", dst)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		b, ok := dc.(interface {
			NewBackup(string) (*sqlite.Backup, error)
		})
		if !ok {
			return fmt.Errorf("backup: driver connection %T cannot back up", dc)
		}
		bk, err := b.NewBackup(dst)
		if err != nil {
			return fmt.Errorf("backup to %s: %w", dst, err)
		}
		total := 0
		for {
			if err := ctx.Err(); err != nil {
				_ = bk.Finish()
				return err
			}
			more, err := bk.Step(256)
			if err != nil {
				_ = bk.Finish()
				return fmt.Errorf("backup to %s: %w", dst, err)
			}
			total = max(total, bk.PageCount())
			if !more {
				break
			}
			if progress != nil {
				progress(total-bk.Remaining(), total)
			}
		}
		if progress != nil {
			progress(total, total)
		}
		if err := bk.Finish(); err != nil {
			return fmt.Errorf("backup to %s: %w", dst, err)
		}
		return nil
	})
}
