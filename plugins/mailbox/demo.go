package mailbox

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"yiwang/plugins/sdk"
	"yiwang/plugins/sdk/calendar"
	"yiwang/plugins/sdk/sqldb"
)

var _ sdk.Configurer = (*Handler)(nil)

// Demo letters for the default run: a county portal's 县长信箱 and 书记信箱
// with replies published (with the writers' consent, as the rules
// require), one letter being handled by a department and one waiting for
// the dispatcher, so that every page of the mailbox has something to
// show. They belong to no account, are marked 演示 in their text, and are
// written once per tenant, never over letters of its own.
type demoLetter struct {
	box, category, subject, content, dept, reply string
	daysAgo                                      int
	state                                        string // Closed (published), Assigned or Submitted
}

var demoLetters = []demoLetter{
	{"county_head", "建议", "关于增设县城至塘头镇公交班次的建议",
		"县城至塘头镇的公交车每天只有六班，早上七点前没有车，在县城上班、上学的群众很不方便，建议增加早班车。（演示数据）",
		"jtj", "您好！县交通运输局已协调公交公司，自下月起增开早上6:30、6:50两个班次，并在春节、开学等客流高峰期加密班次。感谢您对交通工作的关心。（演示数据）",
		40, Closed},
	{"county_head", "咨询", "义务教育阶段转学需要哪些材料",
		"孩子随父母从外省回到思南，想转入县城的小学读三年级，请问需要准备哪些材料，到哪里办理？（演示数据）",
		"jyj", "您好！转学需提供户口簿或居住证、原学校学籍信息和转学申请，可登录全国中小学生学籍信息管理系统提出申请，或到县教育局政务服务窗口办理，学位由教育局统筹安排。（演示数据）",
		25, Closed},
	{"secretary", "求助", "失业后如何申领失业保险金",
		"本人在县内企业工作五年，单位依法解除劳动合同，请问如何申领失业保险金？（演示数据）",
		"rsj", "您好！失业保险缴费满一年、非因本人意愿中断就业并已办理失业登记的，可申领失业保险金。请携带身份证到县人力资源和社会保障局就业服务窗口办理，也可在“贵州人社”应用程序上申领。（演示数据）",
		18, Closed},
	{"county_head", "投诉", "小区周边道路夜间施工噪声扰民",
		"某小区旁的道路改造工程连续多日在夜间十一点后施工，噪声很大，影响居民休息。（演示数据）",
		"zjj", "您好！县住房和城乡建设局已约谈施工单位，要求夜间22时至次日6时停止产生噪声的作业，确需连续施工的须办理夜间施工许可并公告周边居民，并安排人员夜间巡查。（演示数据）",
		9, Closed},
	{"county_head", "建议", "建议延长小学课后服务时间",
		"双职工家庭下午五点半才能下班，学校课后服务五点结束，孩子没人接，建议延长到六点。（演示数据）",
		"jyj", "", 3, Assigned},
	{"secretary", "咨询", "农村危房改造的申请条件",
		"家里老房子是土木结构，墙体开裂，请问能否申请农村危房改造，需要什么条件？（演示数据）",
		"", "", 1, Submitted},
}

// Configure writes the demo letters for enabling tenants that are the
// portal, when the platform runs with demo content.
func (h *Handler) Configure(ctx context.Context, tenants []sdk.TenantConfig) error {
	if !h.env.Demo {
		return nil
	}
	for _, tc := range tenants {
		t := tc.Tenant
		if !t.IsPortal() {
			continue
		}
		var st Settings
		if len(tc.Settings) > 0 {
			if err := json.Unmarshal(tc.Settings, &st); err != nil {
				return fmt.Errorf("module settings of tenant %s: %w", t.Code, err)
			}
		}
		n, err := h.seedDemo(ctx, &t, &st)
		if err != nil {
			return fmt.Errorf("demo letters of %s: %w", t.Code, err)
		}
		if n > 0 {
			h.env.Log.Info("demo letters written", "tenant", t.Code, "letters", n)
		}
	}
	return nil
}

func (h *Handler) seedDemo(ctx context.Context, t *sdk.Tenant, st *Settings) (int, error) {
	all, err := h.env.Host.Tenants(ctx, false)
	if err != nil {
		return 0, err
	}
	byCode := map[string]*sdk.Tenant{}
	for _, x := range all {
		byCode[x.Code] = x
	}
	at := now()
	var written []*Letter
	err = h.env.DB.Tx(ctx, t.ID, func(s *sdk.Scope) error {
		var seeded, existing int
		if err := s.Get(ctx, &seeded, `SELECT COUNT(*) FROM mailbox_demo_seeded WHERE tenant_id = :tenant_id`, nil); err != nil {
			return err
		}
		if err := s.Get(ctx, &existing, `SELECT COUNT(*) FROM mailbox_letters WHERE tenant_id = :tenant_id`, nil); err != nil {
			return err
		}
		if seeded > 0 || existing > 0 {
			return nil
		}
		written = []*Letter{} // seeded now, even if no letter is public
		for i, d := range demoLetters {
			l := h.demoLetter(ctx, t, st, d, byCode, at, i)
			if l == nil {
				continue // a county without that department
			}
			if err := insertLetter(ctx, s, l); err != nil {
				return err
			}
			if err := saveLetter(ctx, s, l, l.Status); err != nil {
				return err
			}
			for _, e := range demoHistory(l, d) {
				e.LetterID = l.ID
				if err := addEvent(ctx, s, &e); err != nil {
					return err
				}
			}
			written = append(written, l)
		}
		_, err := s.Exec(ctx, `INSERT INTO mailbox_demo_seeded (tenant_id, seeded_at) VALUES (:tenant_id, :at)`, sdk.Args{"at": sqldb.Now()})
		return err
	})
	if err != nil {
		return 0, err
	}
	for _, l := range written {
		if l.Status != Closed {
			continue
		}
		if err := h.env.Host.Index(ctx, h.publishDoc(ctx, t, l)); err != nil {
			h.env.Log.Warn("demo letter not indexed", "number", l.Number, "err", err)
		}
	}
	return len(written), nil
}

// demoLetter builds one letter as the workflow would have left it,
// deadlines counted on the host's calendar; nil when the county has no
// department of that code.
func (h *Handler) demoLetter(ctx context.Context, t *sdk.Tenant, st *Settings, d demoLetter, byCode map[string]*sdk.Tenant, at time.Time, i int) *Letter {
	created := at.Add(-time.Duration(d.daysAgo)*24*time.Hour - time.Duration(i)*time.Hour).UTC()
	l := &Letter{TenantID: t.ID, Mailbox: d.box, Category: d.category, Subject: d.subject, Content: d.content,
		Consent: true, Number: fmt.Sprintf("YS%d%06d", created.In(cst).Year(), i+1), CodeHash: hashCode("demo", randomDigits(16)),
		Status: Submitted, CreatedAt: created, UpdatedAt: created}
	if d.state == Submitted {
		return l
	}
	dept := byCode[d.dept]
	if dept == nil {
		return nil
	}
	accepted := calendar.DateOf(created.In(cst))
	days, why := st.daysFor(d.box, d.category)
	dl, ex, err := computeDeadline(ctx, h.env.Host, accepted, days, why)
	if err != nil {
		// A year the calendar lacks: the letter shows without a deadline
		// rather than the demo failing.
		h.env.Log.Warn("demo letter without a deadline", "subject", d.subject, "err", err)
		dl, ex = "", err.Error()
	}
	l.Status, l.AssignedTenantID = Assigned, dept.ID
	l.AcceptedOn, l.Deadline, l.Days, l.DeadlineExplain = accepted.String(), dl, days, ex
	if d.state == Closed {
		closed := created.Add(3 * 24 * time.Hour)
		l.Status, l.Reply, l.ReplyStatus, l.Published, l.ClosedAt, l.UpdatedAt = Closed, d.reply, "approved", true, &closed, closed
		l.Rating = Ratings[i%2]
	}
	return l
}

func demoHistory(l *Letter, d demoLetter) []Event {
	at := l.CreatedAt
	evs := []Event{{At: at, Actor: "demo", Action: "submit", ToStatus: Submitted, Note: "演示数据"}}
	if l.Status == Submitted {
		return evs
	}
	evs = append(evs, Event{At: at.Add(2 * time.Hour), Actor: "demo", Action: "assign", FromStatus: Submitted, ToStatus: Assigned, Note: "转办：" + d.dept})
	if l.Status == Closed {
		evs = append(evs,
			Event{At: at.Add(48 * time.Hour), Actor: "demo", Action: "reply", FromStatus: Assigned, ToStatus: Replied},
			Event{At: *l.ClosedAt, Actor: "demo", Action: "approve", FromStatus: Replied, ToStatus: Closed, Note: "答复已审核，公开"})
	}
	return evs
}
