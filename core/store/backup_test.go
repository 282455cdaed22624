package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"yiwang/core/store"
)

func TestBackupIsAConsistentCopy(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := store.Open(ctx, "", dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := store.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE t (v TEXT)`); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2000; i++ {
		if _, err := db.Exec(`INSERT INTO t (v) VALUES (?)`, "一张网的备份测试数据，足够多的页。"); err != nil {
			t.Fatal(err)
		}
	}
	dst := filepath.Join(t.TempDir(), "copy.db")
	var calls, last, total int
	err = db.Backup(ctx, dst, func(done, all int) { calls, last, total = calls+1, done, all })
	if err != nil {
		t.Fatal(err)
	}
	if calls == 0 || last != total || total == 0 {
		t.Errorf("progress: %d calls, last %d of %d", calls, last, total)
	}
	cp, err := store.Open(ctx, "sqlite:"+dst, "")
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	var n int
	var ok string
	if err := cp.Get(&n, `SELECT COUNT(*) FROM t`); err != nil || n != 2000 {
		t.Errorf("copy has %d rows (%v), want 2000", n, err)
	}
	if err := cp.Get(&ok, `PRAGMA integrity_check`); err != nil || ok != "ok" {
		t.Errorf("integrity of the copy: %q %v", ok, err)
	}
	if v, err := cp.Version(ctx); err != nil || v == 0 {
		t.Errorf("schema version of the copy: %d %v", v, err)
	}
	if err := db.Backup(ctx, dst, nil); err == nil {
		t.Error("a backup over an existing file succeeded")
	}
}

func TestBackupRefusesMySQL(t *testing.T) {
	db := &store.DB{Dialect: store.MySQL}
	if err := db.Backup(context.Background(), filepath.Join(t.TempDir(), "x"), nil); !errors.Is(err, store.ErrNotSQLite) {
		t.Errorf("backup of MySQL: %v, want ErrNotSQLite", err)
	}
}
