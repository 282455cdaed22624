package builtin_test

import (
	"os/exec"
	"sort"
	"strings"
	"testing"
)

// TestModulesStandOnTheSDK keeps the seam where it is: a module (and its
// tests) imports the SDK and libraries only, never the host nor another
// module, and the SDK imports nothing of the host, so that a third party
// can write a module from plugins/sdk alone.
func TestModulesStandOnTheSDK(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Fatal("the go command is needed to list imports")
	}
	out, err := exec.Command("go", "list", "-deps", "-test", "-f", "{{.ImportPath}}|{{join .Imports \" \"}}", "yiwang/plugins/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	var bad []string
	checked := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, imports, _ := strings.Cut(line, "|")
		pkg, _, _ = strings.Cut(pkg, " ") // "p [p.test]" is p's test variant
		if strings.HasSuffix(pkg, ".test") {
			continue // the generated test main
		}
		pkg = strings.TrimSuffix(pkg, "_test")
		room, ok := roomOf(pkg)
		if !ok {
			continue
		}
		checked[room] = true
		for _, imp := range strings.Fields(imports) {
			imp, _, _ = strings.Cut(imp, " ")
			if !allowed(room, imp) {
				bad = append(bad, pkg+" imports "+imp)
			}
		}
	}
	sort.Strings(bad)
	for _, b := range dedupe(bad) {
		t.Error(b)
	}
	for _, want := range []string{"sdk", "mailbox", "topics"} {
		if !checked[want] {
			t.Errorf("the check saw no package of plugins/%s", want)
		}
	}
}

// roomOf names the part of plugins/ a package belongs to: "sdk" for the
// SDK and its subpackages, the module's directory for a module. The
// builtin list itself imports the modules by design.
func roomOf(pkg string) (string, bool) {
	rest, ok := strings.CutPrefix(pkg, "yiwang/plugins/")
	if !ok {
		return "", false
	}
	room, _, _ := strings.Cut(rest, "/")
	if room == "builtin" {
		return "", false
	}
	return room, true
}

func allowed(room, imp string) bool {
	if !strings.HasPrefix(imp, "yiwang/") && imp != "yiwang" {
		return true // the standard library and third-party libraries
	}
	if imp == "yiwang/plugins/sdk" || strings.HasPrefix(imp, "yiwang/plugins/sdk/") {
		return true
	}
	// A module's own subpackages.
	return room != "sdk" && (imp == "yiwang/plugins/"+room || strings.HasPrefix(imp, "yiwang/plugins/"+room+"/"))
}

func dedupe(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}
