package tenants

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// TemplateFileColumns is the header of a column template file.
var TemplateFileColumns = []string{"slug", "parent_slug", "name", "type", "link_url", "description", "keywords", "sort"}

// ParseTemplate reads a tab-separated column template file, in the same
// shape as a seed file: # comments, a header, one column per line.
func ParseTemplate(r io.Reader) ([]TemplateColumn, error) {
	var out []TemplateColumn
	err := readTable(r, TemplateFileColumns, func(line int, f []string) error {
		c := TemplateColumn{Slug: f[0], ParentSlug: f[1], Name: f[2], Type: f[3], LinkURL: f[4], Description: f[5], Keywords: f[6]}
		if f[7] != "" {
			n, err := strconv.Atoi(f[7])
			if err != nil {
				return &SeedError{Line: line, Field: "sort", Msg: fmt.Sprintf("“%s”不是整数", f[7])}
			}
			c.Sort = n
		}
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, &SeedError{Msg: "模板中没有栏目"}
	}
	return out, nil
}

// WriteTemplate writes cs in the file form ParseTemplate reads.
func WriteTemplate(w io.Writer, cs []TemplateColumn) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, "# 基本栏目统一：县级标准栏目模板。修改后用 yiwang template import FILE 生效，所有子站同步。")
	fmt.Fprintln(bw, strings.Join(TemplateFileColumns, "\t"))
	for _, c := range cs {
		fmt.Fprintf(bw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\n", c.Slug, c.ParentSlug, c.Name, c.Type, c.LinkURL, c.Description, c.Keywords, c.Sort)
	}
	return bw.Flush()
}
