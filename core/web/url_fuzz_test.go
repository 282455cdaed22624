package web

import (
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/http/httpguts"
	"yiwang/tenants"
)

// A return address the sign-in flow accepts stays on the site it was
// given on, however it is spelled.
func FuzzLocalReturn(f *testing.F) {
	for _, s := range []string{"/site/jyj/", "//evil.example/", `/\evil.example`, "/\t/evil.example", "/%2F%2Fevil.example", "https://evil.example/", "/a?next=//b#c", "/ /x"} {
		f.Add(s)
	}
	base, _ := url.Parse("https://www.sinan.gov.cn/site/jyj/")
	f.Fuzz(func(t *testing.T, in string) {
		out := LocalReturn(in, "")
		if out == "" {
			return
		}
		if out != in {
			t.Fatalf("LocalReturn(%q) = %q: a return address is kept or refused, never rewritten", in, out)
		}
		u, err := base.Parse(out)
		if err != nil || u.Host != base.Host || u.Scheme != base.Scheme {
			t.Fatalf("LocalReturn(%q) accepted, but it leads to %v (%v)", in, u, err)
		}
	})
}

// A path under /site/ names a lower-case code and a rooted rest; cleaning
// a path gives a rooted path that cleans to itself.
func FuzzSitePaths(f *testing.F) {
	for _, s := range []string{"/site/jyj/art/1", "/site/JYJ", "/site//x", "/site/a/../../b", "/../..", "//x//y/", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if code, rest, ok := sitePath(p); ok {
			if code == "" || code != strings.ToLower(code) || strings.Contains(code, "/") {
				t.Fatalf("sitePath(%q) code %q", p, code)
			}
			if rest != "" && !strings.HasPrefix(rest, "/") {
				t.Fatalf("sitePath(%q) rest %q", p, rest)
			}
		}
		if !strings.HasPrefix(p, "/") {
			return // the server's paths are rooted
		}
		c := cleanPath(p)
		if !strings.HasPrefix(c, "/") || cleanPath(c) != c || strings.Contains(c, "/../") || strings.HasSuffix(c, "/..") {
			t.Fatalf("cleanPath(%q) = %q", p, c)
		}
	})
}

// A Host header becomes a lower-case name without spaces, the key tenants
// are found by.
func FuzzNormalizeHost(f *testing.F) {
	for _, s := range []string{"JYJ.Sinan.gov.cn:8080", "[::1]:8080", "www.sinan.gov.cn.", " localhost ", "[fe80::1", "a:b:c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		if !httpguts.ValidHostHeader(h) {
			return // the server answers 400 before any handler
		}
		n := tenants.NormalizeHost(h)
		if n != strings.ToLower(n) || strings.ContainsAny(n, " \t") {
			t.Fatalf("NormalizeHost(%q) = %q: not lower case, or a space left", h, n)
		}
	})
}
