package generate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sdlkit/sdlkit/sbom/cyclonedx"

	"github.com/sdlkit/sdlkit/internal/sbomtest"
	"github.com/sdlkit/sdlkit/sbom"

	"github.com/google/go-cmp/cmp"
)

// testdata holds the lockfiles the sbom packages' tests share: real ones
// of five projects in testdata/lockfiles (see testdata/README.md), written
// ones for the other formats.
var testdata = filepath.Join("..", "testdata")

// lockfileSets copies the five projects' lockfiles, one folder each, into a
// temporary folder and returns it.
func lockfileSets(t testing.TB) string {
	t.Helper()
	return sbomtest.Tree(t, filepath.Join(testdata, "lockfiles"))
}

func TestGeneratePolyglot(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join(testdata, "polyglot"))); err != nil {
		t.Fatal(err)
	}
	// The test binary is a Go binary with build info: sdlkit's own
	// dependencies are in it.
	copyFile(t, testBinary(t), filepath.Join(dir, "bin", "tool"), 0o755)
	b, err := SBOM(context.Background(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]sbom.Scope{
		"pkg:pypi/requests@2.32.3":                             sbom.ScopeUnknown,
		"pkg:pypi/idna@3.10":                                   sbom.ScopeUnknown,
		"pkg:pypi/flask@3.0.3":                                 sbom.ScopeRequired,
		"pkg:pypi/django@4.2.16":                               sbom.ScopeUnknown,
		"pkg:pypi/urllib3@2.2.3":                               sbom.ScopeUnknown,
		"pkg:npm/js-tokens@4.0.0":                              sbom.ScopeUnknown,
		"pkg:npm/loose-envify@1.4.0":                           sbom.ScopeUnknown,
		"pkg:npm/debug@2.6.9":                                  sbom.ScopeRequired,
		"pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1": sbom.ScopeUnknown,
		"pkg:maven/com.google.guava/guava@33.3.1-jre":          sbom.ScopeUnknown,
		"pkg:composer/monolog/monolog@3.7.0":                   sbom.ScopeRequired,
		"pkg:gem/rack@3.1.7":                                   sbom.ScopeUnknown,
		"pkg:nuget/Newtonsoft.Json@13.0.3":                     sbom.ScopeUnknown,
		"pkg:golang/github.com/CycloneDX/cyclonedx-go@v0.12.0": sbom.ScopeRequired,
	}
	got := map[string]sbom.Component{}
	for _, c := range b.Components {
		got[c.BOMRef] = c
	}
	for ref, scope := range want {
		c, ok := got[ref]
		if !ok {
			t.Errorf("missing %s", ref)
			continue
		}
		if c.Scope != scope && scope != sbom.ScopeUnknown {
			t.Errorf("%s scope = %q, want %q", ref, c.Scope, scope)
		}
	}
	for _, dev := range []string{"pkg:pypi/pytest@8.3.3", "pkg:npm/mocha@10.7.3", "pkg:composer/phpunit/phpunit@11.3.6"} {
		if _, ok := got[dev]; ok {
			t.Errorf("dev dependency %s is in without --include-dev", dev)
		}
	}
	if h := got["pkg:pypi/requests@2.32.3"].Hashes; len(h) != 2 {
		t.Errorf("uv.lock hashes of requests = %v, want sdist and wheel", h)
	}
	if diff := cmp.Diff([]string{"pkg:pypi/certifi@2024.8.30", "pkg:pypi/idna@3.10"}, sbomtest.DepsOf(b, "pkg:pypi/requests@2.32.3")); diff != "" {
		t.Errorf("uv.lock graph (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"pkg:npm/js-tokens@4.0.0"}, sbomtest.DepsOf(b, "pkg:npm/loose-envify@1.4.0")); diff != "" {
		t.Errorf("yarn.lock graph (-want +got):\n%s", diff)
	}
	if h := got["pkg:npm/js-tokens@4.0.0"].Hashes; len(h) != 1 || h[0].Algorithm != "SHA-512" {
		t.Errorf("yarn.lock integrity of js-tokens = %v", h)
	}
	if diff := cmp.Diff([]string{"pkg:npm/ms@2.0.0"}, sbomtest.DepsOf(b, "pkg:npm/debug@2.6.9")); diff != "" {
		t.Errorf("npm v1 graph (-want +got):\n%s", diff)
	}
	if c := got["pkg:golang/github.com/CycloneDX/cyclonedx-go@v0.12.0"]; !slices.Equal(c.Locations, []string{"bin/tool"}) {
		t.Errorf("go binary location = %v", c.Locations)
	}
}

func testBinary(t *testing.T) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Skip(err)
	}
	return exe
}

func copyFile(t *testing.T, from, to string, perm os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, perm)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestGenerateFixturesDetails(t *testing.T) {
	t.Parallel()
	b, err := SBOM(context.Background(), lockfileSets(t), Options{Tool: sbom.Tool{Name: "sdlkit", Version: "test"}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]sbom.Component{}
	for _, c := range b.Components {
		got[c.BOMRef] = c
	}
	tests := []struct {
		ref      string
		license  string
		location string
	}{
		// Cargo.lock checksum
		{"pkg:cargo/aho-corasick@1.1.5", "", "BurntSushi+ripgrep/Cargo.lock"},
		// go.sum h1, base64 → hex
		{"pkg:golang/github.com/prometheus/common@v0.70.1", "", "prometheus+prometheus/go.mod"},
		// npm integrity and license
		{"pkg:npm/semver@7.6.3", "ISC", "npm+cli/package-lock.json"},
	}
	for _, tt := range tests {
		c, ok := got[tt.ref]
		if !ok {
			t.Errorf("missing %s", tt.ref)
			continue
		}
		if len(c.Hashes) == 0 {
			t.Errorf("%s has no hashes", tt.ref)
		}
		if tt.license != "" && !slices.Contains(c.Licenses, tt.license) {
			t.Errorf("%s licenses = %v, want %s", tt.ref, c.Licenses, tt.license)
		}
		if !slices.Contains(c.Locations, tt.location) {
			t.Errorf("%s locations = %v, want %s", tt.ref, c.Locations, tt.location)
		}
	}
	// A package in two lockfiles is one component found in both.
	// (graceful-fs, once used here, is a devDependency of prometheus' UI.)
	if c := got["pkg:npm/ms@2.1.3"]; len(c.Locations) < 2 {
		t.Errorf("ms 2.1.3 locations = %v, want npm/cli's and prometheus's", c.Locations)
	}
	sbomtest.CheckModelInvariants(t, b)
	checkGraph(t, b)
}

// checkGraph checks that every ref in the graph is the product or a
// component.
func checkGraph(t *testing.T, b *sbom.BOM) {
	t.Helper()
	refs := map[string]bool{b.Product.BOMRef: true}
	for _, c := range b.Components {
		refs[c.BOMRef] = true
	}
	for _, d := range b.Dependencies {
		if !refs[d.Ref] {
			t.Errorf("dependency ref %s is no component", d.Ref)
		}
		for _, on := range d.DependsOn {
			if !refs[on] {
				t.Errorf("%s depends on %s, which is no component", d.Ref, on)
			}
		}
	}
}

func TestGenerateReproducible(t *testing.T) {
	t.Parallel()
	opts := Options{Tool: sbom.Tool{Name: "sdlkit", Version: "test"}, Timestamp: time.Unix(1700000000, 0)}
	var outs [2][]byte
	dir := lockfileSets(t)
	for i := range outs {
		b, err := SBOM(context.Background(), dir, opts)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := cyclonedx.Encode(&buf, b, cyclonedx.EncodeOptions{}); err != nil {
			t.Fatal(err)
		}
		outs[i] = buf.Bytes()
	}
	if !bytes.Equal(outs[0], outs[1]) {
		t.Error("two runs differ")
	}
}

func TestGenerateBadInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string)
		want  string // the error, with the temp dir as root
	}{
		{"malformed npm", func(t *testing.T, dir string) {
			write(t, dir, "app/package-lock.json", "{\n  \"packages\": {\n    \"\": {,\n}")
		}, "app/package-lock.json:3: invalid character ',' looking for beginning of object key string"},
		{"malformed cargo", func(t *testing.T, dir string) {
			write(t, dir, "Cargo.lock", "[[package]]\nname = \"a\"\nversion = = \"1\"\n")
		}, "Cargo.lock:3: "},
		{"malformed pom.xml", func(t *testing.T, dir string) {
			write(t, dir, "java/pom.xml", "<project>\n<dependencies>\n</project>\n")
		}, "java/pom.xml:3: element <dependencies> closed by </project>"},
		{"malformed pnpm", func(t *testing.T, dir string) {
			write(t, dir, "pnpm-lock.yaml", "lockfileVersion: '9.0'\npackages:\n  a@1.0.0: [\n")
		}, "pnpm-lock.yaml:"},
		{"malformed go.mod", func(t *testing.T, dir string) {
			write(t, dir, "go.mod", "module x\n\nrequire (\n\tgithub.com/a/b\n)\n")
		}, "go.mod:4: usage: require module/path v1.2.3"},
		{"too large", func(t *testing.T, dir string) {
			f, err := os.Create(filepath.Join(dir, "package-lock.json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := f.Truncate(1 << 30); err != nil { // sparse: 1 GiB that takes no space
				t.Fatal(err)
			}
			f.Close()
		}, "package-lock.json: file too large: 1024 MiB, the limit for a lockfile is 64 MiB"},
		{"symlink loop", func(t *testing.T, dir string) {
			if err := os.Symlink("Cargo.lock", filepath.Join(dir, "Cargo.lock")); err != nil {
				t.Fatal(err)
			}
		}, "Cargo.lock: open: too many levels of symbolic links"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			write(t, dir, "ok/Cargo.lock", "[[package]]\nname = \"memchr\"\nversion = \"2.7.4\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n")
			tt.setup(t, dir)
			_, err := SBOM(context.Background(), dir, Options{})
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error = %v, want a *FileError", err)
			}
			if want := "generate sbom: " + filepath.ToSlash(dir) + "/" + tt.want; !strings.HasPrefix(err.Error(), want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error = %q, want one line starting %q", err, want)
			}
			b, err := SBOM(context.Background(), dir, Options{KeepGoing: true})
			if err != nil {
				t.Fatalf("keep going: %v", err)
			}
			if s := Skipped(b); len(s) != 1 || !strings.HasPrefix(s[0], tt.want) {
				t.Errorf("skipped = %q, want one starting %q", s, tt.want)
			}
			if len(b.Components) != 1 {
				t.Errorf("keep going: %d components, want the one good lockfile's", len(b.Components))
			}
		})
	}
}

func write(t *testing.T, dir, rel, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestGenerateMissingRoot(t *testing.T) {
	t.Parallel()
	_, err := SBOM(context.Background(), filepath.Join(t.TempDir(), "nope"), Options{})
	if err == nil || !strings.Contains(err.Error(), "no such file or directory") {
		t.Errorf("error = %v", err)
	}
}

func BenchmarkGenerateFixtures(b *testing.B) {
	dir := lockfileSets(b)
	for b.Loop() {
		bom, err := SBOM(context.Background(), dir, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if err := cyclonedx.Encode(io.Discard, bom, cyclonedx.EncodeOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestMain points the default Go module cache at an empty directory, so
// that no test depends on what the machine has downloaded: the tests of the
// module-cache graph pass their own cache (testdata/gomodcache).
func TestMain(m *testing.M) {
	empty, err := os.MkdirTemp("", "sdlkit-empty-gomodcache-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("GOMODCACHE", empty)
	code := m.Run()
	os.RemoveAll(empty)
	os.Exit(code)
}
