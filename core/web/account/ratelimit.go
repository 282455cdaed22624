package account

import (
	"context"
	"fmt"
	"net/http"

	"yiwang/sso"
)

// allow spends one event of key on lim; when the limit is reached it
// answers 429 with a Chinese page and Retry-After, and reports false.
// Anonymous forms (login, tickets, second factor) go through it.
func (a *Accounts) allow(w http.ResponseWriter, r *http.Request, lim sso.RateLimiter, key string) bool {
	ok, wait := lim.Allow(key)
	if ok {
		return true
	}
	a.srv.Log().Warn("rate limit", "key", key, "path", r.URL.Path)
	w.Header().Set("Retry-After", fmt.Sprint(int(wait.Seconds())+1))
	a.notice(w, r, http.StatusTooManyRequests, "操作过于频繁", "您的操作过于频繁，请稍后再试。")
	return false
}

func acctContext(r *http.Request, k, v any) context.Context {
	return context.WithValue(r.Context(), k, v)
}
