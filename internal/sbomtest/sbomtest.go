// Package sbomtest holds the helpers that the sbom packages' tests share:
// golden files, validity checks, decoding test inputs and unpacking the
// packed third-party test data. It is imported by tests only.
package sbomtest

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sdlkit/sdlkit/sbom"
	"github.com/sdlkit/sdlkit/sbom/format"
	"github.com/sdlkit/sdlkit/sbom/validate"
)

var update = flag.Bool("update", false, "rewrite golden files")

// Golden compares got with the golden file at path, or rewrites the file
// when the test runs with -update.
func Golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

// CheckValid validates doc and fails the test unless it passes strictly
// (want true) or fails (want false).
func CheckValid(t *testing.T, name string, doc []byte, want bool) {
	t.Helper()
	r, err := validate.Document(doc, name)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if got := r.Passes(true); got != want {
		t.Errorf("%s: passes = %v, want %v; %d errors, %d warnings %s", name, got, want, r.Errors, r.Warnings, r.Error)
		for i, f := range r.Findings {
			if i == 5 {
				break
			}
			t.Logf("  %+v", f)
		}
	}
}

// DecodeFile decodes the SBOM at path, in any format, or fails the test.
func DecodeFile(t testing.TB, path string) *sbom.BOM {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := format.Decode(f, path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// CheckModelInvariants checks what every decoded BOM promises: unique,
// sorted, non-empty refs.
func CheckModelInvariants(t *testing.T, b *sbom.BOM) {
	t.Helper()
	for i, c := range b.Components {
		if c.BOMRef == "" {
			t.Errorf("component %d (%s) has no bom-ref", i, c.Name)
		}
		if i > 0 && b.Components[i-1].BOMRef >= c.BOMRef {
			t.Errorf("components not sorted or not unique at %q", c.BOMRef)
		}
	}
}

// HasRef reports whether b has a component with the bom-ref ref.
func HasRef(b *sbom.BOM, ref string) bool {
	for _, c := range b.Components {
		if c.BOMRef == ref {
			return true
		}
	}
	return false
}

// CorpusEnv names the environment variable that points benchmarks at the
// shared third-party corpora (../shared/fixtures, set by the .ci/bench-*
// scripts). Tests never read the corpora: they use their testdata.
const CorpusEnv = "SDLKIT_FIXTURES"

// Corpus returns the path of parts inside the corpora named by CorpusEnv,
// and skips the benchmark when the variable is not set.
func Corpus(b testing.TB, parts ...string) string {
	b.Helper()
	dir := os.Getenv(CorpusEnv)
	if dir == "" {
		b.Skipf("%s is not set: this benchmark reads the shared corpora (.ci/bench-sbom.sh sets it)", CorpusEnv)
	}
	return filepath.Join(append([]string{dir}, parts...)...)
}

// Unpack writes the files of the gzip-compressed tar archive into a new
// temporary folder and returns it. A missing or malformed archive fails the
// test.
func Unpack(t testing.TB, archive string) string {
	t.Helper()
	dir := t.TempDir()
	if err := unpackTarGz(archive, dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Tree copies the folder src into a new temporary folder and returns the
// copy: the files at their upstream paths, which the test may change
// without touching testdata. The folder NAME is made of NAME/ and
// NAME.tar.gz beside it (either may be missing): the archive is unpacked into
// the copy of NAME, at every level, and not copied itself. testdata/pack.sh
// writes such archives. A folder that is not there fails the test.
func Tree(t testing.TB, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), filepath.Base(src))
	found := false
	if _, err := os.Stat(src); err == nil {
		if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
			t.Fatalf("copy %s: %v", src, err)
		}
		found = true
	}
	if _, err := os.Stat(src + ".tar.gz"); err == nil {
		if err := unpackTarGz(src+".tar.gz", dst); err != nil {
			t.Fatal(err)
		}
		found = true
	}
	if !found {
		t.Fatalf("no folder %s and no %s.tar.gz", src, src)
	}
	err := filepath.WalkDir(dst, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		dir, ok := strings.CutSuffix(p, ".tar.gz")
		if !ok || d.IsDir() {
			return nil
		}
		if err := unpackTarGz(p, dir); err != nil {
			return err
		}
		return os.Remove(p)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// unpackTarGz writes the regular files of a gzip-compressed tar archive
// under dir. Entries that are neither folders nor regular files with a
// local path, files that are already there and an archive without files
// are an error.
func unpackTarGz(archive, dir string) error {
	f, err := os.Open(archive)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("read %s: %w", archive, err)
	}
	files := 0
	for tr := tar.NewReader(zr); ; {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", archive, err)
		}
		if h.Typeflag == tar.TypeDir {
			continue
		}
		if h.Typeflag != tar.TypeReg || !filepath.IsLocal(h.Name) {
			return fmt.Errorf("read %s: %q is not a regular file with a local path", archive, h.Name)
		}
		p := filepath.Join(dir, filepath.FromSlash(h.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := writeNew(p, tr); err != nil {
			return fmt.Errorf("unpack %s: %w", archive, err)
		}
		files++
	}
	if files == 0 {
		return fmt.Errorf("read %s: no files", archive)
	}
	return nil
}

// writeNew writes r to the new file p.
func writeNew(p string, r io.Reader) error {
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// SmallBOM is a small BOM that uses every field the codecs write.
func SmallBOM() *sbom.BOM {
	return &sbom.BOM{
		Timestamp: time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC),
		Product: sbom.Component{
			BOMRef: "pkg:golang/example.com/plc-gateway@v1.2.0", Type: sbom.TypeApplication,
			Name: "example.com/plc-gateway", Version: "v1.2.0", PURL: "pkg:golang/example.com/plc-gateway@v1.2.0",
			Ecosystem: "Go", Supplier: "Example Automation GmbH",
		},
		Tools: []sbom.Tool{{Vendor: "sdlkit", Name: "sdlkit", Version: "v0.1.0"}},
		Components: []sbom.Component{
			{
				BOMRef: "pkg:golang/golang.org/x/text@v0.14.0", Type: sbom.TypeLibrary, Name: "golang.org/x/text",
				Version: "v0.14.0", PURL: "pkg:golang/golang.org/x/text@v0.14.0", Ecosystem: "Go", Scope: sbom.ScopeRequired,
				Hashes:    []sbom.Hash{{Algorithm: "SHA-256", Value: "0ddbd3b3ef8c7e1a1b46b1ba4f2c0d4a1dca4c3a1b3b5d8f5f8e1c2d3e4f5a6b"}},
				Licenses:  []string{"BSD-3-Clause"},
				Locations: []string{"go.mod"},
			},
			{
				BOMRef: "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1", Type: sbom.TypeLibrary,
				Name: "org.apache.logging.log4j:log4j-core", Version: "2.17.1",
				PURL: "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1", Ecosystem: "Maven",
				Licenses: []string{"Apache-2.0", "Apache License, Version 2.0"}, Locations: []string{"java/pom.xml"},
			},
			{
				BOMRef: "pkg:npm/%40types/node@20.1.0", Type: sbom.TypeLibrary, Name: "@types/node", Version: "20.1.0",
				PURL: "pkg:npm/%40types/node@20.1.0", Ecosystem: "npm", Scope: sbom.ScopeExcluded,
				Licenses: []string{"MIT OR Apache-2.0"}, Locations: []string{"web/package-lock.json"},
				Properties: []sbom.Property{{Name: "sdlkit:dev", Value: "true"}},
			},
		},
		Dependencies: []sbom.Dependency{
			{Ref: "pkg:golang/example.com/plc-gateway@v1.2.0", DependsOn: []string{"pkg:golang/golang.org/x/text@v0.14.0"}},
			{Ref: "pkg:golang/golang.org/x/text@v0.14.0"},
		},
		Artifacts: []sbom.Artifact{{Name: "plc-gateway_linux_amd64", Size: 1234, Hashes: []sbom.Hash{
			{Algorithm: "SHA-256", Value: strings.Repeat("ab", 32)},
			{Algorithm: "SHA-512", Value: strings.Repeat("cd", 64)},
		}}},
		Properties: []sbom.Property{{Name: "sdlkit:skipped", Value: "broken/package-lock.json: unexpected end of JSON input"}},
	}
}

// DepsOf returns what ref depends on in b.
func DepsOf(b *sbom.BOM, ref string) []string {
	for _, d := range b.Dependencies {
		if d.Ref == ref {
			return d.DependsOn
		}
	}
	return nil
}
