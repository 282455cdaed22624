package admin

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"yiwang/core"
	"yiwang/core/blob"
	"yiwang/core/web"
)

// serveBlob answers a GET or HEAD of a stored object with range
// requests (206 for a range, suffix ranges, 416 for ranges past the
// end), conditional requests by modification time, and the bytes read
// from the store as they are sent: a 300 MB video costs a read buffer,
// never its size in memory. The caller has set the type and headers.
func serveBlob(w http.ResponseWriter, r *http.Request, s *web.Server, st blob.Store, key string, modified time.Time) {
	o, err := st.Open(r.Context(), key)
	if errors.Is(err, blob.ErrNotFound) {
		s.RenderError(w, r, core.Errorf(core.ENOTFOUND, "没有找到这个文件"))
		return
	}
	if err != nil {
		slog.Error("blob open", "key", key, "store", st.Name(), "err", err)
		s.RenderError(w, r, core.Errorf(core.EUNAVAIL, "文件暂时无法读取，请稍后再试"))
		return
	}
	defer o.Close()
	w.Header().Set("Accept-Ranges", "bytes")
	// The name is empty so ServeContent takes the type from the header
	// the caller set, never from an extension.
	http.ServeContent(w, r, "", modified, o)
}
