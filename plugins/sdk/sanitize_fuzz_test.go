package sdk

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// What no tag of sanitized text may be or hold, whatever went in: a
// script or frame element, an event handler, an inline style, a
// javascript: or data: link. Text outside tags is escaped, so every "<"
// left begins a tag the policy allowed.
var (
	tagOf        = regexp.MustCompile(`<[^>]*>?`)
	unsafeMarkup = regexp.MustCompile(`(?i)^<\s*/?\s*(script|iframe|object|embed|style|form|input|svg|math|link|meta|base)\b|\son[a-z]+\s*=|\sstyle\s*=|(href|src)\s*=\s*"?\s*(javascript|vbscript|data):`)
)

func unsafeTag(out string) string {
	for _, tag := range tagOf.FindAllString(out, -1) {
		if unsafeMarkup.MatchString(tag) {
			return tag
		}
	}
	return ""
}

func FuzzSanitize(f *testing.F) {
	for _, s := range []string{
		`<p style="text-align:center">居中</p>`,
		`<p align="right" class="align-right evil">右</p><script>alert(1)</script>`,
		`<a href="javascript:alert(1)">x</a><a href="JaVaScRiPt&#58;alert(1)">y</a>`,
		`<img src=x onerror=alert(1)><svg onload=alert(1)>`,
		`<table><tr><td colspan="2">表格</td></tr></table>`,
		"<p>\x00\xff不完整的<b>标签",
		`<a href="/site/jyj/art/1" target="_blank">站内</a>`,
		`<<p>>双重<</p>>`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := Sanitize(in)
		if m := unsafeTag(out); m != "" {
			t.Fatalf("Sanitize(%q) = %q keeps %q", in, out, m)
		}
		if utf8.ValidString(in) && !utf8.ValidString(out) {
			t.Fatalf("Sanitize(%q) = %q is not UTF-8", in, out)
		}
		for _, class := range regexp.MustCompile(`class="([^"]*)"`).FindAllStringSubmatch(out, -1) {
			if !regexp.MustCompile(`^align-(left|right|center|justify)$`).MatchString(class[1]) {
				t.Fatalf("Sanitize(%q) keeps class %q", in, class[1])
			}
		}
		// Cleaning clean text changes nothing that matters: it stays safe.
		if again := Sanitize(out); unsafeTag(again) != "" || strings.Contains(again, "<script") {
			t.Fatalf("second pass over %q: %q", out, again)
		}
	})
}
