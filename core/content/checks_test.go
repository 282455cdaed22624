package content_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"yiwang/core"
	"yiwang/core/content"
	"yiwang/core/store"
	"yiwang/core/store/storetest"
)

func TestSubmitTimeChecks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		k := newDesk(t, newFixture(t, db))
		for _, r := range []content.Rule{
			{Kind: content.CheckForbidden, Pattern: "禁用词语"},
			{Kind: content.CheckSensitive, Pattern: "敏感字眼"},
			{Kind: content.CheckMistake, Pattern: "张三付县长", Correction: "张三副县长", Note: "领导职务"},
			{Kind: content.CheckMistake, Pattern: "县委书记李四", Correction: "县委副书记李四", Level: content.LevelWarn},
		} {
			_, err := k.d.AddRule(ctx, k.county, r)
			must(t, err)
		}
		_, err := k.d.AddRule(ctx, k.editorA, content.Rule{Kind: content.CheckForbidden, Pattern: "x"})
		wantCode(t, err, core.EFORBID)
		_, err = k.d.AddRule(ctx, k.county, content.Rule{Kind: content.CheckForbidden, Pattern: "禁用词语"})
		wantCode(t, err, core.ECONFLICT)
		_, err = k.d.AddRule(ctx, k.county, content.Rule{Kind: content.CheckMistake, Pattern: "甲"})
		wantCode(t, err, core.EINVALID)
		existing := k.published(t, "已有文章")

		submit := func(t *testing.T, title, body string, ack bool) (*content.Manuscript, *content.CheckReport, error) {
			t.Helper()
			m, err := k.d.Create(ctx, k.editorA, k.input(t, k.a.ID, "gzdt", title, body))
			must(t, err)
			rep, err := k.d.Submit(ctx, k.editorA, m.ID, ack)
			return m, rep, err
		}

		t.Run("a forbidden word blocks submission, with its place marked", func(t *testing.T) {
			m, rep, err := submit(t, "通知", "<p>第一段。</p><p>这里有<b>禁用词语</b>出现。</p>", true)
			wantCode(t, err, core.EINVALID)
			var ce *content.CheckError
			if !errors.As(err, &ce) || !rep.Blocked() || len(rep.Hits) != 1 {
				t.Fatalf("err %v, report %+v", err, rep)
			}
			h := rep.Hits[0]
			// Body text: "第一段。\n这里有禁用词语出现。": the word starts at rune 8.
			if h.Kind != content.CheckForbidden || h.Field != "body" || h.Offset != 8 || h.Length != 4 || h.Occurrence != 0 || !strings.Contains(h.Context, "【禁用词语】") {
				t.Errorf("hit %+v", h)
			}
			if got, _ := k.d.Manuscript(ctx, k.editorA, m.ID); got.Status != content.Draft {
				t.Errorf("status %s after a blocked submission", got.Status)
			}
		})

		t.Run("a forbidden word in the title is found too", func(t *testing.T) {
			_, rep, err := submit(t, "关于禁用词语的通知", "<p>正文</p>", true)
			wantCode(t, err, core.EINVALID)
			if rep.Hits[0].Field != "title" || rep.Hits[0].Offset != 2 {
				t.Errorf("hit %+v", rep.Hits[0])
			}
		})

		t.Run("a sensitive word warns until confirmed", func(t *testing.T) {
			m, rep, err := submit(t, "通知", "<p>敏感字眼一处，再一处敏感字眼。</p>", false)
			wantCode(t, err, core.ECONFLICT)
			if rep.Blocked() || len(rep.Hits) != 2 || rep.Hits[1].Occurrence != 1 {
				t.Fatalf("report %+v", rep)
			}
			_, err = k.d.Submit(ctx, k.editorA, m.ID, true)
			must(t, err)
			hs, _ := k.d.History(ctx, k.editorA, m.ID)
			if last := hs[len(hs)-1]; last.Action != "submit" || !strings.Contains(last.Reason, "敏感字眼") {
				t.Errorf("history does not keep the confirmed warning: %+v", last)
			}
		})

		for _, tc := range []struct {
			name, body string
			level      string // "" for no hit
			text       string
		}{
			{"a leader's title written wrong blocks", "<p>张三付县长出席。</p>", content.LevelBlock, "张三付县长"},
			{"the correct title passes", "<p>张三副县长出席。</p>", "", ""},
			{"a wrong form inside the correct one is no mistake", "<p>县委副书记李四出席。</p>", "", ""},
			{"a mistake set to warn warns", "<p>县委书记李四出席。</p>", content.LevelWarn, "县委书记李四"},
			{"an empty link blocks", `<p>详见<a href="">附件</a>。</p>`, content.LevelBlock, "附件"},
			{"a link to # blocks", `<p>详见<a href="#">这里</a>。</p>`, content.LevelBlock, "这里"},
			{"a link to a missing article warns", `<p>见<a href="/site/jyj/art/987654">旧文</a>。</p>`, content.LevelWarn, "旧文"},
			{"a relative link to a missing article warns", `<p>见<a href="987654">旧文</a>。</p>`, content.LevelWarn, "旧文"},
			{"a link to a missing column warns", `<p>见<a href="/col/nosuch/">栏目</a>。</p>`, content.LevelWarn, "栏目"},
			{"a link to a missing site warns", `<p>见<a href="/site/nosuch/">站点</a>。</p>`, content.LevelWarn, "站点"},
			{"a link to a published article passes", `<p>见<a href="/site/jyj/art/` + itoa(existing.ID) + `">旧文</a>。</p>`, "", ""},
			{"a link to an existing column passes", `<p>见<a href="/site/mzj/col/tzgg/">通知</a>。</p>`, "", ""},
			{"an outside link that does not answer warns", `<p>见<a href="https://down.example/">外站</a>。</p>`, content.LevelWarn, "外站"},
			{"an outside link that answers passes", `<p>见<a href="https://up.example/">外站</a>。</p>`, "", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				k.d.CheckLink = func(ctx context.Context, u string) error {
					if strings.Contains(u, "down.") {
						return errors.New("connection refused")
					}
					return nil
				}
				rep, err := k.d.CheckText(ctx, k.editorA, k.input(t, k.a.ID, "gzdt", "标题", tc.body))
				must(t, err)
				if tc.level == "" {
					if len(rep.Hits) != 0 {
						t.Errorf("hits %+v, want none", rep.Hits)
					}
					return
				}
				if len(rep.Hits) != 1 || rep.Hits[0].Level != tc.level || rep.Hits[0].Text != tc.text {
					t.Fatalf("hits %+v, want one %s on %q", rep.Hits, tc.level, tc.text)
				}
				if h := rep.Hits[0]; h.Length != len([]rune(tc.text)) || h.Message == "" {
					t.Errorf("hit %+v", h)
				}
			})
		}

		t.Run("the county can turn a link check off", func(t *testing.T) {
			must(t, k.d.SetSetting(ctx, k.county, content.SettingEmptyLinks, content.LevelOff))
			wantCode(t, k.d.SetSetting(ctx, k.county, content.SettingEmptyLinks, "maybe"), core.EINVALID)
			rep, err := k.d.CheckText(ctx, k.editorA, k.input(t, k.a.ID, "gzdt", "标题", `<p><a href="">x</a></p>`))
			must(t, err)
			if len(rep.Hits) != 0 {
				t.Errorf("hits %+v", rep.Hits)
			}
		})
	})
}
