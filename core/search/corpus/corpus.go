// Package corpus generates a large, deterministic corpus of Chinese
// government documents across 75 tenants, for the search benchmarks
// (`yiwang search gen-corpus`, BenchmarkSearch with YIWANG_SEARCH_BENCH).
//
// Documents are topical, as a county's pages are: each is about two of
// about 250 fields of work (扶贫, 教育, 安全生产 …) and draws most of its
// words from the government vocabulary every page shares (工作, 推进,
// 群众: in nearly every document, with a Zipf-like frequency), then from
// its fields, then from any field in passing, then from a long tail of
// about 1,400 names and terms. A field word is in roughly 5–10% of the
// documents, a tail word in about 1%, a common word in most; the benchmark
// reports every query's match count beside its latency.
package corpus

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"yiwang/core/search"
)

// Tenants is the number of tenants documents are spread over (tenant ids
// 1 to Tenants; tenant 1, the portal, gets three times its share).
const Tenants = 75

// Generator makes documents one at a time; the same seed gives the same
// corpus.
type Generator struct {
	r      *rand.Rand
	n      int
	cum    []float64
	common []string
	topics []string
	tail   []string
	focus  [2]int
	start  time.Time
	span   time.Duration
}

// New returns a generator.
func New(seed uint64) *Generator {
	g := &Generator{r: rand.New(rand.NewPCG(seed, seed^0x5851f42d4c957f2d))}
	g.common, g.topics, g.tail = vocabulary()
	total := 0.0
	for i := range g.common {
		total += 1 / float64(i+8)
		g.cum = append(g.cum, total)
	}
	for i := range g.cum {
		g.cum[i] /= total
	}
	g.start = time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
	g.span = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Sub(g.start)
	return g
}

// word draws the next word of the current document.
func (g *Generator) word() string {
	switch x := g.r.IntN(100); {
	case x < 28: // the document's fields: a topic and the three after it
		return g.topics[(g.focus[x%2]+g.r.IntN(4))%len(g.topics)]
	case x < 32: // any field, in passing
		return g.pick(g.topics)
	case x < 38:
		return g.pick(g.tail)
	}
	x := g.r.Float64()
	lo, hi := 0, len(g.cum)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if g.cum[mid] < x {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return g.common[lo]
}

func (g *Generator) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }

// sentence is 4–12 words with a comma or two, ended by 。
func (g *Generator) sentence(b *strings.Builder) {
	n := 4 + g.r.IntN(9)
	for i := 0; i < n; i++ {
		if g.r.IntN(6) == 0 {
			b.WriteString(g.pick(glue))
		}
		b.WriteString(g.word())
		if i < n-1 && g.r.IntN(5) == 0 {
			b.WriteString("，")
		}
	}
	b.WriteString("。")
}

// Next makes the next document.
func (g *Generator) Next() search.Doc {
	g.n++
	id := g.n
	g.focus = [2]int{g.r.IntN(len(g.topics)), g.r.IntN(len(g.topics))}
	tenant := int64(1 + g.r.IntN(Tenants+2))
	if tenant > Tenants {
		tenant = 1
	}
	typ := search.TypeArticle
	switch x := g.r.IntN(20); {
	case x == 0:
		typ = search.TypeLetter
	case x == 1:
		typ = search.TypeDisclosure
	case x == 2:
		typ = search.TypeInterview
	}
	var t strings.Builder
	t.WriteString(g.pick(units))
	t.WriteString(g.pick(titleVerbs))
	t.WriteString(g.word())
	if g.r.IntN(2) == 0 {
		t.WriteString(g.word())
	}
	t.WriteString(g.pick(titleEnds))
	if g.r.IntN(12) == 0 {
		t.WriteString("（" + g.pick(docPrefixes) + "〔" + strconv.Itoa(2019+g.r.IntN(8)) + "〕" + strconv.Itoa(1+g.r.IntN(60)) + "号）")
	}
	// Body length: 300 to about 2,500 characters, most near 800.
	target := 300 + int(g.r.ExpFloat64()*500)
	target = min(target, 2500)
	var b strings.Builder
	for b.Len() < target*3 {
		g.sentence(&b)
		if g.r.IntN(4) == 0 {
			b.WriteString("\n")
		}
		if g.r.IntN(40) == 0 {
			b.WriteString(strconv.Itoa(2019+g.r.IntN(8)) + "年" + strconv.Itoa(1+g.r.IntN(12)) + "月，")
		}
	}
	date := g.start.Add(time.Duration(g.r.Int64N(int64(g.span))))
	return search.Doc{
		ID:       "bench:" + strconv.Itoa(id),
		TenantID: tenant,
		Type:     typ,
		URL:      "art/" + strconv.Itoa(id),
		Title:    t.String(),
		Body:     b.String(),
		Column:   g.pick(columns),
		Date:     date,
	}
}

var glue = []string{"的", "和", "在", "对", "为", "了", "将", "并", "及", "与", "把", "是"}

var columns = []string{"工作动态", "通知公告", "政策文件", "政策解读", "部门动态", "乡镇传真", "要闻动态"}

var titleVerbs = []string{"召开", "扎实推进", "开展", "专题研究部署", "举办", "深入推进", "全面落实", "持续抓好", "调研", "部署"}

var titleEnds = []string{"工作", "工作会议", "专项行动", "培训班", "推进会", "调度会", "集中宣传活动", "督导检查", "工作取得阶段性成效", "的通知", "实施方案"}

var docPrefixes = []string{"思府发", "思府办发", "思教发", "思卫健发", "思人社发", "思农发", "塘府发"}

var units = []string{
	"思南县", "县政府", "县教育局", "县卫生健康局", "县人力资源和社会保障局", "县农业农村局", "县应急管理局",
	"县市场监督管理局", "县生态环境局", "县交通运输局", "县水务局", "县民政局", "县财政局", "县公安局",
	"县住房和城乡建设局", "县自然资源局", "县文体广电旅游局", "县乡村振兴局", "县医疗保障局", "县林业局",
	"塘头镇", "许家坝镇", "大坝场镇", "文家店镇", "鹦鹉溪镇", "合朋溪镇", "张家寨镇", "孙家坝镇", "青杠坡镇",
	"瓮溪镇", "凉水井镇", "邵家桥镇", "大河坝镇", "亭子坝镇", "思唐街道", "关中坝街道", "双塘街道",
	"县人民法院", "县人民检察院", "县总工会", "团县委", "县妇联", "县科协", "县融媒体中心",
}

// vocabulary is the word lists: common words (most frequent first), the
// words of fields of work (neighbours are related), and the long tail.
func vocabulary() (common, topics, tail []string) {
	common = strings.Fields(`工作 推进 群众 开展 加强 落实 建设 发展 服务 管理 要求 会议 强调 全县 进一步 持续 提升 完善 组织 部署
		推动 实施 重点 单位 相关 情况 问题 工作人员 责任 有关 措施 活动 全面 同志 机制 确保 深入 积极 目标 任务
		乡镇 部门 社会 经济 领导 干部 基层 企业 项目 安全 检查 督导 培训 学习 贯彻 精神 政策 宣传 指出 切实 有效
		农村 村民 社区 街道 县委 县政府 主要负责同志 各乡镇 街道办事处 保障 制度 规范 质量 水平 能力 作风 纪律
		意见 建议 反馈 整改 台账 考核 监督 成效 效果 扎实 稳步 统筹 协调 联动 合力 氛围 知晓率 满意度 获得感
		幸福感 安全感 高质量发展 新时代 习近平 总书记 重要讲话 党中央 国务院 省委 省政府 市委 市政府 铜仁市 贵州省`)
	topics = strings.Fields(`扶贫 脱贫攻坚 乡村振兴 巩固拓展 脱贫成果 防止返贫 教育 义务教育 学前教育 职业教育 控辍保学 营养改善计划
		教师队伍 校园安全 医疗卫生 疫情防控 家庭医生 签约服务 基本医疗保险 城乡居民 医保 养老保险 就业创业 稳岗 技能培训
		农民工 返乡创业 社会救助 低保 特困供养 临时救助 残疾人 养老服务 安全生产 隐患排查 消防安全 道路交通安全
		防汛抗旱 地质灾害 森林防火 应急演练 营商环境 政务服务 一网通办 放管服 优化营商环境 招商引资 市场主体 中小企业
		生态环境 污染防治 河长制 林长制 乌江 生态保护 人居环境 整治 厕所革命 垃圾分类 农业农村 产业发展 茶产业
		红薯 生猪 蔬菜 食用菌 农民专业合作社 高标准农田 粮食安全 耕地保护 土地流转 交通运输 公路 农村公路 水利 饮水安全
		文化旅游 石林 乌江画廊 文明城市 新时代文明实践 志愿服务 民族团结 宗教事务 信访 矛盾纠纷 平安建设 扫黑除恶
		禁毒 反诈 法治宣传 普法 依法行政 政府信息公开 政务公开 网站 政务新媒体 数字政府 大数据 5G IPv6 信息化 网络安全
		财政预算 决算 三公经费 审计 统计 人口普查 经济普查 市场监管 食品安全 药品安全 特种设备 价格监督 知识产权
		住房保障 棚户区改造 老旧小区 城市管理 园林绿化 自然资源 国土空间规划 不动产登记 民政 婚姻登记 殡葬改革
		退役军人 双拥 征兵 工会 妇女儿童 青少年 科普 全民健身 档案 保密 机关事务 节能 党风廉政建设 意识形态 机关党建`)
	rare := strings.Fields(`12345热线 河道采砂 古树名木 非物质文化遗产 花灯戏 傩戏 土家族 苗族 仡佬族 梯田 油茶 花椒 中药材 天麻 金银花
		蜂蜜 土鸡 山羊 冷水鱼 光伏 充电桩 电商 直播带货 快递进村 冷链物流 农产品 展销会 易地扶贫搬迁 安置点 后续扶持
		劳务协作 东西部协作 对口帮扶 驻村第一书记 网格员 河湖长 护林员 人民调解 法律援助 公证 社区矫正 校外培训 双减
		课后服务 营养午餐 乡村教师 留守儿童 困境儿童 孤寡老人 适老化改造 长者食堂 医共体 县域医共体 远程医疗 健康档案
		慢病管理 妇幼保健 预防接种 爱国卫生 除四害 病媒生物 秸秆禁烧 大气污染 噪声 尾矿库 危险化学品 烟花爆竹 燃气安全
		电动自行车 自建房 安全排查 防溺水 汛期 山洪 滑坡 泥石流 避险转移 物资储备 应急广播 天网工程 雪亮工程`)
	var out []string
	out = append(out, units...)
	out = append(out, rare...)
	// The long tail: things of places and kinds, each rare, as the
	// thousands of names and terms of a real county's pages are.
	mods := strings.Fields(`农村 城市 社区 校园 企业 基层 乡村 农业 工业 山区 集镇 景区 园区 沿河 库区 边远 少数民族 易地搬迁`)
	things := strings.Fields(`道路 供水 用电 网络 卫生室 广场 公厕 书屋 文化站 养老院 幼儿园 卫生院 党支部 合作社 基地 工厂 市场
		河道 林地 茶园 果园 水库 桥梁 停车场 污水处理厂 垃圾中转站 便民服务中心 综治中心 警务室 调解室 图书室 体育场`)
	for _, t := range things {
		for _, m := range mods {
			out = append(out, m+t)
		}
	}
	for _, u := range units[20:37] {
		for _, t := range things[:12] {
			out = append(out, strings.TrimSuffix(strings.TrimSuffix(u, "镇"), "街道")+t)
		}
	}
	// Numbers and dates, each uncommon.
	for y := 2019; y <= 2026; y++ {
		out = append(out, strconv.Itoa(y)+"年")
	}
	for m := 1; m <= 12; m++ {
		out = append(out, strconv.Itoa(m)+"月")
	}
	out = append(out, docPrefixes...)
	return common, topics, out
}
