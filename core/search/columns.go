package search

import (
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/numeric"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/collector"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// columns keep, for each segment of one bleve shard, every document's
// facet key (tenant and type) and date as plain arrays, read once when the
// segment first appears. Facet counts and time order then cost an array
// read per match: read from bleve's doc values instead, they were 40% of
// a search's CPU, since doc values are decompressed chunk by chunk for
// every search that touches them. Segments never change once written, so
// an entry stays right for as long as the segment lives; entries of
// segments merged away are dropped on the next look.
type columns struct {
	mu   sync.Mutex
	segs map[uint64]*segColumns // by segment id
	// keys is the table of facet keys ("12/article") the arrays index;
	// it only grows, so a view may keep a prefix of it.
	keys  []string
	keyOf map[string]uint32
}

type segColumns struct {
	facet []uint32 // index into keys; noKey when the document has none
	date  []int64  // Unix nanoseconds
}

const noKey = ^uint32(0)

func newColumns() *columns {
	return &columns{segs: map[uint64]*segColumns{}, keyOf: map[string]uint32{}}
}

// colView is the columns of one index snapshot.
type colView struct {
	offsets []uint64 // first global document number of each segment
	segs    []*segColumns
	keys    []string
}

// at returns the columns and local number of a global document number.
func (v *colView) at(num uint64) (*segColumns, uint64) {
	i := sort.Search(len(v.offsets), func(x int) bool { return v.offsets[x] > num }) - 1
	return v.segs[i], num - v.offsets[i]
}

// view returns the columns of the snapshot a search runs on, reading the
// segments it has not seen yet.
func (c *columns) view(r index.IndexReader) (*colView, error) {
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return nil, fmt.Errorf("search: index reader %T is not a scorch snapshot", r)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	segs := snap.Segments()
	v := &colView{offsets: make([]uint64, len(segs)), segs: make([]*segColumns, len(segs))}
	live := make(map[uint64]bool, len(segs))
	var running uint64
	for i, ss := range segs {
		v.offsets[i] = running
		running += ss.Segment().Count()
		live[ss.Id()] = true
		sc := c.segs[ss.Id()]
		if sc == nil {
			var err error
			if sc, err = c.read(ss.Segment()); err != nil {
				return nil, err
			}
			c.segs[ss.Id()] = sc
		}
		v.segs[i] = sc
	}
	for id := range c.segs {
		if !live[id] {
			delete(c.segs, id)
		}
	}
	v.keys = c.keys[:len(c.keys):len(c.keys)]
	return v, nil
}

var columnFields = []string{"facet", "date"}

// read reads a segment's columns from its doc values, document by
// document in order, so that each chunk is decompressed once.
func (c *columns) read(seg segment.Segment) (*segColumns, error) {
	dv, ok := seg.(segment.DocValueVisitable)
	if !ok {
		return nil, errors.New("search: segment without doc values")
	}
	n := seg.Count()
	sc := &segColumns{facet: make([]uint32, n), date: make([]int64, n)}
	var state segment.DocVisitState
	var err error
	for doc := uint64(0); doc < n; doc++ {
		sc.facet[doc] = noKey
		state, err = dv.VisitDocValues(doc, columnFields, func(field string, term []byte) {
			switch field {
			case "facet":
				sc.facet[doc] = c.key(term)
			case "date":
				// A date is indexed at several precisions; the full one
				// has shift 0.
				pc := numeric.PrefixCoded(term)
				if shift, err := pc.Shift(); err == nil && shift == 0 {
					if v, err := pc.Int64(); err == nil {
						sc.date[doc] = v
					}
				}
			}
		}, state)
		if err != nil {
			return nil, fmt.Errorf("search: read columns of document %d: %w", doc, err)
		}
	}
	return sc, nil
}

func (c *columns) key(term []byte) uint32 {
	if k, ok := c.keyOf[string(term)]; ok {
		return k
	}
	k := uint32(len(c.keys))
	c.keys = append(c.keys, string(term))
	c.keyOf[string(term)] = k
	return k
}

// newest keeps the want newest documents of a search by time, as global
// document numbers of one snapshot: a min-heap on the date.
type newest struct {
	want int
	h    []stamped
}

type stamped struct {
	date int64
	num  uint64
}

// older orders by date, then by document number, so that equal dates come
// in one order on every page.
func (a stamped) older(b stamped) bool {
	if a.date != b.date {
		return a.date < b.date
	}
	return a.num > b.num
}

func (n *newest) offer(s stamped) {
	if n.want <= 0 {
		return
	}
	if len(n.h) < n.want {
		n.h = append(n.h, s)
		for i := len(n.h) - 1; i > 0; {
			p := (i - 1) / 2
			if !n.h[i].older(n.h[p]) {
				break
			}
			n.h[i], n.h[p] = n.h[p], n.h[i]
			i = p
		}
		return
	}
	if !n.h[0].older(s) {
		return
	}
	n.h[0] = s
	for i := 0; ; {
		l, m := 2*i+1, i
		if l < len(n.h) && n.h[l].older(n.h[m]) {
			m = l
		}
		if r := l + 1; r < len(n.h) && n.h[r].older(n.h[m]) {
			m = r
		}
		if m == i {
			break
		}
		n.h[i], n.h[m] = n.h[m], n.h[i]
		i = m
	}
}

// sorted returns the kept documents newest first.
func (n *newest) sorted() []stamped {
	out := append([]stamped(nil), n.h...)
	sort.Slice(out, func(i, j int) bool { return out[j].older(out[i]) })
	return out
}

// shardCollect is what a search gathers on one shard beside bleve's own
// top hits: facet counts by key, and the newest documents for time order.
type shardCollect struct {
	cols   *columns
	facets bool
	byTime bool
	counts []int
	keys   []string
	top    newest
	// ids are the external ids of top, newest first, with their dates.
	ids   []string
	dates []int64
}

// handler is the bleve document-match handler of the collection: it sees
// every match of the shard's search on the snapshot the search runs on.
func (s *shardCollect) handler(sctx *bsearch.SearchContext) (bsearch.DocumentMatchHandler, bool, error) {
	v, err := s.cols.view(sctx.IndexReader)
	if err != nil {
		return nil, false, err
	}
	s.keys = v.keys
	s.counts = make([]int, len(v.keys))
	var inner bsearch.DocumentMatchHandler
	loadID := false
	if !s.byTime {
		if inner, loadID, err = collector.MakeTopNDocumentMatchHandler(sctx); err != nil {
			return nil, false, err
		}
	}
	return func(d *bsearch.DocumentMatch) error {
		if d == nil {
			if s.byTime {
				for _, st := range s.top.sorted() {
					id, err := sctx.IndexReader.ExternalID(index.NewIndexInternalID(nil, st.num))
					if err != nil {
						return err
					}
					s.ids = append(s.ids, id)
					s.dates = append(s.dates, st.date)
				}
				return nil
			}
			return inner(nil)
		}
		num := d.IndexInternalID.Value()
		sc, local := v.at(num)
		if s.facets {
			if k := sc.facet[local]; k != noKey {
				s.counts[k]++
			}
		}
		if s.byTime {
			s.top.offer(stamped{date: sc.date[local], num: num})
			sctx.DocumentMatchPool.Put(d)
			return nil
		}
		return inner(d)
	}, loadID, nil
}
