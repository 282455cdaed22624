package search

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The analysis both backends share (see ARCHITECTURE.md, "Search", for the
// measurements behind it):
//
//  1. Normalise: full-width forms fold to ASCII (“ＩＰｖ６”, “２０２６” →
//     ipv6, 2026), Latin letters fold to lower case.
//  2. Cut the text into units: one unit per CJK character, one per run of
//     Latin letters and digits (“ipv6”, “2026”, “12.5”). Units form runs;
//     whitespace and punctuation end a run, except the brackets and quotes
//     that sit inside names and document numbers (〔〕《》“”()[]…), which
//     are passed over, so 思府发〔2026〕12号 is one run of six units.
//  3. Emit grams per run (grams): every bigram of consecutive units, a
//     unigram for every Latin/digit unit, and a unigram for a CJK
//     character only where no bigram starts with it (the last unit of a
//     run), so that a prefix search on a single character finds every
//     occurrence; and, by scheme, skip-bigrams (the default, kept in a
//     field of their own), trigrams, or positions for phrases.
//
// A query word is cut the same way and becomes a conjunction of grams
// (Word.Terms): one term for a word of two units, all its bigrams and
// skip-bigrams for a longer one, a prefix for a single CJK character.

// unit is one unit of text.
type unit struct {
	ns, ne     int // bytes of the normalised form in the normalised buffer
	start, end int // bytes in the original text
	run        int
	cjk        bool
}

// maxUnitBytes cuts runaway Latin units (base64, long numbers).
const maxUnitBytes = 64

// isCJK reports whether r is written one character to a word.
func isCJK(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) ||
		unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r) || r == '〇'
}

// fold maps full-width forms to ASCII and Latin to lower case.
func fold(r rune) rune {
	switch {
	case r >= 0xFF01 && r <= 0xFF5E:
		r -= 0xFEE0
	case r == 0x3000:
		return ' '
	}
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	return unicode.ToLower(r)
}

// transparent characters sit inside names and numbers without ending a run.
func transparent(r rune) bool {
	switch r {
	case '〔', '〕', '[', ']', '【', '】', '(', ')', '《', '》', '〈', '〉', '「', '」', '『', '』',
		'“', '”', '‘', '’', '"', '\'', '·', '・', '〖', '〗', '{', '}':
		return true
	}
	return false
}

func alnum(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }

// cut splits s into units, appending the normalised forms to buf. It
// returns the units and the buffer.
func cut(s string, buf []byte, us []unit) ([]byte, []unit) {
	run := 0
	inRun := false
	latin := -1 // index of the open Latin unit, -1 when none
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			i++
			latin = -1
			if inRun {
				run++
				inRun = false
			}
			continue
		}
		f := fold(r)
		switch {
		case isCJK(f):
			latin = -1
			ns := len(buf)
			buf = utf8.AppendRune(buf, f)
			us = append(us, unit{ns: ns, ne: len(buf), start: i, end: i + size, run: run, cjk: true})
			inRun = true
		case alnum(f) || (f == '.' && latin >= 0 && i+size < len(s) && nextAlnum(s[i+size:])):
			if latin >= 0 && us[latin].end == i {
				if us[latin].ne-us[latin].ns+utf8.RuneLen(f) <= maxUnitBytes {
					buf = utf8.AppendRune(buf, f)
					us[latin].ne = len(buf)
				}
				us[latin].end = i + size
			} else {
				ns := len(buf)
				buf = utf8.AppendRune(buf, f)
				us = append(us, unit{ns: ns, ne: len(buf), start: i, end: i + size, run: run})
				latin = len(us) - 1
			}
			inRun = true
		case transparent(f):
			latin = -1
		default:
			latin = -1
			if inRun {
				run++
				inRun = false
			}
		}
		i += size
	}
	return buf, us
}

func nextAlnum(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return alnum(fold(r))
}

// Grams names a gram scheme: what an index stores for each run of units.
type Grams int

const (
	// Bigrams: every bigram of consecutive units.
	Bigrams Grams = iota
	// SkipBigrams: every bigram, and every pair of units one apart
	// (“教_局” of 教育局), which a longer word must also match: nearly the
	// precision of trigrams for a fraction of their cost, because pairs of
	// characters are a small, dense vocabulary and trigrams a huge, sparse
	// one.
	SkipBigrams
	// Trigrams: every bigram and every trigram.
	Trigrams
	// Phrases: every bigram, with positions; a longer word is a phrase of
	// its bigrams.
	Phrases
	// SkipOnly: the skip-bigrams alone, for an index that keeps them in a
	// field of their own.
	SkipOnly
)

// skipMark joins the two units of a skip-bigram; no unit contains it.
const skipMark = '_'

// grams calls emit with every gram of the units (term valid only during
// the call). Besides the scheme's grams, every Latin/digit unit and the
// last CJK unit of a run are emitted alone.
//
// pos is the gram's position for phrase queries: the index of its first
// unit, with a gap between runs, so that the bigrams of a run are one
// apart and no phrase spans two runs.
func grams(buf []byte, us []unit, scheme Grams, emit func(term []byte, start, end, pos int)) {
	var scratch []byte
	for i := 0; i < len(us); {
		j := i
		for j < len(us) && us[j].run == us[i].run {
			j++
		}
		run := us[i:j]
		n := len(run)
		for k := range run {
			u := run[k]
			pos := i + k + 1 + 2*u.run
			if scheme == SkipOnly {
				if k+2 < n {
					last := run[k+2]
					scratch = append(append(append(scratch[:0], buf[u.ns:u.ne]...), skipMark), buf[last.ns:last.ne]...)
					emit(scratch, u.start, last.end, pos)
				}
				continue
			}
			if !u.cjk || k == n-1 {
				emit(buf[u.ns:u.ne], u.start, u.end, pos)
			}
			if k+1 < n {
				emit(buf[u.ns:run[k+1].ne], u.start, run[k+1].end, pos)
			}
			if k+2 < n {
				last := run[k+2]
				switch scheme {
				case Trigrams:
					emit(buf[u.ns:last.ne], u.start, last.end, pos)
				case SkipBigrams:
					scratch = append(append(append(scratch[:0], buf[u.ns:u.ne]...), skipMark), buf[last.ns:last.ne]...)
					emit(scratch, u.start, last.end, pos)
				}
			}
		}
		i = j
	}
}

// Word is one word of a query, as typed and as cut into runs of units.
type Word struct {
	Text string
	Runs [][]string // each run's units, normalised
}

// Term is what a backend matches for part of a word: a whole term, or a
// prefix (a single CJK character).
type Term struct {
	Text   string
	Prefix bool
	Phrase []string // instead of Text: these bigrams, one after another
	Skip   bool     // a skip-bigram (kept in a field of its own)
}

// Terms are the grams the word must match under scheme: all of them, in
// a conjunction.
func (w Word) Terms(scheme Grams) []Term {
	var out []Term
	for _, run := range w.Runs {
		n := len(run)
		switch {
		case n == 1:
			r, _ := utf8.DecodeRuneInString(run[0])
			out = append(out, Term{Text: run[0], Prefix: isCJK(r) && utf8.RuneCountInString(run[0]) == 1})
		case n == 2 || (n == 3 && scheme == Trigrams):
			out = append(out, Term{Text: strings.Join(run, "")})
		case scheme == Trigrams:
			for k := 0; k+3 <= n; k++ {
				out = append(out, Term{Text: strings.Join(run[k:k+3], "")})
			}
		case scheme == Phrases:
			var ph []string
			for k := 0; k+2 <= n; k++ {
				ph = append(ph, run[k]+run[k+1])
			}
			out = append(out, Term{Phrase: ph})
		default:
			for k := 0; k+2 <= n; k++ {
				out = append(out, Term{Text: run[k] + run[k+1]})
			}
			if scheme == SkipBigrams {
				for k := 0; k+3 <= n; k++ {
					out = append(out, Term{Text: run[k] + string(skipMark) + run[k+2], Skip: true})
				}
			}
		}
	}
	if len(out) > maxTermsPerWord {
		// A pasted paragraph: keep an even spread of its grams and the last.
		kept := make([]Term, 0, maxTermsPerWord)
		step := float64(len(out)-1) / float64(maxTermsPerWord-1)
		for i := 0; i < maxTermsPerWord; i++ {
			kept = append(kept, out[int(float64(i)*step+0.5)])
		}
		out = kept
	}
	return dedupeTerms(out)
}

func dedupeTerms(ts []Term) []Term {
	seen := make(map[string]bool, len(ts))
	out := ts[:0]
	for _, t := range ts {
		k := t.Text + "\x00" + strings.Join(t.Phrase, "\x00")
		if t.Prefix {
			k += "*"
		}
		if !seen[k] {
			seen[k] = true
			out = append(out, t)
		}
	}
	return out
}

// Limits on what a query may ask of the index.
const (
	MaxQueryRunes   = 100 // the rest of a longer query is dropped
	MaxWords        = 8
	maxTermsPerWord = 16
)

// Parsed is a query as understood.
type Parsed struct {
	Text      string // the cleaned text, as shown back
	Words     []Word
	Truncated bool // the query was longer than MaxQueryRunes or had more than MaxWords words
}

// ParseQuery understands any string as a query: control characters and
// invalid bytes become spaces, quotes and the operators of query languages
// (+ - : * ? ^ ~ ( ) AND OR) are ordinary text, cut like the documents are,
// so nothing a person types reaches a backend as syntax. Words are the
// whitespace-separated parts; a document must match all of them.
func ParseQuery(s string) Parsed {
	var p Parsed
	s = strings.ToValidUTF8(s, " ")
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n == MaxQueryRunes {
			p.Truncated = true
			break
		}
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == 0x3000 {
			r = ' '
		}
		b.WriteRune(r)
		n++
	}
	p.Text = strings.Join(strings.Fields(b.String()), " ")
	seen := map[string]bool{}
	for _, f := range strings.Fields(p.Text) {
		buf, us := cut(f, nil, nil)
		if len(us) == 0 {
			continue
		}
		w := Word{Text: f}
		var run []string
		for i, u := range us {
			if i > 0 && u.run != us[i-1].run {
				w.Runs = append(w.Runs, run)
				run = nil
			}
			run = append(run, string(buf[u.ns:u.ne]))
		}
		w.Runs = append(w.Runs, run)
		key := string(buf)
		if seen[key] {
			continue
		}
		seen[key] = true
		if len(p.Words) == MaxWords {
			p.Truncated = true
			break
		}
		p.Words = append(p.Words, w)
	}
	return p
}

// Analyze returns the grams of text, for backends that index pre-analysed
// text (Elasticsearch's whitespace-analysed field) and for tests.
func Analyze(text string, scheme Grams) []string {
	buf, us := cut(text, nil, nil)
	var out []string
	grams(buf, us, scheme, func(term []byte, _, _, _ int) { out = append(out, string(term)) })
	return out
}

// PlainText cuts a document's fields to what the index needs to store.
const maxBodyBytes = 256 << 10
