package validate

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/sdlkit/sdlkit/sbom/format"
)

// FuzzValidate feeds arbitrary bytes through every input path of Document
// and Decode: format detection, JSON and XML decoding, CycloneDX and SPDX
// rules. They must never panic; Document must return either an error or a
// consistent report.
func FuzzValidate(f *testing.F) {
	for _, s := range []string{
		cdx16(`"components":[{"type":"library","name":"a","bom-ref":"a","purl":"pkg:npm/a@1","components":[{"type":"library","name":"b","bom-ref":"a"}]}],"dependencies":[{"ref":"a","dependsOn":["x"],"provides":["a"]}]`),
		`{"bomFormat":"CycloneDX"}`,
		`{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","packages":[{"SPDXID":"SPDXRef-a","name":"a","externalRefs":[{"referenceType":"purl","referenceLocator":"x"}]}],"relationships":[{"spdxElementId":"SPDXRef-DOCUMENT","relatedSpdxElement":"DocumentRef-x:SPDXRef-y","relationshipType":"DESCRIBES"}]}`,
		"SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\nPackageName: a\nSPDXID: SPDXRef-a\n",
		`<bom xmlns="http://cyclonedx.org/schema/bom/1.6"><components><component type="library"><name>a</name></component></components></bom>`,
	} {
		f.Add([]byte(s))
	}
	for _, glob := range []string{"testdata/*.xml", "../diff/testdata/*.json"} {
		files, _ := filepath.Glob(glob)
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = format.Decode(bytes.NewReader(data), "fuzz")
		r, err := Document(data, "fuzz")
		if err != nil {
			if r != nil {
				t.Fatalf("got a report and error %v", err)
			}
			return
		}
		if r.Valid != (r.Errors == 0) || r.Errors+r.Warnings != len(r.Findings) {
			t.Fatalf("inconsistent report: %+v", r)
		}
	})
}
