package content_test

import (
	"context"
	"strings"
	"testing"

	"yiwang/core/content"
	"yiwang/core/store"
	"yiwang/core/store/storetest"
)

func TestDiff(t *testing.T) {
	for _, tc := range []struct {
		name, a, b string
		want       string // ops as =text +text -text, joined by |
	}{
		{"same", "县委书记", "县委书记", "=县委书记"},
		{"one character inserted", "县委书记张三", "县委副书记张三", "=县委|+副|=书记张三"},
		{"one character replaced", "张三付县长出席", "张三副县长出席", "=张三|-付|+副|=县长出席"},
		{"a Latin word is one token", "version one of GDP", "version two of GDP", "=version |-one|+two|= of GDP"},
		{"digits change as a number", "2023年", "2024年", "-2023|+2024|=年"},
		{"from nothing", "", "新文", "+新文"},
		{"to nothing", "旧文", "", "-旧文"},
		{"lines kept", "第一段\n第二段", "第一段\n第三段", "=第一段\n第|-二|+三|=段"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ops := content.Diff(tc.a, tc.b)
			var got []string
			var ra, rb strings.Builder
			for _, op := range ops {
				got = append(got, string(op.Kind)+op.Text)
				if op.Kind != '+' {
					ra.WriteString(op.Text)
				}
				if op.Kind != '-' {
					rb.WriteString(op.Text)
				}
			}
			if s := strings.Join(got, "|"); s != tc.want {
				t.Errorf("Diff = %q, want %q", s, tc.want)
			}
			if ra.String() != tc.a || rb.String() != tc.b {
				t.Errorf("ops rebuild %q → %q, want %q → %q", ra.String(), rb.String(), tc.a, tc.b)
			}
		})
	}
	t.Run("long texts rebuild both sides", func(t *testing.T) {
		a := strings.Repeat("全县各级各部门要切实抓好安全生产工作。", 300)
		b := strings.ReplaceAll(a, "安全", "平安")
		var ra, rb strings.Builder
		for _, op := range content.Diff(a, b) {
			if op.Kind != '+' {
				ra.WriteString(op.Text)
			}
			if op.Kind != '-' {
				rb.WriteString(op.Text)
			}
		}
		if ra.String() != a || rb.String() != b {
			t.Error("a long diff does not rebuild its sides")
		}
	})
	t.Run("html is escaped", func(t *testing.T) {
		h := string(content.DiffHTML(content.Diff("<b>", "<i>")))
		if strings.Contains(h, "<b>") || strings.Contains(h, "<i>") || h != "&lt;<del>b</del><ins>i</ins>&gt;" {
			t.Errorf("DiffHTML = %s", h)
		}
	})
}

func TestBodyText(t *testing.T) {
	got := content.BodyText("<h3>标题</h3><p>第一段&amp;<br>换行</p><ul><li>一</li><li>二</li></ul>")
	if want := "标题\n第一段&\n换行\n一\n二"; got != want {
		t.Errorf("BodyText = %q, want %q", got, want)
	}
}

func TestVersions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		k := newDesk(t, newFixture(t, db))
		in := k.input(t, k.a.ID, "gzdt", "县教育局召开会议", "<p>会议由县委书记主持。</p>")
		m, err := k.d.Create(ctx, k.editorA, in)
		must(t, err)
		// An autosave with nothing new keeps no version.
		_, err = k.d.Save(ctx, k.editorA, m.ID, in, true)
		must(t, err)
		in.Body = "<p>会议由县委副书记主持。</p>"
		_, err = k.d.Save(ctx, k.editorA, m.ID, in, true)
		must(t, err)
		in.Title = "县教育局召开全体会议"
		_, err = k.d.Save(ctx, k.editorA, m.ID, in, false)
		must(t, err)

		vs, err := k.d.Versions(ctx, k.editorA, m.ID)
		must(t, err)
		if len(vs) != 3 || vs[0].Number != 3 || vs[1].Note != "自动保存" || vs[2].Note != "新建" || vs[0].CreatedBy != k.editorA.UserID {
			t.Fatalf("versions %+v", vs)
		}
		ds, err := k.d.Compare(ctx, k.reviewerA, m.ID, 1, 3)
		must(t, err)
		byLabel := map[string]content.FieldDiff{}
		for _, d := range ds {
			byLabel[d.Label] = d
		}
		if d := byLabel["正文"]; !d.Changed || string(d.HTML()) != "会议由县委<ins>副</ins>书记主持。" {
			t.Errorf("body diff %s", d.HTML())
		}
		if d := byLabel["标题"]; !d.Changed || string(d.HTML()) != "县教育局召开<ins>全体</ins>会议" {
			t.Errorf("title diff %s", d.HTML())
		}
		if byLabel["来源"].Changed {
			t.Error("source marked changed")
		}
		v1, err := k.d.Version(ctx, k.editorA, m.ID, 1)
		must(t, err)
		if v1.Body != "<p>会议由县委书记主持。</p>" {
			t.Errorf("version 1 body %q", v1.Body)
		}
		if _, err := k.d.Compare(ctx, k.editorA, m.ID, 1, 9); err == nil {
			t.Error("a missing version compared")
		}
	})
}

func TestEditingAnArticleFromBeforeTheDesk(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		k := newDesk(t, newFixture(t, db))
		old := k.publish(t, k.column(t, k.a.ID, "gzdt"), "导入的旧文章") // no versions, no author
		in := k.input(t, k.a.ID, "gzdt", "导入的旧文章（修订）", "<p>正文</p>")
		m, err := k.d.Save(ctx, k.editorA, old.ID, in, false)
		must(t, err)
		if m.Version != 1 || m.RevisionStatus != content.Draft || m.Title != "导入的旧文章" {
			t.Errorf("after the first save: version %d revision %q title %q", m.Version, m.RevisionStatus, m.Title)
		}
		_, err = k.d.Submit(ctx, k.editorA, old.ID, false)
		must(t, err)
		must(t, k.d.Approve(ctx, k.reviewerA, old.ID, nil))
		a, err := k.content.Article(ctx, k.a.ID, old.ID)
		must(t, err)
		if a.Title != "导入的旧文章（修订）" || !a.PublishedAt.Equal(*old.PublishedAt) {
			t.Errorf("after review: %q published %v, want %v", a.Title, a.PublishedAt, old.PublishedAt)
		}
	})
}
