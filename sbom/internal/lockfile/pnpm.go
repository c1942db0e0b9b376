package lockfile

import (
	"slices"
	"strings"

	"github.com/sdlkit/sdlkit/sbom"
	"github.com/sdlkit/sdlkit/sbom/purl"

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
	// Optional is true when the package is reached only through optional
	// dependencies: pnpm installs it where it can (a platform's binary),
	// and the product works without it.
	Optional bool `yaml:"optional"`
}

// readPNPMExtra reads pnpm-lock.yaml v5 to v9: integrity hashes from
// packages, the graph from snapshots (v9) or packages (v5, v6), and the
// roots from importers (v5's single-project top-level dependencies are not
// read), and which packages are optional (pnpmOptional). Peer-dependency suffixes and the leading "/" of v5 and v6 keys are
// dropped, so that a package is named@versioned as scalibr names it.
func readPNPMExtra(data []byte) (*Info, error) {
	var lock struct {
		Importers map[string]pnpmImporter `yaml:"importers"`
		Packages  map[string]pnpmPackage  `yaml:"packages"`
		Snapshots map[string]pnpmPackage  `yaml:"snapshots"`
	}
	if err := yaml.Unmarshal(data, &lock); err != nil {
		return nil, &FileError{Err: err}
	}
	info := NewInfo()
	info.Graph = true
	for key, p := range lock.Packages {
		name, version := pnpmKey(key)
		ref := purl.New("npm", name, version)
		info.Hashes[ref] = sbom.UnionHashes(info.Hashes[ref], sriHashes(p.Resolution.Integrity))
		info.addPNPMEdges(ref, p)
	}
	for key, p := range lock.Snapshots {
		name, version := pnpmKey(key)
		info.addPNPMEdges(purl.New("npm", name, version), p)
	}
	flags := lock.Packages // v5, v6
	if lock.Snapshots != nil {
		flags = lock.Snapshots // v9: packages hold no flags
	}
	for ref := range pnpmOptional(flags) {
		info.Scopes[ref] = sbom.ScopeOptional
	}
	var prodRoots, devRoots []string
	for _, imp := range lock.Importers {
		prodRoots = appendPNPMRoots(prodRoots, imp.Dependencies, imp.OptionalDependencies)
		devRoots = appendPNPMRoots(devRoots, imp.DevDependencies)
	}
	info.Roots = append(slices.Clone(prodRoots), devRoots...)
	// v9 keeps no dev flag on packages (v5 and v6 did, and scalibr reads
	// it): a package is a development dependency when only the importers'
	// devDependencies reach it.
	prod := reachable(info.Edges, prodRoots)
	for ref := range reachable(info.Edges, devRoots) {
		if !prod[ref] {
			info.Scopes[ref] = sbom.ScopeExcluded
		}
	}
	return info, nil
}

func appendPNPMRoots(roots []string, lists ...map[string]pnpmSpec) []string {
	for _, deps := range lists {
		for name, spec := range deps {
			if ref := pnpmDepRef(name, spec.Version); ref != "" {
				roots = append(roots, ref)
			}
		}
	}
	return roots
}

// reachable returns the refs reached from roots through edges, roots
// included.
func reachable(edges map[string][]string, roots []string) map[string]bool {
	seen := map[string]bool{}
	stack := slices.Clone(roots)
	for len(stack) > 0 {
		ref := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[ref] {
			continue
		}
		seen[ref] = true
		stack = append(stack, edges[ref]...)
	}
	return seen
}

func (l *Info) addPNPMEdges(ref string, p pnpmPackage) {
	for _, deps := range []pnpmDeps{p.Dependencies, p.OptionalDependencies} {
		for name, v := range deps {
			if dep := pnpmDepRef(name, v); dep != "" {
				l.Edges[ref] = append(l.Edges[ref], dep)
			}
		}
	}
}

// pnpmKey splits a packages/snapshots key: "name@1.0.0" (v9),
// "/@scope/name@1.0.0(peer@2)" (v6), "/@scope/name/1.0.0_peer@2" (v5).
func pnpmKey(key string) (name, version string) {
	if rest, ok := strings.CutPrefix(key, "/"); ok {
		segs := strings.SplitN(rest, "/", 3)
		if strings.HasPrefix(rest, "@") && len(segs) == 3 {
			return segs[0] + "/" + segs[1], stripPNPMPeers(segs[2])
		}
		if !strings.HasPrefix(rest, "@") && len(segs) >= 2 {
			return segs[0], stripPNPMPeers(strings.Join(segs[1:], "/"))
		}
		key = rest
	}
	if i := strings.IndexByte(key, '('); i >= 0 {
		key = key[:i]
	}
	at := strings.LastIndexByte(key, '@')
	if at <= 0 {
		return key, ""
	}
	return key[:at], key[at+1:]
}

// stripPNPMPeers drops the peer suffix of v5 ("1.0.0_react@18.2.0") and
// v6 on ("1.0.0(react@18.2.0)"); a semver version has neither "_" nor "(".
func stripPNPMPeers(v string) string {
	if i := strings.IndexAny(v, "_("); i >= 0 {
		return v[:i]
	}
	return v
}

// pnpmDepRef resolves a dependency's version field: a version with peer
// suffixes, an alias "other@1.0.0", or a link:/file: that is no package.
func pnpmDepRef(name, v string) string {
	if strings.HasPrefix(v, "link:") || strings.HasPrefix(v, "file:") || v == "" {
		return ""
	}
	if v[0] >= '0' && v[0] <= '9' {
		v = stripPNPMPeers(v)
	} else { // an alias: other@1.0.0 (v9), /other@1.0.0 (v6), /other/1.0.0 (v5)
		name, v = pnpmKey(v)
	}
	return purl.New("npm", name, v)
}

// pnpmOptional returns the refs of the optional packages: "optional: true"
// on every key that names the package (several peer-dependency variants
// may).
func pnpmOptional(m map[string]pnpmPackage) map[string]bool {
	out := map[string]bool{}
	for key, p := range m {
		name, version := pnpmKey(key)
		ref := purl.New("npm", name, version)
		if opt, seen := out[ref]; !seen || opt {
			out[ref] = p.Optional
		}
	}
	for ref, opt := range out {
		if !opt {
			delete(out, ref)
		}
	}
	return out
}
