// Package site is the public site of every tenant: the home page, the
// column pages and their feeds, articles, the site map, the site
// directory, the large-text switch and the search page. Its routes are
// in core/web/host/routes.go; its templates (home.html, column.html,
// article.html, sitemap.html, sites.html, search.html) are the shared
// layer's, parsed with the layout at start.
package site

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"yiwang/core"
	"yiwang/core/content"
	"yiwang/core/web"
)

// Pages are the public pages of every site, drawn by one server.
type Pages struct {
	srv *web.Server
}

// New returns the public pages of s.
func New(s *web.Server) *Pages { return &Pages{srv: s} }

// fail answers err in the site's layout.
func (s *Pages) fail(w http.ResponseWriter, r *http.Request, err error) {
	s.srv.RenderError(w, r, err)
}

// NotFound answers whatever path no room claims: 404 in the site's layout.
func (s *Pages) NotFound(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, core.Errorf(core.ENOTFOUND, "页面“%s”不存在，可能已被删除或地址有误。", r.URL.Path))
}

// AddSlash redirects a directory-like page's path without its slash.
func (s *Pages) AddSlash(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, strings.TrimSuffix(web.SiteOf(r).Base, "/")+r.URL.Path+"/"+web.QuerySuffix(r), http.StatusMovedPermanently)
}

// homeView is the data of a site's home page.
type homeView struct {
	Sections []homeSection
	Latest   []*content.Article
}

type homeSection struct {
	Column   *content.Column
	Articles []*content.Article
}

// Home is a site's home page: the newest articles of each list column.
func (s *Pages) Home(w http.ResponseWriter, r *http.Request) {
	site := web.SiteOf(r)
	p, err := s.srv.NewPage(w, r, site.Tenant.Name)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	byCol, err := s.srv.LatestByColumn(r.Context(), site.Tenant.ID, 8)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var v homeView
	for _, c := range web.FlattenColumns(p.Nav) {
		if c.Type == content.ColumnList {
			v.Sections = append(v.Sections, homeSection{Column: c, Articles: byCol[c.ID]})
		}
	}
	p.Crumbs = nil
	p.Meta.ColumnName, p.Meta.ColumnType = "首页", "首页"
	p.Meta.Description = site.Tenant.Name + "官方网站"
	p.Meta.Keywords = site.Tenant.Name
	p.Data = v
	s.srv.Render(w, r, "home", p)
}

// columnView is the data of a column page.
type columnView struct {
	Column *content.Column
	Page   *content.Page
	Single *content.Article // the page of a single-page column
	Feed   string
	Videos []*content.Video // a 电视新闻 column's videos
}

// Column is a column page: its articles by page, its single page, or its
// videos; a link column redirects.
func (s *Pages) Column(w http.ResponseWriter, r *http.Request) {
	site := web.SiteOf(r)
	col, err := s.srv.Content().Column(r.Context(), site.Tenant.ID, r.PathValue("slug"))
	if err == nil && col.Hidden {
		err = core.Errorf(core.ENOTFOUND, "没有找到栏目“%s”", col.Slug)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if col.Type == content.ColumnLink && col.LinkURL != "" {
		http.Redirect(w, r, safeLink(col.LinkURL, site.Base), http.StatusFound)
		return
	}
	n := 1
	if q := r.URL.Query().Get("page"); q != "" {
		if n, err = strconv.Atoi(q); err != nil || n < 1 || n > 100000 {
			s.fail(w, r, core.Errorf(core.ENOTFOUND, "页码“%s”无效", q))
			return
		}
	}
	v := columnView{Column: col}
	switch col.Type {
	case content.ColumnVideo:
		if videos := s.srv.Videos(); videos != nil {
			vs, total, err := videos.Videos(r.Context(), site.Tenant.ID, col.ID, true, 20, (n-1)*20)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			v.Videos, v.Page = vs, &content.Page{Total: total, Number: n, Size: 20}
			if n > v.Page.Pages() {
				s.fail(w, r, core.Errorf(core.ENOTFOUND, "栏目“%s”没有第 %d 页", col.Name, n))
				return
			}
		}
	case content.ColumnPage:
		if v.Single, err = s.srv.Content().NewestInColumn(r.Context(), site.Tenant.ID, col.ID); err != nil {
			s.fail(w, r, err)
			return
		}
	default:
		if v.Page, err = s.srv.Content().ListPublished(r.Context(), site.Tenant.ID, col.ID, n, 20); err != nil {
			s.fail(w, r, err)
			return
		}
		if n > v.Page.Pages() {
			s.fail(w, r, core.Errorf(core.ENOTFOUND, "栏目“%s”没有第 %d 页", col.Name, n))
			return
		}
		v.Feed = site.Base + "col/" + col.Slug + "/rss.xml"
	}
	p, err := s.srv.NewPage(w, r, col.Name+" - "+site.Tenant.Name)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Current = col.Slug
	p.Crumbs = append(p.Crumbs, web.Crumb{Name: col.Name, URL: site.Base + "col/" + col.Slug + "/"})
	p.Meta.ColumnName, p.Meta.ColumnDescription, p.Meta.ColumnKeywords = col.Name, col.Description, col.Keywords
	p.Meta.ColumnType = content.ColumnTypeLabel(col.Type)
	p.Meta.Description, p.Meta.Keywords = col.Description, col.Keywords
	if n > 1 {
		p.Canonical += "?page=" + strconv.Itoa(n)
	}
	p.Data = v
	s.srv.Render(w, r, "column", p)
}

// safeLink keeps a link column's target to http(s) or a site path.
func safeLink(link, base string) string {
	u, err := url.Parse(link)
	if err != nil {
		return base
	}
	switch {
	case u.Scheme == "http" || u.Scheme == "https":
		return u.String()
	case u.Scheme == "" && u.Host == "" && !strings.HasPrefix(link, "//"):
		if strings.HasPrefix(link, "/") {
			return link
		}
		return base + link
	}
	return base
}

// articleView is the data of an article page.
type articleView struct {
	Article *content.Article
	Column  *content.Column
	Extras  *content.PublicExtras // withdrawal notice, provenance of an adopted copy
}

// Article is an article page, or its withdrawal.
func (s *Pages) Article(w http.ResponseWriter, r *http.Request) {
	site := web.SiteOf(r)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(w, r, core.Errorf(core.ENOTFOUND, "没有找到这篇文章"))
		return
	}
	a, err := s.srv.Content().Article(r.Context(), site.Tenant.ID, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// Withdrawal (content/withdraw.go): published in error is gone (410);
	// replaced redirects to the replacing article; withdrawn stays
	// readable with the notice and the reason.
	x, err := s.srv.Content().Extras(r.Context(), site.Tenant.ID, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if a.Status == content.Withdrawn {
		switch {
		case x.WithdrawKind == content.WithdrawReplaced && x.ReplacedBy != nil:
			http.Redirect(w, r, site.Base+"art/"+strconv.FormatInt(*x.ReplacedBy, 10), http.StatusMovedPermanently)
			return
		case x.WithdrawKind != content.WithdrawNotice:
			s.fail(w, r, core.Errorf(core.EGONE, "该文章已撤稿，不再提供访问。"))
			return
		}
	}
	col, err := s.srv.Content().ColumnByID(r.Context(), site.Tenant.ID, a.ColumnID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := s.srv.NewPage(w, r, a.Title+" - "+site.Tenant.Name)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Current = col.Slug
	p.Crumbs = append(p.Crumbs, web.Crumb{Name: col.Name, URL: site.Base + "col/" + col.Slug + "/"}, web.Crumb{Name: "正文", URL: ""})
	desc := a.Summary
	if desc == "" {
		desc = truncate(content.PlainText(a.Body), 120)
	}
	p.Meta.ColumnName, p.Meta.ColumnDescription, p.Meta.ColumnKeywords = col.Name, col.Description, col.Keywords
	p.Meta.ColumnType = content.ColumnTypeLabel(col.Type)
	p.Meta.ArticleTitle, p.Meta.PubDate, p.Meta.ContentSource = a.Title, a.PubTime(), a.Source
	p.Meta.Author, p.Meta.Keywords, p.Meta.Description = a.Author, a.Keywords, desc
	p.Data = articleView{Article: a, Column: col, Extras: x}
	s.srv.Render(w, r, "article", p)
}

func truncate(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	return string(rs[:n]) + "…"
}

// sitemapView is the data of a site map page.
type sitemapView struct {
	Columns []*content.Column
	Counts  map[int64]int
}

// Sitemap is the site map: every visible column with its article count.
func (s *Pages) Sitemap(w http.ResponseWriter, r *http.Request) {
	site := web.SiteOf(r)
	p, err := s.srv.NewPage(w, r, "网站地图 - "+site.Tenant.Name)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	counts, err := s.srv.Content().ArticleCounts(r.Context(), site.Tenant.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Crumbs = append(p.Crumbs, web.Crumb{Name: "网站地图", URL: ""})
	p.Meta.ColumnName, p.Meta.ColumnType = "网站地图", "网站地图"
	p.Data = sitemapView{Columns: p.Nav, Counts: counts}
	s.srv.Render(w, r, "sitemap", p)
}

// Sites is the directory of every site.
func (s *Pages) Sites(w http.ResponseWriter, r *http.Request) {
	site := web.SiteOf(r)
	p, err := s.srv.NewPage(w, r, "站群导航 - "+site.Portal.Name)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Directory = web.Directory(r)
	p.Crumbs = append(p.Crumbs, web.Crumb{Name: "站群导航", URL: ""})
	p.Meta.ColumnName, p.Meta.ColumnType = "站群导航", "站群导航"
	s.srv.Render(w, r, "sites", p)
}

// ElderToggle switches large-text mode without JavaScript; the script in
// site.js does the same in place.
func (s *Pages) ElderToggle(w http.ResponseWriter, r *http.Request) {
	site := web.SiteOf(r)
	on := r.URL.Query().Get("on") == "1"
	c := &http.Cookie{Name: web.ElderCookie, Value: "1", Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode}
	if !on {
		c.Value, c.MaxAge = "", -1
	}
	http.SetCookie(w, c)
	http.Redirect(w, r, web.LocalReturn(r.URL.Query().Get("r"), site.Base), http.StatusSeeOther)
}

// RSS 2.0 of a column.
type rss struct {
	XMLName xml.Name   `xml:"rss"`
	Version string     `xml:"version,attr"`
	Channel rssChannel `xml:"channel"`
}

type rssChannel struct {
	Title       string    `xml:"title"`
	Link        string    `xml:"link"`
	Description string    `xml:"description"`
	Language    string    `xml:"language"`
	Items       []rssItem `xml:"item"`
}

type rssItem struct {
	Title       string `xml:"title"`
	Link        string `xml:"link"`
	GUID        string `xml:"guid"`
	PubDate     string `xml:"pubDate"`
	Description string `xml:"description"`
	Source      string `xml:"author,omitempty"`
}

// Feed is a list column's RSS 2.0 feed.
func (s *Pages) Feed(w http.ResponseWriter, r *http.Request) {
	site := web.SiteOf(r)
	col, err := s.srv.Content().Column(r.Context(), site.Tenant.ID, r.PathValue("slug"))
	if err == nil && (col.Hidden || col.Type != content.ColumnList) {
		err = core.Errorf(core.ENOTFOUND, "栏目“%s”没有订阅源", col.Name)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pg, err := s.srv.Content().ListPublished(r.Context(), site.Tenant.ID, col.ID, 1, 50)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	base := web.Absolute(r, site.Base)
	feed := rss{Version: "2.0", Channel: rssChannel{
		Title: col.Name + " - " + site.Tenant.Name, Link: base + "col/" + col.Slug + "/",
		Description: col.Description, Language: "zh-cn",
	}}
	for _, a := range pg.Articles {
		link := base + "art/" + strconv.FormatInt(a.ID, 10)
		item := rssItem{Title: a.Title, Link: link, GUID: link, Description: a.Summary, Source: a.Source}
		if a.PublishedAt != nil {
			item.PubDate = a.PublishedAt.In(content.Location).Format(time.RFC1123Z)
		}
		feed.Channel.Items = append(feed.Channel.Items, item)
	}
	out, err := xml.MarshalIndent(feed, "", "  ")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(out)
}
