package cli

import (
	"context"
	"testing"

	"yiwang/core/notices"
	"yiwang/core/store/storetest"
	"yiwang/plugins/sdk"
)

// TestInboxTakesModulesNotices: a module's notice to a person lands in
// their site inbox; one with nobody to tell is dropped, not an error.
func TestInboxTakesModulesNotices(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	s := notices.NewStore(db)
	n := inbox{s}
	if err := n.Notify(ctx, sdk.Notification{TenantID: 1, UserID: 0, Subject: "您的信件已答复"}); err != nil {
		t.Errorf("a notice to nobody: %v", err)
	}
	if err := n.Notify(ctx, sdk.Notification{TenantID: 1, UserID: 9, Subject: "您的信件已受理", Body: "信件 XX1 已受理。", Path: "mailbox/my/XX1"}); err != nil {
		t.Fatal(err)
	}
	if err := n.Notify(ctx, sdk.Notification{TenantID: 1, UserID: 9, Subject: "x", Path: "https://elsewhere.example/"}); err == nil {
		t.Error("a notice linking off the site was accepted")
	}
	list, unread, err := s.Latest(ctx, 9, 10)
	if err != nil || len(list) != 1 || unread != 1 || list[0].Path != "mailbox/my/XX1" {
		t.Errorf("inbox of 9: %+v %d %v", list, unread, err)
	}
	var all int
	if err := db.Get(&all, `SELECT COUNT(*) FROM notices`); err != nil || all != 1 {
		t.Errorf("%d notices stored (%v), want 1", all, err)
	}
}
