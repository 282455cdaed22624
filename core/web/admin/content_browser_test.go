package admin_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"yiwang/core/store/storetest"
	"yiwang/core/web/webtest"
	"yiwang/plugins/sdk/sdktest/browsertest"
)

// TestEditorInTheBrowser drives the console in a real Chromium: the editor
// writes an article in the rich-text editor (served by the platform, no
// outside assets) and submits it, the reviewer approves it, and it
// appears on the public sub-site.
func TestEditorInTheBrowser(t *testing.T) {
	e, _ := webtest.EditorialEnv(t, storetest.SQLite(t))
	ctx := webtest.Chromium(t)

	// Sign-on itself is tested elsewhere: here each person signs in over
	// HTTP and the browser takes over their session on jyj's host.
	session := func(username string) string {
		b := e.Browser(t)
		b.LoginDemo(username)
		b.Get(e.JYJ + "/admin/")
		c := b.Cookie(e.JYJ, "yw_session")
		if c == nil {
			t.Fatalf("%s has no session on jyj", username)
		}
		return c.Value
	}
	use := func(token string) chromedp.Action[chromedp.Void] {
		return chromedp.Evaluate[chromedp.Void](`document.cookie = "yw_session=` + token + `; path=/"`)
	}
	editor, reviewer := session("editor"), session("reviewer")

	if err := chromedp.Do(ctx, chromedp.Navigate(e.JYJ+"/sitemap/"), use(editor),
		chromedp.Navigate(e.JYJ+"/admin/articles/new"),
		chromedp.WaitVisible("#ed-editor"),
	); err != nil {
		t.Fatal(err)
	}
	// Pasted Word markup is cleaned to plain paragraphs.
	cleaned, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`yiwangEditor.clean('<p class="MsoNormal" style="mso-line-height-alt:12pt"><span lang="EN-US" style="font-family:宋体">会议<o:p></o:p></span></p><p class="MsoNormal"><o:p>&nbsp;</o:p></p><script>alert(1)</script>')`))
	if err != nil {
		t.Fatal(err)
	}
	if cleaned != "<p>会议</p>" {
		t.Errorf("Word paste cleaned to %q", cleaned)
	}
	if err := chromedp.Do(ctx,
		chromedp.SendKeys("#ed-title", "县教育局开展春季安全大检查"),
		chromedp.Click("#ed-editor"),
		chromedp.SendKeys("#ed-editor", "检查组深入全县中小学校开展安全检查。"),
		chromedp.Click(`button[name="op"][value="submit"]`),
		chromedp.WaitVisible(".form-done"),
	); err != nil {
		t.Fatal(err)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	m := articleURLRe.FindStringSubmatch(loc)
	if m == nil {
		t.Fatalf("after submitting: %s", loc)
	}
	id := m[1]

	if err := chromedp.Do(ctx, use(reviewer),
		chromedp.Navigate(e.JYJ+"/admin/articles/"+id),
		chromedp.WaitVisible(`form[action$="/approve"]`),
		chromedp.Click(`form[action$="/approve"] button[type="submit"]`),
		chromedp.WaitVisible(".form-done"),
	); err != nil {
		t.Fatal(err)
	}
	done, err := chromedp.Run(ctx, chromedp.Text(".form-done"))
	if err != nil || !strings.Contains(done, "已发布") {
		t.Fatalf("after approving: %q %v", done, err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(e.JYJ+"/art/"+id), chromedp.WaitVisible("article h1")); err != nil {
		t.Fatal(err)
	}
	title, err := chromedp.Run(ctx, chromedp.Text("article h1"))
	if err != nil {
		t.Fatal(err)
	}
	body, err := chromedp.Run(ctx, chromedp.Text(".article-body"))
	if err != nil {
		t.Fatal(err)
	}
	if title != "县教育局开展春季安全大检查" || !strings.Contains(body, "检查组深入全县中小学校开展安全检查。") {
		t.Errorf("public page shows %q / %q", title, body)
	}

	// The console pages meet WCAG 2.1 AA too, on a desktop and a phone
	// (when axe-core is at hand, as in CI).
	axePath := os.Getenv(webtest.EnvAxe)
	if axePath == "" {
		t.Logf("console pages not checked with axe-core: set %s", webtest.EnvAxe)
		return
	}
	axe, err := os.ReadFile(axePath)
	if err != nil {
		t.Fatal(err)
	}
	admin := session("admin")
	pages := []struct{ who, path string }{
		{reviewer, "/admin/articles/"}, {reviewer, "/admin/articles/" + id}, {reviewer, "/admin/articles/" + id + "/versions"},
		{editor, "/admin/articles/new"}, {editor, "/admin/submissions/"}, {editor, "/admin/submissions/stats"}, {admin, "/admin/columns/"},
	}
	for _, size := range []struct{ w, h int64 }{{1280, 900}, {390, 844}} {
		for _, p := range pages {
			t.Run(fmt.Sprintf("axe %dpx %s", size.w, p.path), func(t *testing.T) {
				if err := chromedp.Do(ctx, chromedp.EmulateViewport(size.w, size.h), use(p.who), chromedp.Navigate(e.JYJ+p.path),
					chromedp.WaitReady("main")); err != nil {
					t.Fatal(err)
				}
				found, err := browsertest.WCAG(ctx, axe)
				if err != nil {
					t.Fatal(err)
				}
				for _, v := range found {
					t.Error(v)
				}
			})
		}
	}
}
