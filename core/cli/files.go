package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"yiwang/core/blob"
	"yiwang/core/content"
	"yiwang/core/modules"
	"yiwang/core/monitor"
	"yiwang/core/web/host"
	"yiwang/tenants"
)

// The file store: every uploaded file (attachments, videos, posters)
// is an object of one blob.Store, the folder DATA/uploads by default
// or an S3 bucket (--blob s3://…); `yiwang files move` copies the
// folder's files to a bucket, and the serving process sweeps away
// objects no record names.

func init() {
	register("files", "上传文件的存储：move（把本地目录中的文件复制到对象存储，校验和核对，可断点续传）| sweep（清除没有记录引用的文件）| usage（各站点存储用量）", filesCmd)
	extendServe(serveExtension{name: "files", start: filesSweeper})
}

// blobFlag is the --blob option: where files are stored.
func blobFlag(fs *flag.FlagSet, p *string) {
	fs.StringVar(p, "blob", os.Getenv("YIWANG_BLOB"),
		"文件存储：不填为本地目录 数据目录/uploads；local:DIR；或 s3://ACCESS@HOST:PORT/BUCKET[/PREFIX]?region=…&secure=false（密钥用环境变量 YIWANG_S3_SECRET）")
}

// openBlob opens the store spec names; "" is DATA/uploads.
func openBlob(ctx context.Context, spec, data string) (blob.Store, error) {
	switch {
	case spec == "" || spec == "local":
		return blob.NewLocal(filepath.Join(data, "uploads"))
	case strings.HasPrefix(spec, "local:"):
		return blob.NewLocal(strings.TrimPrefix(spec, "local:"))
	case strings.HasPrefix(spec, "s3://"):
		c, err := blob.ParseS3(spec)
		if err != nil {
			return nil, usageError{err.Error()}
		}
		if c.SecretKey == "" {
			c.SecretKey = os.Getenv("YIWANG_S3_SECRET")
		}
		if c.AccessKey == "" {
			c.AccessKey = os.Getenv("YIWANG_S3_ACCESS")
		}
		return blob.NewS3(ctx, c)
	}
	return nil, usageError{fmt.Sprintf("不认识的文件存储 %q：应为 local、local:DIR 或 s3://…", spec)}
}

func filesCmd(ctx context.Context, e *env, args []string) error {
	sub, rest, done, err := subcommand(e, "用法：yiwang files move --to s3://… [--from local] | sweep [--grace 1h] | usage", args)
	if done {
		return err
	}
	fs, sf := commandFlags(e, "files "+sub)
	var from, to string
	var grace time.Duration
	switch sub {
	case "move":
		fs.StringVar(&from, "from", "", "源存储（默认本地目录 数据目录/uploads）")
		fs.StringVar(&to, "to", os.Getenv("YIWANG_BLOB"), "目标存储，如 s3://ACCESS@HOST:PORT/BUCKET")
	case "sweep":
		blobFlag(fs, &from)
		fs.DurationVar(&grace, "grace", time.Hour, "只清除早于这段时间写入的文件")
	case "usage":
	default:
		return usageError{"未知子命令 " + sub + "：move、sweep 或 usage"}
	}
	p, err := sf.parseOpen(ctx, e, fs, rest)
	if err != nil {
		return err
	}
	defer p.Close()
	switch sub {
	case "move":
		if to == "" {
			return usageError{"请用 --to 指定目标存储"}
		}
		src, err := openBlob(ctx, from, sf.data)
		if err != nil {
			return err
		}
		dst, err := openBlob(ctx, to, sf.data)
		if err != nil {
			return err
		}
		if src.Name() == dst.Name() {
			return usageError{"源存储和目标存储相同"}
		}
		fmt.Fprintf(e.stdout, "从 %s 复制到 %s\n", src.Name(), dst.Name())
		b := newBar(e.stderr, "复制文件")
		last := time.Time{}
		rep, err := content.MoveFiles(ctx, p.db, src, dst, func(done, total int, bytes int64) {
			b.progress(done, total)
			if b.pb == nil && (time.Since(last) > 2*time.Second || done == total) {
				last = time.Now()
				fmt.Fprintf(e.stderr, "%d/%d 个文件，已复制 %s\n", done, total, content.FormatBytes(bytes))
			}
		})
		b.finish()
		if rep != nil {
			fmt.Fprintf(e.stdout, "共 %d 个文件：复制 %d 个（%s），已在目标存储中且校验和一致 %d 个，失败 %d 个\n",
				rep.Total, rep.Copied, content.FormatBytes(rep.Bytes), rep.Skipped, len(rep.Failed))
			for _, f := range rep.Failed {
				fmt.Fprintln(e.stdout, "  失败：", f)
			}
		}
		if err != nil {
			return fmt.Errorf("move interrupted (run it again to go on): %w", err)
		}
		if len(rep.Failed) > 0 {
			return fmt.Errorf("%d 个文件没有复制，见上", len(rep.Failed))
		}
		fmt.Fprintf(e.stdout, "完成。用 --blob %s 启动服务即改用新存储；确认无误后可删除原目录。\n", to)
		return nil
	case "sweep":
		st, err := openBlob(ctx, from, sf.data)
		if err != nil {
			return err
		}
		rep, err := content.Sweep(ctx, p.db, st, grace)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "清除了 %d 个没有记录引用的文件（%s）和 %d 个过期的上传\n", rep.Objects, content.FormatBytes(rep.Bytes), rep.Sessions)
		return nil
	}
	rows, err := content.NewDesk(p.content).Storage(ctx, content.Actor{Roles: []tenants.Role{tenants.PlatformAdmin}}, editorialOpts.quotaMB<<20)
	if err != nil {
		return err
	}
	for _, r := range rows {
		if r.Files == 0 && !r.QuotaSet {
			continue
		}
		fmt.Fprintf(e.stdout, "%-10s %-20s %6d 个文件 %10s / %-10s %3d%%\n", r.Code, r.Name, r.Files, content.FormatBytes(r.Bytes), content.FormatBytes(r.Quota), r.Percent())
	}
	return nil
}

// filesSweeper runs the sweep every hour in the process holding the
// lease, on the store serve uses.
func filesSweeper(ctx context.Context, e *env, p *platform, srv *host.Server) (func(), error) {
	st := editorialOpts.store
	if st == nil {
		return func() {}, nil
	}
	jctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	holder := fmt.Sprintf("files/%d", time.Now().UnixNano())
	go func() {
		defer close(done)
		t := time.NewTicker(time.Hour)
		defer t.Stop()
		for {
			select {
			case <-jctx.Done():
				return
			case <-t.C:
			}
			if held, err := monitor.TakeLease(jctx, p.db, "files.sweep", holder, 2*time.Hour); err != nil || !held {
				continue
			}
			rep, err := content.Sweep(jctx, p.db, st, 6*time.Hour)
			if err != nil && jctx.Err() == nil {
				e.log.Warn("files: sweep", "err", err)
			} else if rep != nil && (rep.Objects > 0 || rep.Sessions > 0) {
				e.log.Info("files: swept", "objects", rep.Objects, "bytes", rep.Bytes, "uploads", rep.Sessions)
			}
		}
	}()
	return func() { cancel(); <-done }, nil
}

// moduleFiles is the plugin host's store of modules' files: the store
// and quotas serve uses for core uploads. nil (modules keep their files
// in their own databases) when the editorial room has no store.
func moduleFiles(p *platform) modules.Files {
	o := &editorialOpts
	if o.store == nil {
		return nil
	}
	return &content.ModuleFiles{DB: p.db, Cfg: content.UploadConfig{Store: o.store, TenantQuota: o.quotaMB << 20}}
}
