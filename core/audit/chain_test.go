package audit_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"yiwang/core/audit"
	"yiwang/core/store"
	"yiwang/core/store/storetest"
)

// The chain on both databases: records written concurrently are sealed
// into one chain; verification passes; then a changed, a removed and an
// inserted record are each named.
func TestChain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var wg sync.WaitGroup
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 25; i++ {
					if err := audit.Write(ctx, db, audit.Entry{Actor: fmt.Sprintf("user:%d", w), Action: "article.save", Target: fmt.Sprint(i), Detail: "正文"}); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		// The sealer runs while they write.
		done := make(chan struct{})
		go func() {
			defer close(done)
			for i := 0; i < 50; i++ {
				if _, err := audit.Seal(ctx, db, 7); err != nil {
					t.Error(err)
					return
				}
			}
		}()
		wg.Wait()
		<-done
		for {
			n, err := audit.Seal(ctx, db, 500)
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				break
			}
		}
		var calls []int
		rep, err := audit.Verify(ctx, db, func(done, total int) { calls = append(calls, done) })
		if err != nil || len(rep.Problems) != 0 || rep.Sealed != 100 || rep.Unsealed != 0 || len(calls) == 0 {
			t.Fatalf("a clean chain: %+v %v", rep, err)
		}
		var ids []int64
		if err := db.Select(&ids, `SELECT id FROM audit_log ORDER BY seal_seq`); err != nil {
			t.Fatal(err)
		}
		// Tamper: change the 10th, remove the 50th, insert one unsealed an hour ago.
		if _, err := db.Exec(`UPDATE audit_log SET detail = '改过' WHERE id = ?`, ids[9]); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`DELETE FROM audit_log WHERE id = ?`, ids[49]); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`INSERT INTO audit_log (at, actor, action, target, detail) VALUES (?, 'user:9', 'account.login', '', '')`, store.Now().Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
		rep, err = audit.Verify(ctx, db, nil)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range rep.Problems {
			got = append(got, fmt.Sprintf("%s@%d", p.Kind, p.Seq))
		}
		if strings.Join(got, ",") != "changed@10,removed@50,unsealed@0" {
			t.Fatalf("problems %v: %+v", got, rep.Problems)
		}
	})
}
