package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"yiwang/core/audit"
	"yiwang/core/store"
)

func init() {
	register("backup", "备份 SQLite 数据库（平台库和各模块库，服务运行时也可执行，显示进度）：backup DIR [--with-key]", backupCmd)
}

// backupCmd copies the platform's SQLite database and every module's into
// a new directory, consistently even beside a running server, with a
// progress bar, and writes a manifest with each file's size and SHA-256.
// The search index is left out (`yiwang search reindex` rebuilds it), and
// the key that seals second factors only with --with-key: it belongs apart
// from the database copies. MySQL is backed up with the server's tools.
func backupCmd(ctx context.Context, e *env, args []string) error {
	fs, sf := commandFlags(e, "backup")
	withKey := fs.Bool("with-key", false, "同时复制动态验证码的加密密钥 secret.key（默认不复制：密钥应与数据库备份分开保存）")
	if err := parseFlags(fs, interleave(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"用法：yiwang backup DIR [--with-key]（DIR 为新建的备份目录）"}
	}
	dir := fs.Arg(0)
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return usageError{"备份目录 " + dir + " 已存在且不为空：请指定一个新目录，以免覆盖以前的备份"}
	}
	p, err := sf.open(ctx, e)
	if err != nil {
		return err
	}
	defer p.Close()
	if p.db.Dialect != store.SQLite {
		return usageError{"MySQL/MariaDB 请用数据库自己的工具备份平台库和各模块库（deploy/mysql/backup.sh，用 mariadb-dump），见 deploy/README.md 第 9 节"}
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	data := sf.data
	start := time.Now()
	var files []string
	copyDB := func(db *store.DB, name string) error {
		bar := newBar(e.stderr, "备份 "+name)
		defer bar.finish()
		dst := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
			return err
		}
		if err := db.Backup(ctx, dst, bar.progress); err != nil {
			return err
		}
		files = append(files, name)
		return nil
	}
	if err := copyDB(p.db, store.DefaultFile); err != nil {
		return err
	}
	// Module databases live beside the platform's (modules.ModuleDSN).
	modDir := filepath.Join(data, "modules")
	if strings.HasPrefix(sf.dsn, "sqlite:") {
		modDir = filepath.Join(filepath.Dir(strings.TrimPrefix(strings.TrimPrefix(sf.dsn, "sqlite://"), "sqlite:")), "modules")
	}
	mods, _ := filepath.Glob(filepath.Join(modDir, "*.db"))
	sort.Strings(mods)
	for _, m := range mods {
		mdb, err := store.Open(ctx, "sqlite:"+m, "")
		if err != nil {
			return err
		}
		err = copyDB(mdb, filepath.Join("modules", filepath.Base(m)))
		mdb.Close()
		if err != nil {
			return err
		}
	}
	// The uploaded files of the local file store (the default): a restore
	// without them would have pages naming files that are not there. A
	// bucket is backed up by its own means.
	uploads := filepath.Join(data, "uploads")
	if n, err := copyTree(uploads, filepath.Join(dir, "uploads"), e, "备份 uploads"); err != nil {
		return fmt.Errorf("copy %s: %w", uploads, err)
	} else if n > 0 {
		_ = filepath.WalkDir(filepath.Join(dir, "uploads"), func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				rel, _ := filepath.Rel(dir, p)
				files = append(files, filepath.ToSlash(rel))
			}
			return nil
		})
	}
	if *withKey {
		key := filepath.Join(data, "secret.key")
		if err := copyFile(key, filepath.Join(dir, "secret.key")); err != nil {
			return fmt.Errorf("copy %s: %w", key, err)
		}
		files = append(files, "secret.key")
	}
	version, err := p.db.Version(ctx)
	if err != nil {
		return err
	}
	var m strings.Builder
	fmt.Fprintf(&m, "yiwang backup\ncreated %s\nschema version %d\nsource %s\n\n", time.Now().Format(time.RFC3339), version, p.db.Name)
	for _, f := range files {
		sum, size, err := fileSum(filepath.Join(dir, f))
		if err != nil {
			return err
		}
		fmt.Fprintf(&m, "%s  %d  %s\n", sum, size, f)
	}
	if err := os.WriteFile(filepath.Join(dir, "MANIFEST.txt"), []byte(m.String()), 0o640); err != nil {
		return err
	}
	if err := audit.Write(ctx, p.db, audit.Entry{Actor: "cli:" + actor(), Action: "backup", Target: dir,
		Detail: fmt.Sprintf("%d files, schema version %d", len(files), version)}); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "已备份 %d 个文件到 %s，用时 %v（清单见 MANIFEST.txt）。\n", len(files), dir, time.Since(start).Round(time.Millisecond))
	if !*withKey {
		fmt.Fprintf(e.stdout, "动态验证码的加密密钥 %s 没有放进备份：请另行妥善保存（或加 --with-key）。\n", filepath.Join(data, "secret.key"))
	}
	fmt.Fprintln(e.stdout, "搜索索引不需要备份：恢复后执行 yiwang search reindex 重建。")
	return nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func fileSum(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, errors.Join(fmt.Errorf("checksum %s", path), err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// copyTree copies every file under from to the same place under to, with
// a progress bar, and returns how many; a missing from copies nothing.
func copyTree(from, to string, e *env, desc string) (int, error) {
	var paths []string
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && d.Type().IsRegular() {
			paths = append(paths, p)
		}
		return nil
	})
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil || len(paths) == 0 {
		return 0, err
	}
	bar := newBar(e.stderr, desc)
	defer bar.finish()
	for i, p := range paths {
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
			return i, err
		}
		if err := copyFile(p, dst); err != nil {
			return i, err
		}
		bar.progress(i+1, len(paths))
	}
	return len(paths), nil
}
