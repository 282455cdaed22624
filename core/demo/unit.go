package demo

import (
	"hash/fnv"
	"math/rand/v2"
	"strings"

	"yiwang/tenants"
)

// year is the year the demo text speaks of. It is fixed, not read from
// the clock, so that a tenant gets the same text on every run and search
// tests can look for "2026年".
const year = "2026"

// county is the county every unit belongs to.
const county = "思南县"

// unit is a tenant as the demo text names it.
type unit struct {
	t       *tenants.Tenant
	p       *profile
	news    string // subject of a news sentence: 思南县教育局, 塘头镇, 思南县
	name    string // formal name, for notices, signatures and guides
	short   string // 县教育局, 塘头镇, 县政府
	office  string // who writes its news: 县教育局办公室, 塘头镇党政办
	leader  string // who leads a meeting or an inspection, never a named person
	attend  string // who attends its meetings
	scope   string // where its staff go: 各乡镇（街道）, 各村（社区）
	recip   string // whom its notices address
	abbr    string // document-number prefix: 思教发
	admin   bool   // an administrative organ, bound by the 政府信息公开条例
	superv  string // where a complaint about its disclosure goes
	authors []string
}

// newRand gives each tenant (and each use, through salt) its own stream,
// the same on every run.
func newRand(code, salt string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(code))
	h.Write([]byte{0})
	h.Write([]byte(salt))
	s := h.Sum64()
	return rand.New(rand.NewPCG(s, s^0x9e3779b97f4a7c15))
}

func newUnit(t *tenants.Tenant) *unit {
	u := &unit{t: t, name: t.Name, admin: true, superv: "思南县人民政府办公室（县政府信息公开工作主管部门）"}
	switch t.Kind {
	case tenants.Portal:
		u.p = portalProfile
		u.news, u.short, u.office = county, "县政府", "县政府办公室"
		u.leader, u.attend = "县政府主要负责同志", "各乡镇（街道）、县直有关部门主要负责同志"
		u.scope, u.recip = "各乡镇（街道）", "各乡镇人民政府、街道办事处，县政府各部门、各直属机构"
		u.abbr = "思府办发"
		u.superv = "铜仁市人民政府办公室（市政府信息公开工作主管部门）"
		u.authors = []string{"县政府办公室", "县政府办公室", "县融媒体中心"}
	case tenants.Township:
		place := strings.TrimSuffix(strings.TrimSuffix(t.Name, "人民政府"), "办事处")
		// party follows the place name: 塘头镇党委, 思唐街道党工委.
		level, party, staff := "镇", "党委", "镇直各单位"
		switch {
		case strings.HasSuffix(place, "街道"):
			level, party, staff = "街道", "党工委", "街道各科室"
		case strings.HasSuffix(place, "乡"):
			level, party, staff = "乡", "党委", "乡直各单位"
		}
		u.p = townProfile(place, party, newRand(t.Code, "profile"))
		u.news, u.short, u.office = place, place, place+"党政办"
		u.leader = place + party + "主要负责同志"
		u.attend = level + "领导班子成员、各村（社区）党组织书记"
		u.scope, u.recip = "各村（社区）", "各村（社区），"+staff
		stem := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(place, "街道"), "镇"), "乡")
		if level == "街道" {
			u.abbr = stem + "街办发"
		} else {
			u.abbr = stem + "府发"
		}
		u.authors = []string{u.office, place + "通讯员"}
	default:
		u.p = profiles[t.Code]
		if u.p == nil {
			u.p = genericProfile
		}
		u.news = t.Name
		u.short = u.p.short
		if u.short == "" {
			u.short = "县" + strings.TrimPrefix(t.Name, county)
		}
		u.office = u.short + "办公室"
		if strings.HasSuffix(u.short, "办") {
			u.office = u.short + "综合股"
		}
		u.leader = u.short + "主要负责同志"
		u.attend = "班子成员及各股室、下属单位负责人"
		u.scope, u.recip = "各乡镇（街道）", "各乡镇（街道），县直有关部门"
		u.abbr = u.p.abbr
		if u.abbr == "" {
			rs := []rune(strings.TrimPrefix(t.Name, county))
			u.abbr = "思" + string(rs[:min(1, len(rs))]) + "发"
		}
		if t.Kind == tenants.Other {
			// Courts, the people's congress and mass organizations are
			// not administrative organs: they publish by analogy to the
			// regulations, and complaints go to themselves or above.
			u.admin = false
			u.superv = t.Name + "或其上级机关"
			u.attend = "班子成员及各部门负责人"
			u.recip = "各部门"
		}
		u.authors = []string{u.office, u.short + "通讯员"}
	}
	return u
}

// vars are the placeholders every text of the unit can use.
func (u *unit) vars() vars {
	phone, email, addr := u.t.Phone, u.t.Email, u.t.Address
	if phone == "" {
		phone = "详见思南县人民政府门户网站"
	}
	if addr == "" {
		addr = county + "城区"
	}
	return vars{
		"u": u.news, "name": u.name, "s": u.short, "y": year, "office": u.office,
		"leader": u.leader, "attend": u.attend, "scope": u.scope, "recip": u.recip,
		"goal": u.p.goal, "concern": u.p.concern, "field": u.p.field,
		"phone": phone, "email": email, "address": addr,
	}
}
