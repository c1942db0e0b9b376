package lockfile

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/sdlkit/sdlkit/sbom"
	"github.com/sdlkit/sdlkit/sbom/purl"
)

// gemSpec matches a Gemfile.lock spec or dependency line, "name",
// "name (version[-platform])", "name (constraints)" or "name!", as
// scalibr's extractor reads it.
var gemSpec = regexp.MustCompile(`^(.*?)(?: \(([^-]*)(?:-(.*))?\))?(!)?$`)

// gemSourceSections hold specs; the others (PLATFORMS, RUBY VERSION, …) do
// not.
var gemSourceSections = []string{"GEM", "GIT", "PATH", "PLUGIN SOURCE"}

// readGemfileLockExtra reads the graph of Gemfile.lock, which scalibr's
// extractor does not keep: under each source's specs, a spec (four spaces)
// is followed by its dependencies (six spaces), each resolved by name to
// the one locked version; DEPENDENCIES (two spaces) are the Gemfile's, the
// roots. Bundler 2.5+ CHECKSUMS give SHA-256 hashes of the .gem files.
func readGemfileLockExtra(data []byte) (*Info, error) {
	type spec struct {
		ref  string
		deps []string
	}
	var specs []*spec
	var roots []string
	byName := map[string]string{}
	sums := map[string][]sbom.Hash{} // by name and version
	section, sawDependencies, n := "", false, 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), "\r")
		indent := len(line) - len(strings.TrimLeft(line, " "))
		text := strings.TrimSpace(line)
		switch {
		case text == "":
		case indent == 0:
			section = text
			sawDependencies = sawDependencies || section == "DEPENDENCIES"
		case section == "DEPENDENCIES" && indent == 2:
			roots = append(roots, gemName(text))
		case section == "CHECKSUMS" && indent == 2:
			gemChecksums(text, sums)
		case !slices.Contains(gemSourceSections, section):
		case indent == 4:
			m := gemSpec.FindStringSubmatch(text)
			if m == nil || m[1] == "" || m[2] == "" {
				return nil, &FileError{Line: n, Err: fmt.Errorf("malformed spec %q, want NAME (VERSION)", text)}
			}
			s := &spec{ref: purl.New("RubyGems", m[1], m[2])}
			specs = append(specs, s)
			byName[m[1]] = s.ref
		case indent == 6 && len(specs) > 0:
			specs[len(specs)-1].deps = append(specs[len(specs)-1].deps, gemName(text))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if !sawDependencies {
		// Bundler always writes DEPENDENCIES after the sources.
		return nil, &FileError{Line: n, Err: errors.New("no DEPENDENCIES section: the file is cut short or not a Gemfile.lock")}
	}
	info := NewInfo()
	info.Graph = true
	info.Roots = gemRefs(roots, byName, "")
	for _, s := range specs {
		info.Edges[s.ref] = append(info.Edges[s.ref], gemRefs(s.deps, byName, s.ref)...)
	}
	for ref, hs := range sums {
		info.Hashes[ref] = hs
	}
	for _, nv := range gemPathSpecs(data) {
		info.Locals = append(info.Locals, purl.New("RubyGems", nv[0], nv[1]))
	}
	return info, nil
}

// gemName is the name of a dependency line, without constraints or "!".
func gemName(text string) string {
	if m := gemSpec.FindStringSubmatch(text); m != nil {
		return m[1]
	}
	return text
}

func gemRefs(names []string, byName map[string]string, self string) []string {
	out := []string{}
	for _, n := range names {
		if ref, ok := byName[n]; ok && ref != self {
			out = append(out, ref)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// gemChecksums reads a CHECKSUMS line, "name (version[-platform])
// sha256=hex[,…]"; each platform's file adds a hash to the version.
func gemChecksums(text string, sums map[string][]sbom.Hash) {
	spec, list, ok := strings.Cut(text, ") ")
	if !ok {
		return
	}
	m := gemSpec.FindStringSubmatch(spec + ")")
	if m == nil || m[1] == "" || m[2] == "" {
		return
	}
	ref := purl.New("RubyGems", m[1], m[2])
	for _, sum := range strings.Split(list, ",") {
		alg, hex, ok := strings.Cut(sum, "=")
		if a := HashAlgorithm(alg); ok && a != "" && hex != "" {
			sums[ref] = sbom.UnionHashes(sums[ref], []sbom.Hash{{Algorithm: a, Value: strings.ToLower(hex)}})
		}
	}
}

// gemPathSpecs returns name and version of the top-level specs of a
// Gemfile.lock's PATH sections ("    name (version)").
func gemPathSpecs(data []byte) [][2]string {
	var out [][2]string
	inPath := false
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		if line != "" && line[0] != ' ' {
			inPath = line == "PATH"
			continue
		}
		if !inPath || !strings.HasPrefix(line, "    ") || strings.HasPrefix(line, "     ") {
			continue
		}
		name, rest, ok := strings.Cut(strings.TrimSpace(line), " (")
		if version, ok2 := strings.CutSuffix(rest, ")"); ok && ok2 {
			out = append(out, [2]string{name, version})
		}
	}
	return out
}
