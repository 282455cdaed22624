package search

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// Suggestion is another search to offer when one finds nothing, with how
// many documents it finds.
type Suggestion struct {
	Label string
	Query Query
	Count int
}

// Suggest proposes searches that do find something, for a query q that
// found nothing: the same words on every site, without the type and date
// filters, each word alone, and a long word cut in two. Only suggestions
// that find documents are returned, at most five.
func Suggest(ctx context.Context, idx Index, q Query) ([]Suggestion, error) {
	p := ParseQuery(q.Text)
	if len(p.Words) == 0 {
		return nil, nil
	}
	base := q
	base.Offset, base.Limit, base.Facets, base.Sort = 0, 1, false, ByRelevance
	var cands []Suggestion
	if len(q.Tenants) > 0 {
		c := base
		c.Tenants = nil
		cands = append(cands, Suggestion{Label: "在全部站点中搜索“" + p.Text + "”", Query: c})
	}
	if len(q.Types) > 0 || !q.From.IsZero() || !q.To.IsZero() {
		c := base
		c.Tenants, c.Types, c.From, c.To = nil, nil, time.Time{}, time.Time{}
		cands = append(cands, Suggestion{Label: "去掉类型和日期筛选，在全部站点中搜索“" + p.Text + "”", Query: c})
	}
	open := base
	open.Tenants, open.Types, open.From, open.To = nil, nil, time.Time{}, time.Time{}
	if len(p.Words) > 1 {
		for _, w := range p.Words {
			c := open
			c.Text = w.Text
			cands = append(cands, Suggestion{Label: "只搜索“" + w.Text + "”", Query: c})
		}
	} else if w := p.Words[0].Text; utf8.RuneCountInString(w) >= 4 {
		// A long word may be two words written together: 教育局招生 → 教育局 招生.
		rs := []rune(w)
		half := len(rs) / 2
		c := open
		c.Text = string(rs[:half]) + " " + string(rs[half:])
		cands = append(cands, Suggestion{Label: "分开搜索“" + strings.Replace(c.Text, " ", "”和“", 1) + "”", Query: c})
	}
	var out []Suggestion
	for _, c := range cands {
		if len(out) == 5 {
			break
		}
		res, err := idx.Search(ctx, c.Query)
		if err != nil {
			return out, err
		}
		if res.Total > 0 {
			c.Count = res.Total
			out = append(out, c)
		}
	}
	return out, nil
}
