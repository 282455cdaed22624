package disclosure

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"yiwang/plugins/sdk/sdktest"
	"yiwang/plugins/sdk/sdktest/browsertest"
)

// TestBrowserCitizenAppliesAndReadsTheAnswer: in a real Chromium, a
// citizen fills the application form of 教育局 served by the real plugin
// process, attaches an identity document and submits; the office answers;
// the citizen reads the answer letter.
func TestBrowserCitizenAppliesAndReadsTheAnswer(t *testing.T) {
	ctx, cancel := context.WithTimeout(browsertest.Start(t), 90*time.Second)
	defer cancel()
	h := sdktest.Process(t, Module, requestOptions())
	srv := httptest.NewServer(browsertest.Site(h, jyj, applicant))
	defer srv.Close()
	id := filepath.Join(t.TempDir(), "身份证.png")
	if err := os.WriteFile(id, pngBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	text := func() string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/site/jyj/disclosure/apply"),
		chromedp.WaitVisible("#ap-desc"),
		chromedp.SendKeys("#ap-idno", "522227199001011234"),
		chromedp.SendKeys("#ap-phone", "13812345678"),
		chromedp.SendKeys("#ap-desc", "请公开本县2025年义务教育阶段学校布局调整方案"),
		chromedp.SetUploadFiles("#ap-files", []string{id}),
		chromedp.Click(`form button[type="submit"]`),
		chromedp.WaitVisible(`p[role="status"]`),
	)
	if err != nil {
		t.Fatalf("apply: %v\n%s", err, text())
	}
	m := regexp.MustCompile(`申请编号\s*(YS\d{13})`).FindStringSubmatch(text())
	if m == nil {
		t.Fatalf("submitted page: %s", text())
	}
	number := m[1]
	if r := h.Post(jyj, handler, "/admin/disclosure/requests/"+number, url.Values{"action": {"answer"}, "outcome": {OutcomeDisclose},
		"answer": {"现将学校布局调整方案全文提供给您，请在线查看。"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("answer: %d %s", r.Status, r.Text())
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/site/jyj/disclosure/my/"+number), chromedp.WaitVisible("h1")); err != nil {
		t.Fatal(err)
	}
	if page := text(); !strings.Contains(page, "已答复") || !strings.Contains(page, "予以公开") {
		t.Fatalf("request page: %s", page)
	}
	if err := chromedp.Do(ctx, chromedp.Click(`a[href$="/letter"]`), chromedp.WaitVisible("article h1")); err != nil {
		t.Fatalf("open the letter: %v", err)
	}
	page := text()
	for _, want := range []string{"政府信息公开申请答复书", number, "予以公开", "现将学校布局调整方案全文提供给您", "思南县教育局"} {
		if !strings.Contains(page, want) {
			t.Errorf("letter lacks %q:\n%s", want, page)
		}
	}
}
