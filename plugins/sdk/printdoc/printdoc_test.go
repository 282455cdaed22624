package printdoc

import (
	"bytes"
	"errors"
	"os"
	"testing"
)

func TestWriteMakesAPDFInTheChineseFont(t *testing.T) {
	var b bytes.Buffer
	err := Write(&b, Doc{Title: "政府网站工作年度报表", Subtitle: "2026 年度", Blocks: []Block{
		{Heading: "一、基本信息", Text: "网站名称：县人民政府门户网站"},
		{Table: [][]string{{"指标", "数值"}, {"信息发布总数", "1,850"}, {"解读回应", "42"}}},
		{Text: "县人民政府办公室", Right: true},
	}})
	if errors.Is(err, ErrNoFont) {
		if os.Getenv("CI") != "" {
			t.Fatal("no Chinese font under CI: .ci/run installs fonts-droid-fallback")
		}
		t.Skip("no Chinese TrueType font on this machine")
	}
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b.Bytes(), []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", b.Bytes()[:min(16, b.Len())])
	}
	// The Chinese font travels inside the file (a subset), or a reader
	// without it shows empty boxes.
	for _, want := range []string{"/CIDFontType2", "/FontFile2"} {
		if !bytes.Contains(b.Bytes(), []byte(want)) {
			t.Fatalf("PDF of %d bytes without %s: the font is not embedded", b.Len(), want)
		}
	}
}
