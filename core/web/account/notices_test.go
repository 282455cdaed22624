package account_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"yiwang/core/notices"
	"yiwang/core/store"
	"yiwang/core/store/storetest"
	"yiwang/core/web/webtest"
	"yiwang/sso"
)

// TestSiteInbox: a notice to a signed-in person shows in the platform bar
// on every site and on their account page, linking to the site it came
// from; marking read clears the count; nobody else sees it.
func TestSiteInbox(t *testing.T) {
	e := webtest.NewSSOEnv(t, storetest.SQLite(t))
	ctx := context.Background()
	cit := e.Browser(t)
	cit.LoginDemo("citizen")
	acc, err := sso.EnsureAccount(ctx, e.DB, e.Prov.Issuer(), "demo-citizen", "", "", false, store.Now())
	webtest.Must(t, err)
	jyj, err := e.TS.ByCode(ctx, "jyj")
	webtest.Must(t, err)
	inbox := notices.NewStore(e.DB)
	webtest.Must(t, inbox.Add(ctx, &notices.Notice{AccountID: acc.ID, TenantID: jyj.ID, Subject: "您的信件已答复", Body: "信件 XX2026 已办结，请查看答复并评价。", Path: "mailbox/my/XX2026"}))

	if p := cit.Get(e.Portal + "/"); !strings.Contains(p.Body, "（1 条新消息）") {
		t.Error("the platform bar does not count the new notice")
	}
	p := cit.Get(e.Portal + "/account/")
	for _, want := range []string{"我的消息（1 条未读）", `<span class="notice-new">未读</span>`, "您的信件已答复", "思南县教育局",
		`href="` + e.JYJ + `/mailbox/my/XX2026"`} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("account page lacks %q\n%.3000s", want, p.Body)
		}
	}
	p = cit.Post(e.Portal+"/account/notices/read", url.Values{"csrf": {webtest.Field(webtest.CSRFRe, p.Body)}})
	if p.Status != http.StatusOK || strings.Contains(p.Body, "条未读") || strings.Contains(p.Body, "条新消息") || !strings.Contains(p.Body, "您的信件已答复") {
		t.Errorf("after marking read: %d\n%.2000s", p.Status, p.Body)
	}
	if h := cit.Once("POST", e.Portal+"/account/notices/read", nil); h.Status != http.StatusForbidden {
		t.Errorf("mark read without a CSRF token: %d, want 403", h.Status)
	}

	other := e.Browser(t)
	other.LoginDemo("editor")
	if p := other.Get(e.Portal + "/account/"); strings.Contains(p.Body, "您的信件已答复") || !strings.Contains(p.Body, "暂无消息") {
		t.Error("another person sees the citizen's notice")
	}
}
