// Package printdoc writes a printable document (an answer letter, an
// annual report, a yearly form) as an A4 PDF in a Chinese font. Modules
// and the host share it so that every PDF the platform hands out looks
// alike; a module reaches it through the SDK, never through core.
package printdoc

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"codeberg.org/go-pdf/fpdf"
)

// Doc is a printable document.
type Doc struct {
	Title    string
	Subtitle string
	Blocks   []Block
}

// Block is a heading, a paragraph or a table (first row the header).
type Block struct {
	Heading string
	Text    string
	Table   [][]string
	Right   bool // the paragraph is a signature, set to the right
}

// ErrNoFont is returned when the machine has no Chinese TrueType font:
// the caller's print page still serves, only the PDF cannot be made.
var ErrNoFont = errors.New("printdoc: no Chinese TrueType font installed")

// NoFontMessage is what a person is told when ErrNoFont is returned.
const NoFontMessage = "服务器未安装中文字体，暂时不能生成 PDF，请使用打印页面。"

// FontPaths are where a Chinese TrueType font is looked for, after
// YIWANG_PDF_FONT: Debian's fonts-droid-fallback first (a .ttf, which the
// PDF library embeds; .ttc collections it cannot read).
var FontPaths = []string{
	"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
	"/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf",
}

var (
	fontOnce  sync.Once
	fontBytes []byte
)

func chineseFont() []byte {
	fontOnce.Do(func() {
		for _, p := range append([]string{os.Getenv("YIWANG_PDF_FONT")}, FontPaths...) {
			if p == "" {
				continue
			}
			if b, err := os.ReadFile(p); err == nil {
				fontBytes = b
				return
			}
		}
	})
	return fontBytes
}

// Write writes doc to w as an A4 PDF.
func Write(w io.Writer, doc Doc) error {
	font := chineseFont()
	if font == nil {
		return ErrNoFont
	}
	p := fpdf.New("P", "mm", "A4", "")
	p.SetTitle(doc.Title, true)
	p.AddUTF8FontFromBytes("cjk", "", font)
	p.SetMargins(20, 20, 20)
	p.SetAutoPageBreak(true, 20)
	p.AddPage()
	p.SetFont("cjk", "", 16)
	p.MultiCell(0, 9, doc.Title, "", "C", false)
	if doc.Subtitle != "" {
		p.SetFont("cjk", "", 10)
		p.MultiCell(0, 6, doc.Subtitle, "", "C", false)
	}
	p.Ln(4)
	for _, b := range doc.Blocks {
		if b.Heading != "" {
			p.SetFont("cjk", "", 13)
			p.Ln(2)
			p.MultiCell(0, 8, b.Heading, "", "L", false)
		}
		if b.Text != "" {
			p.SetFont("cjk", "", 11)
			align := "L"
			if b.Right {
				align = "R"
			}
			p.MultiCell(0, 6.5, b.Text, "", align, false)
		}
		if len(b.Table) > 0 {
			table(p, b.Table)
		}
	}
	if err := p.Error(); err != nil {
		return fmt.Errorf("pdf %s: %w", doc.Title, err)
	}
	return p.Output(w)
}

// table draws rows with the first column wide and the others equal,
// wrapping cells and breaking pages between rows.
func table(p *fpdf.Fpdf, rows [][]string) {
	p.SetFont("cjk", "", 9)
	cols := len(rows[0])
	pageW, pageH := p.GetPageSize()
	left, _, right, bottom := p.GetMargins()
	width := pageW - left - right
	first := width * 0.4
	if cols == 2 {
		first = width * 0.7
	}
	other := (width - first) / float64(max(cols-1, 1))
	const line = 4.5
	for _, row := range rows {
		h := line
		for i, cell := range row {
			cw := other
			if i == 0 {
				cw = first
			}
			h = max(h, float64(len(p.SplitText(cell, cw)))*line)
		}
		if p.GetY()+h > pageH-bottom {
			p.AddPage()
		}
		x, y := p.GetXY()
		for i, cell := range row {
			cw := other
			if i == 0 {
				cw = first
			}
			p.Rect(x, y, cw, h, "D")
			p.SetXY(x, y)
			p.MultiCell(cw, line, cell, "", "L", false)
			x += cw
		}
		p.SetXY(left, y+h)
	}
	p.Ln(3)
}
