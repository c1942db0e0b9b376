package lockfile

import (
	"path/filepath"
	"testing"
)

func FuzzReadNuGetLockExtra(f *testing.F) {
	addSeedFiles(f, filepath.Join(testdata, "nuget", "packages.lock.json"))
	f.Add([]byte(`{"dependencies":{"net8.0":{"A":{"type":"Direct","resolved":"1.0.0","contentHash":"AA==","dependencies":{"b":"[2.0.0]"}},"B":{"type":"Transitive","resolved":"2.0.0"},"P":{"type":"Project","dependencies":{"A":"1.0.0"}}}}}`))
	fuzzReader(f, readNuGetLockExtra)
}
