package lockfile

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"

	"github.com/sdlkit/sdlkit/sbom"
	"github.com/sdlkit/sdlkit/sbom/internal/textpos"
	"github.com/sdlkit/sdlkit/sbom/purl"
)

// nugetLock is the part of packages.lock.json that scalibr's extractor
// does not keep: per target framework, each package's type (Direct,
// Transitive, Project, CentralTransitive), content hash and dependencies.
type nugetLock struct {
	Dependencies map[string]map[string]nugetPackage `json:"dependencies"`
}

type nugetPackage struct {
	Type         string            `json:"type"`
	Resolved     string            `json:"resolved"`
	ContentHash  string            `json:"contentHash"`
	Dependencies map[string]string `json:"dependencies"`
}

// readNuGetLockExtra reads the graph and content hashes of
// packages.lock.json. A dependency names a version range; the edge points
// at the version resolved for that package in the same target framework
// (NuGet resolves one version per package and framework; names compare
// case-insensitively). Direct packages are the roots. The contentHash is
// the base64 SHA-512 of the .nupkg.
func readNuGetLockExtra(data []byte) (*Info, error) {
	var lock nugetLock
	if err := json.Unmarshal(data, &lock); err != nil {
		return nil, &FileError{Line: textpos.LineOfJSONError(data, err), Err: err}
	}
	info := NewInfo()
	info.Graph = true
	for _, pkgs := range lock.Dependencies {
		resolved := make(map[string]string, len(pkgs))
		for name, p := range pkgs {
			if p.Resolved != "" {
				resolved[strings.ToLower(name)] = purl.New("NuGet", name, p.Resolved)
			}
		}
		for name, p := range pkgs {
			ref := resolved[strings.ToLower(name)]
			if ref == "" {
				continue // a project reference: no package
			}
			if h, ok := nugetContentHash(p.ContentHash); ok {
				info.Hashes[ref] = sbom.UnionHashes(info.Hashes[ref], []sbom.Hash{h})
			}
			for dep := range p.Dependencies {
				if to, ok := resolved[strings.ToLower(dep)]; ok && to != ref {
					info.Edges[ref] = append(info.Edges[ref], to)
				}
			}
			if p.Type == "Direct" {
				info.Roots = append(info.Roots, ref)
			}
		}
	}
	for ref, on := range info.Edges {
		slices.Sort(on)
		info.Edges[ref] = slices.Compact(on)
	}
	slices.Sort(info.Roots)
	info.Roots = slices.Compact(info.Roots)
	return info, nil
}

func nugetContentHash(s string) (sbom.Hash, bool) {
	sum, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(sum) != 64 {
		return sbom.Hash{}, false
	}
	return sbom.Hash{Algorithm: "SHA-512", Value: hex.EncodeToString(sum)}, true
}
