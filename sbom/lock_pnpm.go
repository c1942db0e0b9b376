package sbom

import (
	"strings"

	"gopkg.in/yaml.v3"
)

type pnpmDeps map[string]string

type pnpmImporter struct {
	Dependencies         map[string]pnpmSpec `yaml:"dependencies"`
	DevDependencies      map[string]pnpmSpec `yaml:"devDependencies"`
	OptionalDependencies map[string]pnpmSpec `yaml:"optionalDependencies"`
}

// pnpmSpec is an importer's dependency: {specifier, version} from lockfile
// v6 on.
type pnpmSpec struct {
	Version string `yaml:"version"`
}

type pnpmPackage struct {
	Resolution struct {
		Integrity string `yaml:"integrity"`
	} `yaml:"resolution"`
	Dependencies         pnpmDeps `yaml:"dependencies"`
	OptionalDependencies pnpmDeps `yaml:"optionalDependencies"`
}

// readPNPMExtra reads pnpm-lock.yaml v6 and v9: integrity hashes from
// packages, the graph from snapshots (v9) or packages (v6), and the roots
// from importers. Peer-dependency suffixes "(…)" and v6's leading "/" are
// dropped, so that a package is named@versioned as scalibr names it.
func readPNPMExtra(data []byte) (*lockInfo, error) {
	var lock struct {
		Importers map[string]pnpmImporter `yaml:"importers"`
		Packages  map[string]pnpmPackage  `yaml:"packages"`
		Snapshots map[string]pnpmPackage  `yaml:"snapshots"`
	}
	if err := yaml.Unmarshal(data, &lock); err != nil {
		return nil, &FileError{Err: err}
	}
	info := newLockInfo()
	info.graph = true
	for key, p := range lock.Packages {
		name, version := pnpmKey(key)
		ref := PURL("npm", name, version)
		info.hashes[ref] = unionHashes(info.hashes[ref], sriHashes(p.Resolution.Integrity))
		info.addPNPMEdges(ref, p)
	}
	for key, p := range lock.Snapshots {
		name, version := pnpmKey(key)
		info.addPNPMEdges(PURL("npm", name, version), p)
	}
	for _, imp := range lock.Importers {
		for _, deps := range []map[string]pnpmSpec{imp.Dependencies, imp.DevDependencies, imp.OptionalDependencies} {
			for name, spec := range deps {
				if ref := pnpmDepRef(name, spec.Version); ref != "" {
					info.roots = append(info.roots, ref)
				}
			}
		}
	}
	return info, nil
}

func (l *lockInfo) addPNPMEdges(ref string, p pnpmPackage) {
	for _, deps := range []pnpmDeps{p.Dependencies, p.OptionalDependencies} {
		for name, v := range deps {
			if dep := pnpmDepRef(name, v); dep != "" {
				l.edges[ref] = append(l.edges[ref], dep)
			}
		}
	}
}

// pnpmKey splits a packages/snapshots key: "/@scope/name@1.0.0(peer@2)" or
// "name@1.0.0".
func pnpmKey(key string) (name, version string) {
	key = strings.TrimPrefix(key, "/")
	if i := strings.IndexByte(key, '('); i >= 0 {
		key = key[:i]
	}
	i := strings.LastIndexByte(key, '@')
	if i <= 0 {
		return key, ""
	}
	return key[:i], key[i+1:]
}

// pnpmDepRef resolves a dependency's version field: a version with peer
// suffixes, an alias "other@1.0.0", or a link:/file: that is no package.
func pnpmDepRef(name, v string) string {
	if strings.HasPrefix(v, "link:") || strings.HasPrefix(v, "file:") || v == "" {
		return ""
	}
	if i := strings.IndexByte(v, '('); i >= 0 {
		v = v[:i]
	}
	if i := strings.LastIndexByte(v, '@'); i > 0 {
		name, v = strings.TrimPrefix(v[:i], "/"), v[i+1:]
	}
	return PURL("npm", name, v)
}
