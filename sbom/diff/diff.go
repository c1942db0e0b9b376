// Package diff compares two BOMs of one product, e.g. two releases: which
// components were added, removed, upgraded or downgraded, and whose licenses
// changed. It is the input to release notes and to the evidence of update
// management (IEC 62443-4-1 SUM).
//
// Components are matched by identity without version: the purl's type,
// namespace, name and subpath (qualifiers and version left out), or, without
// a purl, the ecosystem (or component type) and name. A package present in
// several versions (npm allows that) is matched version by version: versions
// in both BOMs are unchanged, the rest are paired from the highest down and
// what is left over is added or removed. Versions are ordered by each
// ecosystem's own rules with osv-scalibr's semantic package (the comparator
// osv-scanner uses); a version change in an ecosystem it does not know is
// reported as "changed", without a direction.
package diff

import (
	"cmp"
	"slices"
	"strings"

	"github.com/sdlkit/sdlkit/sbom"
	"github.com/sdlkit/sdlkit/sbom/purl"

	"github.com/google/osv-scalibr/semantic"
	"github.com/package-url/packageurl-go"
)

// ChangeKind says how a component changed between two BOMs.
type ChangeKind string

// Change kinds.
const (
	Added      ChangeKind = "added"
	Removed    ChangeKind = "removed"
	Upgraded   ChangeKind = "upgraded"
	Downgraded ChangeKind = "downgraded"
	// Changed is a version change whose direction is unknown: the
	// ecosystem has no known version order, or a version does not parse.
	Changed ChangeKind = "changed"
)

// ComponentChange is one added, removed or re-versioned component.
type ComponentChange struct {
	Kind ChangeKind `json:"kind"`
	// Key is the identity the components were matched by.
	Key        string   `json:"key"`
	Name       string   `json:"name"`
	Ecosystem  string   `json:"ecosystem,omitempty"`
	OldVersion string   `json:"oldVersion,omitempty"`
	NewVersion string   `json:"newVersion,omitempty"`
	PURL       string   `json:"purl,omitempty"`
	Licenses   []string `json:"licenses,omitempty"`
}

// LicenseChange is a component, present in both BOMs, whose licenses
// differ.
type LicenseChange struct {
	Key         string   `json:"key"`
	Name        string   `json:"name"`
	OldVersion  string   `json:"oldVersion"`
	NewVersion  string   `json:"newVersion"`
	OldLicenses []string `json:"oldLicenses"`
	NewLicenses []string `json:"newLicenses"`
}

// Side describes one of the two BOMs compared.
type Side struct {
	File       string `json:"file"`
	Product    string `json:"product,omitempty"`
	Version    string `json:"version,omitempty"`
	Components int    `json:"components"`
}

// Diff is the difference between two BOMs: the versioned JSON result of
// 'sdlkit sbom diff --format json'. Every list is sorted by key and version.
type Diff struct {
	Old      Side              `json:"old"`
	New      Side              `json:"new"`
	Changes  []ComponentChange `json:"changes"`
	Licenses []LicenseChange   `json:"licenseChanges"`
	// Unchanged counts components in both BOMs at the same version.
	Unchanged int `json:"unchanged"`
}

// Compare compares old and new. oldName and newName name them in the
// result (file names).
func Compare(old, new *sbom.BOM, oldName, newName string) *Diff {
	d := &Diff{Old: side(old, oldName), New: side(new, newName), Changes: []ComponentChange{}, Licenses: []LicenseChange{}}
	oldBy, newBy := byIdentity(old.Components), byIdentity(new.Components)
	keys := make([]string, 0, len(oldBy)+len(newBy))
	for k := range oldBy {
		keys = append(keys, k)
	}
	for k := range newBy {
		if _, ok := oldBy[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		d.compare(k, oldBy[k], newBy[k])
	}
	slices.SortStableFunc(d.Changes, func(a, b ComponentChange) int {
		return cmp.Or(cmp.Compare(a.Key, b.Key), cmp.Compare(a.OldVersion, b.OldVersion), cmp.Compare(a.NewVersion, b.NewVersion))
	})
	return d
}

func side(b *sbom.BOM, name string) Side {
	return Side{File: name, Product: b.Product.Name, Version: b.Product.Version, Components: len(b.Components)}
}

// Count returns how many changes are of kind k.
func (d *Diff) Count(k ChangeKind) int {
	n := 0
	for _, c := range d.Changes {
		if c.Kind == k {
			n++
		}
	}
	return n
}

// compare diffs the versions of one identity.
func (d *Diff) compare(key string, olds, news []sbom.Component) {
	olds, news, same := splitCommon(olds, news)
	for _, p := range same {
		d.Unchanged++
		d.licenseChange(key, p[0], p[1])
	}
	eco := ecosystemOf(firstOf(olds, news))
	sortByVersion(olds, eco)
	sortByVersion(news, eco)
	for len(olds) > 0 && len(news) > 0 {
		o, n := olds[len(olds)-1], news[len(news)-1]
		olds, news = olds[:len(olds)-1], news[:len(news)-1]
		ch := change(key, versionChange(o.Version, n.Version, eco), n)
		ch.OldVersion = o.Version
		d.Changes = append(d.Changes, ch)
		d.licenseChange(key, o, n)
	}
	for _, o := range olds {
		ch := change(key, Removed, o)
		ch.OldVersion, ch.NewVersion = o.Version, ""
		d.Changes = append(d.Changes, ch)
	}
	for _, n := range news {
		d.Changes = append(d.Changes, change(key, Added, n))
	}
}

// change describes component c (the newer side) as a change of kind k.
func change(key string, k ChangeKind, c sbom.Component) ComponentChange {
	return ComponentChange{Kind: k, Key: key, Name: c.Name, Ecosystem: ecosystemOf(c), NewVersion: c.Version, PURL: c.PURL, Licenses: c.Licenses}
}

// licenseChange records a license difference between two versions of one
// component.
func (d *Diff) licenseChange(key string, o, n sbom.Component) {
	ol, nl := sortedCopy(o.Licenses), sortedCopy(n.Licenses)
	if slices.Equal(ol, nl) {
		return
	}
	d.Licenses = append(d.Licenses, LicenseChange{Key: key, Name: n.Name, OldVersion: o.Version, NewVersion: n.Version, OldLicenses: ol, NewLicenses: nl})
}

// splitCommon takes the versions present on both sides out of olds and
// news and returns them as pairs.
func splitCommon(olds, news []sbom.Component) (restOld, restNew []sbom.Component, same [][2]sbom.Component) {
	used := make([]bool, len(news))
	for _, o := range olds {
		j := slices.IndexFunc(news, func(n sbom.Component) bool { return n.Version == o.Version })
		for j >= 0 && used[j] {
			k := slices.IndexFunc(news[j+1:], func(n sbom.Component) bool { return n.Version == o.Version })
			if k < 0 {
				j = -1
				break
			}
			j += 1 + k
		}
		if j < 0 {
			restOld = append(restOld, o)
			continue
		}
		used[j] = true
		same = append(same, [2]sbom.Component{o, news[j]})
	}
	for j, n := range news {
		if !used[j] {
			restNew = append(restNew, n)
		}
	}
	return restOld, restNew, same
}

// versionChange orders two different versions in ecosystem eco.
func versionChange(oldV, newV, eco string) ChangeKind {
	switch compareVersions(oldV, newV, eco) {
	case -1:
		return Upgraded
	case 1:
		return Downgraded
	}
	return Changed
}

// compareVersions returns -1, 0 or 1, or 2 when the order is unknown.
func compareVersions(a, b, eco string) int {
	if eco == "" || a == "" || b == "" {
		return 2
	}
	va, err := semantic.Parse(a, eco)
	if err != nil {
		return 2
	}
	c, err := va.CompareStr(b)
	if err != nil {
		return 2
	}
	return c
}

// sortByVersion sorts components ascending by version where the ecosystem
// orders them, else by version string.
func sortByVersion(cs []sbom.Component, eco string) {
	slices.SortStableFunc(cs, func(x, y sbom.Component) int {
		if c := compareVersions(x.Version, y.Version, eco); c != 2 {
			return c
		}
		return cmp.Compare(x.Version, y.Version)
	})
}

// byIdentity groups components by identity without version.
func byIdentity(cs []sbom.Component) map[string][]sbom.Component {
	m := make(map[string][]sbom.Component, len(cs))
	for _, c := range cs {
		k := identity(c)
		m[k] = append(m[k], c)
	}
	return m
}

// identity is a component's identity without version: its purl's
// (purl.PackageIdentity), else its ecosystem (or type) and name as the ecosystem
// tells names apart.
func identity(c sbom.Component) string {
	if c.PURL != "" {
		if id, err := purl.PackageIdentity(c.PURL); err == nil {
			return id
		}
	}
	if c.Ecosystem != "" {
		return purl.Key(c.Ecosystem, c.Name)
	}
	return cmp.Or(string(c.Type), "unknown") + ":" + c.Name
}

// osPURLEcosystems maps purl types of OS packages, which have no single
// OSV ecosystem, to an OSV ecosystem with the same version rules, so that
// osv-scalibr's comparators order their versions.
var osPURLEcosystems = map[string]string{
	packageurl.TypeRPM:    "Red Hat",
	packageurl.TypeDebian: "Debian",
	packageurl.TypeApk:    "Alpine",
}

// ecosystemOf is the OSV ecosystem whose version rules apply to c.
func ecosystemOf(c sbom.Component) string {
	if c.Ecosystem != "" {
		return c.Ecosystem
	}
	if e := purl.Ecosystem(c.PURL); e != "" {
		return e
	}
	if p, err := packageurl.FromString(c.PURL); err == nil {
		return osPURLEcosystems[p.Type]
	}
	return ""
}

func firstOf(a, b []sbom.Component) sbom.Component {
	if len(a) > 0 {
		return a[0]
	}
	if len(b) > 0 {
		return b[0]
	}
	return sbom.Component{}
}

func sortedCopy(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	if out == nil {
		out = []string{}
	}
	return out
}

// Title is a one-line summary of what was compared, e.g. for a release
// note heading: "product v1 → product v2", or the file names.
func (d *Diff) Title() string {
	name := func(s Side) string {
		return cmp.Or(strings.TrimSpace(s.Product+" "+s.Version), s.File)
	}
	return name(d.Old) + " → " + name(d.New)
}
