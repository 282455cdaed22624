package account

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"time"

	"yiwang/core/web"
	"yiwang/tenants"
)

// CSRF. Every unsafe request (POST, PUT, PATCH, DELETE) must carry the
// page's token, in the form field "csrf" or the X-CSRF-Token header, and
// must not come from another origin (Origin, Sec-Fetch-Site). A signed-in
// person's token is an HMAC of their host cookie, so it is worthless on
// another browser; an anonymous visitor's is an HMAC of the host and the
// day (there is no session for a forged request to ride on; the origin
// checks carry the weight). Replicas share the HMAC key.

const csrfField = web.CSRFFieldName

func (a *Accounts) mac(parts ...string) string {
	m := hmac.New(sha256.New, a.sso.Key())
	m.Write([]byte(strings.Join(parts, "|")))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:24])
}

func csrfDay(t time.Time) string { return t.UTC().Format("2006-01-02") }

// csrfToken is the token of the forms on r's page.
func (a *Accounts) csrfToken(w http.ResponseWriter, r *http.Request) string {
	if u := web.UserOf(r); u != nil {
		return a.mac("user", u.TokenHash)
	}
	return a.mac("anon", tenants.NormalizeHost(r.Host), csrfDay(time.Now()))
}

type accountsKey struct{}

// Of is the sign-on a request passed through, nil when the server has
// none: the consoles' gates ask it who may pass.
func Of(r *http.Request) *Accounts {
	a, _ := r.Context().Value(accountsKey{}).(*Accounts)
	return a
}

func (a *Accounts) validCSRF(r *http.Request) error {
	if s := r.Header.Get("Sec-Fetch-Site"); s != "" && s != "same-origin" && s != "none" {
		return fmt.Errorf("Sec-Fetch-Site %s", s)
	}
	if o := r.Header.Get("Origin"); o != "" && o != "null" {
		if want := web.Scheme(r, a.srv.Config().TrustProxy) + "://" + r.Host; !strings.EqualFold(o, want) {
			return fmt.Errorf("origin %s, want %s", o, want)
		}
	}
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = r.PostFormValue(csrfField)
	}
	if got == "" {
		return fmt.Errorf("no token")
	}
	var want []string
	if u := web.UserOf(r); u != nil {
		want = []string{a.mac("user", u.TokenHash)}
	} else {
		now := time.Now()
		host := tenants.NormalizeHost(r.Host)
		want = []string{a.mac("anon", host, csrfDay(now)), a.mac("anon", host, csrfDay(now.Add(-24*time.Hour)))}
	}
	for _, w := range want {
		if hmac.Equal([]byte(got), []byte(w)) {
			return nil
		}
	}
	return fmt.Errorf("token mismatch")
}

// checkCSRF refuses unsafe requests without a valid token, before any
// handler runs. Exempt: the provider's own endpoints and the back-channel
// logout endpoint (server to server, authenticated by the signed token).
func (a *Accounts) checkCSRF(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = web.WithCSRFToken(r.WithContext(acctContext(r, accountsKey{}, a)), func(r *http.Request) string { return a.csrfToken(nil, r) })
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
			next.ServeHTTP(w, r)
			return
		}
		if a.exempt(r.URL.Path) || r.URL.Path == "/account/backchannel-logout" {
			next.ServeHTTP(w, r)
			return
		}
		if err := web.TooLarge(r); err != nil && r.Header.Get("X-CSRF-Token") == "" {
			r = web.RefuseBody(r, err)
		}
		if web.BodyErr(r) != nil {
			// The body was refused at the edge (too large, not UTF-8):
			// ServeSite answers that in the site's layout, before any
			// handler runs.
			next.ServeHTTP(w, r)
			return
		}
		err := a.validCSRF(r)
		if err != nil && web.UserOf(r) == nil && strings.HasSuffix(r.URL.Path, "/account/logout") {
			// Logging out without a session only clears cookies: let a
			// stale page's logout button work.
			err = nil
		}
		if err != nil {
			a.srv.Log().Warn("csrf: request refused", "method", r.Method, "host", r.Host, "path", r.URL.Path, "reason", err)
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>请求已失效</title>`+web.PlainStyle(r)+`<main><h1>请求已失效</h1><p>页面已过期或请求来源不明，为保护您的账号，本次操作没有执行。请返回上一页，刷新后重试。</p><p><a href="/">返回首页</a></p></main></html>`)
			return
		}
		next.ServeHTTP(w, r)
	})
}
