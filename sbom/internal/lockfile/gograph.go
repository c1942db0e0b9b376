package lockfile

import (
	"os"
	"path/filepath"
	"slices"

	"github.com/sdlkit/sdlkit/sbom/purl"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
)

// goModGraph adds to info the edges of each required module, read from the
// module's own go.mod in the module cache (as go mod graph does), each edge
// pointing at the version selected by the product's go.mod: after minimal
// version selection, that is the version the build uses. selected maps a
// module path as required to the ref of the selected module (after
// replacements); mods are the selected modules. A module whose go.mod is not
// in the cache keeps unknown edges.
func goModGraph(info *Info, cache string, selected map[string]string, mods []module.Version) {
	info.GoModules += len(mods)
	if cache == "" {
		return
	}
	for _, m := range mods {
		ref := purl.New("Go", m.Path, m.Version)
		reqs, err := readCachedGoMod(cache, m)
		if err != nil {
			continue // not in the cache, or unreadable: edges stay unknown
		}
		info.GoModsRead++
		on := []string{}
		for _, r := range reqs {
			if to, ok := selected[r]; ok && to != ref {
				on = append(on, to)
			}
		}
		slices.Sort(on)
		info.Edges[ref] = slices.Compact(on)
		info.Known[ref] = true
	}
}

// readCachedGoMod returns the module paths m's go.mod requires, from
// cache/download/<path>/@v/<version>.mod.
func readCachedGoMod(cache string, m module.Version) ([]string, error) {
	p, err := module.EscapePath(m.Path)
	if err != nil {
		return nil, err
	}
	v, err := module.EscapeVersion(m.Version)
	if err != nil {
		return nil, err
	}
	name := filepath.Join(cache, "cache", "download", filepath.FromSlash(p), "@v", v+".mod")
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	mf, err := modfile.ParseLax(name, data, nil)
	if err != nil {
		return nil, err
	}
	reqs := make([]string, 0, len(mf.Require))
	for _, r := range mf.Require {
		reqs = append(reqs, r.Mod.Path)
	}
	return reqs, nil
}
