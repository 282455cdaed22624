package topics

import "yiwang/plugins/sdk"

// Demo topics for the default run: a handful of the portal's special
// topics (the reference county's portal has 31), and one for any other
// tenant that enables the module. They are marked demo (a tag in lists,
// a notice on the page) and their sections show the tenant's own demo
// articles through the host.

type demoTopic struct {
	title, banner, intro, status string
	sections                     []Section
}

func articles(title, column string) Section {
	return Section{Kind: KindArticles, Title: title, Column: column, Limit: 6}
}

func richText(title, html string) Section {
	return Section{Kind: KindRichText, Title: title, Body: sdk.Sanitize(html)}
}

const demoNote = "<p>（本段为演示文字，仅用于展示专题页面的版式。）</p>"

func demoTopicsFor(t *sdk.Tenant) []demoTopic {
	if !t.IsPortal() {
		return []demoTopic{{
			title: "政务公开专栏", banner: "banner-2.svg", status: Published,
			intro: t.Name + "集中发布本单位政务公开工作的动态、通知和政策文件，方便群众查阅。\n本专题为演示数据。",
			sections: []Section{
				articles("工作动态", "gzdt"),
				articles("通知公告", "tzgg"),
				richText("公开指南", "<p>本单位依法主动公开政府信息，群众可通过网站、政务服务大厅等渠道查阅。</p>"+demoNote),
			},
		}}
	}
	return []demoTopic{
		{title: "脱贫攻坚", banner: "banner-1.svg", status: Published,
			intro: "全面巩固拓展脱贫攻坚成果，同乡村振兴有效衔接。本专题汇集全县脱贫攻坚的工作动态、政策文件和典型经验。",
			sections: []Section{
				articles("工作动态", "gzdt"),
				articles("政策文件", "zcwj"),
				richText("工作要点", "<ul><li>守住不发生规模性返贫的底线</li><li>持续做好易地扶贫搬迁后续扶持</li><li>发展壮大特色产业，稳定群众增收</li></ul>"+demoNote),
			}},
		{title: "大众创业 万众创新", banner: "banner-2.svg", status: Published,
			intro: "优化创新创业环境，落实创业担保贷款、场地租金补贴等扶持政策，激发市场主体活力。",
			sections: []Section{
				articles("政策文件", "zcwj"),
				articles("工作动态", "gzdt"),
			}},
		{title: "电子商务", banner: "banner-3.svg", status: Published,
			intro: "推进电子商务进农村综合示范，建设县乡村三级物流配送体系，带动特色农产品上行。",
			sections: []Section{
				articles("工作动态", "gzdt"),
				richText("服务网点", "<p>县级电子商务公共服务中心提供网店开设、产品包装、物流对接等免费服务。</p>"+demoNote),
			}},
		{title: "大数据", banner: "banner-4.svg", status: Published,
			intro: "推动大数据与实体经济、政府治理、民生服务深度融合，建设数字政府。",
			sections: []Section{
				articles("工作动态", "gzdt"),
				articles("通知公告", "tzgg"),
			}},
		{title: "电子政务", banner: "banner-1.svg", status: Published,
			intro: "依托全省统一的政务服务平台，推进政务服务“一网通办”，让数据多跑路、群众少跑腿。",
			sections: []Section{
				articles("通知公告", "tzgg"),
				richText("办事指引", "<p>群众可登录政务服务网或前往县政务服务中心办理各类事项。</p>"+demoNote),
			}},
		{title: "乡村振兴", banner: "banner-3.svg", status: Published,
			intro: "坚持农业农村优先发展，扎实推进乡村产业、人才、文化、生态、组织振兴。",
			sections: []Section{
				articles("工作动态", "gzdt"),
				articles("政策文件", "zcwj"),
			}},
		{title: "聚焦两会", banner: "banner-2.svg", status: Archived,
			intro: "县人民代表大会和政协会议召开期间的会议报道、政府工作报告解读。本专题已归档，作为往期专题保留。",
			sections: []Section{
				articles("会议报道", "gzdt"),
			}},
	}
}
