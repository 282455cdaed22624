package content

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"yiwang/core/blob"
	"yiwang/core/store"
)

// Moving files between stores and sweeping a store: what runs over
// every tenant's objects at once, for the operator's command and the
// serving process's sweeper, never for a request.

// MoveReport is what a move did.
type MoveReport struct {
	Total, Copied, Skipped int
	Bytes                  int64
	Failed                 []string // "key: reason"
}

// MoveFiles copies every recorded file (attachments, so videos and
// posters too, and modules' files) from one store to another, each checked against the
// SHA-256 recorded at upload. A file already in the destination with
// its size and digest is skipped, so a move that was interrupted is run
// again and goes on where it stopped. Nothing is deleted from the
// source: the operator switches the server to the destination, and
// removes the folder when satisfied. progress gets the files done and
// the total.
func MoveFiles(ctx context.Context, db *store.DB, from, to blob.Store, progress func(done, total int, bytes int64)) (*MoveReport, error) {
	var rows []struct {
		Path   string `db:"path"`
		Size   int64  `db:"size"`
		SHA256 string `db:"sha256"`
		MIME   string `db:"mime"`
	}
	// Oldest first, so that a progress count means the same files in
	// every run.
	if err := db.SelectContext(ctx, &rows, `SELECT path, size, sha256, mime FROM (
		SELECT path, size, sha256, mime, created_at FROM attachments
		UNION ALL SELECT blob_key, size, sha256, content_type, created_at FROM module_files) f ORDER BY created_at, path`); err != nil {
		return nil, fmt.Errorf("move files: %w", err)
	}
	rep := &MoveReport{Total: len(rows)}
	for i, r := range rows {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		if st, err := to.Stat(ctx, r.Path); err == nil && st.Size == r.Size && (st.SHA256 == "" || strings.EqualFold(st.SHA256, r.SHA256)) {
			if st.SHA256 != "" || verify(ctx, to, r.Path, r.SHA256) == nil {
				rep.Skipped++
				if progress != nil {
					progress(i+1, len(rows), rep.Bytes)
				}
				continue
			}
		}
		if err := copyOne(ctx, from, to, r.Path, r.Size, r.SHA256, r.MIME); err != nil {
			rep.Failed = append(rep.Failed, r.Path+": "+err.Error())
		} else {
			rep.Copied++
			rep.Bytes += r.Size
		}
		if progress != nil {
			progress(i+1, len(rows), rep.Bytes)
		}
	}
	return rep, nil
}

func copyOne(ctx context.Context, from, to blob.Store, key string, size int64, sum, mime string) error {
	o, err := from.Open(ctx, key)
	if err != nil {
		return err
	}
	defer o.Close()
	_, err = to.Put(ctx, key, o, size, blob.PutOptions{ContentType: mime, SHA256: sum})
	if errors.Is(err, blob.ErrChecksum) {
		return fmt.Errorf("源文件与上传时记录的大小或校验和不符（可能已损坏），未复制")
	}
	return err
}

// verify reads an object through and compares its digest, for stores
// that do not keep one.
func verify(ctx context.Context, st blob.Store, key, sum string) error {
	o, err := st.Open(ctx, key)
	if err != nil {
		return err
	}
	defer o.Close()
	h := newHash()
	if _, err := io.Copy(h, o); err != nil {
		return err
	}
	if !strings.EqualFold(fmt.Sprintf("%x", h.Sum(nil)), sum) {
		return blob.ErrChecksum
	}
	return nil
}

// SweepReport is what a sweep removed.
type SweepReport struct {
	Objects  int
	Bytes    int64
	Sessions int
}

// Sweep removes what no record names: objects older than grace that no
// attachment row names and that are no chunk of an upload in progress,
// and uploads whose session has expired with their chunks. The grace
// spares an object written a moment ago whose row is committing.
func Sweep(ctx context.Context, db *store.DB, st blob.Store, grace time.Duration) (*SweepReport, error) {
	rep := &SweepReport{}
	now := store.Now()
	var expired []string
	if err := db.SelectContext(ctx, &expired, `SELECT token FROM upload_sessions WHERE expires_at <= ?`, now); err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	for _, tok := range expired {
		if _, err := db.ExecContext(ctx, `DELETE FROM upload_sessions WHERE token = ?`, tok); err != nil {
			return nil, fmt.Errorf("sweep: %w", err)
		}
		rep.Sessions++
	}
	named := map[string]bool{}
	var paths []string
	if err := db.SelectContext(ctx, &paths, `SELECT path FROM attachments`); err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	for _, p := range paths {
		named[p] = true
	}
	paths = nil
	if err := db.SelectContext(ctx, &paths, `SELECT blob_key FROM module_files`); err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	for _, p := range paths {
		named[p] = true
	}
	var live []string
	if err := db.SelectContext(ctx, &live, `SELECT token FROM upload_sessions`); err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	sessions := map[string]bool{}
	for _, t := range live {
		sessions[t] = true
	}
	var doomed []blob.Info
	err := st.List(ctx, "", func(in blob.Info) error {
		if named[in.Key] {
			return nil
		}
		if tok, ok := chunkSession(in.Key); ok && sessions[tok] {
			return nil
		}
		if now.Sub(in.Modified) < grace {
			return nil
		}
		doomed = append(doomed, in)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	for _, in := range doomed {
		// Read the rows again just before: a row committed since the
		// list keeps its object.
		var n int
		if err := db.GetContext(ctx, &n, `SELECT (SELECT COUNT(*) FROM attachments WHERE path = ?) + (SELECT COUNT(*) FROM module_files WHERE blob_key = ?)`, in.Key, in.Key); err != nil {
			return rep, fmt.Errorf("sweep: %w", err)
		}
		if n > 0 {
			continue
		}
		if err := st.Delete(ctx, in.Key); err != nil {
			return rep, err
		}
		rep.Objects++
		rep.Bytes += in.Size
	}
	return rep, nil
}

// chunkPrefix is where the chunks of uploads in progress live.
const chunkPrefix = "tmp/"

func chunkSession(key string) (string, bool) {
	rest, ok := strings.CutPrefix(key, chunkPrefix)
	if !ok {
		return "", false
	}
	tok, _, ok := strings.Cut(rest, "/")
	return tok, ok
}
