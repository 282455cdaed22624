package admin_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"yiwang/core/blob"
	"yiwang/core/content"
	"yiwang/core/store/storetest"
	"yiwang/core/web/admin"
	"yiwang/core/web/webtest"
)

// dropOnce is a store that drops the connections of the requests
// putting the third chunk for a second: the handler aborts, and
// net/http closes the connection without an answer, as a network cut
// does. (Chromium itself sends a request again at once when a kept-alive
// connection closes without an answer; a second of failures reaches the
// page's script, which waits two seconds before it goes on.)
type dropOnce struct {
	blob.Store
	tries atomic.Int32
	first atomic.Int64
}

func (d *dropOnce) Put(ctx context.Context, key string, r io.Reader, size int64, opts blob.PutOptions) (blob.Info, error) {
	if strings.HasPrefix(key, "tmp/") && strings.HasSuffix(key, "/0000000016777216") {
		d.tries.Add(1)
		d.first.CompareAndSwap(0, time.Now().UnixNano())
		if time.Since(time.Unix(0, d.first.Load())) < time.Second {
			panic(http.ErrAbortHandler)
		}
	}
	return d.Store.Put(ctx, key, r, size, opts)
}

// The console's upload script in Chromium: a 20 MB video in chunks with
// the progress bar, a connection dropped at the third chunk and the
// upload going on by itself, the saved video's page at the end.
func TestVideoUploadInTheBrowser(t *testing.T) {
	db := storetest.SQLite(t)
	e := webtest.NewSSOEnv(t, db)
	st := &dropOnce{Store: webtest.LocalBlobs(t)}
	d := content.NewDesk(content.NewStore(db))
	e.Srv.EnableEditorial(d, admin.EditorialOptions{Uploads: content.UploadConfig{Store: st, TempDir: t.TempDir()}})
	file := filepath.Join(t.TempDir(), "县新闻联播.mp4")
	f, err := os.Create(file)
	webtest.Must(t, err)
	_, err = io.Copy(f, paddedMP4(t, 20<<20))
	webtest.Must(t, err)
	f.Close()

	b := e.Browser(t)
	b.LoginDemo("editor")
	b.Get(e.JYJ + "/admin/")
	c := b.Cookie(e.JYJ, "yw_session")
	if c == nil {
		t.Fatal("the editor has no session on jyj")
	}
	ctx := webtest.Chromium(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(e.JYJ+"/sitemap/"),
		chromedp.Evaluate[chromedp.Void](`document.cookie = "yw_session=`+c.Value+`; path=/"`),
		chromedp.Navigate(e.JYJ+"/admin/videos/"),
		chromedp.WaitVisible("#vu-form"),
		chromedp.SetUploadFiles("#vu-file", []string{file}),
		chromedp.SendKeys("#vu-title", "思南新闻联播"),
		chromedp.SendKeys("#vu-transcript", "各位观众，晚上好。"),
		chromedp.Click("#vu-go"),
	); err != nil {
		t.Fatal(err)
	}
	var sawDrop, sawProgress bool
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[location.pathname, (document.getElementById("vu-status") || {}).textContent || "", String((document.getElementById("vu-progress") || {}).value || "")]`))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(got[1], "网络连接中断") {
			sawDrop = true
		}
		if got[2] != "" && got[2] != "0" {
			sawProgress = true
		}
		if strings.HasPrefix(got[0], "/admin/videos/") && got[0] != "/admin/videos/" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	// The address changes as soon as the next page is asked for; its text
	// is there once it has loaded.
	if err := chromedp.Do(ctx, chromedp.WaitVisible("code.embed-code")); err != nil {
		t.Fatalf("the saved video's page: %v", err)
	}
	body, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, "思南新闻联播") || !strings.Contains(body, "在文章中插入") {
		t.Fatalf("after the upload the page shows:\n%s", body)
	}
	if st.tries.Load() < 3 || !sawDrop || !sawProgress {
		t.Errorf("third chunk tried %d times, the page said the connection dropped: %v, progress shown: %v", st.tries.Load(), sawDrop, sawProgress)
	}
	var size int64
	webtest.Must(t, db.Get(&size, `SELECT size FROM attachments WHERE mime = 'video/mp4'`))
	if st, _ := os.Stat(file); size != st.Size() {
		t.Errorf("stored %d bytes, the file has %d", size, st.Size())
	}
}
