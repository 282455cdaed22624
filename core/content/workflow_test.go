package content_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"yiwang/core"
	"yiwang/core/content"
	"yiwang/core/store"
	"yiwang/core/store/storetest"
	"yiwang/tenants"
)

func TestReviewBeforePublishing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		k := newDesk(t, newFixture(t, db))

		m, err := k.d.Create(ctx, k.editorA, k.input(t, k.a.ID, "gzdt", "县教育局召开会议", "<p>会议<script>alert(1)</script>强调。</p>"))
		must(t, err)
		if m.Status != content.Draft || m.Version != 1 || m.CreatedBy != k.editorA.UserID || strings.Contains(m.Body, "script") {
			t.Fatalf("new draft: status %s version %d by %d body %q", m.Status, m.Version, m.CreatedBy, m.Body)
		}
		if _, err := k.content.Article(ctx, k.a.ID, m.ID); core.ErrorCode(err) != core.ENOTFOUND {
			t.Errorf("a draft is public: %v", err)
		}

		t.Run("a reviewer cannot approve a draft nobody submitted", func(t *testing.T) {
			wantCode(t, k.d.Approve(ctx, k.reviewerA, m.ID, nil), core.ECONFLICT)
		})
		t.Run("an editor without the reviewer role cannot approve", func(t *testing.T) {
			if err := k.d.Approve(ctx, k.editorA, m.ID, nil); !errors.Is(err, content.ErrNoPermission) {
				t.Errorf("err = %v, want ErrNoPermission", err)
			}
		})

		_, err = k.d.Submit(ctx, k.editorA, m.ID, false)
		must(t, err)
		t.Run("submitted articles are neither public nor editable", func(t *testing.T) {
			if _, err := k.content.Article(ctx, k.a.ID, m.ID); core.ErrorCode(err) != core.ENOTFOUND {
				t.Errorf("a submitted article is public: %v", err)
			}
			_, err := k.d.Save(ctx, k.editorA, m.ID, k.input(t, k.a.ID, "gzdt", "改", "<p>改</p>"), false)
			wantCode(t, err, core.ECONFLICT)
		})

		t.Run("sent back with a reason, edited, submitted again", func(t *testing.T) {
			wantCode(t, k.d.SendBack(ctx, k.reviewerA, m.ID, "  "), core.EINVALID)
			must(t, k.d.SendBack(ctx, k.reviewerA, m.ID, "请补充会议时间"))
			got, err := k.d.Manuscript(ctx, k.editorA, m.ID)
			must(t, err)
			if got.Status != content.Returned || got.ReturnReason != "请补充会议时间" {
				t.Fatalf("after send-back: %s %q", got.Status, got.ReturnReason)
			}
			_, err = k.d.Save(ctx, k.editorA, m.ID, k.input(t, k.a.ID, "gzdt", "县教育局召开秋季开学会议", "<p>9月1日，会议强调。</p>"), false)
			must(t, err)
			_, err = k.d.Submit(ctx, k.editorA, m.ID, false)
			must(t, err)
		})

		t.Run("self-approval is refused", func(t *testing.T) {
			own, err := k.d.Create(ctx, k.bothA, k.input(t, k.a.ID, "gzdt", "自己写的", "<p>正文</p>"))
			must(t, err)
			_, err = k.d.Submit(ctx, k.bothA, own.ID, false)
			must(t, err)
			if err := k.d.Approve(ctx, k.bothA, own.ID, nil); !errors.Is(err, content.ErrSelfApproval) {
				t.Fatalf("err = %v, want ErrSelfApproval", err)
			}
			// Nor may a reviewer approve what they edited after another wrote it.
			must(t, k.d.Recall(ctx, k.bothA, own.ID))
			m2, err := k.d.Create(ctx, k.editorA, k.input(t, k.a.ID, "gzdt", "他人写的", "<p>正文</p>"))
			must(t, err)
			_, err = k.d.Save(ctx, k.bothA, m2.ID, k.input(t, k.a.ID, "gzdt", "他人写的，我改过", "<p>正文</p>"), false)
			must(t, err)
			_, err = k.d.Submit(ctx, k.editorA, m2.ID, false)
			must(t, err)
			if err := k.d.Approve(ctx, k.bothA, m2.ID, nil); !errors.Is(err, content.ErrSelfApproval) {
				t.Fatalf("editor of the text approving: err = %v, want ErrSelfApproval", err)
			}
			if got, _ := k.d.Manuscript(ctx, k.bothA, m2.ID); got.Status != content.Submitted {
				t.Errorf("status after refused approval = %s", got.Status)
			}
		})

		before := store.Now()
		must(t, k.d.Approve(ctx, k.reviewerA, m.ID, nil))
		after := store.Now()
		pub, err := k.content.Article(ctx, k.a.ID, m.ID)
		must(t, err)
		if pub.Status != content.Published || pub.PublishedAt.Before(before) || pub.PublishedAt.After(after) || pub.Title != "县教育局召开秋季开学会议" {
			t.Fatalf("published: %s at %v (approved between %v and %v), title %q", pub.Status, pub.PublishedAt, before, after, pub.Title)
		}

		t.Run("every state change is in the history and the audit log", func(t *testing.T) {
			hs, err := k.d.History(ctx, k.reviewerA, m.ID)
			must(t, err)
			var got []string
			for _, h := range hs {
				got = append(got, h.Action)
			}
			if want := "create submit send-back submit approve"; strings.Join(got, " ") != want {
				t.Errorf("history %q, want %q", strings.Join(got, " "), want)
			}
			if hs[2].Reason != "请补充会议时间" || hs[4].ActorID != k.reviewerA.UserID {
				t.Errorf("history lacks reason or reviewer: %+v", hs)
			}
			for action, want := range map[string]int{"article.create": 3, "article.submit": 4, "article.send-back": 1, "article.approve": 1, "article.publish": 1} {
				if n := k.auditCount(t, k.a.ID, action); n != want {
					t.Errorf("audit %s = %d, want %d", action, n, want)
				}
			}
		})

		t.Run("an edit of a published article waits for review while the published text stays online", func(t *testing.T) {
			first := *pub.PublishedAt
			_, err := k.d.Save(ctx, k.editorA, m.ID, k.input(t, k.a.ID, "gzdt", "更正后的标题", "<p>更正后的正文。</p>"), false)
			must(t, err)
			online, err := k.content.Article(ctx, k.a.ID, m.ID)
			must(t, err)
			if online.Title != "县教育局召开秋季开学会议" {
				t.Errorf("online title changed before review: %q", online.Title)
			}
			_, err = k.d.Submit(ctx, k.editorA, m.ID, false)
			must(t, err)
			if err := k.d.Approve(ctx, k.editorA, m.ID, nil); !errors.Is(err, content.ErrNoPermission) {
				t.Errorf("editor approving own revision: %v", err)
			}
			must(t, k.d.Approve(ctx, k.reviewerA, m.ID, nil))
			online, err = k.content.Article(ctx, k.a.ID, m.ID)
			must(t, err)
			if online.Title != "更正后的标题" || !online.PublishedAt.Equal(first) {
				t.Errorf("after revision: %q published %v, want new title and the first publish time %v", online.Title, online.PublishedAt, first)
			}
			got, err := k.d.Manuscript(ctx, k.editorA, m.ID)
			must(t, err)
			if got.RevisionID != nil || got.RevisionStatus != "" {
				t.Errorf("revision still pending: %v %q", got.RevisionID, got.RevisionStatus)
			}
		})
	})
}

func TestPublishTimeComesOnlyFromTheServerClock(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		k := newDesk(t, newFixture(t, db))
		m, err := k.d.Create(ctx, k.editorA, k.input(t, k.a.ID, "tzgg", "关于放假的通知", "<p>正文</p>"))
		must(t, err)
		_, err = k.d.Submit(ctx, k.editorA, m.ID, false)
		must(t, err)

		now := time.Now()
		for _, tc := range []struct {
			name string
			at   time.Time
		}{
			{"years ago", time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)},
			{"a minute ago", now.Add(-time.Minute)},
			{"this very moment", now},
			{"yesterday in Beijing time", now.In(content.Location).Add(-24 * time.Hour)},
		} {
			t.Run("a schedule "+tc.name+" is refused", func(t *testing.T) {
				at := tc.at
				if err := k.d.Approve(ctx, k.reviewerA, m.ID, &at); !errors.Is(err, content.ErrPastSchedule) {
					t.Fatalf("err = %v, want ErrPastSchedule", err)
				}
				if got, _ := k.d.Manuscript(ctx, k.editorA, m.ID); got.Status != content.Submitted || got.PublishedAt != nil {
					t.Errorf("after refusal: %s, published %v", got.Status, got.PublishedAt)
				}
			})
		}

		t.Run("a future schedule publishes at the server's time when it is due", func(t *testing.T) {
			at := time.Now().Add(time.Hour)
			must(t, k.d.Approve(ctx, k.reviewerA, m.ID, &at))
			got, err := k.d.Manuscript(ctx, k.editorA, m.ID)
			must(t, err)
			if got.Status != content.Scheduled || got.PublishedAt != nil || got.ScheduledAt == nil {
				t.Fatalf("scheduled: %s published %v at %v", got.Status, got.PublishedAt, got.ScheduledAt)
			}
			n, err := k.d.PublishDue(ctx)
			must(t, err)
			if n != 0 {
				t.Fatalf("published %d before the time", n)
			}
			// The hour passes.
			_, err = db.ExecContext(ctx, `UPDATE articles SET scheduled_at = ? WHERE id = ?`, store.Now().Add(-time.Second), m.ID)
			must(t, err)
			before := store.Now()
			n, err = k.d.PublishDue(ctx)
			must(t, err)
			if n != 1 {
				t.Fatalf("published %d, want 1", n)
			}
			pub, err := k.content.Article(ctx, k.a.ID, m.ID)
			must(t, err)
			if pub.Status != content.Published || pub.PublishedAt.Before(before) {
				t.Errorf("published %s at %v, want at or after %v", pub.Status, pub.PublishedAt, before)
			}
			if n, _ := k.d.PublishDue(ctx); n != 0 {
				t.Errorf("published again: %d", n)
			}
		})
	})
}

func TestTenantsAreIsolated(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		k := newDesk(t, newFixture(t, db))
		mine := k.published(t, "教育局的文章")
		draft, err := k.d.Create(ctx, k.editorA, k.input(t, k.a.ID, "gzdt", "教育局的草稿", "<p>正文</p>"))
		must(t, err)
		portalCol := k.column(t, k.portal.ID, "gzdt")
		subIDs, err := k.d.SubmitUpward(ctx, k.editorA, mine.ID, []int64{portalCol.ID})
		must(t, err)

		reviewerB := content.Actor{TenantID: k.b.ID, UserID: 40, Name: "民政审核", Roles: []tenants.Role{tenants.Reviewer}}
		// An actor of B who claims the portal as their tenant but holds no role there.
		bOnPortal := content.Actor{TenantID: k.portal.ID, UserID: k.editorB.UserID, Name: k.editorB.Name, Roles: []tenants.Role{tenants.Citizen}}
		bColumn := k.column(t, k.b.ID, "gzdt").ID
		aColumn := k.column(t, k.a.ID, "gzdt").ID
		for _, tc := range []struct {
			name string
			do   func() error
			want string
		}{
			{"see A's draft", func() error { _, err := k.d.Manuscript(ctx, k.editorB, draft.ID); return err }, core.ENOTFOUND},
			{"see A's versions", func() error { _, err := k.d.Version(ctx, k.editorB, draft.ID, 1); return err }, core.ENOTFOUND},
			{"edit A's draft", func() error {
				_, err := k.d.Save(ctx, k.editorB, draft.ID, content.Input{ColumnID: bColumn, Title: "改", Body: "x"}, false)
				return err
			}, core.ENOTFOUND},
			{"put B's article in A's column", func() error {
				_, err := k.d.Create(ctx, k.editorB, content.Input{ColumnID: aColumn, Title: "越界", Body: "x"})
				return err
			}, core.EINVALID},
			{"submit A's draft for review", func() error { _, err := k.d.Submit(ctx, k.editorB, draft.ID, true); return err }, core.ENOTFOUND},
			{"approve A's article", func() error { return k.d.Approve(ctx, reviewerB, draft.ID, nil) }, core.ENOTFOUND},
			{"withdraw A's article", func() error {
				return k.d.Withdraw(ctx, reviewerB, mine.ID, content.WithdrawError, "误发", 0)
			}, core.ENOTFOUND},
			{"submit A's article upward", func() error {
				_, err := k.d.SubmitUpward(ctx, k.editorB, mine.ID, []int64{portalCol.ID})
				return err
			}, core.ENOTFOUND},
			{"read the portal's queue as B", func() error {
				p, err := k.d.Queue(ctx, k.editorB, content.QueueFilter{})
				if err == nil && p.Total > 0 {
					return errors.New("B sees the portal's submissions")
				}
				return core.Errorf(core.ENOTFOUND, "empty")
			}, core.ENOTFOUND},
			{"adopt into the portal as B", func() error { _, err := k.d.Adopt(ctx, k.editorB, subIDs[0], nil, ""); return err }, core.ENOTFOUND},
			{"adopt into the portal without a portal role", func() error { _, err := k.d.Adopt(ctx, bOnPortal, subIDs[0], nil, ""); return err }, core.EFORBID},
			{"reject on the portal without a portal role", func() error { return k.d.Reject(ctx, bOnPortal, subIDs[0], "不用") }, core.EFORBID},
			{"list A's manuscripts", func() error {
				p, err := k.d.List(ctx, k.editorB, content.ListFilter{})
				if err == nil && p.Total > 0 {
					return errors.New("B lists A's manuscripts")
				}
				return core.Errorf(core.ENOTFOUND, "empty")
			}, core.ENOTFOUND},
			{"see A's history", func() error {
				hs, err := k.d.History(ctx, k.editorB, mine.ID)
				if err == nil && len(hs) > 0 {
					return errors.New("B reads A's history")
				}
				return core.Errorf(core.ENOTFOUND, "empty")
			}, core.ENOTFOUND},
		} {
			t.Run("B's staff cannot "+tc.name, func(t *testing.T) { wantCode(t, tc.do(), tc.want) })
		}
		if got, _ := k.d.Manuscript(ctx, k.editorA, draft.ID); got.Status != content.Draft || got.Title != "教育局的草稿" {
			t.Errorf("A's draft changed: %s %q", got.Status, got.Title)
		}
		if s, _ := k.d.Submission(ctx, k.editorA, subIDs[0]); s.Status != content.SubPending {
			t.Errorf("submission changed: %s", s.Status)
		}
	})
}

func TestWithdrawal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		k := newDesk(t, newFixture(t, db))
		replacement := k.published(t, "新版通知")
		for _, tc := range []struct {
			kind       string
			replacedBy int64
		}{
			{content.WithdrawError, 0},
			{content.WithdrawNotice, 0},
			{content.WithdrawReplaced, replacement.ID},
		} {
			t.Run(tc.kind, func(t *testing.T) {
				m := k.published(t, "要撤的文章 "+tc.kind)
				wantCode(t, k.d.Withdraw(ctx, k.reviewerA, m.ID, tc.kind, "", tc.replacedBy), core.EINVALID)
				if err := k.d.Withdraw(ctx, k.editorA, m.ID, tc.kind, "理由", tc.replacedBy); !errors.Is(err, content.ErrNoPermission) {
					t.Errorf("editor withdrew: %v", err)
				}
				must(t, k.d.Withdraw(ctx, k.reviewerA, m.ID, tc.kind, "数据有误", tc.replacedBy))
				a, err := k.content.Article(ctx, k.a.ID, m.ID)
				must(t, err)
				x, err := k.content.Extras(ctx, k.a.ID, m.ID)
				must(t, err)
				if a.Status != content.Withdrawn || x.WithdrawKind != tc.kind || x.WithdrawReason != "数据有误" || x.WithdrawnAt == nil {
					t.Errorf("withdrawn: %s %+v", a.Status, x)
				}
				if (x.ReplacedBy != nil) != (tc.replacedBy != 0) || (x.ReplacedBy != nil && *x.ReplacedBy != tc.replacedBy) {
					t.Errorf("replaced by %v, want %d", x.ReplacedBy, tc.replacedBy)
				}
				p, err := k.content.ListPublished(ctx, k.a.ID, m.ColumnID, 1, 100)
				must(t, err)
				for _, l := range p.Articles {
					if l.ID == m.ID {
						t.Error("withdrawn article still listed")
					}
				}
				wantCode(t, k.d.Withdraw(ctx, k.reviewerA, m.ID, tc.kind, "再撤", tc.replacedBy), core.ECONFLICT)
				hs, _ := k.d.History(ctx, k.reviewerA, m.ID)
				if last := hs[len(hs)-1]; last.Action != "withdraw" || !strings.Contains(last.Reason, "数据有误") {
					t.Errorf("history ends with %+v", last)
				}
			})
		}
		t.Run("a replacement must be a published article of the same site", func(t *testing.T) {
			m := k.published(t, "旧文")
			draft, _ := k.d.Create(ctx, k.editorA, k.input(t, k.a.ID, "gzdt", "草稿", "<p>x</p>"))
			wantCode(t, k.d.Withdraw(ctx, k.reviewerA, m.ID, content.WithdrawReplaced, "有新版", draft.ID), core.EINVALID)
			wantCode(t, k.d.Withdraw(ctx, k.reviewerA, m.ID, content.WithdrawReplaced, "有新版", 0), core.EINVALID)
			wantCode(t, k.d.Withdraw(ctx, k.reviewerA, m.ID, "hide", "随便", 0), core.EINVALID)
		})
		if n := k.auditCount(t, k.a.ID, "article.withdraw"); n != 3 {
			t.Errorf("audit article.withdraw = %d, want 3", n)
		}
	})
}

func TestColumnsAdmin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		k := newDesk(t, newFixture(t, db))
		admin := content.Actor{TenantID: k.a.ID, UserID: 9, Name: "站点管理员", Roles: []tenants.Role{tenants.SiteAdmin}}
		_, err := k.d.AddColumn(ctx, k.editorA, content.ColumnInput{Slug: "zt", Name: "专题", Type: content.ColumnList})
		if !errors.Is(err, content.ErrNoPermission) {
			t.Fatalf("editor added a column: %v", err)
		}
		zt, err := k.d.AddColumn(ctx, admin, content.ColumnInput{Slug: "zt", Name: "专题", Type: content.ColumnList, Description: "专题专栏", Keywords: "专题"})
		must(t, err)
		sub, err := k.d.AddColumn(ctx, admin, content.ColumnInput{ParentID: &zt.ID, Slug: "zt-a", Name: "专题甲", Type: content.ColumnList})
		must(t, err)
		link, err := k.d.AddColumn(ctx, admin, content.ColumnInput{Slug: "wb", Name: "外部", Type: content.ColumnLink, LinkURL: "https://www.gov.cn/"})
		must(t, err)
		_, err = k.d.AddColumn(ctx, admin, content.ColumnInput{Slug: "bad", Name: "坏链接", Type: content.ColumnLink, LinkURL: "javascript:alert(1)"})
		wantCode(t, err, core.EINVALID)

		gzdt := k.column(t, k.a.ID, "gzdt")
		for _, tc := range []struct {
			name string
			do   func() error
			want string
		}{
			{"rename a template column", func() error {
				return k.d.UpdateColumn(ctx, admin, gzdt.ID, content.ColumnInput{Name: "我们的动态", Type: gzdt.Type})
			}, core.EFORBID},
			{"delete a template column", func() error { return k.d.DeleteColumn(ctx, admin, gzdt.ID) }, core.EFORBID},
			{"move a template column", func() error { return k.d.MoveColumn(ctx, admin, gzdt.ID, &zt.ID) }, core.EFORBID},
			{"move a column under itself", func() error { return k.d.MoveColumn(ctx, admin, zt.ID, &sub.ID) }, core.EINVALID},
			{"move a column under a link column", func() error { return k.d.MoveColumn(ctx, admin, sub.ID, &link.ID) }, core.EINVALID},
			{"delete a column with children", func() error { return k.d.DeleteColumn(ctx, admin, zt.ID) }, core.ECONFLICT},
			{"reorder with a column missing", func() error { return k.d.ReorderColumns(ctx, admin, nil, []int64{zt.ID}) }, core.EINVALID},
			{"change another tenant's column", func() error {
				return k.d.SetColumnHidden(ctx, admin, k.column(t, k.b.ID, "gzdt").ID, true)
			}, core.ENOTFOUND},
		} {
			t.Run("cannot "+tc.name, func(t *testing.T) { wantCode(t, tc.do(), tc.want) })
		}

		must(t, k.d.UpdateColumn(ctx, admin, gzdt.ID, content.ColumnInput{Name: gzdt.Name, Type: gzdt.Type, Description: "新的描述", Keywords: "动态"}))
		must(t, k.d.UpdateColumn(ctx, admin, zt.ID, content.ColumnInput{Name: "专题专栏", Type: content.ColumnList}))
		must(t, k.d.SetColumnHidden(ctx, admin, gzdt.ID, true))
		must(t, k.d.MoveColumn(ctx, admin, sub.ID, nil))
		roots, err := k.d.AllColumns(ctx, admin)
		must(t, err)
		var ids []int64
		for _, c := range roots {
			ids = append(ids, c.ID)
		}
		// The moved column came last among the roots: put it first.
		ids = append([]int64{sub.ID}, ids[:len(ids)-1]...)
		must(t, k.d.ReorderColumns(ctx, admin, nil, ids))
		visible, err := k.content.Columns(ctx, k.a.ID, false)
		must(t, err)
		if visible[0].Slug != "zt-a" || find(visible, "gzdt") != nil || find(visible, "zt").Name != "专题专栏" {
			t.Errorf("visible roots %v", slugs(visible))
		}
		if c := k.column(t, k.a.ID, "gzdt"); !c.Hidden || c.Description != "新的描述" {
			t.Errorf("gzdt: hidden %t description %q", c.Hidden, c.Description)
		}
		must(t, k.d.DeleteColumn(ctx, admin, link.ID))
		if n := k.auditCount(t, k.a.ID, "column.add"); n != 3 {
			t.Errorf("audit column.add = %d", n)
		}
	})
}

func TestArticleInFurtherColumns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		k := newDesk(t, newFixture(t, db))
		tzgg, zcwj := k.column(t, k.a.ID, "tzgg"), k.column(t, k.a.ID, "zcwj")
		in := k.input(t, k.a.ID, "gzdt", "同时发布到通知公告", "<p>x</p>")
		in.Columns = []int64{tzgg.ID, k.column(t, k.b.ID, "gzdt").ID}
		_, err := k.d.Create(ctx, k.editorA, in)
		wantCode(t, err, core.EINVALID) // another tenant's column
		in.Columns = []int64{tzgg.ID, in.ColumnID}
		m, err := k.d.Create(ctx, k.editorA, in)
		must(t, err)
		if len(m.ExtraColumns) != 1 || m.ExtraColumns[0] != tzgg.ID {
			t.Fatalf("extra columns %v", m.ExtraColumns)
		}
		_, err = k.d.Submit(ctx, k.editorA, m.ID, false)
		must(t, err)
		must(t, k.d.Approve(ctx, k.reviewerA, m.ID, nil))
		for _, tc := range []struct {
			col  *content.Column
			want int
		}{{k.column(t, k.a.ID, "gzdt"), 1}, {tzgg, 1}, {zcwj, 0}} {
			p, err := k.content.ListPublished(ctx, k.a.ID, tc.col.ID, 1, 10)
			must(t, err)
			if p.Total != tc.want || len(p.Articles) != tc.want {
				t.Errorf("column %s lists %d (total %d), want %d", tc.col.Slug, len(p.Articles), p.Total, tc.want)
			}
		}
		// The home page's sections show it in the further column too,
		// newest first among the column's own, at most n.
		own := k.input(t, k.a.ID, "tzgg", "通知公告自己的文章", "<p>y</p>")
		o, err := k.d.Create(ctx, k.editorA, own)
		must(t, err)
		_, err = k.d.Submit(ctx, k.editorA, o.ID, false)
		must(t, err)
		must(t, k.d.Approve(ctx, k.reviewerA, o.ID, nil))
		latest, err := k.content.LatestByColumn(ctx, k.a.ID, 5)
		must(t, err)
		var titles []string
		for _, a := range latest[tzgg.ID] {
			titles = append(titles, a.Title)
		}
		if want := []string{"通知公告自己的文章", "同时发布到通知公告"}; !slices.Equal(titles, want) {
			t.Errorf("home section of tzgg: %v, want %v", titles, want)
		}
		if g := latest[k.column(t, k.a.ID, "gzdt").ID]; len(g) != 1 || g[0].Title != "同时发布到通知公告" {
			t.Errorf("home section of gzdt: %v", g)
		}
		if one, _ := k.content.LatestByColumn(ctx, k.a.ID, 1); len(one[tzgg.ID]) != 1 || one[tzgg.ID][0].Title != "通知公告自己的文章" {
			t.Errorf("home section of tzgg cut at 1: %v", one[tzgg.ID])
		}
	})
}
