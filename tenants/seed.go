package tenants

import (
	"bufio"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
	"yiwang/core"
	"yiwang/core/audit"
)

// ReferenceSeed is the seed file of the reference county (思南县): the
// portal and its 74 sub-sites. The default run imports it on first start.
//
//go:embed seed/sinan.tsv
var ReferenceSeed []byte

// SeedColumns is the header a seed file carries, in this order. The last
// one, org_code, came later: a file whose header stops before it (the
// 12-column format) is read as if every org_code were empty.
var SeedColumns = []string{"code", "name", "kind", "sort", "sponsor", "site_id_code", "icp", "psb", "address", "phone", "email", "domains", "org_code"}

// seedOptional counts the trailing columns of SeedColumns a file may omit.
const seedOptional = 1

// SeedError points at the line and field of a seed file at fault.
type SeedError struct {
	Line  int
	Field string
	Msg   string
}

func (e *SeedError) Error() string {
	if e.Line == 0 {
		return e.Msg
	}
	if e.Field == "" {
		return fmt.Sprintf("第 %d 行：%s", e.Line, e.Msg)
	}
	return fmt.Sprintf("第 %d 行，字段 %s：%s", e.Line, e.Field, e.Msg)
}

// ParseSeed reads a tab-separated seed file: comment lines start with #,
// the first other line is the header, each further line is one tenant.
// It checks every row before returning, so that an import either has the
// whole file or nothing.
func ParseSeed(r io.Reader) ([]*Tenant, error) {
	var (
		out     []*Tenant
		codes   = map[string]int{}
		hosts   = map[string]int{}
		portals int
	)
	err := readTableOptional(r, SeedColumns, seedOptional, func(line int, fields []string) error {
		f := func(name string) string {
			for i, c := range SeedColumns {
				if c == name {
					return fields[i]
				}
			}
			panic("unknown seed column " + name)
		}
		t := &Tenant{
			Code: f("code"), Name: f("name"), Kind: Kind(f("kind")), Status: Active,
			Sponsor: f("sponsor"), SiteIDCode: f("site_id_code"), ICP: f("icp"), PSB: f("psb"),
			Address: f("address"), Phone: f("phone"), Email: f("email"), OrgCode: NormalizeOrgCode(f("org_code")),
		}
		if s := f("sort"); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 {
				return &SeedError{Line: line, Field: "sort", Msg: fmt.Sprintf("“%s”不是非负整数", s)}
			}
			t.Sort = n
		}
		if d := f("domains"); d != "" {
			for _, h := range strings.Split(d, ",") {
				h = strings.ToLower(strings.TrimSpace(h))
				if h == "" {
					continue
				}
				if prev, dup := hosts[h]; dup {
					return &SeedError{Line: line, Field: "domains", Msg: fmt.Sprintf("域名“%s”与第 %d 行重复", h, prev)}
				}
				hosts[h] = line
				t.Domains = append(t.Domains, h)
			}
		}
		if err := t.Validate(); err != nil {
			return &SeedError{Line: line, Field: fieldOf(err), Msg: core.ErrorMessage(err)}
		}
		if prev, dup := codes[t.Code]; dup {
			return &SeedError{Line: line, Field: "code", Msg: fmt.Sprintf("站点代码“%s”与第 %d 行重复", t.Code, prev)}
		}
		codes[t.Code] = line
		if t.Kind == Portal {
			portals++
			if portals > 1 {
				return &SeedError{Line: line, Field: "kind", Msg: "只能有一个县政府门户（portal）"}
			}
		}
		out = append(out, t)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// fieldOf names the seed column a validation message is about. It looks
// at how the message begins only: the rest quotes the value at fault,
// which may itself contain words such as 代码 or 名称.
func fieldOf(err error) string {
	m := core.ErrorMessage(err)
	switch {
	case strings.HasPrefix(m, "站点代码"):
		return "code"
	case strings.HasPrefix(m, "站点名称"):
		return "name"
	case strings.HasPrefix(m, "站点类型"):
		return "kind"
	case strings.HasPrefix(m, "域名"):
		return "domains"
	case strings.HasPrefix(m, "统一社会信用代码"), strings.HasPrefix(m, "组织机构代码"):
		return "org_code"
	}
	return ""
}

// ImportResult counts what an import did.
type ImportResult struct {
	Created, Updated, Unchanged int
}

// Import creates the tenants of ts that do not exist and updates those
// that differ, matched by code, in one transaction: a failure leaves the
// registry as it was. Tenants missing from ts are left alone; an import
// never archives.
func (s *Store) Import(ctx context.Context, actor string, ts []*Tenant) (ImportResult, error) {
	var res ImportResult
	err := s.db.Tx(ctx, func(tx *sqlx.Tx) error {
		// The registry is read here, not before the transaction, and the
		// counts start afresh: Tx runs this again when another import won
		// a conflict (two replicas' first starts at once, on two Galera
		// nodes), and the second run must see what the first one wrote.
		res = ImportResult{}
		existing, err := s.List(ctx)
		if err != nil {
			return err
		}
		byCode := map[string]*Tenant{}
		var portal *Tenant
		for _, t := range existing {
			byCode[t.Code] = t
			if t.Kind == Portal {
				portal = t
			}
		}
		for _, t := range ts {
			if t.Kind == Portal && portal != nil && portal.Code != t.Code {
				return core.Errorf(core.ECONFLICT, "已有县政府门户“%s”，不能再导入门户“%s”", portal.Code, t.Code)
			}
		}
		for _, t := range ts {
			old := byCode[t.Code]
			if old == nil {
				if err := s.insert(ctx, tx, t); err != nil {
					return err
				}
				res.Created++
				continue
			}
			if len(t.Domains) == 0 {
				// An empty domains field says nothing about domains: the
				// ones mapped since (by the console or the CLI) stay.
				t.Domains = old.Domains
			}
			if t.OrgCode == "" {
				// Likewise an empty org_code (or a 12-column file): the
				// code the county office entered in the console stays.
				t.OrgCode = old.OrgCode
			}
			if sameSeedFields(old, t) {
				t.ID = old.ID
				res.Unchanged++
				continue
			}
			t.ID, t.Status = old.ID, old.Status
			t.ThemeColor, t.LogoURL = old.ThemeColor, old.LogoURL
			if err := update(ctx, tx, t); err != nil {
				return err
			}
			res.Updated++
		}
		return audit.Write(ctx, tx, audit.Entry{Actor: actor, Action: "tenant.import",
			Detail: fmt.Sprintf("created %d, updated %d, unchanged %d", res.Created, res.Updated, res.Unchanged)})
	})
	if err != nil {
		var ce *core.Error
		if errors.As(err, &ce) {
			return ImportResult{}, err
		}
		return ImportResult{}, fmt.Errorf("import tenants: %w", err)
	}
	return res, nil
}

func sameSeedFields(a, b *Tenant) bool {
	return a.Name == b.Name && a.Kind == b.Kind && a.Sort == b.Sort && a.Sponsor == b.Sponsor &&
		a.SiteIDCode == b.SiteIDCode && a.ICP == b.ICP && a.PSB == b.PSB && a.Address == b.Address &&
		a.Phone == b.Phone && a.Email == b.Email && a.OrgCode == b.OrgCode && sameDomains(a.Domains, b.Domains)
}

// sameDomains reports whether two domain lists map the same hosts with the
// same primary. Only the primary's place is meaningful: the store reads
// the others back in host order, whatever order a seed file lists them in.
func sameDomains(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) == 0 {
		return true
	}
	if a[0] != b[0] {
		return false
	}
	ra, rb := slices.Clone(a[1:]), slices.Clone(b[1:])
	slices.Sort(ra)
	slices.Sort(rb)
	return slices.Equal(ra, rb)
}

// readTable reads a tab-separated file: a BOM and CR line ends are
// accepted, lines starting with # and blank lines are skipped, the first
// other line must be header, and every further line must have its fields;
// fn gets each row, trimmed, with its physical line number.
func readTable(r io.Reader, header []string, fn func(line int, fields []string) error) error {
	return readTableOptional(r, header, 0, fn)
}

// readTableOptional is readTable for a format that grew: the file's
// header may stop up to optional columns before the end of header, its
// rows then have as many fields as its header, and fn gets them padded
// with "" to the full width.
func readTableOptional(r io.Reader, header []string, optional int, fn func(line int, fields []string) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	seen, line, width := false, 0, 0
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if line == 1 {
			text = strings.TrimPrefix(text, "\ufeff")
		}
		if strings.TrimSpace(text) == "" || strings.HasPrefix(text, "#") {
			continue
		}
		fields := strings.Split(text, "\t")
		if !seen {
			n := len(fields)
			if n < len(header)-optional || n > len(header) || strings.Join(fields, "\t") != strings.Join(header[:n], "\t") {
				return &SeedError{Line: line, Msg: "表头应为（以制表符分隔）：" + strings.Join(header, " ")}
			}
			width, seen = n, true
			continue
		}
		if len(fields) != width {
			return &SeedError{Line: line, Msg: fmt.Sprintf("应有 %d 个字段，实有 %d 个（字段以制表符分隔）", width, len(fields))}
		}
		for i := range fields {
			fields[i] = strings.TrimSpace(fields[i])
		}
		for len(fields) < len(header) {
			fields = append(fields, "")
		}
		if err := fn(line, fields); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read file: %w", err)
	}
	if !seen {
		return &SeedError{Line: line, Msg: "文件中没有表头和数据"}
	}
	return nil
}
