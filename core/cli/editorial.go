package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"yiwang/core/blob"
	"yiwang/core/content"
	"yiwang/core/web/admin"
	"yiwang/core/web/host"
)

// The editorial console in `yiwang serve`: articles with review, columns,
// 信息报送, uploads under DATA/uploads, and the clock that publishes
// scheduled articles.

func init() {
	extendServe(serveExtension{name: "editorial", flags: editorialFlags, start: editorialStart})
}

type editorialOptions struct {
	fs            *flag.FlagSet
	maxUploadMB   int64
	quotaMB       int64
	checkExternal bool
	blob          string
	signedVideos  bool
	store         blob.Store // opened at start, for the sweeper too
}

var editorialOpts editorialOptions

func editorialFlags(fs *flag.FlagSet) {
	o := &editorialOpts
	*o = editorialOptions{fs: fs}
	fs.Int64Var(&o.maxUploadMB, "upload-max-mb", 50, "单个附件的大小上限（MB，1 到 500）")
	fs.Int64Var(&o.quotaMB, "upload-quota-mb", 2048, "每个站点附件总容量（MB）")
	blobFlag(fs, &o.blob)
	fs.BoolVar(&o.signedVideos, "blob-signed-urls", envBool("YIWANG_BLOB_SIGNED_URLS", false),
		"视频由浏览器直接从对象存储读取（带签名、15 分钟内有效的地址；存储须为浏览器可访问的 HTTPS 地址）")
	fs.BoolVar(&o.checkExternal, "check-external-links", envBool("YIWANG_CHECK_EXTERNAL_LINKS", true),
		"提交审核时检查正文中的外部链接能否访问（只访问公网地址）")
}

func editorialStart(ctx context.Context, e *env, p *platform, srv *host.Server) (func(), error) {
	o := &editorialOpts
	data := "data"
	if f := o.fs.Lookup("data"); f != nil && f.Value.String() != "" {
		data = f.Value.String()
	}
	portalHost := "localhost"
	if f := o.fs.Lookup("portal-host"); f != nil && f.Value.String() != "" {
		portalHost = f.Value.String()
	}
	if o.maxUploadMB <= 0 || o.maxUploadMB > 500 {
		return nil, usageError{"--upload-max-mb 应在 1 到 500 之间"}
	}
	d := content.NewDesk(p.content)
	if o.checkExternal {
		d.CheckLink = publicLinkChecker()
	}
	// Links to any of a tenant's hosts, or to its /site/<code>/ form on
	// the portal host, are same-site links: checked against the database.
	d.SiteURL = func(ctx context.Context, tenantID int64) []string {
		t, err := p.tenants.ByID(ctx, tenantID)
		if err != nil {
			return nil
		}
		out := []string{"//" + portalHost + "/site/" + t.Code + "/"}
		for _, h := range t.Domains {
			out = append(out, "//"+h+"/")
		}
		if t.IsPortal() {
			out = append(out, "//"+portalHost+"/")
		}
		return out
	}
	// An adopted copy links back to its source on the source's canonical
	// host; without one, by path under the portal, where the copy is.
	d.ArticleURL = func(ctx context.Context, tenantID, articleID int64) string {
		t, err := p.tenants.ByID(ctx, tenantID)
		if err != nil {
			return ""
		}
		id := strconv.FormatInt(articleID, 10)
		if h := t.PrimaryDomain(); h != "" && !t.IsPortal() {
			return "//" + h + "/art/" + id
		}
		return "/site/" + t.Code + "/art/" + id
	}
	st, err := openBlob(ctx, o.blob, data)
	if err != nil {
		return nil, err
	}
	o.store = st
	e.log.Info("file store", "store", st.Name())
	tmp := filepath.Join(data, "tmp")
	if err := os.MkdirAll(tmp, 0o750); err != nil {
		return nil, err
	}
	srv.EnableEditorial(d, admin.EditorialOptions{SignedVideoURLs: o.signedVideos, Uploads: content.UploadConfig{
		Store: st, TempDir: tmp, MaxUpload: o.maxUploadMB << 20, TenantQuota: o.quotaMB << 20}})

	// Scheduled articles go online when their time comes, by the server's
	// clock. Every replica may run this: an article changes state once.
	jctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(15 * time.Second)
		defer t.Stop()
		for {
			if n, err := d.PublishDue(jctx); err != nil && jctx.Err() == nil {
				e.log.Warn("scheduled publishing", "err", err)
			} else if n > 0 {
				e.log.Info("scheduled articles published", "count", n)
			}
			select {
			case <-jctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return func() { cancel(); <-done }, nil
}

// publicLinkChecker asks an outside server whether a link answers, with a
// HEAD (and a GET when HEAD is refused). It connects only to public
// addresses: a writer's link must not make the server probe the county's
// internal network.
func publicLinkChecker() content.LinkChecker {
	dialer := &net.Dialer{Timeout: 5 * time.Second, Control: func(network, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return err
		}
		ip := net.ParseIP(host)
		if ip == nil || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsUnspecified() || ip.IsMulticast() {
			return errors.New("link check: not a public address")
		}
		return nil
	}}
	client := &http.Client{Timeout: 8 * time.Second, Transport: &http.Transport{DialContext: dialer.DialContext, TLSHandshakeTimeout: 5 * time.Second,
		ResponseHeaderTimeout: 6 * time.Second, MaxIdleConns: 4}}
	return func(ctx context.Context, u string) error {
		for _, method := range []string{http.MethodHead, http.MethodGet} {
			req, err := http.NewRequestWithContext(ctx, method, u, nil)
			if err != nil {
				return err
			}
			req.Header.Set("User-Agent", "yiwang-link-check/1")
			resp, err := client.Do(req)
			if err != nil {
				return err
			}
			resp.Body.Close()
			if resp.StatusCode < 400 {
				return nil
			}
			if resp.StatusCode != http.StatusMethodNotAllowed && resp.StatusCode != http.StatusNotImplemented {
				return fmt.Errorf("link check: %s", resp.Status)
			}
		}
		return errors.New("link check: no answer")
	}
}
