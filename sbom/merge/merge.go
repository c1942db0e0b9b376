// Package merge makes one product BOM from the BOMs of its parts (one per binary,
// image or lockfile), written by sdlkit or by other tools (trivy, syft,
// cyclonedx-gomod).
//
// Components are deduplicated by package URL: type, namespace, name,
// version and subpath, plus the qualifiers that name a different artifact
// (arch, classifier, type, extension, os); other qualifiers differ between
// tools for the same package (trivy's distro, syft's upstream) and are left
// out of the identity. Names are compared as their ecosystem compares them
// (purl.Identity): PyPI's PEP 503, case-insensitive where the registry is.
// Components without a purl are the same when their type, name and version
// are. Merged components unite their hashes, licenses, locations and
// properties (MergeComponent); the first input's name and type win.
//
// Every component's bom-ref becomes its identity, since tools spell refs
// differently (trivy uses UUIDs, cyclonedx-gomod purls): the dependency graph
// of each input is rewritten to the new refs and the graphs are united.
// Dependencies on refs an input does not define are dropped. Each input's
// product (metadata.component) becomes a component that the merged product
// depends on, unless all inputs describe the same product and no name is
// given, in which case that product is the merged product. An input without
// a product contributes the roots of its graph to the product's dependencies.
package merge

import (
	"cmp"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/sdlkit/sdlkit/sbom"
	"github.com/sdlkit/sdlkit/sbom/purl"
)

// Options name the merged product.
type Options struct {
	// Name and Version of the product; when Name is empty, the inputs must
	// all describe the same product, which is kept.
	Name, Version, Supplier string
	// Timestamp of the merged BOM; zero takes the latest input timestamp,
	// so that merging the same inputs gives the same BOM.
	Timestamp time.Time
	// Tool, when set, is added to the tools of the inputs.
	Tool sbom.Tool
}

// ErrNeedsName is returned when the inputs describe different
// products and Options.Name is empty.
var ErrNeedsName = errors.New("the inputs describe different products: name the merged product")

// merger accumulates the inputs.
type merger struct {
	comps map[string]sbom.Component
	edges map[string][]string
	// products are the identities of the input products, in input order.
	products []string
	// orphans are graph roots of inputs without a product.
	orphans []string
	latest  time.Time
	out     *sbom.BOM
}

// SBOMs merges boms, in order, into one product BOM.
func SBOMs(boms []*sbom.BOM, opts Options) (*sbom.BOM, error) {
	if len(boms) == 0 {
		return nil, errors.New("merge sboms: no input")
	}
	m := &merger{comps: map[string]sbom.Component{}, edges: map[string][]string{}, out: &sbom.BOM{Timestamp: opts.Timestamp}}
	for _, b := range boms {
		m.add(b)
	}
	if m.out.Timestamp.IsZero() {
		m.out.Timestamp = m.latest
	}
	if err := m.product(opts); err != nil {
		return nil, err
	}
	if opts.Tool.Name != "" {
		m.out.Tools = append(m.out.Tools, opts.Tool)
	}
	m.finish()
	return m.out, nil
}

// add merges one input.
func (m *merger) add(b *sbom.BOM) {
	refs := make(map[string]string, len(b.Components)+1)
	for _, c := range b.Components {
		refs[c.BOMRef] = m.addComponent(c)
	}
	if b.Product.Name != "" || b.Product.BOMRef != "" {
		p := b.Product
		if p.Type == "" {
			p.Type = sbom.TypeApplication
		}
		id := m.addComponent(p)
		refs[b.Product.BOMRef] = id
		m.products = append(m.products, id)
	} else {
		m.orphans = append(m.orphans, graphRoots(b, refs)...)
	}
	for _, d := range b.Dependencies {
		from, ok := refs[d.Ref]
		if !ok {
			continue
		}
		if _, seen := m.edges[from]; !seen {
			m.edges[from] = nil // a known leaf stays in the graph
		}
		for _, t := range d.DependsOn {
			if to, ok := refs[t]; ok && to != from {
				m.edges[from] = append(m.edges[from], to)
			}
		}
	}
	m.latest = laterOf(m.latest, b.Timestamp)
	m.out.Artifacts = append(m.out.Artifacts, b.Artifacts...)
	m.out.Tools = append(m.out.Tools, b.Tools...)
	m.out.Properties = sbom.UnionProperties(m.out.Properties, b.Properties)
}

// addComponent merges c into the set and returns its identity.
func (m *merger) addComponent(c sbom.Component) string {
	id := componentIdentity(c)
	c.BOMRef = id
	if old, ok := m.comps[id]; ok {
		c = sbom.MergeComponent(old, c)
	}
	m.comps[id] = c
	return id
}

// componentIdentity is what components are deduplicated by: the purl's
// identity (purl.Identity), else the type, the name as its ecosystem tells
// names apart and the version.
func componentIdentity(c sbom.Component) string {
	if c.PURL != "" {
		if id, err := purl.Identity(c.PURL); err == nil {
			return id
		}
	}
	id := cmp.Or(string(c.Type), string(sbom.TypeLibrary)) + ":" + purl.Key(c.Ecosystem, c.Name)
	if c.Ecosystem == "" {
		id = cmp.Or(string(c.Type), string(sbom.TypeLibrary)) + ":" + c.Name
	}
	if c.Version != "" {
		id += "@" + c.Version
	}
	return id
}

// graphRoots returns the identities of b's components that no other
// component of b depends on: all of them when b has no graph.
func graphRoots(b *sbom.BOM, refs map[string]string) []string {
	depended := map[string]bool{}
	for _, d := range b.Dependencies {
		for _, t := range d.DependsOn {
			if t != d.Ref {
				depended[t] = true
			}
		}
	}
	var roots []string
	for _, c := range b.Components {
		if !depended[c.BOMRef] {
			roots = append(roots, refs[c.BOMRef])
		}
	}
	return roots
}

// productKey is what makes two inputs' products one product: the name as
// its ecosystem tells names apart, and the version. Their purls may differ:
// cyclonedx-gomod's module and binary SBOMs of one product differ in the
// subpath.
func productKey(c sbom.Component) string {
	return purl.Key(c.Ecosystem, c.Name) + "@" + c.Version
}

// uniteProducts merges the inputs' products that are one product
// (productKey) into the first of them, and reports whether every input
// described the same product.
func (m *merger) uniteProducts() (same bool) {
	first := map[string]string{} // product key → the id it is merged into
	for _, id := range slices.Clone(m.products) {
		c, ok := m.comps[id]
		if !ok {
			continue // already merged into another
		}
		key := productKey(c)
		into, seen := first[key]
		if !seen {
			first[key] = id
			continue
		}
		if into != id {
			m.comps[into] = sbom.MergeComponent(m.comps[into], c)
			delete(m.comps, id)
			m.rename(id, into)
		}
	}
	return len(first) == 1
}

// product sets the merged product and its direct dependencies.
func (m *merger) product(opts Options) error {
	same := m.uniteProducts()
	if opts.Name == "" {
		if !same {
			return ErrNeedsName
		}
		p := m.comps[m.products[0]]
		delete(m.comps, p.BOMRef)
		if opts.Version != "" {
			p.Version = opts.Version
		}
		p.Supplier = cmp.Or(opts.Supplier, p.Supplier)
		m.out.Product = p
		m.edges[p.BOMRef] = append(m.edges[p.BOMRef], m.orphans...)
		return nil
	}
	p := sbom.Component{Type: sbom.TypeApplication, Name: opts.Name, Version: opts.Version, Supplier: opts.Supplier}
	// The product's ref as 'sdlkit sbom generate' spells it without purl.
	p.BOMRef = strings.TrimSuffix(p.Name+"@"+p.Version, "@")
	switch id := componentIdentity(p); {
	case m.comps[id].BOMRef != "":
		// An input's product has this very name and version: keep it.
		p = sbom.MergeComponent(p, m.comps[id])
		delete(m.comps, id)
		m.rename(id, p.BOMRef)
	case same:
		// Every input describes one product, named anew: it is the merged
		// product, not one of its components.
		delete(m.comps, m.products[0])
		m.rename(m.products[0], p.BOMRef)
	}
	m.out.Product = p
	for _, id := range append(slices.Clone(m.products), m.orphans...) {
		if id != p.BOMRef {
			m.edges[p.BOMRef] = append(m.edges[p.BOMRef], id)
		}
	}
	return nil
}

// rename replaces ref from by to throughout the graph.
func (m *merger) rename(from, to string) {
	if on, ok := m.edges[from]; ok {
		delete(m.edges, from)
		m.edges[to] = append(m.edges[to], on...)
	}
	for ref, on := range m.edges {
		for i, t := range on {
			if t == from {
				on[i] = to
			}
		}
		m.edges[ref] = on
	}
	for i, id := range m.products {
		if id == from {
			m.products[i] = to
		}
	}
}

// finish sorts everything, so that the same inputs give the same BOM.
func (m *merger) finish() {
	b := m.out
	b.Components = make([]sbom.Component, 0, len(m.comps))
	for _, c := range m.comps {
		b.Components = append(b.Components, c)
	}
	sbom.SortComponents(b.Components)
	b.Dependencies = sbom.NewDependencies(m.edges)
	b.Artifacts = uniqueSorted(b.Artifacts, func(a, b sbom.Artifact) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Size, b.Size), cmp.Compare(hashKey(a.Hashes), hashKey(b.Hashes)))
	})
	b.Tools = uniqueSorted(b.Tools, func(a, b sbom.Tool) int {
		return cmp.Or(cmp.Compare(a.Vendor, b.Vendor), cmp.Compare(a.Name, b.Name), cmp.Compare(a.Version, b.Version))
	})
}

// uniqueSorted sorts s by compare and drops elements equal under it.
func uniqueSorted[T any](s []T, compare func(a, b T) int) []T {
	slices.SortStableFunc(s, compare)
	return slices.CompactFunc(s, func(a, b T) bool { return compare(a, b) == 0 })
}

// hashKey is a comparable form of a hash list.
func hashKey(hs []sbom.Hash) string {
	var b strings.Builder
	for _, h := range hs {
		b.WriteString(h.Algorithm + ":" + h.Value + ";")
	}
	return b.String()
}

func laterOf(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
