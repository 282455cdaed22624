package demo

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"yiwang/core/content"
)

// vars fill the {name} placeholders of a text template.
type vars map[string]string

func (v vars) with(kv ...string) vars {
	out := make(vars, len(v)+len(kv)/2)
	for k, s := range v {
		out[k] = s
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// expand fills a template: {name} is replaced by v[name], {a|b|c} by one
// of its options picked with r (options may nest), {|a} is a or nothing.
// An unknown {name} is left as it is, for the tests to catch.
func expand(r *rand.Rand, s string, v vars) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != '{' {
			b.WriteByte(s[i])
			i++
			continue
		}
		j := closing(s, i)
		if j < 0 {
			b.WriteString(s[i:])
			break
		}
		inner := s[i+1 : j]
		if opts := options(inner); len(opts) > 1 {
			b.WriteString(expand(r, opts[r.IntN(len(opts))], v))
		} else if val, ok := v[inner]; ok {
			b.WriteString(val)
		} else {
			b.WriteString(s[i : j+1])
		}
		i = j + 1
	}
	return b.String()
}

// closing returns the index of the brace that closes the one at i.
func closing(s string, i int) int {
	depth := 0
	for j := i; j < len(s); j++ {
		switch s[j] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}

// options splits s at the bars outside nested braces.
func options(s string) []string {
	var out []string
	depth, start := 0, 0
	for j := 0; j < len(s); j++ {
		switch s[j] {
		case '{':
			depth++
		case '}':
			depth--
		case '|':
			if depth == 0 {
				out = append(out, s[start:j])
				start = j + 1
			}
		}
	}
	return append(out, s[start:])
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// event is a kind of news: a meeting, an inspection, a training … Its
// titles and its lead agree, so that the body tells what the title says.
type event int

const (
	evMeeting event = iota
	evPromote
	evInspect
	evTraining
	evResearch
	evCampaign
	evResult
	numEvents
)

var eventTitles = [numEvents][]string{
	evMeeting:  {"{u}召开{t}工作推进会", "{u}召开{t}工作调度会", "{u}专题研究部署{t}工作", "{u}召开{y}年{t}工作会议"},
	evPromote:  {"{u}扎实推进{t}工作", "{u}多措并举抓好{t}工作", "{u}持续用力推进{t}"},
	evInspect:  {"{u}开展{t}专项督导检查", "{s}对{t}工作开展专项督查"},
	evTraining: {"{u}举办{t}业务培训班", "{s}组织开展{t}专题培训"},
	evResearch: {"{leader}调研{t}工作", "{s}深入{scope}调研{t}工作"},
	evCampaign: {"{u}开展{t}集中宣传活动", "{s}深入{scope}开展{t}宣传"},
	evResult:   {"{u}{t}工作取得阶段性成效", "{u}：{t}工作交出亮眼“成绩单”"},
}

var eventLeads = [numEvents]string{
	evMeeting: "{when}，{u}{召开|组织召开}{t}工作专题会议，{传达学习上级有关会议和文件精神，|}" +
		"{总结前一阶段工作，分析存在的困难和问题，安排部署下一阶段重点任务|听取有关单位工作进展情况汇报，研究解决工作中遇到的困难和问题}。" +
		"{leader}出席会议并讲话，{attend}参加会议。",
	evPromote: "今年以来，{u}{坚持|始终}把{t}作为{一项重要工作|重点工作|一项重点任务}来抓，" +
		"{明确责任分工，细化工作措施|健全工作机制，压实工作责任|强化统筹调度，加强督促检查}，推动各项任务落地见效。",
	evInspect: "{when}，{u}成立{n}个督导组，深入{scope}，对{t}工作开展专项督导检查。" +
		"督导组{采取听取汇报、查阅资料、实地查看相结合的方式|通过随机抽查、实地走访、座谈交流等方式}，全面了解工作推进情况。",
	evTraining: "为进一步提升{干部职工|业务人员}的业务能力和工作水平，{when}，{u}举办{t}业务培训班，{scope}相关工作人员共{m}余人参加培训。",
	evResearch: "{when}，{leader}带队深入{scope}，实地调研{t}工作，" +
		"{详细了解工作推进情况，听取基层干部群众的意见建议|察看现场，了解工作中存在的困难和问题}。",
	evCampaign: "{when}，{u}组织干部职工深入{scope}开展{t}集中宣传活动，" +
		"通过{设置咨询台、发放宣传资料、现场解答群众疑问|悬挂宣传横幅、入户走访、以案说法}等方式，向群众宣传{t}相关政策和知识。",
	evResult: "今年以来，{u}聚焦{goal}，{扎实|持续}推进{t}工作，{各项工作有序推进|取得了阶段性成效}。",
}

// eventMiddles follow the lead: what was said, found or done.
var eventMiddles = [numEvents]string{
	evMeeting:  "会议{指出|强调}，{t}工作事关{concern}，{各单位|各相关部门}要{进一步|切实}提高思想认识，{增强做好工作的责任感和紧迫感|把各项工作抓紧抓实抓细}。{fact}",
	evPromote:  "{fact}{截至目前|目前}，{u}已{累计开展专项行动{n}次，|}组织业务培训{n2}场次，{覆盖干部群众|惠及群众}{k}余人次。",
	evInspect:  "督导中，督导组{共检查单位和点位{m}个，|}对发现的问题现场反馈、当场交办，要求相关责任单位建立问题台账，明确整改时限和责任人，确保问题整改到位。{fact}",
	evTraining: "培训采取{专题讲授、案例分析和交流讨论相结合|集中授课与现场教学相结合}的方式，围绕{t}相关政策法规、业务流程和常见问题进行了系统讲解。{参训人员纷纷表示，此次培训内容丰富、针对性强，将把所学知识运用到实际工作中。|}",
	evResearch: "调研{指出|强调}，{t}工作事关{concern}，要{坚持问题导向，|}{及时研究解决工作中遇到的困难和问题|进一步细化措施，加快工作进度}，确保各项任务落到实处。{fact}",
	evCampaign: "活动共发放宣传资料{k}余份，接受群众咨询{m}人次，{进一步提高了群众的知晓率和参与度|营造了全社会共同关心支持的良好氛围}。{fact}",
	evResult:   "{fact}截至目前，{u}已累计{开展各类活动|组织专项行动}{m}场次，{覆盖|惠及}群众{k}余人次。",
}

var demands = []string{
	"要提高政治站位，切实增强做好{t}工作的责任感和使命感。",
	"要聚焦重点任务，对照目标清单逐项抓好落实，确保按时保质完成。",
	"要强化督促检查，对工作推进不力的及时通报、限期整改。",
	"要加强统筹协调，形成上下联动、部门协同的工作合力。",
	"要注重宣传引导，及时总结推广好经验好做法。",
	"要严守纪律规矩，持续改进工作作风，以实干实绩推动工作落实。",
}

var closings = []string{
	"下一步，{u}将{继续|持续}{坚持问题导向和目标导向|以钉钉子精神}，推动{t}工作{不断取得新成效|落地落实}，为{goal}{作出积极贡献|提供有力保障}。",
	"{s}有关负责人表示，将以此为契机，{进一步|持续}压实责任、强化措施，推动{t}工作{提质增效|再上新台阶}，为{goal}贡献力量。",
}

// whens open a lead; a meeting or a training happens on a day, the
// other events may go on for days.
var whens = [numEvents][]string{
	evMeeting:  {"近日", "日前", "本周"},
	evTraining: {"近日", "日前", "本周"},
	evInspect:  {"近日", "日前", "连日来"},
	evResearch: {"近日", "日前", "本周"},
	evCampaign: {"近日", "日前", "连日来"},
	evPromote:  {"近日"},
	evResult:   {"近日"},
}

// inward topics are the office's own affairs: nothing to campaign about
// among the public, and not about the unit's field of work.
var inward = map[string]bool{"党风廉政建设": true, "机关作风建设": true, "意识形态": true, "依法行政": true, "督查督办": true, "应急值守": true}

// story is one news article to write: what it is about and what kind
// of event it reports. A unit's headlines are stories with their own
// titles; drawn stories take one of the event's titles.
type story struct {
	topic  string
	ev     event
	title  string // when empty, one of the event's titles
	leader string // when set, who leads instead of the unit's leader
	body   string // when set, the whole body, instead of one made from ev
	kw     string // when set, the keywords
}

// news writes one news article.
func news(r *rand.Rand, u *unit, st story) content.Article {
	topic, ev := st.topic, st.ev
	if inward[topic] && ev == evCampaign {
		ev = evMeeting
	}
	v := u.vars().with("t", topic, "when", pick(r, whens[ev]),
		"n", strconv.Itoa(2+r.IntN(5)), "n2", strconv.Itoa(3+r.IntN(8)),
		"m", strconv.Itoa((3+r.IntN(18))*10), "k", strconv.Itoa((5+r.IntN(60))*100))
	if st.leader != "" {
		v["leader"] = st.leader
	}
	facts := u.p.facts
	if inward[topic] {
		facts = genericProfile.facts
		v["concern"] = genericProfile.concern
	}
	v["fact"] = ""
	if len(facts) > 0 {
		v["fact"] = expand(r, pick(r, facts), v)
	}
	title := st.title
	if title == "" {
		title = pick(r, eventTitles[ev])
	}
	title = expand(r, title, v)
	if st.body != "" {
		body := expand(r, st.body, v)
		return content.Article{
			Title: title, Summary: firstSentence(content.PlainText(body)), Body: body,
			Source: u.name, Author: pick(r, u.authors), Keywords: st.kw,
		}
	}
	lead := expand(r, eventLeads[ev], v)
	middle := expand(r, eventMiddles[ev], v)
	end := expand(r, pick(r, closings), v)

	var parts []string
	parts = append(parts, para(lead), para(middle))
	switch r.IntN(3) {
	case 0:
		// Three of the demands, in order, as a list.
		idx := r.Perm(len(demands))[:3]
		slices.Sort(idx)
		var lis strings.Builder
		for _, i := range idx {
			lis.WriteString("<li>" + expand(r, demands[i], v) + "</li>")
		}
		label := "会议要求："
		if ev != evMeeting {
			label = "{s}要求："
		}
		parts = append(parts, para(expand(r, label, v))+"<ul>"+lis.String()+"</ul>")
	case 1:
		parts = append(parts, "<h3>下一步工作</h3>")
	}
	parts = append(parts, para(end))
	body := fit(parts, v, r)
	a := content.Article{
		Title:    title,
		Summary:  firstSentence(lead),
		Body:     body,
		Source:   u.name,
		Author:   pick(r, u.authors),
		Keywords: keywords(topic, u.p.field, u.short),
	}
	if st.kw != "" {
		a.Keywords = st.kw
	}
	return a
}

// fit keeps a body between 200 and 600 characters of text: it drops the
// blocks before the closing paragraph (the optional list first) when too
// long and adds a paragraph when too short.
func fit(parts []string, v vars, r *rand.Rand) string {
	body := strings.Join(parts, "")
	for textLen(body) > 600 && len(parts) > 2 {
		parts = append(parts[:len(parts)-2], parts[len(parts)-1])
		body = strings.Join(parts, "")
	}
	if textLen(body) < 200 {
		last := len(parts) - 1
		parts = append(parts[:last], para(expand(r, "{u}将{坚持以人民为中心的发展思想|认真贯彻落实上级决策部署}，{立足职能职责，|}扎实做好{t}各项工作，不断增强人民群众的获得感、幸福感和安全感。", v)), parts[last])
		body = strings.Join(parts, "")
	}
	return body
}

func para(s string) string { return "<p>" + s + "</p>" }

func textLen(html string) int { return utf8.RuneCountInString(content.PlainText(html)) }

func firstSentence(s string) string {
	if i := strings.Index(s, "。"); i >= 0 {
		s = s[:i+len("。")]
	}
	if rs := []rune(s); len(rs) > 150 {
		s = string(rs[:149]) + "…"
	}
	return s
}

// keywords joins up to three distinct words, without the quote marks and
// commas a topic may carry.
func keywords(ws ...string) string {
	var out []string
	seen := map[string]bool{}
	for _, w := range ws {
		w = strings.NewReplacer("“", "", "”", "", ",", "", "，", "").Replace(w)
		if w == "" || seen[w] || len(out) == 3 {
			continue
		}
		seen[w] = true
		out = append(out, w)
	}
	return strings.Join(out, ",")
}

// notice writes an article for 通知公告 about subject.
func notice(r *rand.Rand, u *unit, subject string) content.Article {
	v := u.vars().with("n", expand(r, subject, u.vars()))
	title := expand(r, pick(r, []string{"{name}关于开展{n}工作的通知", "{name}关于做好{n}工作的通知"}), v)
	body := para("{recip}：") +
		para("为{进一步|}{goal}，根据上级有关工作要求，经研究，决定{开展|做好}{n}工作。现将有关事项通知如下：") +
		"<ul><li>一、时间安排：自本通知印发之日起至{y}年12月31日。</li>" +
		"<li>二、工作内容：按照“{谁主管、谁负责|属地管理、分级负责}”的原则，{全面摸清底数，建立工作台账|认真组织实施，加强跟踪问效}，确保{n}工作{规范有序开展|取得实效}。</li>" +
		"<li>三、工作要求：各单位要高度重视，明确专人负责，{于每月25日前|按时}报送工作进展情况。</li></ul>" +
		para("联系单位：{office}；联系电话：{phone}。") + para("{name}")
	body = expand(r, body, v)
	return content.Article{
		Title:    title,
		Summary:  expand(r, "{name}就{n}工作作出安排，明确了时间安排、工作内容和工作要求。", v),
		Body:     body,
		Source:   u.name,
		Author:   u.office,
		Keywords: keywords(u.p.field, "通知", u.short),
	}
}

// consultation writes a 公告 asking the public about a draft policy.
func consultation(r *rand.Rand, u *unit, policy string) content.Article {
	v := u.vars().with("p", expand(r, policy, u.vars()))
	contact := "<li>电话：{phone}</li>"
	if u.t.Email != "" {
		contact += "<li>电子邮件：{email}</li>"
	}
	body := para("为{goal}，{name}起草了《{p}（征求意见稿）》，现向社会公开征求意见。") +
		para("征求意见稿分为总体要求、重点任务和保障措施等部分，明确了今后一个时期的目标任务和具体举措。公众可在本公告发布之日起30日内，通过以下方式提出意见建议：") +
		"<ul>" + contact + "<li>信函：{address}，{office}收</li></ul>" +
		para("来信来函请注明“意见征集”字样。欢迎社会各界积极建言献策。") + para("{name}")
	return content.Article{
		Title:    expand(r, "{name}关于公开征求《{p}（征求意见稿）》意见的公告", v),
		Summary:  expand(r, "{name}就《{p}（征求意见稿）》公开征求社会意见，时间为30日。", v),
		Body:     expand(r, body, v),
		Source:   u.name,
		Author:   u.office,
		Keywords: keywords("意见征集", u.p.field, u.short),
	}
}

// policyDoc writes a 政策文件: the notice that issues policy, under the
// document number abbr〔year〕no.
func policyDoc(r *rand.Rand, u *unit, policy, abbr string, no int) content.Article {
	name := expand(r, policy, u.vars())
	v := u.vars().with("p", name, "no", abbr+"〔"+year+"〕"+strconv.Itoa(no)+"号", "kind", docKind(name))
	body := para("{recip}：") +
		para("现将《{p}》印发给你们，请结合实际，认真抓好贯彻落实。") +
		para("{name}") +
		"<h3>{p}</h3>" +
		para("为{goal}，根据上级有关文件精神，结合我县实际，制定本{kind}。") +
		"<ul><li>总体目标：到{y}年底，{field}领域{工作机制进一步健全|重点任务全面完成}，群众满意度明显提升。</li>" +
		"<li>主要任务：{聚焦重点领域和关键环节，|}细化工作措施，明确责任单位和完成时限。</li>" +
		"<li>保障措施：加强组织领导，强化要素保障，严格督促考核。</li></ul>" +
		para("本{kind}自印发之日起施行，由{name}负责解释。")
	return content.Article{
		Title:    expand(r, "{name}关于印发《{p}》的通知（{no}）", v),
		Summary:  expand(r, "{name}印发《{p}》（{no}），明确了总体目标、主要任务和保障措施。", v),
		Body:     expand(r, body, v),
		Source:   u.name,
		Author:   u.office,
		Keywords: keywords("政策文件", u.p.field, u.short),
	}
}

// reading writes the 政策解读 of policy.
func reading(r *rand.Rand, u *unit, policy string) content.Article {
	v := u.vars().with("p", expand(r, policy, u.vars()))
	body := para("<strong>一、起草背景</strong>为{goal}，进一步规范和推进{field}相关工作，{name}结合工作实际，起草了《{p}》。") +
		para("<strong>二、主要内容</strong>《{p}》明确了工作目标、主要任务和保障措施，{对职责分工、工作流程和监督考核作出了具体规定|提出了分阶段推进的时间表和路线图}。") +
		para("<strong>三、适用范围</strong>本文件适用于{scope}及有关单位开展{field}相关工作，自印发之日起施行。执行中遇到的问题，请及时向{name}反映。") +
		para("<strong>四、解读机关及联系方式</strong>解读机关：{name}；联系电话：{phone}。")
	return content.Article{
		Title:    expand(r, "《{p}》政策解读", v),
		Summary:  expand(r, "从起草背景、主要内容和适用范围等方面解读《{p}》。", v),
		Body:     expand(r, body, v),
		Source:   u.name,
		Author:   u.office,
		Keywords: keywords("政策解读", u.p.field, u.short),
	}
}

// guide writes the 政府信息公开指南 of the unit.
func guide(r *rand.Rand, u *unit) content.Article {
	v := u.vars().with("superv", u.superv)
	basis := "根据《中华人民共和国政府信息公开条例》（以下简称《条例》）"
	remedy := "可以向{superv}投诉、举报，也可以依法申请行政复议或者提起行政诉讼。"
	if !u.admin {
		basis = "参照《中华人民共和国政府信息公开条例》（以下简称《条例》）"
		remedy = "可以向{superv}反映。"
	}
	subject := "{name}是本单位政府信息公开的主体，{office}负责政府信息公开日常工作。"
	if u.t.IsPortal() {
		subject = "思南县人民政府是本级政府信息公开的主体，县政府办公室是县政府信息公开工作机构，负责日常工作。"
	}
	body := para("为更好地提供政府信息公开服务，"+basis+"，结合{name}工作实际，编制本指南。") +
		para("<strong>一、公开主体</strong>"+subject+"办公地址：{address}；联系电话：{phone}。") +
		para("<strong>二、公开方式</strong>主动公开的政府信息，通过本网站“政府信息公开”栏目和思南县人民政府门户网站发布，自信息形成或变更之日起20个工作日内予以公开。") +
		para("<strong>三、依申请公开</strong>公民、法人或者其他组织可以当面、信函或网上申请获取政府信息。能够当场答复的，当场答复；不能当场答复的，自收到申请之日起20个工作日内答复；需要延长答复期限的，经政府信息公开工作机构负责人同意并告知申请人，延长期限最长不超过20个工作日。") +
		para("<strong>四、监督方式</strong>公民、法人或者其他组织认为{name}在政府信息公开工作中侵犯其合法权益的，"+remedy)
	return content.Article{
		Title:    expand(r, "{name}政府信息公开指南", v),
		Summary:  expand(r, "介绍{name}政府信息公开的主体、方式、依申请公开程序和监督方式。", v),
		Body:     expand(r, body, v),
		Source:   u.name,
		Author:   u.office,
		Keywords: "政府信息公开,信息公开指南,依申请公开",
	}
}

// interaction writes the 互动交流 page of the unit.
func interaction(r *rand.Rand, u *unit) content.Article {
	v := u.vars()
	var contact []string
	if u.t.Phone != "" {
		contact = append(contact, "联系电话：{phone}")
	}
	if u.t.Email != "" {
		contact = append(contact, "电子邮箱：{email}")
	}
	if u.t.Address != "" {
		contact = append(contact, "通信地址：{address}")
	}
	contactPara := para("您也可以直接与{office}联系。" + strings.Join(contact, "；") + "。")
	if len(contact) == 0 {
		contactPara = para("您也可以通过思南县人民政府门户网站与我们联系。")
	}
	interview := "不定期邀请{s}负责同志做客在线访谈，解读政策、回应关切，访谈前可在线提问。"
	if u.t.IsPortal() {
		interview = "不定期邀请县政府领导和部门负责同志做客在线访谈，解读政策、回应关切，访谈前可在线提问。"
	}
	body := para("为畅通政民互动渠道，{name}依托本网站和思南县人民政府门户网站开设互动交流栏目，欢迎社会各界对{field}工作提出意见和建议。") +
		"<ul><li>县长信箱：通过思南县人民政府门户网站“县长信箱”提交咨询、建议和投诉，承办单位在规定时限内办理答复。</li>" +
		"<li>在线访谈：" + interview + "</li>" +
		"<li>意见征集：涉及群众切身利益的政策文件，出台前通过本网站公开征求意见，并反馈采纳情况。</li></ul>" +
		contactPara +
		para("来信请写明姓名、联系方式和具体事项；涉及个人隐私的内容请勿在公开栏目中填写。")
	return content.Article{
		Title:    expand(r, "{name}互动交流指南", v),
		Summary:  expand(r, "{name}通过县长信箱、在线访谈和意见征集等渠道与公众互动交流。", v),
		Body:     expand(r, body, v),
		Source:   u.name,
		Author:   u.office,
		Keywords: "互动交流,县长信箱,在线访谈",
	}
}

// docKind is what a document calls itself: 方案, 办法, 预案 …, the last
// two characters of its name.
func docKind(name string) string {
	rs := []rune(strings.TrimSuffix(name, "（试行）"))
	if len(rs) < 2 {
		return "文件"
	}
	return string(rs[len(rs)-2:])
}
