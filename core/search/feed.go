package search

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
	"yiwang/core"
	"yiwang/core/changes"
	"yiwang/core/content"
	"yiwang/core/search/outbox"
	"yiwang/core/store"
	"yiwang/tenants"
)

// A Source is where documents of some types come from: core articles, and
// each module through the plugin host (its Reindex stream). A rebuild asks
// every source for every tenant's documents.
type Source interface {
	// Name names the source in errors and in a rebuild request: "article"
	// for core articles, a module's name for its documents.
	Name() string
	// Owns tells whether a document id is the source's: a rebuild removes
	// the source's documents that it no longer gives.
	Owns(id string) bool
	// Each calls fn with every public document of the tenant.
	Each(ctx context.Context, tenantID int64, fn func(Doc) error) error
}

// ErrSourceFailed marks a rebuild in which a source could not give its
// documents (a module process that is down): the other sources were
// rebuilt and the failing one's documents are as they were.
var ErrSourceFailed = errors.New("search: a source could not give its documents")

// ModuleSources, as the ref of a reindex outbox row, asks for a rebuild
// of every source but core articles: what `yiwang search reindex` leaves
// to the server when it ran without one (module documents come from the
// module processes, which only a server runs).
const ModuleSources = "modules"

// Articles is the source of core articles.
type Articles struct {
	Content *content.Store
}

// Name implements Source.
func (Articles) Name() string { return TypeArticle }

// Owns implements Source.
func (Articles) Owns(id string) bool { return strings.HasPrefix(id, TypeArticle+":") }

// ArticleID is the document id of an article.
func ArticleID(id int64) string { return TypeArticle + ":" + strconv.FormatInt(id, 10) }

var blockEnd = strings.NewReplacer("</p>", "</p>\n", "</li>", "</li>\n", "<br>", "\n", "<br/>", "\n", "</h1>", "</h1>\n",
	"</h2>", "</h2>\n", "</h3>", "</h3>\n", "</h4>", "</h4>\n", "</tr>", "</tr>\n", "</td>", "</td> ", "</div>", "</div>\n")

var spaces = regexp.MustCompile(`[ \t]+`)

// articleDoc is the document of a published article; ok is false for any
// article that must not be in the index.
func (a Articles) articleDoc(ctx context.Context, art *content.Article, columns map[int64]string) (Doc, bool) {
	if art.Status != content.Published || art.PublishedAt == nil {
		return Doc{}, false
	}
	body := content.PlainText(blockEnd.Replace(art.Body))
	body = strings.TrimSpace(spaces.ReplaceAllString(body, " "))
	if body == "" {
		body = art.Summary
	}
	title := art.Title
	if art.Subtitle != "" {
		title += " " + art.Subtitle
	}
	col, ok := columns[art.ColumnID]
	if !ok {
		if c, err := a.Content.ColumnByID(ctx, art.TenantID, art.ColumnID); err == nil {
			col = c.Name
			columns[art.ColumnID] = col
		}
	}
	return Doc{
		ID: ArticleID(art.ID), TenantID: art.TenantID, Type: TypeArticle,
		URL: "art/" + strconv.FormatInt(art.ID, 10), Title: title, Body: body, Column: col, Date: *art.PublishedAt,
	}, true
}

// Each implements Source.
func (a Articles) Each(ctx context.Context, tenantID int64, fn func(Doc) error) error {
	columns := map[int64]string{}
	var after int64
	for {
		page, err := a.Content.PublishedPage(ctx, tenantID, after, 200)
		if err != nil {
			return err
		}
		for _, art := range page {
			if d, ok := a.articleDoc(ctx, art, columns); ok {
				if err := fn(d); err != nil {
					return err
				}
			}
			after = art.ID
		}
		if len(page) < 200 {
			return nil
		}
	}
}

// Feeder keeps an Index in step with the database: it drains the outbox
// and rebuilds on request.
type Feeder struct {
	DB      *store.DB
	Index   Index
	Tenants *tenants.Store
	Sources []Source
	Log     *slog.Logger
	// Articles reads core articles for outbox rows of kind article.
	Articles Articles
	// Every is the polling interval (default 1 s).
	Every time.Duration
	// Shared says every replica searches the same index (Elasticsearch):
	// then one worker applying the outbox serves all. An embedded index
	// (bleve) is each server's own, and a server that finds another
	// applying the outbox says its index is going stale (Bystander).
	Shared bool

	holder    string
	bystander atomic.Bool
	mu        sync.Mutex // one drain or rebuild at a time in this process
}

// Bystander reports whether this server's own (embedded) index has
// missed changes because another server applies the outbox.
func (f *Feeder) Bystander() bool { return f.bystander.Load() }

// leaseFor is how long a worker holds the outbox before another replica
// may take over.
const leaseFor = 30 * time.Second

// Run drains the outbox until ctx ends. Only one worker across replicas
// drains at a time (a lease row in search_lease); the others wait.
func (f *Feeder) Run(ctx context.Context) {
	every := f.Every
	if every <= 0 {
		every = time.Second
	}
	backoff := every
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		n, err := f.Drain(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			f.log().Error("search: outbox", "err", err)
			backoff = min(2*backoff, time.Minute)
			t.Reset(backoff)
		case n > 0:
			backoff = every
			t.Reset(0) // more may be waiting
		default:
			backoff = every
			t.Reset(every)
		}
	}
}

func (f *Feeder) log() *slog.Logger {
	if f.Log == nil {
		return slog.Default()
	}
	return f.Log
}

// lease takes or renews the outbox lease; false when another holds it.
func (f *Feeder) lease(ctx context.Context) (bool, error) {
	if f.holder == "" {
		var b [8]byte
		_, _ = rand.Read(b[:])
		f.holder = hex.EncodeToString(b[:])
	}
	now := store.Now()
	res, err := f.DB.ExecContext(ctx, `UPDATE search_lease SET holder = ?, expires_at = ? WHERE name = 'outbox' AND (holder = ? OR expires_at < ?)`,
		f.holder, now.Add(leaseFor), f.holder, now)
	if err != nil {
		return false, fmt.Errorf("search lease: %w", err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return true, nil
	}
	_, err = f.DB.ExecContext(ctx, `INSERT INTO search_lease (name, holder, expires_at) VALUES ('outbox', ?, ?)`, f.holder, now.Add(leaseFor))
	if err == nil {
		return true, nil
	}
	if store.IsUniqueViolation(err) {
		return false, nil
	}
	return false, fmt.Errorf("search lease: %w", err)
}

// Release gives the lease up (at shutdown), so another replica takes over
// at once.
func (f *Feeder) Release(ctx context.Context) {
	if f.holder != "" {
		_, _ = f.DB.ExecContext(ctx, `DELETE FROM search_lease WHERE name = 'outbox' AND holder = ?`, f.holder)
	}
}

type outboxRow struct {
	ID       int64   `db:"id"`
	Kind     string  `db:"kind"`
	TenantID int64   `db:"tenant_id"`
	Ref      string  `db:"ref"`
	Payload  *string `db:"payload"`
}

// drainBatch is how many rows one pass takes.
const drainBatch = 500

// Drain applies one batch of outbox rows and returns how many it applied.
// The rows are deleted only after the index has taken them.
func (f *Feeder) Drain(ctx context.Context) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	// Reading first keeps an idle worker from writing the lease every
	// second; rows are only deleted by the lease holder, and applying one
	// twice is harmless.
	var rows []outboxRow
	if err := f.DB.SelectContext(ctx, &rows, `SELECT id, kind, tenant_id, ref, payload FROM search_outbox ORDER BY id LIMIT ?`, drainBatch); err != nil {
		return 0, fmt.Errorf("read search outbox: %w", err)
	}
	if len(rows) == 0 {
		return 0, nil
	}
	ok, err := f.lease(ctx)
	if err != nil {
		return 0, err
	}
	if !ok {
		if !f.Shared && f.bystander.CompareAndSwap(false, true) {
			f.log().Error("search: another server applies the search outbox, so this server's embedded index no longer receives changes; " +
				"several servers need one shared index (--elasticsearch), then yiwang search reindex")
		}
		return 0, nil
	}
	// The newest row of each document decides; a reindex row is done on
	// its own.
	type key struct {
		kind string
		ref  string
	}
	last := map[key]outboxRow{}
	var order []key
	var reindex []outboxRow
	for _, r := range rows {
		if r.Kind == outbox.Reindex {
			reindex = append(reindex, r)
			continue
		}
		k := key{r.Kind, r.Ref}
		if _, seen := last[k]; !seen {
			order = append(order, k)
		}
		last[k] = r
	}
	var upserts []Doc
	var deletes []string
	columns := map[int64]string{}
	for _, k := range order {
		r := last[k]
		switch r.Kind {
		case outbox.Article:
			id, err := strconv.ParseInt(r.Ref, 10, 64)
			if err != nil {
				continue // cannot be mended by retrying: dropped with the rest
			}
			art, err := f.Articles.Content.ArticleAny(ctx, r.TenantID, id)
			if core.ErrorCode(err) == core.ENOTFOUND {
				deletes = append(deletes, ArticleID(id))
				continue
			}
			if err != nil {
				return 0, err
			}
			if d, ok := f.Articles.articleDoc(ctx, art, columns); ok {
				upserts = append(upserts, d)
			} else {
				deletes = append(deletes, ArticleID(id))
			}
		case outbox.Doc:
			if r.Payload == nil {
				deletes = append(deletes, r.Ref)
				continue
			}
			var d Doc
			if err := json.Unmarshal([]byte(*r.Payload), &d); err != nil || d.Validate() != nil || d.ID != r.Ref || d.TenantID != r.TenantID {
				f.log().Error("search: bad document in outbox, dropped", "id", r.ID, "ref", r.Ref)
				continue
			}
			upserts = append(upserts, d)
		default:
			f.log().Error("search: unknown outbox row, dropped", "id", r.ID, "kind", r.Kind)
		}
	}
	if len(upserts) > 0 {
		if err := f.Index.Upsert(ctx, upserts...); err != nil {
			return 0, f.failed(ctx, rows, err)
		}
	}
	if len(deletes) > 0 {
		if err := f.Index.Delete(ctx, deletes...); err != nil {
			return 0, f.failed(ctx, rows, err)
		}
	}
	for _, r := range reindex {
		only := ""
		if r.Ref == ModuleSources {
			only = ModuleSources
		}
		tr := f.startRebuild(ctx)
		done, err := f.Rebuild(ctx, r.TenantID, only, tr.progress)
		tr.finish(done, err)
		if errors.Is(err, ErrSourceFailed) {
			// A module that is down must not hold up every change behind
			// it: the rest is rebuilt, its documents stay as they were,
			// and enabling it again or the next reindex brings them.
			f.log().Warn("search: rebuild incomplete", "err", err)
			err = nil
		}
		if err != nil {
			return 0, f.failed(ctx, rows, err)
		}
	}
	if err := f.deleteRows(ctx, rows); err != nil {
		return 0, err
	}
	// The index changed: every site's search pages the page caches hold
	// are out of date.
	if len(rows) > 0 {
		if err := changes.Record(ctx, f.DB, changes.AllTenants, "/search"); err != nil {
			f.log().Warn("search: page change not recorded", "err", err)
		}
	}
	return len(rows), nil
}

func (f *Feeder) deleteRows(ctx context.Context, rows []outboxRow) error {
	for start := 0; start < len(rows); start += 200 {
		chunk := rows[start:min(start+200, len(rows))]
		args := make([]any, len(chunk))
		for i, r := range chunk {
			args[i] = r.ID
		}
		if _, err := f.DB.ExecContext(ctx, `DELETE FROM search_outbox WHERE id IN (?`+strings.Repeat(", ?", len(chunk)-1)+`)`, args...); err != nil {
			return fmt.Errorf("clear search outbox: %w", err)
		}
	}
	return nil
}

// failed records the error on the rows, which stay for the next pass.
func (f *Feeder) failed(ctx context.Context, rows []outboxRow, cause error) error {
	msg := cause.Error()
	if len(msg) > 500 {
		msg = msg[:500]
	}
	_, _ = f.DB.ExecContext(ctx, `UPDATE search_outbox SET attempts = attempts + 1, last_error = ? WHERE id >= ? AND id <= ?`,
		msg, rows[0].ID, rows[len(rows)-1].ID)
	return cause
}

// Pending is the number of outbox rows not yet applied.
func (f *Feeder) Pending(ctx context.Context) (int, error) {
	var n int
	err := f.DB.GetContext(ctx, &n, `SELECT COUNT(*) FROM search_outbox`)
	return n, err
}

// Progress reports a rebuild's progress: documents done of a total.
type Progress func(done, total int)

// Rebuild makes the index agree with the database for one tenant (0: all
// tenants): every source's documents are upserted, and the documents a
// source owns but no longer gives are removed. only limits it to one
// source by name, or to every source but core articles (ModuleSources);
// "" is every source. A source that fails (a module process that is down)
// keeps its documents as they were and is named in the error, and the
// others are rebuilt still. It returns how many documents it indexed.
func (f *Feeder) Rebuild(ctx context.Context, tenantID int64, only string, progress Progress) (int, error) {
	var ids []int64
	if tenantID != 0 {
		ids = []int64{tenantID}
	} else {
		ts, err := f.Tenants.List(ctx)
		if err != nil {
			return 0, err
		}
		for _, t := range ts {
			ids = append(ids, t.ID)
		}
	}
	var srcs []Source
	for _, s := range f.sources() {
		if only == "" || s.Name() == only || (only == ModuleSources && s.Name() != TypeArticle) {
			srcs = append(srcs, s)
		}
	}
	total := 0
	if progress != nil && slices.ContainsFunc(srcs, func(s Source) bool { return s.Name() == TypeArticle }) {
		// Articles are counted ahead; a module's documents are counted as
		// they come.
		for _, id := range ids {
			var n int
			if err := f.DB.GetContext(ctx, &n, `SELECT COUNT(*) FROM articles WHERE tenant_id = ? AND status = 'published'`, id); err != nil {
				return 0, err
			}
			total += n
		}
		progress(0, total)
	}
	done := 0
	var failed []error
	for _, id := range ids {
		have, err := f.Index.IDs(ctx, id, "")
		if err != nil {
			return done, err
		}
		for _, src := range srcs {
			keep := map[string]bool{}
			var batch []Doc
			flush := func() error {
				if len(batch) == 0 {
					return nil
				}
				if err := f.Index.Upsert(ctx, batch...); err != nil {
					return err
				}
				done += len(batch)
				if progress != nil {
					progress(done, max(total, done))
				}
				batch = batch[:0]
				return nil
			}
			err := src.Each(ctx, id, func(d Doc) error {
				if d.TenantID != id {
					return fmt.Errorf("search: source %s gave a document of tenant %d for tenant %d", src.Name(), d.TenantID, id)
				}
				if !src.Owns(d.ID) {
					return fmt.Errorf("search: source %s gave document %s, which is not its own", src.Name(), d.ID)
				}
				keep[d.ID] = true
				batch = append(batch, d)
				if len(batch) == 1000 {
					return flush()
				}
				return nil
			})
			if err == nil {
				err = flush()
			}
			if ctx.Err() != nil {
				return done, ctx.Err()
			}
			if err != nil {
				failed = append(failed, fmt.Errorf("rebuild %s of tenant %d: %w: %w", src.Name(), id, ErrSourceFailed, err))
				continue
			}
			var gone []string
			for _, h := range have {
				if src.Owns(h) && !keep[h] {
					gone = append(gone, h)
				}
			}
			if err := f.Index.Delete(ctx, gone...); err != nil {
				return done, err
			}
		}
	}
	return done, errors.Join(failed...)
}

func (f *Feeder) sources() []Source {
	if len(f.Sources) > 0 {
		return f.Sources
	}
	return []Source{f.Articles}
}

// OutboxSink is the Sink modules reach through the plugin host: each call
// writes outbox rows (one transaction), and the worker applies them after,
// so a document accepted is never lost and never applied out of order.
type OutboxSink struct{ DB *store.DB }

// Index implements Sink.
func (s OutboxSink) Index(ctx context.Context, docs ...Doc) error {
	for i := range docs {
		if err := docs[i].Validate(); err != nil {
			return err
		}
	}
	return s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		for _, d := range docs {
			b, err := json.Marshal(d)
			if err != nil {
				return err
			}
			if err := outbox.Write(ctx, tx, outbox.Doc, d.TenantID, d.ID, b); err != nil {
				return err
			}
		}
		return nil
	})
}

// Remove implements Sink. The tenant is not known here: rows carry 0.
func (s OutboxSink) Remove(ctx context.Context, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	return s.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		for _, id := range ids {
			if id == "" {
				return errors.New("search: remove needs document ids")
			}
			if err := outbox.Write(ctx, tx, outbox.Doc, 0, id, nil); err != nil {
				return err
			}
		}
		return nil
	})
}
