package sdk_test

import (
	"context"
	"testing"

	"yiwang/plugins/sdk/sdktest"
)

// BenchmarkRoundTrip is the bare cost of the protocol: a request through
// the module server in-process and through a real plugin process, for a
// handler that does almost nothing.
func BenchmarkRoundTrip(b *testing.B) {
	for _, mode := range []string{"inprocess", "plugin"} {
		b.Run(mode, func(b *testing.B) {
			var h *sdktest.Harness
			if mode == "plugin" {
				h = sdktest.Process(b, echo, sdktest.Options{})
			} else {
				h = sdktest.InProcess(b, echo, sdktest.Options{})
			}
			req := h.Wire(sdktest.Request{Path: "/echo/json"})
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := h.Handle(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
