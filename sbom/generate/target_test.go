package generate

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// TestGoBinaryTarget reads a Go binary — this test's own executable, whose
// main module is sdlkit — given as the file, without the executable bit, or
// as the one file of a directory: the product is its main module, named,
// with a purl, and not one of its own components.
func TestGoBinaryTarget(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bin := filepath.Join(dir, "fw.bin")
	copyFile(t, testBinary(t), bin, 0o644)
	only := filepath.Join(dir, "only")
	copyFile(t, testBinary(t), filepath.Join(only, "fw"), 0o755)
	withMod := filepath.Join(dir, "withmod")
	copyFile(t, testBinary(t), filepath.Join(withMod, "fw"), 0o755)
	write(t, withMod, "go.mod", "module example.com/fw\n\ngo 1.22\n")
	for _, tc := range []struct {
		name, target, product string
	}{
		{"binary file", bin, "github.com/sdlkit/sdlkit"},
		{"directory of one binary", only, "github.com/sdlkit/sdlkit"},
		{"source tree with a binary", withMod, "example.com/fw"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b, err := SBOM(context.Background(), tc.target, Options{NoGoModuleCache: true})
			if err != nil {
				t.Fatal(err)
			}
			if b.Product.Name != tc.product || b.Product.Ecosystem != "Go" || !strings.HasPrefix(b.Product.PURL, "pkg:golang/"+tc.product) {
				t.Errorf("product = %+v, want %s with its purl", b.Product, tc.product)
			}
			var names []string
			for _, c := range b.Components {
				names = append(names, c.Name)
				if c.Name == b.Product.Name {
					t.Errorf("the product %s is one of its own components", c.Name)
				}
				if strings.HasPrefix(c.Version, "v(") {
					t.Errorf("%s has version %q", c.Name, c.Version)
				}
			}
			for _, want := range []string{"stdlib", "github.com/google/osv-scalibr", "github.com/CycloneDX/cyclonedx-go"} {
				if !slices.Contains(names, want) {
					t.Errorf("component %s missing from %d components", want, len(names))
				}
			}
		})
	}
}

// TestLockfileTarget reads one lockfile, with the manifest beside it, and
// nothing else of its directory.
func TestLockfileTarget(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	copyFile(t, filepath.Join(testdata, "polyglot", "js-npm1", "package-lock.json"), filepath.Join(dir, "package-lock.json"), 0o644)
	copyFile(t, filepath.Join(testdata, "polyglot", "ruby", "Gemfile.lock"), filepath.Join(dir, "Gemfile.lock"), 0o644)
	write(t, dir, "package.json", `{"name": "plc-ui", "version": "2.0.0"}`)
	b, err := SBOM(context.Background(), filepath.Join(dir, "package-lock.json"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if b.Product.Name != "plc-ui" || b.Product.Version != "2.0.0" {
		t.Errorf("product = %s@%s, want plc-ui@2.0.0 from package.json", b.Product.Name, b.Product.Version)
	}
	if len(b.Components) == 0 {
		t.Fatal("no components")
	}
	for _, c := range b.Components {
		if c.Ecosystem != "npm" {
			t.Errorf("%s (%s) is not from package-lock.json", c.Name, c.Ecosystem)
		}
	}
}

// TestTargetNeitherLockfileNorBinary refuses a file no format claims, even
// with KeepGoing, and a FIFO without opening it.
func TestTargetNeitherLockfileNorBinary(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, "README.md", "# not a lockfile\n")
	for _, opts := range []Options{{}, {KeepGoing: true}} {
		_, err := SBOM(context.Background(), filepath.Join(dir, "README.md"), opts)
		if !errors.Is(err, ErrUnknownFile) || !strings.Contains(err.Error(), "README.md") {
			t.Errorf("KeepGoing %v: err = %v, want ErrUnknownFile naming README.md", opts.KeepGoing, err)
		}
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := SBOM(context.Background(), fifo, Options{}); err == nil || !strings.Contains(err.Error(), "neither a directory nor a regular file") {
		t.Errorf("FIFO: err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "README.md")); err != nil {
		t.Fatal(err)
	}
}
