package mailbox

import (
	"context"
	"fmt"
	"net/url"
	"sync"
	"testing"
	"time"

	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/sdktest"
)

// BenchmarkConcurrentSubmit submits 1,000 letters from 50 clients at once
// (each letter from its own user and address, so that the rate limit
// does not apply) and checks that every letter is stored exactly once.
//
//	go test ./plugins/mailbox -run '^$' -bench ConcurrentSubmit -benchtime 1x
func BenchmarkConcurrentSubmit(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchSubmit(b, func() string { return "" }) })
	b.Run("mysql", func(b *testing.B) { benchSubmit(b, func() string { return sdktest.MySQLDSN(b) }) })
}

// benchSubmit runs each iteration on a fresh database from dsn.
func benchSubmit(b *testing.B, dsn func() string) {
	const clients, letters = 50, 1000
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		o := options()
		o.DSN = dsn()
		h := sdktest.InProcess(b, Module, o)
		b.StartTimer()
		start := time.Now()
		var wg sync.WaitGroup
		errs := make(chan error, letters)
		for c := 0; c < clients; c++ {
			wg.Add(1)
			go func(c int) {
				defer wg.Done()
				for k := 0; k < letters/clients; k++ {
					u := &sdk.User{ID: int64(1000 + c*100 + k), Roles: []string{sdk.RoleCitizen}, Permissions: []string{PermWrite}}
					req := h.Wire(sdktest.Request{Tenant: portal, User: u, Path: "/mailbox/write", Form: url.Values{
						"box": {"county_head"}, "category": {"建议"}, "subject": {fmt.Sprintf("建议 %d-%d", c, k)},
						"content": {"关于改善公共服务的一条建议，内容足够长。"}}})
					// Each submission from its own address and user-hour:
					// the benchmark measures storage, not the limiter.
					req.RemoteAddr = fmt.Sprintf("10.0.%d.%d:1234", c, k)
					resp, err := h.Handle(context.Background(), req)
					if err == nil && resp.Status != 200 {
						err = fmt.Errorf("status %d: %s", resp.Status, sdktest.Decode(resp).Text())
					}
					if err != nil {
						errs <- err
						return
					}
				}
			}(c)
		}
		wg.Wait()
		elapsed := time.Since(start)
		close(errs)
		for err := range errs {
			b.Fatal(err)
		}
		b.StopTimer()
		var n, distinct int
		s := h.Server.Env().DB.Tenant(portal.ID)
		if err := s.Get(context.Background(), &n, `SELECT COUNT(*) FROM mailbox_letters WHERE tenant_id = :tenant_id`, nil); err != nil {
			b.Fatal(err)
		}
		if err := s.Get(context.Background(), &distinct, `SELECT COUNT(DISTINCT number) FROM mailbox_letters WHERE tenant_id = :tenant_id`, nil); err != nil {
			b.Fatal(err)
		}
		if n != letters || distinct != letters {
			b.Fatalf("stored %d letters, %d distinct numbers; want %d", n, distinct, letters)
		}
		b.ReportMetric(float64(letters)/elapsed.Seconds(), "letters/s")
		b.StartTimer()
	}
}
