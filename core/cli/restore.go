package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"yiwang/core/audit"
	"yiwang/core/store"
)

func init() {
	register("restore", "从 yiwang backup 的备份恢复到一个新的数据目录（逐个核对校验和，显示进度）：restore DIR --data 新目录", restoreCmd)
}

// restoreCmd puts a backup made by `yiwang backup` into a data folder
// that has no database yet: every file is checked against the manifest
// first, so a damaged backup restores nothing, and files are copied under
// temporary names and renamed only when all are in place, so an
// interrupted restore leaves no database a server would start on.
func restoreCmd(ctx context.Context, e *env, args []string) error {
	fs, sf := commandFlags(e, "restore")
	if err := parseFlags(fs, interleave(fs, args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"用法：yiwang restore DIR --data 新数据目录（DIR 为 yiwang backup 写出的备份目录）"}
	}
	dir := fs.Arg(0)
	if sf.dsn != "" && !strings.HasPrefix(sf.dsn, "sqlite:") {
		return usageError{"MySQL/MariaDB 请用数据库自己的工具恢复（deploy/mysql/restore.sh，用 mariadb 客户端），见 deploy/README.md 第 9 节"}
	}
	data := sf.data
	if _, err := os.Stat(filepath.Join(data, store.DefaultFile)); err == nil {
		return usageError{"数据目录 " + data + " 里已有数据库：恢复只写入新的数据目录，以免覆盖现有数据"}
	}
	files, err := readManifest(filepath.Join(dir, "MANIFEST.txt"))
	if err != nil {
		return err
	}
	start := time.Now()
	bar := newBar(e.stderr, "核对备份")
	for i, f := range files {
		sum, size, err := fileSum(filepath.Join(dir, filepath.FromSlash(f.name)))
		if err != nil {
			bar.finish()
			return fmt.Errorf("备份不完整：%s 无法读取（%v），没有恢复任何文件", f.name, err)
		}
		if sum != f.sum || size != f.size {
			bar.finish()
			return fmt.Errorf("备份已损坏：%s 的校验和或大小与 MANIFEST.txt 不符，没有恢复任何文件", f.name)
		}
		bar.progress(i+1, len(files))
	}
	bar.finish()
	// Copy under temporary names, then rename: the database last, so a
	// server never starts on a half-restored folder.
	bar = newBar(e.stderr, "恢复文件")
	var placed []string
	undo := func() {
		for _, p := range placed {
			_ = os.Remove(p)
		}
	}
	for i, f := range files {
		dst := filepath.Join(data, filepath.FromSlash(f.name))
		if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
			bar.finish()
			undo()
			return err
		}
		if _, err := os.Stat(dst); err == nil {
			bar.finish()
			undo()
			return fmt.Errorf("数据目录中已有 %s：恢复只写入新的数据目录", f.name)
		}
		tmp := dst + ".restoring"
		_ = os.Remove(tmp)
		if err := copyFile(filepath.Join(dir, filepath.FromSlash(f.name)), tmp); err != nil {
			bar.finish()
			undo()
			return fmt.Errorf("恢复 %s: %w", f.name, err)
		}
		placed = append(placed, tmp)
		bar.progress(i+1, len(files))
	}
	bar.finish()
	var db string
	for _, tmp := range placed {
		final := strings.TrimSuffix(tmp, ".restoring")
		if filepath.Base(final) == store.DefaultFile && filepath.Dir(final) == filepath.Clean(data) {
			db = tmp
			continue
		}
		if err := os.Rename(tmp, final); err != nil {
			undo()
			return err
		}
	}
	if db == "" {
		undo()
		return fmt.Errorf("备份中没有平台数据库 %s", store.DefaultFile)
	}
	if err := os.Rename(db, strings.TrimSuffix(db, ".restoring")); err != nil {
		return err
	}
	p, err := sf.open(ctx, e) // migrates a backup of an older release
	if err != nil {
		return err
	}
	defer p.Close()
	if err := audit.Write(ctx, p.db, audit.Entry{Actor: "cli:" + actor(), Action: "restore", Target: dir,
		Detail: fmt.Sprintf("%d files into %s", len(files), data)}); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "已从 %s 恢复 %d 个文件到 %s，用时 %v。\n", dir, len(files), data, time.Since(start).Round(time.Millisecond))
	if _, err := os.Stat(filepath.Join(data, "secret.key")); errors.Is(err, os.ErrNotExist) {
		fmt.Fprintln(e.stdout, "备份里没有动态验证码的加密密钥：把另行保存的 secret.key 放进数据目录（或设置 YIWANG_SECRET_KEY），否则工作人员须重新绑定动态验证码。")
	}
	fmt.Fprintln(e.stdout, "搜索索引不在备份里：启动服务后执行 yiwang search reindex 重建。")
	return nil
}

type manifestFile struct {
	sum  string
	size int64
	name string
}

// readManifest reads the file lines of a backup's MANIFEST.txt:
// "<sha256>  <size>  <name>".
func readManifest(path string) ([]manifestFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s 不是 yiwang backup 的备份目录：没有 MANIFEST.txt", filepath.Dir(path))
	}
	defer f.Close()
	var out []manifestFile
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		parts := strings.SplitN(sc.Text(), "  ", 3)
		if len(parts) != 3 || len(parts[0]) != 64 {
			continue // the header lines
		}
		size, err := strconv.ParseInt(parts[1], 10, 64)
		name := filepath.ToSlash(parts[2])
		if err != nil || name == "" || strings.HasPrefix(name, "/") || strings.Contains(name, "..") {
			return nil, fmt.Errorf("MANIFEST.txt 的一行无法识别：%q", sc.Text())
		}
		out = append(out, manifestFile{sum: parts[0], size: size, name: name})
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, errors.New("MANIFEST.txt 没有列出任何文件")
	}
	return out, nil
}
