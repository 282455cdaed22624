package cli

import (
	"context"
	"fmt"
	"time"

	"yiwang/core/audit"
	"yiwang/core/monitor"
	"yiwang/core/web"
)

// The audit log's hash chain: serving processes seal new records every
// few seconds and verify the whole chain once a day, each by whichever
// process holds the job's lease; `yiwang audit verify` verifies on demand.
func init() {
	register("audit", "审计日志：verify（校验防篡改哈希链，显示进度，发现问题时逐条列出并以状态 1 退出）| seal（立即封存待封存的记录）", auditCmd)
	extendServe(serveExtension{name: "audit", start: func(ctx context.Context, e *env, p *platform, srv *web.Server) (func(), error) {
		jctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		done := make(chan struct{})
		holder := fmt.Sprintf("audit/%d", time.Now().UnixNano())
		go func() {
			defer close(done)
			t := time.NewTicker(5 * time.Second)
			defer t.Stop()
			verified := time.Time{}
			for {
				if held, err := monitor.TakeLease(jctx, p.db, "audit.seal", holder, time.Minute); err != nil && jctx.Err() == nil {
					e.log.Warn("audit: seal lease", "err", err)
				} else if held {
					for {
						n, err := audit.Seal(jctx, p.db, 500)
						if err != nil && jctx.Err() == nil {
							e.log.Warn("audit: seal", "err", err)
						}
						if err != nil || n < 500 {
							break
						}
					}
					if time.Since(verified) > 24*time.Hour {
						verified = time.Now()
						if rep, err := audit.Verify(jctx, p.db, nil); err == nil {
							if err := audit.RecordVerification(jctx, p.db, rep); err != nil {
								e.log.Warn("audit: verify", "err", err)
							}
							if len(rep.Problems) > 0 {
								e.log.Error("audit: the chain is broken", "problems", len(rep.Problems), "first", rep.Problems[0].Msg)
							}
						} else if jctx.Err() == nil {
							e.log.Warn("audit: verify", "err", err)
						}
					}
				}
				select {
				case <-jctx.Done():
					return
				case <-t.C:
				}
			}
		}()
		return func() { cancel(); <-done }, nil
	}})
}

func auditCmd(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || (args[0] != "verify" && args[0] != "seal") {
		return usageError{"用法：yiwang audit verify | seal"}
	}
	fs, sf := commandFlags(e, "audit "+args[0])
	if err := parseFlags(fs, interleave(fs, args[1:])); err != nil {
		return err
	}
	p, err := sf.open(ctx, e)
	if err != nil {
		return err
	}
	defer p.Close()
	if args[0] == "seal" {
		total := 0
		for {
			n, err := audit.Seal(ctx, p.db, 500)
			if err != nil {
				return err
			}
			total += n
			if n == 0 {
				break
			}
		}
		fmt.Fprintf(e.stdout, "封存 %d 条记录。\n", total)
		return nil
	}
	bar := newBar(e.stderr, "校验审计日志")
	rep, err := audit.Verify(ctx, p.db, bar.progress)
	bar.finish()
	if err != nil {
		return err
	}
	if err := audit.RecordVerification(ctx, p.db, rep); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "已封存 %d 条，待封存 %d 条。\n", rep.Sealed, rep.Unsealed)
	if len(rep.Problems) == 0 {
		fmt.Fprintln(e.stdout, "哈希链完整，没有发现修改、删除或插入的记录。")
		return nil
	}
	for _, p := range rep.Problems {
		fmt.Fprintln(e.stdout, p.Msg)
	}
	return fmt.Errorf("审计日志的哈希链有 %d 处问题", len(rep.Problems))
}
