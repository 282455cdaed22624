package disclosure

import (
	"io"

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
}

// writePDF writes doc as PDF.
func writePDF(w io.Writer, doc pdfDoc) error {
	return sdk.Errorf(sdk.EUNAVAIL, "PDF 暂不可用，请使用打印页面。")
}
