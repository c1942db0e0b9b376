package generate

import "path/filepath"

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
