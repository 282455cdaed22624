package web_test

import (
	"context"
	"strings"
	"testing"

	"yiwang/core/audit"
	"yiwang/core/store/storetest"
	"yiwang/core/web/webtest"
)

// The county console's audit page shows the chain: waiting records,
// then a passed verification, then a broken one with what it found.
func TestAuditChainOnTheConsole(t *testing.T) {
	e := webtest.NewSSOEnv(t, storetest.SQLite(t))
	ctx := context.Background()
	adm := e.Browser(t)
	adm.LoginDemo("admin")
	p := adm.Get(e.Portal + "/admin/county/audit")
	if !strings.Contains(p.Body, "防篡改校验") || !strings.Contains(p.Body, "待封存") || !strings.Contains(p.Body, "尚未校验过") {
		t.Fatalf("before sealing: %s", p.Body)
	}
	for {
		n, err := audit.Seal(ctx, e.DB, 500)
		webtest.Must(t, err)
		if n == 0 {
			break
		}
	}
	rep, err := audit.Verify(ctx, e.DB, nil)
	webtest.Must(t, err)
	webtest.Must(t, audit.RecordVerification(ctx, e.DB, rep))
	if p := adm.Get(e.Portal + "/admin/county/audit"); !strings.Contains(p.Body, "校验通过") {
		t.Fatalf("after a clean verification: %s", p.Body)
	}
	_, err = e.DB.Exec(`UPDATE audit_log SET detail = 'x' WHERE seal_seq = 1`)
	webtest.Must(t, err)
	rep, err = audit.Verify(ctx, e.DB, nil)
	webtest.Must(t, err)
	webtest.Must(t, audit.RecordVerification(ctx, e.DB, rep))
	if p := adm.Get(e.Portal + "/admin/county/audit"); !strings.Contains(p.Body, "校验发现 1 处问题") || !strings.Contains(p.Body, "第 1 条记录") {
		t.Fatalf("after a change: %s", p.Body)
	}
}
