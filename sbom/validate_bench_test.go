package sbom

import (
	"os"
	"path/filepath"
	"testing"
)

// largestFixture is the largest SBOM among the fixtures: cyclonedx-gomod's
// minikube with files, 2,762 components (Apache-2.0).
var largestFixture = filepath.Join(fixtures, "sboms", "cyclonedx-gomod", "examples", "app_minikube-v1.23.1_with-files.bom.json")

// BenchmarkValidate validates the largest fixture SBOM; the schema is
// compiled once per process, before the timer starts.
func BenchmarkValidate(b *testing.B) {
	data, err := os.ReadFile(largestFixture)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := Validate(data, "warm-up"); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := Validate(data, largestFixture); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMergeTrivyGomod decodes and merges a trivy and a cyclonedx-gomod
// SBOM, and encodes the result.
func BenchmarkMergeTrivyGomod(b *testing.B) {
	var docs [][]byte
	for _, f := range []string{
		filepath.Join(fixtures, "sboms", "trivy", "integration", "testdata", "fluentd-multiple-lockfiles.cdx.json.golden"),
		largestFixture,
	} {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		docs = append(docs, data)
	}
	for b.Loop() {
		benchMerge(b, docs)
	}
}
