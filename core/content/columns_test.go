package content_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"yiwang/core"
	"yiwang/core/content"
	"yiwang/core/store"
	"yiwang/core/store/storetest"
	"yiwang/tenants"
)

func TestNewTenantGetsTheStandardColumnsInTemplateOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		tn := f.tenant(t, "jyj")
		cs, err := f.content.Columns(context.Background(), tn.ID, false)
		must(t, err)

		want := []struct{ slug, name, typ string }{
			{"gzdt", "工作动态", content.ColumnList},
			{"tzgg", "通知公告", content.ColumnList},
			{"zcwj", "政策文件", content.ColumnList},
			{"xxgk", "政府信息公开", content.ColumnPage},
			{"hdjl", "互动交流", content.ColumnPage},
		}
		if len(cs) != len(want) {
			t.Fatalf("columns = %v, want %d template columns", slugs(cs), len(want))
		}
		for i, w := range want {
			c := cs[i]
			if c.Slug != w.slug || c.Name != w.name || c.Type != w.typ {
				t.Errorf("column %d = %s %s (%s), want %s %s (%s)", i, c.Slug, c.Name, c.Type, w.slug, w.name, w.typ)
			}
			if !c.FromTemplate() || *c.TemplateSlug != w.slug {
				t.Errorf("column %s: TemplateSlug = %v, want %q", c.Slug, c.TemplateSlug, w.slug)
			}
			if c.TenantID != tn.ID || c.ParentID != nil || c.Hidden {
				t.Errorf("column %s: tenant %d parent %v hidden %v, want a visible root of tenant %d", c.Slug, c.TenantID, c.ParentID, c.Hidden, tn.ID)
			}
		}
	})
}

func TestColumnsBuildsTheTreeAndLeavesOutHiddenColumns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		tn := f.tenant(t, "jyj")
		gzdt := f.column(t, tn.ID, "gzdt")
		f.ownColumn(t, content.Column{TenantID: tn.ID, ParentID: &gzdt.ID, Slug: "gzdt-xx", Name: "学校动态", Sort: 2})
		f.ownColumn(t, content.Column{TenantID: tn.ID, ParentID: &gzdt.ID, Slug: "gzdt-jy", Name: "教研动态", Sort: 1})
		f.ownColumn(t, content.Column{TenantID: tn.ID, Slug: "nbtz", Name: "内部通知", Sort: 60, Hidden: true})
		f.ownColumn(t, content.Column{TenantID: tn.ID, ParentID: &gzdt.ID, Slug: "gzdt-nb", Name: "内部动态", Sort: 3, Hidden: true})

		for _, tc := range []struct {
			name       string
			withHidden bool
			roots      []string
			children   []string // of gzdt
		}{
			{"visible only", false, []string{"gzdt", "tzgg", "zcwj", "xxgk", "hdjl"}, []string{"gzdt-jy", "gzdt-xx"}},
			{"with hidden", true, []string{"gzdt", "tzgg", "zcwj", "xxgk", "hdjl", "nbtz"}, []string{"gzdt-jy", "gzdt-xx", "gzdt-nb"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				cs, err := f.content.Columns(ctx, tn.ID, tc.withHidden)
				must(t, err)
				if got := slugs(cs); !slices.Equal(got, tc.roots) {
					t.Errorf("roots = %v, want %v", got, tc.roots)
				}
				g := find(cs, "gzdt")
				if g == nil {
					t.Fatal("gzdt missing from the tree")
				}
				if got := slugs(g.Children); !slices.Equal(got, tc.children) {
					t.Errorf("children of gzdt = %v, want %v", got, tc.children)
				}
				for _, c := range g.Children {
					if c.FromTemplate() {
						t.Errorf("own column %s reports FromTemplate", c.Slug)
					}
				}
			})
		}
	})
}

func TestCreateColumnRejectsBadColumns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		tn := f.tenant(t, "jyj")
		for _, tc := range []struct {
			name string
			col  content.Column
			code string
		}{
			{"no tenant", content.Column{Slug: "abc", Name: "甲", Type: content.ColumnList}, core.EINVALID},
			{"upper-case slug", content.Column{TenantID: tn.ID, Slug: "ABC", Name: "甲", Type: content.ColumnList}, core.EINVALID},
			{"slug with a slash", content.Column{TenantID: tn.ID, Slug: "a/b", Name: "甲", Type: content.ColumnList}, core.EINVALID},
			{"empty name", content.Column{TenantID: tn.ID, Slug: "abc", Name: " ", Type: content.ColumnList}, core.EINVALID},
			{"unknown type", content.Column{TenantID: tn.ID, Slug: "abc", Name: "甲", Type: "blog"}, core.EINVALID},
			{"slug taken in the tenant", content.Column{TenantID: tn.ID, Slug: "gzdt", Name: "甲", Type: content.ColumnList}, core.ECONFLICT},
		} {
			t.Run(tc.name, func(t *testing.T) {
				wantCode(t, f.content.CreateColumn(context.Background(), f.db, &tc.col), tc.code)
			})
		}
	})
}

// templateWith returns the default template changed by edit.
func templateWith(edit func(cs []tenants.TemplateColumn) []tenants.TemplateColumn) []tenants.TemplateColumn {
	return edit(slices.Clone(tenants.DefaultTemplate))
}

func TestTemplateChangesReachEveryTenant(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		jyj, mzj := f.tenant(t, "jyj"), f.tenant(t, "mzj")
		// mzj already has a column of its own with the slug the template will add.
		own := f.ownColumn(t, content.Column{TenantID: mzj.ID, Slug: "rdzt", Name: "民政专题", Sort: 70})
		// An article in hdjl, which the template will drop.
		hdjl := f.column(t, jyj.ID, "hdjl")
		kept := f.publish(t, hdjl, "领导信箱答复")

		cs := templateWith(func(cs []tenants.TemplateColumn) []tenants.TemplateColumn {
			cs[0].Name = "工作要闻" // gzdt renamed
			cs[2].Type = content.ColumnPage
			cs = slices.DeleteFunc(cs, func(c tenants.TemplateColumn) bool { return c.Slug == "hdjl" })
			return append(cs,
				tenants.TemplateColumn{Slug: "rdzt", Name: "热点专题", Type: "list", Sort: 60},
				tenants.TemplateColumn{Slug: "rdztfl", ParentSlug: "rdzt", Name: "专题分类", Type: "list", Sort: 61})
		})
		must(t, f.tenants.SetTemplate(ctx, "test", cs, f.content.SyncTemplate))

		for _, tc := range []struct {
			tenant  *tenants.Tenant
			newSlug string // where the added template column rdzt landed
		}{
			{jyj, "rdzt"},
			{mzj, "rdzt-2"},
		} {
			t.Run(tc.tenant.Code, func(t *testing.T) {
				id := tc.tenant.ID
				if g := f.column(t, id, "gzdt"); g.Name != "工作要闻" || !g.FromTemplate() {
					t.Errorf("gzdt = %q (template %v), want it renamed 工作要闻 and still from the template", g.Name, g.TemplateSlug)
				}
				if z := f.column(t, id, "zcwj"); z.Type != content.ColumnPage {
					t.Errorf("zcwj type = %s, want page", z.Type)
				}
				added := f.column(t, id, tc.newSlug)
				if added.Name != "热点专题" || added.TemplateSlug == nil || *added.TemplateSlug != "rdzt" {
					t.Errorf("added column %s = %q template %v, want 热点专题 from template rdzt", tc.newSlug, added.Name, added.TemplateSlug)
				}
				child := f.column(t, id, "rdztfl")
				if child.ParentID == nil || *child.ParentID != added.ID {
					t.Errorf("rdztfl parent = %v, want the added column %s (id %d)", child.ParentID, tc.newSlug, added.ID)
				}
				dropped := f.column(t, id, "hdjl")
				if dropped.FromTemplate() {
					t.Errorf("hdjl TemplateSlug = %q, want nil: dropped from the template it becomes the tenant's own", *dropped.TemplateSlug)
				}
				tree, err := f.content.Columns(ctx, id, false)
				must(t, err)
				n := 0
				for _, c := range tree {
					if c.FromTemplate() {
						n++
					}
				}
				if n != 5 { // gzdt tzgg zcwj xxgk rdzt
					t.Errorf("template roots = %d in %v, want 5", n, slugs(tree))
				}
			})
		}

		t.Run("the tenant's own column is untouched", func(t *testing.T) {
			c, err := f.content.ColumnByID(ctx, mzj.ID, own.ID)
			must(t, err)
			if c.Slug != "rdzt" || c.Name != "民政专题" || c.FromTemplate() {
				t.Errorf("own column = %s %q template %v, want rdzt 民政专题 of its own", c.Slug, c.Name, c.TemplateSlug)
			}
		})
		t.Run("articles of a dropped column stay", func(t *testing.T) {
			a, err := f.content.Article(ctx, jyj.ID, kept.ID)
			must(t, err)
			if a.ColumnID != hdjl.ID {
				t.Errorf("article column = %d, want %d", a.ColumnID, hdjl.ID)
			}
			p, err := f.content.ListPublished(ctx, jyj.ID, hdjl.ID, 1, 20)
			must(t, err)
			if p.Total != 1 || len(p.Articles) != 1 || p.Articles[0].ID != kept.ID {
				t.Errorf("hdjl lists %v (total %d), want the one article", titles(p.Articles), p.Total)
			}
		})
		t.Run("a tenant created afterwards gets the new template", func(t *testing.T) {
			cs, err := f.content.Columns(ctx, f.tenant(t, "gtj").ID, false)
			must(t, err)
			if got, want := slugs(cs), []string{"gzdt", "tzgg", "zcwj", "xxgk", "rdzt"}; !slices.Equal(got, want) {
				t.Errorf("roots = %v, want %v", got, want)
			}
			if r := find(cs, "rdzt"); r == nil || len(r.Children) != 1 || r.Children[0].Slug != "rdztfl" {
				t.Errorf("rdzt = %+v, want child rdztfl", r)
			}
		})
		t.Run("a template change is audited", func(t *testing.T) {
			var n int
			must(t, db.GetContext(ctx, &n, `SELECT COUNT(*) FROM audit_log WHERE action = 'template.update'`))
			if n != 1 {
				t.Errorf("template.update entries = %d, want 1", n)
			}
		})
	})
}

func TestFailedTemplateSyncChangesNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		jyj := f.tenant(t, "jyj")
		cs := templateWith(func(cs []tenants.TemplateColumn) []tenants.TemplateColumn {
			cs[0].Name = "工作要闻"
			// A name over 50 characters passes SetTemplate but not CreateColumn.
			return append(cs, tenants.TemplateColumn{Slug: "cmlm", Name: strings.Repeat("长", 51), Type: "list", Sort: 90})
		})
		wantCode(t, f.tenants.SetTemplate(ctx, "test", cs, f.content.SyncTemplate), core.EINVALID)
		if g := f.column(t, jyj.ID, "gzdt"); g.Name != "工作动态" {
			t.Errorf("gzdt = %q after a failed sync, want 工作动态", g.Name)
		}
		tpl, err := f.tenants.Template(ctx)
		must(t, err)
		if len(tpl) != len(tenants.DefaultTemplate) || tpl[0].Name != "工作动态" {
			t.Errorf("template after a failed sync = %d columns, first %q; want the default", len(tpl), tpl[0].Name)
		}
	})
}

func TestApplyTemplateCreatesParentsBeforeChildren(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		// A grandchild sorted before its parent: ReadTemplate returns it first.
		cs := templateWith(func(cs []tenants.TemplateColumn) []tenants.TemplateColumn {
			return append(cs,
				tenants.TemplateColumn{Slug: "zwfw", Name: "政务服务", Type: "list", Sort: 5},
				tenants.TemplateColumn{Slug: "bszn", ParentSlug: "bsfw", Name: "办事指南", Type: "list", Sort: 6},
				tenants.TemplateColumn{Slug: "bsfw", ParentSlug: "zwfw", Name: "办事服务", Type: "list", Sort: 7})
		})
		must(t, f.tenants.SetTemplate(ctx, "test", cs, f.content.SyncTemplate))
		tree, err := f.content.Columns(ctx, f.tenant(t, "jyj").ID, false)
		must(t, err)
		zwfw := find(tree, "zwfw")
		if zwfw == nil || len(zwfw.Children) != 1 || zwfw.Children[0].Slug != "bsfw" {
			t.Fatalf("roots %v: zwfw should have the one child bsfw", slugs(tree))
		}
		if bsfw := zwfw.Children[0]; len(bsfw.Children) != 1 || bsfw.Children[0].Slug != "bszn" {
			t.Errorf("children of bsfw = %v, want [bszn]", slugs(bsfw.Children))
		}
	})
}
