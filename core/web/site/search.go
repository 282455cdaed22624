package site

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"yiwang/core/content"
	"yiwang/core/search"
	"yiwang/core/web"
	"yiwang/tenants"
)

// The search page: /search on every site. On a sub-site it searches that
// site unless asked for all (scope=all); on the portal it searches every
// site. Everything it needs is in the URL, so a result page can be shared.

// searchPageSize is the number of hits on a page.
const searchPageSize = 10

// searchSlots bounds the searches running at once, so that a flood of
// expensive queries queues instead of starving the page server; a search
// that waits too long answers "busy" in a normal page.
var searchSlots = make(chan struct{}, 4)

// Search is the search page of every site, over idx.
func (s *Pages) Search(idx search.Index) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { s.searchPage(w, r, idx) }
}

// SearchSlash sends /search/ to /search with the same query.
func (s *Pages) SearchSlash(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, strings.TrimSuffix(web.SiteOf(r).Base, "/")+"/search"+web.QuerySuffix(r), http.StatusMovedPermanently)
}

// searchView is the data of search.html.
type searchView struct {
	Q         string // as typed, cleaned
	Scope     string // "site" or "all"
	SubSite   bool   // the page belongs to a sub-site: offer the scope choice
	SiteName  string
	SiteCode  string // a site chosen from the facets, "" for none
	Type      string
	From, To  string // YYYY-MM-DD
	Sort      string
	Page      int
	Start     int  // number of the first hit on the page
	Searched  bool // a query was given
	Truncated bool
	Failed    bool // the index did not answer
	BadDate   bool
	OldIndex  bool // the index cannot filter by metadata fields

	Meta    []metaFilter
	MetaSet bool // a metadata filter is given

	Total   int
	Took    string
	Hits    []searchHit
	Sites   []facetLink
	Types   []facetLink
	AllSite facetLink // "all sites" in the site facet
	AllType facetLink
	Pages   []pageLink
	Prev    string
	Next    string
	Last    int

	Suggestions []suggestionLink
	ScopeAll    string // the same search on every site
	ScopeSite   string // the same search on this site only
	ClearURL    string // the same words without filters
	SortRel     string
	SortTime    string

	TypeOptions []option
	action      string
	params      url.Values
}

// metaFilter is a metadata field of disclosure items the page filters by:
// modules tag their documents "key=value" (plugins/disclosure).
type metaFilter struct {
	Key, Label, Hint, Value string
}

// metaFilters are the disclosure catalogue's fields, in the order of the
// item's metadata table.
var metaFilters = []metaFilter{
	{Key: "publisher", Label: "发布机构", Hint: "例如 思南县教育局"},
	{Key: "category", Label: "分类", Hint: "例如 政策文件"},
	{Key: "genre", Label: "体裁分类", Hint: "例如 行政规范性文件"},
	{Key: "year", Label: "年份", Hint: "例如 2026"},
}

type searchHit struct {
	URL       string
	TitleHTML template.HTML
	Snippet   template.HTML
	SiteName  string
	SiteURL   string
	TypeLabel string
	Column    string
	Date      string
	DateISO   string
}

type facetLink struct {
	Label   string
	Count   int
	URL     string
	Current bool
}

type pageLink struct {
	Number  int
	URL     string
	Current bool
}

type suggestionLink struct {
	Label string
	URL   string
	Count int
}

type option struct {
	Value, Label string
	Selected     bool
}

// link is the page's URL with some parameters changed ("" removes one);
// any change but the page's own resets the page.
func (v *searchView) link(kv ...string) string {
	p := url.Values{}
	for k, vs := range v.params {
		p[k] = append([]string(nil), vs...)
	}
	resetPage := true
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i] == "page" {
			resetPage = false
		}
		if kv[i+1] == "" {
			p.Del(kv[i])
		} else {
			p.Set(kv[i], kv[i+1])
		}
	}
	if resetPage {
		p.Del("page")
	}
	if p.Get("page") == "1" {
		p.Del("page")
	}
	return v.action + "?" + p.Encode()
}

func (s *Pages) searchPage(w http.ResponseWriter, r *http.Request, idx search.Index) {
	site := web.SiteOf(r)
	v := &searchView{action: site.Base + "search", SubSite: !site.Tenant.IsPortal(), SiteName: site.Tenant.Name}
	in := r.URL.Query()
	parsed := search.ParseQuery(in.Get("q"))
	v.Q, v.Truncated = parsed.Text, parsed.Truncated
	v.Scope = in.Get("scope")
	if v.Scope != "all" && v.Scope != "site" {
		v.Scope = "site"
		if site.Tenant.IsPortal() {
			v.Scope = "all"
		}
	}
	byCode, byID := map[string]*tenants.Tenant{}, map[int64]*tenants.Tenant{}
	q := search.Query{Text: v.Q, Facets: true, Limit: searchPageSize}
	for _, t := range web.Tenants(r) {
		byID[t.ID] = t
		byCode[t.Code] = t
		if t.Status == tenants.Archived {
			q.ExcludeTenants = append(q.ExcludeTenants, t.ID)
		}
	}
	if t := byCode[in.Get("site")]; t != nil && t.Status == tenants.Active {
		v.SiteCode = t.Code
		q.Tenants = []int64{t.ID}
	} else if v.Scope == "site" {
		q.Tenants = []int64{site.Tenant.ID}
	}
	if typ := in.Get("type"); typ != "" && len(typ) <= 32 {
		v.Type = typ
		q.Types = []string{typ}
	}
	for _, m := range metaFilters {
		m.Value = strings.TrimSpace(in.Get(m.Key))
		if len(m.Value) > 100 {
			m.Value = ""
		}
		if m.Value != "" {
			q.Fields = append(q.Fields, search.Field(m.Key, m.Value))
			v.MetaSet = true
		}
		v.Meta = append(v.Meta, m)
	}
	v.From, v.To = in.Get("from"), in.Get("to")
	if d, ok := parseDay(v.From); ok {
		q.From = d
	} else if v.From != "" {
		v.BadDate, v.From = true, ""
	}
	if d, ok := parseDay(v.To); ok {
		q.To = d.Add(24*time.Hour - time.Nanosecond)
	} else if v.To != "" {
		v.BadDate, v.To = true, ""
	}
	if in.Get("sort") == "time" {
		v.Sort, q.Sort = "time", search.ByTime
	}
	v.Page, _ = strconv.Atoi(in.Get("page"))
	maxPage := search.MaxOffset/searchPageSize + 1
	v.Page = max(1, min(v.Page, maxPage))
	q.Offset = (v.Page - 1) * searchPageSize
	v.Start = q.Offset + 1

	v.params = url.Values{}
	for k, val := range map[string]string{"q": v.Q, "site": v.SiteCode, "type": v.Type, "from": v.From, "to": v.To, "sort": v.Sort} {
		if val != "" {
			v.params.Set(k, val)
		}
	}
	for _, m := range v.Meta {
		if m.Value != "" {
			v.params.Set(m.Key, m.Value)
		}
	}
	if v.SubSite {
		v.params.Set("scope", v.Scope)
	}
	v.ScopeAll, v.ScopeSite = v.link("scope", "all", "site", ""), v.link("scope", "site", "site", "")
	v.SortRel, v.SortTime = v.link("sort", ""), v.link("sort", "time")
	v.ClearURL = v.link("site", "", "type", "", "from", "", "to", "", "publisher", "", "category", "", "genre", "", "year", "")
	for _, typ := range []string{search.TypeArticle, search.TypeDisclosure, search.TypeLetter, search.TypeInterview, search.TypeTopic, search.TypeVideo} {
		v.TypeOptions = append(v.TypeOptions, option{typ, search.TypeLabel(typ), typ == v.Type})
	}

	title := "搜索"
	if v.Q != "" {
		v.Searched = true
		title = "搜索：" + v.Q
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		var res *search.Result
		err := withSlot(ctx, func() (err error) { res, err = search.Search(ctx, idx, q); return err })
		if errors.Is(err, search.ErrNoFields) {
			v.OldIndex = true
		} else if err != nil {
			s.srv.Log().Error("search", "q", v.Q, "err", err)
			v.Failed = true
		} else {
			s.fillResults(r, v, res, q, byID, byCode)
			if res.Total == 0 {
				_ = withSlot(ctx, func() error { s.fillSuggestions(ctx, r, v, idx, q, byID); return nil })
			}
		}
	}
	s.srv.RenderPage(w, r, "search", title, []web.Crumb{{Name: "搜索"}}, v)
}

// withSlot runs fn holding one of the search slots, or gives up when ctx ends first.
func withSlot(ctx context.Context, fn func() error) error {
	select {
	case searchSlots <- struct{}{}:
		defer func() { <-searchSlots }()
		return fn()
	case <-ctx.Done():
		return ctx.Err()
	}
}

func parseDay(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	d, err := time.ParseInLocation("2006-01-02", s, content.Location)
	if err != nil || d.Year() < 1990 || d.Year() > 2100 {
		return time.Time{}, false
	}
	return d, true
}

func (s *Pages) fillResults(r *http.Request, v *searchView, res *search.Result, q search.Query, byID map[int64]*tenants.Tenant, byCode map[string]*tenants.Tenant) {
	v.Total = res.Total
	v.Took = strconv.FormatFloat(res.Took.Seconds(), 'f', 3, 64)
	for _, h := range res.Hits {
		t := byID[h.TenantID]
		if t == nil {
			continue
		}
		base := web.SiteBase(r, t)
		v.Hits = append(v.Hits, searchHit{
			URL: base + h.URL, TitleHTML: h.TitleHTML, Snippet: h.Snippet, SiteName: t.Name, SiteURL: base,
			TypeLabel: search.TypeLabel(h.Type), Column: h.Column,
			Date: content.FormatTime(h.Date), DateISO: h.Date.In(content.Location).Format(time.RFC3339),
		})
	}
	// Facets: each value links to the same search narrowed to it.
	all := 0
	for _, c := range res.Sites {
		id, _ := strconv.ParseInt(c.Key, 10, 64)
		t := byID[id]
		if t == nil || t.Status != tenants.Active {
			continue
		}
		all += c.Count
		v.Sites = append(v.Sites, facetLink{Label: t.Name, Count: c.Count, URL: v.link("site", t.Code, "scope", "all"), Current: t.Code == v.SiteCode})
	}
	if len(v.Sites) > 30 && v.SiteCode == "" {
		v.Sites = v.Sites[:30]
	}
	v.AllSite = facetLink{Label: "全部站点", Count: all, URL: v.link("site", "", "scope", "all"), Current: v.SiteCode == "" && v.Scope == "all"}
	all = 0
	for _, c := range res.Types {
		all += c.Count
		v.Types = append(v.Types, facetLink{Label: search.TypeLabel(c.Key), Count: c.Count, URL: v.link("type", c.Key), Current: c.Key == v.Type})
	}
	v.AllType = facetLink{Label: "全部类型", Count: all, URL: v.link("type", ""), Current: v.Type == ""}

	// Pages: the first, the last reachable, and a window around this one.
	last := (v.Total + searchPageSize - 1) / searchPageSize
	last = min(last, search.MaxOffset/searchPageSize+1)
	v.Last = last
	for n := 1; n <= last; n++ {
		if n == 1 || n == last || (n >= v.Page-2 && n <= v.Page+2) {
			v.Pages = append(v.Pages, pageLink{Number: n, URL: v.link("page", strconv.Itoa(n)), Current: n == v.Page})
		} else if len(v.Pages) > 0 && v.Pages[len(v.Pages)-1].Number != 0 {
			v.Pages = append(v.Pages, pageLink{}) // a gap
		}
	}
	if v.Page > 1 {
		v.Prev = v.link("page", strconv.Itoa(v.Page-1))
	}
	if v.Page < last {
		v.Next = v.link("page", strconv.Itoa(v.Page+1))
	}
}

func (s *Pages) fillSuggestions(ctx context.Context, r *http.Request, v *searchView, idx search.Index, q search.Query, byID map[int64]*tenants.Tenant) {
	sugs, err := search.Suggest(ctx, idx, q)
	if err != nil {
		s.srv.Log().Warn("search suggestions", "err", err)
		return
	}
	for _, sg := range sugs {
		kv := []string{"q", sg.Query.Text}
		if len(sg.Query.Tenants) == 0 {
			kv = append(kv, "site", "", "scope", "all")
		}
		if len(sg.Query.Types) == 0 {
			kv = append(kv, "type", "")
		}
		if sg.Query.From.IsZero() && sg.Query.To.IsZero() {
			kv = append(kv, "from", "", "to", "")
		}
		v.Suggestions = append(v.Suggestions, suggestionLink{Label: sg.Label, URL: v.link(kv...), Count: sg.Count})
	}
}
