package lockfile

import (
	"strings"

	"github.com/sdlkit/sdlkit/sbom"
	"github.com/sdlkit/sdlkit/sbom/purl"

	"github.com/BurntSushi/toml"
)

// pyLock is the part of poetry.lock and uv.lock that sdlkit reads by hand:
// both have [[package]] tables with a name and version; poetry lists
// distribution files with hashes and names dependencies in a table, uv has
// sdist and wheels with hashes and an array of {name, version}.
type pyLock struct {
	Package []struct {
		Name    string `toml:"name"`
		Version string `toml:"version"`
		Source  struct {
			Virtual  string `toml:"virtual"`
			Editable string `toml:"editable"`
		} `toml:"source"`
		Files        []pyFile `toml:"files"`
		Sdist        *pyFile  `toml:"sdist"`
		Wheels       []pyFile `toml:"wheels"`
		Dependencies any      `toml:"dependencies"`
	} `toml:"package"`
}

// pyFile is a distribution file with its "sha256:hex" hash.
type pyFile struct {
	Hash string `toml:"hash"`
}

// readPyLockExtra reads the file hashes and graph of poetry.lock or uv.lock.
// A dependency without a version resolves by name, unique in the lockfile
// (PEP 503 normalised). uv marks the project's own packages (source virtual
// or editable), whose dependencies are the roots; poetry.lock does not say
// which packages the project requires directly (pyproject.toml does), so
// there the roots stay unknown.
func readPyLockExtra(data []byte) (*Info, error) {
	var lock pyLock
	if _, err := toml.Decode(string(data), &lock); err != nil {
		return nil, tomlError(err)
	}
	info := NewInfo()
	info.Graph = true
	versions := map[string]string{}
	for _, p := range lock.Package {
		versions[pep503(p.Name)] = p.Version
	}
	for _, p := range lock.Package {
		ref := purl.New("PyPI", p.Name, p.Version)
		files := append(p.Files, p.Wheels...)
		if p.Sdist != nil {
			files = append(files, *p.Sdist)
		}
		info.Hashes[ref] = pyHashes(files)
		on := pyDependencies(p.Dependencies, versions)
		if p.Source.Virtual != "" || p.Source.Editable != "" {
			info.Roots = append(info.Roots, on...)
		}
		info.Edges[ref] = append(info.Edges[ref], on...)
	}
	return info, nil
}

// pyDependencies reads poetry's table (name = constraint) or uv's array of
// {name, version} into refs.
func pyDependencies(deps any, versions map[string]string) []string {
	var out []string
	add := func(name, version string) {
		if version == "" {
			version = versions[pep503(name)]
		}
		if version != "" {
			out = append(out, purl.New("PyPI", name, version))
		}
	}
	switch d := deps.(type) {
	case map[string]any:
		for name := range d {
			add(name, "")
		}
	case []map[string]any:
		for _, dep := range d {
			name, _ := dep["name"].(string)
			version, _ := dep["version"].(string)
			add(name, version)
		}
	case []any:
		for _, dep := range d {
			if m, ok := dep.(map[string]any); ok {
				name, _ := m["name"].(string)
				version, _ := m["version"].(string)
				add(name, version)
			}
		}
	}
	return out
}

func pyHashes(files []pyFile) []sbom.Hash {
	vals := make([]string, 0, len(files))
	for _, f := range files {
		vals = append(vals, f.Hash)
	}
	return PipHashes(vals)
}

// pep503 normalises a Python package name for comparison.
func pep503(name string) string {
	name = strings.ToLower(name)
	return strings.NewReplacer("_", "-", ".", "-").Replace(name)
}
