package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"unicode/utf8"

	"yiwang/core"
)

// The body of an unsafe request is read once, at the edge, and kept: the
// form check (CSRF token, text encoding) parses its copy, and whatever
// handles the request next (a core handler, or the plugin host passing the
// request on to a module) reads the body from its first byte, exactly as
// the browser sent it. Bodies up to keptInMemory stay in memory, larger
// ones (uploads) go to a temporary file removed when the request ends.

const keptInMemory = 1 << 20

type (
	bodyErrKey  struct{}
	tooLargeKey struct{}
)

// failingReader is the body of a request past its limit.
type failingReader struct{ err error }

func (f failingReader) Read([]byte) (int, error) { return 0, f.err }

// keepBody reads the body of unsafe requests and checks that their text is
// UTF-8; a failure is recorded for ServeSite to answer in the site's
// layout, before any handler runs.
func (s *Server) keepBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var bad error
		if !utf8.ValidString(r.URL.Path) || !validValues(r.URL.Query()) {
			bad = invalidText()
		}
		if bad == nil && UnsafeMethod(r.Method) && r.Body != nil && r.Body != http.NoBody {
			limit := s.bodyLimit(r.URL.Path)
			kept, err := keep(http.MaxBytesReader(w, r.Body, limit))
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				// The handler may answer this itself (an upload answers
				// JSON): it reads the error where the body would be. A
				// form whose token is in the body cannot be checked, and
				// checkCSRF refuses it with the size as the reason.
				r.Body = io.NopCloser(failingReader{tooBig})
				r = r.WithContext(context.WithValue(r.Context(), tooLargeKey{}, bodyError(err, limit)))
			} else if err != nil {
				bad = bodyError(err, limit)
			} else {
				defer kept.discard()
				r.Body = kept.reader()
				err := parseForm(r, limit)
				r.Body = kept.reader()
				switch {
				case err != nil:
					bad = core.Errorf(core.EINVALID, "表单内容无法识别，请返回上一页，刷新后重新提交。")
				case !validForm(r):
					bad = invalidText()
				}
			}
		}
		if bad != nil {
			r = refuseBody(r, bad)
		}
		next.ServeHTTP(w, r)
		if r.MultipartForm != nil {
			_ = r.MultipartForm.RemoveAll()
		}
	})
}

// bodyErr is the reason keepBody refused r's body, if it did.
func bodyErr(r *http.Request) error {
	err, _ := r.Context().Value(bodyErrKey{}).(error)
	return err
}

// tooLarge is the refusal of a body past its limit, if r's was.
func tooLarge(r *http.Request) error {
	err, _ := r.Context().Value(tooLargeKey{}).(error)
	return err
}

// refuseBody makes err the reason r's body is refused: ServeSite answers
// it in the site's layout before any handler runs.
func refuseBody(r *http.Request, err error) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), bodyErrKey{}, err))
}

// UnsafeMethod reports whether a request with method m may change
// something, and so must carry a CSRF token and have its body kept.
func UnsafeMethod(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return false
	}
	return true
}

func invalidText() error {
	return core.Errorf(core.EINVALID, "提交的内容含有无法识别的字符（不是有效的 UTF-8 文本），请检查后重新输入。")
}

func bodyError(err error, limit int64) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return core.Errorf(core.EINVALID, "提交的内容超过 %d MB，请减小附件后重试。", limit>>20)
	}
	return &core.Error{Code: core.EINVALID, Message: "没有收到完整的请求，请重试。", Err: err}
}

// parseForm parses r's form as Request.ParseMultipartForm does, but with
// the body limit as the memory bound: the body is already kept, so parts
// need no second temporary copy unless they are large.
func parseForm(r *http.Request, limit int64) error {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "multipart/form-data" {
		return r.ParseMultipartForm(min(limit, 8<<20))
	}
	return r.ParseForm()
}

func validValues(v map[string][]string) bool {
	for k, vs := range v {
		if !utf8.ValidString(k) {
			return false
		}
		for _, s := range vs {
			if !utf8.ValidString(s) {
				return false
			}
		}
	}
	return true
}

// validForm reports whether the form's names, values and file names are
// UTF-8 text. File contents are not text and are not checked.
func validForm(r *http.Request) bool {
	if !validValues(r.PostForm) {
		return false
	}
	if mf := r.MultipartForm; mf != nil {
		if !validValues(mf.Value) {
			return false
		}
		for k, fs := range mf.File {
			if !utf8.ValidString(k) {
				return false
			}
			for _, f := range fs {
				if !utf8.ValidString(f.Filename) {
					return false
				}
			}
		}
	}
	return true
}

// keptBody is a request body read to its end, in memory or in a file.
type keptBody struct {
	mem  []byte
	file *os.File
	size int64
}

func keep(r io.Reader) (*keptBody, error) {
	var buf bytes.Buffer
	n, err := io.CopyN(&buf, r, keptInMemory+1)
	if err != nil && err != io.EOF {
		return nil, err
	}
	if n <= keptInMemory {
		return &keptBody{mem: buf.Bytes(), size: n}, nil
	}
	f, err := os.CreateTemp("", "yiwang-body-*")
	if err != nil {
		return nil, fmt.Errorf("keep request body: %w", err)
	}
	k := &keptBody{file: f}
	if _, err := f.Write(buf.Bytes()); err != nil {
		k.discard()
		return nil, fmt.Errorf("keep request body: %w", err)
	}
	rest, err := io.Copy(f, r)
	if err != nil {
		k.discard()
		return nil, err
	}
	k.size = n + rest
	return k, nil
}

// reader reads the body from its first byte.
func (k *keptBody) reader() io.ReadCloser {
	if k.file == nil {
		return io.NopCloser(bytes.NewReader(k.mem))
	}
	return io.NopCloser(io.NewSectionReader(k.file, 0, k.size))
}

func (k *keptBody) discard() {
	if k.file != nil {
		k.file.Close()
		os.Remove(k.file.Name())
	}
}
