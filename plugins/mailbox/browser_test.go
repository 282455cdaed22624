package mailbox

import (
	"context"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"yiwang/plugins/sdk/sdktest"
	"yiwang/plugins/sdk/sdktest/browsertest"
)

// TestBrowserCitizenWritesAndReadsReply: in a real Chromium, a citizen
// writes to the county head's mailbox through the form served by the
// real plugin process and notes the letter number and query code; the
// county office assigns it to 教育局, which answers, and the dispatcher
// approves; the citizen then reads the reply on their letter's page and
// by looking the letter up with number and query code.
func TestBrowserCitizenWritesAndReadsReply(t *testing.T) {
	ctx := mailboxBrowser(t)
	h := sdktest.Process(t, Module, options())
	srv := httptest.NewServer(browsertest.Site(h, portal, citizen))
	defer srv.Close()

	bodyText := func() string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}

	subject := "孩子转学需要哪些手续"
	err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/mailbox/write?box=county_head"),
		chromedp.WaitVisible("#ms"),
		chromedp.Click(`input[name="box"][value="county_head"]`),
		chromedp.Click(`input[name="category"][value="咨询"]`),
		chromedp.SendKeys("#ms", subject),
		chromedp.SendKeys("#mc", "我的孩子今年从外县转来读初二，请问转学需要准备哪些材料？"),
		chromedp.Click(`button[type="submit"]`),
		chromedp.WaitVisible(`p[role="status"]`),
	)
	if err != nil {
		t.Fatalf("write a letter: %v", err)
	}
	page := bodyText()
	n := regexp.MustCompile(`信件编号\s*(XX\d{14})`).FindStringSubmatch(page)
	c := regexp.MustCompile(`查询码\s*(\d{8})`).FindStringSubmatch(page)
	if !strings.Contains(page, "信件已提交") || n == nil || c == nil {
		t.Fatalf("submitted page: %s", page)
	}
	number, code := n[1], c[1]

	// Before any reply: pending, no answer.
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/mailbox/my/"+number), chromedp.WaitVisible("h1")); err != nil {
		t.Fatal(err)
	}
	if page := bodyText(); !strings.Contains(page, subject) || !strings.Contains(page, "待受理") || strings.Contains(page, "答复\n") {
		t.Fatalf("letter before the reply: %s", page)
	}

	reply := "您好：转学需持原学校转学联系单、户口簿到教育局学籍管理股办理。"
	handleToReply(t, h, number, reply, false)

	// The writer's own page.
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/mailbox/my/"+number), chromedp.WaitVisible("h1")); err != nil {
		t.Fatal(err)
	}
	if page := bodyText(); !strings.Contains(page, reply) || !strings.Contains(page, "已办结") || !strings.Contains(page, "思南县教育局") {
		t.Fatalf("writer's page after the reply: %s", page)
	}

	// Look-up by number and query code.
	err = chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/mailbox/"),
		chromedp.WaitVisible("#qn"),
		chromedp.SendKeys("#qn", number),
		chromedp.SendKeys("#qc", code),
		chromedp.Click(`form[action$="mailbox/query"] button[type="submit"]`),
		chromedp.WaitVisible("article h1"),
	)
	if err != nil {
		t.Fatalf("look-up: %v", err)
	}
	if page := bodyText(); !strings.Contains(page, subject) || !strings.Contains(page, reply) {
		t.Fatalf("looked-up letter: %s", page)
	}
}

// mailboxBrowser starts Chromium for the test with a bound on the run.
func mailboxBrowser(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(browsertest.Start(t), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}
