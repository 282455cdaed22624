package tenants_test

import (
	"context"
	"strings"
	"testing"

	"yiwang/core"
	"yiwang/core/store"
	"yiwang/core/store/storetest"
	"yiwang/tenants"
)

// Codes are made up in the test by the standards' algorithms, never
// copied from a real body.

const creditCharset = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// creditCode completes 17 characters with the check character computed
// here independently of the package: C18 = 31 - (Σ Ci·Wi mod 31).
func creditCode(body string) string {
	w := []int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
	sum := 0
	for i := range body {
		sum += strings.IndexByte(creditCharset, body[i]) * w[i]
	}
	c := 31 - sum%31
	if c == 31 {
		c = 0
	}
	return body + string(creditCharset[c])
}

// orgCode completes 8 characters: C9 = 11 - (Σ Ci·Wi mod 11), 10 is X
// and 11 is 0.
func orgCode(body string) string {
	w := []int{3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := range body {
		v := int(body[i] - '0')
		if body[i] >= 'A' {
			v = int(body[i]-'A') + 10
		}
		sum += v * w[i]
	}
	switch c := 11 - sum%11; c {
	case 10:
		return body + "X"
	case 11:
		return body + "0"
	default:
		return body + string(rune('0'+c))
	}
}

// wrongLast replaces the last character with another valid one.
func wrongLast(code, charset string) string {
	last := code[len(code)-1]
	for i := 0; i < len(charset); i++ {
		if charset[i] != last {
			return code[:len(code)-1] + string(charset[i])
		}
	}
	panic("charset of one")
}

// findOrgBody returns an 8-digit body whose check character is want, so
// that the X and 0 cases are covered whatever digits they need.
func findOrgBody(t *testing.T, want byte) string {
	for n := 10000000; n < 10010000; n++ {
		b := itoa8(n)
		if c := orgCode(b); c[8] == want {
			return b
		}
	}
	t.Fatalf("no body with check %c", want)
	return ""
}

func itoa8(n int) string {
	b := make([]byte, 8)
	for i := 7; i >= 0; i-- {
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b)
}

func TestValidateOrgCode(t *testing.T) {
	credit := creditCode("1152242700" + "9A1B2C3")
	creditLetters := creditCode("91520624MA6DKXR8U")
	org := orgCode("70123456")
	orgLetters := orgCode("MA6DKXR8")
	orgX := orgCode(findOrgBody(t, 'X'))
	org0 := orgCode(findOrgBody(t, '0'))
	tests := []struct {
		name, code string
		ok         bool
		msg        string // a part of the refusal
	}{
		{"empty: not filled in yet", "", true, ""},
		{"credit code", credit, true, ""},
		{"credit code with letters", creditLetters, true, ""},
		{"organisation code", org, true, ""},
		{"organisation code with letters", orgLetters, true, ""},
		{"organisation code checked X", orgX, true, ""},
		{"organisation code checked 0", org0, true, ""},
		{"credit code, wrong check", wrongLast(credit, creditCharset), false, "校验码不对"},
		{"credit code, letter I", "I" + credit[1:], false, "无效字符"},
		{"credit code, letter O as check", credit[:17] + "O", false, "无效字符"},
		{"credit code, lower case", strings.ToLower(creditLetters), false, "无效字符"},
		{"organisation code, wrong check", wrongLast(org, "0123456789X"), false, "校验码不对"},
		{"organisation code, symbol", "7012345#" + org[8:], false, "无效字符"},
		{"too short", credit[:17], false, "应为 18 位"},
		{"too long", credit + "1", false, "应为 18 位"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tenants.ValidateOrgCode(tc.code)
			if tc.ok {
				if err != nil {
					t.Fatalf("ValidateOrgCode(%q) = %v, want nil", tc.code, err)
				}
				return
			}
			wantCode(t, err, core.EINVALID)
			if m := core.ErrorMessage(err); !strings.Contains(m, tc.msg) || !strings.Contains(m, tc.code) {
				t.Errorf("message %q should contain %q and quote the code", m, tc.msg)
			}
		})
	}
}

func TestCheckCharsAgreeWithTheStandards(t *testing.T) {
	// Every body of a run of bodies: the package and the test's own
	// reading of the standards compute the same check character.
	for n := 0; n < 2000; n++ {
		b := itoa8(n * 4999)
		if got, want := tenants.OrgCheckChar(b), orgCode(b)[8]; got != want {
			t.Fatalf("OrgCheckChar(%s) = %c, want %c", b, got, want)
		}
		cb := "9152" + b + "A0B1C"
		if got, want := tenants.CreditCheckChar(cb), creditCode(cb)[17]; got != want {
			t.Fatalf("CreditCheckChar(%s) = %c, want %c", cb, got, want)
		}
	}
}

func TestNormalizeOrgCode(t *testing.T) {
	for in, want := range map[string]string{
		" 91520624ma6dkxr8u1 ": "91520624MA6DKXR8U1",
		"70123456-1":           "701234561",
		"":                     "",
	} {
		if got := tenants.NormalizeOrgCode(in); got != want {
			t.Errorf("NormalizeOrgCode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOrgCodeIsStoredValidatedAndAudited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := tenants.NewStore(db)
		jyj := newTenant("jyj", "思南县教育局")
		must(t, s.Create(ctx, "user:1", jyj))

		code := creditCode("11522427009876543")
		jyj.OrgCode = code
		must(t, s.Update(ctx, "user:1", jyj))
		got, err := s.ByCode(ctx, "jyj")
		must(t, err)
		if got.OrgCode != code {
			t.Errorf("stored org code = %q, want %q", got.OrgCode, code)
		}
		es := auditEntries(t, db, "tenant.update")
		if len(es) != 1 || !strings.Contains(es[0].Detail, code) {
			t.Errorf("tenant.update audit = %+v, want the new code in the detail", es)
		}

		got.OrgCode = wrongLast(code, creditCharset)
		wantCode(t, s.Update(ctx, "user:1", got), core.EINVALID)
		again, err := s.ByCode(ctx, "jyj")
		must(t, err)
		if again.OrgCode != code {
			t.Errorf("a refused code was written: %q", again.OrgCode)
		}
	})
}

func TestSeedOrgCodeColumn(t *testing.T) {
	code := creditCode("12522427MB1234567")
	old12 := strings.Join(tenants.SeedColumns[:12], "\t")
	row12 := func(c, n string) string { r := row(c, n, "department", "", ""); return r[:strings.LastIndex(r, "\t")] }

	t.Run("13 columns with a code", func(t *testing.T) {
		ts := parse(t, seedFile(header, row("jyj", "思南县教育局", "department", "", "")+strings.ToLower(code)))
		if ts[0].OrgCode != code {
			t.Errorf("org code = %q, want %q (normalised)", ts[0].OrgCode, code)
		}
	})
	t.Run("old 12-column file", func(t *testing.T) {
		ts := parse(t, seedFile(old12, row12("jyj", "思南县教育局"), row12("rsj", "思南县人社局")))
		if len(ts) != 2 || ts[0].OrgCode != "" || ts[1].Name != "思南县人社局" {
			t.Errorf("parsed %+v", ts)
		}
	})
	t.Run("12-column row under a 13-column header", func(t *testing.T) {
		_, err := tenants.ParseSeed(strings.NewReader(seedFile(header, row12("jyj", "思南县教育局"))))
		if err == nil || !strings.Contains(err.Error(), "第 2 行") {
			t.Errorf("err = %v, want line 2 refused", err)
		}
	})
	t.Run("bad code names line and field", func(t *testing.T) {
		_, err := tenants.ParseSeed(strings.NewReader(seedFile(header, row("jyj", "思南县教育局", "department", "", "")+wrongLast(code, creditCharset))))
		if err == nil || !strings.Contains(err.Error(), "第 2 行，字段 org_code") {
			t.Errorf("err = %v, want line 2, field org_code", err)
		}
	})
	t.Run("reference seed leaves every code empty", func(t *testing.T) {
		for _, x := range reference(t) {
			if x.OrgCode != "" {
				t.Errorf("%s carries org code %q: real codes must come from the county office", x.Code, x.OrgCode)
			}
		}
	})
}

func TestImportKeepsAnOrgCodeTheSeedLeavesEmpty(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := tenants.NewStore(db)
		_, err := s.Import(ctx, "cli", parse(t, seedFile(header, row("jyj", "思南县教育局", "department", "", ""))))
		must(t, err)
		jyj, err := s.ByCode(ctx, "jyj")
		must(t, err)
		code := orgCode("MB123456")
		jyj.OrgCode = code
		must(t, s.Update(ctx, "console", jyj))

		res, err := s.Import(ctx, "cli", parse(t, seedFile(header, row("jyj", "思南县教育局", "department", "", ""))))
		must(t, err)
		got, err := s.ByCode(ctx, "jyj")
		must(t, err)
		if got.OrgCode != code || res.Unchanged != 1 {
			t.Errorf("after re-import: org code %q (want %q kept), result %+v", got.OrgCode, code, res)
		}

		other := creditCode("11522427009876543")
		res, err = s.Import(ctx, "cli", parse(t, seedFile(header, row("jyj", "思南县教育局", "department", "", "")+other)))
		must(t, err)
		got, err = s.ByCode(ctx, "jyj")
		must(t, err)
		if got.OrgCode != other || res.Updated != 1 {
			t.Errorf("a seed's code: stored %q, want %q; result %+v", got.OrgCode, other, res)
		}
	})
}
