// Package search is the platform's one search across the portal, every
// sub-site and every module: the document model, the Index interface every
// backend implements (bleve embedded by default, Elasticsearch/OpenSearch
// for more than one machine), the Chinese analysis they share, highlighting,
// suggestions, and the outbox that feeds the index from published content.
//
// Only published, public content is ever a Doc: the sources (core content,
// modules through the plugin host) decide that before anything reaches an
// Index, and the outbox worker re-reads the database on every change, so a
// draft, a withdrawn article or an archived tenant's page never stays in it.
package search

import (
	"context"
	"errors"
	"html/template"
	"strings"
	"time"
)

// Types of document. Modules add their own (their module name); these are
// the ones the platform knows labels for.
const (
	TypeArticle    = "article"    // a core article
	TypeDisclosure = "disclosure" // 政府信息公开 item
	TypeLetter     = "letter"     // a mailbox letter chosen for publication, with its reply
	TypeInterview  = "interview"  // an online interview transcript
	TypeTopic      = "topic"      // a topic page
	TypeVideo      = "video"      // a published video (电视新闻)
)

// TypeLabel is the Chinese name of a document type.
func TypeLabel(t string) string {
	switch t {
	case TypeArticle:
		return "文章"
	case TypeDisclosure:
		return "信息公开"
	case TypeLetter:
		return "信件"
	case TypeInterview:
		return "在线访谈"
	case TypeTopic:
		return "专题"
	case TypeVideo:
		return "视频"
	}
	return t
}

// Doc is one searchable document: published, public content of one tenant.
type Doc struct {
	// ID is unique across the platform: the type, a colon and the
	// source's own key ("article:123", "letter:45").
	ID       string
	TenantID int64
	Type     string
	// URL is the document's path relative to its site's base ("art/123",
	// "mailbox/letters/45"), so that it follows the site to any domain.
	URL   string
	Title string
	Body  string // plain text, no markup
	// Column is a label shown with the hit (the column name), optional.
	Column string
	Date   time.Time
	// Fields are metadata a search page filters by, each "key=value"
	// (a disclosure item's "publisher=思南县教育局", "year=2026"). They
	// match whole, never by words; the words a person may type are in
	// the body.
	Fields []string
}

// Field joins a metadata key and value as Doc.Fields and Query.Fields
// hold them.
func Field(key, value string) string { return key + "=" + value }

// Validate checks what every backend relies on.
func (d *Doc) Validate() error {
	switch {
	case d.ID == "" || len(d.ID) > 200:
		return errors.New("search: document needs an id of at most 200 bytes")
	case d.TenantID <= 0:
		return errors.New("search: document " + d.ID + " has no tenant")
	case d.Type == "":
		return errors.New("search: document " + d.ID + " has no type")
	}
	for _, f := range d.Fields {
		if !strings.Contains(f, "=") || len(f) > 300 {
			return errors.New("search: document " + d.ID + " has a field that is not key=value of at most 300 bytes")
		}
	}
	return nil
}

// Sort orders results.
type Sort string

const (
	ByRelevance Sort = ""     // best match first, newest first among equals
	ByTime      Sort = "time" // newest first
)

// Query is one search. Text is what a person typed: any string at all is
// a valid query (it is parsed by ParseQuery, never by a query language).
type Query struct {
	Text string
	// Tenants restricts to these tenants; none means every tenant.
	Tenants []int64
	// ExcludeTenants drops these tenants (archived ones).
	ExcludeTenants []int64
	// Types restricts to these types; none means every type.
	Types []string
	// Fields restricts to documents holding every one of these
	// "key=value" fields.
	Fields []string
	// From and To bound the date, inclusive; zero means open.
	From, To time.Time
	Sort     Sort
	Offset   int
	Limit    int // default 10, at most 100
	// Facets asks for counts by tenant and type.
	Facets bool
}

// MaxOffset bounds deep paging: nobody reads result 1,000, and the cost of
// a page grows with its offset.
const MaxOffset = 1000

func (q *Query) normalise() {
	if q.Limit <= 0 {
		q.Limit = 10
	}
	q.Limit = min(q.Limit, 100)
	q.Offset = max(0, min(q.Offset, MaxOffset))
}

// Result is one page of hits.
type Result struct {
	Total  int
	Hits   []Hit
	Sites  []Count // facet counts by tenant (Key is the tenant id), most first
	Types  []Count // facet counts by type, most first
	Parsed Parsed  // the query as it was understood
	Took   time.Duration
}

// Count is one facet value.
type Count struct {
	Key   string
	Count int
}

// Hit is one document found, with highlighting.
type Hit struct {
	Doc
	Score float64
	// TitleHTML and Snippet are escaped text with the query's words in
	// <mark>: safe to put in a page as they are.
	TitleHTML template.HTML
	Snippet   template.HTML
}

// Index is a search backend. Every backend passes the conformance suite in
// core/search/searchtest. Upsert and Delete are idempotent: applying the
// same change twice leaves the index as applying it once.
type Index interface {
	// Upsert adds or replaces documents by id.
	Upsert(ctx context.Context, docs ...Doc) error
	// Delete removes documents by id; unknown ids are no error.
	Delete(ctx context.Context, ids ...string) error
	// Search runs q. Hits carry stored fields; highlighting is added by
	// Search (the package function), not by backends.
	Search(ctx context.Context, q Query) (*Result, error)
	// IDs lists the ids of a tenant's documents of one type, or of every
	// type when typ is "", sorted (for a rebuild
	// to remove what the database no longer has).
	IDs(ctx context.Context, tenantID int64, typ string) ([]string, error)
	// Count is the number of documents in the index.
	Count(ctx context.Context) (int, error)
	Close() error
}

// Sink is what a module reaches through the plugin host's service to put
// its published documents into the search (and take them out). The host
// implements it with the outbox-fed Index and checks that the tenant has
// the module enabled and the type is the module's before calling it.
type Sink interface {
	Index(ctx context.Context, docs ...Doc) error
	Remove(ctx context.Context, ids ...string) error
}

// DirectSink writes straight to an Index, with no outbox: for tests and
// for tools that run beside no database.
type DirectSink struct{ To Index }

func (s DirectSink) Index(ctx context.Context, docs ...Doc) error {
	for i := range docs {
		if err := docs[i].Validate(); err != nil {
			return err
		}
	}
	return s.To.Upsert(ctx, docs...)
}

func (s DirectSink) Remove(ctx context.Context, ids ...string) error {
	return s.To.Delete(ctx, ids...)
}

// Search runs q on idx and highlights the hits: the one entry point pages
// use, whatever the backend.
func Search(ctx context.Context, idx Index, q Query) (*Result, error) {
	q.normalise()
	start := time.Now()
	parsed := ParseQuery(q.Text)
	if len(parsed.Words) == 0 {
		return &Result{Parsed: parsed}, nil
	}
	res, err := idx.Search(ctx, q)
	if err != nil {
		return nil, err
	}
	res.Parsed = parsed
	// The index's conjunctions of grams can, rarely, let through a long
	// word whose parts occur apart (人民群众 … 群众切身利益): a hit is
	// checked against its stored text, by the same cut, and dropped when
	// a word is not in it, so that what a page shows is exact.
	kept := res.Hits[:0]
	for _, h := range res.Hits {
		if !holdsAll(h.Title+"\n"+h.Body, parsed) {
			res.Total--
			continue
		}
		h.TitleHTML = HighlightTitle(h.Title, parsed)
		h.Snippet = Snippet(h.Body, parsed, SnippetRunes)
		kept = append(kept, h)
	}
	res.Hits = kept
	res.Took = time.Since(start)
	return res, nil
}
