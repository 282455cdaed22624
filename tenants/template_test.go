package tenants_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"yiwang/core"
	"yiwang/core/store"
	"yiwang/core/store/storetest"
	"yiwang/tenants"
)

// columnsOf drops the dates so that templates can be compared by content.
func columnsOf(cs []tenants.TemplateColumn) []tenants.TemplateColumn {
	out := make([]tenants.TemplateColumn, len(cs))
	for i, c := range cs {
		c.UpdatedAt = time.Time{}
		out[i] = c
	}
	return out
}

func TestEnsureTemplateWritesTheDefaultOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := tenants.NewStore(db)

		empty, err := s.Template(ctx)
		must(t, err)
		if len(empty) != 0 {
			t.Fatalf("a fresh database has %d template columns", len(empty))
		}

		must(t, s.EnsureTemplate(ctx))
		first, err := s.Template(ctx)
		must(t, err)
		if !reflect.DeepEqual(columnsOf(first), columnsOf(tenants.DefaultTemplate)) {
			t.Fatalf("template after EnsureTemplate:\n%+v\nwant DefaultTemplate:\n%+v", first, tenants.DefaultTemplate)
		}
		for _, c := range first {
			if c.UpdatedAt.IsZero() {
				t.Errorf("column %s has no update time", c.Slug)
			}
		}

		must(t, s.EnsureTemplate(ctx))
		second, err := s.Template(ctx)
		must(t, err)
		if !reflect.DeepEqual(second, first) {
			t.Errorf("a second EnsureTemplate changed the template:\n%+v\nwas:\n%+v", second, first)
		}

		// A template the county changed is not overwritten either.
		custom := []tenants.TemplateColumn{{Slug: "gzdt", Name: "工作动态", Type: "list", Sort: 1}}
		must(t, s.SetTemplate(ctx, "test", custom, nil))
		must(t, s.EnsureTemplate(ctx))
		got, err := s.Template(ctx)
		must(t, err)
		if !reflect.DeepEqual(columnsOf(got), columnsOf(custom)) {
			t.Errorf("EnsureTemplate overwrote the county's template: %+v", got)
		}
	})
}

func TestSetTemplateValidates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := tenants.NewStore(db)
		must(t, s.EnsureTemplate(ctx))
		before, err := s.Template(ctx)
		must(t, err)

		col := func(slug, name, typ string) tenants.TemplateColumn {
			return tenants.TemplateColumn{Slug: slug, Name: name, Type: typ}
		}
		tests := []struct {
			name string
			cs   []tenants.TemplateColumn
		}{
			{"uppercase slug", []tenants.TemplateColumn{col("GZDT", "工作动态", "list")}},
			{"one-letter slug", []tenants.TemplateColumn{col("g", "工作动态", "list")}},
			{"slug with a dash", []tenants.TemplateColumn{col("gz-dt", "工作动态", "list")}},
			{"empty slug", []tenants.TemplateColumn{col("", "工作动态", "list")}},
			{"duplicate slug", []tenants.TemplateColumn{col("gzdt", "工作动态", "list"), col("tzgg", "通知公告", "list"), col("gzdt", "工作要闻", "page")}},
			{"empty name", []tenants.TemplateColumn{col("gzdt", "", "list")}},
			{"unknown type", []tenants.TemplateColumn{col("gzdt", "工作动态", "folder")}},
			{"empty type", []tenants.TemplateColumn{col("gzdt", "工作动态", "")}},
		}
		for _, tc := range tests {
			applied := false
			err := s.SetTemplate(ctx, "test", tc.cs, func(context.Context, *sqlx.Tx, []tenants.TemplateColumn) error {
				applied = true
				return nil
			})
			if core.ErrorCode(err) != core.EINVALID {
				t.Errorf("%s: SetTemplate = %v, want %s", tc.name, err, core.EINVALID)
			}
			if applied {
				t.Errorf("%s: apply ran for an invalid template", tc.name)
			}
		}
		after, err := s.Template(ctx)
		must(t, err)
		if !reflect.DeepEqual(after, before) {
			t.Errorf("invalid templates changed the stored one: %+v", after)
		}
		if n := len(auditEntries(t, db, "template.update")); n != 0 {
			t.Errorf("%d template.update audit entries for refused templates", n)
		}
	})
}

func TestSetTemplateAppliesInItsTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := tenants.NewStore(db)
		must(t, s.EnsureTemplate(ctx))
		old, err := s.Template(ctx)
		must(t, err)

		next := []tenants.TemplateColumn{
			{Slug: "tzgg", Name: "通知公告", Type: "list", Sort: 20},
			{Slug: "gzdt", Name: "工作动态", Type: "list", Sort: 10},
			{Slug: "ldxx", ParentSlug: "gzdt", Name: "领导信息", Type: "page", Sort: 15, Description: "领导分工"},
			{Slug: "zwfw", Name: "政务服务", Type: "link", LinkURL: "https://zwfw.example.cn/", Sort: 30},
		}

		// apply fails: the old template stays.
		applyErr := errors.New("sync failed")
		var seenInTx []tenants.TemplateColumn
		err = s.SetTemplate(ctx, "test", next, func(ctx context.Context, tx *sqlx.Tx, cs []tenants.TemplateColumn) error {
			var err error
			seenInTx, err = tenants.ReadTemplate(ctx, tx)
			if err != nil {
				return err
			}
			return applyErr
		})
		if !errors.Is(err, applyErr) {
			t.Fatalf("SetTemplate = %v, want apply's error", err)
		}
		if len(seenInTx) != len(next) {
			t.Errorf("apply saw %d columns through its transaction, want the %d new ones", len(seenInTx), len(next))
		}
		got, err := s.Template(ctx)
		must(t, err)
		if !reflect.DeepEqual(got, old) {
			t.Errorf("a failed apply left template %+v, want the old one", got)
		}
		if n := len(auditEntries(t, db, "template.update")); n != 0 {
			t.Errorf("a failed SetTemplate wrote %d audit entries", n)
		}

		// apply succeeds: it gets the new columns, and they are stored in order.
		var passed []tenants.TemplateColumn
		must(t, s.SetTemplate(ctx, "user:1", next, func(ctx context.Context, tx *sqlx.Tx, cs []tenants.TemplateColumn) error {
			passed = cs
			return nil
		}))
		if !reflect.DeepEqual(passed, next) {
			t.Errorf("apply got %+v, want the new template", passed)
		}
		got, err = s.Template(ctx)
		must(t, err)
		var slugs []string
		for _, c := range got {
			slugs = append(slugs, c.Slug)
		}
		if want := []string{"gzdt", "ldxx", "tzgg", "zwfw"}; !reflect.DeepEqual(slugs, want) {
			t.Errorf("stored slugs %q, want %q (by sort)", slugs, want)
		}
		if got[1].ParentSlug != "gzdt" || got[1].Description != "领导分工" || got[3].LinkURL != "https://zwfw.example.cn/" {
			t.Errorf("fields not stored: %+v", got)
		}
		es := auditEntries(t, db, "template.update")
		if len(es) != 1 || es[0].Actor != "user:1" || es[0].Detail != "4 columns" {
			t.Errorf("template.update audit entries = %+v", es)
		}
	})
}
