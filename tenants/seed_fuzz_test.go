package tenants_test

import (
	"bytes"
	"strings"
	"testing"

	"yiwang/tenants"
)

// A seed file either gives tenants that each pass Validate, under codes
// given once, or is refused whole.
func FuzzParseSeed(f *testing.F) {
	f.Add(string(tenants.ReferenceSeed[:min(len(tenants.ReferenceSeed), 2000)]))
	f.Add("code\tname\tkind\tsort\tsponsor\tsite_id_code\ticp\tpsb\taddress\tphone\temail\tdomains\nportal\t县政府\tportal\t1\t办公室\t\t\t\t\t\t\t\n")
	f.Add("code\tname\nPORTAL\t县政府\n")
	f.Add("\ufeffcode\tname\tkind\n\x00\t\t\n")
	f.Fuzz(func(t *testing.T, in string) {
		ts, err := tenants.ParseSeed(strings.NewReader(in))
		if err != nil {
			return
		}
		codes := map[string]bool{}
		for _, x := range ts {
			if err := x.Validate(); err != nil {
				t.Fatalf("tenant %+v from a seed that parsed: %v", x, err)
			}
			if codes[x.Code] {
				t.Fatalf("code %q twice in a seed that parsed", x.Code)
			}
			codes[x.Code] = true
		}
	})
}

func FuzzParseTemplate(f *testing.F) {
	f.Add("slug\tname\ttype\tparent\ngzdt\t工作动态\tlist\t\n")
	f.Add("slug\tname\n\t\n")
	f.Fuzz(func(t *testing.T, in string) {
		cols, err := tenants.ParseTemplate(bytes.NewReader([]byte(in)))
		if err != nil {
			return
		}
		slugs := map[string]bool{}
		for _, c := range cols {
			if c.Slug == "" || slugs[c.Slug] {
				t.Fatalf("template column %+v: empty or repeated slug", c)
			}
			slugs[c.Slug] = true
		}
	})
}
