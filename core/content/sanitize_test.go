package content_test

import (
	"strings"
	"testing"
	"time"

	"yiwang/core/content"
)

func TestSanitizeRemovesWhatRuns(t *testing.T) {
	for _, tc := range []struct {
		name   string
		in     string
		gone   []string // must not survive
		remain []string // must survive
	}{
		{"script element", `<p>前</p><script>alert(1)</script><p>后</p>`, []string{"<script", "alert(1)"}, []string{"<p>前</p>", "<p>后</p>"}},
		{"script in upper case", `<SCRIPT SRC="https://x.example/a.js"></SCRIPT>`, []string{"script", "SCRIPT", "x.example"}, nil},
		{"event handlers", `<p onclick="a()">一</p><img src="https://x.example/a.png" onerror="b()"><a href="https://gov.cn" onmouseover="c()">二</a>`,
			[]string{"onclick", "onerror", "onmouseover", "a()", "b()", "c()"}, []string{"<p>一</p>", `src="https://x.example/a.png"`, ">二</a>"}},
		{"javascript: link", `<a href="javascript:alert(1)">点此</a>`, []string{"javascript", "href"}, []string{"点此"}},
		{"javascript: link with entities and case", `<a href="JaVaScRiPt&#58;alert(1)">点此</a>`, []string{"alert", "href"}, []string{"点此"}},
		{"javascript: image", `<img src="javascript:alert(1)">`, []string{"javascript", "src"}, nil},
		{"data: link", `<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>`, []string{"data:", "href"}, []string{"x"}},
		{"iframe", `<iframe src="https://evil.example/"></iframe><p>正文</p>`, []string{"iframe", "evil.example"}, []string{"<p>正文</p>"}},
		{"object and embed", `<object data="a.swf"></object><embed src="a.swf">`, []string{"object", "embed", "a.swf"}, nil},
		{"style element", `<style>body{display:none}</style><p>正文</p>`, []string{"<style", "display"}, []string{"<p>正文</p>"}},
		{"style other than text-align", `<p style="color:red">红</p><p style="background:url(javascript:alert(1))">背</p>`,
			[]string{"style", "color", "background", "javascript"}, []string{"<p>红</p>", "<p>背</p>"}},
		{"text-align with more after it", `<p style="text-align:center;position:fixed">中</p>`, []string{"style", "position"}, []string{"<p>中</p>"}},
		{"text-align on an element it is not for", `<span style="text-align:center">中</span>`, []string{"style"}, []string{"中"}},
		{"form controls", `<form action="https://evil.example"><input name="pw"><button>提交</button></form>`, []string{"<form", "<input", "<button", "evil.example"}, nil},
		{"meta refresh", `<meta http-equiv="refresh" content="0;url=https://evil.example">`, []string{"meta", "evil.example"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := content.Sanitize(tc.in)
			for _, g := range tc.gone {
				if strings.Contains(out, g) {
					t.Errorf("Sanitize(%q) = %q, still contains %q", tc.in, out, g)
				}
			}
			for _, r := range tc.remain {
				if !strings.Contains(out, r) {
					t.Errorf("Sanitize(%q) = %q, lost %q", tc.in, out, r)
				}
			}
		})
	}
}

func TestSanitizeKeepsWhatArticlesNeed(t *testing.T) {
	for _, tc := range []struct {
		name   string
		in     string
		remain []string
	}{
		{"paragraph", `<p>县教育局召开会议。</p>`, []string{`<p>县教育局召开会议。</p>`}},
		{"heading", `<h3>一、工作要求</h3>`, []string{`<h3>一、工作要求</h3>`}},
		{"list", `<ul><li>第一条</li><li>第二条</li></ul>`, []string{`<ul><li>第一条</li><li>第二条</li></ul>`}},
		{"ordered list", `<ol><li>一</li></ol>`, []string{`<ol><li>一</li></ol>`}},
		{"table with colspan", `<table><tr><td colspan="2">合计</td></tr></table>`, []string{`<table>`, `<td colspan="2">合计</td>`}},
		{"rowspan on th", `<table><tr><th rowspan="3">项目</th></tr></table>`, []string{`<th rowspan="3">项目</th>`}},
		{"https image", `<img src="https://www.sinan.gov.cn/a.jpg" alt="会议现场">`, []string{`src="https://www.sinan.gov.cn/a.jpg"`, `alt="会议现场"`}},
		{"https link opens in a new window", `<a href="https://www.gov.cn/">中国政府网</a>`,
			[]string{`href="https://www.gov.cn/"`, `target="_blank"`, `>中国政府网</a>`}},
		{"relative link stays in the window", `<a href="/site/jyj/">本站</a>`, []string{`href="/site/jyj/"`, `>本站</a>`}},
		{"text-align", `<p style="text-align:center">居中</p>`, []string{`<p class="align-center">居中</p>`}},
		{"text-align on td", `<table><tr><td style="text-align: right;">右</td></tr></table>`, []string{`<td class="align-right">右</td>`}},
		{"emphasis", `<p><strong>重要</strong><em>强调</em></p>`, []string{`<strong>重要</strong>`, `<em>强调</em>`}},
		{"figure", `<figure><img src="https://x.cn/a.png"><figcaption>图一</figcaption></figure>`, []string{`<figure>`, `<figcaption>图一</figcaption>`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := content.Sanitize(tc.in)
			for _, r := range tc.remain {
				if !strings.Contains(out, r) {
					t.Errorf("Sanitize(%q) = %q, lost %q", tc.in, out, r)
				}
			}
		})
	}
	if out := content.Sanitize(`<a href="/site/jyj/">本站</a>`); strings.Contains(out, "_blank") {
		t.Errorf("a relative link got target=_blank: %q", out)
	}
}

func TestArticleHTMLIsSanitizedAgain(t *testing.T) {
	a := &content.Article{Body: `<p>正文</p><script>alert(1)</script>`} // a row written by another path
	if got := string(a.HTML()); strings.Contains(got, "script") || !strings.Contains(got, "<p>正文</p>") {
		t.Errorf("HTML() = %q, want the paragraph without the script", got)
	}
}

func TestPlainText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`<p>教育&amp;卫生</p>`, "教育&卫生"},
		{`<p>一</p><p>二</p>`, "一二"},
		{`&lt;不是标签&gt;`, "<不是标签>"},
		{`&quot;引号&quot; &#39;单引&#39; &nbsp;`, "\"引号\" '单引' \u00a0"},
		{`<a href="https://gov.cn">链接</a>文字`, "链接文字"},
		{``, ""},
	} {
		if got := content.PlainText(tc.in); got != tc.want {
			t.Errorf("PlainText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestTimesAreShownInBeijingTime(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
	}{
		{"2026-01-01T00:30:00Z", "2026-01-01 08:30"},
		{"2025-12-31T16:00:00Z", "2026-01-01 00:00"}, // crosses the date line
		{"2026-06-30T23:59:59Z", "2026-07-01 07:59"}, // no summer time
		{"2026-01-01T08:30:00+08:00", "2026-01-01 08:30"},
	} {
		at, err := time.Parse(time.RFC3339, tc.in)
		must(t, err)
		if got := content.FormatTime(at); got != tc.want {
			t.Errorf("FormatTime(%s) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := (&content.Article{}).PubTime(); got != "" {
		t.Errorf("PubTime of an unpublished article = %q, want empty", got)
	}
	at := time.Date(2026, 1, 1, 0, 30, 0, 0, time.UTC)
	if got := (&content.Article{PublishedAt: &at}).PubTime(); got != "2026-01-01 08:30" {
		t.Errorf("PubTime = %q, want 2026-01-01 08:30", got)
	}
}

func TestColumnTypeLabel(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{content.ColumnList, "列表栏目"}, {content.ColumnPage, "单页栏目"}, {content.ColumnLink, "链接栏目"}, {"other", "other"},
	} {
		if got := content.ColumnTypeLabel(tc.in); got != tc.want {
			t.Errorf("ColumnTypeLabel(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
