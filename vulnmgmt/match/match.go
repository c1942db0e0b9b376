// Package match decides whether an OSV advisory affects one package
// version, by the evaluation rules of the OSV schema
// (https://ossf.github.io/osv-schema/#evaluation): the affected entry's
// package is the package (same ecosystem, the name as the ecosystem tells
// names apart: PEP 503 for PyPI, case-insensitive where the registry is),
// and the version is in its `versions` list or inside one of its SEMVER or
// ECOSYSTEM ranges, ordered by the ecosystem's own rules with osv-scalibr's
// semantic package.
//
// It is written here, not taken from osv-scalibr, because scalibr's range
// evaluation lives in an internal package of its zip-reading local matcher
// (enricher/vulnmatch/osvlocal/internal), which cannot serve an indexed
// store; the version ordering, the part that is hard, is scalibr's.
// GIT ranges describe commits, not versions, and never match a package
// version.
package match

import (
	"slices"
	"strings"

	"github.com/google/osv-scalibr/semantic"
	osvpb "github.com/ossf/osv-schema/bindings/go/osvschema"

	"github.com/sdlkit/sdlkit/sbom/purl"
)

// Package is what is matched: an OSV ecosystem ("Go", "PyPI", "Debian:12"),
// the package name as the ecosystem spells it and a version.
type Package struct {
	Ecosystem, Name, Version string
}

// Result says whether an advisory affects a package version, and the
// versions its ranges name as fixed.
type Result struct {
	Affected bool
	// Fixed are the fixed versions of the ranges that matched, in the
	// advisory's order, without repeats.
	Fixed []string
	// Unordered is true when the ecosystem has no known version order (or
	// the version does not parse), so that only the versions list could be
	// checked: a range that might hold the version was not evaluated.
	Unordered bool
}

// Affects evaluates every affected entry of v for p; a withdrawn advisory
// never affects anything.
func Affects(v *osvpb.Vulnerability, p Package) Result {
	var res Result
	if v.GetWithdrawn() != nil {
		return res
	}
	for _, a := range v.GetAffected() {
		if !SamePackage(a.GetPackage(), p) {
			continue
		}
		r := affects(a, p)
		res.Unordered = res.Unordered || r.Unordered
		if r.Affected {
			res.Affected = true
			for _, f := range r.Fixed {
				if !slices.Contains(res.Fixed, f) {
					res.Fixed = append(res.Fixed, f)
				}
			}
		}
	}
	return res
}

// SamePackage reports whether an advisory's package is p: the same
// ecosystem (an advisory for "Debian" names every Debian release; one for
// "Debian:12" only that one) and the same name as the ecosystem tells names
// apart.
func SamePackage(ap *osvpb.Package, p Package) bool {
	if ap == nil {
		return false
	}
	eco := ap.GetEcosystem()
	if eco != p.Ecosystem && eco != base(p.Ecosystem) {
		return false
	}
	return purl.Key(base(eco), ap.GetName()) == purl.Key(base(eco), p.Name)
}

// base is an ecosystem without its release suffix: "Debian:12" → "Debian".
func base(eco string) string {
	b, _, _ := strings.Cut(eco, ":")
	return b
}

// affects evaluates one affected entry.
func affects(a *osvpb.Affected, p Package) Result {
	var res Result
	version, err := semantic.Parse(normaliseVersion(p), p.Ecosystem)
	for _, listed := range a.GetVersions() {
		if listed == p.Version || err == nil && equal(version, listed) {
			res.Affected = true
		}
	}
	for _, r := range a.GetRanges() {
		if r.GetType() != osvpb.Range_SEMVER && r.GetType() != osvpb.Range_ECOSYSTEM {
			continue
		}
		if err != nil {
			res.Unordered = true
			continue
		}
		in, fixed, ok := inRange(r, version, p.Ecosystem)
		if !ok {
			res.Unordered = true
			continue
		}
		if in {
			res.Affected = true
			res.Fixed = append(res.Fixed, fixed...)
		}
	}
	return res
}

// normaliseVersion spells a version as OSV advisories of its ecosystem do:
// Go module versions without the "v" that go.mod writes.
func normaliseVersion(p Package) string {
	if base(p.Ecosystem) == "Go" {
		return strings.TrimPrefix(p.Version, "v")
	}
	return p.Version
}

func equal(v semantic.Version, s string) bool {
	c, err := v.CompareStr(s)
	return err == nil && c == 0
}

// inRange walks the range's events in version order, as the OSV schema's
// evaluation pseudocode does: introduced opens an affected interval, fixed
// closes it before the fixed version, last_affected after it. ok is false
// when an event's version does not parse.
func inRange(r *osvpb.Range, v semantic.Version, eco string) (in bool, fixed []string, ok bool) {
	events := slices.Clone(r.GetEvents())
	var sortErr bool
	slices.SortStableFunc(events, func(x, y *osvpb.Event) int {
		c, err := compareEvents(x, y, eco)
		if err != nil {
			sortErr = true
		}
		return c
	})
	if sortErr {
		return false, nil, false
	}
	for _, e := range events {
		switch {
		case e.GetIntroduced() != "":
			if e.GetIntroduced() == "0" || compareTo(v, e.GetIntroduced()) >= 0 {
				in = true
			}
		case e.GetFixed() != "":
			if compareTo(v, e.GetFixed()) >= 0 {
				in = false
			}
		case e.GetLastAffected() != "":
			if compareTo(v, e.GetLastAffected()) > 0 {
				in = false
			}
		case e.GetLimit() != "":
			if e.GetLimit() != "*" && compareTo(v, e.GetLimit()) >= 0 {
				in = false
			}
		}
	}
	if in {
		for _, e := range events {
			if e.GetFixed() != "" {
				fixed = append(fixed, e.GetFixed())
			}
		}
	}
	return in, fixed, true
}

// compareTo compares v with s; a version that does not parse sorts after v (an
// unparsable bound never opens an interval under v).
func compareTo(v semantic.Version, s string) int {
	c, err := v.CompareStr(s)
	if err != nil {
		return -1
	}
	return c
}

// eventVersion is the version an event names; "0" (introduced at the
// beginning) sorts first.
func eventVersion(e *osvpb.Event) string {
	for _, s := range []string{e.GetIntroduced(), e.GetFixed(), e.GetLastAffected(), e.GetLimit()} {
		if s != "" {
			return s
		}
	}
	return ""
}

func compareEvents(x, y *osvpb.Event, eco string) (int, error) {
	xv, yv := eventVersion(x), eventVersion(y)
	switch {
	case xv == yv:
		return 0, nil
	case x.GetIntroduced() == "0":
		return -1, nil
	case y.GetIntroduced() == "0":
		return 1, nil
	case x.GetLimit() == "*":
		return 1, nil
	case y.GetLimit() == "*":
		return -1, nil
	}
	pv, err := semantic.Parse(xv, eco)
	if err != nil {
		return 0, err
	}
	return pv.CompareStr(yv)
}
