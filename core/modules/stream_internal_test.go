package modules

import (
	"net/http"
	"testing"
)

func TestAllowStream(t *testing.T) {
	const base = "default-src 'self'; media-src 'self' https:; object-src 'none'"
	for _, tc := range []struct {
		origin, want string
	}{
		{"https://tv.example.cn", "default-src 'self'; media-src 'self' https: blob:; object-src 'none'; connect-src 'self' https://tv.example.cn"},
		{"https://tv.example.cn:8443", "default-src 'self'; media-src 'self' https: blob:; object-src 'none'; connect-src 'self' https://tv.example.cn:8443"},
		{"http://tv.example.cn", base},
		{"https://tv.example.cn/live", base},
		{"https://tv.example.cn; script-src *", base},
		{"https://a.cn 'unsafe-inline'", base},
		{"javascript:alert(1)", base},
	} {
		h := http.Header{}
		h.Set("Content-Security-Policy", base)
		allowStream(h, tc.origin)
		if got := h.Get("Content-Security-Policy"); got != tc.want {
			t.Errorf("%q:\n got %s\nwant %s", tc.origin, got, tc.want)
		}
	}
}
