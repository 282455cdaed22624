package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"yiwang/core/store"
	"yiwang/core/store/storetest"
)

func TestMigrateIsIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		n, err := store.Migrate(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("second migrate applied %d migrations, want 0", n)
		}
		v, err := db.Version(ctx)
		if err != nil || v < 1 {
			t.Fatalf("version = %d, %v; want >= 1", v, err)
		}
	})
}

func TestFailedMigrationLeavesVersionUnrecorded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fsys := fstest.MapFS{
			"0900_good.sql": {Data: []byte("CREATE TABLE mod_a (id {{id}}, name VARCHAR(10) NOT NULL) {{table}};\n")},
			"0901_bad.sql":  {Data: []byte("CREATE TABLE mod_b (id {{id}}) {{table}};\nINSERT INTO no_such_table VALUES (1);\n")},
		}
		n, err := db.MigrateFS(ctx, fsys)
		if err == nil {
			t.Fatal("a migration with a broken statement succeeded")
		}
		if n != 1 {
			t.Fatalf("applied %d before the failure, want 1", n)
		}
		v, _ := db.Version(ctx)
		if v != 900 {
			t.Fatalf("version = %d after failure, want 900", v)
		}
	})
}

func TestRejectsMalformedMigrationNames(t *testing.T) {
	db := storetest.SQLite(t)
	_, err := db.MigrateFS(context.Background(), fstest.MapFS{"init.sql": {Data: []byte("SELECT 1;")}})
	if err == nil {
		t.Fatal("migration without a version number was accepted")
	}
}

func TestOpenRejectsUnknownScheme(t *testing.T) {
	_, err := store.Open(context.Background(), "postgres://u:secret@h/db", t.TempDir())
	if err == nil {
		t.Fatal("postgres DSN accepted")
	}
	if got := err.Error(); strings.Contains(got, "secret") {
		t.Fatalf("error leaks the password: %s", got)
	}
}

func TestConcurrentMigrationsApplyEachOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fsys := fstest.MapFS{
			"0950_a.sql": {Data: []byte("CREATE TABLE conc_a (id {{id}}) {{table}};\n")},
			"0951_b.sql": {Data: []byte("CREATE TABLE conc_b (id {{id}}) {{table}};\n")},
		}
		errs := make(chan error, 4)
		total := make(chan int, 4)
		for range 4 {
			go func() {
				n, err := db.MigrateFS(ctx, fsys)
				errs <- err
				total <- n
			}()
		}
		sum := 0
		for range 4 {
			if err := <-errs; err != nil {
				t.Errorf("concurrent migrate: %v", err)
			}
			sum += <-total
		}
		if sum != 2 {
			t.Fatalf("four concurrent runs applied %d migrations in all, want 2", sum)
		}
	})
}

// TestMigrationLockOfAKilledProcess: on MySQL the migration lock is a row
// (GET_LOCK would not reach across a Galera cluster's nodes); one left by
// a process killed while migrating holds the others off until it expires,
// not for ever.
func TestMigrationLockOfAKilledProcess(t *testing.T) {
	db := storetest.MySQL(t)
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `INSERT INTO schema_migration_lock (id, holder, expires_at) VALUES (1, 'killed:1:0', ?)`, store.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{"0960_a.sql": {Data: []byte("CREATE TABLE stale_a (id {{id}}) {{table}};\n")}}
	start := time.Now()
	if n, err := db.MigrateFS(ctx, fsys); err != nil || n != 1 {
		t.Fatalf("migrate past an expired lock: %d applied, %v", n, err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("migrate past an expired lock took %s", took)
	}
	var left int
	if err := db.GetContext(ctx, &left, `SELECT COUNT(*) FROM schema_migration_lock`); err != nil || left != 0 {
		t.Errorf("lock rows after the run: %d (%v), want 0", left, err)
	}
}

func TestOlderProgramRefusesNewerSchema(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future.sql', ?)`, store.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Migrate(ctx, db); !errors.Is(err, store.ErrSchemaNewer) {
		t.Fatalf("migrate on a newer schema: %v, want ErrSchemaNewer", err)
	}
}
