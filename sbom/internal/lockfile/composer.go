package lockfile

import (
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"

	"github.com/sdlkit/sdlkit/sbom"
	"github.com/sdlkit/sdlkit/sbom/internal/license"
	"github.com/sdlkit/sdlkit/sbom/internal/textpos"
	"github.com/sdlkit/sdlkit/sbom/purl"
)

// composerLock is the part of composer.lock that scalibr's extractor does
// not keep: licenses, what each package requires, what it provides or
// replaces (virtual packages such as psr/log-implementation), and the
// SHA-1 of its dist archive.
type composerLock struct {
	Packages    []composerPackage `json:"packages"`
	PackagesDev []composerPackage `json:"packages-dev"`
}

type composerPackage struct {
	Name    string            `json:"name"`
	Version string            `json:"version"`
	License json.RawMessage   `json:"license"`
	Require map[string]string `json:"require"`
	Provide map[string]string `json:"provide"`
	Replace map[string]string `json:"replace"`
	Dist    struct {
		Shasum string `json:"shasum"`
	} `json:"dist"`
}

// composerManifest is composer.json's requirements: the project's roots.
type composerManifest struct {
	Require    map[string]string `json:"require"`
	RequireDev map[string]string `json:"require-dev"`
}

// readComposerExtra reads composer.lock's licenses, dist hashes and graph,
// and the project's direct requirements from the composer.json beside it
// (manifest, nil when there is none). A requirement names a package in the
// lockfile, or a virtual package one of them provides or replaces;
// platform requirements (php, ext-*, lib-*) name no package and are left
// out.
func readComposerExtra(data, manifest []byte) (*Info, error) {
	var lock composerLock
	if err := json.Unmarshal(data, &lock); err != nil {
		return nil, &FileError{Line: textpos.LineOfJSONError(data, err), Err: err}
	}
	pkgs := append(lock.Packages, lock.PackagesDev...)
	byName := composerNames(pkgs)
	info := NewInfo()
	info.Graph = true
	for _, p := range pkgs {
		ref := purl.New("Packagist", p.Name, p.Version)
		info.Licenses[ref] = composerLicenses(p.License)
		if len(p.Dist.Shasum) == 40 {
			if _, err := hex.DecodeString(p.Dist.Shasum); err == nil {
				info.Hashes[ref] = []sbom.Hash{{Algorithm: "SHA-1", Value: strings.ToLower(p.Dist.Shasum)}}
			}
		}
		info.Edges[ref] = composerRefs(p.Require, byName, ref)
	}
	var m composerManifest
	if manifest != nil && json.Unmarshal(manifest, &m) == nil {
		info.Roots = append(composerRefs(m.Require, byName, ""), composerRefs(m.RequireDev, byName, "")...)
	}
	return info, nil
}

// composerNames maps each package name (lowercase, as Composer compares
// them) to its ref; names a package provides or replaces map to it where
// no package of that name is locked.
func composerNames(pkgs []composerPackage) map[string]string {
	byName := map[string]string{}
	for _, p := range pkgs {
		byName[strings.ToLower(p.Name)] = purl.New("Packagist", p.Name, p.Version)
	}
	for _, p := range pkgs {
		for _, virtual := range []map[string]string{p.Provide, p.Replace} {
			for name := range virtual {
				if _, ok := byName[strings.ToLower(name)]; !ok {
					byName[strings.ToLower(name)] = purl.New("Packagist", p.Name, p.Version)
				}
			}
		}
	}
	return byName
}

func composerRefs(require map[string]string, byName map[string]string, self string) []string {
	out := []string{}
	for name := range require {
		if ref, ok := byName[strings.ToLower(name)]; ok && ref != self {
			out = append(out, ref)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// composerLicenses reads composer's license: an array of SPDX ids, any one
// of which applies (Composer's documentation: "disjunctive"), or a string.
// An array of listed ids becomes one expression joined with OR; otherwise
// the names are kept as they are.
func composerLicenses(raw json.RawMessage) []string {
	var ls []string
	if json.Unmarshal(raw, &ls) != nil {
		var s string
		if json.Unmarshal(raw, &s) != nil || s == "" {
			return nil
		}
		ls = []string{s}
	}
	if len(ls) < 2 {
		return ls
	}
	ids := make([]string, 0, len(ls))
	for _, l := range ls {
		expr, ok := license.Expression(l)
		if !ok {
			return ls
		}
		if strings.ContainsAny(expr, " ") {
			expr = "(" + expr + ")"
		}
		ids = append(ids, expr)
	}
	return []string{strings.Join(ids, " OR ")}
}
