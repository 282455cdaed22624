package content

import (
	"html"
	"regexp"

	"github.com/microcosm-cc/bluemonday"
)

// policy allows what government articles need (headings, tables, images,
// links, lists) and nothing that runs: no script, no event handlers, no
// javascript: or data: URLs except data:image in img.
var policy = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowAttrs("style").Matching(regexp.MustCompile(`^(text-align:\s*(left|right|center|justify);?\s*)$`)).OnElements("p", "div", "td", "th")
	p.AllowAttrs("colspan", "rowspan").Matching(bluemonday.Integer).OnElements("td", "th")
	p.AllowElements("figure", "figcaption", "caption")
	p.RequireNoReferrerOnLinks(false)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return p
}()

// Sanitize returns html with everything unsafe removed.
func Sanitize(html string) string { return policy.Sanitize(html) }

var tagPattern = regexp.MustCompile(`<[^>]*>`)

// PlainText strips tags, for summaries and meta descriptions.
func PlainText(s string) string { return html.UnescapeString(tagPattern.ReplaceAllString(s, "")) }
