package sbom

import (
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// lockInfo is what a hand-written reader of one lockfile adds to scalibr's
// packages: hashes, licenses and the dependency graph, keyed by bom-ref
// (the purl built by PURL).
type lockInfo struct {
	hashes   map[string][]Hash
	licenses map[string][]string
	// edges are ref → refs it depends on; graph is true when the file
	// expresses the whole graph of its packages, so that a package without
	// edges has none (rather than unknown ones).
	edges map[string][]string
	graph bool
	// known are refs whose edges are known (possibly none) where graph is
	// false.
	known map[string]bool
	// goModFiles, goModules and goModsRead count go.mod files, the modules
	// they require and those whose own go.mod was read from the module
	// cache, for PropertyGoGraph.
	goModFiles, goModules, goModsRead int
	// roots are the refs the project itself depends on directly.
	roots []string
	// packages are components read by hand where sdlkit does not use
	// scalibr's extractor; their Scope is ScopeExcluded for dev ones.
	packages []Component
	// scopes are scopes the lockfile says where scalibr's are wrong.
	scopes map[string]Scope
}

func newLockInfo() *lockInfo {
	return &lockInfo{hashes: map[string][]Hash{}, licenses: map[string][]string{}, edges: map[string][]string{}, known: map[string]bool{}, scopes: map[string]Scope{}}
}

// apply adds what the lockfile says about c.
func (l *lockInfo) apply(c *Component) {
	if l == nil {
		return
	}
	c.Hashes = unionHashes(c.Hashes, l.hashes[c.BOMRef])
	if s, ok := l.scopes[c.BOMRef]; ok && c.Scope != ScopeExcluded {
		c.Scope = s
	}
	if len(c.Licenses) == 0 {
		c.Licenses = l.licenses[c.BOMRef]
	}
}

// lockExtra reads what scalibr does not from the lockfiles that carry it;
// nil for the others.
func (g *generator) lockExtra(rel string) (*lockInfo, error) {
	var read func([]byte) (*lockInfo, error)
	switch path.Base(rel) {
	case "go.mod":
		return readGoModExtra(filepath.Join(g.root, filepath.FromSlash(rel)), rel, g.goModCache)
	case "package-lock.json", "npm-shrinkwrap.json":
		if slices.Contains(strings.Split(rel, "/"), "node_modules") {
			return nil, nil // a dependency's own lockfile, not what is installed
		}
		read = readNPMExtra
	case "Cargo.lock":
		read = readCargoExtra
	case "yarn.lock":
		manifest := g.readManifest(path.Join(path.Dir(rel), "package.json"))
		read = func(data []byte) (*lockInfo, error) { return readYarnExtra(data, manifest) }
	case "pnpm-lock.yaml":
		read = readPNPMExtra
	case "poetry.lock", "uv.lock":
		read = readPyLockExtra
	case "Pipfile.lock":
		read = readPipfileLockExtra
	case "Gemfile.lock", "gems.locked":
		read = readGemfileLockExtra
	case "packages.lock.json":
		read = readNuGetLockExtra
	case "composer.lock":
		manifest := g.readManifest(path.Join(path.Dir(rel), "composer.json"))
		read = func(data []byte) (*lockInfo, error) { return readComposerExtra(data, manifest) }
	default:
		return nil, nil
	}
	data, err := g.readLockfile(rel)
	if err != nil {
		return nil, err
	}
	info, err := read(data)
	if err != nil {
		if fe, ok := err.(*FileError); ok {
			fe.Path = rel
			return nil, fe
		}
		return nil, &FileError{Path: rel, Err: err}
	}
	return info, nil
}

// readManifest reads the manifest beside a lockfile for the project's
// direct requirements; nil when it is missing or unreadable, which leaves
// the roots unknown.
func (g *generator) readManifest(rel string) []byte {
	data, err := g.readLockfile(rel)
	if err != nil {
		return nil
	}
	return data
}

// readLockfile reads a lockfile, refusing one over the size limit or one
// that is not UTF-8 (every lockfile format is UTF-8 text; decoders would
// silently turn bad bytes into U+FFFD and names that no purl matches).
func (g *generator) readLockfile(rel string) ([]byte, error) {
	f, err := os.Open(filepath.Join(g.root, filepath.FromSlash(rel)))
	if err != nil {
		return nil, &FileError{Path: rel, Err: unwrapPathError(err)}
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil && info.Size() > g.maxSize {
		return nil, &FileError{Path: rel, Err: g.tooLarge(info.Size())}
	}
	data, err := io.ReadAll(io.LimitReader(f, g.maxSize+1))
	if err != nil {
		return nil, &FileError{Path: rel, Err: unwrapPathError(err)}
	}
	if int64(len(data)) > g.maxSize {
		return nil, &FileError{Path: rel, Err: g.tooLarge(int64(len(data)))}
	}
	if err := checkUTF8(rel, data); err != nil {
		return nil, err
	}
	return data, nil
}

func (g *generator) tooLarge(size int64) error {
	return fmt.Errorf("%w: %d MiB, the limit for a lockfile is %d MiB", ErrTooLarge, size>>20, g.maxSize>>20)
}

// graphBuilder collects the graph over all files.
type graphBuilder struct {
	edges map[string][]string
	known map[string]bool // refs whose dependencies are known
	roots []string
	// Go module graph sources, summed over the go.mod files.
	goModFiles, goModules, goModsRead int
}

func newGraphBuilder() *graphBuilder {
	return &graphBuilder{edges: map[string][]string{}, known: map[string]bool{}}
}

// addFile records one file's graph for the packages added from it.
func (gb *graphBuilder) addFile(l *lockInfo, added map[string]bool) {
	if l == nil {
		return
	}
	gb.roots = append(gb.roots, l.roots...)
	for ref, on := range l.edges {
		gb.edges[ref] = append(gb.edges[ref], on...)
	}
	for ref := range added {
		if l.graph || l.known[ref] {
			gb.known[ref] = true
		}
	}
	gb.goModFiles += l.goModFiles
	gb.goModules += l.goModules
	gb.goModsRead += l.goModsRead
}

// build returns the sorted graph over the components kept, with the product
// depending on the roots. Edges to components that were left out (dev
// dependencies) are dropped; components whose dependencies no file
// expresses get no entry, which CycloneDX reads as unknown.
func (gb *graphBuilder) build(product string, comps map[string]Component) []Dependency {
	m := map[string][]string{}
	keep := func(refs []string) []string {
		var out []string
		for _, r := range refs {
			if _, ok := comps[r]; ok {
				out = append(out, r)
			}
		}
		return out
	}
	for ref := range comps {
		if gb.known[ref] || len(gb.edges[ref]) > 0 {
			m[ref] = keep(gb.edges[ref])
		}
	}
	if product != "" && len(gb.roots) > 0 {
		m[product] = keep(gb.roots)
	}
	return graphFromMap(m)
}
