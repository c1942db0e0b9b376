package format_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sdlkit/sdlkit/sbom/format"
)

// FuzzDecode decodes arbitrary bytes as an SBOM of any format, seeded with
// real documents of each. It must not panic; an error names the document;
// a document it decodes is one Detect knows. (An error may quote the
// document, control characters included — tools-golang's tag-value errors
// do: the command line makes every error one escaped line.)
func FuzzDecode(f *testing.F) {
	trivy := filepath.Join(common, "sboms", "trivy", "integration", "testdata", "fixtures", "sbom")
	seeds := []string{
		filepath.Join(trivy, "centos-7-cyclonedx.json"),
		filepath.Join(trivy, "centos-7-spdx.json"),
		filepath.Join(trivy, "centos-7-spdx.txt"),
		filepath.Join("..", "validate", "testdata", "valid-dependency-1.6.xml"),
		filepath.Join("..", "cyclonedx", "testdata", "small.cdx.json"),
		filepath.Join("..", "cyclonedx", "testdata", "small.cdx.xml"),
		filepath.Join("..", "spdx", "testdata", "small.spdx.json"),
	}
	for _, p := range seeds {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err) // a seed that is gone is a test that no longer covers its format
		}
		f.Add(data)
	}
	f.Add([]byte("SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\nDocumentName: x\n"))
	f.Add([]byte(`{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"type": "library", "name": "a", "purl": "pkg:npm/a@1"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		bom, err := format.Decode(bytes.NewReader(data), "fuzz.json")
		if err != nil {
			if msg := err.Error(); !strings.Contains(msg, "fuzz.json") {
				t.Fatalf("error does not name the document: %q", msg)
			}
			return
		}
		if bom == nil {
			t.Fatal("no error and no BOM")
		}
		if _, err := format.Detect(data); err != nil {
			t.Fatalf("decoded a document Detect refuses: %v", err)
		}
	})
}
