package sdk

import (
	"html"
	"regexp"

	"github.com/microcosm-cc/bluemonday"
)

// policy is the platform's one policy for government rich text, used by
// the host for article bodies and by every module: headings, tables,
// images, links and lists; nothing that runs (no script, no event
// handlers, no javascript: URLs) and no inline style, which the pages'
// security policy would refuse anyway. Alignment, the one formatting an
// editor or a pasted Word document carries that matters, becomes a class
// (align-center …) that the platform's stylesheet styles.
var policy = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^align-(left|right|center|justify)$`)).OnElements("p", "div", "td", "th")
	p.AllowAttrs("colspan", "rowspan").Matching(bluemonday.Integer).OnElements("td", "th")
	p.AllowElements("figure", "figcaption", "caption")
	// Video (电视新闻 in an article): only the platform's own stored
	// files, a site path like /site/jyj/files/<token>/新闻.mp4, so no
	// page can pull media from elsewhere; controls always shown, nothing
	// that plays by itself.
	p.AllowElements("video")
	p.AllowAttrs("src", "poster").Matching(siteFile).OnElements("video")
	p.AllowAttrs("preload").Matching(regexp.MustCompile(`^(none|metadata)$`)).OnElements("video")
	p.AllowAttrs("controls", "playsinline").OnElements("video")
	p.AllowAttrs("width", "height").Matching(bluemonday.Integer).OnElements("video")
	p.RequireNoReferrerOnLinks(false)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return p
}()

// siteFile is a stored file's path on a site: /files/<token>/<name>,
// under /site/<code>/ when the site lives on the portal's host.
var siteFile = regexp.MustCompile(`^(/site/[a-z0-9][a-z0-9-]*)?/files/[0-9a-f]{32}/[^/?#"'<>\\]+$`)

// alignStyle finds the start tag of a block whose only inline style is an
// alignment; alignAttr an align="…" attribute of older markup.
var (
	alignStyle = regexp.MustCompile(`(?i)(<(?:p|div|td|th)\b[^>]*?)\sstyle\s*=\s*["']\s*text-align\s*:\s*(left|right|center|justify)\s*;?\s*["']`)
	alignAttr  = regexp.MustCompile(`(?i)(<(?:p|div|td|th)\b[^>]*?)\salign\s*=\s*["']?(left|right|center|justify)["']?`)
)

// Sanitize removes everything unsafe from rich text. Sanitize on write
// and again on render: a row written by any other path still cannot carry
// script into a page.
func Sanitize(s string) string {
	s = alignStyle.ReplaceAllString(s, `$1 class="align-$2"`)
	s = alignAttr.ReplaceAllString(s, `$1 class="align-$2"`)
	return policy.Sanitize(s)
}

var tagPattern = regexp.MustCompile(`<[^>]*>`)

// PlainText strips tags, for search documents, summaries and meta
// descriptions.
func PlainText(s string) string { return html.UnescapeString(tagPattern.ReplaceAllString(s, "")) }
