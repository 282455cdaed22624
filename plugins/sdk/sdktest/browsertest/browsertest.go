// Package browsertest starts the headless Chromium that the browser tests
// of every room drive with chromedp, the same way everywhere.
package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// Start returns a chromedp context on a fresh headless Chromium with an
// empty profile, closed when the test ends. Without Chromium the test
// fails when CI is set (.ci/run installs the chromium package and sets
// it) and is skipped, with a message, elsewhere.
func Start(t testing.TB, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	path := ""
	for _, p := range []string{os.Getenv("YIWANG_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("Chromium not found: apt-get install chromium (or set YIWANG_CHROMIUM)")
		}
		t.Skip("Chromium not found: apt-get install chromium (or set YIWANG_CHROMIUM) to run the browser tests")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		// Without these Chromium reaches for Google's hosts, which this
		// machine's closed network refuses.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(filepath.Join(t.TempDir(), "chromium")),
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), append(opts, extra...)...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	// The first call starts the browser; its context must not time out,
	// or the timeout would stop the whole browser.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// WCAG runs axe-core's WCAG 2.0/2.1 A and AA rules on the page ctx shows
// and returns each violation as "rule (impact): help at selectors". axe is
// the text of axe.min.js; it is injected into the page first.
func WCAG(ctx context.Context, axe []byte) ([]string, error) {
	// Injected and run in one evaluation, so that a navigation still under
	// way cannot leave the run on a page without axe.
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](string(axe)+`
;axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
		.then(r => JSON.stringify(r.violations))`, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, err
	}
	var vs []struct {
		ID     string `json:"id"`
		Impact string `json:"impact"`
		Help   string `json:"help"`
		Nodes  []struct {
			Target []string `json:"target"`
		} `json:"nodes"`
	}
	if err := json.Unmarshal([]byte(out), &vs); err != nil {
		return nil, fmt.Errorf("axe result %q: %w", out, err)
	}
	var found []string
	for _, v := range vs {
		var where []string
		for _, n := range v.Nodes {
			where = append(where, strings.Join(n.Target, " "))
		}
		found = append(found, fmt.Sprintf("%s (%s): %s at %s", v.ID, v.Impact, v.Help, strings.Join(where, ", ")))
	}
	return found, nil
}
