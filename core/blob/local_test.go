package blob_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"yiwang/core/blob"
	"yiwang/core/blob/blobtest"
)

func TestLocalConformance(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) blob.Store {
		s, err := blob.NewLocal(filepath.Join(t.TempDir(), "uploads"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// The folder of uploads from before the store is a store as it is: the
// key is the path under it.
func TestLocalReadsTheExistingFolder(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "jyj", "2026", "11"), 0o750)
	os.WriteFile(filepath.Join(dir, "jyj", "2026", "11", "ab.pdf"), []byte("%PDF-1.4"), 0o640)
	os.WriteFile(filepath.Join(dir, "jyj", "2026", "11", ".upload-123"), []byte("half"), 0o640)
	s, _ := blob.NewLocal(dir)
	var keys []string
	s.List(t.Context(), "", func(in blob.Info) error { keys = append(keys, in.Key); return nil })
	if strings.Join(keys, ",") != "jyj/2026/11/ab.pdf" {
		t.Fatalf("keys = %v (temporary files are not objects)", keys)
	}
}

func TestS3Conformance(t *testing.T) {
	cfg := blobtest.S3Config(t) // one server for every subtest, each on its own prefix
	blobtest.Run(t, func(t *testing.T) blob.Store { return blobtest.NewS3(t, cfg) })
}
