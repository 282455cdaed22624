package audit

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/jmoiron/sqlx"

	"yiwang/core"
	"yiwang/core/store"
)

// Records stay in the database at least Retention (网络安全法 art. 21 asks
// six months); older ones may be archived: written out, chain hashes and
// all, then removed, with the archive recorded as the anchor the chain
// that stays is verified from. Nothing leaves the log any other way.
const Retention = 180 * 24 * time.Hour

// Archive is one archiving run as recorded in the database.
type Archive struct {
	ID       int64     `db:"id"`
	At       time.Time `db:"at"`
	FromSeq  int64     `db:"from_seq"`
	ToSeq    int64     `db:"to_seq"`
	LastHash string    `db:"last_hash"`
	Records  int       `db:"records"`
	File     string    `db:"file"`
	SHA256   string    `db:"sha256"`
	Actor    string    `db:"actor"`
}

// archivedRecord is a line of an archive file.
type archivedRecord struct {
	Seq        int64     `json:"seq"`
	ID         int64     `json:"id"`
	At         time.Time `json:"at"`
	Actor      string    `json:"actor"`
	Action     string    `json:"action"`
	TenantID   *int64    `json:"tenant_id"`
	Target     string    `json:"target"`
	Detail     string    `json:"detail"`
	RemoteAddr string    `json:"remote_addr"`
	Result     string    `json:"result"`
	Hash       string    `json:"hash"`
}

// Anchor is the newest archive, nil when nothing was archived.
func Anchor(ctx context.Context, x sqlx.QueryerContext) (*Archive, error) {
	var a Archive
	err := sqlx.GetContext(ctx, x, &a, `SELECT id, at, from_seq, to_seq, last_hash, records, file, sha256, actor FROM audit_archives
		ORDER BY to_seq DESC LIMIT 1`)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("audit archive anchor: %w", err)
	}
	return &a, nil
}

// ArchiveBefore writes every sealed record older than before, in chain
// order, to w as JSON lines (only the unbroken run from the last anchor:
// it stops at the first younger record), then removes them and records
// the archive, in one transaction, only after w took every line. A
// broken chain is not archived: its problems must be seen first. It
// returns nil when there is nothing to archive.
func ArchiveBefore(ctx context.Context, db *store.DB, before time.Time, w io.Writer, file, actor string, progress func(done, total int)) (*Archive, error) {
	if time.Since(before) < Retention {
		return nil, core.Errorf(core.EINVALID, "审计记录至少保留 %d 天：只能归档 %s 以前的记录", int(Retention.Hours()/24), time.Now().Add(-Retention).Format("2006-01-02"))
	}
	anchor, err := Anchor(ctx, db)
	if err != nil {
		return nil, err
	}
	prev, from := "", int64(1)
	if anchor != nil {
		prev, from = anchor.LastHash, anchor.ToSeq+1
	}
	var total int
	if err := db.GetContext(ctx, &total, `SELECT COUNT(*) FROM audit_log WHERE seal_seq >= ? AND at < ?`, from, before.UTC()); err != nil {
		return nil, fmt.Errorf("archive audit log: %w", err)
	}
	h := sha256.New()
	enc := json.NewEncoder(io.MultiWriter(w, h))
	a := &Archive{FromSeq: from, File: file, Actor: actor}
	want := from
	for done := false; !done; {
		var batch []sealed
		if err := db.SelectContext(ctx, &batch, `SELECT `+columns+` FROM audit_log WHERE seal_seq >= ? ORDER BY seal_seq LIMIT 2000`, want); err != nil {
			return nil, fmt.Errorf("archive audit log: %w", err)
		}
		if len(batch) == 0 {
			break
		}
		for _, r := range batch {
			if !r.At.Before(before) {
				done = true
				break
			}
			seq := r.Seq.Int64
			if seq != want || recordHash(prev, seq, r.Entry) != r.Hash {
				return nil, core.Errorf(core.ECONFLICT, "第 %d 条审计记录处哈希链不完整：先运行 yiwang audit verify 查明，再归档", want)
			}
			if err := enc.Encode(archivedRecord{Seq: seq, ID: r.ID, At: r.At.UTC(), Actor: r.Actor, Action: r.Action, TenantID: r.TenantID,
				Target: r.Target, Detail: r.Detail, RemoteAddr: r.RemoteAddr, Result: r.Result, Hash: r.Hash}); err != nil {
				return nil, fmt.Errorf("write audit archive: %w", err)
			}
			prev, want = r.Hash, seq+1
			a.Records++
		}
		if progress != nil {
			progress(a.Records, total)
		}
	}
	if a.Records == 0 {
		return nil, nil
	}
	a.ToSeq, a.LastHash, a.SHA256, a.At = want-1, prev, hex.EncodeToString(h.Sum(nil)), store.Now()
	// The file is on disk before a record leaves the table.
	if f, ok := w.(interface{ Sync() error }); ok {
		if err := f.Sync(); err != nil {
			return nil, fmt.Errorf("write audit archive: %w", err)
		}
	}
	err = db.Tx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO audit_archives (at, from_seq, to_seq, last_hash, records, file, sha256, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			a.At, a.FromSeq, a.ToSeq, a.LastHash, a.Records, a.File, a.SHA256, a.Actor)
		if err != nil {
			return fmt.Errorf("record audit archive: %w", err)
		}
		if a.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM audit_log WHERE seal_seq >= ? AND seal_seq <= ?`, a.FromSeq, a.ToSeq); err != nil {
			return fmt.Errorf("remove archived audit records: %w", err)
		}
		// The archiving itself is a record of the log that stays.
		return Write(ctx, tx, Entry{Actor: actor, Action: "audit.archive", Target: file,
			Detail: fmt.Sprintf("第 %d 至 %d 条，%d 条记录，SHA-256 %s", a.FromSeq, a.ToSeq, a.Records, a.SHA256)})
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// VerifyArchive checks an archive file against its record: its checksum,
// and its chain from the anchor before it to its own last hash.
func VerifyArchive(ctx context.Context, db *store.DB, a *Archive, r io.Reader) error {
	var prevHash string
	if a.FromSeq > 1 {
		if err := db.GetContext(ctx, &prevHash, `SELECT last_hash FROM audit_archives WHERE to_seq = ?`, a.FromSeq-1); err != nil {
			return fmt.Errorf("the archive before %d: %w", a.FromSeq, err)
		}
	}
	h := sha256.New()
	dec := json.NewDecoder(io.TeeReader(r, h))
	want, n := a.FromSeq, 0
	for dec.More() {
		var rec archivedRecord
		if err := dec.Decode(&rec); err != nil {
			return fmt.Errorf("归档文件第 %d 行无法读取：%w", n+1, err)
		}
		e := Entry{ID: rec.ID, At: rec.At, Actor: rec.Actor, Action: rec.Action, TenantID: rec.TenantID, Target: rec.Target,
			Detail: rec.Detail, RemoteAddr: rec.RemoteAddr, Result: rec.Result}
		if rec.Seq != want || recordHash(prevHash, rec.Seq, e) != rec.Hash {
			return fmt.Errorf("归档文件中第 %d 条记录与哈希链不符", want)
		}
		prevHash, want, n = rec.Hash, rec.Seq+1, n+1
	}
	_, _ = io.Copy(h, r)
	switch {
	case n != a.Records || want-1 != a.ToSeq || prevHash != a.LastHash:
		return fmt.Errorf("归档文件有 %d 条记录，与归档记录的 %d 条（第 %d 至 %d 条）不符", n, a.Records, a.FromSeq, a.ToSeq)
	case hex.EncodeToString(h.Sum(nil)) != a.SHA256:
		return errors.New("归档文件的 SHA-256 与归档记录不符")
	}
	return nil
}
