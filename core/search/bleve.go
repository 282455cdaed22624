package search

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
)

// Analyses the bleve backend can build an index with. The platform uses
// AnalysisSkip; the others exist to measure it against (the labelled
// precision/recall test and the benchmarks).
const (
	// AnalysisSkip: the package's own analysis (units; bigrams,
	// skip-bigrams, run-final unigrams), no positions, conjunctions of
	// grams. The default.
	AnalysisSkip = "skip"
	// AnalysisTrigram: the same units with bigrams and trigrams.
	AnalysisTrigram = "trigram"
	// AnalysisBigram: the same units with bigrams only.
	AnalysisBigram = "bigram"
	// AnalysisPhrase: the same units with bigrams and positions; a longer
	// word is a phrase query of its bigrams.
	AnalysisPhrase = "phrase"
	// AnalysisCJK: bleve's stock cjk analyzer (bigrams) with term vectors
	// and a phrase query per word.
	AnalysisCJK = "cjk"
)

// DefaultAnalysis is the analysis new indexes get: see ARCHITECTURE.md
// for the measurements that chose it.
const DefaultAnalysis = AnalysisSkip

// analyses maps an analysis to its bleve analyzer and gram scheme.
var analyses = map[string]struct {
	analyzer string
	scheme   Grams
}{
	AnalysisSkip:    {"yiwang_bigram", SkipBigrams}, // and yiwang_skiponly on the field skip
	AnalysisTrigram: {"yiwang_trigram", Trigrams},
	AnalysisBigram:  {"yiwang_bigram", Bigrams},
	AnalysisCJK:     {cjk.AnalyzerName, Bigrams},
	AnalysisPhrase:  {"yiwang_phrase", Phrases},
}

func init() {
	if err := registry.RegisterAnalyzer("yiwang_skiponly", func(map[string]interface{}, *registry.Cache) (analysis.Analyzer, error) {
		return gramAnalyzer{scheme: SkipOnly}, nil
	}); err != nil {
		panic(err)
	}
	for name, a := range analyses {
		if name == AnalysisCJK || name == AnalysisSkip {
			continue
		}
		scheme := a.scheme
		if err := registry.RegisterAnalyzer(a.analyzer, func(map[string]interface{}, *registry.Cache) (analysis.Analyzer, error) {
			return gramAnalyzer{scheme: scheme}, nil
		}); err != nil {
			panic(err)
		}
	}
}

// gramAnalyzer is the bleve side of the analysis: one pass, no token
// filters.
type gramAnalyzer struct{ scheme Grams }

var unitPool = sync.Pool{New: func() any { return &unitBuf{} }}

type unitBuf struct {
	buf []byte
	us  []unit
}

func (a gramAnalyzer) Analyze(input []byte) analysis.TokenStream {
	ub := unitPool.Get().(*unitBuf)
	buf, us := cut(string(input), ub.buf[:0], ub.us[:0])
	// The terms are kept by the tokens, so they go to an arena of their
	// own that is not pooled; the units and the normalised text are.
	arena := make([]byte, 0, 3*len(buf))
	toks := make([]analysis.Token, 0, 2*len(us)+4)
	grams(buf, us, a.scheme, func(term []byte, start, end, pos int) {
		at := len(arena)
		arena = append(arena, term...)
		toks = append(toks, analysis.Token{Term: arena[at:len(arena):len(arena)], Start: start, End: end, Position: pos, Type: analysis.Ideographic})
	})
	ub.buf = buf
	ub.us = us
	unitPool.Put(ub)
	out := make(analysis.TokenStream, len(toks))
	for i := range toks {
		out[i] = &toks[i]
	}
	return out
}

// BleveOptions configure the embedded index.
type BleveOptions struct {
	Analysis string // AnalysisSkip unless set
	// Shards is the number of bleve indexes the documents are spread over
	// (by a hash of the id), written and searched in parallel; default 2,
	// fixed when the index is created.
	Shards int
	// BatchSize is how many documents go in one bleve batch (default 1000).
	BatchSize int
}

// Bleve is the embedded backend: bleve (scorch) indexes in a directory,
// one per shard, searched together through an index alias.
type Bleve struct {
	shards   []bleve.Index
	cols     []*columns // one per shard
	alias    bleve.IndexAlias
	analysis string
	scheme   Grams
	batch    int
	path     string
	// noFields is set on an index built before metadata fields: bleve
	// keeps an index's mapping for good, so only a fresh index
	// (`yiwang search reindex --fresh`) can filter by them.
	noFields bool
}

var _ Index = (*Bleve)(nil)

// ErrNoFields is returned for a search by metadata fields on an index
// built before they existed.
var ErrNoFields = errors.New("search: the index was built before metadata fields; rebuild it with `yiwang search reindex --fresh`")

// ErrLocked is returned when another process holds the index open.
var ErrLocked = errors.New("search: the index is open in another process (a running server)")

// OpenBleve opens the index at dir, creating it with opts when it does not
// exist. An existing index keeps the analysis and shards it was built with.
func OpenBleve(dir string, opts BleveOptions) (*Bleve, error) {
	if opts.BatchSize <= 0 {
		opts.BatchSize = 1000
	}
	meta := filepath.Join(dir, "yiwang-index.txt")
	if raw, err := os.ReadFile(meta); err == nil {
		var n int
		if _, err := fmt.Sscanf(string(raw), "analysis %s\nshards %d", &opts.Analysis, &n); err != nil || n < 1 {
			return nil, fmt.Errorf("search index %s: unreadable %s", dir, meta)
		}
		opts.Shards = n
	} else {
		if !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
		if opts.Analysis == "" {
			opts.Analysis = DefaultAnalysis
		}
		if opts.Shards <= 0 {
			opts.Shards = 2
		}
		if _, err := indexMapping(opts.Analysis); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, err
		}
		if err := os.WriteFile(meta, fmt.Appendf(nil, "analysis %s\nshards %d\n", opts.Analysis, opts.Shards), 0o640); err != nil {
			return nil, err
		}
	}
	b := &Bleve{batch: opts.BatchSize, path: dir}
	if err := b.setAnalysis(opts.Analysis); err != nil {
		return nil, err
	}
	cfg := map[string]interface{}{"bolt_timeout": "2s"}
	for i := 0; i < opts.Shards; i++ {
		sd := filepath.Join(dir, fmt.Sprintf("shard-%d", i))
		idx, err := bleve.OpenUsing(sd, cfg)
		if errors.Is(err, bleve.ErrorIndexPathDoesNotExist) {
			m, _ := indexMapping(opts.Analysis)
			idx, err = bleve.NewUsing(sd, m, bleve.Config.DefaultIndexType, bleve.Config.DefaultKVStore, cfg)
		}
		if err != nil {
			b.Close()
			if strings.Contains(err.Error(), "timeout") {
				return nil, ErrLocked
			}
			return nil, fmt.Errorf("open search index %s: %w", sd, err)
		}
		b.shards = append(b.shards, idx)
		b.cols = append(b.cols, newColumns())
		if im, ok := idx.Mapping().(*mapping.IndexMappingImpl); ok && im.DefaultMapping != nil {
			if _, has := im.DefaultMapping.Properties["fields"]; !has {
				b.noFields = true
			}
		}
	}
	b.alias = bleve.NewIndexAlias(b.shards...)
	return b, nil
}

func (b *Bleve) setAnalysis(a string) error {
	an, ok := analyses[a]
	if !ok {
		return fmt.Errorf("search index: unknown analysis %q", a)
	}
	b.analysis, b.scheme = a, an.scheme
	return nil
}

// NewMemBleve is an index in memory, for tests.
func NewMemBleve(analysisName string) (*Bleve, error) {
	if analysisName == "" {
		analysisName = DefaultAnalysis
	}
	m, err := indexMapping(analysisName)
	if err != nil {
		return nil, err
	}
	// scorch, as on disk (bleve's own in-memory index is another kind),
	// with no path: nothing is persisted.
	idx, err := bleve.NewUsing("", m, scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, err
	}
	b := &Bleve{shards: []bleve.Index{idx}, cols: []*columns{newColumns()}, alias: bleve.NewIndexAlias(idx), batch: 1000}
	return b, b.setAnalysis(analysisName)
}

// Analysis names the analysis the index was built with.
func (b *Bleve) Analysis() string { return b.analysis }

// Path is the index directory ("" in memory).
func (b *Bleve) Path() string { return b.path }

func indexMapping(analysisName string) (*mapping.IndexMappingImpl, error) {
	a, ok := analyses[analysisName]
	if !ok {
		return nil, fmt.Errorf("unknown analysis %q", analysisName)
	}
	an, vectors := a.analyzer, analysisName == AnalysisCJK || analysisName == AnalysisPhrase
	text := func(store bool) *mapping.FieldMapping {
		f := mapping.NewTextFieldMapping()
		f.Analyzer, f.Store, f.Index, f.IncludeTermVectors, f.IncludeInAll, f.DocValues = an, store, true, vectors, false, false
		return f
	}
	keyword := func(index, docValues bool) *mapping.FieldMapping {
		f := mapping.NewKeywordFieldMapping()
		f.Store, f.Index, f.IncludeInAll, f.DocValues, f.IncludeTermVectors = true, index, false, docValues, false
		return f
	}
	stored := mapping.NewTextFieldMapping()
	stored.Analyzer, stored.Store, stored.Index, stored.IncludeInAll, stored.DocValues, stored.IncludeTermVectors = "keyword", true, false, false, false, false
	date := mapping.NewDateTimeFieldMapping()
	date.Store, date.Index, date.DocValues, date.IncludeInAll = true, true, true, false

	dm := mapping.NewDocumentStaticMapping()
	// The title is matched and weighted through text, where it is
	// written twice; here it is only stored.
	dm.AddFieldMappingsAt("title", stored)
	dm.AddFieldMappingsAt("text", text(false))
	dm.AddFieldMappingsAt("body", stored)
	dm.AddFieldMappingsAt("url", stored)
	dm.AddFieldMappingsAt("column", stored)
	dm.AddFieldMappingsAt("tenant", keyword(true, false))
	dm.AddFieldMappingsAt("type", keyword(true, false))
	fields := keyword(true, false)
	fields.Store = false
	dm.AddFieldMappingsAt("fields", fields)
	// Facets read one doc value per match, tenant and type together:
	// reading two costs twice (doc values are decoded chunk by chunk).
	facet := keyword(true, true)
	facet.Store = false
	dm.AddFieldMappingsAt("facet", facet)
	dm.AddFieldMappingsAt("date", date)
	if analysisName == AnalysisSkip {
		// Skip-bigrams only filter: no frequencies, no norms.
		sk := text(false)
		sk.Analyzer, sk.SkipFreqNorm = "yiwang_skiponly", true
		dm.AddFieldMappingsAt("skip", sk)
	}

	dm.AddSubDocumentMapping("_all", &mapping.DocumentMapping{Enabled: false})
	m := bleve.NewIndexMapping()
	m.DefaultMapping = dm
	m.DefaultAnalyzer = an
	m.IndexDynamic, m.StoreDynamic, m.DocValuesDynamic = false, false, false
	return m, nil
}

func tenantKey(id int64) string { return strconv.FormatInt(id, 10) }

func (b *Bleve) doc(d *Doc) map[string]interface{} {
	body := d.Body
	if len(body) > maxBodyBytes {
		body = body[:maxBodyBytes]
	}
	m := map[string]interface{}{
		"title":  d.Title,
		"text":   d.Title + "\n" + d.Title + "\n" + body,
		"body":   body,
		"url":    d.URL,
		"column": d.Column,
		"tenant": tenantKey(d.TenantID),
		"type":   d.Type,
		"facet":  tenantKey(d.TenantID) + "/" + d.Type,
		"fields": d.Fields,
		"date":   d.Date.UTC(),
	}
	if b.analysis == AnalysisSkip {
		m["skip"] = m["text"]
	}
	return m
}

func (b *Bleve) shardOf(id string) int {
	if len(b.shards) == 1 {
		return 0
	}
	h := fnv.New32a()
	h.Write([]byte(id))
	return int(h.Sum32() % uint32(len(b.shards)))
}

// eachShard runs fn on every shard in parallel.
func (b *Bleve) eachShard(fn func(i int, idx bleve.Index) error) error {
	errs := make([]error, len(b.shards))
	var wg sync.WaitGroup
	for i, idx := range b.shards {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = fn(i, idx)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// Upsert adds or replaces docs, in batches, every shard at once.
func (b *Bleve) Upsert(ctx context.Context, docs ...Doc) error {
	for i := range docs {
		if err := docs[i].Validate(); err != nil {
			return err
		}
	}
	per := make([][]*Doc, len(b.shards))
	for i := range docs {
		s := b.shardOf(docs[i].ID)
		per[s] = append(per[s], &docs[i])
	}
	return b.eachShard(func(si int, idx bleve.Index) error {
		ds := per[si]
		for start := 0; start < len(ds); start += b.batch {
			if err := ctx.Err(); err != nil {
				return err
			}
			batch := idx.NewBatch()
			for _, d := range ds[start:min(start+b.batch, len(ds))] {
				if err := batch.Index(d.ID, b.doc(d)); err != nil {
					return fmt.Errorf("search: index %s: %w", d.ID, err)
				}
			}
			if err := idx.Batch(batch); err != nil {
				return fmt.Errorf("search: write batch: %w", err)
			}
		}
		return nil
	})
}

// Delete removes docs by id.
func (b *Bleve) Delete(ctx context.Context, ids ...string) error {
	per := make([][]string, len(b.shards))
	for _, id := range ids {
		s := b.shardOf(id)
		per[s] = append(per[s], id)
	}
	return b.eachShard(func(si int, idx bleve.Index) error {
		if len(per[si]) == 0 {
			return nil
		}
		batch := idx.NewBatch()
		for _, id := range per[si] {
			batch.Delete(id)
		}
		if err := idx.Batch(batch); err != nil {
			return fmt.Errorf("search: delete batch: %w", err)
		}
		return nil
	})
}

// Count is the number of documents.
func (b *Bleve) Count(context.Context) (int, error) {
	n, err := b.alias.DocCount()
	return int(n), err
}

// Close closes the index.
func (b *Bleve) Close() error {
	var errs []error
	for _, s := range b.shards {
		errs = append(errs, s.Close())
	}
	b.shards = nil
	return errors.Join(errs...)
}

// IDs lists a tenant's documents of one type ("": every type).
func (b *Bleve) IDs(ctx context.Context, tenantID int64, typ string) ([]string, error) {
	var q query.Query = termQ("tenant", tenantKey(tenantID))
	if typ != "" {
		q = query.NewConjunctionQuery([]query.Query{q, termQ("type", typ)})
	}
	var out []string
	per := make([][]string, len(b.shards))
	err := b.eachShard(func(si int, idx bleve.Index) error {
		var ids []string
		var after []string
		for {
			req := bleve.NewSearchRequestOptions(q, 1000, 0, false)
			req.SortBy([]string{"_id"})
			req.Score = bleve.ScoreNone
			if after != nil {
				req.SearchAfter = after
			}
			res, err := idx.SearchInContext(ctx, req)
			if err != nil {
				return err
			}
			for _, h := range res.Hits {
				ids = append(ids, h.ID)
			}
			if len(res.Hits) < 1000 {
				break
			}
			after = []string{res.Hits[len(res.Hits)-1].ID}
		}
		per[si] = ids
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, ids := range per {
		out = append(out, ids...)
	}
	sort.Strings(out)
	return out, nil
}

func termQ(field, v string) *query.TermQuery {
	q := query.NewTermQuery(v)
	q.SetField(field)
	return q
}

// filterBoost keeps filters from weighing in the score.
const filterBoost = 0.0001

// wordQueries adds the queries matching word w in field: plain terms to
// terms, anything else (prefixes, phrases) to others.
func (b *Bleve) wordQueries(w Word, field string, terms, others []query.Query) ([]query.Query, []query.Query) {
	if b.analysis == AnalysisCJK {
		q := query.NewMatchPhraseQuery(w.Text)
		q.SetField(field)
		return terms, append(others, q)
	}
	for _, t := range w.Terms(b.scheme) {
		switch {
		case t.Phrase != nil:
			others = append(others, query.NewPhraseQuery(t.Phrase, field))
		case t.Prefix:
			q := query.NewPrefixQuery(t.Text)
			q.SetField(field)
			others = append(others, q)
		case t.Skip:
			sq := termQ("skip", t.Text)
			sq.SetBoost(filterBoost)
			terms = append(terms, sq)
		default:
			terms = append(terms, termQ(field, t.Text))
		}
	}
	return terms, others
}

// build makes the bleve query of q, without the site filter when
// noSites and without the type filter when noTypes (for facets).
//
// Every plain term of every word (and a single site or type filter) goes
// into one flat conjunction: scorch then intersects their postings bitmaps
// once, segment by segment, and each term is read only at the documents
// that hold all of them. Nested per word, each word's terms would be read
// and scored at every document holding that word alone.
func (b *Bleve) build(p Parsed, q Query, noSites, noTypes bool) query.Query {
	var terms, others []query.Query
	for _, w := range p.Words {
		terms, others = b.wordQueries(w, "text", terms, others)
	}
	filter := func(field string, values []string) {
		var ts []query.Query
		for _, v := range values {
			t := termQ(field, v)
			t.SetBoost(filterBoost)
			ts = append(ts, t)
		}
		if len(ts) == 1 {
			terms = append(terms, ts[0])
		} else {
			others = append(others, query.NewDisjunctionQuery(ts))
		}
	}
	if len(q.Tenants) > 0 && !noSites {
		keys := make([]string, len(q.Tenants))
		for i, id := range q.Tenants {
			keys[i] = tenantKey(id)
		}
		filter("tenant", keys)
	}
	if len(q.Types) > 0 && !noTypes {
		filter("type", q.Types)
	}
	for _, f := range q.Fields {
		t := termQ("fields", f)
		t.SetBoost(filterBoost)
		terms = append(terms, t)
	}
	if !q.From.IsZero() || !q.To.IsZero() {
		incl := true
		dq := query.NewDateRangeInclusiveQuery(q.From, q.To, &incl, &incl)
		dq.SetField("date")
		dq.SetBoost(filterBoost)
		others = append(others, dq)
	}
	var mustNot []query.Query
	for _, id := range q.ExcludeTenants {
		mustNot = append(mustNot, termQ("tenant", tenantKey(id)))
	}
	var must []query.Query
	switch len(terms) {
	case 0:
	case 1:
		must = append(must, terms[0])
	default:
		must = append(must, query.NewConjunctionQuery(terms))
	}
	must = append(must, others...)
	if len(mustNot) == 0 {
		if len(must) == 1 {
			return must[0]
		}
		return query.NewConjunctionQuery(must)
	}
	return query.NewBooleanQuery(must, nil, mustNot)
}

var hitFields = []string{"title", "body", "url", "column", "tenant", "type", "date"}

// Search runs q on every shard at once. bleve finds the matches and, in
// relevance order, keeps the top hits with their stored fields; facet
// counts and time order come from the shards' columns (see columns.go),
// read by a document-match handler that sees every match.
func (b *Bleve) Search(ctx context.Context, q Query) (*Result, error) {
	q.normalise()
	p := ParseQuery(q.Text)
	res := &Result{Parsed: p}
	if len(p.Words) == 0 {
		return res, nil
	}
	if b.noFields && len(q.Fields) > 0 {
		return nil, ErrNoFields
	}
	byTime := q.Sort == ByTime
	outs, err := b.collect(ctx, b.build(p, q, false, false), q.Offset+q.Limit, byTime, q.Facets)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	for _, o := range outs {
		res.Total += o.total
	}
	if byTime {
		if res.Hits, err = b.newestPage(ctx, outs, q.Offset, q.Limit); err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
	} else {
		var all []*bsearch.DocumentMatch
		for _, o := range outs {
			all = append(all, o.hits...)
		}
		sort.Slice(all, func(i, j int) bool {
			if all[i].Score != all[j].Score {
				return all[i].Score > all[j].Score
			}
			return all[i].ID < all[j].ID
		})
		for _, h := range all[min(q.Offset, len(all)):min(q.Offset+q.Limit, len(all))] {
			res.Hits = append(res.Hits, hitOf(h))
		}
	}
	if q.Facets {
		res.Sites, res.Types = facetPairs(outs)
		// A filtered dimension counts without its own filter, so that the
		// page can offer the other values.
		if len(q.Tenants) > 0 {
			if res.Sites, _, err = b.facetOnly(ctx, p, q, true, false); err != nil {
				return nil, err
			}
		}
		if len(q.Types) > 0 {
			if _, res.Types, err = b.facetOnly(ctx, p, q, false, true); err != nil {
				return nil, err
			}
		}
	}
	return res, nil
}

// shardOut is one shard's part of a search.
type shardOut struct {
	col   *shardCollect
	hits  []*bsearch.DocumentMatch // by relevance, with stored fields
	total int
}

// collect runs qry on every shard. want > 0 asks for that many top hits,
// by relevance or, with byTime, the newest (as ids and dates); want 0
// only counts.
func (b *Bleve) collect(ctx context.Context, qry query.Query, want int, byTime, facets bool) ([]shardOut, error) {
	outs := make([]shardOut, len(b.shards))
	err := b.eachShard(func(i int, idx bleve.Index) error {
		col := &shardCollect{cols: b.cols[i], facets: facets, byTime: byTime && want > 0, top: newest{want: want}}
		var req *bleve.SearchRequest
		if want == 0 || col.byTime {
			// No scores: scorch intersects the terms' bitmaps and nothing
			// else is read per match.
			req = bleve.NewSearchRequestOptions(qry, 0, 0, false)
			req.Score = bleve.ScoreNone
		} else {
			req = bleve.NewSearchRequestOptions(qry, want, 0, false)
			req.Fields = hitFields
			req.SortBy([]string{"-_score"})
		}
		sctx := context.WithValue(ctx, bsearch.MakeDocumentMatchHandlerKey, bsearch.MakeDocumentMatchHandler(col.handler))
		sr, err := idx.SearchInContext(sctx, req)
		if err != nil {
			return err
		}
		outs[i] = shardOut{col: col, hits: sr.Hits, total: int(sr.Total)}
		return nil
	})
	return outs, err
}

// newestPage merges the shards' newest documents and reads the stored
// fields of the page's.
func (b *Bleve) newestPage(ctx context.Context, outs []shardOut, offset, limit int) ([]Hit, error) {
	type dated struct {
		id   string
		date int64
	}
	var all []dated
	for _, o := range outs {
		for i, id := range o.col.ids {
			all = append(all, dated{id, o.col.dates[i]})
		}
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].date != all[j].date {
			return all[i].date > all[j].date
		}
		return all[i].id < all[j].id
	})
	all = all[min(offset, len(all)):min(offset+limit, len(all))]
	if len(all) == 0 {
		return nil, nil
	}
	ids := make([]string, len(all))
	for i, d := range all {
		ids[i] = d.id
	}
	req := bleve.NewSearchRequestOptions(query.NewDocIDQuery(ids), len(ids), 0, false)
	req.Fields = hitFields
	req.Score = bleve.ScoreNone
	sr, err := b.alias.SearchInContext(ctx, req)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*bsearch.DocumentMatch, len(sr.Hits))
	for _, h := range sr.Hits {
		byID[h.ID] = h
	}
	hits := make([]Hit, 0, len(ids))
	for _, id := range ids {
		if h := byID[id]; h != nil { // gone since: a write between the two reads
			hits = append(hits, hitOf(h))
		}
	}
	return hits, nil
}

func (b *Bleve) facetOnly(ctx context.Context, p Parsed, q Query, noSites, noTypes bool) (sites, types []Count, err error) {
	outs, err := b.collect(ctx, b.build(p, q, noSites, noTypes), 0, false, true)
	if err != nil {
		return nil, nil, fmt.Errorf("search facets: %w", err)
	}
	sites, types = facetPairs(outs)
	return sites, types, nil
}

// facetPairs sums the shards' counts of "tenant/type" keys by tenant and
// by type.
func facetPairs(outs []shardOut) (sites, types []Count) {
	bySite, byType := map[string]int{}, map[string]int{}
	for _, o := range outs {
		for k, n := range o.col.counts {
			if n == 0 {
				continue
			}
			site, typ, _ := strings.Cut(o.col.keys[k], "/")
			bySite[site] += n
			byType[typ] += n
		}
	}
	return sortedCounts(bySite), sortedCounts(byType)
}

func sortedCounts(m map[string]int) []Count {
	out := make([]Count, 0, len(m))
	for k, n := range m {
		out = append(out, Count{Key: k, Count: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Key < out[j].Key
	})
	return out
}

func hitOf(h *bsearch.DocumentMatch) Hit {
	str := func(k string) string { s, _ := h.Fields[k].(string); return s }
	hit := Hit{Score: h.Score}
	hit.ID, hit.Title, hit.Body, hit.URL, hit.Column, hit.Type = h.ID, str("title"), str("body"), str("url"), str("column"), str("type")
	hit.TenantID, _ = strconv.ParseInt(str("tenant"), 10, 64)
	if t, err := time.Parse(time.RFC3339Nano, str("date")); err == nil {
		hit.Date = t
	}
	return hit
}
