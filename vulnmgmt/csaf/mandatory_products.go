package csaf

import "fmt"

// productRef is a use of a product or group id and where it is.
type productRef struct {
	id   string
	path string
}

// productDefinitions lists every product id defined in the product tree:
// in branches, full_product_names and relationships.
func productDefinitions(a *Advisory) []productRef {
	pt := a.ProductTree
	if pt == nil {
		return nil
	}
	var out []productRef
	var walk func(bs []*Branch, path string)
	walk = func(bs []*Branch, path string) {
		for i, b := range bs {
			if b == nil {
				continue
			}
			p := fmt.Sprintf("%s/%d", path, i)
			if b.Product != nil {
				out = append(out, productRef{b.Product.ProductID, p + "/product/product_id"})
			}
			walk(b.Branches, p+"/branches")
		}
	}
	walk(pt.Branches, "/product_tree/branches")
	for i, f := range pt.FullProductNames {
		if f != nil {
			out = append(out, productRef{f.ProductID, ptr("product_tree", "full_product_names", i, "product_id")})
		}
	}
	for i, r := range pt.Relationships {
		out = append(out, productRef{r.FullProductName.ProductID, ptr("product_tree", "relationships", i, "full_product_name", "product_id")})
	}
	return out
}

// productReferences lists every use of a product id outside its
// definition.
func productReferences(a *Advisory) []productRef {
	var out []productRef
	add := func(ids []string, steps ...any) {
		for k, id := range ids {
			out = append(out, productRef{id, ptr(append(steps, k)...)})
		}
	}
	if pt := a.ProductTree; pt != nil {
		for i, g := range pt.ProductGroups {
			add(g.ProductIDs, "product_tree", "product_groups", i, "product_ids")
		}
		for i, r := range pt.Relationships {
			out = append(out, productRef{r.ProductReference, ptr("product_tree", "relationships", i, "product_reference")},
				productRef{r.RelatesToProductRef, ptr("product_tree", "relationships", i, "relates_to_product_reference")})
		}
	}
	for i, v := range a.Vulnerabilities {
		if v == nil {
			continue
		}
		if v.ProductStatus != nil {
			for _, g := range v.ProductStatus.Groups() {
				add(g.IDs, "vulnerabilities", i, "product_status", g.Name)
			}
		}
		for j, r := range v.Remediations {
			add(r.ProductIDs, "vulnerabilities", i, "remediations", j, "product_ids")
		}
		for j, s := range v.Scores {
			add(s.Products, "vulnerabilities", i, "scores", j, "products")
		}
		for j, t := range v.Threats {
			add(t.ProductIDs, "vulnerabilities", i, "threats", j, "product_ids")
		}
		for j, f := range v.Flags {
			add(f.ProductIDs, "vulnerabilities", i, "flags", j, "product_ids")
		}
	}
	return out
}

// groupReferences lists every use of a product group id.
func groupReferences(a *Advisory) []productRef {
	var out []productRef
	add := func(ids []string, steps ...any) {
		for k, id := range ids {
			out = append(out, productRef{id, ptr(append(steps, k)...)})
		}
	}
	for i, v := range a.Vulnerabilities {
		if v == nil {
			continue
		}
		for j, r := range v.Remediations {
			add(r.GroupIDs, "vulnerabilities", i, "remediations", j, "group_ids")
		}
		for j, t := range v.Threats {
			add(t.GroupIDs, "vulnerabilities", i, "threats", j, "group_ids")
		}
		for j, f := range v.Flags {
			add(f.GroupIDs, "vulnerabilities", i, "flags", j, "group_ids")
		}
	}
	return out
}

func groupDefinitions(a *Advisory) []productRef {
	if a.ProductTree == nil {
		return nil
	}
	var out []productRef
	for i, g := range a.ProductTree.ProductGroups {
		out = append(out, productRef{g.GroupID, ptr("product_tree", "product_groups", i, "group_id")})
	}
	return out
}

// undefined reports the references whose id no definition has (6.1.1,
// 6.1.4).
func undefined(defs, refs []productRef, what string) []Finding {
	known := map[string]bool{}
	for _, d := range defs {
		known[d.id] = true
	}
	var out []Finding
	for _, r := range refs {
		if !known[r.id] {
			out = append(out, finding(r.path, "%s %q is not defined", what, r.id))
		}
	}
	return out
}

// duplicates reports the definitions of an id defined before (6.1.2,
// 6.1.5).
func duplicates(defs []productRef, what string) []Finding {
	first := map[string]string{}
	var out []Finding
	for _, d := range defs {
		if p, ok := first[d.id]; ok {
			out = append(out, finding(d.path, "%s %q is defined again (first at %s)", what, d.id, p))
			continue
		}
		first[d.id] = d.path
	}
	return out
}

func missingProductIDs(a *Advisory) []Finding {
	return undefined(productDefinitions(a), productReferences(a), "product id")
}

func multipleProductIDs(a *Advisory) []Finding {
	return duplicates(productDefinitions(a), "product id")
}

func missingGroupIDs(a *Advisory) []Finding {
	return undefined(groupDefinitions(a), groupReferences(a), "product group id")
}

func multipleGroupIDs(a *Advisory) []Finding {
	return duplicates(groupDefinitions(a), "product group id")
}

// circularProductIDs reports a relationship whose product is, through
// the products it is made of, made of itself (6.1.3).
func circularProductIDs(a *Advisory) []Finding {
	if a.ProductTree == nil {
		return nil
	}
	parts := map[string][]string{}
	for _, r := range a.ProductTree.Relationships {
		id := r.FullProductName.ProductID
		parts[id] = append(parts[id], r.ProductReference, r.RelatesToProductRef)
	}
	var out []Finding
	for i, r := range a.ProductTree.Relationships {
		if reaches(parts, r.FullProductName.ProductID, map[string]bool{}) {
			out = append(out, finding(ptr("product_tree", "relationships", i, "full_product_name", "product_id"),
				"product id %q is defined in terms of itself", r.FullProductName.ProductID))
		}
	}
	return out
}

// reaches tells whether start is found again by following parts.
func reaches(parts map[string][]string, start string, seen map[string]bool) bool {
	stack := append([]string(nil), parts[start]...)
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if id == start {
			return true
		}
		if seen[id] {
			continue
		}
		seen[id] = true
		stack = append(stack, parts[id]...)
	}
	return false
}

// statusClass names the four classes of product status that exclude each
// other (6.1.6); "recommended" is in none.
var statusClass = map[string]string{
	"first_affected": "affected", "known_affected": "affected", "last_affected": "affected",
	"known_not_affected": "not affected",
	"first_fixed":        "fixed", "fixed": "fixed",
	"under_investigation": "under investigation",
}

func contradictingStatus(a *Advisory) []Finding {
	var out []Finding
	for i, v := range a.Vulnerabilities {
		if v == nil || v.ProductStatus == nil {
			continue
		}
		class := map[string]string{}
		for _, g := range v.ProductStatus.Groups() {
			c, ok := statusClass[g.Name]
			if !ok {
				continue
			}
			for k, id := range g.IDs {
				if prev, ok := class[id]; ok && prev != c {
					out = append(out, finding(ptr("vulnerabilities", i, "product_status", g.Name, k), "product %q is both %s and %s", id, prev, c))
					continue
				}
				class[id] = c
			}
		}
	}
	return out
}

// multipleScores reports a product scored twice with one CVSS version in
// one vulnerability (6.1.7).
func multipleScores(a *Advisory) []Finding {
	var out []Finding
	for i, v := range a.Vulnerabilities {
		if v == nil {
			continue
		}
		seen := map[string]bool{}
		for j, s := range v.Scores {
			for _, c := range []CVSS{s.CVSSv2, s.CVSSv3} {
				if c == nil {
					continue
				}
				for k, id := range s.Products {
					key := c.String("version") + "\x00" + id
					if seen[key] {
						out = append(out, finding(ptr("vulnerabilities", i, "scores", j, "products", k), "product %q has a second CVSS %s score", id, c.String("version")))
					}
					seen[key] = true
				}
			}
		}
	}
	return out
}

// groupMembers maps each group id to its products.
func groupMembers(a *Advisory) map[string][]string {
	m := map[string][]string{}
	if a.ProductTree != nil {
		for _, g := range a.ProductTree.ProductGroups {
			m[g.GroupID] = append(m[g.GroupID], g.ProductIDs...)
		}
	}
	return m
}

// expand returns the products named directly and through groups.
func expand(groups map[string][]string, products, groupIDs []string) []string {
	out := append([]string(nil), products...)
	for _, g := range groupIDs {
		out = append(out, groups[g]...)
	}
	return out
}

func remediationProducts(a *Advisory) []Finding {
	var out []Finding
	for i, v := range a.Vulnerabilities {
		if v == nil {
			continue
		}
		for j, r := range v.Remediations {
			if len(r.ProductIDs) == 0 && len(r.GroupIDs) == 0 {
				out = append(out, finding(ptr("vulnerabilities", i, "remediations", j), "remediation names no product_ids or group_ids"))
			}
		}
	}
	return out
}

func flagProducts(a *Advisory) []Finding {
	var out []Finding
	for i, v := range a.Vulnerabilities {
		if v == nil {
			continue
		}
		for j, f := range v.Flags {
			if len(f.ProductIDs) == 0 && len(f.GroupIDs) == 0 {
				out = append(out, finding(ptr("vulnerabilities", i, "flags", j), "flag names no product_ids or group_ids"))
			}
		}
	}
	return out
}

// multipleFlags reports a product with two VEX justifications in one
// vulnerability (6.1.33).
func multipleFlags(a *Advisory) []Finding {
	groups := groupMembers(a)
	var out []Finding
	for i, v := range a.Vulnerabilities {
		if v == nil {
			continue
		}
		flagged := map[string]int{}
		for j, f := range v.Flags {
			for _, id := range expand(groups, f.ProductIDs, f.GroupIDs) {
				if prev, ok := flagged[id]; ok && prev != j {
					out = append(out, finding(ptr("vulnerabilities", i, "flags", j), "product %q is already flagged by flags/%d", id, prev))
					continue
				}
				flagged[id] = j
			}
		}
	}
	return out
}
