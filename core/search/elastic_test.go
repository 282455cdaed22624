package search_test

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"yiwang/core/search"
	"yiwang/core/search/searchtest"
)

// EnvElastic names an Elasticsearch server for the conformance run, e.g.
// YIWANG_TEST_ELASTICSEARCH=http://elastic:secret@127.0.0.1:9200. Each
// test gets its own index, deleted at the end.
const EnvElastic = "YIWANG_TEST_ELASTICSEARCH"

func TestElasticConformance(t *testing.T) {
	server := os.Getenv(EnvElastic)
	if server == "" {
		t.Skipf("Elasticsearch backend not run: set %s=http://127.0.0.1:9200 to run the conformance suite against a server", EnvElastic)
	}
	searchtest.Run(t, func(t *testing.T) search.Index {
		var b [6]byte
		_, _ = rand.Read(b[:])
		name := "yiwang-test-" + hex.EncodeToString(b[:])
		idx, err := search.OpenElastic(search.ElasticOptions{URL: server, Index: name, Refresh: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			req, _ := http.NewRequest(http.MethodDelete, strings.TrimSuffix(server, "/")+"/"+name, nil)
			if res, err := http.DefaultClient.Do(req); err == nil {
				res.Body.Close()
			}
		})
		return idx
	})
}

// TestElasticQueryIsData checks, without a server, that whatever a person
// types reaches Elasticsearch only as term values inside term, prefix and
// phrase queries: never as query_string syntax.
func TestElasticQueryIsData(t *testing.T) {
	for _, q := range []string{`title:扶贫 OR *:*`, `{"match_all":{}}`, `思府发〔2026〕12号`, `局`, `IPv6 教育局`} {
		p := search.ParseQuery(q)
		for _, w := range p.Words {
			b, err := json.Marshal(search.ElasticWord(w, "x"))
			if err != nil {
				t.Fatal(err)
			}
			s := string(b)
			if strings.Contains(s, "query_string") || strings.Contains(s, "match_all") || strings.Contains(s, "simple_query") {
				t.Errorf("%q: %s", q, s)
			}
		}
	}
	p := search.ParseQuery("思府发〔2026〕12号")
	b, _ := json.Marshal(search.ElasticWord(p.Words[0], "x"))
	if want := `"query":"思府 府发 发2026 202612 12号"`; !strings.Contains(string(b), want) {
		t.Errorf("document number clause %s, want the phrase %s", b, want)
	}
	if err := json.Unmarshal([]byte(search.ElasticMapping), new(map[string]any)); err != nil {
		t.Errorf("mapping is not JSON: %v", err)
	}
}

func TestElasticOpenFails(t *testing.T) {
	if _, err := search.OpenElastic(search.ElasticOptions{URL: "not a url"}); err == nil {
		t.Error("a bad URL opened")
	}
	// Nothing listens on port 1: an error, not a hang or a panic.
	if _, err := search.OpenElastic(search.ElasticOptions{URL: "http://127.0.0.1:1"}); err == nil {
		t.Error("an unreachable server opened")
	}
}
