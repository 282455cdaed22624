package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"yiwang/core/audit"
	"yiwang/core/monitor"
	"yiwang/core/web/host"
)

// The audit log's hash chain: serving processes seal new records every
// few seconds and verify the whole chain once a day, each by whichever
// process holds the job's lease; `yiwang audit verify` verifies on demand.
func init() {
	register("audit", "审计日志：verify（校验防篡改哈希链，显示进度，发现问题时逐条列出并以状态 1 退出）| seal（立即封存待封存的记录）", auditCmd)
	extendServe(serveExtension{name: "audit", start: func(ctx context.Context, e *env, p *platform, srv *host.Server) (func(), error) {
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
	if len(args) == 0 || (args[0] != "verify" && args[0] != "seal" && args[0] != "archive") {
		return usageError{"用法：yiwang audit verify | seal | archive [--days 365] 文件"}
	}
	fs, sf := commandFlags(e, "audit "+args[0])
	days := fs.Int("days", 365, "归档多少天以前的记录（至少 180）")
	if err := parseFlags(fs, interleave(fs, args[1:])); err != nil {
		return err
	}
	p, err := sf.open(ctx, e)
	if err != nil {
		return err
	}
	defer p.Close()
	if args[0] == "archive" {
		return auditArchive(ctx, e, p, fs.Args(), *days)
	}
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

// auditArchive writes the records older than days to a new file, then
// removes them from the table, the archive recorded as the chain's anchor.
func auditArchive(ctx context.Context, e *env, p *platform, args []string, days int) error {
	if len(args) != 1 {
		return usageError{"用法：yiwang audit archive [--days 365] 文件（文件为新建的归档文件）"}
	}
	name := args[0]
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return usageError{"归档文件 " + name + " 已存在或无法创建：请指定一个新文件"}
	}
	bar := newBar(e.stderr, "归档审计日志")
	abs, _ := filepath.Abs(name)
	a, err := audit.ArchiveBefore(ctx, p.db, time.Now().AddDate(0, 0, -days), f, abs, "cli:"+actor(), bar.progress)
	bar.finish()
	if cerr := f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil || a == nil {
		_ = os.Remove(name) // nothing left the table: the file is not an archive
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "没有 %d 天以前的已封存记录，无需归档。\n", days)
		return nil
	}
	fmt.Fprintf(e.stdout, "已归档第 %d 至 %d 条，共 %d 条记录到 %s（SHA-256 %s）；哈希链从这里接续校验。\n", a.FromSeq, a.ToSeq, a.Records, abs, a.SHA256)
	return nil
}
