package cli

import (
	"context"

	"yiwang/core/modules"
	"yiwang/core/notices"
	"yiwang/plugins/sdk"
)

// inbox delivers modules' notices to the site inbox (站内消息), where the
// person finds them on their account page on any site.
type inbox struct{ s *notices.Store }

var _ modules.Notifier = inbox{}

func (i inbox) Notify(ctx context.Context, n sdk.Notification) error {
	if n.UserID <= 0 {
		return nil // nobody to tell: a letter forwarded from elsewhere, a demo letter
	}
	return i.s.Add(ctx, &notices.Notice{AccountID: n.UserID, TenantID: n.TenantID, Subject: n.Subject, Body: n.Body, Path: n.Path})
}
