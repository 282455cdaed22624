package content

import "yiwang/plugins/sdk"

// Sanitize returns html with everything unsafe removed, by the platform's
// one rich-text policy, which modules share (sdk.Sanitize).
func Sanitize(html string) string { return sdk.Sanitize(html) }

// PlainText strips tags, for summaries and meta descriptions.
func PlainText(s string) string { return sdk.PlainText(s) }
