package search

import (
	"slices"
	"strings"
	"testing"
)

func TestAnalyze(t *testing.T) {
	for _, c := range []struct {
		text string
		want []string
	}{
		{"教育局", []string{"教育", "育局", "局"}},
		{"思府发〔2026〕12号", []string{"思府", "府发", "发2026", "2026", "202612", "12", "12号", "号"}},
		{"ＩＰｖ６改造", []string{"ipv6", "ipv6改", "改造", "造"}},
		{"版本v6.0，完成", []string{"版本", "本v6.0", "v6.0", "完成", "成"}},
		{"局", []string{"局"}},
		{"A B", []string{"a", "b"}},
	} {
		got := Analyze(c.text, Phrases)
		slices.Sort(got)
		want := slices.Clone(c.want)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("Analyze(%q) = %q, want %q", c.text, got, want)
		}
	}
}

func TestParseQuery(t *testing.T) {
	p := ParseQuery("  扶贫\x00教育\t扶贫  \u200b  ")
	if p.Text != "扶贫 教育 扶贫" || len(p.Words) != 2 {
		t.Errorf("control characters and repeats: %q, %d words", p.Text, len(p.Words))
	}
	p = ParseQuery(strings.Repeat("一二 ", 60))
	if !p.Truncated || len([]rune(p.Text)) > MaxQueryRunes || len(p.Words) > MaxWords {
		t.Errorf("long query: truncated %v, %d runes, %d words", p.Truncated, len([]rune(p.Text)), len(p.Words))
	}
	p = ParseQuery("a1 b2 c3 d4 e5 f6 g7 h8 i9")
	if !p.Truncated || len(p.Words) != MaxWords {
		t.Errorf("nine words: %d kept, truncated %v", len(p.Words), p.Truncated)
	}
	if p := ParseQuery(`"" ：，。 ()`); len(p.Words) != 0 {
		t.Errorf("punctuation only: %d words", len(p.Words))
	}
	w := ParseQuery("人民群众切身利益").Words[0]
	if ts := w.Terms(Phrases); len(ts) != 1 || len(ts[0].Phrase) != 7 {
		t.Errorf("phrase terms %+v", ts)
	}
	if ts := ParseQuery("局").Words[0].Terms(Phrases); len(ts) != 1 || !ts[0].Prefix {
		t.Errorf("single character terms %+v", ts)
	}
}

func TestHighlight(t *testing.T) {
	p := ParseQuery("思府发2026 <b>")
	got := string(HighlightTitle("关于<b>印发</b>的通知（思府发〔2026〕12号）", p))
	if want := "关于&lt;<mark>b</mark>&gt;印发&lt;/<mark>b</mark>&gt;的通知（<mark>思府发〔2026</mark>〕12号）"; got != want {
		t.Errorf("title:\n got %s\nwant %s", got, want)
	}
	if got := string(HighlightTitle("体育局和教育系统", ParseQuery("教育局"))); strings.Contains(got, "<mark>") {
		t.Errorf("教育局 marked in %s", got)
	}
	body := strings.Repeat("无关的文字。", 40) + "全县扶贫工作稳步推进。" + strings.Repeat("其他内容。", 40)
	s := string(Snippet(body, ParseQuery("扶贫"), 40))
	if !strings.HasPrefix(s, "…") || !strings.HasSuffix(s, "…") || !strings.Contains(s, "<mark>扶贫</mark>") {
		t.Errorf("snippet %s", s)
	}
	if s := string(Snippet("短文。", ParseQuery("扶贫"), 40)); s != "短文。" {
		t.Errorf("snippet without a match %s", s)
	}
}

func TestHoldsAll(t *testing.T) {
	if !holdsAll("县教育局召开会议", ParseQuery("教育 教育局")) {
		t.Error("overlapping words: a true hit dropped")
	}
	if holdsAll("人民群众的呼声，群众切身利益", ParseQuery("人民群众切身利益")) {
		t.Error("a long word whose parts occur apart passed")
	}
	if !holdsAll("关于思府发〔2026〕12号文件", ParseQuery("思府发2026")) {
		t.Error("a word across brackets dropped")
	}
}
