package rpc

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"
	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/pb"
)

// Whatever bytes arrive as a request on the wire, decoding them either
// fails or gives a request a handler can read: a rooted path, the tenant
// it names, a body the form parsers take or refuse without panicking.
func FuzzRequestDecoding(f *testing.F) {
	seed := func(r *pb.HandleRequest) {
		b, err := proto.Marshal(r)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	tenant := &pb.Tenant{Id: 2, Code: "jyj", Name: "思南县教育局", Kind: "department", Status: "active"}
	seed(&pb.HandleRequest{Tenant: tenant, Method: "GET", Path: "/mailbox/", RawQuery: "page=2", Base: "/site/jyj/"})
	seed(&pb.HandleRequest{Tenant: tenant, Method: "POST", Path: "mailbox/write", Body: []byte(url.Values{"csrf": {"t"}, "subject": {"来信"}}.Encode()),
		Headers: HeadersToPB(map[string][]string{"Content-Type": {"application/x-www-form-urlencoded"}})})
	seed(&pb.HandleRequest{Tenant: tenant, Method: "POST", Path: "/x", Body: []byte("--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.pdf\"\r\n\r\n%PDF-\r\n--b--\r\n"),
		Headers: HeadersToPB(map[string][]string{"Content-Type": {"multipart/form-data; boundary=b"}})})
	seed(&pb.HandleRequest{Method: "GET", Path: "/no-tenant"})
	f.Add([]byte{0x0a, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, wire []byte) {
		var req pb.HandleRequest
		if err := proto.Unmarshal(wire, &req); err != nil {
			return
		}
		r, err := requestOf(context.Background(), &req)
		if err != nil {
			if req.Tenant != nil {
				t.Fatalf("a request with a tenant refused: %v", err)
			}
			return
		}
		if !strings.HasPrefix(r.URL.Path, "/") {
			t.Fatalf("path %q is not rooted", r.URL.Path)
		}
		if got := sdk.TenantOf(r); got == nil || got.ID != req.Tenant.Id {
			t.Fatalf("tenant %+v, want id %d", got, req.Tenant.Id)
		}
		_ = r.ParseMultipartForm(1 << 20)
		_ = r.FormValue("csrf")
	})
}
