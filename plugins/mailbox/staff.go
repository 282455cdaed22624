package mailbox

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/calendar"
)

// computeDeadline is the n-th working day after from by the host's
// calendar, with an explanation a person can check.
func computeDeadline(ctx context.Context, host sdk.Host, from calendar.Date, n int, why string) (string, string, error) {
	wd, err := host.AddWorkingDays(ctx, from, n)
	if err != nil {
		return "", "", err
	}
	return wd.Date.String(), fmt.Sprintf("%s，自 %s 起算 %d 个工作日。%s", why, from.Chinese(), n, wd.Explanation), nil
}

// staffLetter finds a letter the request's user may handle: one of the
// tenant's own mailboxes for a dispatcher, one assigned to the tenant for
// its handlers. Anything else does not exist for them.
func (h *Handler) findStaff(r *http.Request) (*Letter, string, error) {
	number := r.PathValue("number")
	me := sdk.TenantOf(r).ID
	if isDispatcher(r) {
		if l, err := letterByNumber(r.Context(), h.db(r), number); err == nil {
			return l, "dispatch", nil
		}
	}
	if isHandler(r) {
		for _, tc := range h.env.Tenants() {
			ls, err := selectLetters(r.Context(), h.env.DB.Tenant(tc.Tenant.ID), "number = :number AND assigned_tenant_id = :me AND status IN ('assigned','replied','closed')",
				sdk.Args{"number": number, "me": me})
			if err != nil {
				return nil, "", err
			}
			if len(ls) == 1 {
				return ls[0], "handle", nil
			}
		}
	}
	return nil, "", sdk.Errorf(sdk.ENOTFOUND, "没有找到这封信件。")
}

func (h *Handler) staffList(w http.ResponseWriter, r *http.Request) {
	if !isHandler(r) && !isDispatcher(r) {
		sdk.Fail(w, sdk.Errorf(sdk.EFORBID, "您没有办理信件的权限。"))
		return
	}
	data := map[string]any{}
	if isDispatcher(r) {
		ls, err := selectLetters(r.Context(), h.db(r), "status IN ('submitted','assigned','replied')", nil)
		if err != nil {
			sdk.Fail(w, err)
			return
		}
		data["Dispatch"] = ls
		data["Boxes"], data["Categories"], data["Origins"] = mailboxesOf(sdk.TenantOf(r)), Categories, Origins
	}
	me := sdk.TenantOf(r).ID
	var mine []*Letter
	for _, tc := range h.env.Tenants() {
		ls, err := selectLetters(r.Context(), h.env.DB.Tenant(tc.Tenant.ID), "assigned_tenant_id = :me AND status IN ('assigned','replied')", sdk.Args{"me": me})
		if err != nil {
			sdk.Fail(w, err)
			return
		}
		mine = append(mine, ls...)
	}
	data["Mine"] = mine
	h.render(w, r, "stafflist", "信件办理", 0, data)
}

func (h *Handler) staffLetter(w http.ResponseWriter, r *http.Request) {
	l, role, err := h.findStaff(r)
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	v, err := h.view(r, l)
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	v.Staff, v.Dispatch, v.Handle = true, role == "dispatch", role == "handle"
	v.Reply = l.Reply
	v.FileBase = sdk.URL(r, "admin/mailbox/l/"+l.Number+"/files/")
	v.PublicSubject, v.PublicContent, v.PublicReply = redact(or(l.PublicSubject, l.Subject)), redact(or(l.PublicContent, l.Content)), redact(or(l.PublicReply, l.Reply))
	if v.Dispatch {
		ts, err := h.env.Host.Tenants(r.Context(), true)
		if err == nil {
			for _, t := range ts {
				if !t.IsPortal() && t.Status == "active" {
					v.Depts = append(v.Depts, t)
				}
			}
		}
	}
	h.render(w, r, "letter", l.Subject, 0, v)
}

func (h *Handler) staffAction(w http.ResponseWriter, r *http.Request) {
	l, role, err := h.findStaff(r)
	if err != nil {
		sdk.Fail(w, err)
		return
	}
	if err := h.act(r, l, role, r.PostFormValue("action")); err != nil {
		sdk.Fail(w, err)
		return
	}
	http.Redirect(w, r, sdk.URL(r, "admin/mailbox/l/"+l.Number), http.StatusSeeOther)
}

// forwarded enters a letter forwarded from an upper-level platform
// (市长信箱, 社情民意): a dispatcher types it in with its origin and its
// number there; from then on it is handled like any other letter.
func (h *Handler) forwarded(w http.ResponseWriter, r *http.Request) {
	if !isDispatcher(r) {
		sdk.Fail(w, sdk.Errorf(sdk.EFORBID, "只有信件受理人员可以录入转来的信件。"))
		return
	}
	t := sdk.TenantOf(r)
	f := r.PostForm
	if f == nil {
		_ = r.ParseForm()
		f = r.PostForm
	}
	l := &Letter{Mailbox: f.Get("box"), Category: f.Get("category"), Subject: clean(f.Get("subject"), 100),
		Content: clean(f.Get("content"), 5000), Phone: clean(f.Get("phone"), 20), Consent: f.Get("consent") == "yes",
		Origin: f.Get("origin"), OriginRef: clean(f.Get("origin_ref"), 60), Status: Submitted, RemoteAddr: remoteHost(r.RemoteAddr)}
	if !contains(Origins, l.Origin) || mailboxTitle(t, l.Mailbox) == l.Mailbox || !validCategory(l.Category) || l.Subject == "" || l.Content == "" {
		sdk.Fail(w, invalid("请完整填写来源、信箱、类别、标题和内容。"))
		return
	}
	if _, err := h.store(r.Context(), t.ID, l, nil, sdk.UserOf(r).Actor(), "录入"+l.Origin+"转来信件 "+l.OriginRef, now()); err != nil {
		sdk.Fail(w, err)
		return
	}
	h.audit(r, t.ID, "letter.forwarded", l.Number, l.Origin+" "+l.OriginRef)
	http.Redirect(w, r, sdk.URL(r, "admin/mailbox/l/"+l.Number), http.StatusSeeOther)
}

func invalid(msg string) error { return sdk.Errorf(sdk.EINVALID, "%s", msg) }

func (h *Handler) act(r *http.Request, l *Letter, role, action string) error {
	ctx := r.Context()
	from := l.Status
	reason := clean(r.PostFormValue("reason"), 1000)
	l.UpdatedAt = now().UTC()
	dispatch, handle := role == "dispatch", role == "handle"
	switch {
	case dispatch && action == "reject" && from == Submitted:
		if reason == "" {
			return invalid("不予受理须说明理由。")
		}
		l.Status, l.Reason = Rejected, reason
		t := now().UTC()
		l.ClosedAt = &t
		if err := h.change(r, l, from, "reject", "不予受理："+reason); err != nil {
			return err
		}
		_ = h.env.Host.Notify(ctx, sdk.Notification{TenantID: l.TenantID, UserID: l.UserID, Subject: "您的信件未予受理",
			Body: "信件 " + l.Number + " 未予受理：" + reason, Path: "mailbox/my/" + l.Number})
		return nil
	case dispatch && action == "assign" && from == Submitted:
		dept, _ := strconv.ParseInt(r.PostFormValue("dept"), 10, 64)
		dt, err := h.env.Host.Tenant(ctx, dept)
		if err != nil || dt.IsPortal() || !h.env.Enabled(dept) {
			return invalid("请选择承办单位（须已开通领导信箱模块）。")
		}
		note := "转办至" + dt.Name
		accepted := l.AcceptedOn == ""
		if accepted {
			var st Settings
			if err := sdk.Settings(r, &st); err != nil {
				return err
			}
			n, why := st.daysFor(l.Mailbox, l.Category)
			acc := today()
			dl, ex, err := computeDeadline(ctx, h.env.Host, acc, n, why)
			if err != nil {
				return err
			}
			l.AcceptedOn, l.Deadline, l.DeadlineExplain, l.Days = acc.String(), dl, ex, n
			note = "受理并" + note + "，办理期限 " + dl
		}
		l.Status, l.AssignedTenantID, l.ReplyStatus = Assigned, dept, ""
		if err := h.change(r, l, from, "assign", note); err != nil {
			return err
		}
		if accepted {
			_ = h.env.Host.Notify(ctx, sdk.Notification{TenantID: l.TenantID, UserID: l.UserID, Subject: "您的信件已受理",
				Body: "信件 " + l.Number + " 已受理，由" + dt.Name + "办理，办理期限 " + l.Deadline + "。", Path: "mailbox/my/" + l.Number})
		}
		return nil
	case dispatch && action == "approve" && from == Replied:
		l.Status, l.ReplyStatus = Closed, "approved"
		t := now().UTC()
		l.ClosedAt = &t
		l.Published = l.Consent && r.PostFormValue("publish") == "yes"
		if l.Published {
			// The dispatcher's edited version (names, addresses removed by
			// hand); redaction applies again when it is shown.
			l.PublicSubject = clean(r.PostFormValue("public_subject"), 100)
			l.PublicContent = clean(r.PostFormValue("public_content"), 5000)
			l.PublicReply = clean(r.PostFormValue("public_reply"), 5000)
		}
		note := "审核通过，答复来信人"
		if l.Published {
			note += "，予以公开"
		}
		if err := h.change(r, l, from, "approve", note); err != nil {
			return err
		}
		_ = h.env.Host.Notify(ctx, sdk.Notification{TenantID: l.TenantID, UserID: l.UserID, Subject: "您的信件已答复",
			Body: "信件 " + l.Number + " 已办结，请查看答复并评价。", Path: "mailbox/my/" + l.Number})
		if l.Published && l.Consent {
			t, err := h.env.Host.Tenant(ctx, l.TenantID)
			if err == nil {
				err = h.env.Host.Index(ctx, h.publishDoc(ctx, t, l))
			}
			if err != nil {
				h.env.Log.Warn("index letter", "number", l.Number, "err", err)
			}
		}
		return nil
	case dispatch && action == "unpublish" && from == Closed && l.Published:
		l.Published = false
		if err := h.change(r, l, from, "unpublish", "撤下公开："+reason); err != nil {
			return err
		}
		if err := h.env.Host.Remove(ctx, l.TenantID, l.Number); err != nil {
			h.env.Log.Warn("remove letter from the index", "number", l.Number, "err", err)
		}
		return nil
	case dispatch && action == "return" && from == Replied:
		if reason == "" {
			return invalid("退回须说明理由。")
		}
		l.Status, l.ReplyStatus = Assigned, "returned"
		return h.change(r, l, from, "return", "答复退回修改："+reason)
	case dispatch && (action == "ext_approve" || action == "ext_refuse") && l.ExtStatus == "requested":
		if action == "ext_refuse" {
			l.ExtStatus = "refused"
			return h.change(r, l, from, "ext_refuse", "不同意延期")
		}
		d, err := calendar.ParseDate(l.Deadline)
		if err != nil {
			return err
		}
		dl, ex, err := computeDeadline(ctx, h.env.Host, d, l.ExtDays, "经批准延期")
		if err != nil {
			return err
		}
		l.ExtStatus, l.Deadline = "approved", dl
		l.DeadlineExplain += "\n" + ex
		if err := h.change(r, l, from, "ext_approve", "同意延期 "+strconv.Itoa(l.ExtDays)+" 个工作日，办理期限改为 "+dl); err != nil {
			return err
		}
		_ = h.env.Host.Notify(ctx, sdk.Notification{TenantID: l.TenantID, UserID: l.UserID, Subject: "您的信件办理期限已延长",
			Body: "信件 " + l.Number + " 的办理期限延长至 " + dl + "。", Path: "mailbox/my/" + l.Number})
		return nil
	case handle && (action == "draft" || action == "submit_reply") && from == Assigned:
		reply := clean(r.PostFormValue("reply"), 5000)
		if reply == "" {
			return invalid("请填写答复内容。")
		}
		l.Reply = reply
		if action == "draft" {
			l.ReplyStatus = "draft"
			return h.change(r, l, from, "draft", "保存答复草稿")
		}
		l.Status, l.ReplyStatus = Replied, "submitted"
		return h.change(r, l, from, "submit_reply", "提交答复，待审核")
	case handle && action == "bounce" && from == Assigned:
		if reason == "" {
			return invalid("退回须说明理由。")
		}
		l.Status, l.AssignedTenantID, l.BounceCount = Submitted, 0, l.BounceCount+1
		note := "承办单位退回（非本单位职责）：" + reason
		if l.BounceCount >= 2 {
			l.Flagged = true
			note += "；已多次退回，提请县政府办关注"
		}
		return h.change(r, l, from, "bounce", note)
	case handle && action == "ext_request" && from == Assigned:
		days, _ := strconv.Atoi(r.PostFormValue("days"))
		if reason == "" || days < 1 || days > 30 {
			return invalid("申请延期须说明理由，并填写 1 至 30 个工作日。")
		}
		if l.ExtStatus == "requested" || l.ExtStatus == "approved" {
			return sdk.Errorf(sdk.ECONFLICT, "这封信件已申请过延期。")
		}
		if l.Deadline == "" || today().String() > l.Deadline {
			return sdk.Errorf(sdk.ECONFLICT, "已超过办理期限（%s），不能再申请延期。", l.Deadline)
		}
		l.ExtStatus, l.ExtReason, l.ExtDays = "requested", reason, days
		return h.change(r, l, from, "ext_request", "申请延期 "+strconv.Itoa(days)+" 个工作日："+reason)
	}
	return sdk.Errorf(sdk.ECONFLICT, "当前状态（%s）下不能进行这项操作。", strings.TrimSpace(StatusLabel(from)))
}
