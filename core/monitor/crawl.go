package monitor

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"golang.org/x/net/html"

	"yiwang/core/content"
	"yiwang/core/store"
	"yiwang/tenants"
)

// The link crawler walks each site's own pages through the host's
// handler (never over the network, never another server's pages), checks
// every link on them that stays on the platform, and asks each outside
// address once per run through the editorial desk's public-only checker,
// one request per host at a time with a pause between them.

// Crawler finds broken links on the platform's pages.
type Crawler struct {
	DB      *store.DB
	Handler http.Handler
	// Target is the host and path of a site's home page.
	Target func(t *tenants.Tenant) (host, path string)
	// Internal reports whether a host is one of the platform's.
	Internal func(host string) bool
	// External checks an outside link; nil checks none.
	External content.LinkChecker
	Pages    int           // pages per site; default 200
	HostGap  time.Duration // between two requests to one outside host; default 1 s
	Timeout  time.Duration // per outside request; default 10 s
	MaxOut   int           // outside links per run; default 2000

	mu       sync.Mutex
	outside  map[string]string    // url → "" or the error, this run
	lastHost map[string]time.Time // outside host → last request
}

// BrokenLink is a link that does not answer, and the page it is on.
type BrokenLink struct {
	TenantID int64  `db:"tenant_id"`
	Page     string `db:"page"`
	Href     string `db:"href"`
	External bool   `db:"external"`
	Status   int    `db:"status"`
	Err      string `db:"error"`
}

// Run crawls every active site and keeps each site's broken links.
func (c *Crawler) Run(ctx context.Context, ts []*tenants.Tenant) (pages int, err error) {
	c.mu.Lock()
	c.outside, c.lastHost = map[string]string{}, map[string]time.Time{}
	c.mu.Unlock()
	for _, t := range ts {
		if t.Status != tenants.Active {
			continue
		}
		broken, n, err := c.CrawlSite(ctx, t)
		if err != nil {
			return pages, err
		}
		pages += n
		if err := c.keep(ctx, t.ID, broken); err != nil {
			return pages, err
		}
	}
	return pages, nil
}

func (c *Crawler) keep(ctx context.Context, tenantID int64, broken []BrokenLink) error {
	now := store.Now()
	return c.DB.Tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM monitor_links WHERE tenant_id = ?`, tenantID); err != nil {
			return fmt.Errorf("keep links: %w", err)
		}
		for _, b := range broken {
			if _, err := tx.ExecContext(ctx, `INSERT INTO monitor_links (tenant_id, page, href, external, status, error, checked_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				tenantID, clip(b.Page, 500), clip(b.Href, 1000), boolInt(b.External), b.Status, clip(b.Err, 200), now); err != nil {
				return fmt.Errorf("keep links: %w", err)
			}
		}
		return nil
	})
}

// fetched is an internal page as the handler answered it.
type fetched struct {
	status int
	html   bool
	body   []byte
	final  *url.URL
	err    string
}

// get asks the handler for u, following up to 5 redirects on the
// platform; a loop or a redirect elsewhere ends there.
func (c *Crawler) get(ctx context.Context, u *url.URL) fetched {
	for hop := 0; hop <= 5; hop++ {
		req := httptest.NewRequestWithContext(ctx, http.MethodGet, u.RequestURI(), nil)
		req.Host = u.Host
		req.RemoteAddr = "127.0.0.1:0"
		req.Header.Set("User-Agent", "yiwang-monitor")
		rec := httptest.NewRecorder()
		c.Handler.ServeHTTP(rec, req)
		res := rec.Result()
		if res.StatusCode >= 300 && res.StatusCode < 400 {
			next, err := u.Parse(res.Header.Get("Location"))
			if err != nil {
				return fetched{status: res.StatusCode, err: "重定向地址无效"}
			}
			if !c.Internal(next.Hostname()) {
				return fetched{status: http.StatusOK, final: next} // leaves the platform: not ours to follow
			}
			u = next
			continue
		}
		body, _ := io.ReadAll(io.LimitReader(res.Body, 4<<20))
		return fetched{status: res.StatusCode, html: strings.HasPrefix(res.Header.Get("Content-Type"), "text/html"), body: body, final: u}
	}
	return fetched{status: 0, err: "重定向次数过多（可能是循环重定向）"}
}

// skipPath are pages a crawler must not walk: sign-in, consoles, search
// (endless), and actions.
var skipPath = regexp.MustCompile(`(^|/)(account|admin|idp|search|healthz|static)(/|$)|/logout`)

// CrawlSite walks one site from its home page, breadth first, up to
// Pages pages, and returns the broken links and the pages it read.
func (c *Crawler) CrawlSite(ctx context.Context, t *tenants.Tenant) ([]BrokenLink, int, error) {
	host, path := c.Target(t)
	home := &url.URL{Scheme: "http", Host: host, Path: path}
	limit := c.Pages
	if limit <= 0 {
		limit = 200
	}
	inSite := func(u *url.URL) bool {
		return strings.EqualFold(u.Host, home.Host) && strings.HasPrefix(u.Path, home.Path) && !skipPath.MatchString(u.Path)
	}
	seen := map[string]bool{home.String(): true}
	checked := map[string]fetched{}
	queue := []*url.URL{home}
	var broken []BrokenLink
	pages := 0
	for len(queue) > 0 && pages < limit {
		if err := ctx.Err(); err != nil {
			return nil, pages, err
		}
		page := queue[0]
		queue = queue[1:]
		f := c.get(ctx, page)
		checked[page.String()] = f
		pages++
		if !f.html || f.status >= 400 {
			continue
		}
		for _, href := range links(f.body) {
			u, err := f.final.Parse(href)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
				continue
			}
			u.Fragment = ""
			where := page.RequestURI()
			if !c.Internal(u.Hostname()) {
				if msg := c.checkOutside(ctx, u.String()); msg != "" {
					broken = append(broken, BrokenLink{TenantID: t.ID, Page: where, Href: u.String(), External: true, Err: msg})
				}
				continue
			}
			key := u.String()
			if inSite(u) && !seen[key] {
				seen[key] = true
				queue = append(queue, u)
				continue
			}
			if skipPath.MatchString(u.Path) {
				continue
			}
			r, ok := checked[key]
			if !ok {
				r = c.get(ctx, u)
				r.body = nil
				checked[key] = r
			}
			if r.status >= 400 || r.err != "" {
				broken = append(broken, BrokenLink{TenantID: t.ID, Page: where, Href: key, Status: r.status, Err: r.err})
			}
		}
	}
	// Pages of the site that were queued and read answer for themselves:
	// a link to a page of the site that fails is broken where it is.
	for key, f := range checked {
		if f.status >= 400 || f.err != "" {
			for _, from := range c.linkedFrom(key, checked) {
				broken = append(broken, BrokenLink{TenantID: t.ID, Page: from, Href: key, Status: f.status, Err: f.err})
			}
		}
	}
	return dedupe(broken), pages, nil
}

// linkedFrom lists the read pages whose HTML links to key.
func (c *Crawler) linkedFrom(key string, checked map[string]fetched) []string {
	var out []string
	for page, f := range checked {
		if !f.html || f.final == nil {
			continue
		}
		for _, href := range links(f.body) {
			if u, err := f.final.Parse(href); err == nil {
				u.Fragment = ""
				if u.String() == key {
					p, _ := url.Parse(page)
					out = append(out, p.RequestURI())
					break
				}
			}
		}
	}
	return out
}

func dedupe(bs []BrokenLink) []BrokenLink {
	seen := map[string]bool{}
	var out []BrokenLink
	for _, b := range bs {
		k := b.Page + "\x00" + b.Href
		if !seen[k] {
			seen[k] = true
			out = append(out, b)
		}
	}
	return out
}

// checkOutside asks an outside link once per run, one host at a time
// with HostGap between requests; "" when it answers.
func (c *Crawler) checkOutside(ctx context.Context, u string) string {
	if c.External == nil {
		return ""
	}
	c.mu.Lock()
	if msg, ok := c.outside[u]; ok {
		c.mu.Unlock()
		return msg
	}
	max := c.MaxOut
	if max <= 0 {
		max = 2000
	}
	if len(c.outside) >= max {
		c.mu.Unlock()
		return ""
	}
	pu, _ := url.Parse(u)
	host := pu.Hostname()
	gap := c.HostGap
	if gap <= 0 {
		gap = time.Second
	}
	wait := time.Until(c.lastHost[host].Add(gap))
	c.lastHost[host] = time.Now().Add(max0(wait))
	c.mu.Unlock()
	if wait > 0 {
		select {
		case <-ctx.Done():
			return ""
		case <-time.After(wait):
		}
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	msg := ""
	if err := c.External(cctx, u); err != nil {
		msg = err.Error()
		if cctx.Err() != nil {
			msg = fmt.Sprintf("超过 %g 秒未响应", timeout.Seconds())
		}
	}
	c.mu.Lock()
	c.outside[u] = msg
	c.mu.Unlock()
	return msg
}

func max0(d time.Duration) time.Duration {
	if d < 0 {
		return 0
	}
	return d
}

// links are the href of every <a> in a page.
func links(body []byte) []string {
	var out []string
	z := html.NewTokenizer(strings.NewReader(string(body)))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return out
		case html.StartTagToken, html.SelfClosingTagToken:
			name, has := z.TagName()
			if string(name) != "a" || !has {
				continue
			}
			for {
				k, v, more := z.TagAttr()
				if string(k) == "href" {
					out = append(out, strings.TrimSpace(string(v)))
				}
				if !more {
					break
				}
			}
		}
	}
}

// BrokenLinks are the last run's broken links per tenant.
func (s *Store) BrokenLinks(ctx context.Context) (map[int64][]BrokenLink, error) {
	var bs []BrokenLink
	if err := s.db.SelectContext(ctx, &bs, `SELECT tenant_id, page, href, external, status, error FROM monitor_links ORDER BY tenant_id, external, id`); err != nil {
		return nil, fmt.Errorf("broken links: %w", err)
	}
	out := map[int64][]BrokenLink{}
	for _, b := range bs {
		out[b.TenantID] = append(out[b.TenantID], b)
	}
	return out, nil
}
