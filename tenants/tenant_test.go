package tenants_test

import (
	"strings"
	"testing"

	"yiwang/core"
	"yiwang/tenants"
)

func TestNormalizeHost(t *testing.T) {
	tests := []struct{ in, want string }{
		{"JYJ.LocalHost:8080", "jyj.localhost"},
		{"[::1]:8080", "[::1]"},
		{"[::1]", "[::1]"},
		{"[2001:DB8::1]:443", "[2001:db8::1]"},
		{"example.gov.cn.", "example.gov.cn"},
		{"example.gov.cn.:443", "example.gov.cn"},
		{"  www.Sinan.gov.cn  ", "www.sinan.gov.cn"},
		{"127.0.0.1:8080", "127.0.0.1"},
		{"localhost", "localhost"},
		{"", ""},
	}
	for _, tc := range tests {
		if got := tenants.NormalizeHost(tc.in); got != tc.want {
			t.Errorf("NormalizeHost(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestValidateHost(t *testing.T) {
	tests := []struct {
		host string
		ok   bool
	}{
		{"jyj.sinan.gov.cn", true},
		{"jyj.localhost", true},
		{"localhost", true},
		{"x-1.example.cn", true},
		{"127.0.0.1", true},
		{"", false},
		{"JYJ.sinan.gov.cn", false},
		{"jyj.sinan.gov.cn:8080", false},
		{"sinan.gov.cn/jyj", false},
		{"http://sinan.gov.cn", false},
		{"sinan.gov.cn.", false},
		{".sinan.gov.cn", false},
		{"sinan..gov.cn", false},
		{"-jyj.sinan.gov.cn", false},
		{"jyj-.sinan.gov.cn", false},
		{"jyj_1.sinan.gov.cn", false},
		{"[::1]", false},
		{"思南.gov.cn", false},
		{strings.Repeat("a", 64) + ".cn", false},
		{strings.Repeat(strings.Repeat("a", 60)+".", 5) + "cn", false}, // 307 characters
	}
	for _, tc := range tests {
		err := tenants.ValidateHost(tc.host)
		if tc.ok && err != nil {
			t.Errorf("ValidateHost(%q) = %v, want ok", tc.host, err)
		}
		if !tc.ok && core.ErrorCode(err) != core.EINVALID {
			t.Errorf("ValidateHost(%q) = %v, want an %s error", tc.host, err, core.EINVALID)
		}
	}
}

func TestValidate(t *testing.T) {
	valid := func() tenants.Tenant {
		return tenants.Tenant{Code: "jyj", Name: "思南县教育局", Kind: tenants.Department, ThemeColor: "#1A5FB4", Domains: []string{"jyj.example.cn"}}
	}
	tests := []struct {
		name   string
		change func(*tenants.Tenant)
		ok     bool
	}{
		{"valid department", func(*tenants.Tenant) {}, true},
		{"no theme colour", func(x *tenants.Tenant) { x.ThemeColor = "" }, true},
		{"twenty-character code", func(x *tenants.Tenant) { x.Code = "abcdefghij0123456789" }, true},
		{"every kind", func(x *tenants.Tenant) { x.Kind = tenants.Other }, true},
		{"hundred-character name", func(x *tenants.Tenant) { x.Name = strings.Repeat("局", 100) }, true},
		{"uppercase code", func(x *tenants.Tenant) { x.Code = "JYJ" }, false},
		{"empty code", func(x *tenants.Tenant) { x.Code = "" }, false},
		{"reserved code api", func(x *tenants.Tenant) { x.Code = "api" }, false},
		{"reserved code static", func(x *tenants.Tenant) { x.Code = "static" }, false},
		{"reserved code site", func(x *tenants.Tenant) { x.Code = "site" }, false},
		{"empty name", func(x *tenants.Tenant) { x.Name = "" }, false},
		{"name of 101 characters", func(x *tenants.Tenant) { x.Name = strings.Repeat("局", 101) }, false},
		{"unknown kind", func(x *tenants.Tenant) { x.Kind = "bureau" }, false},
		{"theme colour by name", func(x *tenants.Tenant) { x.ThemeColor = "red" }, false},
		{"short theme colour", func(x *tenants.Tenant) { x.ThemeColor = "#fff" }, false},
		{"domain with a port", func(x *tenants.Tenant) { x.Domains = []string{"jyj.example.cn:80"} }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x := valid()
			tc.change(&x)
			err := x.Validate()
			if tc.ok && err != nil {
				t.Fatalf("Validate() = %v, want ok", err)
			}
			if !tc.ok {
				wantCode(t, err, core.EINVALID)
			}
		})
	}
}

func TestKinds(t *testing.T) {
	labels := map[tenants.Kind]string{
		tenants.Portal:     "县政府门户",
		tenants.Department: "政府部门",
		tenants.Township:   "乡镇（街道）",
		tenants.Other:      "其他单位",
	}
	for _, k := range tenants.Kinds {
		if !k.Valid() {
			t.Errorf("%s is not valid", k)
		}
		if k.Label() != labels[k] {
			t.Errorf("%s.Label() = %q, want %q", k, k.Label(), labels[k])
		}
	}
	if tenants.Kind("bureau").Valid() {
		t.Error("an unknown kind is valid")
	}
	if got := tenants.Kind("bureau").Label(); got != "bureau" {
		t.Errorf("label of an unknown kind = %q, want the kind itself", got)
	}
	x := tenants.Tenant{Kind: tenants.Portal}
	if !x.IsPortal() || x.PrimaryDomain() != "" {
		t.Errorf("portal without domains: IsPortal %v, PrimaryDomain %q", x.IsPortal(), x.PrimaryDomain())
	}
	x.Domains = []string{"www.sinan.gov.cn", "sinan.gov.cn"}
	if x.PrimaryDomain() != "www.sinan.gov.cn" {
		t.Errorf("PrimaryDomain = %q, want the first domain", x.PrimaryDomain())
	}
}
