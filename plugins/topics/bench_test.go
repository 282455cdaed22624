package topics_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/sdktest"
	"yiwang/plugins/topics"
)

// BenchmarkPlugin measures what a request pays for going through the
// plugin: the same page rendered by calling the handler directly, through
// the module server in-process (the protocol's conversions), and through
// a real plugin process (gRPC over a local socket; for the topic page also
// two calls back to the host for its two article sections, made at once). Allocations are counted in
// this process only: the plugin's are its own.
//
//	go test -run '^$' -bench Plugin -benchmem ./plugins/topics
func BenchmarkPlugin(b *testing.B) {
	ed := editorOf(portal, 1)
	setup := func(h *sdktest.Harness) string {
		h.Host.AddArticles(portal.ID, sdk.Article{ID: 1, Column: "gzdt", Title: "全县脱贫攻坚推进会召开", Path: "art/1"},
			sdk.Article{ID: 2, Column: "gzdt", Title: "产业帮扶项目开工", Path: "art/2"})
		r := h.Post(portal, ed, "/admin/topics/", url.Values{"title": {"脱贫攻坚"}, "intro": {"巩固拓展脱贫攻坚成果。"}})
		id := topicPath.FindStringSubmatch(r.Header.Get("Location"))[1]
		for _, s := range []url.Values{
			{"kind": {"articles"}, "title": {"工作动态"}},
			{"kind": {"articles"}, "title": {"政策文件"}},
			{"kind": {"richtext"}, "title": {"工作要点"}},
		} {
			r := h.Post(portal, ed, "/admin/topics/"+id+"/sections/", s)
			loc := r.Header.Get("Location")
			sid := loc[strings.LastIndex(loc, "#es")+3:]
			h.Post(portal, ed, "/admin/topics/"+id+"/sections/"+sid, url.Values{"action": {"save"}, "title": s["title"],
				"column": {"gzdt"}, "limit": {"8"}, "body": {"<p>守住不发生规模性返贫的底线。</p>"}})
		}
		h.Post(portal, ed, "/admin/topics/"+id+"/status", url.Values{"status": {"published"}})
		return id
	}
	in := sdktest.InProcess(b, topics.Module, sdktest.Options{})
	proc := sdktest.Process(b, topics.Module, sdktest.Options{})
	id := setup(in)
	if pid := setup(proc); pid != id {
		b.Fatalf("ids differ: %s %s", id, pid)
	}
	for _, page := range []struct{ name, path string }{{"list", "/topics/"}, {"topic", "/topics/" + id}} {
		req := in.Wire(sdktest.Request{Tenant: portal, Path: page.path})
		b.Run(page.name+"/handler", func(b *testing.B) {
			h := in.Server.Handler()
			hr := sdk.WithRequestInfo(httptest.NewRequest(http.MethodGet, page.path, nil), portal, nil, "/", "")
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, hr)
				if w.Code != 200 {
					b.Fatal(w.Code)
				}
			}
		})
		for _, mode := range []struct {
			name string
			h    *sdktest.Harness
		}{{"inprocess", in}, {"plugin", proc}} {
			b.Run(page.name+"/"+mode.name, func(b *testing.B) {
				ctx := context.Background()
				b.ReportAllocs()
				for b.Loop() {
					resp, err := mode.h.Handle(ctx, req)
					if err != nil || resp.Status != 200 {
						b.Fatal(err, resp.GetStatus())
					}
				}
			})
		}
	}
}
