package demo

import "math/rand/v2"

// profile is what a unit's demo text is about. Topics are noun phrases
// that read well in every event title ("召开{t}工作推进会", "开展{t}集中
// 宣传活动"), so they name fields of work, not single activities; the
// activities go into heads with their own titles. Placeholders are those
// of unit.vars.
type profile struct {
	short    string // 县发改局; derived from the name when empty
	abbr     string // document-number prefix
	field    string // 领域, for keywords and sentences
	goal     string // what the unit works towards, after "为" or "聚焦"
	concern  string // what its work touches, after "事关"
	topics   []string
	heads    []story
	facts    []string
	notices  []string // subjects of "关于开展{n}工作的通知"
	policies []string // names of documents it issues

	mixGeneric bool // draw a generic topic (党风廉政建设 …) now and then
}

// genericProfile serves a unit without its own profile, and lends its
// topics to departments.
var genericProfile = &profile{
	field:   "政务",
	goal:    "推动各项工作高质量发展",
	concern: "本单位中心工作和人民群众切身利益",
	topics:  []string{"党风廉政建设", "机关作风建设", "意识形态", "安全生产", "政务公开", "依法行政"},
	facts: []string{
		"{s}坚持把党的建设摆在首位，以高质量党建引领业务工作高质量发展。",
		"{s}持续深化作风建设，不断提升服务效能和群众满意度。",
	},
	notices:  []string{"{y}年度干部职工教育培训", "机关安全隐患排查"},
	policies: []string{"{name}{y}年工作要点", "{name}机关内部管理制度"},
}

var genericNotices = []string{"{y}年度干部职工教育培训", "冬季安全隐患排查整治", "{y}年度政务公开自查", "机关节能降耗"}

var portalProfile = &profile{
	field:   "政务",
	goal:    "推动全县经济社会高质量发展",
	concern: "全县发展大局和人民群众切身利益",
	topics:  []string{"政务公开", "政务服务“一网通办”", "督查督办", "应急值守", "机关作风建设", "12345政务服务便民热线", "政府网站和政务新媒体管理"},
	heads: []story{
		{title: "思南县召开{y}年政务公开工作推进会", topic: "政务公开", ev: evMeeting},
		{title: "思南县政务服务“一网通办”能力持续提升", topic: "政务服务“一网通办”", ev: evResult},
	},
	facts: []string{
		"今年以来，全县上下坚持稳中求进工作总基调，经济社会发展各项工作有序推进。",
		"县政府坚持以人民为中心的发展思想，统筹推进稳增长、促改革、调结构、惠民生、防风险各项工作。",
		"全县政务公开标准化规范化建设持续深化，政府信息公开质量不断提升。",
	},
	notices:    []string{"{y}年度政府信息公开工作年度报告编制", "{y}年秋冬季森林防火", "{y}年冬春安全生产大检查"},
	policies:   []string{"思南县{y}年优化营商环境工作方案", "思南县{y}年政务公开工作要点", "思南县政府网站与政务新媒体管理办法"},
	mixGeneric: true,
}

// portalHeadlines are the portal's 要闻动态. Search tests look for some
// of their words: 脱贫攻坚, 扶贫, 教育, 2026年, IPv6.
var portalHeadlines = []story{
	{title: "思南县召开巩固拓展脱贫攻坚成果同乡村振兴有效衔接工作推进会", topic: "巩固拓展脱贫攻坚成果同乡村振兴有效衔接", ev: evMeeting},
	{title: "思南县召开{y}年教育工作会议", topic: "教育", ev: evMeeting},
	{title: "思南县政府门户网站完成IPv6升级改造", kw: "IPv6,政府网站,集约化", body: "<p>{when}，思南县人民政府门户网站及县直部门、乡镇（街道）子站完成IPv6升级改造，实现IPv4和IPv6双栈访问，用户使用IPv6网络即可正常浏览网站内容、办理网上业务。</p>" +
		"<p>此次改造按照国家推进互联网协议第六版（IPv6）规模部署的有关要求，对网站域名解析、服务器网络、安全防护设备和应用系统进行了升级，并对网站首页、二级页面和三级页面进行了全面检测，IPv6访问支持度达到有关考核要求。</p>" +
		"<p>下一步，县政府办公室将持续做好政府网站运行监测和安全防护，不断提升政府网站集约化水平和服务能力，为企业和群众提供更加便捷的网上服务。</p>"},
	{title: "县长主持召开县政府常务会议", kw: "县政府常务会议,经济运行", body: "<p>{when}，县长主持召开县政府常务会议，传达学习上级有关会议精神，研究部署近期经济社会发展重点工作。县政府领导班子成员出席会议，县直有关部门主要负责同志列席会议。</p>" +
		"<p>会议听取了全县经济运行、重点项目建设、安全生产和民生保障等工作情况汇报。会议指出，当前正处于完成全年目标任务的关键时期，各乡镇（街道）、各部门要紧盯目标不放松，加快项目建设进度，全力以赴稳增长、保民生、防风险。</p>" +
		"<p>会议要求，要统筹做好冬季安全生产、森林防火和困难群众冬春生活保障等工作，确保全县社会大局和谐稳定。会议还研究了其他事项。</p>"},
	{title: "县委书记调研{y}年重大项目建设", topic: "重大项目建设", ev: evResearch, leader: "县委书记"},
	{title: "思南县召开{y}年冬季安全生产工作会议", topic: "安全生产", ev: evMeeting},
	{title: "思南县开展扶贫领域腐败和作风问题专项治理", topic: "扶贫领域腐败和作风问题专项治理", ev: evInspect},
	{title: "思南县召开优化营商环境工作推进会", topic: "优化营商环境", ev: evMeeting},
	{title: "思南县开展{y}年秋冬季森林防火专项督查", topic: "森林防火", ev: evInspect},
	{title: "思南县召开{y}年招商引资工作调度会", topic: "招商引资", ev: evMeeting},
	{title: "思南县全力推进茶产业高质量发展", topic: "茶产业高质量发展", ev: evPromote},
	{title: "思南县扎实开展农村人居环境整治提升行动", topic: "农村人居环境整治", ev: evPromote},
	{title: "思南县{y}年民生实事项目有序推进", topic: "民生实事", ev: evResult},
	{title: "思南县举办{y}年政务公开业务培训班", topic: "政务公开", ev: evTraining},
	{title: "县长调研秋冬种农业生产工作", topic: "秋冬种农业生产", ev: evResearch, leader: "县长"},
}

var industries = []string{"茶叶", "生态养殖", "食用菌", "精品水果", "中药材", "蔬菜", "花甜粑"}

// townProfile makes a township's profile: its specialty industry and
// its headlines are drawn with r, so townships differ from each other.
func townProfile(place, party string, r *rand.Rand) *profile {
	ind := pick(r, industries)
	heads := shuffled(r, []story{
		{title: "{u}召开巩固拓展脱贫攻坚成果同乡村振兴有效衔接工作推进会", topic: "巩固拓展脱贫攻坚成果", ev: evMeeting},
		{title: "{u}" + ind + "产业助力群众增收", topic: ind + "产业发展", ev: evResult},
		{title: "{u}以“党建+”模式引领乡村振兴", topic: "基层党建", ev: evPromote},
		{title: "{u}全力做好{y}年防汛工作", topic: "防汛减灾", ev: evPromote},
		{title: "{u}扎实开展农村人居环境整治“村庄清洁行动”", topic: "农村人居环境整治", ev: evPromote},
		{title: "{u}召开{y}年秋冬季森林防火工作部署会", topic: "森林防火", ev: evMeeting},
	})[:2+r.IntN(2)]
	return &profile{
		field:   "乡村振兴",
		goal:    "全面推进乡村振兴",
		concern: "群众切身利益和乡村振兴大局",
		topics: []string{"乡村振兴", "巩固拓展脱贫攻坚成果", ind + "产业发展", "防汛减灾", "农村人居环境整治",
			"基层党建", "森林防火", "安全生产", "防返贫动态监测", "矛盾纠纷排查化解"},
		heads: heads,
		facts: []string{
			"{u}立足资源禀赋，因地制宜发展" + ind + "等特色产业，带动群众就近就业增收。",
			"{u}持续开展“村庄清洁行动”，农村人居环境持续改善。",
			"{u}建立健全防止返贫动态监测和帮扶机制，实行网格化管理，守住不发生规模性返贫的底线。",
			place + party + "坚持以党建引领基层治理，充分发挥基层党组织战斗堡垒作用和党员先锋模范作用。",
		},
		notices: []string{"{y}年秋冬季森林防火", "{y}年度城乡居民医疗保险参保缴费", "防返贫监测对象排查", "农村人居环境整治检查评比", "{y}年度耕地地力保护补贴发放"},
		policies: shuffled(r, []string{
			place + "{y}年巩固拓展脱贫攻坚成果工作方案",
			place + "农村人居环境整治提升行动实施方案",
			place + ind + "产业发展实施方案",
		}),
	}
}

// profiles of the departments and other units of the reference seed,
// keyed by tenant code.
var profiles = map[string]*profile{
	"fgj": dep(profile{short: "县发改局", abbr: "思发改", field: "发展改革", goal: "推动全县经济社会高质量发展", concern: "全县经济社会发展大局",
		topics: []string{"重大项目谋划储备", "固定资产投资", "价格监测", "以工代赈", "社会信用体系建设", "优化营商环境", "重要民生商品保供稳价"},
		heads: []story{
			{title: "{u}召开{y}年重大项目谋划储备工作推进会", topic: "重大项目谋划储备", ev: evMeeting},
			{title: "{u}开展重要民生商品价格监测巡查", topic: "重要民生商品保供稳价", ev: evInspect},
		},
		facts: []string{
			"今年以来，全县紧盯年度目标任务，抓项目、稳投资、促消费，经济运行总体平稳、稳中有进。",
			"{s}坚持把项目建设作为稳增长的重要抓手，对重大项目实行清单化管理、节点化推进。",
		},
		notices:  []string{"{y}年中央预算内投资项目申报", "重要民生商品价格监测报送", "信用修复政策宣传"},
		policies: []string{"思南县{y}年重大项目建设工作方案", "思南县社会信用体系建设实施方案"},
	}),
	"jyj": dep(profile{short: "县教育局", abbr: "思教发", field: "教育", goal: "加快建设教育强县", concern: "千家万户的切身利益和全县教育事业发展",
		topics: []string{"学校安全管理", "学生资助", "义务教育控辍保学", "校园食品安全", "课后服务", "师德师风建设", "教育教学质量提升", "教师队伍建设"},
		heads: []story{
			{title: "{u}召开{y}年秋季学期教育教学质量分析会", topic: "教育教学质量提升", ev: evMeeting},
			{title: "{u}开展{y}年秋季学期学生资助政策宣传活动", topic: "学生资助", ev: evCampaign},
			{title: "{u}举办{y}年中小学骨干教师培训班", topic: "教师队伍建设", ev: evTraining},
		},
		facts: []string{
			"近年来，全县持续加大教育投入，学校办学条件不断改善，城乡教育均衡发展水平稳步提升。",
			"{s}坚持把学生资助作为教育惠民的重要举措，确保家庭经济困难学生应助尽助。",
			"{s}持续实施教师培训计划，通过集中研修、送教下乡、跟岗学习等方式提升教师专业素养。",
		},
		notices:  []string{"{y}年秋季学期学生资助申请", "中小学校园安全隐患排查整治", "{y}年下半年教师资格认定"},
		policies: []string{"思南县{y}年学生资助工作实施方案", "思南县中小学教师培训管理办法（试行）"},
	}),
	"kjj": dep(profile{short: "县科技局", abbr: "思科发", field: "科技", goal: "以科技创新支撑县域经济发展", concern: "县域创新能力提升",
		topics: []string{"科技特派员服务", "科技成果转化", "科技型企业培育", "科学普及", "农业科技推广", "知识产权保护"},
		heads:  []story{{title: "{u}开展{y}年科技活动周科普宣传", topic: "科学普及", ev: evCampaign}},
		facts: []string{
			"{s}围绕全县主导产业，组织科技特派员深入生产一线开展技术指导和服务。",
			"近年来，全县科技创新能力稳步提升，科技型企业数量持续增长。",
		},
		notices:  []string{"{y}年度县级科技计划项目申报", "科技特派员选派", "科技型中小企业评价入库"},
		policies: []string{"思南县科技特派员管理办法", "思南县{y}年科技创新工作要点"},
	}),
	"jxj": dep(profile{short: "县经信局", abbr: "思经信", field: "工业和信息化", goal: "推动工业经济提质增效", concern: "全县工业经济稳定运行",
		topics: []string{"工业经济运行调度", "规模以上工业企业培育", "中小企业服务", "工业园区建设", "信息化建设", "电力保障"},
		heads:  []story{{title: "{u}召开{y}年前三季度工业经济运行分析会", topic: "工业经济运行调度", ev: evMeeting}},
		facts: []string{
			"今年以来，全县工业经济运行总体平稳，重点企业生产经营有序开展。",
			"{s}建立重点企业包保服务机制，帮助企业协调解决用工、融资、用电等问题。",
		},
		notices:  []string{"{y}年中小企业发展专项资金项目申报", "规模以上工业企业统计数据报送", "工业企业安全生产隐患排查"},
		policies: []string{"思南县{y}年工业经济稳增长工作方案", "思南县促进中小企业发展若干措施"},
	}),
	"gaj": dep(profile{short: "县公安局", abbr: "思公发", field: "公安", goal: "建设更高水平的平安思南", concern: "人民群众生命财产安全和社会大局稳定",
		topics: []string{"社会治安综合治理", "道路交通安全整治", "电信网络诈骗防范", "户籍便民服务", "禁毒", "校园周边安全整治"},
		heads: []story{
			{title: "{u}开展防范电信网络诈骗进社区宣传活动", topic: "电信网络诈骗防范", ev: evCampaign},
			{title: "{u}部署{y}年冬季道路交通安全整治工作", topic: "道路交通安全整治", ev: evMeeting},
		},
		facts: []string{
			"{s}坚持专群结合、群防群治，持续推进社会治安防控体系建设。",
			"全县公安机关深入开展各类专项行动，社会治安大局持续稳定。",
		},
		notices:  []string{"冬季道路交通安全宣传", "居民身份证集中办理服务", "禁毒知识进校园"},
		policies: []string{"思南县{y}年道路交通安全综合整治工作方案", "思南县公安局户籍业务便民利民措施"},
	}),
	"mzj": dep(profile{short: "县民政局", abbr: "思民发", field: "民政", goal: "兜牢民生底线", concern: "困难群众的基本生活",
		topics: []string{"城乡低保动态管理", "特困人员供养", "养老服务", "儿童关爱保护", "殡葬改革", "社会组织管理", "临时救助"},
		heads:  []story{{title: "{u}开展{y}年城乡低保专项检查", topic: "城乡低保动态管理", ev: evInspect}},
		facts: []string{
			"{s}持续完善社会救助体系，做到应保尽保、应退尽退。",
			"全县养老服务设施不断完善，居家和社区养老服务覆盖面持续扩大。",
		},
		notices:  []string{"{y}年度社会组织年检", "城乡低保对象信息核查", "养老机构安全隐患排查"},
		policies: []string{"思南县最低生活保障审核确认办法", "思南县{y}年养老服务体系建设工作方案"},
	}),
	"sfj": dep(profile{short: "县司法局", abbr: "思司发", field: "司法行政", goal: "推进法治思南建设", concern: "群众的合法权益和社会和谐稳定",
		topics: []string{"普法依法治理", "人民调解", "法律援助", "社区矫正", "公共法律服务", "行政执法监督"},
		heads:  []story{{title: "{u}开展“宪法进万家”主题宣传活动", topic: "宪法学习宣传", ev: evCampaign}},
		facts: []string{
			"{s}深入开展法治宣传教育，推动法治宣传进机关、进乡村、进社区、进学校、进企业。",
			"全县人民调解组织网络不断健全，矛盾纠纷就地化解率稳步提升。",
		},
		notices:  []string{"{y}年法律援助案件质量评查", "人民调解员业务培训", "行政执法证件年审"},
		policies: []string{"思南县{y}年普法依法治理工作要点", "思南县法律援助工作实施办法"},
	}),
	"czj": dep(profile{short: "县财政局", abbr: "思财发", field: "财政", goal: "保障全县重点支出", concern: "全县经济社会发展和民生保障",
		topics: []string{"预算执行管理", "惠民惠农资金发放", "政府采购监管", "国有资产管理", "财政资金绩效评价", "会计监督"},
		heads:  []story{{title: "{u}召开{y}年财政预算执行分析会", topic: "预算执行管理", ev: evMeeting}},
		facts: []string{
			"{s}坚持党政机关过紧日子，压减一般性支出，优先保障基本民生。",
			"全县惠民惠农财政补贴资金实行“一卡通”发放，确保资金安全、及时足额发放到户。",
		},
		notices:  []string{"{y}年部门决算编报", "惠民惠农补贴资金发放自查", "政府采购代理机构监督检查"},
		policies: []string{"思南县财政资金绩效管理办法", "思南县{y}年预算执行管理实施方案"},
	}),
	"rsj": dep(profile{short: "县人社局", abbr: "思人社发", field: "人力资源和社会保障", goal: "稳就业、保民生", concern: "群众就业增收和社会保障",
		topics: []string{"就业创业服务", "社会保险扩面征缴", "农民工工资支付保障", "职业技能提升", "劳务协作", "城乡居民养老保险"},
		heads: []story{
			{title: "{u}举办{y}年秋季大型招聘会", topic: "就业创业服务", ev: evCampaign},
			{title: "{u}开展根治欠薪冬季专项行动", topic: "农民工工资支付保障", ev: evInspect},
		},
		facts: []string{
			"{s}持续开展“春风行动”“就业援助月”等公共就业服务活动，帮助群众实现就近就业。",
			"全县社会保险参保覆盖面不断扩大，城乡居民养老保险待遇按时足额发放。",
		},
		notices:  []string{"{y}年度城乡居民养老保险参保缴费", "职业技能培训补贴申领", "{y}年公益性岗位招聘"},
		policies: []string{"思南县就业创业补贴实施办法", "思南县{y}年根治拖欠农民工工资工作方案"},
	}),
	"gtj": dep(profile{short: "县国土局", abbr: "思国土发", field: "国土资源", goal: "守住耕地保护红线", concern: "耕地保护和土地资源节约集约利用",
		topics: []string{"耕地保护", "土地执法", "地质灾害防治", "不动产登记便民服务", "矿产资源管理", "土地整治"},
		heads:  []story{{title: "{u}开展汛期地质灾害隐患排查", topic: "地质灾害防治", ev: evInspect}},
		facts: []string{
			"{s}严格落实耕地保护责任制度，坚决遏制耕地“非农化”。",
			"全县地质灾害隐患点实行群测群防，汛期落实专人巡查监测。",
		},
		notices:  []string{"地质灾害隐患点群测群防员培训", "不动产登记“一窗受理”", "违法用地排查整治"},
		policies: []string{"思南县耕地保护目标责任考核办法", "思南县{y}年地质灾害防治方案"},
	}),
	"hbj": dep(profile{short: "县环保局", abbr: "思环发", field: "生态环境", goal: "守好发展和生态两条底线", concern: "人民群众的身体健康和生态环境安全",
		topics: []string{"大气污染防治", "乌江流域水环境保护", "环境执法", "饮用水水源地保护", "生态环境宣传教育", "农村生活污水治理"},
		heads:  []story{{title: "{u}开展乌江流域水环境保护专项执法检查", topic: "乌江流域水环境保护", ev: evInspect}},
		facts: []string{
			"{s}深入打好蓝天、碧水、净土保卫战，全县生态环境质量持续保持良好。",
			"乌江穿城而过，保护好一江清水是全县上下的共同责任。",
		},
		notices:  []string{"重点排污单位自行监测", "环境违法行为有奖举报", "建设项目环境影响评价审批"},
		policies: []string{"思南县{y}年大气污染防治工作方案", "思南县乌江流域水环境保护实施方案"},
	}),
	"zjj": dep(profile{short: "县住建局", abbr: "思住建发", field: "住房和城乡建设", goal: "提升城乡建设品质", concern: "群众住房安全和城市品质",
		topics: []string{"建筑施工安全", "老旧小区改造", "农村住房安全保障", "保障性住房管理", "城镇燃气安全", "物业服务管理"},
		heads:  []story{{title: "{u}开展建筑施工领域安全生产大检查", topic: "建筑施工安全", ev: evInspect}},
		facts: []string{
			"{s}持续推进城镇老旧小区改造，小区环境和配套设施明显改善。",
			"全县农村低收入群体住房安全保障动态监测机制不断完善。",
		},
		notices:  []string{"{y}年保障性租赁住房申请", "建筑施工企业安全生产检查", "城镇燃气安全隐患排查"},
		policies: []string{"思南县{y}年城镇老旧小区改造实施方案", "思南县住宅小区物业服务管理办法"},
	}),
	"jtj": dep(profile{short: "县交通运输局", abbr: "思交发", field: "交通运输", goal: "建设人民满意交通", concern: "群众安全便捷出行",
		topics: []string{"农村公路建设", "道路运输安全", "农村客运", "公路养护", "水上交通安全", "交通运输执法"},
		heads:  []story{{title: "{u}开展乌江水上交通安全专项检查", topic: "水上交通安全", ev: evInspect}},
		facts: []string{
			"{s}持续推进“四好农村路”建设，农村群众出行条件不断改善。",
			"全县道路运输行业安全生产形势总体平稳。",
		},
		notices:  []string{"农村公路冬季养护", "道路运输企业安全生产检查", "冬季水上交通安全管理"},
		policies: []string{"思南县农村公路管理养护办法", "思南县{y}年交通运输安全生产工作方案"},
	}),
	"swj": dep(profile{short: "县水务局", abbr: "思水发", field: "水务", goal: "保障全县水安全", concern: "人民群众生命财产安全和饮水安全",
		topics: []string{"防汛抗旱", "农村饮水安全", "河长制", "水土保持", "水利工程建设", "水资源管理"},
		heads: []story{
			{title: "{u}召开{y}年防汛抗旱工作总结会", topic: "防汛抗旱", ev: evMeeting},
			{title: "{u}开展农村饮水安全工程巡查", topic: "农村饮水安全", ev: evInspect},
		},
		facts: []string{
			"{s}全面落实河长制，常态化开展河湖“清四乱”工作。",
			"全县农村饮水工程建管并重，群众饮水安全保障水平不断提升。",
		},
		notices:  []string{"河道采砂管理", "农村饮水工程维修养护", "水利工程冬季安全检查"},
		policies: []string{"思南县防汛抗旱应急预案", "思南县河长制工作考核办法"},
	}),
	"nmj": dep(profile{short: "县农牧科技局", abbr: "思农发", field: "农业农村", goal: "推进农业现代化", concern: "粮食安全和农民增收",
		topics: []string{"粮食生产", "茶产业发展", "生态畜牧业", "动物疫病防控", "农产品质量安全", "高标准农田建设", "农业技术推广"},
		heads: []story{
			{title: "{u}开展秋冬季重大动物疫病防控督导", topic: "动物疫病防控", ev: evInspect},
			{title: "{u}举办茶叶种植管护技术培训班", topic: "茶产业发展", ev: evTraining},
		},
		facts: []string{
			"{s}组织农技人员深入田间地头，开展技术指导和服务。",
			"全县坚持把茶叶、生态畜牧业等作为主导产业来抓，产业规模和效益稳步提升。",
		},
		notices:  []string{"{y}年耕地地力保护补贴发放", "农机购置补贴申请", "秋冬季动物疫病集中免疫"},
		policies: []string{"思南县{y}年粮食生产工作方案", "思南县茶产业发展扶持办法"},
	}),
	"lyj": dep(profile{short: "县林业局", abbr: "思林发", field: "林业", goal: "守护绿水青山", concern: "森林资源安全和生态安全",
		topics: []string{"森林防火", "林长制", "国土绿化", "林业有害生物防治", "野生动植物保护", "林下经济发展"},
		heads:  []story{{title: "{u}部署{y}年冬春森林防火工作", topic: "森林防火", ev: evMeeting}},
		facts: []string{
			"{s}全面推行林长制，构建县、乡、村三级林长责任体系。",
			"全县森林资源保护成效明显，森林覆盖率稳步提升。",
		},
		notices:  []string{"{y}年森林防火期野外用火管理", "林木采伐许可办理", "林业有害生物普查"},
		policies: []string{"思南县林长制工作实施方案", "思南县{y}年国土绿化工作方案"},
	}),
	"shwj": dep(profile{short: "县商务局", abbr: "思商务发", field: "商务", goal: "促进消费扩容提质", concern: "市场繁荣和群众生活",
		topics: []string{"促消费", "电子商务进农村", "市场保供稳价", "外贸发展", "成品油市场监管", "商贸流通体系建设"},
		heads:  []story{{title: "{u}举办{y}年“金秋消费季”促消费活动", topic: "促消费", ev: evCampaign}},
		facts: []string{
			"{s}持续推进电子商务进农村，带动花甜粑、茶叶等特色产品走出大山。",
			"今年以来，全县消费市场持续回暖，社会消费品零售总额稳步增长。",
		},
		notices:  []string{"电子商务专项资金申报", "节日期间市场供应保障", "成品油经营企业安全检查"},
		policies: []string{"思南县促进消费若干措施", "思南县{y}年电子商务进农村工作方案"},
	}),
	"wtglj": dep(profile{short: "县文体广电旅游局", abbr: "思文旅发", field: "文化旅游", goal: "推进文旅融合发展", concern: "群众精神文化生活和文旅产业发展",
		topics: []string{"旅游市场监管", "全民健身", "文物保护", "公共文化服务", "非遗传承保护", "广播电视安全播出"},
		heads:  []story{{title: "{u}开展“花灯戏”非遗展演进乡村活动", topic: "非遗传承保护", ev: evCampaign}},
		facts: []string{
			"思南历史文化底蕴深厚，花灯戏、土家山歌等非物质文化遗产独具特色。",
			"{s}持续推进公共文化服务体系建设，乡镇综合文化站实现全覆盖。",
		},
		notices:  []string{"{y}年全民健身运动会报名", "旅游景区安全检查", "文物安全巡查"},
		policies: []string{"思南县{y}年文旅融合发展工作方案", "思南县非物质文化遗产保护管理办法"},
	}),
	"wjj": dep(profile{short: "县卫计局", abbr: "思卫计发", field: "卫生健康", goal: "推进健康思南建设", concern: "人民群众身体健康和生命安全",
		topics: []string{"家庭医生签约服务", "疫苗接种", "基本公共卫生服务", "医疗质量管理", "妇幼健康服务", "传染病防控", "健康教育"},
		heads: []story{
			{title: "{u}开展家庭医生签约服务进村入户活动", topic: "家庭医生签约服务", ev: evCampaign},
			{title: "{u}召开{y}年秋冬季疫苗接种工作推进会", topic: "疫苗接种", ev: evMeeting},
		},
		facts: []string{
			"{s}组织家庭医生团队深入村（社区），为老年人、慢性病患者等重点人群提供健康管理服务。",
			"全县各接种门诊规范开展预防接种工作，适龄儿童免疫规划疫苗接种率保持较高水平。",
		},
		notices:  []string{"{y}年秋冬季流感疫苗接种", "基本公共卫生服务项目绩效考核", "医疗机构依法执业自查"},
		policies: []string{"思南县家庭医生签约服务工作实施方案", "思南县{y}年基本公共卫生服务项目实施方案"},
	}),
	"sjj": dep(profile{short: "县审计局", abbr: "思审发", field: "审计", goal: "推动审计监督全覆盖", concern: "财政资金安全和规范使用",
		topics: []string{"经济责任审计", "政府投资项目审计", "民生资金专项审计", "审计整改", "审计质量管理"},
		heads:  []story{{title: "{u}召开{y}年审计发现问题整改工作推进会", topic: "审计整改", ev: evMeeting}},
		facts: []string{
			"{s}聚焦重大政策落实、重点资金使用和重大项目建设，依法开展审计监督。",
			"审计发现问题实行清单化管理，整改情况跟踪督促、逐项销号。",
		},
		notices:  []string{"{y}年度审计项目计划执行", "审计整改情况报送", "社会中介机构参与审计"},
		policies: []string{"思南县审计整改工作办法", "思南县政府投资项目审计管理办法"},
	}),
	"tjj": dep(profile{short: "县统计局", abbr: "思统发", field: "统计", goal: "提高统计数据质量", concern: "统计数据真实准确",
		topics: []string{"统计数据质量", "统计执法", "统计业务", "统计法治宣传", "统计调查"},
		heads:  []story{{title: "{u}举办{y}年统计年报业务培训班", topic: "统计业务", ev: evTraining}},
		facts: []string{
			"{s}坚持依法统计、依法治统，严防统计造假、弄虚作假。",
			"全县统计基层基础工作不断夯实，统计数据质量稳步提升。",
		},
		notices:  []string{"{y}年统计年报布置", "统计联网直报数据审核", "统计执法检查"},
		policies: []string{"思南县防范和惩治统计造假弄虚作假责任制实施办法", "思南县{y}年统计工作要点"},
	}),
	"ajj": dep(profile{short: "县安监局", abbr: "思安监发", field: "安全生产", goal: "坚决防范遏制重特大事故", concern: "人民群众生命财产安全",
		topics: []string{"安全生产", "非煤矿山安全监管", "危险化学品安全", "烟花爆竹安全管理", "应急演练", "安全生产宣传教育"},
		heads: []story{
			{title: "{u}开展{y}年冬季安全生产大检查", topic: "安全生产", ev: evInspect},
			{title: "{u}组织开展危险化学品安全生产检查", topic: "危险化学品安全", ev: evInspect},
		},
		facts: []string{
			"{s}坚持“管行业必须管安全、管业务必须管安全、管生产经营必须管安全”，推动各方安全责任落实。",
			"{s}深入开展安全生产检查，对发现的隐患实行清单化管理、闭环整改。",
		},
		notices:  []string{"{y}年冬季安全生产大检查", "烟花爆竹经营许可", "安全生产培训考核"},
		policies: []string{"思南县安全生产领域举报奖励办法", "思南县{y}年安全生产专项整治工作方案"},
	}),
	"spj": dep(profile{short: "县食药监局", abbr: "思食药监发", field: "食品药品安全", goal: "保障群众饮食用药安全", concern: "人民群众饮食用药安全",
		topics: []string{"校园食品安全", "药品零售监管", "农村集体聚餐管理", "食品安全抽检", "餐饮服务食品安全"},
		heads:  []story{{title: "{u}开展秋季学期校园食品安全专项检查", topic: "校园食品安全", ev: evInspect}},
		facts: []string{
			"{s}坚持“四个最严”要求，加强食品药品全链条监管。",
			"全县食品安全监督抽检覆盖面持续扩大，食品药品安全形势总体稳定。",
		},
		notices:  []string{"{y}年食品安全监督抽检", "药品零售企业检查", "农村集体聚餐备案"},
		policies: []string{"思南县农村集体聚餐食品安全管理办法", "思南县{y}年食品安全监督抽检计划"},
	}),
	"gsj": dep(profile{short: "县工商局", abbr: "思工商发", field: "市场监管", goal: "营造公平竞争的市场环境", concern: "市场秩序和消费者合法权益",
		topics: []string{"市场主体登记服务", "消费者权益保护", "企业年报", "广告监管", "合同行为监管"},
		heads:  []story{{title: "{u}开展企业年报公示宣传活动", topic: "企业年报", ev: evCampaign}},
		facts: []string{
			"{s}持续深化商事制度改革，市场主体登记更加便利。",
			"全县消费维权网络不断健全，消费纠纷处理效率稳步提高。",
		},
		notices:  []string{"{y}年度企业年报", "经营异常名录清理", "个体工商户登记服务"},
		policies: []string{"思南县市场主体登记便利化措施", "思南县消费纠纷在线解决工作方案"},
	}),
	"zljdj": dep(profile{short: "县质监局", abbr: "思质监发", field: "质量技术监督", goal: "推进质量强县建设", concern: "产品质量安全和特种设备安全",
		topics: []string{"特种设备安全", "计量监督", "标准化", "产品质量监督抽查", "质量强县建设"},
		heads:  []story{{title: "{u}开展电梯等特种设备安全专项检查", topic: "特种设备安全", ev: evInspect}},
		facts: []string{
			"{s}督促特种设备使用单位落实安全主体责任，定期开展维护保养和自行检查。",
			"全县计量器具强制检定工作规范开展，集贸市场计量秩序明显好转。",
		},
		notices:  []string{"特种设备作业人员考核", "强制检定计量器具登记", "产品质量监督抽查"},
		policies: []string{"思南县特种设备安全监管工作方案", "思南县质量强县建设实施方案"},
	}),
	"fpb": dep(profile{short: "县扶贫办", abbr: "思扶贫发", field: "扶贫开发", goal: "巩固拓展脱贫攻坚成果", concern: "脱贫群众稳定增收",
		topics: []string{"巩固拓展脱贫攻坚成果", "防返贫动态监测", "扶贫项目资产管理", "扶贫小额信贷", "东西部协作", "扶贫产业发展"},
		heads: []story{
			{title: "{u}召开{y}年巩固拓展脱贫攻坚成果工作推进会", topic: "巩固拓展脱贫攻坚成果", ev: evMeeting},
			{title: "{u}开展扶贫项目资金专项检查", topic: "扶贫项目资金管理", ev: evInspect},
		},
		facts: []string{
			"{s}健全防止返贫动态监测和帮扶机制，对监测对象做到早发现、早干预、早帮扶。",
			"全县持续巩固“两不愁三保障”成果，守住不发生规模性返贫的底线。",
		},
		notices:  []string{"{y}年扶贫项目计划公告", "防返贫监测对象识别", "扶贫小额信贷"},
		policies: []string{"思南县防止返贫动态监测和帮扶实施办法", "思南县扶贫项目资产后续管理办法"},
	}),
	"ymj": dep(profile{short: "县生态移民局", abbr: "思移民发", field: "生态移民", goal: "确保搬迁群众稳得住、能致富", concern: "搬迁群众安居乐业",
		topics: []string{"易地扶贫搬迁后续扶持", "搬迁群众就业帮扶", "安置点社区治理", "安置点配套设施建设"},
		heads:  []story{{title: "{u}深入安置点开展后续扶持调研", topic: "易地扶贫搬迁后续扶持", ev: evResearch}},
		facts: []string{
			"{s}围绕搬迁群众就业、就学、就医等需求，持续完善安置点公共服务。",
			"全县易地扶贫搬迁安置点社区治理体系不断健全，搬迁群众生活逐步融入城镇。",
		},
		notices:  []string{"搬迁群众就业信息登记", "安置点房屋安全排查", "搬迁群众技能培训报名"},
		policies: []string{"思南县易地扶贫搬迁后续扶持工作方案", "思南县安置点社区治理实施办法"},
	}),
	"mzzj": dep(profile{short: "县民宗局", abbr: "思民宗发", field: "民族宗教", goal: "铸牢中华民族共同体意识", concern: "民族团结进步和社会和谐稳定",
		topics: []string{"民族团结进步创建", "宗教活动场所安全管理", "少数民族特色村寨保护", "民族政策宣传"},
		heads:  []story{{title: "{u}开展民族团结进步宣传月活动", topic: "民族团结进步创建", ev: evCampaign}},
		facts: []string{
			"思南是多民族聚居的县份，土家族等各民族群众和睦相处、共同发展。",
			"{s}持续开展民族团结进步创建，推动各民族交往交流交融。",
		},
		notices:  []string{"宗教活动场所安全检查", "民族团结进步创建示范单位申报", "少数民族特色村寨申报"},
		policies: []string{"思南县民族团结进步创建工作方案", "思南县宗教活动场所安全管理办法"},
	}),
	"cgj": dep(profile{short: "县城管局", abbr: "思城管发", field: "城市管理", goal: "提升城市管理精细化水平", concern: "城市环境和市民生活",
		topics: []string{"市容环境整治", "占道经营治理", "生活垃圾分类", "户外广告管理", "城市照明维护"},
		heads:  []story{{title: "{u}开展城区市容环境集中整治", topic: "市容环境整治", ev: evPromote}},
		facts: []string{
			"{s}坚持人民城市为人民，以绣花功夫推进城市精细化管理。",
			"城区主次干道环境卫生明显改善，市民群众满意度不断提升。",
		},
		notices:  []string{"城区占道经营集中整治", "户外广告设施安全检查", "生活垃圾分类宣传"},
		policies: []string{"思南县城区市容环境卫生管理办法", "思南县{y}年城市管理提升工作方案"},
	}),
	"ghj": dep(profile{short: "县规划局", abbr: "思规发", field: "城乡规划", goal: "以规划引领城乡发展", concern: "城乡空间布局和发展品质",
		topics: []string{"国土空间规划编制", "村庄规划", "建设项目规划审批", "规划批后监管"},
		heads:  []story{{title: "{u}召开村庄规划编制工作推进会", topic: "村庄规划", ev: evMeeting}},
		facts: []string{
			"{s}坚持规划先行，统筹生产、生活、生态空间布局。",
			"全县村庄规划编制有序推进，规划管控作用不断增强。",
		},
		notices:  []string{"建设项目规划许可批前公示", "村庄规划编制", "规划批后核实"},
		policies: []string{"思南县村庄规划编制工作方案", "思南县建设项目规划管理办法"},
	}),
	"daj": dep(profile{short: "县档案局", abbr: "思档发", field: "档案", goal: "推进档案事业高质量发展", concern: "历史记忆的保存和利用",
		topics: []string{"档案安全", "档案数字化", "机关档案业务指导", "档案利用服务", "档案法治宣传"},
		heads:  []story{{title: "{u}开展档案安全专项检查", topic: "档案安全", ev: evInspect}},
		facts: []string{
			"{s}坚持“存史、资政、育人”，不断提升档案管理和服务水平。",
			"全县馆藏档案数字化工作有序推进，档案查阅利用更加便捷。",
		},
		notices:  []string{"{y}年度文书档案归档", "档案安全自查", "档案业务培训"},
		policies: []string{"思南县机关档案管理办法", "思南县档案数字化工作方案"},
	}),
	"rfb": dep(profile{short: "县人防办", abbr: "思人防发", field: "人民防空", goal: "提升人民防空综合防护能力", concern: "战时防空和平时防灾",
		topics: []string{"人防工程管理", "人防宣传教育", "应急疏散演练", "防空警报设施维护"},
		heads:  []story{{title: "{u}开展人防知识进校园活动", topic: "人防宣传教育", ev: evCampaign}},
		facts: []string{
			"{s}坚持战时防空与平时防灾相结合，不断提升城市综合防护能力。",
			"全县人防工程维护管理制度不断完善，防空警报设施运行良好。",
		},
		notices:  []string{"人防工程安全检查", "防空警报设施巡检", "人防知识宣传"},
		policies: []string{"思南县人防工程维护管理办法", "思南县{y}年人民防空宣传教育工作方案"},
	}),
	"xfj": dep(profile{short: "县信访局", abbr: "思信访发", field: "信访", goal: "推动信访问题就地化解", concern: "群众合理诉求及时解决",
		topics: []string{"信访矛盾纠纷排查化解", "领导干部接访下访", "网上信访", "信访积案化解", "信访法治化建设"},
		heads:  []story{{title: "{u}开展《信访工作条例》集中宣传活动", topic: "信访法治化建设", ev: evCampaign}},
		facts: []string{
			"{s}坚持和发展新时代“枫桥经验”，推动矛盾纠纷源头预防、就地化解。",
			"全县网上信访渠道不断畅通，群众反映问题更加便捷。",
		},
		notices:  []string{"信访矛盾纠纷集中排查化解", "信访事项办理质量评查", "网上信访业务培训"},
		policies: []string{"思南县信访事项办理工作规范", "思南县{y}年信访工作要点"},
	}),
	"zwzx": dep(profile{short: "县政务服务中心", abbr: "思政服发", field: "政务服务", goal: "打造一流营商环境", concern: "企业和群众办事便利",
		topics: []string{"政务服务“一网通办”", "帮办代办服务", "12345热线办理", "政务服务“好差评”", "窗口作风建设"},
		heads:  []story{{title: "{u}推出帮办代办服务", topic: "帮办代办服务", ev: evPromote}},
		facts: []string{
			"{s}持续推进“一窗通办”“一网通办”，企业和群众办事更加便捷高效。",
			"中心各窗口全面推行首问负责、一次性告知和限时办结制度。",
		},
		notices:  []string{"政务服务事项清单动态调整", "窗口工作人员业务考核", "政务服务“好差评”"},
		policies: []string{"思南县政务服务帮办代办工作实施方案", "思南县政务服务中心窗口管理办法"},
	}),
	"tzj": dep(profile{short: "县投资促进局", abbr: "思投促发", field: "投资促进", goal: "以招商引资推动产业发展", concern: "全县产业发展后劲",
		topics: []string{"招商引资", "招商项目落地服务", "产业招商推介", "在谈项目跟踪"},
		heads:  []story{{title: "{u}召开{y}年招商引资项目调度会", topic: "招商引资", ev: evMeeting}},
		facts: []string{
			"{s}围绕全县主导产业开展精准招商，着力引进一批带动力强的项目。",
			"对签约项目实行专班服务，推动项目早落地、早投产、早见效。",
		},
		notices:  []string{"{y}年招商引资项目统计报送", "招商引资项目入库", "重点招商项目包保服务"},
		policies: []string{"思南县招商引资优惠政策", "思南县{y}年招商引资工作方案"},
	}),
	"gxs": dep(profile{short: "县供销社", abbr: "思供销发", field: "供销合作", goal: "服务“三农”发展", concern: "农民生产生活需要",
		topics: []string{"农资供应保障", "农产品产销对接", "基层供销社建设", "农村电商服务"},
		heads:  []story{{title: "{u}开展农资打假和质量安全检查", topic: "农资供应保障", ev: evInspect}},
		facts: []string{
			"{s}发挥为农服务主力军作用，保障化肥、种子等农资供应。",
			"全县基层供销社服务网络不断健全，农产品销售渠道持续拓宽。",
		},
		notices:  []string{"冬春农资储备", "农产品产销对接活动报名", "基层供销社经营情况统计"},
		policies: []string{"思南县基层供销社建设实施方案", "思南县农资储备管理办法"},
	}),
	"lsj": dep(profile{short: "县粮食局", abbr: "思粮发", field: "粮食", goal: "守住管好“天下粮仓”", concern: "全县粮食安全",
		topics: []string{"秋粮收购", "粮食储备管理", "粮食安全宣传", "粮油市场监测", "粮库安全生产"},
		heads:  []story{{title: "{u}开展{y}年世界粮食日和全国粮食安全宣传周活动", topic: "粮食安全宣传", ev: evCampaign}},
		facts: []string{
			"{s}严格落实粮食安全党政同责，确保储备粮数量真实、质量良好、储存安全。",
			"今年全县秋粮收购工作有序开展，种粮农民售粮顺畅。",
		},
		notices:  []string{"{y}年秋粮收购", "储备粮库存检查", "粮油市场价格监测报送"},
		policies: []string{"思南县地方储备粮管理办法", "思南县{y}年粮食安全责任制考核工作方案"},
	}),
	"qxj": dep(profile{short: "县气象局", abbr: "思气发", field: "气象", goal: "做好气象防灾减灾", concern: "人民群众生命财产安全和农业生产",
		topics: []string{"气象灾害预警服务", "人工影响天气", "农业气象服务", "气象科普", "气象探测环境保护"},
		heads:  []story{{title: "{u}做好冬季低温雨雪冰冻天气预警服务", topic: "气象灾害预警服务", ev: evPromote}},
		facts: []string{
			"{s}加强灾害性天气监测预报，及时发布预警信息，为防灾减灾提供决策服务。",
			"全县气象预警信息发布渠道不断拓宽，预警信息覆盖到村到户。",
		},
		notices:  []string{"冬季低温雨雪冰冻天气防范", "人工影响天气作业安全检查", "气象探测环境保护"},
		policies: []string{"思南县气象灾害预警信息发布办法", "思南县人工影响天气工作方案"},
	}),

	// Other units: the people's congress, the CPPCC, the court, the
	// procuratorate and mass organizations.
	"rdb": {short: "县人大常委会办公室", abbr: "思人大办发", field: "人大", goal: "发展全过程人民民主", concern: "人民群众的根本利益",
		topics: []string{"人大代表履职", "执法检查", "专题调研", "代表联络站建设", "代表建议办理"},
		heads:  []story{{title: "县人大常委会组织开展{y}年度代表集中视察", topic: "人大代表履职", ev: evResearch, leader: "县人大常委会负责同志"}},
		facts: []string{
			"县人大常委会坚持党的领导、人民当家作主、依法治国有机统一，依法履行监督职责。",
			"全县人大代表联络站建设不断加强，代表联系群众渠道更加畅通。",
		},
		notices:  []string{"代表建议办理情况报送", "{y}年度代表履职培训", "代表联络站活动"},
		policies: []string{"思南县人大常委会{y}年工作要点", "思南县人大代表联络站工作规范"},
	},
	"zxb": {short: "县政协办公室", abbr: "思政协办发", field: "政协", goal: "发挥专门协商机构作用", concern: "全县改革发展稳定大局",
		topics: []string{"委员履职", "民主监督", "提案办理", "专题协商", "委员工作室建设"},
		heads:  []story{{title: "县政协召开{y}年重点提案督办会", topic: "提案办理", ev: evMeeting}},
		facts: []string{
			"县政协围绕全县中心工作建言资政、凝聚共识，积极履行政治协商、民主监督、参政议政职能。",
			"政协委员深入基层开展调研视察，形成了一批有价值的意见建议。",
		},
		notices:  []string{"{y}年度委员履职情况统计", "提案办理情况报送", "委员工作室活动"},
		policies: []string{"思南县政协{y}年协商工作计划", "思南县政协委员履职管理办法"},
	},
	"fy": {short: "县人民法院", abbr: "思法发", field: "审判执行", goal: "提升审判执行质效、维护社会公平正义", concern: "人民群众合法权益和社会公平正义",
		topics: []string{"执行攻坚", "诉源治理", "巡回审判", "诉讼服务", "司法公开"},
		heads:  []story{{title: "{u}开展冬季执行攻坚专项行动", topic: "执行攻坚", ev: evPromote}},
		facts: []string{
			"{s}坚持司法为民、公正司法，努力让人民群众在每一个司法案件中感受到公平正义。",
			"法院诉讼服务中心推行一站式服务，群众立案、缴费、查询更加便捷。",
		},
		notices:  []string{"涉民生案件集中执行", "人民陪审员培训", "诉讼服务满意度调查"},
		policies: []string{"思南县人民法院诉讼服务工作规范", "思南县人民法院{y}年执行工作方案"},
	},
	"jcy": {short: "县人民检察院", abbr: "思检发", field: "检察", goal: "更好履行法律监督职责", concern: "社会公平正义和人民群众合法权益",
		topics: []string{"公益诉讼", "未成年人检察", "控告申诉", "检察开放日", "法治宣传"},
		heads:  []story{{title: "{u}开展“法治进校园”宣传活动", topic: "未成年人检察", ev: evCampaign}},
		facts: []string{
			"{s}依法履行法律监督职责，积极稳妥推进公益诉讼检察工作。",
			"检察机关坚持“司法为民”，认真办理群众来信来访，做到件件有回复。",
		},
		notices:  []string{"检察开放日活动报名", "公益诉讼线索征集", "人民监督员监督活动"},
		policies: []string{"思南县人民检察院公益诉讼工作规范", "思南县人民检察院{y}年工作要点"},
	},
	"zgh": {short: "县总工会", abbr: "思工发", field: "工会", goal: "维护职工合法权益", concern: "广大职工切身利益",
		topics: []string{"职工技能竞赛", "困难职工帮扶", "劳动保护", "职工之家建设", "新就业形态劳动者服务"},
		heads:  []story{{title: "{u}举办{y}年职工职业技能竞赛", topic: "职工技能竞赛", ev: evCampaign}},
		facts: []string{
			"{s}坚持服务职工群众，持续开展困难职工帮扶和送温暖活动。",
			"全县工会组织建设不断加强，新就业形态劳动者入会工作有序推进。",
		},
		notices:  []string{"困难职工帮扶对象摸底", "{y}年度劳模疗休养", "职工之家创建申报"},
		policies: []string{"思南县困难职工帮扶管理办法", "思南县总工会{y}年工作要点"},
	},
	"tw": {short: "团县委", abbr: "思团发", field: "共青团", goal: "服务青年成长发展", concern: "广大青少年成长成才",
		topics: []string{"青年志愿服务", "青少年权益保护", "青年创业就业", "团员发展教育", "希望工程助学"},
		heads:  []story{{title: "{u}开展“青春志愿行”志愿服务活动", topic: "青年志愿服务", ev: evCampaign}},
		facts: []string{
			"团县委坚持以青年为本，组织引导广大青年在乡村振兴中建功立业。",
			"全县青年志愿者队伍不断壮大，志愿服务活动常态化开展。",
		},
		notices:  []string{"{y}年希望工程助学", "优秀共青团员推荐", "青年志愿者招募"},
		policies: []string{"思南县青年志愿服务管理办法", "共青团思南县委{y}年工作要点"},
	},
	"fl": {short: "县妇联", abbr: "思妇发", field: "妇女儿童", goal: "促进妇女儿童全面发展", concern: "妇女儿童合法权益",
		topics: []string{"巾帼创业", "家庭家教家风建设", "妇女儿童权益维护", "困境儿童关爱", "妇女“两癌”筛查"},
		heads:  []story{{title: "{u}开展“最美家庭”寻找活动", topic: "家庭家教家风建设", ev: evCampaign}},
		facts: []string{
			"{s}发挥妇联组织桥梁纽带作用，团结引领广大妇女建功新时代。",
			"全县“巾帼家美积分超市”等工作有序开展，妇女参与乡村治理的积极性不断提高。",
		},
		notices:  []string{"“最美家庭”推荐", "巾帼创业培训报名", "困境儿童关爱走访"},
		policies: []string{"思南县妇女儿童权益保障工作方案", "思南县妇联{y}年工作要点"},
	},
	"cl": {short: "县残联", abbr: "思残联发", field: "残疾人事业", goal: "促进残疾人全面发展", concern: "残疾人基本民生",
		topics: []string{"残疾人康复服务", "残疾人就业", "无障碍环境建设", "残疾人证办理", "助残服务"},
		heads:  []story{{title: "{u}开展残疾人证办理进乡镇服务", topic: "残疾人证办理", ev: evPromote}},
		facts: []string{
			"{s}持续落实残疾人两项补贴制度，保障残疾人基本生活。",
			"全县残疾儿童康复救助工作有序开展，康复服务覆盖面不断扩大。",
		},
		notices:  []string{"残疾人两项补贴资格复核", "残疾人职业技能培训报名", "辅助器具适配申请"},
		policies: []string{"思南县残疾人两项补贴管理办法", "思南县残疾人就业促进工作方案"},
	},
}

// dep marks a department's profile: it mixes in generic topics, since a
// department also reports on its party and office work.
func dep(p profile) *profile {
	p.mixGeneric = true
	return &p
}
