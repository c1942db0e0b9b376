package layers

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/sdlkit/sdlkit"

// graph maps each of the module's packages to every package it imports,
// directly or not, with one go list.
func graph(t *testing.T) map[string][]string {
	t.Helper()
	cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "list", "-f", "{{.ImportPath}} {{join .Deps \" \"}}", "./...")
	cmd.Dir = filepath.Join("..", "..")
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("go list ./...: %v\n%s", err, stderr)
	}
	g := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		g[f[0]] = f[1:]
	}
	return g
}

// under reports whether pkg is dir or a package below it.
func under(pkg, dir string) bool {
	return pkg == dir || strings.HasPrefix(pkg, dir+"/")
}

// TestLayers checks, for each rule, that no package in its scope imports,
// directly or through others, a package it must not.
func TestLayers(t *testing.T) {
	t.Parallel()
	domain := []string{"sbom", "signing", "practices", "vulnmgmt", "policies", "cmd"}
	rules := []struct {
		scope string
		// may are the sdlkit packages (and their subpackages) allowed
		// besides the scope itself and internal/.
		may []string
	}{
		{scope: "sbom", may: nil},
		{scope: "signing", may: nil},
		{scope: "practices", may: nil},
		{scope: "vulnmgmt", may: []string{"sbom"}},
		{scope: "policies", may: []string{"practices", "vulnmgmt", "sbom"}},
	}
	g := graph(t)
	for _, r := range rules {
		for pkg, ds := range g {
			if !under(pkg, module+"/"+r.scope) {
				continue
			}
			for _, d := range ds {
				if !under(d, module) || under(d, module+"/"+r.scope) || under(d, module+"/internal") {
					continue
				}
				rel := strings.TrimPrefix(d, module+"/")
				if !slices.ContainsFunc(r.may, func(m string) bool { return under(rel, m) }) && slices.ContainsFunc(domain, func(m string) bool { return under(rel, m) }) {
					t.Errorf("%s imports %s: %s may import only %v", pkg, d, r.scope, r.may)
				}
			}
		}
	}
}

// TestSBOMModelIsLight checks that what the scanner imports — the model,
// purl and the any-format decoder — does not drag in the generator's
// extractors, git, the schema validator or another subpackage: a consumer of
// SBOMs pays for reading them only.
func TestSBOMModelIsLight(t *testing.T) {
	t.Parallel()
	forbidden := []string{
		module + "/sbom/generate", module + "/sbom/validate", module + "/sbom/merge", module + "/sbom/diff",
		module + "/sbom/internal/lockfile", module + "/internal/jsonschema",
		"github.com/google/osv-scalibr/extractor", "github.com/go-git/go-git", "github.com/kaptinlin/jsonschema",
	}
	g := graph(t)
	for _, pkg := range []string{module + "/sbom", module + "/sbom/purl", module + "/sbom/format"} {
		for _, d := range g[pkg] {
			if slices.ContainsFunc(forbidden, func(f string) bool { return under(d, f) }) {
				t.Errorf("%s imports %s", pkg, d)
			}
		}
	}
	for _, d := range g[module+"/sbom"] {
		if under(d, module) && d != module+"/sbom" {
			t.Errorf("the model %s/sbom imports %s: it imports no other sdlkit package", module, d)
		}
	}
}

// TestNothingImportsCmd checks that no package imports the command.
func TestNothingImportsCmd(t *testing.T) {
	t.Parallel()
	for pkg, ds := range graph(t) {
		if under(pkg, module+"/cmd") {
			continue
		}
		for _, d := range ds {
			if under(d, module+"/cmd") {
				t.Errorf("%s imports %s", pkg, d)
			}
		}
	}
}
