package tenants

import (
	"strings"

	"yiwang/core"
)

// creditCharset is the alphabet of the 统一社会信用代码 (GB 32100-2015):
// digits and the capitals without I, O, S, V, Z, each worth its index.
const creditCharset = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// creditWeights weigh the first 17 characters of a credit code.
var creditWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// orgWeights weigh the first 8 characters of an organisation code.
var orgWeights = [8]int{3, 7, 9, 10, 5, 8, 4, 2}

// NormalizeOrgCode is the stored form of a code a person typed: trimmed,
// capitals, and without the hyphen organisation codes are often printed
// with (12345678-9).
func NormalizeOrgCode(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) == 10 && s[8] == '-' {
		s = s[:8] + s[9:]
	}
	return s
}

// CreditCheckChar is the check character of the first 17 characters of a
// 统一社会信用代码, or 0 when one of them is outside the charset.
func CreditCheckChar(body string) byte {
	if len(body) != 17 {
		return 0
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(creditCharset, body[i])
		if v < 0 {
			return 0
		}
		sum += v * creditWeights[i]
	}
	return creditCharset[(31-sum%31)%31]
}

// OrgCheckChar is the check character of the first 8 characters of an
// organisation code (digits or capitals, a capital worth 10 + its place
// in the alphabet), or 0 when one of them is neither.
func OrgCheckChar(body string) byte {
	if len(body) != 8 {
		return 0
	}
	sum := 0
	for i := 0; i < 8; i++ {
		c := body[i]
		var v int
		switch {
		case c >= '0' && c <= '9':
			v = int(c - '0')
		case c >= 'A' && c <= 'Z':
			v = int(c-'A') + 10
		default:
			return 0
		}
		sum += v * orgWeights[i]
	}
	switch c := 11 - sum%11; c {
	case 10:
		return 'X'
	case 11:
		return '0'
	default:
		return byte('0' + c)
	}
}

// ValidateOrgCode accepts "" (not filled in yet), an 18-character
// 统一社会信用代码 or a 9-character organisation code whose check
// character is right. The message says which rule the code breaks, so a
// typo is found before the code is printed in every 索引号.
func ValidateOrgCode(code string) error {
	switch len(code) {
	case 0:
		return nil
	case 18:
		want := CreditCheckChar(code[:17])
		if want == 0 || strings.IndexByte(creditCharset, code[17]) < 0 {
			return core.Errorf(core.EINVALID, "统一社会信用代码“%s”含有无效字符：只能由数字和除 I、O、S、V、Z 以外的大写字母组成", code)
		}
		if code[17] != want {
			return core.Errorf(core.EINVALID, "统一社会信用代码“%s”的校验码不对（按前 17 位应为 %c），请核对是否抄错", code, want)
		}
		return nil
	case 9:
		want := OrgCheckChar(code[:8])
		if want == 0 {
			return core.Errorf(core.EINVALID, "组织机构代码“%s”含有无效字符：前 8 位只能是数字或大写字母", code)
		}
		if code[8] != want {
			return core.Errorf(core.EINVALID, "组织机构代码“%s”的校验码不对（按前 8 位应为 %c），请核对是否抄错", code, want)
		}
		return nil
	}
	return core.Errorf(core.EINVALID, "统一社会信用代码“%s”无效：应为 18 位统一社会信用代码，或尚未换发的单位填 9 位组织机构代码", code)
}
