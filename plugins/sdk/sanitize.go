package sdk

import (
	"html"
	"regexp"

	"github.com/microcosm-cc/bluemonday"
)

// policy is the platform's policy for government rich text, the same as
// core/content's for article bodies (kept as a copy so that the SDK, which
// third-party modules build against, does not pull in the content room):
// headings, tables, images, links and lists; nothing that runs (no script,
// no event handlers, no javascript: URLs).
var policy = func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowAttrs("style").Matching(regexp.MustCompile(`^(text-align:\s*(left|right|center|justify);?\s*)$`)).OnElements("p", "div", "td", "th")
	p.AllowAttrs("colspan", "rowspan").Matching(bluemonday.Integer).OnElements("td", "th")
	p.AllowElements("figure", "figcaption", "caption")
	p.RequireNoReferrerOnLinks(false)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return p
}()

// Sanitize removes everything unsafe from rich text. Sanitize on write
// and again on render: a row written by any other path still cannot carry
// script into a page.
func Sanitize(s string) string { return policy.Sanitize(s) }

var tagPattern = regexp.MustCompile(`<[^>]*>`)

// PlainText strips tags, for search documents and descriptions.
func PlainText(s string) string { return html.UnescapeString(tagPattern.ReplaceAllString(s, "")) }
