package mailbox

import (
	"net/http"
	"net/url"
	"testing"

	"yiwang/plugins/sdk/calendar"
	"yiwang/plugins/sdk/sdktest"
)

// The writer's letters come to the account page's list of cases with
// their state, deadline and overdue flag, and nobody else's do.
func TestCasesListTheWritersLetters(t *testing.T) {
	sdktest.EachDB(t, func(t *testing.T, dsn string) {
		o := options()
		o.DSN = dsn
		h := sdktest.InProcess(t, Module, o)
		setNow(t, "2026-03-02 10:00")
		late, _ := write(t, h, "求助", "路灯不亮", false)
		expect(t, h.Post(portal, dispatcher, "/admin/mailbox/l/"+late, url.Values{"action": {"assign"}, "dept": {"2"}}), http.StatusSeeOther, "assign")
		done, _ := write(t, h, "咨询", "入学材料", false)
		handleToReply(t, h, done, "请带户口簿。", false)
		setNow(t, "2026-04-15 10:00")

		cs := h.Cases(citizen.ID)
		if len(cs) != 2 {
			t.Fatalf("got %d cases, want 2: %+v", len(cs), cs)
		}
		byNumber := map[string]int{}
		for i, c := range cs {
			byNumber[c.Number] = i
			if c.TenantID != portal.ID || c.Kind != "信件" || c.Path != "mailbox/my/"+c.Number || c.Updated.IsZero() {
				t.Errorf("case %+v", c)
			}
		}
		l := cs[byNumber[late]]
		if l.Title != "路灯不亮" || l.State != "办理中" || l.Closed || !l.Overdue || l.Due.IsZero() || !l.Due.Before(calendar.NewDate(2026, 4, 15)) {
			t.Errorf("open late letter: %+v", l)
		}
		d := cs[byNumber[done]]
		if d.State != "已办结" || !d.Closed || d.Overdue || !d.Due.IsZero() {
			t.Errorf("closed letter: %+v", d)
		}
		if other := h.Cases(dispatcher.ID); len(other) != 0 {
			t.Errorf("another person sees %d cases", len(other))
		}
		if anon := h.Cases(0); len(anon) != 0 {
			t.Errorf("user 0 sees %d cases", len(anon))
		}
	})
}
