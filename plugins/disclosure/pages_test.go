package disclosure

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"yiwang/plugins/sdk/sdktest"
)

// A tenant's guide and rules: the standard text until its reviewer
// writes its own (sanitized, audited), back to the standard on restore;
// another tenant keeps the standard text throughout.
func TestGuideAndRulesPages(t *testing.T) {
	h := sdktest.InProcess(t, Module, catalogueOptions())
	for _, path := range []string{"/disclosure/guide", "/disclosure/rules"} {
		if r := h.Get(jyjU, nil, path); r.Status != http.StatusOK || !strings.Contains(r.Text(), "政府信息公开条例") {
			t.Fatalf("%s standard text: %d %s", path, r.Status, r.Text())
		}
	}
	if r := h.Post(jyjU, editor, "/admin/disclosure/pages/", url.Values{"kind": {"rules"}, "body": {"<p>x</p>"}}); r.Status != http.StatusForbidden {
		t.Fatalf("an editor without review rights changes the rules: %d", r.Status)
	}
	own := `<h2>本局公开制度</h2><p>每周一更新公开目录。</p><script>alert(1)</script>`
	if r := h.Post(jyjU, reviewer, "/admin/disclosure/pages/", url.Values{"kind": {"rules"}, "body": {own}, "action": {"save"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", r.Status, r.Text())
	}
	r := h.Get(jyjU, nil, "/disclosure/rules")
	if !strings.Contains(r.HTML, "每周一更新公开目录") || strings.Contains(r.HTML, "alert(1)") || strings.Contains(r.HTML, "公开前审查制度") {
		t.Fatalf("own rules: %s", r.HTML)
	}
	if r := h.Get(rsjU, nil, "/disclosure/rules"); !strings.Contains(r.Text(), "公开前审查制度") {
		t.Fatalf("another tenant's rules changed: %s", r.Text())
	}
	if r := h.Post(jyjU, reviewer, "/admin/disclosure/pages/", url.Values{"kind": {"rules"}, "body": {"<p> </p>"}}); r.Status != http.StatusBadRequest {
		t.Fatalf("an empty text: %d", r.Status)
	}
	if r := h.Post(jyjU, reviewer, "/admin/disclosure/pages/", url.Values{"kind": {"rules"}, "action": {"restore"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("restore: %d", r.Status)
	}
	if r := h.Get(jyjU, nil, "/disclosure/rules"); !strings.Contains(r.Text(), "公开前审查制度") {
		t.Fatalf("restored rules: %s", r.Text())
	}
	var actions []string
	for _, e := range h.Host.AuditLog() {
		actions = append(actions, e.Action)
	}
	if got := strings.Join(actions, ","); got != "page.save,page.restore" {
		t.Fatalf("audit: %s", got)
	}
}
