package content_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"yiwang/core"
	"yiwang/core/content"
	"yiwang/core/store"
	"yiwang/core/store/storetest"
)

func TestSubmissionUpward(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		k := newDesk(t, newFixture(t, db))
		bmdt := k.ownColumn(t, content.Column{TenantID: k.portal.ID, Slug: "bmdt", Name: "部门动态", Sort: 5})

		t.Run("only an approved article can be submitted", func(t *testing.T) {
			draft, err := k.d.Create(ctx, k.editorA, k.input(t, k.a.ID, "gzdt", "草稿", "<p>x</p>"))
			must(t, err)
			_, err = k.d.SubmitUpward(ctx, k.editorA, draft.ID, []int64{bmdt.ID})
			wantCode(t, err, core.ECONFLICT)
		})

		src := k.published(t, "教育局开展教师培训")
		ids, err := k.d.SubmitUpward(ctx, k.editorA, src.ID, []int64{bmdt.ID})
		must(t, err)
		t.Run("a second submission to the same column is refused", func(t *testing.T) {
			_, err := k.d.SubmitUpward(ctx, k.editorA, src.ID, []int64{bmdt.ID})
			wantCode(t, err, core.ECONFLICT)
		})
		t.Run("a column of a tenant that does not collect is refused", func(t *testing.T) {
			_, err := k.d.SubmitUpward(ctx, k.editorA, src.ID, []int64{k.column(t, k.b.ID, "gzdt").ID})
			wantCode(t, err, core.EINVALID)
		})

		q, err := k.d.Queue(ctx, k.portalEditor, content.QueueFilter{Status: content.SubPending})
		must(t, err)
		if q.Total != 1 || q.Items[0].SourceName != k.a.Name || q.Items[0].ColumnName != "部门动态" {
			t.Fatalf("portal queue: %d items %+v", q.Total, q.Items)
		}

		copyID, err := k.d.Adopt(ctx, k.portalEditor, ids[0], nil, "")
		must(t, err)
		t.Run("the adopted copy is published in the target column with its provenance", func(t *testing.T) {
			p, err := k.content.ListPublished(ctx, k.portal.ID, bmdt.ID, 1, 10)
			must(t, err)
			if p.Total != 1 || p.Articles[0].ID != copyID || p.Articles[0].Title != "教育局开展教师培训" || p.Articles[0].Source != k.a.Name {
				t.Fatalf("portal column: %+v", p.Articles)
			}
			x, err := k.content.Extras(ctx, k.portal.ID, copyID)
			must(t, err)
			if x.OriginName != k.a.Name || x.OriginURL != "/site/jyj/art/"+itoa(src.ID) {
				t.Errorf("provenance %q %q", x.OriginName, x.OriginURL)
			}
			s, err := k.d.Submission(ctx, k.editorA, ids[0])
			must(t, err)
			if s.Status != content.SubAdopted || s.CopyArticleID == nil || *s.CopyArticleID != copyID || s.DecidedBy != k.portalEditor.UserID {
				t.Errorf("submission after adoption: %+v", s)
			}
			_, err = k.d.Adopt(ctx, k.portalEditor, ids[0], nil, "")
			wantCode(t, err, core.ECONFLICT)
		})

		// A second article, adopted with edits; a third, rejected.
		src2 := k.published(t, "教育局召开安全工作会")
		ids2, err := k.d.SubmitUpward(ctx, k.editorA, src2.ID, []int64{bmdt.ID})
		must(t, err)
		edited := content.Input{Title: "县教育局部署校园安全工作", Body: "<p>教育局召开安全工作会的正文。会议要求……</p>"}
		copy2, err := k.d.Adopt(ctx, k.portalEditor, ids2[0], &edited, "标题改为主题式")
		must(t, err)
		t.Run("adoption with edits keeps the edit on record", func(t *testing.T) {
			s, err := k.d.Submission(ctx, k.portalEditor, ids2[0])
			must(t, err)
			if !s.Edited || s.EditNote != "标题改为主题式" {
				t.Errorf("edited %t note %q", s.Edited, s.EditNote)
			}
			ds, err := k.d.Compare(ctx, k.portalEditor, copy2, 1, 2)
			must(t, err)
			if !ds[0].Changed || !strings.Contains(string(ds[0].HTML()), "<ins>") {
				t.Errorf("title diff %+v", ds[0])
			}
			a, err := k.content.Article(ctx, k.portal.ID, copy2)
			must(t, err)
			if a.Title != "县教育局部署校园安全工作" || a.Source != k.a.Name {
				t.Errorf("copy %q source %q", a.Title, a.Source)
			}
		})

		src3 := k.published(t, "教育局内部事务")
		ids3, err := k.d.SubmitUpward(ctx, k.editorA, src3.ID, []int64{bmdt.ID})
		must(t, err)
		wantCode(t, k.d.Reject(ctx, k.portalEditor, ids3[0], ""), core.EINVALID)
		must(t, k.d.Reject(ctx, k.portalEditor, ids3[0], "内容不适合门户发布"))
		_, err = k.d.Adopt(ctx, k.portalEditor, ids3[0], nil, "")
		wantCode(t, err, core.ECONFLICT)

		// Hand-recorded submissions to the province's and the city's sites.
		day := time.Now().Add(-time.Hour)
		for _, st := range []string{content.SubAdopted, content.SubRejected, content.SubPending} {
			_, err := k.d.RecordExternal(ctx, k.editorA, content.ExternalInput{Target: "省政府网站", Title: "报省里的信息", SubmittedOn: day, Status: st})
			must(t, err)
		}
		_, err = k.d.RecordExternal(ctx, k.editorA, content.ExternalInput{Target: "省政府网站", Title: "未来", SubmittedOn: time.Now().Add(48 * time.Hour), Status: content.SubAdopted})
		wantCode(t, err, core.EINVALID)
		// B submits one that stays pending.
		srcB, err := k.d.Create(ctx, k.editorB, k.input(t, k.b.ID, "gzdt", "民政局动态", "<p>x</p>"))
		must(t, err)
		_, err = k.d.Submit(ctx, k.editorB, srcB.ID, false)
		must(t, err)
		reviewerB := k.editorB
		reviewerB.UserID, reviewerB.Roles = 44, k.reviewerA.Roles
		must(t, k.d.Approve(ctx, reviewerB, srcB.ID, nil))
		_, err = k.d.SubmitUpward(ctx, k.editorB, srcB.ID, []int64{bmdt.ID})
		must(t, err)

		t.Run("statistics count per tenant with a ranking", func(t *testing.T) {
			rows, err := k.d.Stats(ctx, k.county, content.StatsFilter{})
			must(t, err)
			byID := map[int64]content.StatRow{}
			for _, r := range rows {
				byID[r.TenantID] = r
			}
			a, b := byID[k.a.ID], byID[k.b.ID]
			if a.Submitted != 6 || a.Adopted != 3 || a.Rejected != 2 || a.Pending != 1 || a.RatePercent() != "50.0%" || a.Rank != 1 {
				t.Errorf("A: %+v rate %s", a, a.RatePercent())
			}
			if b.Submitted != 1 || b.Adopted != 0 || b.Pending != 1 || b.Rank != 2 {
				t.Errorf("B: %+v", b)
			}
			if _, ok := byID[k.portal.ID]; ok {
				t.Error("the portal is ranked")
			}
			platform, err := k.d.Stats(ctx, k.county, content.StatsFilter{Target: "platform"})
			must(t, err)
			for _, r := range platform {
				if r.TenantID == k.a.ID && (r.Submitted != 3 || r.Adopted != 2 || r.Rejected != 1) {
					t.Errorf("A on the platform: %+v", r)
				}
			}
			province, err := k.d.Stats(ctx, k.county, content.StatsFilter{Target: "省政府网站"})
			must(t, err)
			for _, r := range province {
				if r.TenantID == k.a.ID && (r.Submitted != 3 || r.Adopted != 1) {
					t.Errorf("A to the province: %+v", r)
				}
			}
			future, err := k.d.Stats(ctx, k.county, content.StatsFilter{From: time.Now().Add(time.Hour)})
			must(t, err)
			for _, r := range future {
				if r.Submitted != 0 {
					t.Errorf("a period with nothing counts %+v", r)
				}
			}
			own, err := k.d.Stats(ctx, k.editorB, content.StatsFilter{})
			must(t, err)
			if len(own) != 1 || own[0].TenantID != k.b.ID {
				t.Errorf("B's editor sees %d rows", len(own))
			}
		})

		t.Run("a withdrawn source withdraws its adopted copy", func(t *testing.T) {
			must(t, k.d.Withdraw(ctx, k.reviewerA, src.ID, content.WithdrawNotice, "数据需要核实", 0))
			a, err := k.content.Article(ctx, k.portal.ID, copyID)
			must(t, err)
			x, _ := k.content.Extras(ctx, k.portal.ID, copyID)
			if a.Status != content.Withdrawn || x.WithdrawKind != content.WithdrawNotice || !strings.Contains(x.WithdrawReason, "数据需要核实") {
				t.Errorf("copy after source withdrawal: %s %+v", a.Status, x)
			}
		})

		t.Run("or asks the portal's reviewer, as configured", func(t *testing.T) {
			wantCode(t, k.d.SetSetting(ctx, k.portalEditor, content.SettingSourceWithdrawn, "ask"), core.EFORBID)
			must(t, k.d.SetSetting(ctx, k.county, content.SettingSourceWithdrawn, "ask"))
			must(t, k.d.Withdraw(ctx, k.reviewerA, src2.ID, content.WithdrawError, "误发", 0))
			a, err := k.content.Article(ctx, k.portal.ID, copy2)
			must(t, err)
			if a.Status != content.Published {
				t.Errorf("copy withdrawn without asking: %s", a.Status)
			}
			q, err := k.d.Queue(ctx, k.reviewerPortal, content.QueueFilter{Status: "decide"})
			must(t, err)
			if q.Total != 1 || !q.Items[0].AwaitsDecision() {
				t.Fatalf("decision queue %+v", q.Items)
			}
			must(t, k.d.KeepCopy(ctx, k.reviewerPortal, q.Items[0].ID))
			if q, _ := k.d.Queue(ctx, k.reviewerPortal, content.QueueFilter{Status: "decide"}); q.Total != 0 {
				t.Errorf("still waiting after the decision: %d", q.Total)
			}
		})
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
