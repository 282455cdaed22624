package notices_test

import (
	"context"
	"strings"
	"testing"

	"yiwang/core"
	"yiwang/core/notices"
	"yiwang/core/store"
	"yiwang/core/store/storetest"
)

func TestInbox(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := notices.NewStore(db)
		for _, subject := range []string{"您的信件已受理", "您的信件已答复"} {
			n := &notices.Notice{AccountID: 7, TenantID: 1, Subject: subject, Body: "信件 XX2026 的答复已公开。", Path: "/mailbox/my/XX2026"}
			if err := s.Add(ctx, n); err != nil {
				t.Fatal(err)
			}
			if n.ID == 0 || n.Path != "mailbox/my/XX2026" {
				t.Errorf("stored notice %+v", n)
			}
		}
		if err := s.Add(ctx, &notices.Notice{AccountID: 8, TenantID: 1, Subject: "别人的消息"}); err != nil {
			t.Fatal(err)
		}
		list, unread, err := s.Latest(ctx, 7, 10)
		if err != nil || len(list) != 2 || unread != 2 || list[0].Subject != "您的信件已答复" {
			t.Fatalf("latest: %+v %d %v", list, unread, err)
		}
		if err := s.MarkRead(ctx, 7); err != nil {
			t.Fatal(err)
		}
		if n, _ := s.Unread(ctx, 7); n != 0 {
			t.Errorf("%d unread after marking read", n)
		}
		if n, _ := s.Unread(ctx, 8); n != 1 {
			t.Errorf("marking 7's read touched 8's: %d unread", n)
		}
		for _, bad := range []notices.Notice{
			{TenantID: 1, Subject: "x"},
			{AccountID: 7, Subject: "x"},
			{AccountID: 7, TenantID: 1},
			{AccountID: 7, TenantID: 1, Subject: "x", Path: "https://evil.example/"},
			{AccountID: 7, TenantID: 1, Subject: "x", Path: "//evil.example/"},
			{AccountID: 7, TenantID: 1, Subject: strings.Repeat("长", 201)},
		} {
			if err := s.Add(ctx, &bad); core.ErrorCode(err) != core.EINVALID {
				t.Errorf("Add(%+v) = %v, want EINVALID", bad, err)
			}
		}
	})
}
