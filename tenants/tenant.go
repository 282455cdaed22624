// Package tenants is the registry of the county's sites: the portal and
// its department, township and other sub-sites, the host names mapped to
// them, and the county's standard column template.
package tenants

import (
	"regexp"
	"strings"
	"time"

	"yiwang/core"
)

// Kind groups sites in the directory.
type Kind string

const (
	Portal     Kind = "portal"
	Department Kind = "department"
	Township   Kind = "township"
	Other      Kind = "other"
)

// Kinds in directory order.
var Kinds = []Kind{Portal, Department, Township, Other}

// Label is the Chinese name of the kind.
func (k Kind) Label() string {
	switch k {
	case Portal:
		return "县政府门户"
	case Department:
		return "政府部门"
	case Township:
		return "乡镇（街道）"
	case Other:
		return "其他单位"
	}
	return string(k)
}

func (k Kind) Valid() bool {
	for _, v := range Kinds {
		if k == v {
			return true
		}
	}
	return false
}

// Status of a tenant. An archived tenant keeps its data; its pages answer 410.
type Status string

const (
	Active   Status = "active"
	Archived Status = "archived"
)

// Tenant is one site of the platform.
type Tenant struct {
	ID     int64  `db:"id"`
	Code   string `db:"code"`
	Name   string `db:"name"`
	Kind   Kind   `db:"kind"`
	Status Status `db:"status"`
	Sort   int    `db:"sort"`

	// Footer facts the national specification asks for.
	Sponsor    string `db:"sponsor"`      // 主办单位
	SiteIDCode string `db:"site_id_code"` // 网站标识码
	ICP        string `db:"icp"`          // ICP备案
	PSB        string `db:"psb"`          // 公安备案
	Address    string `db:"address"`
	Phone      string `db:"phone"`
	Email      string `db:"email"`

	// OrgCode is the unit's 统一社会信用代码 or organisation code, stored
	// normalised (NormalizeOrgCode); "" until the county office fills it in.
	OrgCode string `db:"org_code"`

	ThemeColor string `db:"theme_color"`
	LogoURL    string `db:"logo_url"`

	CreatedAt  time.Time  `db:"created_at"`
	UpdatedAt  time.Time  `db:"updated_at"`
	ArchivedAt *time.Time `db:"archived_at"`

	// Domains mapped to the tenant, primary first; filled by the store.
	Domains []string `db:"-"`
}

// IsPortal reports whether t is the county portal.
func (t *Tenant) IsPortal() bool { return t.Kind == Portal }

// PrimaryDomain is the canonical host of the tenant, "" when it is served
// only by path under the portal.
func (t *Tenant) PrimaryDomain() string {
	if len(t.Domains) == 0 {
		return ""
	}
	return t.Domains[0]
}

var (
	codePattern  = regexp.MustCompile(`^[a-z][a-z0-9]{1,19}$`)
	hostPattern  = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	colorPattern = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
)

// reservedCodes would clash with routes under /site/ or with host names.
var reservedCodes = map[string]bool{"www": true, "admin": true, "api": true, "static": true, "site": true, "account": true, "search": true}

// Validate checks the fields a person or a seed file supplies.
func (t *Tenant) Validate() error {
	switch {
	case !codePattern.MatchString(t.Code):
		return core.Errorf(core.EINVALID, "站点代码“%s”无效：须以小写字母开头，由 2–20 位小写字母或数字组成", t.Code)
	case reservedCodes[t.Code]:
		return core.Errorf(core.EINVALID, "站点代码“%s”为系统保留字，请换一个", t.Code)
	case strings.TrimSpace(t.Name) == "":
		return core.Errorf(core.EINVALID, "站点名称不能为空")
	case len([]rune(t.Name)) > 100:
		return core.Errorf(core.EINVALID, "站点名称不能超过 100 个字")
	case !t.Kind.Valid():
		return core.Errorf(core.EINVALID, "站点类型“%s”无效：应为 portal、department、township 或 other", t.Kind)
	case t.ThemeColor != "" && !colorPattern.MatchString(t.ThemeColor):
		return core.Errorf(core.EINVALID, "主题色“%s”无效：应为 #RRGGBB", t.ThemeColor)
	}
	if err := ValidateOrgCode(t.OrgCode); err != nil {
		return err
	}
	for _, d := range t.Domains {
		if err := ValidateHost(d); err != nil {
			return err
		}
	}
	return nil
}

// ValidateHost checks a host name to be mapped to a tenant. No port: the
// same mapping serves whatever port the platform listens on.
func ValidateHost(host string) error {
	if len(host) > 253 || !hostPattern.MatchString(host) {
		return core.Errorf(core.EINVALID, "域名“%s”无效：应为小写域名，不含端口和路径", host)
	}
	return nil
}

// NormalizeHost lowercases a request Host and drops its port and a
// trailing dot, the form in which domains are stored.
func NormalizeHost(host string) string {
	host = strings.ToLower(strings.TrimSpace(host))
	if strings.HasPrefix(host, "[") { // IPv6 literal
		if i := strings.Index(host, "]"); i >= 0 {
			return host[:i+1]
		}
		return host
	}
	if i := strings.LastIndex(host, ":"); i >= 0 {
		host = host[:i]
	}
	return strings.TrimSuffix(host, ".")
}
