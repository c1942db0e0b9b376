package validate_test

import (
	"os"
	"testing"

	"github.com/sdlkit/sdlkit/internal/sbomtest"
	"github.com/sdlkit/sdlkit/sbom/validate"
)

// BenchmarkValidate validates the largest SBOM of the corpora,
// cyclonedx-gomod's minikube with files (2,762 components); the schema is
// compiled once per process, before the timer starts.
func BenchmarkValidate(b *testing.B) {
	path := sbomtest.Corpus(b, "sboms", "cyclonedx-gomod", "examples", "app_minikube-v1.23.1_with-files.bom.json")
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := validate.Document(data, "warm-up"); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := validate.Document(data, path); err != nil {
			b.Fatal(err)
		}
	}
}
