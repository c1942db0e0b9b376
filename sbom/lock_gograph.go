package sbom

import (
	"os"
	"path/filepath"
	"slices"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
)

// PropertyGoGraph says where the Go module graph below a go.mod's direct
// requirements came from: GoGraphModuleCache when every module's go.mod was
// found in the local module cache, GoGraphPartial when some were, and
// GoGraphDirectOnly when none were read (no cache, or
// GenerateOptions.NoGoModuleCache).
const PropertyGoGraph = "sdlkit:go-graph"

// Values of PropertyGoGraph.
const (
	GoGraphModuleCache = "module-cache"
	GoGraphPartial     = "module-cache-partial"
	GoGraphDirectOnly  = "direct-only"
)

// DefaultGoModuleCache returns the Go module cache directory as the go
// command computes it from the environment: GOMODCACHE, else the first
// GOPATH entry's pkg/mod, else $HOME/go/pkg/mod. It does not read the go
// command's own configuration file (go env -w); set GOMODCACHE in the
// environment where it is set only there. Empty when nothing says.
func DefaultGoModuleCache(getenv func(string) string) string {
	if d := getenv("GOMODCACHE"); d != "" {
		return d
	}
	if gp := filepath.SplitList(getenv("GOPATH")); len(gp) > 0 && gp[0] != "" {
		return filepath.Join(gp[0], "pkg", "mod")
	}
	home := getenv("HOME")
	if home == "" {
		home = getenv("USERPROFILE")
	}
	if home == "" {
		return ""
	}
	return filepath.Join(home, "go", "pkg", "mod")
}

// goModGraph adds to info the edges of each required module, read from the
// module's own go.mod in the module cache (as go mod graph does), each edge
// pointing at the version selected by the product's go.mod: after minimal
// version selection, that is the version the build uses. selected maps a
// module path as required to the ref of the selected module (after
// replacements); mods are the selected modules. A module whose go.mod is not
// in the cache keeps unknown edges.
func goModGraph(info *lockInfo, cache string, selected map[string]string, mods []module.Version) {
	info.goModules += len(mods)
	if cache == "" {
		return
	}
	for _, m := range mods {
		ref := PURL("Go", m.Path, m.Version)
		reqs, err := readCachedGoMod(cache, m)
		if err != nil {
			continue // not in the cache, or unreadable: edges stay unknown
		}
		info.goModsRead++
		on := []string{}
		for _, r := range reqs {
			if to, ok := selected[r]; ok && to != ref {
				on = append(on, to)
			}
		}
		slices.Sort(on)
		info.edges[ref] = slices.Compact(on)
		info.known[ref] = true
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

// goGraphProperty returns the PropertyGoGraph value for goModFiles go.mod
// files requiring modules modules, of which read had their go.mod read from
// the cache; "" when there were no go.mod files.
func goGraphProperty(goModFiles, modules, read int, cache bool) string {
	switch {
	case goModFiles == 0:
		return ""
	case cache && read == modules:
		return GoGraphModuleCache
	case read > 0:
		return GoGraphPartial
	default:
		return GoGraphDirectOnly
	}
}
