package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"yiwang/core/notices"
	"yiwang/core/store"
	"yiwang/core/store/storetest"
	"yiwang/sso"
)

// TestSiteInbox: a notice to a signed-in person shows in the platform bar
// on every site and on their account page, linking to the site it came
// from; marking read clears the count; nobody else sees it.
func TestSiteInbox(t *testing.T) {
	e := newSSOEnv(t, storetest.SQLite(t))
	ctx := context.Background()
	cit := e.browser(t)
	cit.loginDemo("citizen")
	acc, err := sso.EnsureAccount(ctx, e.db, e.prov.Issuer(), "demo-citizen", "", "", false, store.Now())
	must(t, err)
	jyj, err := e.ts.ByCode(ctx, "jyj")
	must(t, err)
	inbox := notices.NewStore(e.db)
	must(t, inbox.Add(ctx, &notices.Notice{AccountID: acc.ID, TenantID: jyj.ID, Subject: "您的信件已答复", Body: "信件 XX2026 已办结，请查看答复并评价。", Path: "mailbox/my/XX2026"}))

	if p := cit.get(e.portal + "/"); !strings.Contains(p.Body, "（1 条新消息）") {
		t.Error("the platform bar does not count the new notice")
	}
	p := cit.get(e.portal + "/account/")
	for _, want := range []string{"我的消息（1 条未读）", `<span class="notice-new">未读</span>`, "您的信件已答复", "思南县教育局",
		`href="` + e.jyj + `/mailbox/my/XX2026"`} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("account page lacks %q\n%.3000s", want, p.Body)
		}
	}
	p = cit.post(e.portal+"/account/notices/read", url.Values{"csrf": {field(csrfRe, p.Body)}})
	if p.Status != http.StatusOK || strings.Contains(p.Body, "条未读") || strings.Contains(p.Body, "条新消息") || !strings.Contains(p.Body, "您的信件已答复") {
		t.Errorf("after marking read: %d\n%.2000s", p.Status, p.Body)
	}
	if h := cit.once("POST", e.portal+"/account/notices/read", nil); h.Status != http.StatusForbidden {
		t.Errorf("mark read without a CSRF token: %d, want 403", h.Status)
	}

	other := e.browser(t)
	other.loginDemo("editor")
	if p := other.get(e.portal + "/account/"); strings.Contains(p.Body, "您的信件已答复") || !strings.Contains(p.Body, "暂无消息") {
		t.Error("another person sees the citizen's notice")
	}
}
