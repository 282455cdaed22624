package store_test

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"yiwang/core/store"
	"yiwang/core/store/storetest"
)

func TestMigrateIsIdempotent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		n, err := db.Migrate(ctx)
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
