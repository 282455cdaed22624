package disclosure

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sync"

	"codeberg.org/go-pdf/fpdf"
	"yiwang/plugins/sdk"
)

// pdfDoc is a printable document: an answer letter, an annual report.
type pdfDoc struct {
	Title    string
	Subtitle string
	Blocks   []pdfBlock
}

// pdfBlock is a heading, a paragraph or a table (first row the header).
type pdfBlock struct {
	Heading string
	Text    string
	Table   [][]string
	Right   bool // the paragraph is a signature, set to the right
}

// fontPaths are where a Chinese TrueType font is looked for, after
// YIWANG_PDF_FONT: Debian's fonts-droid-fallback first (a .ttf, which the
// PDF library embeds; .ttc collections it cannot read).
var fontPaths = []string{
	"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
	"/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf",
}

var (
	fontOnce  sync.Once
	fontBytes []byte
)

func chineseFont() []byte {
	fontOnce.Do(func() {
		for _, p := range append([]string{os.Getenv("YIWANG_PDF_FONT")}, fontPaths...) {
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

// errNoFont is what a PDF without a font answers: the print page still
// serves.
var errNoFont = sdk.Errorf(sdk.EUNAVAIL, "服务器未安装中文字体，暂时不能生成 PDF，请使用打印页面。")

// writePDF writes doc as an A4 PDF in the Chinese font.
func writePDF(w io.Writer, doc pdfDoc) error {
	font := chineseFont()
	if font == nil {
		return errNoFont
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
			pdfTable(p, b.Table)
		}
	}
	if err := p.Error(); err != nil {
		return fmt.Errorf("pdf %s: %w", doc.Title, err)
	}
	return p.Output(w)
}

// pdfTable draws rows with the first column wide and the others equal,
// wrapping cells and breaking pages between rows.
func pdfTable(p *fpdf.Fpdf, rows [][]string) {
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

// sendPDF answers doc as a PDF download, or the page's error.
func sendPDF(w http.ResponseWriter, name string, doc pdfDoc) {
	var b bytes.Buffer
	if err := writePDF(&b, doc); err != nil {
		sdk.Fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", "inline; filename*=UTF-8''"+url.PathEscape(name))
	_, _ = w.Write(b.Bytes())
}
