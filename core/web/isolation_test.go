package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"yiwang/core/content"
	"yiwang/core/modules"
	"yiwang/core/modules/modulestest"
	"yiwang/core/store/storetest"
	"yiwang/core/web/webtest"
)

// openRoutes are site routes that anyone may reach by design; the walk
// still checks that they show nothing of the victim tenant.
var openRoutes = map[string]string{
	"GET /account/login":               "starts sign-in",
	"GET /account/relay":               "sign-in relay between hosts",
	"GET /account/callback":            "the provider's redirect back",
	"GET /account/sso":                 "redeems a sign-on ticket",
	"GET /account/logout":              "asks to sign out",
	"POST /account/logout":             "signs out whoever asks",
	"GET /account/logged-out":          "says goodbye",
	"POST /account/backchannel-logout": "server to server, signed token",
	"GET /account/{$}":                 "one's own account",
	"POST /account/notices/read":       "one's own notices",
	"GET /account/totp":                "one's own second factor",
	"POST /account/totp":               "one's own second factor",
	"GET /files/{token}/{name}":        "published attachments by unguessable token",
	"GET /probe-roles":                 "says whether the visitor has a role here",
	// The public site: published pages only.
	"GET /{$}":                "home page",
	"GET /col/{slug}/{$}":     "column page",
	"GET /col/{slug}":         "redirect to the column page",
	"GET /col/{slug}/rss.xml": "column feed",
	"GET /sitemap/{$}":        "site map",
	"GET /sitemap":            "redirect to the site map",
	"GET /sites/{$}":          "site directory",
	"GET /prefs/elder":        "large-text mode",
	"GET /search":             "search of what is published",
	"GET /search/":            "search of what is published",
	"/":                       "not found, in the site's layout",
}

// TestEveryRouteRefusesIntruders walks the server's whole route table, so
// that a route added later is walked without anyone remembering to: each
// route, on the victim's site (人社局, rsj) and on the intruder's own site
// (教育局, jyj), with the ids of the victim's objects in its path, as an
// anonymous visitor, as a citizen, and as staff of jyj, who has no role
// in rsj. Every attempt must be refused (401, 403, 404, or sent to sign
// in) and no answer may show the victim's unpublished article.
func TestEveryRouteRefusesIntruders(t *testing.T) {
	e, _ := webtest.EditorialEnv(t, storetest.SQLite(t))
	ctx := context.Background()
	webtest.EnableOptionalRooms(t, e)
	e.Srv.EnableModuleConsole(modulestest.StoreConsole{S: modules.NewStore(e.DB, e.TS)})
	rsj, err := e.TS.ByCode(ctx, "rsj")
	if err != nil {
		t.Fatal(err)
	}
	cs := content.NewStore(e.DB)
	col, err := cs.Column(ctx, rsj.ID, "gzdt")
	if err != nil {
		t.Fatal(err)
	}
	const secret = "人社局未公开稿件甲乙丙"
	draft := &content.Article{TenantID: rsj.ID, ColumnID: col.ID, Title: secret, Body: "<p>" + secret + "</p>"}
	if err := cs.SaveDraft(ctx, e.DB, draft); err != nil {
		t.Fatal(err)
	}

	anon := e.Browser(t)
	citizen := e.Browser(t)
	citizen.LoginDemo("citizen")
	staff := e.Browser(t)
	staff.LoginDemo("editor")
	actors := []struct {
		name   string
		b      *webtest.Browser
		tokens map[string]string
	}{{"anonymous", anon, map[string]string{}}, {"citizen", citizen, map[string]string{}}, {"jyj editor", staff, map[string]string{}}}
	sites := []struct{ name, base string }{
		{"rsj", e.Portal + "/site/rsj"},
		{"jyj", e.JYJ},
	}
	// The victim's ids for every path parameter.
	ids := strings.NewReplacer(
		"{id}", fmt.Sprint(draft.ID), "{code}", "rsj", "{slug}", "gzdt", "{token}", "nosuchtoken", "{name}", "x.pdf", "{$}", "")

	routes := e.Srv.SiteRoutes()
	if len(routes) < 60 {
		t.Fatalf("only %d site routes: the route table is not what the walk expects", len(routes))
	}
	attempts := 0
	for _, pattern := range routes {
		method, path, found := strings.Cut(pattern, " ")
		if !found {
			method, path = "", pattern
		}
		if strings.HasPrefix(path, "/echo") || strings.HasPrefix(path, "/pictures") || strings.HasPrefix(path, "/plain") {
			continue // routes other tests of this package add
		}
		methods := []string{method}
		if method == "" {
			methods = []string{"GET", "POST"}
		}
		concrete := ids.Replace(path)
		for _, m := range methods {
			for _, site := range sites {
				for _, a := range actors {
					attempts++
					status, loc, body := attempt(a.b, a.tokens, m, site.base+concrete, site.base)
					what := fmt.Sprintf("%s %s on %s as %s", m, concrete, site.name, a.name)
					if strings.Contains(body, secret) {
						t.Errorf("%s: the answer shows rsj's unpublished article", what)
					}
					if status >= 500 {
						t.Errorf("%s: %d", what, status)
					}
					if _, open := openRoutes[pattern]; open {
						continue
					}
					if !refused(status, loc) {
						t.Errorf("%s: %d (Location %q), want 401, 403, 404 or a redirect to sign in", what, status, loc)
					}
				}
			}
		}
	}
	t.Logf("%d site routes walked, %d attempts", len(routes), attempts)
}

// attempt makes one request without following redirects; an unsafe one
// carries the actor's valid CSRF token for the site, so that what stops
// it is authorization, not the form check.
func attempt(b *webtest.Browser, tokens map[string]string, method, u, siteBase string) (int, string, string) {
	b.T.Helper()
	var body io.Reader
	if method != "GET" && method != "HEAD" {
		tok, ok := tokens[siteBase]
		if !ok {
			// A signed-in person's pages carry their token (the sign-out
			// form); an anonymous visitor's home page has no form to
			// post, and their attempt goes without one.
			tok = webtest.Field(webtest.CSRFRe, b.Get(siteBase+"/").Body)
			tokens[siteBase] = tok
		}
		body = strings.NewReader(url.Values{"csrf": {tok}, "title": {"入侵者的标题"}}.Encode())
	}
	req, _ := http.NewRequest(method, u, body)
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", originOf(u))
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	c := *b.C
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Do(req)
	if err != nil {
		b.T.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(out)
}

func refused(status int, loc string) bool {
	switch status {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound:
		return true
	case http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect:
		return strings.Contains(loc, "/account/login") || strings.Contains(loc, "/account/totp") || strings.Contains(loc, "/idp/")
	}
	return false
}
