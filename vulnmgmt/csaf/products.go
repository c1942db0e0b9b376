package csaf

import (
	"fmt"
	"slices"
	"strings"

	ovex "github.com/openvex/go-vex/pkg/vex"

	"github.com/sdlkit/sdlkit/sbom"
)

// Release is one release of the product: its SBOM and the file it came
// from, for errors.
type Release struct {
	BOM  *sbom.BOM
	File string
}

// tree builds the product tree: vendor → product name → version, one
// product per release; and, for each component a statement or finding is
// about, the component as part of its release (a relationship whose
// product carries the component's purl, so that a VEX reader matches it
// to the scanned component).
type tree struct {
	vendor   string
	releases []releaseProduct
	// parts are the components in releases, by product id.
	parts map[string]*partProduct
	order []string
	ids   map[string]bool
	// ranges are the version ranges statements name.
	ranges []rangeProduct
}

type releaseProduct struct {
	Release
	id string
}

type partProduct struct {
	id, release, component string
	purl                   string
}

func newTree(vendor string, rels []Release) (*tree, error) {
	t := &tree{vendor: vendor, parts: map[string]*partProduct{}, ids: map[string]bool{}}
	for _, r := range rels {
		p := r.BOM.Product
		if p.Name == "" || p.Version == "" {
			return nil, &Error{Kind: "sbom", File: r.File, Pointer: "/metadata/component", Err: fmt.Errorf("the SBOM names no product and version: make it with sdlkit sbom generate --name --version")}
		}
		for _, o := range t.releases {
			if o.BOM.Product.Name == p.Name && o.BOM.Product.Version == p.Version {
				return nil, &Error{Kind: "sbom", File: r.File, Pointer: "/metadata/component", Err: fmt.Errorf("release %s %s is also %q", p.Name, p.Version, o.File)}
			}
		}
		t.releases = append(t.releases, releaseProduct{Release: r, id: t.newID(p.Name + "-" + p.Version)})
	}
	return t, nil
}

// newID makes a product id from a name, unique in the document.
func (t *tree) newID(name string) string {
	id := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(".-_:@/", r) {
			return r
		}
		return '_'
	}, name)
	base := id
	for n := 2; t.ids[id]; n++ {
		id = fmt.Sprintf("%s~%d", base, n)
	}
	t.ids[id] = true
	return id
}

// match finds what a package URL names: releases (the product itself) or
// components of releases, as product ids. A purl without version names
// every version.
func (t *tree) match(purl string) ([]string, error) {
	if ids, ok, err := t.matchRange(purl); ok {
		return ids, err
	}
	var ids []string
	for _, r := range t.releases {
		if r.BOM.Product.PURL != "" && ovex.PurlMatches(purl, r.BOM.Product.PURL) {
			ids = append(ids, r.id)
			continue
		}
		for _, c := range r.BOM.Components {
			if c.PURL != "" && ovex.PurlMatches(purl, c.PURL) {
				ids = append(ids, t.part(r, c))
			}
		}
	}
	if len(ids) == 0 {
		return nil, t.notFound(purl)
	}
	return ids, nil
}

// part returns the product id of component c as part of release r.
func (t *tree) part(r releaseProduct, c sbom.Component) string {
	for _, p := range t.parts {
		if p.release == r.id && p.purl == c.PURL {
			return p.id
		}
	}
	name := strings.TrimSpace(c.Name + " " + c.Version)
	p := &partProduct{id: t.newID(r.id + "/" + name), release: r.id, component: name, purl: c.PURL}
	t.parts[p.id] = p
	t.order = append(t.order, p.id)
	return p.id
}

// versions lists the versions of a purl's package in the releases, for a
// message about one that is not there.
func (t *tree) versions(purl string) []string {
	var out []string
	for _, r := range t.releases {
		for _, c := range r.BOM.Components {
			if c.PURL != "" && ovex.PurlMatches(withoutVersion(purl), c.PURL) && !slices.Contains(out, c.Version) {
				out = append(out, c.Version)
			}
		}
	}
	return out
}

func withoutVersion(purl string) string {
	base, _, _ := strings.Cut(purl, "?")
	if i := strings.LastIndex(base, "@"); i > strings.LastIndex(base, "/") {
		return base[:i]
	}
	return base
}

// releaseOf returns the release a product id belongs to.
func (t *tree) releaseOf(id string) releaseProduct {
	if p, ok := t.parts[id]; ok {
		id = p.release
	}
	for _, r := range t.releases {
		if r.id == id {
			return r
		}
	}
	return releaseProduct{}
}

// productTree renders the tree.
func (t *tree) productTree() *ProductTree {
	vendor := &Branch{Category: "vendor", Name: t.vendor}
	for _, r := range t.releases {
		p := r.BOM.Product
		var named *Branch
		for _, b := range vendor.Branches {
			if b.Name == p.Name {
				named = b
			}
		}
		if named == nil {
			named = &Branch{Category: "product_name", Name: p.Name}
			vendor.Branches = append(vendor.Branches, named)
		}
		fp := &FullProductName{Name: p.Name + " " + p.Version, ProductID: r.id}
		if p.PURL != "" {
			fp.Helper = &Helper{PURL: p.PURL}
		}
		named.Branches = append(named.Branches, &Branch{Category: "product_version", Name: p.Version, Product: fp})
	}
	for _, r := range t.ranges {
		for _, b := range vendor.Branches {
			if b.Name == r.name {
				b.Branches = append(b.Branches, &Branch{Category: "product_version_range", Name: r.vers.text,
					Product: &FullProductName{Name: r.name + " " + r.vers.text, ProductID: r.id}})
			}
		}
	}
	pt := &ProductTree{Branches: []*Branch{vendor}}
	components := map[string]string{}
	for _, id := range t.order {
		p := t.parts[id]
		cid, ok := components[p.purl]
		if !ok {
			cid = t.newID(p.component)
			components[p.purl] = cid
			pt.FullProductNames = append(pt.FullProductNames, &FullProductName{Name: p.component, ProductID: cid, Helper: &Helper{PURL: p.purl}})
		}
		rel := t.releaseOf(id).BOM.Product
		pt.Relationships = append(pt.Relationships, Relationship{
			Category:            "default_component_of",
			FullProductName:     FullProductName{Name: p.component + " as part of " + rel.Name + " " + rel.Version, ProductID: id, Helper: &Helper{PURL: p.purl}},
			ProductReference:    cid,
			RelatesToProductRef: t.releaseOf(id).id,
		})
	}
	return pt
}
