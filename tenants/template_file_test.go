package tenants_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"yiwang/tenants"
)

func TestTemplateFileRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	if err := tenants.WriteTemplate(&buf, tenants.DefaultTemplate); err != nil {
		t.Fatal(err)
	}
	got, err := tenants.ParseTemplate(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(tenants.DefaultTemplate) {
		t.Fatalf("read %d columns, wrote %d", len(got), len(tenants.DefaultTemplate))
	}
	for i, c := range got {
		w := tenants.DefaultTemplate[i]
		if c.Slug != w.Slug || c.Name != w.Name || c.Type != w.Type || c.Sort != w.Sort || c.Description != w.Description {
			t.Errorf("column %d: got %+v, want %+v", i, c, w)
		}
	}
}

func TestTemplateFileErrorsNameTheLine(t *testing.T) {
	header := strings.Join(tenants.TemplateFileColumns, "\t") + "\n"
	cases := []struct {
		name, file string
		line       int
		field      string
	}{
		{"wrong header", "# c\nslug\tname\n", 2, ""},
		{"short row", header + "gzdt\t\t工作动态\tlist\n", 2, ""},
		{"sort not a number", header + "gzdt\t\t工作动态\tlist\t\t\t\tten\n", 2, "sort"},
		{"no columns", header, 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := tenants.ParseTemplate(strings.NewReader(c.file))
			var se *tenants.SeedError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want a *SeedError", err)
			}
			if se.Line != c.line || se.Field != c.field {
				t.Fatalf("error at line %d field %q, want line %d field %q (%v)", se.Line, se.Field, c.line, c.field, se)
			}
		})
	}
}
