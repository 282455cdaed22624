package mailbox

import (
	"net/http"
	"strings"
	"testing"

	"yiwang/plugins/sdk/sdktest"
)

// TestDemoLetters: with demo content the portal's mailboxes have
// published replies (public, searchable, without personal data), a letter
// in a department's hands and one for the dispatcher; only once, only for
// departments the county has, and nothing without demo content.
func TestDemoLetters(t *testing.T) {
	o := options()
	o.Demo = true
	h := sdktest.InProcess(t, Module, o)

	r := h.Get(portal, nil, "/mailbox/")
	expect(t, r, http.StatusOK, "mailbox index")
	for _, want := range []string{"义务教育阶段转学需要哪些材料", "失业后如何申领失业保险金"} {
		if !strings.Contains(r.HTML, want) {
			t.Errorf("published demo letters lack %q", want)
		}
	}
	// 交通运输局 and 住建局 are not in this county: their letters are not written.
	for _, absent := range []string{"增设县城至塘头镇公交班次", "夜间施工噪声", "延长小学课后服务", "农村危房改造"} {
		if strings.Contains(r.HTML, absent) {
			t.Errorf("the public list shows %q", absent)
		}
	}
	p := h.Get(portal, nil, "/mailbox/public/YS2026000002")
	expect(t, p, http.StatusOK, "a published demo letter")
	if !strings.Contains(p.HTML, "思南县教育局") || !strings.Contains(p.HTML, "学籍") {
		t.Errorf("published letter lacks its department or reply: %s", p.Text())
	}

	if r := h.Get(jyj, jyjHandler, "/admin/mailbox/"); !strings.Contains(r.HTML, "延长小学课后服务") {
		t.Errorf("jyj's handler does not see the letter assigned to jyj: %s", r.Text())
	}
	if r := h.Get(portal, dispatcher, "/admin/mailbox/"); !strings.Contains(r.HTML, "农村危房改造") {
		t.Errorf("the dispatcher does not see the letter waiting for acceptance: %s", r.Text())
	}
	docs := h.Host.Documents()
	if len(docs) != 2 {
		t.Errorf("%d search documents, want the 2 published letters: %+v", len(docs), docs)
	}
	for _, d := range docs {
		if d.Type != "letter" || !strings.HasPrefix(d.Path, "mailbox/public/") {
			t.Errorf("search document %+v", d)
		}
	}

	// Configured again (a restart): nothing more is written.
	before := strings.Count(h.Get(portal, dispatcher, "/admin/mailbox/").HTML, "YS2026")
	h.Reconfigure(portal, jyj, rsj)
	if after := strings.Count(h.Get(portal, dispatcher, "/admin/mailbox/").HTML, "YS2026"); after != before || before == 0 {
		t.Errorf("demo letters on the dispatcher's list: %d before a second configuration, %d after", before, after)
	}

	plain := sdktest.InProcess(t, Module, options())
	if r := plain.Get(portal, nil, "/mailbox/"); strings.Contains(r.HTML, "演示") || strings.Contains(r.HTML, "转学") {
		t.Error("demo letters written without demo content")
	}
}
