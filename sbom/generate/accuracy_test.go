package generate

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

// These tests check the component set of each project's real lockfiles
// (testdata/lockfiles) against an independent reading of what the lockfile
// pins: a few lines of plain parsing per format, sharing no code with the
// generator.

func TestGenerateAccuracy(t *testing.T) {
	t.Parallel()
	lockfiles := lockfileSets(t)
	tests := []struct {
		dir     string
		product string // the product's own entry, which is metadata.component and not a component
		want    func(t *testing.T, dir string) []string
	}{
		{"prometheus+prometheus", "", func(t *testing.T, dir string) []string {
			return slices.Concat(goModRequires(t, filepath.Join(dir, "go.mod")),
				pnpmPackages(t, filepath.Join(dir, "web", "ui", "pnpm-lock.yaml")),
				pnpmPackages(t, filepath.Join(dir, "web", "ui", "react-app", "pnpm-lock.yaml")))
		}},
		{"sigstore+cosign", "", func(t *testing.T, dir string) []string {
			return goModRequires(t, filepath.Join(dir, "go.mod"))
		}},
		{"npm+cli", "", func(t *testing.T, dir string) []string {
			return npmPackages(t, filepath.Join(dir, "package-lock.json"))
		}},
		{"BurntSushi+ripgrep", "", func(t *testing.T, dir string) []string {
			return tomlPackages(t, filepath.Join(dir, "Cargo.lock"), "crates.io")
		}},
		{"google+osv.dev", "", func(t *testing.T, dir string) []string {
			return slices.Concat(tomlPackages(t, filepath.Join(dir, "poetry.lock"), "PyPI"),
				requirementsPins(t, filepath.Join(dir, "docker", "poetry", "requirements.txt")))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(lockfiles, tt.dir)
			b, err := SBOM(context.Background(), dir, Options{IncludeDev: true})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, c := range b.Components {
				got = append(got, key(c.Ecosystem, c.Name, c.Version))
			}
			want := tt.want(t, dir)
			want = slices.DeleteFunc(want, func(k string) bool { return tt.product != "" && strings.HasPrefix(k, tt.product) })
			slices.Sort(want)
			want = slices.Compact(want)
			slices.Sort(got)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("components (-want +got):\n%s", diff)
			}
			t.Logf("%d components", len(got))
		})
	}
}

// TestGenerateAccuracyWithoutDev checks the default, shipped component set
// of npm/cli against npm's own dev flags.
func TestGenerateAccuracyWithoutDev(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(lockfileSets(t), "npm+cli")
	b, err := SBOM(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range b.Components {
		got = append(got, key(c.Ecosystem, c.Name, c.Version))
	}
	want := npmPackagesDev(t, filepath.Join(dir, "package-lock.json"), false)
	slices.Sort(want)
	want = slices.Compact(want)
	slices.Sort(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("components without dev (-want +got):\n%s", diff)
	}
	if all := npmPackages(t, filepath.Join(dir, "package-lock.json")); len(want) >= len(all) {
		t.Errorf("%d packages without dev of %d: the lockfile has no dev packages to leave out", len(want), len(all))
	}
	t.Logf("%d components", len(got))
}

// key spells a component for comparison; Python names are PEP 503
// normalised, as pip compares them.
func key(eco, name, version string) string {
	if eco == "PyPI" {
		name = regexp.MustCompile(`[-_.]+`).ReplaceAllString(strings.ToLower(name), "-")
	}
	return eco + ":" + name + "@" + version
}

func readFixture(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// goModRequires reads go.mod's require lines and applies its replace lines.
// go.mod (go 1.17 and later) lists every module that provides a package to
// the build; go.sum lists more (modules whose go.mod alone was needed, and
// hashes kept for other build configurations), so it is not the reference.
func goModRequires(t *testing.T, path string) []string {
	replace := map[string]string{}
	var req [][2]string
	block, stdlib := "", ""
	sc := bufio.NewScanner(strings.NewReader(string(readFixture(t, path))))
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "//")
		f := strings.Fields(line)
		switch {
		case len(f) == 0:
		case f[0] == ")":
			block = ""
		case len(f) == 2 && f[1] == "(":
			block = f[0]
		case f[0] == "go" && len(f) == 2 && stdlib == "":
			stdlib = f[1]
		case f[0] == "toolchain" && len(f) == 2:
			// The toolchain directive, when there is one, names the
			// standard library's version; else the go directive does.
			stdlib, _, _ = strings.Cut(strings.TrimPrefix(f[1], "go"), "-")
		case block == "require" || f[0] == "require":
			f = slices.DeleteFunc(f, func(s string) bool { return s == "require" })
			req = append(req, [2]string{f[0], f[1]})
		case block == "replace" || f[0] == "replace":
			f = slices.DeleteFunc(f, func(s string) bool { return s == "replace" })
			i := slices.Index(f, "=>")
			replace[strings.Join(f[:i], "@")] = strings.Join(f[i+1:], "@")
		}
	}
	var out []string
	if stdlib != "" {
		out = append(out, key("Go", "stdlib", stdlib))
	}
	for _, r := range req {
		mod := r[0] + "@" + r[1]
		if rep, ok := replace[mod]; ok {
			mod = rep
		} else if rep, ok := replace[r[0]]; ok {
			mod = rep
		}
		if name, version, ok := strings.Cut(mod, "@"); ok {
			out = append(out, key("Go", name, version))
		}
	}
	return out
}

// npmPackages reads the packages map of package-lock.json v2/v3.
func npmPackages(t *testing.T, path string) []string {
	return npmPackagesDev(t, path, true)
}

// npmPackagesDev reads the packages map; without dev, the packages npm
// marks "dev": true (needed only to develop the project) are left out, and
// "devOptional" ones, which an optional dependency of the product also
// needs, stay.
func npmPackagesDev(t *testing.T, path string, dev bool) []string {
	var lock struct {
		Packages map[string]struct {
			Name, Version, Resolved string
			Link, Dev               bool
		}
	}
	if err := json.Unmarshal(readFixture(t, path), &lock); err != nil {
		t.Fatal(err)
	}
	linkedAs := map[string]string{} // workspace directory → name it is installed as
	for p, pkg := range lock.Packages {
		if pkg.Link {
			linkedAs[pkg.Resolved] = strings.TrimPrefix(p, "node_modules/")
		}
	}
	var out []string
	for p, pkg := range lock.Packages {
		if p == "" || pkg.Link || pkg.Dev && !dev {
			continue
		}
		name := pkg.Name
		if i := strings.LastIndex(p, "node_modules/"); name == "" && i >= 0 {
			name = p[i+len("node_modules/"):]
		} else if name == "" {
			name = linkedAs[p]
		}
		out = append(out, key("npm", name, pkg.Version))
	}
	return out
}

// pnpmPackages reads the keys of a pnpm v9 lockfile's packages map.
func pnpmPackages(t *testing.T, path string) []string {
	var lock struct {
		Packages map[string]any `yaml:"packages"`
	}
	if err := yaml.Unmarshal(readFixture(t, path), &lock); err != nil {
		t.Fatal(err)
	}
	var out []string
	for k := range lock.Packages {
		i := strings.LastIndex(k, "@")
		out = append(out, key("npm", k[:i], k[i+1:]))
	}
	return out
}

// tomlPackages reads the [[package]] tables of Cargo.lock or poetry.lock.
func tomlPackages(t *testing.T, path, eco string) []string {
	var lock struct {
		Package []struct {
			Name, Version string
			Source        any
		}
	}
	if _, err := toml.Decode(string(readFixture(t, path)), &lock); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range lock.Package {
		if eco == "crates.io" && p.Source == nil {
			continue // the workspace's own crates: the product, not dependencies
		}
		out = append(out, key(eco, p.Name, p.Version))
	}
	return out
}

// requirementsPins reads "name[extras]==version" lines of a pip-compile
// output.
func requirementsPins(t *testing.T, path string) []string {
	re := regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^ ;\\]+)`)
	var out []string
	for _, line := range strings.Split(string(readFixture(t, path)), "\n") {
		if m := re.FindStringSubmatch(line); m != nil {
			out = append(out, key("PyPI", m[1], m[3]))
		}
	}
	return out
}
