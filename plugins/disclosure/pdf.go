package disclosure

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"

	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/printdoc"
)

// pdfDoc and pdfBlock are the SDK's printable document: an answer letter,
// an annual report.
type (
	pdfDoc   = printdoc.Doc
	pdfBlock = printdoc.Block
)

// sendPDF answers doc as a PDF, or the page's error: without a Chinese
// font the print page still serves, so the PDF alone is unavailable.
func sendPDF(w http.ResponseWriter, name string, doc pdfDoc) {
	var b bytes.Buffer
	if err := printdoc.Write(&b, doc); err != nil {
		if errors.Is(err, printdoc.ErrNoFont) {
			err = sdk.Errorf(sdk.EUNAVAIL, printdoc.NoFontMessage)
		}
		sdk.Fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", "inline; filename*=UTF-8''"+url.PathEscape(name))
	_, _ = w.Write(b.Bytes())
}
