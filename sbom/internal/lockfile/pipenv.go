package lockfile

import (
	"encoding/json"
	"strings"

	"github.com/sdlkit/sdlkit/sbom"
	"github.com/sdlkit/sdlkit/sbom/internal/textpos"
	"github.com/sdlkit/sdlkit/sbom/purl"
)

// pipfileLock is the part of Pipfile.lock that scalibr's extractor does not
// keep: each package's "sha256:hex" hashes, in the default and develop
// sections.
type pipfileLock struct {
	Default map[string]pipfilePackage `json:"default"`
	Develop map[string]pipfilePackage `json:"develop"`
}

type pipfilePackage struct {
	Version string   `json:"version"`
	Hashes  []string `json:"hashes"`
}

// readPipfileLockExtra reads the hashes of Pipfile.lock's pinned packages
// ("==version"; VCS and path packages have none). Pipfile.lock lists every
// package the environment needs but not which needs which, so it gives no
// graph.
func readPipfileLockExtra(data []byte) (*Info, error) {
	var lock pipfileLock
	if err := json.Unmarshal(data, &lock); err != nil {
		return nil, &FileError{Line: textpos.LineOfJSONError(data, err), Err: err}
	}
	info := NewInfo()
	for _, section := range []map[string]pipfilePackage{lock.Default, lock.Develop} {
		for name, p := range section {
			version, ok := strings.CutPrefix(p.Version, "==")
			if !ok || version == "" {
				continue
			}
			ref := purl.New("PyPI", name, version)
			info.Hashes[ref] = sbom.UnionHashes(info.Hashes[ref], PipHashes(p.Hashes))
		}
	}
	return info, nil
}
