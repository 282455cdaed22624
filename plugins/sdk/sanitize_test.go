package sdk_test

import (
	"strings"
	"testing"

	"yiwang/plugins/sdk"
)

func TestSanitize(t *testing.T) {
	for _, tc := range []struct {
		name, in  string
		want      []string
		forbidden []string
	}{
		{"script and handlers go", `<p onclick="x()">正文<script>alert(1)</script><img src="/a.png" onerror="y()"></p>`,
			[]string{"<p>正文", `<img src="/a.png">`}, []string{"<script", "onclick", "onerror"}},
		{"javascript links lose their target", `<a href="javascript:alert(1)">链接</a>`, []string{"链接"}, []string{"javascript:"}},
		{"alignment becomes a class", `<p style="text-align: center;">居中</p><td style="text-align:right">右</td>`,
			[]string{`<p class="align-center">居中</p>`}, []string{"style="}},
		{"old align attribute too", `<p align="justify">两端</p>`, []string{`<p class="align-justify">两端</p>`}, []string{"align="}},
		{"other styles go", `<p style="color:red;position:fixed">红</p>`, []string{"<p>红</p>"}, []string{"style=", "color"}},
		{"other classes go", `<p class="evil align-center">x</p>`, []string{"<p>x</p>"}, []string{"evil"}},
		{"tables keep their spans", `<table><tr><td colspan="2">合并</td></tr></table>`, []string{`colspan="2"`}, nil},
		{"outside links open apart", `<a href="https://www.gov.cn/">中国政府网</a>`, []string{`target="_blank"`}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := sdk.Sanitize(tc.in)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("Sanitize(%q) = %q, lacks %q", tc.in, got, w)
				}
			}
			for _, f := range tc.forbidden {
				if strings.Contains(got, f) {
					t.Errorf("Sanitize(%q) = %q, keeps %q", tc.in, got, f)
				}
			}
		})
	}
}

// Videos play only from the platform's own stored files.
func TestSanitizeVideo(t *testing.T) {
	const tok = "0123456789abcdef0123456789abcdef"
	for _, c := range []struct{ in, want string }{
		{`<video controls preload="metadata" src="/site/jyj/files/` + tok + `/新闻.mp4" poster="/files/` + tok + `/p.jpg" autoplay onplay="x()"></video>`,
			`<video controls="" preload="metadata" src="/site/jyj/files/` + tok + `/%E6%96%B0%E9%97%BB.mp4" poster="/files/` + tok + `/p.jpg"></video>`},
		{`<video src="https://evil.example/x.mp4" controls></video>`, `<video controls=""></video>`},
		{`<video src="javascript:alert(1)"></video>`, `<video></video>`},
		{`<video src="/files/` + tok + `/../../etc/passwd"></video>`, `<video></video>`},
	} {
		if got := sdk.Sanitize(c.in); got != c.want {
			t.Errorf("Sanitize(%s)\n got %s\nwant %s", c.in, got, c.want)
		}
	}
}
