package sbom

import (
	"encoding/json"
	"strings"
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
func readPipfileLockExtra(data []byte) (*lockInfo, error) {
	var lock pipfileLock
	if err := json.Unmarshal(data, &lock); err != nil {
		return nil, &FileError{Line: lineOfJSONError(data, err), Err: err}
	}
	info := newLockInfo()
	for _, section := range []map[string]pipfilePackage{lock.Default, lock.Develop} {
		for name, p := range section {
			version, ok := strings.CutPrefix(p.Version, "==")
			if !ok || version == "" {
				continue
			}
			ref := PURL("PyPI", name, version)
			info.hashes[ref] = unionHashes(info.hashes[ref], pipHashes(p.Hashes))
		}
	}
	return info, nil
}
