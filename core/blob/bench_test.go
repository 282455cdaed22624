package blob_test

import (
	"context"
	"io"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"testing"

	"yiwang/core/blob"
	"yiwang/core/blob/blobtest"
)

// Throughput of uploads and range reads on each backend:
//
//	go test -run '^$' -bench . -benchtime 20x ./core/blob
func benchStores(b *testing.B, fn func(b *testing.B, st blob.Store)) {
	b.Run("local", func(b *testing.B) {
		st, err := blob.NewLocal(filepath.Join(b.TempDir(), "uploads"))
		if err != nil {
			b.Fatal(err)
		}
		fn(b, st)
	})
	b.Run("s3", func(b *testing.B) { fn(b, blobtest.S3(b)) })
}

// BenchmarkPut writes 32 MB objects: a short news video.
func BenchmarkPut(b *testing.B) {
	const size = 32 << 20
	benchStores(b, func(b *testing.B, st blob.Store) {
		ctx := context.Background()
		b.SetBytes(size)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if _, err := st.Put(ctx, "bench/"+strconv.Itoa(i), blobtest.NewReader(uint64(i), size), size, blob.PutOptions{ContentType: "video/mp4"}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkRangeRead reads 1 MB ranges at random places of a 64 MB
// object, as a player seeking does.
func BenchmarkRangeRead(b *testing.B) {
	const size, chunk = 64 << 20, 1 << 20
	benchStores(b, func(b *testing.B, st blob.Store) {
		ctx := context.Background()
		if _, err := st.Put(ctx, "bench/video.mp4", blobtest.NewReader(1, size), size, blob.PutOptions{}); err != nil {
			b.Fatal(err)
		}
		o, err := st.Open(ctx, "bench/video.mp4")
		if err != nil {
			b.Fatal(err)
		}
		defer o.Close()
		buf := make([]byte, chunk)
		b.SetBytes(chunk)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := o.Seek(rand.Int64N(size-chunk), io.SeekStart); err != nil {
				b.Fatal(err)
			}
			if _, err := io.ReadFull(o, buf); err != nil {
				b.Fatal(err)
			}
		}
	})
}
