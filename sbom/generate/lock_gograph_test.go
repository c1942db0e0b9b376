package generate

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/sdlkit/sdlkit/sbom"
	"github.com/sdlkit/sdlkit/sbom/internal/sbomtest"

	"github.com/google/go-cmp/cmp"
)

// TestGoModuleGraphSelf generates the SBOM of sdlkit's own module: its
// dependencies are in the module cache wherever its tests were built.
func TestGoModuleGraphSelf(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, f := range []string{"go.mod", "go.sum"} {
		copyFile(t, filepath.Join("..", "..", f), filepath.Join(dir, f), 0o644)
	}
	b, err := SBOM(context.Background(), dir, Options{GoModuleCache: DefaultGoModuleCache(os.Getenv)})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]sbom.Property{{Name: PropertyGoGraph, Value: GoGraphModuleCache}}, b.Properties); diff != "" {
		t.Fatalf("properties (-want +got); is the module cache filled (go mod download)?\n%s", diff)
	}
	comps := map[string]bool{}
	for _, c := range b.Components {
		comps[c.BOMRef] = true
	}
	for _, d := range b.Dependencies {
		if d.Ref != b.Product.BOMRef && !comps[d.Ref] {
			t.Errorf("dependency entry %s is no component", d.Ref)
		}
		for _, on := range d.DependsOn {
			if !comps[on] {
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
	for _, e := range []struct{ from, to string }{
		{"pkg:golang/github.com/spf13/cobra@v1.10.2", "pkg:golang/github.com/spf13/pflag@v1.1.0"},
		{"pkg:golang/github.com/spf13/cobra@v1.10.2", "pkg:golang/github.com/inconshreveable/mousetrap@v1.1.0"},
		// sigstore-go requires timestamp-authority v2.2.0; go.mod replaces
		// it with v2.1.5, which is what the build uses.
		{"pkg:golang/github.com/sigstore/sigstore-go@v1.4.0", "pkg:golang/github.com/sigstore/timestamp-authority/v2@v2.2.1"},
	} {
		if !slices.Contains(sbomtest.DepsOf(b, e.from), e.to) {
			t.Errorf("no edge %s -> %s; %s depends on %v", e.from, e.to, e.from, sbomtest.DepsOf(b, e.from))
		}
	}
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
	tests := []struct {
		name string
		opts Options
		want []sbom.Dependency
		prop string
	}{
		{"cache", Options{GoModuleCache: cache}, []sbom.Dependency{
			{Ref: "pkg:golang/example.com/a@v1.2.0", DependsOn: []string{"pkg:golang/example.com/b@v1.5.0", "pkg:golang/github.com/Upper/Case@v0.1.0"}},
			{Ref: "pkg:golang/example.com/b@v1.5.0"}, // known: no dependencies
			{Ref: "pkg:golang/example.com/product", DependsOn: []string{"pkg:golang/example.com/a@v1.2.0", "pkg:golang/example.com/b@v1.5.0"}},
			{Ref: "pkg:golang/github.com/Upper/Case@v0.1.0", DependsOn: []string{"pkg:golang/example.com/missing@v1.0.0"}},
		}, GoGraphPartial},
		{"no cache", Options{GoModuleCache: cache, NoGoModuleCache: true}, []sbom.Dependency{
			{Ref: "pkg:golang/example.com/product", DependsOn: []string{"pkg:golang/example.com/a@v1.2.0", "pkg:golang/example.com/b@v1.5.0"}},
		}, GoGraphDirectOnly},
		{"empty cache", Options{GoModuleCache: t.TempDir()}, []sbom.Dependency{
			{Ref: "pkg:golang/example.com/product", DependsOn: []string{"pkg:golang/example.com/a@v1.2.0", "pkg:golang/example.com/b@v1.5.0"}},
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
