package rpc

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"

	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/pb"
)

// response is what the handler answered, on the wire.
func response(r *sdk.Recorder) *pb.HandleResponse {
	failure, frag := r.Failure(), r.Fragment()
	switch {
	case failure != nil:
		return &pb.HandleResponse{Status: int32(sdk.HTTPStatus(failure.Code)), Body: &pb.HandleResponse_Failure{
			Failure: &pb.Failure{Code: failure.Code, Message: failure.Message}}}
	case frag != nil:
		st := frag.Status
		if st == 0 {
			st = http.StatusOK
		}
		f := &pb.Fragment{Title: frag.Title, Html: string(frag.HTML), Current: frag.Current, Headers: headersToPB(r.Header())}
		for _, c := range frag.Crumbs {
			f.Crumbs = append(f.Crumbs, &pb.Crumb{Name: c.Name, Url: c.URL})
		}
		return &pb.HandleResponse{Status: int32(st), Body: &pb.HandleResponse_Fragment{Fragment: f}}
	default:
		st := r.Status()
		if st == 0 {
			st = http.StatusOK
		}
		return &pb.HandleResponse{Status: int32(st), Body: &pb.HandleResponse_Raw{Raw: &pb.Raw{Headers: headersToPB(r.Header()), Body: r.Body()}}}
	}
}

// HeadersToPB converts headers for the wire.
func HeadersToPB(h http.Header) []*pb.Header { return headersToPB(h) }

func headersToPB(h http.Header) []*pb.Header {
	if len(h) == 0 {
		return nil
	}
	out := make([]*pb.Header, 0, len(h))
	for k, v := range h {
		out = append(out, &pb.Header{Name: k, Values: v})
	}
	return out
}

// HeadersFromPB converts headers from the wire.
func HeadersFromPB(hs []*pb.Header) http.Header {
	h := make(http.Header, len(hs))
	for _, x := range hs {
		h[http.CanonicalHeaderKey(x.Name)] = x.Values
	}
	return h
}

// requestOf rebuilds the HTTP request the host forwarded.
func requestOf(ctx context.Context, req *pb.HandleRequest) (*http.Request, error) {
	if req.Tenant == nil {
		return nil, errors.New("request carries no tenant")
	}
	p := req.Path
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	u := &url.URL{Path: p, RawQuery: req.RawQuery}
	info := sdk.RequestInfo{Tenant: tenantFromPB(req.Tenant), User: userFromPB(req.User), Base: req.Base, CSRF: req.CsrfToken,
		Settings: []byte(req.SettingsJson)}
	r := &http.Request{
		Method:        req.Method,
		URL:           u,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        HeadersFromPB(req.Headers),
		Body:          io.NopCloser(bytes.NewReader(req.Body)),
		ContentLength: int64(len(req.Body)),
		Host:          req.Host,
		RemoteAddr:    req.RemoteAddr,
		RequestURI:    u.RequestURI(),
	}
	return sdk.WithInfo(r.WithContext(ctx), info), nil
}
