package search

import (
	"html/template"
	"sort"
	"strings"
	"unicode/utf8"
)

// SnippetRunes is the length of a result's snippet, in characters.
const SnippetRunes = 120

// span is a byte range of the original text to mark, and the word it is.
type span struct{ start, end, word int }

// matches finds where the query's words occur in text, by the same cut
// the index uses, so that what is marked is what was matched: 思府发2026
// marks 思府发〔2026〕, and 教育局 never marks 教育 alone.
func matches(text string, p Parsed) []span {
	out := rawMatches(text, p)
	sort.Slice(out, func(i, j int) bool {
		if out[i].start != out[j].start {
			return out[i].start < out[j].start
		}
		return out[i].end > out[j].end
	})
	// Merge overlaps.
	merged := out[:0]
	for _, s := range out {
		if n := len(merged); n > 0 && s.start < merged[n-1].end {
			merged[n-1].end = max(merged[n-1].end, s.end)
			continue
		}
		merged = append(merged, s)
	}
	return merged
}

// rawMatches are every occurrence of every word, unsorted and unmerged.
func rawMatches(text string, p Parsed) []span {
	if len(p.Words) == 0 || text == "" {
		return nil
	}
	buf, us := cut(text, nil, nil)
	var out []span
	for wi, w := range p.Words {
		for _, run := range w.Runs {
			m := len(run)
			for i := 0; i+m <= len(us); i++ {
				if us[i+m-1].run != us[i].run {
					continue
				}
				ok := true
				for k := 0; k < m; k++ {
					u := us[i+k]
					if string(buf[u.ns:u.ne]) != run[k] {
						ok = false
						break
					}
				}
				if ok {
					out = append(out, span{us[i].start, us[i+m-1].end, wi})
				}
			}
		}
	}
	return out
}

// holdsAll reports whether every word of p occurs in text.
func holdsAll(text string, p Parsed) bool {
	seen := make([]bool, len(p.Words))
	for _, s := range rawMatches(text, p) {
		seen[s.word] = true
	}
	for _, ok := range seen {
		if !ok {
			return false
		}
	}
	return true
}

// mark writes text[from:to] escaped, with the spans inside it in <mark>.
func mark(b *strings.Builder, text string, from, to int, spans []span) {
	pos := from
	for _, s := range spans {
		if s.end <= from || s.start >= to {
			continue
		}
		st, en := max(s.start, from), min(s.end, to)
		b.WriteString(template.HTMLEscapeString(text[pos:st]))
		b.WriteString("<mark>")
		b.WriteString(template.HTMLEscapeString(text[st:en]))
		b.WriteString("</mark>")
		pos = en
	}
	b.WriteString(template.HTMLEscapeString(text[pos:to]))
}

// HighlightTitle escapes a title and marks the query's words in it.
func HighlightTitle(title string, p Parsed) template.HTML {
	var b strings.Builder
	mark(&b, title, 0, len(title), matches(title, p))
	return template.HTML(b.String()) //nolint:gosec // escaped above
}

// Snippet is about n characters of body around the place where most of the
// query's words occur, escaped, with the words in <mark>; the start of the
// body when no word occurs in it.
func Snippet(body string, p Parsed, n int) template.HTML {
	body = strings.Join(strings.Fields(body), " ")
	spans := matches(body, p)
	// Candidate windows start a little before each match; the best holds
	// the most distinct words, then the most matches, then comes first.
	const lead = 16
	from := 0
	if len(spans) > 0 {
		best, bestWords, bestHits := 0, -1, -1
		for i, s := range spans {
			if i >= 64 {
				break
			}
			start := backRunes(body, s.start, lead)
			end := forwardRunes(body, start, n)
			words := map[int]bool{}
			hits := 0
			for _, t := range spans[i:] {
				if t.start >= end {
					break
				}
				words[t.word] = true
				hits++
			}
			if len(words) > bestWords || (len(words) == bestWords && hits > bestHits) {
				best, bestWords, bestHits = start, len(words), hits
			}
		}
		from = best
	}
	to := forwardRunes(body, from, n)
	var b strings.Builder
	if from > 0 {
		b.WriteString("…")
	}
	mark(&b, body, from, to, spans)
	if to < len(body) {
		b.WriteString("…")
	}
	return template.HTML(b.String()) //nolint:gosec // escaped in mark
}

func backRunes(s string, i, n int) int {
	for ; n > 0 && i > 0; n-- {
		_, size := utf8.DecodeLastRuneInString(s[:i])
		i -= size
	}
	return i
}

func forwardRunes(s string, i, n int) int {
	for ; n > 0 && i < len(s); n-- {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return i
}
