package interview

import (
	"context"
	"fmt"
	"time"

	"yiwang/plugins/sdk"
)

var _ sdk.Configurer = (*Handler)(nil)

// Configure seeds demo interviews, when the platform runs with demo
// content, for every enabling tenant that has none yet: one announced a
// couple of days ahead (questions open) and past ones, one a quarter,
// with their transcripts. They are marked demo in lists and on the page.
func (h *Handler) Configure(ctx context.Context, tenants []sdk.TenantConfig) error {
	if !h.env.Demo {
		return nil
	}
	for _, tc := range tenants {
		t := tc.Tenant
		seeded, err := h.seedTenant(ctx, &t)
		if err != nil {
			return fmt.Errorf("demo interviews of %s: %w", t.Code, err)
		}
		if seeded {
			// The transcripts are search documents; the host is still
			// configuring this process, so they go in afterwards.
			go h.indexAll(context.WithoutCancel(ctx), t.ID)
		}
	}
	return nil
}

func (h *Handler) indexAll(ctx context.Context, tenantID int64) {
	err := h.Reindex(ctx, tenantID, func(d sdk.Document) error { return h.env.Host.Index(ctx, d) })
	if err != nil {
		h.env.Log.Warn("index demo transcripts", "tenant", tenantID, "err", err)
	}
}

type demoQA struct{ q, a, phase string }

type demoInterview struct {
	title, desc, guest, post string
	ago                      int // days before today; negative: ahead
	qas                      []demoQA
}

func demoInterviewsFor(t *sdk.Tenant) []demoInterview {
	unit := t.Name
	if t.IsPortal() {
		unit = "县人民政府"
	}
	return []demoInterview{
		{title: "优化营商环境 服务市场主体", guest: "王建国", post: unit + "副县长（演示）", ago: -2,
			desc: "<p>围绕优化营商环境、减税降费、政务服务“一网通办”等话题，与网友在线交流。欢迎提前提问。</p><p>（本期为演示数据。）</p>"},
		{title: "义务教育均衡发展与“双减”落实", guest: "李明", post: unit + "负责同志（演示）", ago: 40,
			desc: "<p>介绍全县义务教育优质均衡发展和“双减”工作推进情况，回应家长关切。</p><p>（本期为演示数据。）</p>",
			qas: []demoQA{
				{"今年秋季学期城区学校学位是否够用？", "<p>今年新建的两所学校已投入使用，新增学位 2,400 个，能够满足城区适龄儿童入学需要。</p>", "live"},
				{"课后服务是否收费？标准是多少？", "<p>课后服务坚持学生自愿参加，按照省里核定的标准收取服务性收费，家庭经济困难学生免收。</p>", "live"},
				{"乡镇学校的校车什么时候能开通？", "<p>经核实，已有 12 个乡镇开通校车线路，其余乡镇将在下学期开学前开通。</p>", "after"},
			}},
		{title: "乡村振兴与产业发展", guest: "张华", post: unit + "负责同志（演示）", ago: 130,
			desc: "<p>介绍乡村特色产业发展、就业帮扶等工作，解答网友提问。</p><p>（本期为演示数据。）</p>",
			qas: []demoQA{
				{"茶叶种植有哪些补贴政策？", "<p>新建标准化茶园每亩补助 500 元，具体以当年印发的实施方案为准。</p>", "live"},
				{"返乡创业可以申请哪些贷款？", "<p>符合条件的返乡创业人员可申请最高 20 万元的创业担保贷款，财政按规定贴息。</p>", "live"},
			}},
		{title: "城乡医疗保障政策解读", guest: "刘芳", post: unit + "负责同志（演示）", ago: 220,
			desc: "<p>解读城乡居民医疗保险参保缴费、异地就医备案等政策。</p><p>（本期为演示数据。）</p>",
			qas: []demoQA{
				{"异地就医如何备案？", "<p>可通过国家医保服务平台手机应用在线办理备案，也可到县医保服务大厅办理。</p>", "live"},
			}},
	}
}

func (h *Handler) seedTenant(ctx context.Context, t *sdk.Tenant) (bool, error) {
	seeded := false
	err := h.env.DB.Tx(ctx, t.ID, func(s *sdk.Scope) error {
		var n int
		if err := s.Get(ctx, &n, `SELECT COUNT(*) FROM interviews WHERE tenant_id = :tenant_id AND demo = 1`, nil); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		seeded = true
		now := h.now().In(cst)
		day := time.Date(now.Year(), now.Month(), now.Day(), 9, 30, 0, 0, cst)
		for _, d := range demoInterviewsFor(t) {
			starts := day.AddDate(0, 0, -d.ago).UTC()
			args := sdk.Args{"title": d.title, "desc": sdk.Sanitize(d.desc), "starts": starts, "now": now.UTC(), "transcript": nil}
			if d.ago > 0 {
				args["transcript"] = starts.Add(26 * time.Hour)
			}
			id, err := s.Insert(ctx, `INSERT INTO interviews (tenant_id, title, description, host_name, starts_at, duration_min, announce_days, video_url,
				published, transcript_at, summary, demo, created_at, updated_at)
				VALUES (:tenant_id, :title, :desc, '县融媒体中心 主持人（演示）', :starts, 90, 3, '', 1, :transcript, '', 1, :now, :now)`, args)
			if err != nil {
				return err
			}
			if _, err := s.Insert(ctx, `INSERT INTO interview_guests (tenant_id, interview_id, name, post, photo_id, sort)
				VALUES (:tenant_id, :iv, :name, :post, 0, 0)`, sdk.Args{"iv": id, "name": d.guest, "post": d.post}); err != nil {
				return err
			}
			for i, qa := range d.qas {
				at := starts.Add(time.Duration(10+i*12) * time.Minute)
				if qa.phase == "after" {
					at = starts.Add(48 * time.Hour)
				}
				qid, err := s.Insert(ctx, `INSERT INTO interview_questions (tenant_id, interview_id, user_id, user_name, body, status, queue_pos,
					answered, answered_at, created_at, updated_at)
					VALUES (:tenant_id, :iv, 0, '网友（演示）', :body, 'approved', :pos, :phase, :at, :asked, :at)`,
					sdk.Args{"iv": id, "body": qa.q, "pos": i + 1, "phase": qa.phase, "at": at, "asked": starts.Add(-24 * time.Hour)})
				if err != nil {
					return err
				}
				if _, err := s.Insert(ctx, `INSERT INTO interview_answers (tenant_id, interview_id, question_id, speaker, body, photo_id, photo_alt,
					phase, created_by, created_at) VALUES (:tenant_id, :iv, :q, :speaker, :body, 0, '', :phase, :by, :at)`,
					sdk.Args{"by": "system-demo", "iv": id, "q": qid, "speaker": d.guest, "body": sdk.Sanitize(qa.a), "phase": qa.phase, "at": at}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return seeded && err == nil, err
}
