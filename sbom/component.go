package sbom

import (
	"cmp"
	"slices"
)

// scopeRank orders scopes for merging: a component that one file needs at
// run time is needed, whatever another file says.
var scopeRank = map[Scope]int{ScopeExcluded: 0, ScopeOptional: 1, ScopeUnknown: 2, ScopeRequired: 3}

// MergeComponent merges two records of the same component (same BOMRef),
// e.g. found in several lockfiles: a's identity wins where both have one;
// hashes, licenses, locations and properties are united; the scope is the
// strongest of the two (required over unknown over optional over excluded).
func MergeComponent(a, b Component) Component {
	if a.PURL == "" {
		a.PURL = b.PURL
	}
	if a.Version == "" {
		a.Version = b.Version
	}
	if a.Ecosystem == "" {
		a.Ecosystem = b.Ecosystem
	}
	if a.Supplier == "" {
		a.Supplier = b.Supplier
	}
	if scopeRank[b.Scope] > scopeRank[a.Scope] {
		a.Scope = b.Scope
	}
	a.Hashes = UnionHashes(a.Hashes, b.Hashes)
	a.Licenses = unionStrings(a.Licenses, b.Licenses)
	a.Locations = unionStrings(a.Locations, b.Locations)
	a.Properties = UnionProperties(a.Properties, b.Properties)
	return a
}

// SortComponents sorts components by BOMRef, the order of every BOM sdlkit
// writes.
func SortComponents(cs []Component) {
	slices.SortFunc(cs, func(x, y Component) int { return cmp.Compare(x.BOMRef, y.BOMRef) })
}

// UnionHashes returns the hashes of a and b, sorted and without repeats.
func UnionHashes(a, b []Hash) []Hash {
	if len(b) == 0 {
		return a
	}
	out := slices.Concat(a, b)
	slices.SortFunc(out, func(x, y Hash) int {
		return cmp.Or(cmp.Compare(x.Algorithm, y.Algorithm), cmp.Compare(x.Value, y.Value))
	})
	return slices.Compact(out)
}

func unionStrings(a, b []string) []string {
	if len(b) == 0 {
		return a
	}
	out := slices.Concat(a, b)
	slices.Sort(out)
	return slices.Compact(out)
}

// UnionProperties returns the properties of a and b, sorted by name and
// value and without repeats.
func UnionProperties(a, b []Property) []Property {
	if len(b) == 0 {
		return a
	}
	out := slices.Concat(a, b)
	slices.SortFunc(out, func(x, y Property) int {
		return cmp.Or(cmp.Compare(x.Name, y.Name), cmp.Compare(x.Value, y.Value))
	})
	return slices.Compact(out)
}

// NewDependencies turns a graph given as ref → refs it depends on into
// Dependencies sorted by ref, each with sorted, deduplicated targets.
func NewDependencies(m map[string][]string) []Dependency {
	out := make([]Dependency, 0, len(m))
	for ref, on := range m {
		on = slices.Clone(on)
		slices.Sort(on)
		out = append(out, Dependency{Ref: ref, DependsOn: slices.Compact(on)})
	}
	slices.SortFunc(out, func(x, y Dependency) int { return cmp.Compare(x.Ref, y.Ref) })
	return out
}

// MergeByRef merges components with the same BOMRef (MergeComponent) and
// returns them sorted by ref.
func MergeByRef(cs []Component) []Component {
	byRef := make(map[string]int, len(cs))
	out := make([]Component, 0, len(cs))
	for _, m := range cs {
		if i, ok := byRef[m.BOMRef]; ok {
			out[i] = MergeComponent(out[i], m)
			continue
		}
		byRef[m.BOMRef] = len(out)
		out = append(out, m)
	}
	SortComponents(out)
	return out
}
