package disclosure

// The module's fixed vocabularies, shared by the rooms: what a request
// is and how it ends (the Regulations on Open Government Information,
// arts. 27–36), in the order and the words of the national annual report
// format (国办公开办函〔2021〕30号), whose matrix counts by them.

// Applicant kinds: the matrix's columns.
const (
	ApplicantPerson         = "person"          // 自然人
	ApplicantBusiness       = "business"        // 商业企业
	ApplicantResearch       = "research"        // 科研机构
	ApplicantPublicInterest = "public_interest" // 社会公益组织
	ApplicantLegalServices  = "legal_services"  // 法律服务机构
	ApplicantOther          = "other"           // 其他
)

// Term is a code with its Chinese name.
type Term struct{ Code, Label string }

// ApplicantKinds in the matrix's order: the natural person, then the five
// kinds of 法人或其他组织.
var ApplicantKinds = []Term{
	{ApplicantPerson, "自然人"},
	{ApplicantBusiness, "商业企业"},
	{ApplicantResearch, "科研机构"},
	{ApplicantPublicInterest, "社会公益组织"},
	{ApplicantLegalServices, "法律服务机构"},
	{ApplicantOther, "其他"},
}

// Request statuses.
const (
	StatusReceived   = "received"   // 办理中: the clock runs
	StatusCorrection = "correction" // 待补正: the clock stops until the applicant answers
	StatusConsulting = "consulting" // 征求意见中: third parties consulted, the days do not count
	StatusAnswered   = "answered"   // 已答复: decided with an outcome
	StatusWithdrawn  = "withdrawn"  // 已撤回: the applicant withdrew
)

// Outcomes (办理结果) of a request.
const (
	OutcomeDisclose   = "disclose"   // 予以公开
	OutcomePartial    = "partial"    // 部分公开
	OutcomeWithhold   = "withhold"   // 不予公开
	OutcomeUnable     = "unable"     // 无法提供
	OutcomeNotHandled = "nothandled" // 不予处理
	OutcomeOther      = "other"      // 其他处理
)

// Outcome is an outcome with its grounds; an outcome that has grounds
// needs one.
type Outcome struct {
	Term
	Grounds []Term
}

// Outcomes in the report's order.
var Outcomes = []Outcome{
	{Term{OutcomeDisclose, "予以公开"}, nil},
	{Term{OutcomePartial, "部分公开"}, nil},
	{Term{OutcomeWithhold, "不予公开"}, []Term{
		{"state_secret", "属于国家秘密"},
		{"law_forbids", "其他法律行政法规禁止公开"},
		{"three_safety", "危及“三安全一稳定”"},
		{"third_party", "保护第三方合法权益"},
		{"internal_affairs", "属于三类内部事务信息"},
		{"process_info", "属于四类过程性信息"},
		{"enforcement_file", "属于行政执法案卷"},
		{"inquiry_matter", "属于行政查询事项"},
	}},
	{Term{OutcomeUnable, "无法提供"}, []Term{
		{"not_held", "本机关不掌握相关政府信息"},
		{"must_create", "没有现成信息需要另行制作"},
		{"still_unclear", "补正后申请内容仍不明确"},
	}},
	{Term{OutcomeNotHandled, "不予处理"}, []Term{
		{"petition", "信访举报投诉类申请"},
		{"repeated", "重复申请"},
		{"publication", "要求提供公开出版物"},
		{"excessive", "无正当理由大量反复申请"},
		{"confirm", "要求行政机关确认或重新出具已获取信息"},
	}},
	{Term{OutcomeOther, "其他处理"}, []Term{
		{GroundCorrectionLapsed, "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"},
		{"fee_unpaid", "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"},
		{"other", "其他"},
	}},
}

// GroundCorrectionLapsed is how a request whose correction was not
// answered in time ends (art. 30: 视为放弃申请).
const GroundCorrectionLapsed = "correction_lapsed"

// OutcomeOf finds an outcome by code.
func OutcomeOf(code string) (Outcome, bool) {
	for _, o := range Outcomes {
		if o.Code == code {
			return o, true
		}
	}
	return Outcome{}, false
}

// ValidDecision reports whether outcome and ground go together: an
// outcome with grounds needs one of its own, one without takes none.
func ValidDecision(outcome, ground string) bool {
	o, ok := OutcomeOf(outcome)
	if !ok {
		return false
	}
	if len(o.Grounds) == 0 {
		return ground == ""
	}
	for _, g := range o.Grounds {
		if g.Code == ground {
			return true
		}
	}
	return false
}

// Validity of a catalogue item (有效性).
const (
	ValidityValid    = "valid"    // 有效
	ValidityAmended  = "amended"  // 已修改
	ValidityRepealed = "repealed" // 已废止
)

// Genres (体裁分类) the annual report counts in its section 二; others are
// free text.
const (
	GenreRegulation = "规章"
	GenreNormative  = "行政规范性文件"
)
