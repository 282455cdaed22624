package tenants_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"yiwang/tenants"
)

func TestReferenceSeedIsTheSinanCountyRegistry(t *testing.T) {
	ts := reference(t)
	if len(ts) != 75 {
		t.Fatalf("reference seed has %d tenants, want 75 (the portal and 74 sub-sites)", len(ts))
	}

	kinds := map[tenants.Kind]int{}
	byCode := map[string]*tenants.Tenant{}
	for _, x := range ts {
		kinds[x.Kind]++
		byCode[x.Code] = x
	}
	for kind, want := range map[tenants.Kind]int{tenants.Portal: 1, tenants.Department: 38, tenants.Township: 28, tenants.Other: 8} {
		if kinds[kind] != want {
			t.Errorf("%d tenants of kind %s, want %d", kinds[kind], kind, want)
		}
	}
	if len(byCode) != len(ts) {
		t.Errorf("%d distinct codes among %d tenants", len(byCode), len(ts))
	}

	for _, code := range []string{"portal", "jyj", "rsj", "wjj", "ajj"} {
		if byCode[code] == nil {
			t.Errorf("code %s missing from the reference seed", code)
		}
	}
	if p := byCode["portal"]; p == nil || p.Kind != tenants.Portal || p.SiteIDCode == "" {
		t.Errorf("the portal must carry the site identification code (网站标识码): %+v", p)
	}

	for _, x := range ts {
		if x.ICP == "" || x.PSB == "" {
			t.Errorf("%s (%s) lacks the ICP or PSB registration number the footer must show", x.Code, x.Name)
		}
		if x.Status != tenants.Active {
			t.Errorf("%s parsed with status %q, want active", x.Code, x.Status)
		}
		if err := x.Validate(); err != nil {
			t.Errorf("%s does not validate: %v", x.Code, err)
		}
	}
}

func TestParseSeedReadsFields(t *testing.T) {
	ts := parse(t, seedFile(
		"# 注释",
		header,
		row("jyj", " 思南县教育局 ", "department", "", "JYJ.Example.cn, www.jyj.example.cn ,"),
		row("stjd", "思唐街道办事处", "township", "7", ""),
	))
	if len(ts) != 2 {
		t.Fatalf("parsed %d tenants, want 2", len(ts))
	}
	jyj, stjd := ts[0], ts[1]
	if jyj.Name != "思南县教育局" {
		t.Errorf("name = %q, want it trimmed", jyj.Name)
	}
	if jyj.Sort != 0 || stjd.Sort != 7 {
		t.Errorf("sorts = %d, %d; want 0 (empty) and 7", jyj.Sort, stjd.Sort)
	}
	if want := []string{"jyj.example.cn", "www.jyj.example.cn"}; !reflect.DeepEqual(jyj.Domains, want) {
		t.Errorf("domains = %q, want %q (lowercased, trimmed, in file order, empty items skipped)", jyj.Domains, want)
	}
	if stjd.Domains != nil {
		t.Errorf("a tenant without domains got %q", stjd.Domains)
	}
	if jyj.Email != "jyj@example.cn" || jyj.ICP == "" || jyj.PSB == "" || jyj.Sponsor == "" {
		t.Errorf("footer fields not read: %+v", jyj)
	}
}

func TestParseSeedAcceptsBOMAndCRLF(t *testing.T) {
	text := "\ufeff# 带 BOM 的注释\r\n" + header + "\r\n" +
		row("jyj", "思南县教育局", "department", "2", "jyj.example.cn") + "\r\n" +
		"\r\n" +
		row("rsj", "思南县人力资源和社会保障局", "department", "9", "") + "\r\n"
	ts := parse(t, text)
	if len(ts) != 2 {
		t.Fatalf("parsed %d tenants, want 2", len(ts))
	}
	if ts[0].Code != "jyj" || ts[1].Code != "rsj" {
		t.Errorf("codes = %q, %q", ts[0].Code, ts[1].Code)
	}
	if want := []string{"jyj.example.cn"}; !reflect.DeepEqual(ts[0].Domains, want) {
		t.Errorf("last column = %q, want %q without the CR", ts[0].Domains, want)
	}

	// A BOM straight before the header, no comment.
	ts = parse(t, "\ufeff"+header+"\r\n"+row("jyj", "思南县教育局", "department", "2", "")+"\r\n")
	if len(ts) != 1 || ts[0].Code != "jyj" {
		t.Errorf("BOM before the header: parsed %+v", ts)
	}
}

func TestParseSeedRejectsMalformedFiles(t *testing.T) {
	// Lines 1–3 of every file below: a comment, a blank line, the header.
	// Line numbers in errors are physical: they count both.
	prelude := []string{"# 思南县站群种子文件", "", header}
	file := func(rows ...string) string { return seedFile(append(append([]string{}, prelude...), rows...)...) }
	ok := func(code string) string { return row(code, "单位"+code, "department", "1", "") }

	tests := []struct {
		name      string
		text      string
		wantLine  int
		wantField string
		wantMsg   string // a part of the message, when it matters
	}{
		{name: "empty file", text: "", wantLine: 0},
		{name: "only comments and blank lines", text: "# a\n\n# b\n", wantLine: 3},
		{name: "header with a missing column", text: seedFile("# c", "", "code\tname\tkind\tsort"), wantLine: 3},
		{name: "header in another order", text: seedFile("name\tcode\tkind\tsort\tsponsor\tsite_id_code\ticp\tpsb\taddress\tphone\temail\tdomains"), wantLine: 1},
		{name: "header separated by spaces", text: seedFile("# c", strings.Join(tenants.SeedColumns, " ")), wantLine: 2},
		{name: "row with too few fields", text: file(ok("jyj"), "rsj\t人社局\tdepartment"), wantLine: 5, wantMsg: "应有 13 个字段，实有 3 个"},
		{name: "row with too many fields", text: file(ok("jyj") + "\textra"), wantLine: 4, wantMsg: "实有 14 个"},
		{name: "uppercase code", text: file(ok("jyj"), ok("RSJ")), wantLine: 5, wantField: "code"},
		{name: "one-letter code", text: file(ok("j")), wantLine: 4, wantField: "code"},
		{name: "code starting with a digit", text: file(ok("1jyj")), wantLine: 4, wantField: "code"},
		{name: "code with a dash", text: file(ok("jy-j")), wantLine: 4, wantField: "code"},
		{name: "code too long", text: file(ok("abcdefghijklmnopqrstu")), wantLine: 4, wantField: "code"},
		{name: "reserved code admin", text: file(ok("admin")), wantLine: 4, wantField: "code", wantMsg: "保留字"},
		{name: "reserved code www", text: file(ok("jyj"), "# 注释", ok("www")), wantLine: 6, wantField: "code", wantMsg: "保留字"},
		{name: "empty name", text: file(row("jyj", "", "department", "1", "")), wantLine: 4, wantField: "name"},
		{name: "blank name", text: file(row("jyj", "   ", "department", "1", "")), wantLine: 4, wantField: "name"},
		{name: "name over 100 characters", text: file(row("jyj", strings.Repeat("局", 101), "department", "1", "")), wantLine: 4, wantField: "name"},
		{name: "unknown kind", text: file(row("jyj", "教育局", "bureau", "1", "")), wantLine: 4, wantField: "kind"},
		{name: "empty kind", text: file(row("jyj", "教育局", "", "1", "")), wantLine: 4, wantField: "kind"},
		{name: "kind that reads like another field", text: file(row("jyj", "教育局", "代码", "1", "")), wantLine: 4, wantField: "kind"},
		{name: "non-numeric sort", text: file(row("jyj", "教育局", "department", "first", "")), wantLine: 4, wantField: "sort"},
		{name: "negative sort", text: file(row("jyj", "教育局", "department", "-1", "")), wantLine: 4, wantField: "sort"},
		{name: "fractional sort", text: file(row("jyj", "教育局", "department", "1.5", "")), wantLine: 4, wantField: "sort"},
		{name: "duplicate code", text: file(ok("jyj"), "# 重复", ok("rsj"), ok("jyj")), wantLine: 7, wantField: "code", wantMsg: "与第 4 行重复"},
		{name: "duplicate domain in two rows", text: file(
			row("jyj", "教育局", "department", "1", "jyj.example.cn"),
			"",
			row("rsj", "人社局", "department", "2", "rsj.example.cn,JYJ.example.cn")),
			wantLine: 6, wantField: "domains", wantMsg: "与第 4 行重复"},
		{name: "domain with a port", text: file(row("jyj", "教育局", "department", "1", "jyj.example.cn:8080")), wantLine: 4, wantField: "domains"},
		{name: "domain with a path", text: file(row("jyj", "教育局", "department", "1", "example.cn/jyj")), wantLine: 4, wantField: "domains"},
		{name: "domain with a scheme", text: file(row("jyj", "教育局", "department", "1", "http://jyj.example.cn")), wantLine: 4, wantField: "domains"},
		{name: "domain with a trailing dot", text: file(row("jyj", "教育局", "department", "1", "jyj.example.cn.")), wantLine: 4, wantField: "domains"},
		{name: "domain that reads like another field", text: file(row("jyj", "教育局", "department", "1", "名称.cn")), wantLine: 4, wantField: "domains"},
		{name: "second domain invalid", text: file(row("jyj", "教育局", "department", "1", "jyj.example.cn,bad_host.cn")), wantLine: 4, wantField: "domains"},
		{name: "bad row after three good ones", text: file(ok("jyj"), ok("rsj"), ok("wjj"), row("ajj", "应急局", "department", "x", "")), wantLine: 7, wantField: "sort"},
		{name: "two portals", text: file(
			row("portal", "思南县人民政府", "portal", "1", ""),
			ok("jyj"),
			row("xian", "另一个门户", "portal", "1", "")),
			wantLine: 6, wantField: "kind", wantMsg: "只能有一个"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ts, err := tenants.ParseSeed(strings.NewReader(tc.text))
			if err == nil {
				t.Fatalf("accepted, parsed %d tenants", len(ts))
			}
			if ts != nil {
				t.Errorf("returned %d tenants with the error; a bad file must yield none", len(ts))
			}
			var se *tenants.SeedError
			if !errors.As(err, &se) {
				t.Fatalf("error %T %v is not a *tenants.SeedError", err, err)
			}
			if se.Line != tc.wantLine || se.Field != tc.wantField {
				t.Errorf("line %d, field %q; want line %d, field %q (%v)", se.Line, se.Field, tc.wantLine, tc.wantField, err)
			}
			if !strings.Contains(se.Msg, tc.wantMsg) {
				t.Errorf("message %q does not contain %q", se.Msg, tc.wantMsg)
			}
			if want := fmt.Sprintf("第 %d 行", tc.wantLine); tc.wantLine > 0 && !strings.Contains(err.Error(), want) {
				t.Errorf("error text %q does not name %q", err.Error(), want)
			}
			if tc.wantField != "" && !strings.Contains(err.Error(), "字段 "+tc.wantField) {
				t.Errorf("error text %q does not name the field %s", err.Error(), tc.wantField)
			}
		})
	}
}

func TestParseSeedChecksTheWholeFileBeforeReturning(t *testing.T) {
	// The 75 good rows of the reference seed followed by one bad row: the
	// caller gets no tenants at all, so an import has all or nothing.
	text := string(tenants.ReferenceSeed) + row("bad", "", "department", "1", "") + "\n"
	lines := strings.Count(text, "\n")
	ts, err := tenants.ParseSeed(strings.NewReader(text))
	var se *tenants.SeedError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want a *tenants.SeedError", err)
	}
	if se.Line != lines || se.Field != "name" {
		t.Errorf("line %d, field %q; want line %d, field name", se.Line, se.Field, lines)
	}
	if ts != nil {
		t.Errorf("returned %d tenants with the error", len(ts))
	}
}

func TestSeedErrorText(t *testing.T) {
	tests := []struct {
		err  tenants.SeedError
		want string
	}{
		{tenants.SeedError{Line: 4, Field: "code", Msg: "无效"}, "第 4 行，字段 code：无效"},
		{tenants.SeedError{Line: 1, Msg: "表头不对"}, "第 1 行：表头不对"},
	}
	for _, tc := range tests {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
}
