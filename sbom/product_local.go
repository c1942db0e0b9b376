package sbom

import (
	"bufio"
	"bytes"
	"path"
	"strings"
)

// localRefs returns the refs of the packages a lockfile pins that are the
// project's own code rather than dependencies: Cargo.lock's packages
// without a source (the workspace's crates) and the gems of Gemfile.lock's
// PATH sections (the gemspec's gem and other local gems). Their purls would
// name packages of a public registry that are not what is built (a local
// crate may share its name with an unrelated crate on crates.io), so they
// are not listed as components: one at the root is the product
// (localProduct), and what they depend on is what the product depends on.
func (g *generator) localRefs(rel string, extra *lockInfo) []string {
	switch path.Base(rel) {
	case "Cargo.lock":
		if extra != nil {
			return extra.roots // readCargoExtra: the packages without source
		}
	case "Gemfile.lock", "gems.locked":
		data, err := g.readLockfile(rel)
		if err != nil {
			return nil
		}
		var refs []string
		for _, nv := range gemPathSpecs(data) {
			refs = append(refs, PURL("RubyGems", nv[0], nv[1]))
		}
		return refs
	}
	return nil
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

// localProduct is the product when no manifest at the root names it: the
// one local package of the lockfiles at the root (a single crate, the
// gemspec's gem). A workspace of several crates has no one name: the
// directory names it.
func (g *generator) localProduct() (eco, name, version string) {
	var found []Component
	for _, c := range g.locals {
		if path.Dir(c.Locations[0]) == "." {
			found = append(found, c)
		}
	}
	if len(found) != 1 {
		return "", "", ""
	}
	return found[0].Ecosystem, found[0].Name, found[0].Version
}
