package audit

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"
	"yiwang/core/store"
)

// The chain is sealed after the fact by one sealer (a lease keeps it to
// one process), in the order it finds records, so that writing a record
// never waits on the chain and concurrent writers never fork it.

// sealed is a record with its place in the chain.
type sealed struct {
	Entry
	Seq  sql.NullInt64 `db:"seal_seq"`
	Hash string        `db:"hash"`
}

// recordHash is the hash of a record after the hash before it.
func recordHash(prev string, seq int64, e Entry) string {
	tenant := ""
	if e.TenantID != nil {
		tenant = strconv.FormatInt(*e.TenantID, 10)
	}
	h := sha256.New()
	for _, f := range []string{prev, strconv.FormatInt(seq, 10), strconv.FormatInt(e.ID, 10), e.At.UTC().Format(time.RFC3339Nano),
		e.Actor, e.Action, tenant, e.Target, e.Detail, e.RemoteAddr, e.Result} {
		h.Write([]byte(strconv.Itoa(len(f))))
		h.Write([]byte{':'})
		h.Write([]byte(f))
	}
	return hex.EncodeToString(h.Sum(nil))
}

const columns = `id, at, actor, action, tenant_id, target, detail, remote_addr, result, seal_seq, hash`

// Seal chains up to n unsealed records and returns how many it sealed.
func Seal(ctx context.Context, db *store.DB, n int) (int, error) {
	sealedN := 0
	err := db.Tx(ctx, func(tx *sqlx.Tx) error {
		var last sealed
		err := tx.GetContext(ctx, &last, `SELECT `+columns+` FROM audit_log WHERE seal_seq = (SELECT MAX(seal_seq) FROM audit_log)`)
		prev, seq := "", int64(0)
		switch {
		case err == nil:
			prev, seq = last.Hash, last.Seq.Int64
		case !errors.Is(err, sql.ErrNoRows):
			return err
		default:
			// Every sealed record was archived: the chain goes on from the
			// archive's last hash.
			anchor, err := Anchor(ctx, tx)
			if err != nil {
				return err
			}
			if anchor != nil {
				prev, seq = anchor.LastHash, anchor.ToSeq
			}
		}
		var todo []sealed
		if err := tx.SelectContext(ctx, &todo, `SELECT `+columns+` FROM audit_log WHERE seal_seq IS NULL ORDER BY id LIMIT ?`, n); err != nil {
			return err
		}
		for _, r := range todo {
			seq++
			h := recordHash(prev, seq, r.Entry)
			if _, err := tx.ExecContext(ctx, `UPDATE audit_log SET seal_seq = ?, hash = ? WHERE id = ? AND seal_seq IS NULL`, seq, h, r.ID); err != nil {
				return err
			}
			prev = h
			sealedN++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("seal audit log: %w", err)
	}
	return sealedN, nil
}

// Problem is a break in the chain, where it is.
type Problem struct {
	Seq  int64 // the chain's number, 0 for an unsealed record
	ID   int64
	Kind string // changed, removed, inserted, unsealed
	Msg  string
}

// Report is what a verification found.
type Report struct {
	Sealed, Unsealed int
	Problems         []Problem
	LastHash         string
}

// unsealedGrace is how long a record may wait for its seal before the
// verification names it: one older was inserted behind the sealer's back
// or the sealer is not running.
const unsealedGrace = 10 * time.Minute

// Verify walks the whole chain in order and names every break; progress
// is told the records checked so far and the total.
func Verify(ctx context.Context, db *store.DB, progress func(done, total int)) (*Report, error) {
	var total int
	if err := db.GetContext(ctx, &total, `SELECT COUNT(*) FROM audit_log WHERE seal_seq IS NOT NULL`); err != nil {
		return nil, fmt.Errorf("verify audit log: %w", err)
	}
	rep := &Report{}
	prev, want := "", int64(1)
	after := int64(0)
	// Archived records left the table; the chain goes on from the last
	// archive's hash.
	anchor, err := Anchor(ctx, db)
	if err != nil {
		return nil, err
	}
	if anchor != nil {
		prev, want, after = anchor.LastHash, anchor.ToSeq+1, anchor.ToSeq
	}
	for {
		var batch []sealed
		if err := db.SelectContext(ctx, &batch, `SELECT `+columns+` FROM audit_log WHERE seal_seq > ? ORDER BY seal_seq LIMIT 2000`, after); err != nil {
			return nil, fmt.Errorf("verify audit log: %w", err)
		}
		if len(batch) == 0 {
			break
		}
		for _, r := range batch {
			seq := r.Seq.Int64
			switch {
			case seq != want:
				// The record after a gap was hashed after the removed one,
				// which is gone: the gap is the finding.
				rep.Problems = append(rep.Problems, Problem{Seq: want, ID: r.ID, Kind: "removed",
					Msg: fmt.Sprintf("第 %d 至 %d 条记录被删除（其后是第 %d 条，记录号 %d）", want, seq-1, seq, r.ID)})
			case recordHash(prev, seq, r.Entry) != r.Hash:
				rep.Problems = append(rep.Problems, Problem{Seq: seq, ID: r.ID, Kind: "changed",
					Msg: fmt.Sprintf("第 %d 条记录（记录号 %d，%s %s）与封存时不一致：被修改过", seq, r.ID, r.At.In(time.Local).Format("2006-01-02 15:04:05"), r.Action)})
			}
			prev, want, after = r.Hash, seq+1, seq
			rep.Sealed++
		}
		if progress != nil {
			progress(rep.Sealed, total)
		}
	}
	rep.LastHash = prev
	var late []sealed
	if err := db.SelectContext(ctx, &late, `SELECT `+columns+` FROM audit_log WHERE seal_seq IS NULL ORDER BY id`); err != nil {
		return nil, fmt.Errorf("verify audit log: %w", err)
	}
	rep.Unsealed = len(late)
	for _, r := range late {
		if time.Since(r.At) > unsealedGrace {
			rep.Problems = append(rep.Problems, Problem{ID: r.ID, Kind: "unsealed",
				Msg: fmt.Sprintf("记录号 %d（%s %s）超过 %d 分钟未封存：可能是绕过平台插入的记录，或封存任务没有运行", r.ID, r.At.In(time.Local).Format("2006-01-02 15:04:05"), r.Action, int(unsealedGrace.Minutes()))})
		}
	}
	return rep, nil
}

// Verification is a verification as the console shows it.
type Verification struct {
	At       time.Time `db:"at"`
	Sealed   int64     `db:"sealed"`
	Unsealed int64     `db:"unsealed"`
	Problems int       `db:"problems"`
	Detail   string    `db:"detail"`
}

// RecordVerification keeps what a verification found.
func RecordVerification(ctx context.Context, db *store.DB, rep *Report) error {
	var lines []string
	for i, p := range rep.Problems {
		if i == 50 {
			lines = append(lines, fmt.Sprintf("另有 %d 处", len(rep.Problems)-50))
			break
		}
		lines = append(lines, p.Msg)
	}
	_, err := db.ExecContext(ctx, `INSERT INTO audit_verifications (at, sealed, unsealed, problems, detail) VALUES (?, ?, ?, ?, ?)`,
		store.Now(), rep.Sealed, rep.Unsealed, len(rep.Problems), joinLines(lines))
	if err != nil {
		return fmt.Errorf("record audit verification: %w", err)
	}
	return nil
}

func joinLines(ls []string) string {
	out := ""
	for i, l := range ls {
		if i > 0 {
			out += "\n"
		}
		out += l
	}
	return out
}

// ChainState is the chain as the console shows it: the last
// verification (nil before any) and the records waiting for their seal.
type ChainState struct {
	Last           *Verification
	Unsealed       int
	OldestUnsealed *time.Time
}

// State reads the chain's state.
func State(ctx context.Context, db *store.DB) (*ChainState, error) {
	st := &ChainState{}
	var v Verification
	err := db.GetContext(ctx, &v, `SELECT at, sealed, unsealed, problems, detail FROM audit_verifications ORDER BY id DESC LIMIT 1`)
	switch {
	case err == nil:
		st.Last = &v
	case !errors.Is(err, sql.ErrNoRows):
		return nil, fmt.Errorf("audit chain state: %w", err)
	}
	var rows []struct {
		At time.Time `db:"at"`
	}
	if err := db.SelectContext(ctx, &rows, `SELECT at FROM audit_log WHERE seal_seq IS NULL ORDER BY id LIMIT 1`); err != nil {
		return nil, fmt.Errorf("audit chain state: %w", err)
	}
	if err := db.GetContext(ctx, &st.Unsealed, `SELECT COUNT(*) FROM audit_log WHERE seal_seq IS NULL`); err != nil {
		return nil, fmt.Errorf("audit chain state: %w", err)
	}
	if len(rows) > 0 {
		st.OldestUnsealed = &rows[0].At
	}
	return st, nil
}
