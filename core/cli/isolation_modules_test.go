package cli_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/sdktest"
)

// openModuleRoutes are module routes anyone may reach by design: public
// pages, forms a signed-in person may post, one's own lists. The walk
// still checks that none of them shows the victim's private objects.
// A module route missing here must refuse every intruder, so a public
// route added later fails the walk until it is declared here.
var openModuleRoutes = map[string]string{
	"/":                                      "not found, in the module's layout",
	"GET /mailbox":                           "redirect to the mailbox",
	"GET /mailbox/{$}":                       "the mailbox's public page",
	"GET /mailbox/write":                     "the letter form (sign-in first)",
	"POST /mailbox/write":                    "anyone signed in writes a letter",
	"GET /mailbox/my/{$}":                    "one's own letters",
	"POST /mailbox/query":                    "look-up by number and query code",
	"GET /mailbox/report":                    "public figures",
	"GET /disclosure":                        "redirect to disclosure",
	"GET /disclosure/{$}":                    "disclosure home",
	"GET /disclosure/apply":                  "the request form (sign-in first)",
	"POST /disclosure/apply":                 "anyone signed in applies",
	"GET /disclosure/assets/{name}":          "stylesheets and scripts",
	"GET /disclosure/guide":                  "公开指南",
	"GET /disclosure/rules":                  "公开制度",
	"GET /disclosure/list":                   "the published catalogue",
	"GET /disclosure/platform":               "the county's published catalogue",
	"GET /disclosure/items/{id}":             "a published item",
	"GET /disclosure/items/{id}/files/{fid}": "a published item's attachment",
	"GET /disclosure/my/{$}":                 "one's own requests",
	"GET /disclosure/reports/{$}":            "published annual reports",
	"GET /disclosure/reports/{year}":         "a published annual report",
	"GET /interview":                         "redirect to interviews",
	"GET /interview/{$}":                     "interviews and their archive",
	"GET /interview/assets/{name}":           "stylesheets and scripts",
	"GET /interview/my/{$}":                  "one's own questions",
	"GET /interview/{id}":                    "an announced, live or past interview",
	"GET /interview/{id}/photos/{pid}":       "a published answer's photo",
	"POST /interview/{id}/ask":               "anyone signed in asks",
	"GET /topics":                            "redirect to topics",
	"GET /topics/{$}":                        "published topics",
	"GET /topics/assets/{name}":              "stylesheets and scripts",
}

// moduleRoutes asks every module compiled into the binary for its route
// table (sdk.Router), each configured in this process on a scratch
// database: the routes the walk covers are the modules' own, not a copy.
func moduleRoutes(t *testing.T) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, m := range sdk.Modules() {
		if m.Name == "example" {
			continue
		}
		h := sdktest.InProcess(t, m, sdktest.Options{DSN: "sqlite:" + filepath.Join(t.TempDir(), m.Name+".db")})
		r, ok := h.Server.Handler().(sdk.Router)
		if !ok {
			t.Fatalf("module %s does not list its routes: build its route table with sdk.NewMux and give its handler Routes()", m.Name)
		}
		out[m.Name] = r.Routes()
	}
	return out
}

// TestEveryModuleRouteRefusesIntruders walks the route table of every
// built-in module through the real binary and its plugin processes: on
// the victim's site (the portal) and on the intruder's own (教育局), with
// the ids of the victim's private objects (a letter with its attachment
// and a disclosure request with its identity document, both written by a
// person with no role on jyj, and the county office's unpublished topic),
// as an anonymous visitor, as a citizen and as 教育局's editor. Routes not
// open by design must be refused (401, 403, 404 or sent to sign in) —
// except the editor's own console pages on 教育局 that name no object —
// and no answer may show a private object's text.
func TestEveryModuleRouteRefusesIntruders(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	routes := moduleRoutes(t)
	data := filepath.Join(t.TempDir(), "data")
	s := startServe(t, data)
	s.waitHealthy(90 * time.Second)
	_, port, _ := strings.Cut(strings.TrimPrefix(s.base, "http://"), ":")
	portal := "http://localhost:" + port
	jyj := "http://jyj.localhost:" + port
	var names []string
	for name := range routes {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if code, _, stderr := runBinary(t, "modules", "enable", "jyj", name, "--data", data); code != 0 {
			t.Fatalf("enable %s on jyj: %s", name, stderr)
		}
	}
	anon := newVisitor(t, s)
	waitFor(t, 30*time.Second, "every module on 教育局", func() bool {
		for _, name := range names {
			if anon.get(jyj+"/"+name+"/").status != http.StatusOK {
				return false
			}
		}
		return true
	})

	// The victim's private objects, written through the pages as people
	// write them. 赵办理 writes as a private person: the portal letter
	// and request are his own, and nobody else's to see.
	writer := newVisitor(t, s)
	writer.signIn(portal+"/account/login?r=/mailbox/", "handler")
	const letterSecret = "甲乙丙私人来信不得外泄"
	write := writer.form(portal+"/mailbox/write?box=county_head", "mailbox/write")
	write.set("box", "county_head")
	write.set("category", "投诉")
	write.set("subject", letterSecret)
	write.set("content", letterSecret+"，此信只给县长办公室看，请勿公开。")
	write.attach("现场照片.png", append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 2048)...))
	done := writer.submit(write)
	m := regexp.MustCompile(`([A-Z]{2}\d{14})`).FindStringSubmatch(done.text)
	if done.status != http.StatusOK || m == nil {
		t.Fatalf("writing the victim's letter: %d\n%s", done.status, done.text)
	}
	letter := m[1]
	letterFile := pathValue(t, writer.get(portal+"/mailbox/my/"+letter).page, `/mailbox/my/`+letter+`/files/([^"/]+)"`)

	const requestSecret = "丁戊己私人申请不得外泄"
	const idNumber = "522227199001019876"
	apply := writer.form(portal+"/disclosure/apply", "disclosure/apply")
	apply.set("id_number", idNumber)
	apply.set("phone", "13812345678")
	apply.set("description", requestSecret)
	apply.attach("身份证.png", append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{9}, 2048)...))
	done = writer.submit(apply)
	m = regexp.MustCompile(`申请编号\s*([A-Z]{2}\d+)`).FindStringSubmatch(done.text)
	if done.status != http.StatusOK || m == nil {
		t.Fatalf("applying: %d\n%s", done.status, done.text)
	}
	request := m[1]
	requestFile := pathValue(t, writer.get(portal+"/disclosure/my/"+request).page, `/disclosure/my/`+request+`/files/([^"/]+)"`)

	office := newVisitor(t, s)
	office.signIn(portal+"/account/login?r=/admin/", "admin")
	const topicSecret = "庚辛壬未发布专题"
	create := office.form(portal+"/admin/topics/new", "admin/topics/")
	create.set("title", topicSecret)
	got := office.submit(create)
	topic := pathValue(t, got.url, `/admin/topics/(\d+)`)
	section := office.formOn(got, "/sections/", "kind")
	section.set("title", "未发布栏目")
	got = office.submit(section)
	sectionID := pathValue(t, got.page, `/sections/(\d+)"`)

	// Ids of the portal's published objects, for the routes that name
	// them: an interview, a catalogue item, an answer's photo.
	interview := pathValue(t, anon.get(portal+"/interview/").page, `/interview/(\d+)"`)
	item := pathValue(t, anon.get(portal+"/disclosure/list").page, `/disclosure/items/(\d+)"`)
	secrets := []string{letterSecret, requestSecret, idNumber, topicSecret}

	ids := map[string]*strings.Replacer{
		"mailbox":    strings.NewReplacer("{number}", letter, "{file}", letterFile, "{$}", ""),
		"disclosure": strings.NewReplacer("{number}", request, "{fid}", requestFile, "{id}", item, "{year}", fmt.Sprint(time.Now().Year()), "{name}", "x.css", "{$}", ""),
		"interview":  strings.NewReplacer("{id}", interview, "{qid}", "1", "{pid}", "1", "{name}", "x.css", "{$}", ""),
		"topics":     strings.NewReplacer("{id}", topic, "{sid}", sectionID, "{name}", "x.css", "{$}", ""),
	}

	citizen := newVisitor(t, s)
	citizen.signIn(portal+"/account/login?r=/account/", "citizen")
	editor := newVisitor(t, s)
	editor.signIn(jyj+"/account/login?r=/admin/", "editor")
	actors := []struct {
		name  string
		v     *visitor
		staff string // the site they are staff of
	}{{"anonymous", newVisitor(t, s), ""}, {"citizen", citizen, ""}, {"jyj editor", editor, jyj}}
	sites := []string{portal, jyj}

	walked, attempts := 0, 0
	for _, name := range names {
		rep, ok := ids[name]
		if !ok {
			t.Fatalf("module %s has routes but the walk has no ids of its objects: add them here", name)
		}
		for _, pattern := range routes[name] {
			walked++
			method, path, found := strings.Cut(pattern, " ")
			if !found {
				method, path = "", pattern
			}
			methods := []string{method}
			if method == "" {
				methods = []string{"GET", "POST"}
			}
			concrete := rep.Replace(path)
			if strings.Contains(concrete, "{") {
				t.Errorf("%s: no id for a parameter of %s", name, pattern)
				continue
			}
			_, open := openModuleRoutes[pattern]
			for _, meth := range methods {
				for _, site := range sites {
					for _, a := range actors {
						attempts++
						status, header, body := a.v.attempt(meth, site+concrete, site)
						loc := header.Get("Location")
						what := fmt.Sprintf("%s %s on %s as %s", meth, concrete, site, a.name)
						if problem := unsafeHeaders(header); problem != "" {
							t.Errorf("%s: %s", what, problem)
						}
						for _, secret := range secrets {
							if strings.Contains(body, secret) {
								t.Errorf("%s: the answer shows the victim's private %q", what, secret)
							}
						}
						if status >= 500 {
							t.Errorf("%s: %d", what, status)
						}
						// Staff on their own site may use its console
						// pages that name no object of the victim's (a
						// year is no object).
						own := a.staff == site && !strings.Contains(strings.NewReplacer("{$}", "", "{year}", "").Replace(path), "{")
						if open || own {
							continue
						}
						// The canonical form of a directory's address
						// says nothing of what is in it.
						slash := status == http.StatusMovedPermanently && loc == concrete+"/"
						if !refused(status, loc) && !slash {
							t.Errorf("%s: %d (Location %q), want 401, 403, 404 or a redirect to sign in", what, status, loc)
						}
					}
				}
			}
		}
	}
	for pattern := range openModuleRoutes {
		if !anyRoute(routes, pattern) {
			t.Errorf("open route %q is served by no module: the list is out of date", pattern)
		}
	}
	if walked < 80 {
		t.Fatalf("only %d module routes: the modules' route tables are not what the walk expects", walked)
	}
	t.Logf("%d module routes of %d modules walked, %d attempts", walked, len(names), attempts)
}

func anyRoute(routes map[string][]string, pattern string) bool {
	for _, rs := range routes {
		for _, r := range rs {
			if r == pattern {
				return true
			}
		}
	}
	return false
}

// attempt makes one request without following redirects. An unsafe one
// carries a valid CSRF token of the visitor's for the site (read off the
// mailbox page's look-up form), so that what stops it is authorization,
// not the form check.
func (v *visitor) attempt(method, u, site string) (int, http.Header, string) {
	v.t.Helper()
	var body io.Reader
	if method != "GET" && method != "HEAD" {
		tok := pathValue(v.t, v.get(site+"/mailbox/").page, `name="csrf" value="([^"]+)"`)
		body = strings.NewReader(url.Values{"csrf": {html.UnescapeString(tok)}, "title": {"入侵者的标题"}, "action": {"assign"}}.Encode())
	}
	req, _ := http.NewRequest(method, u, body)
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", originOf(u))
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	c := *v.c
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Do(req)
	if err != nil {
		v.t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(out)
}

// unsafeHeaders says what a module's answer lacks of the security headers
// every page carries: a policy that runs only the page's own scripts (a
// nonce, never 'unsafe-inline'), no framing by other sites, no sniffing,
// no full referrer to other sites, and no powerful features.
func unsafeHeaders(h http.Header) string {
	csp := h.Get("Content-Security-Policy")
	switch {
	case csp == "":
		return "no Content-Security-Policy"
	case strings.Contains(csp, "unsafe-inline"):
		return "Content-Security-Policy allows inline script or style: " + csp
	case !strings.Contains(csp, "frame-ancestors 'self'"):
		return "Content-Security-Policy lets other sites frame the page: " + csp
	case !regexp.MustCompile(`script-src [^;]*'nonce-[A-Za-z0-9+/=_-]+'`).MatchString(csp):
		return "Content-Security-Policy has no script nonce: " + csp
	case h.Get("X-Content-Type-Options") != "nosniff":
		return "no X-Content-Type-Options: nosniff"
	case h.Get("Referrer-Policy") == "" || h.Get("Referrer-Policy") == "unsafe-url":
		return "Referrer-Policy " + h.Get("Referrer-Policy")
	case h.Get("Permissions-Policy") == "":
		return "no Permissions-Policy"
	}
	return ""
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

// pathValue returns the first group of re in page, failing the test
// without one.
func pathValue(t *testing.T, page, re string) string {
	t.Helper()
	m := regexp.MustCompile(re).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no %s in:\n%.3000s", re, page)
	}
	return m[1]
}

func waitFor(t *testing.T, limit time.Duration, what string, ok func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	for !ok() {
		select {
		case <-ctx.Done():
			t.Fatalf("%s: not after %s", what, limit)
		case <-time.After(200 * time.Millisecond):
		}
	}
}
