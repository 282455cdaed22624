package search

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/elastic/go-elasticsearch/v8"
	"github.com/elastic/go-elasticsearch/v8/esapi"
)

// The Elasticsearch backend, for more than one machine: every replica
// reads and writes one index on the cluster.
//
// Chinese analysis is the same as the embedded index's, done here in Go
// and sent pre-analysed: a document's bigrams go to x_bi, one array value
// per run (so that positions are consecutive within a run and a gap of 100
// apart between runs, and a phrase never spans two runs), its lone units
// (Latin words, digits, the last character of a run) to x_uni, and the
// title's to t_bi and t_uni. Both are analysed by the whitespace tokenizer
// only, so the terms in the index are exactly the Go analysis's terms, and
// a query is built from term, prefix and phrase queries on them: no query
// string syntax ever reaches the cluster. Stock Elasticsearch needs no
// plugin (no IK, no smartcn) for this.

// ElasticOptions configure the backend.
type ElasticOptions struct {
	// URL of a node, with credentials if any: http://user:pass@host:9200.
	URL string
	// Index is the index name (default "yiwang").
	Index string
	// Refresh makes every write visible to search before it returns
	// (refresh=wait_for); tests want it, a busy site does not.
	Refresh bool
	// HTTP is the transport (default http.DefaultTransport).
	HTTP http.RoundTripper
}

// Elastic is the Elasticsearch backend.
type Elastic struct {
	es      *elasticsearch.Client
	index   string
	refresh string
}

var _ Index = (*Elastic)(nil)

// OpenElastic connects and creates the index with its mapping when it does
// not exist.
func OpenElastic(opts ElasticOptions) (*Elastic, error) {
	u, err := url.Parse(opts.URL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("search: Elasticsearch address %q is not a URL", opts.URL)
	}
	cfg := elasticsearch.Config{Transport: opts.HTTP}
	if u.User != nil {
		cfg.Username = u.User.Username()
		cfg.Password, _ = u.User.Password()
		u.User = nil
	}
	cfg.Addresses = []string{u.String()}
	es, err := elasticsearch.NewClient(cfg)
	if err != nil {
		return nil, fmt.Errorf("search: Elasticsearch client: %w", err)
	}
	e := &Elastic{es: es, index: opts.Index, refresh: "false"}
	if e.index == "" {
		e.index = "yiwang"
	}
	if opts.Refresh {
		e.refresh = "wait_for"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := es.Indices.Exists([]string{e.index}, es.Indices.Exists.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("search: Elasticsearch at %s: %w", u.Host, err)
	}
	res.Body.Close()
	if res.StatusCode == http.StatusNotFound {
		res, err := es.Indices.Create(e.index, es.Indices.Create.WithBody(strings.NewReader(ElasticMapping)), es.Indices.Create.WithContext(ctx))
		if err := check(res, err); err != nil && !strings.Contains(err.Error(), "resource_already_exists_exception") {
			return nil, fmt.Errorf("search: create index %s: %w", e.index, err)
		}
	} else {
		// An index made before metadata fields existed learns the field;
		// adding a field is the one mapping change Elasticsearch allows
		// in place, and repeating it is harmless.
		res, err := es.Indices.PutMapping([]string{e.index}, strings.NewReader(`{"properties": {"fields": {"type": "keyword"}}}`), es.Indices.PutMapping.WithContext(ctx))
		if err := check(res, err); err != nil {
			return nil, fmt.Errorf("search: add the fields mapping to index %s: %w", e.index, err)
		}
	}
	return e, nil
}

// ElasticMapping is the index's settings and mapping.
const ElasticMapping = `{
  "settings": {
    "number_of_shards": 1,
    "analysis": {"analyzer": {"yiwang_grams": {"type": "custom", "tokenizer": "whitespace"}}}
  },
  "mappings": {
    "dynamic": "strict",
    "_source": {"excludes": ["x_bi", "x_uni", "t_bi", "t_uni"]},
    "properties": {
      "id":     {"type": "keyword"},
      "tenant": {"type": "keyword"},
      "type":   {"type": "keyword"},
      "fields": {"type": "keyword"},
      "date":   {"type": "date"},
      "url":    {"type": "keyword", "index": false, "doc_values": false},
      "column": {"type": "keyword", "index": false, "doc_values": false},
      "title":  {"type": "text", "index": false},
      "body":   {"type": "text", "index": false},
      "x_bi":   {"type": "text", "analyzer": "yiwang_grams", "position_increment_gap": 100},
      "x_uni":  {"type": "text", "analyzer": "yiwang_grams", "index_options": "freqs"},
      "t_bi":   {"type": "text", "analyzer": "yiwang_grams", "position_increment_gap": 100},
      "t_uni":  {"type": "text", "analyzer": "yiwang_grams", "index_options": "freqs"}
    }
  }
}`

// gramStreams cuts text into the pre-analysed fields: the bigrams of each
// run (one string per run) and the lone units.
func gramStreams(text string) (bi []string, uni string) {
	buf, us := cut(text, nil, nil)
	var ub strings.Builder
	for i := 0; i < len(us); {
		j := i
		for j < len(us) && us[j].run == us[i].run {
			j++
		}
		run := us[i:j]
		var rb strings.Builder
		for k, u := range run {
			if !u.cjk || k == len(run)-1 {
				if ub.Len() > 0 {
					ub.WriteByte(' ')
				}
				ub.Write(buf[u.ns:u.ne])
			}
			if k+1 < len(run) {
				if rb.Len() > 0 {
					rb.WriteByte(' ')
				}
				rb.Write(buf[u.ns:run[k+1].ne])
			}
		}
		if rb.Len() > 0 {
			bi = append(bi, rb.String())
		}
		i = j
	}
	return bi, ub.String()
}

type esDoc struct {
	ID     string    `json:"id"`
	Tenant string    `json:"tenant"`
	Type   string    `json:"type"`
	Date   time.Time `json:"date"`
	URL    string    `json:"url"`
	Column string    `json:"column"`
	Title  string    `json:"title"`
	Body   string    `json:"body"`
	XBi    []string  `json:"x_bi,omitempty"`
	XUni   string    `json:"x_uni,omitempty"`
	TBi    []string  `json:"t_bi,omitempty"`
	TUni   string    `json:"t_uni,omitempty"`
	Fields []string  `json:"fields,omitempty"`
}

func check(res *esapi.Response, err error) error {
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.IsError() {
		b, _ := io.ReadAll(io.LimitReader(res.Body, 2000))
		return fmt.Errorf("elasticsearch: %s: %s", res.Status(), b)
	}
	return nil
}

// bulk sends NDJSON and reports the first item that failed.
func (e *Elastic) bulk(ctx context.Context, body *bytes.Buffer) error {
	res, err := e.es.Bulk(body, e.es.Bulk.WithContext(ctx), e.es.Bulk.WithIndex(e.index), e.es.Bulk.WithRefresh(e.refresh))
	if err != nil {
		return fmt.Errorf("elasticsearch bulk: %w", err)
	}
	defer res.Body.Close()
	if res.IsError() {
		b, _ := io.ReadAll(io.LimitReader(res.Body, 2000))
		return fmt.Errorf("elasticsearch bulk: %s: %s", res.Status(), b)
	}
	var out struct {
		Errors bool `json:"errors"`
		Items  []map[string]struct {
			Status int             `json:"status"`
			Error  json.RawMessage `json:"error"`
		} `json:"items"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		return fmt.Errorf("elasticsearch bulk: %w", err)
	}
	if !out.Errors {
		return nil
	}
	for _, item := range out.Items {
		for op, r := range item {
			if r.Status >= 300 && !(op == "delete" && r.Status == http.StatusNotFound) {
				return fmt.Errorf("elasticsearch bulk %s: %d %s", op, r.Status, r.Error)
			}
		}
	}
	return nil
}

// Upsert implements Index.
func (e *Elastic) Upsert(ctx context.Context, docs ...Doc) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for i := range docs {
		d := &docs[i]
		if err := d.Validate(); err != nil {
			return err
		}
		body := d.Body
		if len(body) > maxBodyBytes {
			body = body[:maxBodyBytes]
		}
		xbi, xuni := gramStreams(d.Title + "\n" + body)
		tbi, tuni := gramStreams(d.Title)
		_ = enc.Encode(map[string]any{"index": map[string]string{"_id": d.ID}})
		if err := enc.Encode(esDoc{ID: d.ID, Tenant: tenantKey(d.TenantID), Type: d.Type, Date: d.Date.UTC(), URL: d.URL, Column: d.Column, Fields: d.Fields,
			Title: d.Title, Body: body, XBi: xbi, XUni: xuni, TBi: tbi, TUni: tuni}); err != nil {
			return err
		}
		if buf.Len() > 8<<20 || i == len(docs)-1 {
			if err := e.bulk(ctx, &buf); err != nil {
				return err
			}
			buf.Reset()
		}
	}
	return nil
}

// Delete implements Index.
func (e *Elastic) Delete(ctx context.Context, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, id := range ids {
		_ = enc.Encode(map[string]any{"delete": map[string]string{"_id": id}})
	}
	return e.bulk(ctx, &buf)
}

// Refresh makes every write so far visible to search.
func (e *Elastic) Refresh(ctx context.Context) error {
	return check(e.es.Indices.Refresh(e.es.Indices.Refresh.WithIndex(e.index), e.es.Indices.Refresh.WithContext(ctx)))
}

// Count implements Index.
func (e *Elastic) Count(ctx context.Context) (int, error) {
	res, err := e.es.Count(e.es.Count.WithIndex(e.index), e.es.Count.WithContext(ctx))
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	if res.IsError() {
		return 0, fmt.Errorf("elasticsearch count: %s", res.Status())
	}
	var out struct {
		Count int `json:"count"`
	}
	err = json.NewDecoder(res.Body).Decode(&out)
	return out.Count, err
}

// Close implements Index.
func (e *Elastic) Close() error { return nil }

type obj = map[string]any

// ElasticWord is the query clause of one word on the fields prefix_bi and
// prefix_uni: exported for tests that check no syntax leaks through.
func ElasticWord(w Word, prefix string) map[string]any {
	var must []any
	for _, run := range w.Runs {
		switch n := len(run); {
		case n == 1:
			r := []rune(run[0])
			if len(r) == 1 && isCJK(r[0]) {
				must = append(must, obj{"bool": obj{"should": []any{
					obj{"prefix": obj{prefix + "_bi": obj{"value": run[0]}}},
					obj{"term": obj{prefix + "_uni": obj{"value": run[0]}}},
				}, "minimum_should_match": 1}})
			} else {
				must = append(must, obj{"term": obj{prefix + "_uni": obj{"value": run[0]}}})
			}
		case n == 2:
			must = append(must, obj{"term": obj{prefix + "_bi": obj{"value": run[0] + run[1]}}})
		default:
			var ph []string
			for k := 0; k+1 < n; k++ {
				ph = append(ph, run[k]+run[k+1])
			}
			must = append(must, obj{"match_phrase": obj{prefix + "_bi": obj{"query": strings.Join(ph, " "), "analyzer": "yiwang_grams"}}})
		}
	}
	return obj{"bool": obj{"must": must}}
}

func (e *Elastic) body(p Parsed, q Query) obj {
	var must, should, filter, mustNot []any
	for _, w := range p.Words {
		must = append(must, ElasticWord(w, "x"))
		tw := ElasticWord(w, "t")
		tw["bool"].(obj)["boost"] = 2
		should = append(should, tw)
	}
	if !q.From.IsZero() || !q.To.IsZero() {
		r := obj{}
		if !q.From.IsZero() {
			r["gte"] = q.From.UTC().Format(time.RFC3339Nano)
		}
		if !q.To.IsZero() {
			r["lte"] = q.To.UTC().Format(time.RFC3339Nano)
		}
		filter = append(filter, obj{"range": obj{"date": r}})
	}
	for _, f := range q.Fields {
		filter = append(filter, obj{"term": obj{"fields": f}})
	}
	if len(q.ExcludeTenants) > 0 {
		mustNot = append(mustNot, obj{"terms": obj{"tenant": tenantKeys(q.ExcludeTenants)}})
	}
	var siteF, typeF any = obj{"match_all": obj{}}, obj{"match_all": obj{}}
	var post []any
	if len(q.Tenants) > 0 {
		siteF = obj{"terms": obj{"tenant": tenantKeys(q.Tenants)}}
		post = append(post, siteF)
	}
	if len(q.Types) > 0 {
		typeF = obj{"terms": obj{"type": q.Types}}
		post = append(post, typeF)
	}
	boolQ := obj{"must": must, "should": should}
	if len(filter) > 0 {
		boolQ["filter"] = filter
	}
	if len(mustNot) > 0 {
		boolQ["must_not"] = mustNot
	}
	b := obj{
		"query":            obj{"bool": boolQ},
		"from":             q.Offset,
		"size":             q.Limit,
		"track_total_hits": true,
		"_source":          []string{"tenant", "type", "date", "url", "column", "title", "body"},
	}
	if len(post) > 0 {
		b["post_filter"] = obj{"bool": obj{"filter": post}}
	}
	if q.Sort == ByTime {
		b["sort"] = []any{obj{"date": "desc"}, obj{"id": "asc"}}
	} else {
		b["sort"] = []any{"_score", obj{"date": "desc"}}
	}
	if q.Facets {
		b["aggs"] = obj{
			"sites": obj{"filter": typeF, "aggs": obj{"v": obj{"terms": obj{"field": "tenant", "size": 200}}}},
			"types": obj{"filter": siteF, "aggs": obj{"v": obj{"terms": obj{"field": "type", "size": 50}}}},
		}
	}
	return b
}

func tenantKeys(ids []int64) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = tenantKey(id)
	}
	return out
}

type esHit struct {
	ID     string  `json:"_id"`
	Score  float64 `json:"_score"`
	Source esDoc   `json:"_source"`
	Sort   []any   `json:"sort"`
}

type esAgg struct {
	V struct {
		Buckets []struct {
			Key      string `json:"key"`
			DocCount int    `json:"doc_count"`
		} `json:"buckets"`
	} `json:"v"`
}

type esResult struct {
	Hits struct {
		Total struct {
			Value int `json:"value"`
		} `json:"total"`
		Hits []esHit `json:"hits"`
	} `json:"hits"`
	Aggregations struct {
		Sites esAgg `json:"sites"`
		Types esAgg `json:"types"`
	} `json:"aggregations"`
}

func (e *Elastic) search(ctx context.Context, body obj) (*esResult, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	res, err := e.es.Search(e.es.Search.WithContext(ctx), e.es.Search.WithIndex(e.index), e.es.Search.WithBody(bytes.NewReader(b)))
	if err != nil {
		return nil, fmt.Errorf("elasticsearch search: %w", err)
	}
	defer res.Body.Close()
	if res.IsError() {
		msg, _ := io.ReadAll(io.LimitReader(res.Body, 2000))
		return nil, fmt.Errorf("elasticsearch search: %s: %s", res.Status(), msg)
	}
	var out esResult
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		return nil, fmt.Errorf("elasticsearch search: %w", err)
	}
	return &out, nil
}

// Search implements Index.
func (e *Elastic) Search(ctx context.Context, q Query) (*Result, error) {
	q.normalise()
	p := ParseQuery(q.Text)
	res := &Result{Parsed: p}
	if len(p.Words) == 0 {
		return res, nil
	}
	out, err := e.search(ctx, e.body(p, q))
	if err != nil {
		return nil, err
	}
	res.Total = out.Hits.Total.Value
	for _, h := range out.Hits.Hits {
		s := h.Source
		hit := Hit{Score: h.Score}
		hit.ID, hit.Type, hit.URL, hit.Title, hit.Body, hit.Column, hit.Date = h.ID, s.Type, s.URL, s.Title, s.Body, s.Column, s.Date
		hit.TenantID, _ = strconv.ParseInt(s.Tenant, 10, 64)
		res.Hits = append(res.Hits, hit)
	}
	if q.Facets {
		for _, b := range out.Aggregations.Sites.V.Buckets {
			res.Sites = append(res.Sites, Count{Key: b.Key, Count: b.DocCount})
		}
		for _, b := range out.Aggregations.Types.V.Buckets {
			res.Types = append(res.Types, Count{Key: b.Key, Count: b.DocCount})
		}
	}
	return res, nil
}

// IDs implements Index.
func (e *Elastic) IDs(ctx context.Context, tenantID int64, typ string) ([]string, error) {
	var out []string
	var after []any
	filter := []any{obj{"term": obj{"tenant": tenantKey(tenantID)}}}
	if typ != "" {
		filter = append(filter, obj{"term": obj{"type": typ}})
	}
	for {
		body := obj{
			"query":   obj{"bool": obj{"filter": filter}},
			"size":    1000,
			"sort":    []any{obj{"id": "asc"}},
			"_source": false,
		}
		if after != nil {
			body["search_after"] = after
		}
		res, err := e.search(ctx, body)
		if err != nil {
			return nil, err
		}
		for _, h := range res.Hits.Hits {
			out = append(out, h.ID)
		}
		if len(res.Hits.Hits) < 1000 {
			return out, nil
		}
		after = res.Hits.Hits[len(res.Hits.Hits)-1].Sort
		if after == nil {
			return out, errors.New("elasticsearch: no sort values to page on")
		}
	}
}
