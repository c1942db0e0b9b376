package merge_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/sdlkit/sdlkit/internal/sbomtest"
	"github.com/sdlkit/sdlkit/sbom"
	"github.com/sdlkit/sdlkit/sbom/cyclonedx"
	"github.com/sdlkit/sdlkit/sbom/merge"
)

// BenchmarkMergeTrivyGomod decodes and merges a trivy and a cyclonedx-gomod
// SBOM of the corpora, and encodes the result.
func BenchmarkMergeTrivyGomod(b *testing.B) {
	var docs [][]byte
	for _, f := range []string{
		sbomtest.Corpus(b, "sboms", "trivy", "integration", "testdata", "fluentd-multiple-lockfiles.cdx.json.golden"),
		sbomtest.Corpus(b, "sboms", "cyclonedx-gomod", "examples", "app_minikube-v1.23.1_with-files.bom.json"),
	} {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		docs = append(docs, data)
	}
	for b.Loop() {
		var inputs []*sbom.BOM
		for _, d := range docs {
			bom, err := cyclonedx.Decode(bytes.NewReader(d), "bench")
			if err != nil {
				b.Fatal(err)
			}
			inputs = append(inputs, bom)
		}
		m, err := merge.SBOMs(inputs, merge.Options{Name: "product", Version: "1.0.0"})
		if err != nil {
			b.Fatal(err)
		}
		var buf bytes.Buffer
		if err := cyclonedx.Encode(&buf, m, cyclonedx.EncodeOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
