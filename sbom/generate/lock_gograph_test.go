package generate

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sdlkit/sdlkit/internal/sbomtest"
	"github.com/sdlkit/sdlkit/sbom"

	"github.com/google/go-cmp/cmp"
)

// TestGoModuleGraphCosign reads cosign's real go.mod and go.sum with a
// module cache that holds the real go.mod of each of its modules, as the
// Go module proxy serves them (testdata/gomodcache; regen.go there rebuilds
// it). Every module must get its edges, and the graph must be the one
// `go mod graph` printed for the same module, each edge pointing at the
// version cosign's go.mod selects.
func TestGoModuleGraphCosign(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(testdata, "lockfiles", "sigstore+cosign")
	packed := sbomtest.Unpack(t, filepath.Join("testdata", "gomodcache", "cosign.tar.gz"))
	b, err := SBOM(context.Background(), dir, Options{GoModuleCache: filepath.Join(packed, "modcache")})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]sbom.Property{{Name: PropertyGoGraph, Value: GoGraphModuleCache}}, b.Properties); diff != "" {
		t.Fatalf("properties (-want +got): a module's go.mod was not read\n%s", diff)
	}
	modOf := map[string]string{} // bom-ref → module@version
	for _, c := range b.Components {
		modOf[c.BOMRef] = c.Name + "@" + c.Version
	}
	for _, d := range b.Dependencies {
		if d.Ref != b.Product.BOMRef && modOf[d.Ref] == "" {
			t.Errorf("dependency entry %s is no component", d.Ref)
		}
		for _, on := range d.DependsOn {
			if modOf[on] == "" {
				t.Errorf("%s depends on %s, which is no component", d.Ref, on)
			}
			if on == d.Ref {
				t.Errorf("%s depends on itself", d.Ref)
			}
		}
	}
	if len(b.Dependencies) != len(b.Components)+1 {
		t.Errorf("%d dependency entries for %d components and the product", len(b.Dependencies), len(b.Components))
	}
	got := map[string][]string{}
	for ref, mod := range modOf {
		got[mod] = []string{}
		for _, on := range sbomtest.DepsOf(b, ref) {
			got[mod] = append(got[mod], modOf[on])
		}
		slices.Sort(got[mod])
	}
	want := goModGraph(t, filepath.Join(packed, "go-mod-graph.txt"))
	if len(want) != 288 {
		t.Errorf("go mod graph gives cosign %d modules, want the 287 of its go.mod and the standard library", len(want))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("graph (-go mod graph +sdlkit):\n%s", diff)
	}
	for _, e := range []struct{ from, to string }{
		// cobra's go.mod requires pflag v1.0.9 and go-md2man v2.0.6;
		// cosign's selects v1.0.10 and v2.0.7, which the build uses.
		{"github.com/spf13/cobra@v1.10.2", "github.com/spf13/pflag@v1.0.10"},
		{"github.com/spf13/cobra@v1.10.2", "github.com/cpuguy83/go-md2man/v2@v2.0.7"},
		{"github.com/spf13/cobra@v1.10.2", "github.com/inconshreveable/mousetrap@v1.1.0"},
		{"github.com/sigstore/sigstore-go@v1.2.2", "github.com/sigstore/timestamp-authority/v2@v2.1.2"},
	} {
		if !slices.Contains(got[e.from], e.to) {
			t.Errorf("no edge %s -> %s; %s depends on %v", e.from, e.to, e.from, got[e.from])
		}
	}
}

// goModGraph reads the output of `go mod graph` ("from to" lines of
// module@version, the main module without a version) into the edges of
// each module the main module requires, each pointing at the version the
// main module requires: minimal version selection with a complete go.mod.
// The go and toolchain lines (the Go version each go.mod asks for) are no
// modules.
func goModGraph(t *testing.T, path string) map[string][]string {
	t.Helper()
	var lines [][]string
	selected := map[string]string{} // module path → version
	stdlib := ""
	for _, line := range strings.Split(strings.TrimSpace(string(readFixture(t, path))), "\n") {
		f := strings.Fields(line)
		if len(f) != 2 {
			t.Fatalf("%s: malformed line %q", path, line)
		}
		if !strings.Contains(f[0], "@") {
			// The main module's toolchain, else its go version: the
			// standard library's version.
			if v, ok := strings.CutPrefix(f[1], "toolchain@go"); ok {
				stdlib = "stdlib@" + v
			} else if v, ok := strings.CutPrefix(f[1], "go@"); ok && stdlib == "" {
				stdlib = "stdlib@" + v
			}
		}
		if strings.HasPrefix(f[1], "go@") || strings.HasPrefix(f[1], "toolchain@") {
			continue
		}
		if !strings.Contains(f[0], "@") { // the main module
			p, v, _ := strings.Cut(f[1], "@")
			selected[p] = v
		}
		lines = append(lines, f)
	}
	out := map[string][]string{}
	for p, v := range selected {
		out[p+"@"+v] = []string{}
	}
	for _, f := range lines {
		from, to := f[0], f[1]
		fp, fv, ok := strings.Cut(from, "@")
		tp, _, _ := strings.Cut(to, "@")
		if !ok || selected[fp] != fv || selected[tp] == "" || tp == fp {
			continue // the main module, a version not selected, or a module outside the main go.mod
		}
		out[from] = append(out[from], tp+"@"+selected[tp])
	}
	for m := range out {
		slices.Sort(out[m])
		out[m] = slices.Compact(out[m])
	}
	if stdlib == "" {
		t.Fatalf("%s: no go or toolchain line for the main module", path)
	}
	out[stdlib] = []string{}
	return out
}

// TestGoModuleGraphCache reads a module cache written for this test: an
// older required version points at the selected one, a module missing from
// the cache keeps unknown edges, one without requirements has none.
func TestGoModuleGraphCache(t *testing.T) {
	t.Parallel()
	dir, cache := t.TempDir(), t.TempDir()
	writeFiles(t, dir, map[string]string{"go.mod": `module example.com/product

go 1.22

require (
	example.com/a v1.2.0
	example.com/b v1.5.0
)

require (
	example.com/missing v1.0.0 // indirect
	github.com/Upper/Case v0.1.0 // indirect
)
`})
	// Written for this test, in the layout of $GOMODCACHE/cache/download.
	writeFiles(t, filepath.Join(cache, "cache", "download"), map[string]string{
		"example.com/a/@v/v1.2.0.mod": `module example.com/a

go 1.22

require (
	example.com/a v1.0.0
	example.com/b v1.1.0
	github.com/Upper/Case v0.1.0
	example.com/unselected v1.0.0
)
`,
		"example.com/b/@v/v1.5.0.mod":           "module example.com/b\n",
		"github.com/!upper/!case/@v/v0.1.0.mod": "module github.com/Upper/Case\n\nrequire example.com/missing v1.0.0\n",
	})
	const stdlib = "pkg:golang/stdlib@1.22.0"
	tests := []struct {
		name string
		opts Options
		want []sbom.Dependency
		prop string
	}{
		{"cache", Options{GoModuleCache: cache}, []sbom.Dependency{
			{Ref: "pkg:golang/example.com/a@v1.2.0", DependsOn: []string{"pkg:golang/example.com/b@v1.5.0", "pkg:golang/github.com/Upper/Case@v0.1.0"}},
			{Ref: "pkg:golang/example.com/b@v1.5.0"}, // known: no dependencies
			{Ref: "pkg:golang/example.com/product", DependsOn: []string{"pkg:golang/example.com/a@v1.2.0", "pkg:golang/example.com/b@v1.5.0", stdlib}},
			{Ref: "pkg:golang/github.com/Upper/Case@v0.1.0", DependsOn: []string{"pkg:golang/example.com/missing@v1.0.0"}},
			{Ref: stdlib}, // the go line's version; the standard library depends on nothing
		}, GoGraphPartial},
		{"no cache", Options{GoModuleCache: cache, NoGoModuleCache: true}, []sbom.Dependency{
			{Ref: "pkg:golang/example.com/product", DependsOn: []string{"pkg:golang/example.com/a@v1.2.0", "pkg:golang/example.com/b@v1.5.0", stdlib}},
			{Ref: stdlib},
		}, GoGraphDirectOnly},
		{"empty cache", Options{GoModuleCache: t.TempDir()}, []sbom.Dependency{
			{Ref: "pkg:golang/example.com/product", DependsOn: []string{"pkg:golang/example.com/a@v1.2.0", "pkg:golang/example.com/b@v1.5.0", stdlib}},
			{Ref: stdlib},
		}, GoGraphDirectOnly},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := SBOM(context.Background(), dir, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, b.Dependencies); diff != "" {
				t.Errorf("graph (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]sbom.Property{{Name: PropertyGoGraph, Value: tt.prop}}, b.Properties); diff != "" {
				t.Errorf("properties (-want +got):\n%s", diff)
			}
		})
	}
}

// writeFiles writes files (slash-separated names under dir) and their
// directories.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
