package generate

import (
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"

	"github.com/sdlkit/sdlkit/sbom"
	"github.com/sdlkit/sdlkit/sbom/internal/lockfile"
	"github.com/sdlkit/sdlkit/sbom/internal/textpos"
)

// readExtra runs the hand-written reader of rel's kind, if it has one: what
// scalibr does not read, or the whole file.
func (g *generator) readExtra(k *lockfile.Kind, rel string) (*lockfile.Info, error) {
	if k == nil || k.Read == nil {
		return nil, nil
	}
	data, err := g.readLockfile(rel)
	if err != nil {
		return nil, err
	}
	in := lockfile.Input{Path: rel, Data: data, GoModCache: g.goModCache, Sibling: func(name string) ([]byte, error) {
		return g.readLockfile(path.Join(path.Dir(rel), name))
	}}
	if k.Manifest != "" {
		in.Manifest = g.readManifest(path.Join(path.Dir(rel), k.Manifest))
	}
	info, err := k.Read(in)
	if err != nil {
		if fe, ok := err.(*FileError); ok {
			if fe.Path == "" {
				fe.Path = rel
			}
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
// that is not UTF-8 (every lockfile format is UTF-8; decoders would
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
	if line := textpos.InvalidUTF8Line(data); line > 0 {
		return nil, &FileError{Path: rel, Line: line, Err: errInvalidUTF8}
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
func (gb *graphBuilder) addFile(l *lockfile.Info, added map[string]bool) {
	if l == nil {
		return
	}
	gb.roots = append(gb.roots, l.Roots...)
	for ref, on := range l.Edges {
		gb.edges[ref] = append(gb.edges[ref], on...)
	}
	for ref := range added {
		if l.Graph || l.Known[ref] {
			gb.known[ref] = true
		}
	}
	gb.goModFiles += l.GoModFiles
	gb.goModules += l.GoModules
	gb.goModsRead += l.GoModsRead
}

// build returns the sorted graph over the components kept, with the product
// depending on the roots. Edges to components that were left out (dev
// dependencies) are dropped; components whose dependencies no file
// expresses get no entry, which CycloneDX reads as unknown.
func (gb *graphBuilder) build(product string, comps map[string]sbom.Component) []sbom.Dependency {
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
	return sbom.NewDependencies(m)
}
