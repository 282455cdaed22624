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
	p.RequireNoReferrerOnLinks(false)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return p
}()

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
