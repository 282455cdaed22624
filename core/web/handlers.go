package web

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"yiwang/core"
	"yiwang/core/content"
)

// siteHandler is a handler that fails with an error answered in the
// site's layout.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	s.renderError(w, r, siteOf(r), err)
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, core.Errorf(core.ENOTFOUND, "页面“%s”不存在，可能已被删除或地址有误。", r.URL.Path))
}

func (s *Server) addSlash(w http.ResponseWriter, r *http.Request) {
	site := siteOf(r)
	http.Redirect(w, r, strings.TrimSuffix(site.base, "/")+r.URL.Path+"/"+query(r), http.StatusMovedPermanently)
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

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	site := siteOf(r)
	p, err := s.newPage(w, r, site, site.tenant.Name)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	byCol, err := s.latestByColumn(r.Context(), site.tenant.ID, 8)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var v homeView
	for _, c := range flatten(p.Nav) {
		if c.Type == content.ColumnList {
			v.Sections = append(v.Sections, homeSection{Column: c, Articles: byCol[c.ID]})
		}
	}
	p.Crumbs = nil
	p.Meta.ColumnName, p.Meta.ColumnType = "首页", "首页"
	p.Meta.Description = site.tenant.Name + "官方网站"
	p.Meta.Keywords = site.tenant.Name
	p.Data = v
	s.render(w, r, "home", p)
}

func flatten(cs []*content.Column) []*content.Column {
	var out []*content.Column
	for _, c := range cs {
		out = append(out, c)
		out = append(out, flatten(c.Children)...)
	}
	return out
}

// columnView is the data of a column page.
type columnView struct {
	Column *content.Column
	Page   *content.Page
	Single *content.Article // the page of a single-page column
	Feed   string
	Videos []*content.Video // a 电视新闻 column's videos
}

func (s *Server) column(w http.ResponseWriter, r *http.Request) {
	site := siteOf(r)
	col, err := s.content.Column(r.Context(), site.tenant.ID, r.PathValue("slug"))
	if err == nil && col.Hidden {
		err = core.Errorf(core.ENOTFOUND, "没有找到栏目“%s”", col.Slug)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if col.Type == content.ColumnLink && col.LinkURL != "" {
		http.Redirect(w, r, safeLink(col.LinkURL, site.base), http.StatusFound)
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
		if s.videos != nil {
			vs, total, err := s.videos.Videos(r.Context(), site.tenant.ID, col.ID, true, 20, (n-1)*20)
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
		if v.Single, err = s.content.NewestInColumn(r.Context(), site.tenant.ID, col.ID); err != nil {
			s.fail(w, r, err)
			return
		}
	default:
		if v.Page, err = s.content.ListPublished(r.Context(), site.tenant.ID, col.ID, n, 20); err != nil {
			s.fail(w, r, err)
			return
		}
		if n > v.Page.Pages() {
			s.fail(w, r, core.Errorf(core.ENOTFOUND, "栏目“%s”没有第 %d 页", col.Name, n))
			return
		}
		v.Feed = site.base + "col/" + col.Slug + "/rss.xml"
	}
	p, err := s.newPage(w, r, site, col.Name+" - "+site.tenant.Name)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Current = col.Slug
	p.Crumbs = append(p.Crumbs, Crumb{col.Name, site.base + "col/" + col.Slug + "/"})
	p.Meta.ColumnName, p.Meta.ColumnDescription, p.Meta.ColumnKeywords = col.Name, col.Description, col.Keywords
	p.Meta.ColumnType = content.ColumnTypeLabel(col.Type)
	p.Meta.Description, p.Meta.Keywords = col.Description, col.Keywords
	if n > 1 {
		p.Canonical += "?page=" + strconv.Itoa(n)
	}
	p.Data = v
	s.render(w, r, "column", p)
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

func (s *Server) article(w http.ResponseWriter, r *http.Request) {
	site := siteOf(r)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(w, r, core.Errorf(core.ENOTFOUND, "没有找到这篇文章"))
		return
	}
	a, err := s.content.Article(r.Context(), site.tenant.ID, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// Withdrawal (content/withdraw.go): published in error is gone (410);
	// replaced redirects to the replacing article; withdrawn stays
	// readable with the notice and the reason.
	x, err := s.content.Extras(r.Context(), site.tenant.ID, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if a.Status == content.Withdrawn {
		switch {
		case x.WithdrawKind == content.WithdrawReplaced && x.ReplacedBy != nil:
			http.Redirect(w, r, site.base+"art/"+strconv.FormatInt(*x.ReplacedBy, 10), http.StatusMovedPermanently)
			return
		case x.WithdrawKind != content.WithdrawNotice:
			s.fail(w, r, core.Errorf(core.EGONE, "该文章已撤稿，不再提供访问。"))
			return
		}
	}
	col, err := s.content.ColumnByID(r.Context(), site.tenant.ID, a.ColumnID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := s.newPage(w, r, site, a.Title+" - "+site.tenant.Name)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Current = col.Slug
	p.Crumbs = append(p.Crumbs, Crumb{col.Name, site.base + "col/" + col.Slug + "/"}, Crumb{"正文", ""})
	desc := a.Summary
	if desc == "" {
		desc = truncate(content.PlainText(a.Body), 120)
	}
	p.Meta.ColumnName, p.Meta.ColumnDescription, p.Meta.ColumnKeywords = col.Name, col.Description, col.Keywords
	p.Meta.ColumnType = content.ColumnTypeLabel(col.Type)
	p.Meta.ArticleTitle, p.Meta.PubDate, p.Meta.ContentSource = a.Title, a.PubTime(), a.Source
	p.Meta.Author, p.Meta.Keywords, p.Meta.Description = a.Author, a.Keywords, desc
	p.Data = articleView{Article: a, Column: col, Extras: x}
	s.render(w, r, "article", p)
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

func (s *Server) sitemap(w http.ResponseWriter, r *http.Request) {
	site := siteOf(r)
	p, err := s.newPage(w, r, site, "网站地图 - "+site.tenant.Name)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	counts, err := s.content.ArticleCounts(r.Context(), site.tenant.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Crumbs = append(p.Crumbs, Crumb{"网站地图", ""})
	p.Meta.ColumnName, p.Meta.ColumnType = "网站地图", "网站地图"
	p.Data = sitemapView{Columns: p.Nav, Counts: counts}
	s.render(w, r, "sitemap", p)
}

func (s *Server) sites(w http.ResponseWriter, r *http.Request) {
	site := siteOf(r)
	p, err := s.newPage(w, r, site, "站群导航 - "+site.snap.portal.Name)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Directory = directory(site)
	p.Crumbs = append(p.Crumbs, Crumb{"站群导航", ""})
	p.Meta.ColumnName, p.Meta.ColumnType = "站群导航", "站群导航"
	s.render(w, r, "sites", p)
}

// elderCookie remembers the large-text mode on this host.
const elderCookie = "yw_elder"

func elderOn(r *http.Request) bool {
	c, err := r.Cookie(elderCookie)
	return err == nil && c.Value == "1"
}

// elderToggle switches large-text mode without JavaScript; the script in
// site.js does the same in place.
func (s *Server) elderToggle(w http.ResponseWriter, r *http.Request) {
	site := siteOf(r)
	on := r.URL.Query().Get("on") == "1"
	c := &http.Cookie{Name: elderCookie, Value: "1", Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode}
	if !on {
		c.Value, c.MaxAge = "", -1
	}
	http.SetCookie(w, c)
	http.Redirect(w, r, localReturn(r.URL.Query().Get("r"), site.base), http.StatusSeeOther)
}

// localReturn accepts only a path on this host as a place to return to:
// never another host, whatever the encoding.
func localReturn(ret, fallback string) string {
	if ret == "" || !strings.HasPrefix(ret, "/") || strings.HasPrefix(ret, "//") || strings.HasPrefix(ret, "/\\") ||
		strings.ContainsAny(ret, "\\\r\n\t") {
		return fallback
	}
	u, err := url.Parse(ret)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return fallback
	}
	return ret
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

func (s *Server) feed(w http.ResponseWriter, r *http.Request) {
	site := siteOf(r)
	col, err := s.content.Column(r.Context(), site.tenant.ID, r.PathValue("slug"))
	if err == nil && (col.Hidden || col.Type != content.ColumnList) {
		err = core.Errorf(core.ENOTFOUND, "栏目“%s”没有订阅源", col.Name)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pg, err := s.content.ListPublished(r.Context(), site.tenant.ID, col.ID, 1, 50)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	base := site.link.absolute(site.base)
	feed := rss{Version: "2.0", Channel: rssChannel{
		Title: col.Name + " - " + site.tenant.Name, Link: base + "col/" + col.Slug + "/",
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
