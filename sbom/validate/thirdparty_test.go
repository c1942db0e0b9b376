package validate_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sdlkit/sdlkit/internal/sbomtest"
	"github.com/sdlkit/sdlkit/sbom/format"
	"github.com/sdlkit/sdlkit/sbom/validate"
)

// These tests read third-party documents, some packed (sbomtest.Tree
// unpacks them); they are an external test package because sbomtest
// imports validate.

// TestValidateSpecificationTests runs the CycloneDX specification's own
// test BOMs (CycloneDX/specification @ e02a34ae, Apache-2.0; see
// testdata/README.md): every valid-* passes, every invalid-* fails, and
// nothing is an input error.
func TestValidateSpecificationTests(t *testing.T) {
	t.Parallel()
	dir := sbomtest.Tree(t, filepath.Join("testdata", "specification-tests", "1.6"))
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil || len(files) != 70 {
		t.Fatalf("want the 70 1.6 specification tests in %s, got %d files (%v)", dir, len(files), err)
	}
	for _, file := range files {
		base := filepath.Base(file)
		wantValid := strings.HasPrefix(base, "valid-")
		if !wantValid && !strings.HasPrefix(base, "invalid-") || filepath.Ext(base) != ".json" {
			t.Errorf("%s: not a valid-* or invalid-* JSON test BOM", base)
			continue
		}
		t.Run(base, func(t *testing.T) {
			t.Parallel()
			r := validateFile(t, file)
			if r.Valid != wantValid {
				t.Errorf("Valid = %v, want %v; findings: %+v", r.Valid, wantValid, r.Findings)
			}
			if r.SpecVersion != "1.6" || r.Format != format.CycloneDXJSON {
				t.Errorf("got %s %s, want cyclonedx-json 1.6", r.Format, r.SpecVersion)
			}
		})
	}
}

// TestValidateThirdPartySBOMs checks SBOMs written by other tools and the
// CycloneDX examples (../testdata, see its README.md): they must be
// readable, and the ones known to be valid must pass.
func TestValidateThirdPartySBOMs(t *testing.T) {
	t.Parallel()
	common := filepath.Join("..", "testdata")
	// The sets with packed files, unpacked; the names below are paths
	// under common.
	unpacked := map[string]string{
		"sboms/cyclonedx-gomod": sbomtest.Tree(t, filepath.Join(common, "sboms", "cyclonedx-gomod")),
		"sboms/trivy":           sbomtest.Tree(t, filepath.Join(common, "sboms", "trivy")),
	}
	tests := []struct {
		file  string
		valid bool
	}{
		{"sboms/cyclonedx-gomod/examples/mod_minikube-v1.23.1.bom.json", true},
		{"sboms/cyclonedx-gomod/examples/app_minikube-v1.23.1_with-files.bom.json", true},
		{"sboms/trivy/integration/testdata/fixtures/sbom/centos-7-cyclonedx.json", true},
		// trivy's 2022 SPDX output leaves out downloadLocation, which
		// SPDX 2.2 and 2.3 require; trivy has written NONE since.
		{"sboms/trivy/integration/testdata/fixtures/sbom/centos-7-spdx.json", false},
		{"sboms/trivy/integration/testdata/fixtures/sbom/centos-7-spdx.txt", false},
		{"sboms/trivy/integration/testdata/conda-spdx.json.golden", true},
		{"sboms/trivy/integration/testdata/julia-spdx.json.golden", true},
		{"sboms/trivy/integration/testdata/fluentd-multiple-lockfiles.cdx.json.golden", true},
		{"cyclonedx/bom-examples/SBOM/laravel-7.12.0/bom.1.4.json", true},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(common, filepath.FromSlash(tt.file))
			for set, dir := range unpacked {
				if rest, ok := strings.CutPrefix(tt.file, set+"/"); ok {
					path = filepath.Join(dir, filepath.FromSlash(rest))
				}
			}
			r := validateFile(t, path)
			if r.Valid != tt.valid {
				t.Errorf("Valid = %v, want %v; findings: %+v", r.Valid, tt.valid, r.Findings)
			}
		})
	}
}

// validateFile validates a file and fails the test on an input error.
func validateFile(t testing.TB, file string) *validate.Report {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	r, err := validate.Document(data, file)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
