package search_test

import (
	"path/filepath"
	"testing"
	"time"

	"yiwang/core/search"
	"yiwang/core/search/searchtest"
)

func TestBleveConformance(t *testing.T) {
	for _, a := range []string{search.AnalysisPhrase, search.AnalysisSkip} {
		t.Run(a, func(t *testing.T) {
			searchtest.Run(t, func(t *testing.T) search.Index {
				idx, err := search.OpenBleve(filepath.Join(t.TempDir(), "idx"), search.BleveOptions{Analysis: a})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { idx.Close() })
				return idx
			})
		})
	}
}

func TestCachedConformance(t *testing.T) {
	searchtest.Run(t, func(t *testing.T) search.Index {
		idx, err := search.NewMemBleve("")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { idx.Close() })
		return search.NewCached(idx, 100, time.Minute)
	})
}
