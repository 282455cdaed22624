package demo

import (
	"math/rand/v2"
	"slices"
	"strconv"

	"yiwang/core/content"
	"yiwang/tenants"
)

// draft is an article to write into the column with slug.
type draft struct {
	slug    string
	article content.Article
}

// plan collects one tenant's drafts; a title is written once per tenant.
type plan struct {
	drafts []draft
	titles map[string]bool
	docNos map[string]bool
}

func (p *plan) add(slug string, a content.Article) bool {
	if p.titles[a.Title] {
		return false
	}
	p.titles[a.Title] = true
	p.drafts = append(p.drafts, draft{slug: slug, article: a})
	return true
}

// planTenant makes the tenant's demo articles. It reads no database and
// no clock: the same tenant gets the same text on every run.
func planTenant(t *tenants.Tenant, deps, towns []*tenants.Tenant) []draft {
	u := newUnit(t)
	r := newRand(t.Code, "articles")
	p := &plan{titles: map[string]bool{}, docNos: map[string]bool{}}
	// Articles published in one transaction share nearly one time and
	// list newest id first, so the pages go in first and the news last:
	// a home page's "latest" then shows news.
	p.add("xxgk", guide(r, u))
	p.add("hdjl", interaction(r, u))
	issued := p.policies(r, u, 2+r.IntN(2))
	p.notices(r, u, 3+r.IntN(3), issued)
	p.news(r, u, "gzdt", 6+r.IntN(5))
	if t.IsPortal() {
		p.fromUnits(t.Code, "xzcz", towns, 10)
		p.fromUnits(t.Code, "bmdt", deps, 10)
		for _, st := range shuffled(r, portalHeadlines) {
			p.add("ywdt", news(r, u, st))
		}
	}
	return p.drafts
}

func shuffled[T any](r *rand.Rand, xs []T) []T {
	out := slices.Clone(xs)
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// news writes n stories into slug: the unit's headlines first, then
// drawn ones, which go through the unit's topics and the kinds of event
// before repeating any, so that a column does not read the same twice.
func (p *plan) news(r *rand.Rand, u *unit, slug string, n int) {
	written := 0
	for _, st := range u.p.heads {
		if written == n {
			return
		}
		if p.add(slug, news(r, u, st)) {
			written++
		}
	}
	d := newDeck(r, u)
	for tries := 0; written < n && tries < 20*n; tries++ {
		if p.add(slug, news(r, u, d.next())) {
			written++
		}
	}
}

// deck deals stories: each topic once, then each again, with the events
// dealt the same way.
type deck struct {
	r      *rand.Rand
	topics []string
	events []event
	i      int
}

func newDeck(r *rand.Rand, u *unit) *deck {
	topics := slices.Clone(u.p.topics)
	if u.p.mixGeneric {
		topics = append(topics, shuffled(r, genericProfile.topics)[:2]...)
	}
	events := make([]event, numEvents)
	for i := range events {
		events[i] = event(i)
	}
	return &deck{r: r, topics: shuffled(r, topics), events: shuffled(r, events)}
}

func (d *deck) next() story {
	st := story{topic: d.topics[d.i%len(d.topics)], ev: d.events[d.i%len(d.events)]}
	d.i++
	if d.i%len(d.topics) == 0 {
		d.topics = shuffled(d.r, d.topics)
	}
	return st
}

// fromUnits fills one of the portal's columns with news of other units
// (departments, townships), each under its own name as source.
func (p *plan) fromUnits(portal, slug string, units []*tenants.Tenant, n int) {
	if len(units) == 0 {
		return
	}
	us := shuffled(newRand(portal, slug), units)
	written := 0
	for i := 0; written < n && i < 3*n; i++ {
		t := us[i%len(us)]
		r, u := newRand(t.Code, slug+strconv.Itoa(i/len(us))), newUnit(t)
		if p.add(slug, news(r, u, newDeck(r, u).next())) {
			written++
		}
	}
}

// policies writes n documents into 政策文件: the unit's first policy with
// its reading, then further policies. It returns how many policies it
// issued, so that a consultation does not ask about an issued one.
func (p *plan) policies(r *rand.Rand, u *unit, n int) int {
	ps := u.p.policies
	issued := 0
	for i := 0; i < n; i++ {
		switch {
		case i == 1:
			p.add("zcwj", reading(r, u, ps[0]))
		case issued < len(ps):
			abbr, no := u.abbr, p.docNo(r, u.abbr)
			if u.t.IsPortal() && issued == 0 {
				// The search tests look for this number.
				abbr, no = "思府发", 12
			}
			p.add("zcwj", policyDoc(r, u, ps[issued], abbr, no))
			issued++
		}
	}
	return issued
}

func (p *plan) docNo(r *rand.Rand, abbr string) int {
	for {
		no := 1 + r.IntN(60)
		if k := abbr + strconv.Itoa(no); !p.docNos[k] {
			p.docNos[k] = true
			return no
		}
	}
}

// notices writes n notices: the unit's own subjects, a consultation on a
// policy not yet issued, then generic subjects.
func (p *plan) notices(r *rand.Rand, u *unit, n int, issued int) {
	var cands []content.Article
	for _, s := range shuffled(r, u.p.notices) {
		cands = append(cands, notice(r, u, s))
	}
	if issued < len(u.p.policies) {
		cands = append(cands, consultation(r, u, u.p.policies[issued]))
	}
	for _, s := range shuffled(r, genericNotices) {
		cands = append(cands, notice(r, u, s))
	}
	written := 0
	for _, a := range cands {
		if written == n {
			return
		}
		if p.add("tzgg", a) {
			written++
		}
	}
}
