package sbom

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestDecodeAnyFormat decodes one SBOM of each format, made by other tools,
// through Decode.
func TestDecodeAnyFormat(t *testing.T) {
	t.Parallel()
	trivy := filepath.Join(fixtures, "sboms", "trivy", "integration", "testdata")
	tests := []struct {
		file       string
		format     DocumentFormat
		components int
	}{
		{filepath.Join(trivy, "fixtures", "sbom", "centos-7-cyclonedx.json"), FormatCycloneDXJSON, 0},
		{filepath.Join("testdata", "validate", "valid-dependency-1.6.xml"), FormatCycloneDXXML, 3},
		{filepath.Join(trivy, "fixtures", "sbom", "centos-7-spdx.json"), FormatSPDXJSON, 0},
		{filepath.Join(trivy, "fixtures", "sbom", "centos-7-spdx.txt"), FormatSPDXTagValue, 0},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			format, err := DetectFormat(data)
			if err != nil || format != tt.format {
				t.Fatalf("DetectFormat = %q, %v; want %q", format, err, tt.format)
			}
			b, err := Decode(bytes.NewReader(data), tt.file)
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
	dir := filepath.Join(fixtures, "sboms", "trivy", "integration", "testdata", "fixtures", "sbom")
	fromJSON, fromTV := decodeAny(t, filepath.Join(dir, "centos-7-spdx.json")), decodeAny(t, filepath.Join(dir, "centos-7-spdx.txt"))
	d := DiffBOMs(fromJSON, fromTV, "json", "tag-value")
	want := []ComponentChange{{Kind: ChangeDowngraded, Key: "pkg:rpm/centos/openssl-libs", Name: "centos/openssl-libs", Ecosystem: "Red Hat",
		OldVersion: "1:1.0.2k-19.el7", NewVersion: "1.0.2k", PURL: "pkg:rpm/centos/openssl-libs@1.0.2k-16.el7?arch=x86_64&epoch=1&distro=centos-7.6.1810", Licenses: []string{"OpenSSL"}}}
	if diff := cmp.Diff(want, d.Changes); diff != "" || d.Unchanged != 2 {
		t.Errorf("changes (-want +got):\n%s\nunchanged %d, want 2", diff, d.Unchanged)
	}
}

func TestDetectFormatErrors(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"", "[]", `{"name": "x"}`, "PK\x03\x04"} {
		if _, err := DetectFormat([]byte(in)); err == nil {
			t.Errorf("DetectFormat(%q) succeeded", in)
		}
	}
	if _, err := DetectFormat([]byte(`{"a": 1,`)); err == nil || errors.Is(err, ErrUnknownFormat) {
		t.Errorf("truncated JSON: %v, want a parse error", err)
	}
}

func decodeAny(t *testing.T, file string) *BOM {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := Decode(f, file)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
