package content

import (
	"archive/zip"
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// magic is what each accepted type must begin with, whatever the name.
var magic = map[string][]string{
	"image/png":                {"\x89PNG\r\n\x1a\n"},
	"image/jpeg":               {"\xFF\xD8\xFF"},
	"image/gif":                {"GIF87a", "GIF89a"},
	"image/webp":               {"RIFF"},
	"application/pdf":          {"%PDF-"},
	"application/msword":       {"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"},
	"application/vnd.ms-excel": {"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"},
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document": {"PK\x03\x04"},
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":       {"PK\x03\x04"},
}

func FuzzSniff(f *testing.F) {
	var docx bytes.Buffer
	zw := zip.NewWriter(&docx)
	w, _ := zw.Create("word/document.xml")
	w.Write([]byte("<w:document/>"))
	zw.Close()
	f.Add(docx.Bytes(), "通知.docx")
	f.Add([]byte("%PDF-1.7\n"), "a.exe")
	f.Add([]byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest"), "表.xls")
	f.Add([]byte("PK\x03\x04broken zip"), "x.docx")
	f.Add([]byte("<html><script>"), "x.pdf")
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		head := data[:min(len(data), 512)]
		ft, ok := sniff(head, bytes.NewReader(data), int64(len(data)), name)
		if !ok {
			return
		}
		prefixes, known := magic[ft.mime]
		if !known {
			t.Fatalf("sniff(%q) = unknown type %+v", name, ft)
		}
		begins := false
		for _, p := range prefixes {
			begins = begins || bytes.HasPrefix(data, []byte(p))
		}
		if !begins || !strings.HasPrefix(ft.ext, ".") {
			t.Fatalf("sniff(% x…, %q) = %+v: the content does not begin as that type", head[:min(len(head), 16)], name, ft)
		}
	})
}

func FuzzCleanName(f *testing.F) {
	for _, s := range []string{"../../etc/passwd", `C:\Users\a\通知.docx`, "..", "\x00\x1f名.pdf", strings.Repeat("长", 300) + ".xlsx", " "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := cleanName(in)
		switch {
		case out == "" || out == "." || out == "..":
			t.Fatalf("cleanName(%q) = %q", in, out)
		case strings.ContainsAny(out, `/\:*?"<>|`) || strings.IndexFunc(out, func(r rune) bool { return r < 0x20 }) >= 0:
			t.Fatalf("cleanName(%q) = %q keeps a path or control character", in, out)
		case filepath.Base(out) != out:
			t.Fatalf("cleanName(%q) = %q is a path", in, out)
		case utf8.RuneCountInString(out) > 100:
			t.Fatalf("cleanName(%q) = %q is too long", in, out)
		}
	})
}
