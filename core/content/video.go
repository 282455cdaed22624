package content

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"yiwang/core"
	"yiwang/core/audit"
	"yiwang/core/blob"
	"yiwang/core/search/outbox"
	"yiwang/core/store"
)

// Video news (电视新闻). A video is uploaded in chunks (a county's TV
// news runs to hundreds of megabytes, over connections that drop): the
// browser starts an upload session with the file's name, size and first
// bytes, sends chunks in order, each stored as an object of its own
// under tmp/<session>/ in the blob store (so any replica takes the next
// chunk, and a chunk cut off mid-way is simply not stored), asks where
// to go on after a drop, and finishes. Finishing joins the chunks into
// one file, checks it is an MP4 by its ftyp box, asks ffprobe and ffmpeg
// (when the server has them) for duration, size and a poster frame, and
// stores the video and poster as attachments with a videos row.

// Upload limits for video.
const (
	ChunkSize       = 8 << 20 // a chunk lost to a drop costs at most this much again
	DefaultMaxVideo = 4 << 30
	headSize        = 64 << 10 // the first bytes that identify a file on resume
	sessionLife     = 24 * time.Hour
)

// UploadSession is a chunked upload in progress.
type UploadSession struct {
	ID         int64     `db:"id" json:"-"`
	TenantID   int64     `db:"tenant_id" json:"-"`
	Token      string    `db:"token" json:"token"`
	Name       string    `db:"name" json:"name"`
	Size       int64     `db:"size" json:"size"`
	ChunkSize  int64     `db:"chunk_size" json:"chunk_size"`
	Received   int64     `db:"received" json:"received"`
	HeadSHA256 string    `db:"head_sha256" json:"-"`
	CreatedBy  int64     `db:"created_by" json:"-"`
	CreatedAt  time.Time `db:"created_at" json:"-"`
	ExpiresAt  time.Time `db:"expires_at" json:"-"`
}

const sessionCols = `id, tenant_id, token, name, size, chunk_size, received, head_sha256, created_by, created_at, expires_at`

func headSum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// StartVideoUpload opens a session for a file of size bytes whose first
// bytes are head (up to 64 KiB; the whole file when it is smaller). The
// type is checked on head already, so a file renamed to .mp4 is refused
// before a byte of it is sent, and the quota counts the whole size from
// now on.
func (d *Desk) StartVideoUpload(ctx context.Context, a Actor, cfg UploadConfig, name string, size int64, head []byte) (*UploadSession, error) {
	if err := a.need(PermUpload); err != nil {
		return nil, err
	}
	if cfg.Store == nil {
		return nil, core.Errorf(core.EUNAVAIL, "文件存储未配置")
	}
	max := cfg.MaxVideo
	if max <= 0 {
		max = DefaultMaxVideo
	}
	switch {
	case size <= 0:
		return nil, core.Errorf(core.EINVALID, "文件是空的")
	case size > max:
		return nil, core.Errorf(core.EINVALID, "视频超过 %s 的大小限制", FormatBytes(max))
	case int64(len(head)) != min(size, headSize):
		return nil, core.Errorf(core.EINVALID, "上传请求不完整，请重新选择文件")
	case !IsMP4(head):
		return nil, core.Errorf(core.EINVALID, "这不是 MP4 视频：文件类型按内容检查，改扩展名无效；请先转换为 MP4（H.264）格式")
	}
	var tok [16]byte
	if _, err := rand.Read(tok[:]); err != nil {
		return nil, err
	}
	now := store.Now()
	s := &UploadSession{TenantID: a.TenantID, Token: hex.EncodeToString(tok[:]), Name: cleanName(name), Size: size,
		ChunkSize: ChunkSize, HeadSHA256: headSum(head), CreatedBy: a.UserID, CreatedAt: now, ExpiresAt: now.Add(sessionLife)}
	err := d.db.Tx(ctx, func(tx *sqlx.Tx) error {
		if err := checkQuotaExcept(ctx, tx, a.TenantID, cfg, size, 0); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO upload_sessions (tenant_id, token, name, size, chunk_size, received, head_sha256, created_by, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?)`, s.TenantID, s.Token, s.Name, s.Size, s.ChunkSize, s.HeadSHA256, s.CreatedBy, s.CreatedAt, s.ExpiresAt)
		if err != nil {
			return fmt.Errorf("start upload: %w", err)
		}
		s.ID, err = res.LastInsertId()
		return err
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// session reads the actor's own session: another tenant's token, or
// another person's, is not found.
func (d *Desk) session(ctx context.Context, a Actor, token string) (*UploadSession, error) {
	var s UploadSession
	err := d.db.GetContext(ctx, &s, `SELECT `+sessionCols+` FROM upload_sessions
		WHERE tenant_id = ? AND token = ? AND created_by = ? AND expires_at > ?`, a.TenantID, token, a.UserID, store.Now())
	if errors.Is(err, sql.ErrNoRows) {
		return nil, core.Errorf(core.ENOTFOUND, "没有找到这次上传（可能已超过 24 小时失效），请重新上传")
	}
	if err != nil {
		return nil, fmt.Errorf("upload session: %w", err)
	}
	return &s, nil
}

// ResumeVideoUpload answers where an interrupted upload goes on, after
// checking that head, the first bytes of the file the person chose
// again, are those of the file the upload began with.
func (d *Desk) ResumeVideoUpload(ctx context.Context, a Actor, token, name string, size int64, head []byte) (*UploadSession, error) {
	if err := a.need(PermUpload); err != nil {
		return nil, err
	}
	s, err := d.session(ctx, a, token)
	if err != nil {
		return nil, err
	}
	if size != s.Size || int64(len(head)) != min(s.Size, headSize) || headSum(head) != s.HeadSHA256 {
		return nil, core.Errorf(core.ECONFLICT, "所选文件与中断的上传“%s”不是同一个文件，不能续传；请选择原来的文件，或重新开始上传", s.Name)
	}
	return s, nil
}

// PutChunk stores the chunk of n bytes at offset. Chunks come in order:
// offset must be what the server has, and each but the last is a whole
// chunk. A chunk cut off by a dropped connection is not stored, and the
// browser, asking again, goes on from the last whole chunk.
func (d *Desk) PutChunk(ctx context.Context, a Actor, cfg UploadConfig, token string, offset, n int64, r io.Reader) (*UploadSession, error) {
	if err := a.need(PermUpload); err != nil {
		return nil, err
	}
	s, err := d.session(ctx, a, token)
	if err != nil {
		return nil, err
	}
	if offset != s.Received {
		return s, core.Errorf(core.ECONFLICT, "分片顺序不对：服务器已收到前 %d 字节，应从这里继续上传（收到的是从第 %d 字节开始的分片）", s.Received, offset)
	}
	if want := min(s.ChunkSize, s.Size-offset); n != want {
		return s, core.Errorf(core.EINVALID, "分片大小不对：应为 %d 字节，收到 %d 字节", want, n)
	}
	var first []byte
	if offset == 0 {
		// The first chunk must begin with the head the session was
		// opened with: a session is one file.
		first = make([]byte, min(s.Size, headSize))
		if _, err := io.ReadFull(r, first); err != nil {
			return s, core.Errorf(core.EINVALID, "分片没有传完整，请重试")
		}
		if headSum(first) != s.HeadSHA256 {
			return s, core.Errorf(core.ECONFLICT, "分片与开始上传时的文件不是同一个文件，不能续传；请重新开始上传")
		}
		r = io.MultiReader(strings.NewReader(string(first)), r)
	}
	key := chunkKey(s.Token, offset)
	if _, err := cfg.Store.Put(ctx, key, r, n, blob.PutOptions{ContentType: "application/octet-stream"}); err != nil {
		if errors.Is(err, blob.ErrChecksum) {
			return s, core.Errorf(core.EINVALID, "分片没有传完整（连接中断？），请从第 %d 字节重试", s.Received)
		}
		return s, storeFailed("put chunk", err)
	}
	res, err := d.db.ExecContext(ctx, `UPDATE upload_sessions SET received = received + ?, expires_at = ?
		WHERE id = ? AND received = ?`, n, store.Now().Add(sessionLife), s.ID, offset)
	if err != nil {
		return s, storeFailed("put chunk", err)
	}
	if k, _ := res.RowsAffected(); k != 1 {
		// The same chunk twice at once: the other request stored it.
		s, _ = d.session(ctx, a, token)
		return s, core.Errorf(core.ECONFLICT, "这个分片已经收到，请从第 %d 字节继续", s.Received)
	}
	s.Received += n
	return s, nil
}

func chunkKey(token string, offset int64) string {
	return fmt.Sprintf("%s%s/%016d", chunkPrefix, token, offset)
}

// Video is a stored video with its metadata.
type Video struct {
	ID          int64          `db:"id"`
	TenantID    int64          `db:"tenant_id"`
	Title       string         `db:"title"`
	Description string         `db:"description"`
	Transcript  string         `db:"transcript"`
	DurationMS  int64          `db:"duration_ms"`
	Width       int            `db:"width"`
	Height      int            `db:"height"`
	ColumnID    sql.NullInt64  `db:"column_id"`
	Published   bool           `db:"published"`
	CreatedBy   int64          `db:"created_by"`
	CreatedAt   time.Time      `db:"created_at"`
	UpdatedAt   time.Time      `db:"updated_at"`
	File        Attachment     `db:"f"`
	PosterToken sql.NullString `db:"poster_token"`
	PosterName  sql.NullString `db:"poster_name"`
	ColumnName  string         `db:"column_name"`
}

// SearchBody is the text a search finds the video by.
func (v *Video) SearchBody() string { return strings.TrimSpace(v.Description + "\n" + v.Transcript) }

// URL is the video file's path under the site; PosterURL the poster's,
// or "".
func (v *Video) URL() string { return v.File.URL() }
func (v *Video) PosterURL() string {
	if !v.PosterToken.Valid {
		return ""
	}
	return "files/" + v.PosterToken.String + "/" + v.PosterName.String
}

// Duration is the length as 分:秒 (or 时:分:秒); "" when unknown.
func (v *Video) Duration() string {
	if v.DurationMS <= 0 {
		return ""
	}
	s := v.DurationMS / 1000
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// VideoInput is what people write about a video.
type VideoInput struct {
	Title, Description, Transcript string
	ColumnID                       int64 // a 电视新闻 (video) column of the tenant, or 0
}

func (in *VideoInput) check() error {
	in.Title = strings.TrimSpace(in.Title)
	in.Description = strings.TrimSpace(in.Description)
	in.Transcript = strings.TrimSpace(in.Transcript)
	switch {
	case in.Title == "":
		return core.Errorf(core.EINVALID, "请填写视频标题")
	case utf8.RuneCountInString(in.Title) > 200:
		return core.Errorf(core.EINVALID, "标题不超过 200 字")
	case utf8.RuneCountInString(in.Description) > 1000:
		return core.Errorf(core.EINVALID, "简介不超过 1000 字")
	case len(in.Transcript) > 200_000:
		return core.Errorf(core.EINVALID, "文字稿过长")
	}
	return nil
}

// FinishVideoUpload joins the chunks, checks and probes the video, and
// stores it with its poster. The session and its chunks go in any case
// but a failure of the store itself (then the person may try again).
func (d *Desk) FinishVideoUpload(ctx context.Context, a Actor, cfg UploadConfig, token string, in VideoInput) (*Video, error) {
	if err := a.need(PermUpload); err != nil {
		return nil, err
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	if err := d.checkVideoColumn(ctx, a.TenantID, in.ColumnID); err != nil {
		return nil, err
	}
	s, err := d.session(ctx, a, token)
	if err != nil {
		return nil, err
	}
	if s.Received != s.Size {
		return nil, core.Errorf(core.EINVALID, "视频还没有传完（%s / %s）", FormatBytes(s.Received), FormatBytes(s.Size))
	}
	// Claim the session: a second finish (a double click, another
	// replica) finds it taken. A failure the person can retry gives it
	// back; a file that is refused ends it with its chunks.
	res, err := d.db.ExecContext(ctx, `UPDATE upload_sessions SET received = -1 WHERE id = ? AND received = size`, s.ID)
	if err != nil {
		return nil, fmt.Errorf("finish upload: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil, core.Errorf(core.ECONFLICT, "这个视频正在保存，请稍候刷新页面查看")
	}
	done := false
	defer func() {
		if !done {
			d.db.ExecContext(context.WithoutCancel(ctx), `UPDATE upload_sessions SET received = size WHERE id = ?`, s.ID)
		}
	}()
	dropSession := func() {
		done = true
		c := context.WithoutCancel(ctx)
		for off := int64(0); off < s.Size; off += s.ChunkSize {
			cfg.Store.Delete(c, chunkKey(s.Token, off))
		}
		d.db.ExecContext(c, `DELETE FROM upload_sessions WHERE id = ?`, s.ID)
	}
	tmp, err := os.CreateTemp(cfg.TempDir, ".video-*")
	if err != nil {
		return nil, storeFailed("finish upload", err)
	}
	defer func() {
		tmp.Close()
		os.Remove(tmp.Name())
	}()
	h := sha256.New()
	for off := int64(0); off < s.Size; off += s.ChunkSize {
		o, err := cfg.Store.Open(ctx, chunkKey(s.Token, off))
		if err != nil {
			return nil, fmt.Errorf("finish upload: chunk %d: %w", off, err)
		}
		_, err = io.Copy(io.MultiWriter(tmp, h), o)
		o.Close()
		if err != nil {
			return nil, storeFailed("finish upload", err)
		}
	}
	if st, err := tmp.Stat(); err != nil || st.Size() != s.Size {
		dropSession()
		return nil, core.Errorf(core.EINVALID, "视频拼接后大小不对，请重新上传")
	}
	head := make([]byte, 64)
	n, _ := tmp.ReadAt(head, 0)
	if !IsMP4(head[:n]) {
		dropSession()
		return nil, core.Errorf(core.EINVALID, "这不是 MP4 视频：文件类型按内容检查，改扩展名无效")
	}
	probe, _, err := ProbeVideo(ctx, tmp.Name())
	if errors.Is(err, errUnreadable) {
		dropSession()
		return nil, core.Errorf(core.EINVALID, "视频文件已损坏或无法识别，请检查后重新上传")
	}
	if err != nil {
		return nil, fmt.Errorf("finish upload: %w", err)
	}
	if !probe.HasVideo && probe.Duration > 0 {
		dropSession()
		return nil, core.Errorf(core.EINVALID, "文件中没有视频画面（只有声音），请检查后重新上传")
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	// The session's reservation is not counted twice: the file's row
	// replaces it, and the session goes once the file is stored.
	file, err := d.store(ctx, a, cfg, s.Name, fileType{"video/mp4", ".mp4"}, tmp, s.Size, hex.EncodeToString(h.Sum(nil)), "video.upload", s.ID)
	if err != nil {
		return nil, err
	}
	dropSession()
	stored := []*Attachment{file}
	var posterID sql.NullInt64
	if p := PosterFrame(ctx, tmp.Name(), probe.Duration); p != "" {
		if f, err := os.Open(p); err == nil {
			st, _ := f.Stat()
			ph := sha256.New()
			io.Copy(ph, f)
			f.Seek(0, io.SeekStart)
			pa, err := d.store(ctx, a, cfg, strings.TrimSuffix(s.Name, ".mp4")+"-封面.jpg", fileType{"image/jpeg", ".jpg"}, f, st.Size(), hex.EncodeToString(ph.Sum(nil)), "video.poster", 0)
			f.Close()
			if err == nil {
				posterID = sql.NullInt64{Int64: pa.ID, Valid: true}
				stored = append(stored, pa)
			}
		}
		os.Remove(p)
	}
	now := store.Now()
	var id int64
	err = d.db.Tx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO videos (tenant_id, attachment_id, poster_id, title, description, transcript,
			duration_ms, width, height, column_id, published, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)`, a.TenantID, file.ID, posterID, in.Title, in.Description, in.Transcript,
			probe.Duration.Milliseconds(), probe.Width, probe.Height, nullID(in.ColumnID), a.UserID, now, now)
		if err != nil {
			return fmt.Errorf("finish upload: %w", err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Entry{Actor: a.auditName(), Action: "video.create", TenantID: &a.TenantID,
			Target: "video:" + strconv.FormatInt(id, 10), Detail: in.Title, RemoteAddr: a.RemoteAddr})
	})
	if err != nil {
		// No video names the files: they go, rows and objects.
		c := context.WithoutCancel(ctx)
		for _, at := range stored {
			if _, derr := d.db.ExecContext(c, `DELETE FROM attachments WHERE id = ? AND tenant_id = ?`, at.ID, at.TenantID); derr == nil {
				cfg.Store.Delete(c, at.Path)
			}
		}
		return nil, err
	}
	return d.Video(ctx, a.TenantID, id, false)
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id > 0} }

// checkVideoColumn: a video goes in a 电视新闻 (video) column of its
// own tenant, or none.
func (d *Desk) checkVideoColumn(ctx context.Context, tenantID, columnID int64) error {
	if columnID == 0 {
		return nil
	}
	var typ string
	err := d.db.GetContext(ctx, &typ, `SELECT type FROM site_columns WHERE id = ? AND tenant_id = ?`, columnID, tenantID)
	if errors.Is(err, sql.ErrNoRows) {
		return core.Errorf(core.EINVALID, "没有这个栏目")
	}
	if err != nil {
		return fmt.Errorf("video column: %w", err)
	}
	if typ != ColumnVideo {
		return core.Errorf(core.EINVALID, "视频只能放在“电视新闻”类的视频栏目中")
	}
	return nil
}

const videoSelect = `SELECT v.id, v.tenant_id, v.title, v.description, v.transcript, v.duration_ms, v.width, v.height,
	v.column_id, v.published, v.created_by, v.created_at, v.updated_at,
	f.id AS "f.id", f.tenant_id AS "f.tenant_id", f.token AS "f.token", f.name AS "f.name", f.path AS "f.path",
	f.mime AS "f.mime", f.size AS "f.size", f.sha256 AS "f.sha256", f.created_by AS "f.created_by", f.created_at AS "f.created_at",
	p.token AS poster_token, p.name AS poster_name, COALESCE(c.name, '') AS column_name
	FROM videos v JOIN attachments f ON f.id = v.attachment_id LEFT JOIN attachments p ON p.id = v.poster_id
	LEFT JOIN site_columns c ON c.id = v.column_id AND c.tenant_id = v.tenant_id `

// Video reads a tenant's video; publicOnly hides unpublished ones.
func (d *Desk) Video(ctx context.Context, tenantID, id int64, publicOnly bool) (*Video, error) {
	var v Video
	q := videoSelect + `WHERE v.tenant_id = ? AND v.id = ?`
	if publicOnly {
		q += ` AND v.published = 1`
	}
	err := d.db.GetContext(ctx, &v, q, tenantID, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, core.Errorf(core.ENOTFOUND, "没有找到这个视频")
	}
	if err != nil {
		return nil, fmt.Errorf("video: %w", err)
	}
	return &v, nil
}

// Videos lists a tenant's videos, newest first: published ones of a
// column for the public list page (columnID > 0, publicOnly), or all
// of them for the console.
func (d *Desk) Videos(ctx context.Context, tenantID, columnID int64, publicOnly bool, limit, offset int) ([]*Video, int, error) {
	where := `WHERE v.tenant_id = ?`
	args := []any{tenantID}
	if columnID > 0 {
		where += ` AND v.column_id = ?`
		args = append(args, columnID)
	}
	if publicOnly {
		where += ` AND v.published = 1`
	}
	var total int
	if err := d.db.GetContext(ctx, &total, `SELECT COUNT(*) FROM videos v `+where, args...); err != nil {
		return nil, 0, fmt.Errorf("videos: %w", err)
	}
	var out []*Video
	if err := d.db.SelectContext(ctx, &out, videoSelect+where+` ORDER BY v.created_at DESC, v.id DESC LIMIT ? OFFSET ?`,
		append(args, limit, offset)...); err != nil {
		return nil, 0, fmt.Errorf("videos: %w", err)
	}
	return out, total, nil
}

// SetVideoPublished publishes a video (reviewers) or takes it down; a
// published video is a search document with its title, description
// and transcript.
func (d *Desk) SetVideoPublished(ctx context.Context, a Actor, id int64, published bool) error {
	if err := a.need(PermReview); err != nil {
		return err
	}
	v, err := d.Video(ctx, a.TenantID, id, false)
	if err != nil {
		return err
	}
	if published && !v.ColumnID.Valid {
		return core.Errorf(core.EINVALID, "请先把视频放进一个电视新闻栏目再发布")
	}
	action := "video.publish"
	if !published {
		action = "video.unpublish"
	}
	return d.db.Tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE videos SET published = ?, updated_at = ? WHERE id = ? AND tenant_id = ?`,
			published, store.Now(), id, a.TenantID); err != nil {
			return fmt.Errorf("publish video: %w", err)
		}
		if err := videoOutbox(ctx, tx, v, published); err != nil {
			return err
		}
		return audit.Write(ctx, tx, audit.Entry{Actor: a.auditName(), Action: action, TenantID: &a.TenantID,
			Target: "video:" + strconv.FormatInt(id, 10), Detail: v.Title, RemoteAddr: a.RemoteAddr})
	})
}

// UpdateVideo changes what is written about a video.
func (d *Desk) UpdateVideo(ctx context.Context, a Actor, id int64, in VideoInput) error {
	if err := a.need(PermWrite); err != nil {
		return err
	}
	if err := in.check(); err != nil {
		return err
	}
	if err := d.checkVideoColumn(ctx, a.TenantID, in.ColumnID); err != nil {
		return err
	}
	v, err := d.Video(ctx, a.TenantID, id, false)
	if err != nil {
		return err
	}
	return d.db.Tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE videos SET title = ?, description = ?, transcript = ?, column_id = ?, updated_at = ?
			WHERE id = ? AND tenant_id = ?`, in.Title, in.Description, in.Transcript, nullID(in.ColumnID), store.Now(), id, a.TenantID); err != nil {
			return fmt.Errorf("update video: %w", err)
		}
		v.Title, v.Description, v.Transcript = in.Title, in.Description, in.Transcript
		if v.Published {
			if err := videoOutbox(ctx, tx, v, true); err != nil {
				return err
			}
		}
		return audit.Write(ctx, tx, audit.Entry{Actor: a.auditName(), Action: "video.update", TenantID: &a.TenantID,
			Target: "video:" + strconv.FormatInt(id, 10), Detail: in.Title, RemoteAddr: a.RemoteAddr})
	})
}

// searchDoc is search.Doc as the outbox carries it (JSON); content
// cannot import the search package, which imports content.
type searchDoc struct {
	ID       string
	TenantID int64
	Type     string
	URL      string
	Title    string
	Body     string
	Column   string
	Date     time.Time
}

// VideoDocType is the search type of videos (search.TypeVideo, labelled 视频).
const VideoDocType = "video"

func videoOutbox(ctx context.Context, tx *sqlx.Tx, v *Video, public bool) error {
	id := "video:" + strconv.FormatInt(v.ID, 10)
	if !public {
		return outbox.Write(ctx, tx, outbox.Doc, v.TenantID, id, nil)
	}
	var col string
	if v.ColumnID.Valid {
		tx.GetContext(ctx, &col, `SELECT name FROM site_columns WHERE id = ? AND tenant_id = ?`, v.ColumnID.Int64, v.TenantID)
	}
	b, err := json.Marshal(searchDoc{ID: id, TenantID: v.TenantID, Type: VideoDocType, URL: "video/" + strconv.FormatInt(v.ID, 10),
		Title: v.Title, Body: v.SearchBody(), Column: col, Date: v.CreatedAt})
	if err != nil {
		return err
	}
	return outbox.Write(ctx, tx, outbox.Doc, v.TenantID, id, b)
}
