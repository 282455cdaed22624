package account_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"yiwang/core/store"
	"yiwang/core/store/storetest"
	"yiwang/core/web"
	"yiwang/core/web/webtest"
	"yiwang/plugins/sdk/calendar"
	"yiwang/sso"
)

// fakeCases answers the account page with a fixed list for one person.
type fakeCases struct {
	mu     sync.Mutex
	userID int64
	list   web.CaseList
}

func (f *fakeCases) Cases(_ context.Context, userID int64) (web.CaseList, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if userID != f.userID {
		return web.CaseList{}, nil
	}
	return f.list, nil
}

// The account page's 我的办件: each case with its kind, number linked on
// its tenant's site, state and deadline, 已超期 in words, and a note for a
// module that could not answer; nobody else sees the person's cases.
func TestAccountPageListsCases(t *testing.T) {
	e := webtest.NewSSOEnv(t, storetest.SQLite(t))
	ctx := context.Background()
	acc, err := sso.EnsureAccount(ctx, e.DB, e.Prov.Issuer(), "demo-citizen", "", "", false, store.Now())
	webtest.Must(t, err)
	jyj, err := e.TS.ByCode(ctx, "jyj")
	webtest.Must(t, err)
	src := &fakeCases{userID: acc.ID, list: web.CaseList{
		Cases: []web.Case{
			{TenantID: jyj.ID, Module: "disclosure", Kind: "依申请公开", Number: "YS20260001", Title: "招标文件", State: "办理中",
				Due: calendar.NewDate(2026, 3, 30), Overdue: true, Path: "disclosure/my/YS20260001"},
			{TenantID: jyj.ID, Module: "mailbox", Kind: "信件", Number: "XX2026", Title: "路灯", State: "已办结", Closed: true, Path: "mailbox/my/XX2026"},
		},
		Missing: []string{"领导信箱"},
	}}
	e.Srv.EnableCases(src)

	cit := e.Browser(t)
	cit.LoginDemo("citizen")
	p := cit.Get(e.Portal + "/account/")
	for _, want := range []string{`<h2 id="cases">我的办件</h2>`, "<caption>", `<th scope="col">办理期限</th>`,
		`<th scope="row"><a href="` + e.JYJ + `/disclosure/my/YS20260001">YS20260001</a></th>`, "依申请公开", "招标文件", "思南县教育局",
		"2026年3月30日 <strong class=\"overdue\">已超期</strong>", "已办结</td>\n        <td>—</td>",
		"领导信箱的办件暂时无法读取"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("account page lacks %q\n%.4000s", want, p.Body)
		}
	}
	if strings.Count(p.Body, "已超期") != 1 {
		t.Error("only the open overdue case is marked 已超期")
	}

	other := e.Browser(t)
	other.LoginDemo("editor")
	if p := other.Get(e.Portal + "/account/"); strings.Contains(p.Body, "YS20260001") || !strings.Contains(p.Body, "暂无办件") {
		t.Errorf("another person's account page:\n%.3000s", p.Body)
	}
}
