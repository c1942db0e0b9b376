package format_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/sdlkit/sdlkit/internal/sbomtest"
	"github.com/sdlkit/sdlkit/sbom/diff"
	"github.com/sdlkit/sdlkit/sbom/format"

	"github.com/google/go-cmp/cmp"
)

// common is the test data the sbom packages have in common; its README.md
// gives the sources and licenses of the third-party files.
var common = filepath.Join("..", "testdata")

// TestDecodeAnyFormat decodes one SBOM of each format, made by other tools,
// through Decode.
func TestDecodeAnyFormat(t *testing.T) {
	t.Parallel()
	trivy := filepath.Join(common, "sboms", "trivy", "integration", "testdata")
	tests := []struct {
		file       string
		format     format.Format
		components int
	}{
		{filepath.Join(trivy, "fixtures", "sbom", "centos-7-cyclonedx.json"), format.CycloneDXJSON, 0},
		{filepath.Join("..", "validate", "testdata", "valid-dependency-1.6.xml"), format.CycloneDXXML, 3},
		{filepath.Join(trivy, "fixtures", "sbom", "centos-7-spdx.json"), format.SPDXJSON, 0},
		{filepath.Join(trivy, "fixtures", "sbom", "centos-7-spdx.txt"), format.SPDXTagValue, 0},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			got, err := format.Detect(data)
			if err != nil || got != tt.format {
				t.Fatalf("Detect = %q, %v; want %q", got, err, tt.format)
			}
			b, err := format.Decode(bytes.NewReader(data), tt.file)
			if err != nil {
				t.Fatal(err)
			}
			if len(b.Components) == 0 {
				t.Error("no components")
			}
			if tt.components > 0 && len(b.Components) != tt.components {
				t.Errorf("%d components, want %d", len(b.Components), tt.components)
			}
		})
	}
}

// TestDecodeTagValueAgainstJSON compares trivy's tag-value and JSON SPDX
// test documents of one image: they agree but for the version of
// openssl-libs, "1:1.0.2k-19.el7" in JSON and "1.0.2k" in tag-value, which
// RPM order (epoch 1 over none) makes a downgrade.
func TestDecodeTagValueAgainstJSON(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(common, "sboms", "trivy", "integration", "testdata", "fixtures", "sbom")
	fromJSON, fromTV := sbomtest.DecodeFile(t, filepath.Join(dir, "centos-7-spdx.json")), sbomtest.DecodeFile(t, filepath.Join(dir, "centos-7-spdx.txt"))
	d := diff.Compare(fromJSON, fromTV, "json", "tag-value")
	want := []diff.ComponentChange{{Kind: diff.Downgraded, Key: "pkg:rpm/centos/openssl-libs", Name: "centos/openssl-libs", Ecosystem: "Red Hat",
		OldVersion: "1:1.0.2k-19.el7", NewVersion: "1.0.2k", PURL: "pkg:rpm/centos/openssl-libs@1.0.2k-16.el7?arch=x86_64&epoch=1&distro=centos-7.6.1810", Licenses: []string{"OpenSSL"}}}
	if delta := cmp.Diff(want, d.Changes); delta != "" || d.Unchanged != 2 {
		t.Errorf("changes (-want +got):\n%s\nunchanged %d, want 2", delta, d.Unchanged)
	}
}

func TestDetectFormatErrors(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"", "[]", `{"name": "x"}`, "PK\x03\x04"} {
		if _, err := format.Detect([]byte(in)); err == nil {
			t.Errorf("format.Detect(%q) succeeded", in)
		}
	}
	if _, err := format.Detect([]byte(`{"a": 1,`)); err == nil || errors.Is(err, format.ErrUnknown) {
		t.Errorf("truncated JSON: %v, want a parse error", err)
	}
}
