package lockfile

import (
	"errors"
	"slices"
	"strings"

	"github.com/sdlkit/sdlkit/sbom"
	"github.com/sdlkit/sdlkit/sbom/purl"

	"github.com/BurntSushi/toml"
)

// tomlError turns a TOML parse error into a FileError with its line.
func tomlError(err error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		return &FileError{Line: pe.Position.Line, Err: errors.New(pe.Message)}
	}
	return &FileError{Err: err}
}

// readCargoExtra reads Cargo.lock's checksums (per package, or in version
// 1's [metadata] table) and graph. A dependency is
// "name", "name version" or "name version (source)"; the name alone is
// unique in the lockfile. Packages without a source are the workspace's own
// crates: the project's roots.
func readCargoExtra(data []byte) (*Info, error) {
	var lock struct {
		Package []struct {
			Name         string   `toml:"name"`
			Version      string   `toml:"version"`
			Source       string   `toml:"source"`
			Checksum     string   `toml:"checksum"`
			Dependencies []string `toml:"dependencies"`
		} `toml:"package"`
		// Metadata holds version 1's checksums, which later versions
		// write as each package's checksum.
		Metadata map[string]any `toml:"metadata"`
	}
	if _, err := toml.Decode(string(data), &lock); err != nil {
		return nil, tomlError(err)
	}
	info := NewInfo()
	info.Graph = true
	cargoV1Checksums(lock.Metadata, info.Hashes)
	byName := map[string][]string{} // name → versions
	for _, p := range lock.Package {
		byName[p.Name] = append(byName[p.Name], p.Version)
	}
	for _, p := range lock.Package {
		ref := purl.New("crates.io", p.Name, p.Version)
		if p.Checksum != "" {
			info.Hashes[ref] = []sbom.Hash{{Algorithm: "SHA-256", Value: strings.ToLower(p.Checksum)}}
		}
		if p.Source == "" {
			info.Roots = append(info.Roots, ref)
		}
		for _, d := range p.Dependencies {
			f := strings.Fields(d)
			if len(f) == 0 {
				continue
			}
			version := ""
			if len(f) > 1 {
				version = f[1]
			} else if vs := byName[f[0]]; len(vs) == 1 {
				version = vs[0]
			}
			info.Edges[ref] = append(info.Edges[ref], purl.New("crates.io", f[0], version))
		}
	}
	// The workspace's crates are the project's own code.
	info.Locals = slices.Clone(info.Roots)
	return info, nil
}

// cargoV1Checksums reads version 1's checksums: keys "checksum NAME VERSION
// (SOURCE)" in [metadata], values the SHA-256 of the .crate file in hex
// ("<none>" for sources without one).
func cargoV1Checksums(meta map[string]any, hashes map[string][]sbom.Hash) {
	for k, v := range meta {
		f := strings.Fields(k)
		sum, ok := v.(string)
		if len(f) < 3 || f[0] != "checksum" || !ok || !isHex(sum, 64) {
			continue
		}
		hashes[purl.New("crates.io", f[1], f[2])] = []sbom.Hash{{Algorithm: "SHA-256", Value: strings.ToLower(sum)}}
	}
}

// isHex is true for n hexadecimal digits.
func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
			return false
		}
	}
	return true
}
