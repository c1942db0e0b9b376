package sbom

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

// TestGenerateOutputValidates checks sdlkit's output for every fixture
// lockfile, and for the hand-written polyglot tree, with Validate: the
// official CycloneDX 1.6 and 1.5 schemas (JSON and XML) and the semantic
// rules, strictly (no warnings either); the SPDX output likewise.
func TestGenerateOutputValidates(t *testing.T) {
	t.Parallel()
	entries, err := os.ReadDir(lockfiles)
	if err != nil {
		t.Fatal(err)
	}
	dirs := []string{filepath.Join("testdata", "polyglot")}
	for _, e := range entries {
		dirs = append(dirs, filepath.Join(lockfiles, e.Name()))
	}
	encoders := map[string]func(*bytes.Buffer, *BOM) error{
		"cyclonedx 1.6 json": func(w *bytes.Buffer, b *BOM) error { return EncodeCycloneDX(w, b, EncodeOptions{}) },
		"cyclonedx 1.5 json": func(w *bytes.Buffer, b *BOM) error {
			return EncodeCycloneDX(w, b, EncodeOptions{SpecVersion: SpecVersion15})
		},
		"cyclonedx 1.6 xml": func(w *bytes.Buffer, b *BOM) error { return EncodeCycloneDX(w, b, EncodeOptions{XML: true}) },
		"spdx 2.3 json":     func(w *bytes.Buffer, b *BOM) error { return EncodeSPDX(w, b) },
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			b, err := Generate(context.Background(), dir, GenerateOptions{
				IncludeDev: true, Tool: Tool{Name: "sdlkit", Version: "test"},
				Version: "v1.0.0", Supplier: "Example GmbH", Artifacts: []string{filepath.Join("testdata", "polyglot", "README.md")},
			})
			if err != nil {
				t.Fatal(err)
			}
			for name, encode := range encoders {
				var buf bytes.Buffer
				if err := encode(&buf, b); err != nil {
					t.Fatal(err)
				}
				checkValid(t, name, buf.Bytes(), true)
			}
		})
	}
}

func checkValid(t *testing.T, name string, doc []byte, want bool) {
	t.Helper()
	r, err := Validate(doc, name)
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

// TestValidateCatchesBadOutput makes sure the check above can fail.
func TestValidateCatchesBadOutput(t *testing.T) {
	t.Parallel()
	b := testBOM()
	b.Components[0].Hashes = []Hash{{Algorithm: "SHA-256", Value: "not hex"}}
	var buf bytes.Buffer
	if err := EncodeCycloneDX(&buf, b, EncodeOptions{}); err != nil {
		t.Fatal(err)
	}
	checkValid(t, "bad hash", buf.Bytes(), false)
	b = testBOM()
	b.Dependencies = append(b.Dependencies, Dependency{Ref: "pkg:npm/nowhere@1.0.0"})
	buf.Reset()
	if err := EncodeCycloneDX(&buf, b, EncodeOptions{}); err != nil {
		t.Fatal(err)
	}
	checkValid(t, "dangling ref", buf.Bytes(), false)
}
