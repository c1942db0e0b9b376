package csaf

import (
	"fmt"
	"strings"

	ovex "github.com/openvex/go-vex/pkg/vex"
	"github.com/package-url/packageurl-go"
)

// A VEX statement names a range of the product's versions with the purl
// qualifier vers, a version range in the vers notation of the purl
// project: pkg:generic/acme/fw?vers=vers:generic/%3C2.3.1 is "fw before
// 2.3.1". Such a statement becomes a product_version_range branch of the
// product tree, whose product has no purl (a scanner must not read it as
// "every version"), and applies to each release in the range too.

// versRange is a parsed vers range: equal versions, or an interval.
type versRange struct {
	text                 string
	equals               []string
	lower                string // with lowerIncl, "" when unbounded
	upper                string
	lowerIncl, upperIncl bool
	all                  bool
}

// parseVers reads "vers:<scheme>/<constraint>|<constraint>…".
func parseVers(s string) (versRange, error) {
	r := versRange{text: s}
	rest, ok := strings.CutPrefix(s, "vers:")
	_, constraints, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 || constraints == "" {
		return r, fmt.Errorf("version range %q is not vers:<scheme>/<constraints>", s)
	}
	for _, c := range strings.Split(constraints, "|") {
		c = strings.TrimSpace(c)
		switch {
		case c == "*":
			r.all = true
		case strings.HasPrefix(c, ">="):
			r.lower, r.lowerIncl = c[2:], true
		case strings.HasPrefix(c, "<="):
			r.upper, r.upperIncl = c[2:], true
		case strings.HasPrefix(c, ">"):
			r.lower = c[1:]
		case strings.HasPrefix(c, "<"):
			r.upper = c[1:]
		case strings.HasPrefix(c, "!="):
			return r, fmt.Errorf("version range %q: != is not supported", s)
		default:
			r.equals = append(r.equals, strings.TrimPrefix(c, "="))
		}
	}
	return r, nil
}

// contains tells whether version v is in the range.
func (r versRange) contains(v string) bool {
	if r.all {
		return true
	}
	for _, e := range r.equals {
		if compareReleases(v, e) == 0 {
			return true
		}
	}
	if r.lower == "" && r.upper == "" {
		return false
	}
	if r.lower != "" {
		if c := compareReleases(v, r.lower); c < 0 || c == 0 && !r.lowerIncl {
			return false
		}
	}
	if r.upper != "" {
		if c := compareReleases(v, r.upper); c > 0 || c == 0 && !r.upperIncl {
			return false
		}
	}
	return true
}

// matchRange handles a purl with a vers qualifier: the product's range
// product and every release in the range. ok is false for a purl without
// one.
func (t *tree) matchRange(purl string) (ids []string, ok bool, err error) {
	p, err := packageurl.FromString(purl)
	if err != nil {
		return nil, false, nil
	}
	vers := p.Qualifiers.Map()["vers"]
	if vers == "" {
		return nil, false, nil
	}
	r, err := parseVers(vers)
	if err != nil {
		return nil, true, err
	}
	p.Qualifiers, p.Version = nil, ""
	base := p.ToString()
	var name string
	for _, rel := range t.releases {
		if rel.BOM.Product.PURL == "" || !ovex.PurlMatches(base, rel.BOM.Product.PURL) {
			continue
		}
		name = rel.BOM.Product.Name
		if r.contains(rel.BOM.Product.Version) {
			ids = append(ids, rel.id)
		}
	}
	if name == "" {
		return nil, true, fmt.Errorf("%w: %s is in none of the SBOMs", ErrOtherProduct, base)
	}
	return append(ids, t.rangeProduct(name, r)), true, nil
}

// rangeProduct returns the product id of a version range of a product.
func (t *tree) rangeProduct(name string, vers versRange) string {
	for _, r := range t.ranges {
		if r.name == name && r.vers.text == vers.text {
			return r.id
		}
	}
	r := rangeProduct{id: t.newID(name + "-" + vers.text), name: name, vers: vers}
	t.ranges = append(t.ranges, r)
	return r.id
}

type rangeProduct struct {
	id, name string
	vers     versRange
}

// rangeFix is the release that ends a range "before X": X.
func (t *tree) rangeFix(id string) (productVersion, bool) {
	for _, r := range t.ranges {
		if r.id == id && r.vers.upper != "" && !r.vers.upperIncl && r.vers.lower == "" && len(r.vers.equals) == 0 {
			return productVersion{r.name, r.vers.upper}, true
		}
	}
	return productVersion{}, false
}
