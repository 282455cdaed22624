package web

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The direction of the HTTP side's imports, checked with `go list`.
//
//	core/cli  →  core/modules  →  core/web/host  →  core/web/<room>  →  core/web
//
// core/web is the shared layer (tenant resolution, the layout and its
// partials, rendering, CSRF and body checks, errors at the edge, the
// extension points): it imports none of its rooms, and none of its
// consumers. A room under core/web/<room> imports core/web and only the
// sibling rooms listed for it in roomImports below; a room not listed
// there is a failure, so that a new room says where it stands.
// core/web/host is no audience's room but the one that assembles them:
// it holds the route table of the whole host (host/routes.go), so it
// imports every room, and no room imports it. core/web/webtest is the
// tests' fixture (a platform built through host, with sign-on): every
// room's tests may import it, no package's own code may. Nothing under
// core/web imports the packages that wire it (core/cli, core/modules,
// the main package); its tests may (an external test wires a server
// the way core/cli does). Modules (plugins/...) never import core/... at all,
// not even through another package.
var roomImports = map[string][]string{
	"site":    {},
	"account": {},
	"admin":   {"account"},
	"county":  {"account", "admin"},
	"host":    {"site", "account", "admin", "county"},
	"webtest": {"host", "site", "account", "admin", "county"},
}

// fixture is the test fixture package, for tests only.
const fixture = "webtest"

// consumers are what the HTTP side must never import.
var consumers = []string{"yiwang", "yiwang/core/cli", "yiwang/core/modules"}

type listed struct {
	path    string
	imports []string // direct, of the package itself
	tests   []string // direct, of its tests (an external test may wire the server as core/cli does)
	deps    []string // transitive, of the package itself
}

func goList(t *testing.T, patterns ...string) []listed {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command on PATH")
	}
	args := append([]string{"list", "-f", `{{.ImportPath}}|{{join .Imports " "}}|{{join .TestImports " "}} {{join .XTestImports " "}}|{{join .Deps " "}}`}, patterns...)
	out, err := exec.Command("go", args...).Output()
	if err != nil {
		t.Fatalf("go list %v: %v", patterns, err)
	}
	var ps []listed
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(line, "|")
		if len(f) != 4 {
			t.Fatalf("go list: unexpected line %q", line)
		}
		ps = append(ps, listed{path: f[0], imports: strings.Fields(f[1]), tests: strings.Fields(f[2]), deps: strings.Fields(f[3])})
	}
	return ps
}

func TestImportDirection(t *testing.T) {
	const web = "yiwang/core/web"
	for _, p := range goList(t, web+"/...") {
		for _, c := range consumers {
			if slices.Contains(p.imports, c) || slices.Contains(p.deps, c) {
				t.Errorf("%s imports %s, which wires it: the HTTP side never reaches up", p.path, c)
			}
		}
		for _, imp := range p.imports {
			if imp == web+"/"+fixture {
				t.Errorf("%s imports the test fixture %s outside its tests", p.path, imp)
			}
		}
		if p.path == web {
			for _, imp := range p.imports {
				if strings.HasPrefix(imp, web+"/") {
					t.Errorf("the shared layer %s imports its room %s", web, imp)
				}
			}
			continue
		}
		room, _, _ := strings.Cut(strings.TrimPrefix(p.path, web+"/"), "/")
		allowed, known := roomImports[room]
		if !known {
			t.Errorf("%s is not a room listed in roomImports: add it with the rooms it may import", p.path)
			continue
		}
		for _, imp := range append(slices.Clone(p.imports), p.tests...) {
			sib, ok := strings.CutPrefix(imp, web+"/")
			if !ok {
				continue
			}
			sib, _, _ = strings.Cut(sib, "/")
			if sib == fixture && slices.Contains(p.tests, imp) && !slices.Contains(p.imports, imp) {
				continue // a room's tests build the platform through the fixture
			}
			if sib != room && !slices.Contains(allowed, sib) {
				t.Errorf("%s imports %s: room %q may import only %v", p.path, imp, room, allowed)
			}
		}
	}
	for _, p := range goList(t, "yiwang/plugins/...") {
		for _, imp := range append(append(slices.Clone(p.imports), p.tests...), p.deps...) {
			if imp == "yiwang/core" || strings.HasPrefix(imp, "yiwang/core/") {
				t.Errorf("module package %s imports %s: modules depend on plugins/sdk only", p.path, imp)
			}
		}
	}
}
