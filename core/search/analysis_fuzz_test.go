package search

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"教育局", "乡村振兴 脱贫攻坚", `"思府发〔2026〕12号" AND title:x*`, "ＩＰｖ６\u3000改造", "\xff\xfe\x00", strings.Repeat("局 ", 60), "a\u200bb\u202ec"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		p := ParseQuery(in)
		switch {
		case !utf8.ValidString(p.Text):
			t.Fatalf("ParseQuery(%q).Text = %q is not UTF-8", in, p.Text)
		case utf8.RuneCountInString(p.Text) > MaxQueryRunes:
			t.Fatalf("ParseQuery(%q).Text has %d runes", in, utf8.RuneCountInString(p.Text))
		case len(p.Words) > MaxWords:
			t.Fatalf("ParseQuery(%q) has %d words", in, len(p.Words))
		case strings.TrimSpace(p.Text) != p.Text || strings.Contains(p.Text, "  "):
			t.Fatalf("ParseQuery(%q).Text = %q is not cleaned", in, p.Text)
		}
		for _, w := range p.Words {
			if w.Text == "" || !strings.Contains(p.Text, w.Text) || len(w.Runs) == 0 {
				t.Fatalf("ParseQuery(%q): word %+v", in, w)
			}
		}
		// What the page shows back is understood the same way.
		if again := ParseQuery(p.Text); again.Text != p.Text || len(again.Words) != len(p.Words) {
			t.Fatalf("ParseQuery(%q) = %q, and again %q", in, p.Text, again.Text)
		}
	})
}
