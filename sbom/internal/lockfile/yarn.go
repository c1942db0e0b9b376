package lockfile

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/sdlkit/sdlkit/sbom"
	"github.com/sdlkit/sdlkit/sbom/purl"
)

// yarnEntry is one block of a yarn v1 lockfile.
type yarnEntry struct {
	keys      []string // "name@range"
	version   string
	integrity string
	deps      [][2]string // name, range
}

// readYarnExtra reads a yarn v1 lockfile's integrity hashes and graph: each
// block lists the name@range keys it satisfies, and its dependencies name
// ranges that resolve through those keys. yarn.lock does not say which
// packages the project requires; manifest, the package.json beside it (nil
// when there is none), does: its dependencies are the roots, and a package
// that only its devDependencies reach is a development dependency (not
// decided for workspaces, whose members' package.json files add roots).
// Yarn 2+ lockfiles (YAML, with "__metadata") carry no SRI hashes and are
// left to scalibr alone.
func readYarnExtra(data, manifest []byte) (*Info, error) {
	if bytes.Contains(data, []byte("__metadata:")) {
		return nil, nil
	}
	entries, err := parseYarnV1(data)
	if err != nil {
		return nil, err
	}
	resolve := map[string]string{} // name@range → ref
	for _, e := range entries {
		for _, k := range e.keys {
			if name, _ := splitYarnKey(k); name != "" {
				resolve[k] = purl.New("npm", name, e.version)
			}
		}
	}
	info := NewInfo()
	info.Graph = true
	for _, e := range entries {
		if len(e.keys) == 0 {
			continue
		}
		ref := resolve[e.keys[0]]
		info.Hashes[ref] = sbom.UnionHashes(info.Hashes[ref], sriHashes(e.integrity))
		for _, d := range e.deps {
			if to, ok := resolve[d[0]+"@"+d[1]]; ok {
				info.Edges[ref] = append(info.Edges[ref], to)
			}
		}
	}
	yarnRoots(info, manifest, resolve)
	return info, nil
}

// yarnRoots sets the roots and the development dependencies from
// package.json; a manifest that does not parse leaves both unknown.
func yarnRoots(info *Info, manifest []byte, resolve map[string]string) {
	var pkg struct {
		Dependencies         map[string]string `json:"dependencies"`
		OptionalDependencies map[string]string `json:"optionalDependencies"`
		DevDependencies      map[string]string `json:"devDependencies"`
		Workspaces           json.RawMessage   `json:"workspaces"`
	}
	if manifest == nil || json.Unmarshal(manifest, &pkg) != nil {
		return
	}
	refs := func(lists ...map[string]string) []string {
		var out []string
		for _, deps := range lists {
			for name, rng := range deps {
				if ref, ok := resolve[name+"@"+rng]; ok {
					out = append(out, ref)
				}
			}
		}
		return out
	}
	required, optional, dev := refs(pkg.Dependencies), refs(pkg.OptionalDependencies), refs(pkg.DevDependencies)
	info.Roots = slices.Concat(required, optional, dev)
	if pkg.Workspaces != nil {
		return
	}
	// Scopes by what reaches a package: dependencies, else
	// optionalDependencies, else only devDependencies.
	for _, s := range []struct {
		roots []string
		scope sbom.Scope
	}{{dev, sbom.ScopeExcluded}, {optional, sbom.ScopeOptional}, {required, sbom.ScopeRequired}} {
		for ref := range reachable(info.Edges, s.roots) {
			info.Scopes[ref] = s.scope
		}
	}
}

func parseYarnV1(data []byte) ([]yarnEntry, error) {
	var out []yarnEntry
	var cur *yarnEntry
	inDeps := false
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	start := 0 // line of cur's key
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		indent := len(line) - len(strings.TrimLeft(line, " "))
		if strings.Count(trimmed, `"`)%2 != 0 {
			return nil, &FileError{Line: n, Err: errors.New("unterminated quoted string")}
		}
		switch {
		case trimmed == "" || strings.HasPrefix(trimmed, "#"):
		case indent == 0 && strings.HasSuffix(trimmed, ":"):
			if err := cur.check(start); err != nil {
				return nil, err
			}
			start = n
			out = append(out, yarnEntry{})
			cur = &out[len(out)-1]
			for _, k := range strings.Split(strings.TrimSuffix(trimmed, ":"), ",") {
				cur.keys = append(cur.keys, strings.Trim(strings.TrimSpace(k), `"`))
			}
			inDeps = false
		case cur == nil:
		case indent == 2:
			field, value, _ := strings.Cut(trimmed, " ")
			value = strings.Trim(value, `"`)
			inDeps = field == "dependencies:" || field == "optionalDependencies:"
			switch field {
			case "version":
				cur.version = value
			case "integrity":
				cur.integrity = value
			}
		case indent >= 4 && inDeps:
			name, rng, _ := strings.Cut(trimmed, " ")
			cur.deps = append(cur.deps, [2]string{strings.Trim(name, `"`), strings.Trim(rng, `"`)})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if err := cur.check(start); err != nil {
		return nil, err
	}
	return out, nil
}

// check reports an entry without a version, which yarn always writes: the
// lockfile is cut or broken.
func (e *yarnEntry) check(line int) error {
	if e == nil || e.version != "" {
		return nil
	}
	return &FileError{Line: line, Err: fmt.Errorf("entry %q has no version", strings.Join(e.keys, ", "))}
}

// splitYarnKey splits "name@range" ("@scope/name@^1.0.0").
func splitYarnKey(k string) (name, rng string) {
	i := strings.LastIndexByte(k, '@')
	if i <= 0 {
		return "", ""
	}
	return k[:i], k[i+1:]
}
