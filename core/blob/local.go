package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Local keeps objects as files under a folder (DATA/uploads by default):
// the embedded default, and what uploads were before the store existed,
// so an existing folder is a store as it is.
type Local struct {
	Dir string
}

var _ Store = (*Local)(nil)

// NewLocal returns a store in dir, creating it.
func NewLocal(dir string) (*Local, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("blob local: %w", err)
	}
	return &Local{Dir: dir}, nil
}

func (l *Local) Name() string { return "local:" + l.Dir }

func (l *Local) path(key string) (string, error) {
	if err := CheckKey(key); err != nil {
		return "", err
	}
	return filepath.Join(l.Dir, filepath.FromSlash(key)), nil
}

// Put writes a temporary file beside the target and renames it into
// place after the size and digest check, so a reader never sees half a
// file and a refused one leaves nothing.
func (l *Local) Put(ctx context.Context, key string, r io.Reader, size int64, opts PutOptions) (Info, error) {
	p, err := l.path(key)
	if err != nil {
		return Info{}, err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
		return Info{}, fmt.Errorf("blob local put %s: %w", key, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".put-*")
	if err != nil {
		return Info{}, fmt.Errorf("blob local put %s: %w", key, err)
	}
	defer func() {
		tmp.Close()
		os.Remove(tmp.Name()) // a no-op after the rename
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(ctxReader{ctx, r}, size+1))
	if err != nil {
		return Info{}, fmt.Errorf("blob local put %s: %w", key, err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if n != size || (opts.SHA256 != "" && !strings.EqualFold(opts.SHA256, sum)) {
		return Info{}, fmt.Errorf("%w: %s: %d bytes, want %d", ErrChecksum, key, n, size)
	}
	if err := tmp.Sync(); err != nil {
		return Info{}, fmt.Errorf("blob local put %s: %w", key, err)
	}
	if err := tmp.Close(); err != nil {
		return Info{}, fmt.Errorf("blob local put %s: %w", key, err)
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		return Info{}, fmt.Errorf("blob local put %s: %w", key, err)
	}
	st, err := os.Stat(p)
	if err != nil {
		return Info{}, fmt.Errorf("blob local put %s: %w", key, err)
	}
	return Info{Key: key, Size: n, SHA256: sum, Modified: st.ModTime().UTC()}, nil
}

type localObject struct {
	*os.File
	info Info
}

func (o *localObject) Info() Info { return o.info }

func (l *Local) Open(ctx context.Context, key string) (Object, error) {
	p, err := l.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, key)
	}
	if err != nil {
		return nil, fmt.Errorf("blob local open %s: %w", key, err)
	}
	st, err := f.Stat()
	if err != nil || st.IsDir() {
		f.Close()
		return nil, fmt.Errorf("%w: %s", ErrNotFound, key)
	}
	return &localObject{f, Info{Key: key, Size: st.Size(), Modified: st.ModTime().UTC()}}, nil
}

func (l *Local) Stat(ctx context.Context, key string) (Info, error) {
	p, err := l.path(key)
	if err != nil {
		return Info{}, err
	}
	st, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && st.IsDir()) {
		return Info{}, fmt.Errorf("%w: %s", ErrNotFound, key)
	}
	if err != nil {
		return Info{}, fmt.Errorf("blob local stat %s: %w", key, err)
	}
	return Info{Key: key, Size: st.Size(), Modified: st.ModTime().UTC()}, nil
}

func (l *Local) Delete(ctx context.Context, key string) error {
	p, err := l.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("blob local delete %s: %w", key, err)
	}
	// Empty folders left behind (a finished upload's chunks) go too,
	// up to the store's root; a folder still holding files stays.
	for dir := filepath.Dir(p); dir != l.Dir && strings.HasPrefix(dir, l.Dir); dir = filepath.Dir(dir) {
		if os.Remove(dir) != nil {
			break
		}
	}
	return nil
}

// List walks the folder in key order; temporary files (a leading dot)
// are not objects.
func (l *Local) List(ctx context.Context, prefix string, fn func(Info) error) error {
	var infos []Info
	err := filepath.WalkDir(l.Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".") && p != l.Dir {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(l.Dir, p)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if !strings.HasPrefix(key, prefix) {
			return nil
		}
		st, err := d.Info()
		if err != nil {
			return nil // removed meanwhile
		}
		infos = append(infos, Info{Key: key, Size: st.Size(), Modified: st.ModTime().UTC()})
		return nil
	})
	if err != nil {
		return fmt.Errorf("blob local list: %w", err)
	}
	sort.Slice(infos, func(i, j int) bool { return infos[i].Key < infos[j].Key })
	for _, in := range infos {
		if err := fn(in); err != nil {
			return err
		}
	}
	return nil
}

func (l *Local) SignedURL(ctx context.Context, key string, ttl time.Duration, contentType, filename string) (string, error) {
	return "", ErrNoSignedURL
}

// ctxReader stops a long copy when its request is gone.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
