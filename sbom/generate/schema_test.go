package generate

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/sdlkit/sdlkit/internal/sbomtest"
	"github.com/sdlkit/sdlkit/sbom/cyclonedx"
	"github.com/sdlkit/sdlkit/sbom/spdx"

	"github.com/sdlkit/sdlkit/sbom"
)

// TestGenerateOutputValidates checks sdlkit's output for every fixture
// lockfile, and for the hand-written polyglot tree, with Validate: the
// official CycloneDX 1.6 and 1.5 schemas (JSON and XML) and the semantic
// rules, strictly (no warnings either); the SPDX output likewise.
func TestGenerateOutputValidates(t *testing.T) {
	t.Parallel()
	lockfiles := lockfileSets(t)
	entries, err := os.ReadDir(lockfiles)
	if err != nil {
		t.Fatal(err)
	}
	dirs := []string{filepath.Join(testdata, "polyglot")}
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, filepath.Join(lockfiles, e.Name()))
		}
	}
	if len(dirs) != 6 {
		t.Fatalf("%d lockfile folders in %s, want the five projects' and polyglot", len(dirs), lockfiles)
	}
	encoders := map[string]func(*bytes.Buffer, *sbom.BOM) error{
		"cyclonedx 1.6 json": func(w *bytes.Buffer, b *sbom.BOM) error { return cyclonedx.Encode(w, b, cyclonedx.EncodeOptions{}) },
		"cyclonedx 1.5 json": func(w *bytes.Buffer, b *sbom.BOM) error {
			return cyclonedx.Encode(w, b, cyclonedx.EncodeOptions{SpecVersion: cyclonedx.SpecVersion15})
		},
		"cyclonedx 1.6 xml": func(w *bytes.Buffer, b *sbom.BOM) error {
			return cyclonedx.Encode(w, b, cyclonedx.EncodeOptions{XML: true})
		},
		"spdx 2.3 json": func(w *bytes.Buffer, b *sbom.BOM) error { return spdx.Encode(w, b) },
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			b, err := SBOM(context.Background(), dir, Options{
				IncludeDev: true, Tool: sbom.Tool{Name: "sdlkit", Version: "test"},
				Version: "v1.0.0", Supplier: "Example GmbH", Artifacts: []string{filepath.Join(testdata, "polyglot", "README.md")},
			})
			if err != nil {
				t.Fatal(err)
			}
			for name, encode := range encoders {
				var buf bytes.Buffer
				if err := encode(&buf, b); err != nil {
					t.Fatal(err)
				}
				sbomtest.CheckValid(t, name, buf.Bytes(), true)
			}
		})
	}
}

// TestValidateCatchesBadOutput makes sure the check above can fail.
func TestValidateCatchesBadOutput(t *testing.T) {
	t.Parallel()
	b := sbomtest.SmallBOM()
	b.Components[0].Hashes = []sbom.Hash{{Algorithm: "SHA-256", Value: "not hex"}}
	var buf bytes.Buffer
	if err := cyclonedx.Encode(&buf, b, cyclonedx.EncodeOptions{}); err != nil {
		t.Fatal(err)
	}
	sbomtest.CheckValid(t, "bad hash", buf.Bytes(), false)
	b = sbomtest.SmallBOM()
	b.Dependencies = append(b.Dependencies, sbom.Dependency{Ref: "pkg:npm/nowhere@1.0.0"})
	buf.Reset()
	if err := cyclonedx.Encode(&buf, b, cyclonedx.EncodeOptions{}); err != nil {
		t.Fatal(err)
	}
	sbomtest.CheckValid(t, "dangling ref", buf.Bytes(), false)
}
