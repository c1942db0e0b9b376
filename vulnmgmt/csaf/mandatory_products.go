package csaf

// productRef is a use of a product or group id and where it is.
type productRef struct {
	id   string
	path string
}

// eachBranch calls fn for every branch of the product tree, with its
// path.
func eachBranch(a *Advisory, fn func(b *Branch, path string)) {
	if a.ProductTree == nil {
		return
	}
	var walk func(bs []*Branch, path string)
	walk = func(bs []*Branch, path string) {
		for i, b := range bs {
			if b != nil {
				p := path + ptr(i)
				fn(b, p)
				walk(b.Branches, p+"/branches")
			}
		}
	}
	walk(a.ProductTree.Branches, "/product_tree/branches")
}

// eachProduct calls fn for every full product name with its path: in
// branches, full_product_names and relationships.
func eachProduct(a *Advisory, fn func(p *FullProductName, path string)) {
	eachBranch(a, func(b *Branch, path string) {
		if b.Product != nil {
			fn(b.Product, path+"/product")
		}
	})
	pt := a.ProductTree
	if pt == nil {
		return
	}
	for i, f := range pt.FullProductNames {
		if f != nil {
			fn(f, ptr("product_tree", "full_product_names", i))
		}
	}
	for i := range pt.Relationships {
		fn(&pt.Relationships[i].FullProductName, ptr("product_tree", "relationships", i, "full_product_name"))
	}
}

// productDefinitions lists every product id defined in the product tree.
func productDefinitions(a *Advisory) []productRef {
	var out []productRef
	eachProduct(a, func(p *FullProductName, path string) {
		out = append(out, productRef{p.ProductID, path + "/product_id"})
	})
	return out
}

// eachScope calls fn for every remediation, threat and flag, with its
// path.
func eachScope(a *Advisory, fn func(s scope, path string)) {
	for i, v := range a.Vulnerabilities {
		if v == nil {
			continue
		}
		for _, set := range []struct {
			field  string
			scopes []scope
		}{{"remediations", remediationScopes(v)}, {"threats", threatScopes(v)}, {"flags", flagScopes(v)}} {
			for j, s := range set.scopes {
				fn(s, ptr("vulnerabilities", i, set.field, j))
			}
		}
	}
}

// refs lists ids with the path of each: path/0, path/1, ….
func refs(ids []string, path string) []productRef {
	out := make([]productRef, len(ids))
	for k, id := range ids {
		out[k] = productRef{id, path + ptr(k)}
	}
	return out
}

// productReferences lists every use of a product id outside its
// definition.
func productReferences(a *Advisory) []productRef {
	var out []productRef
	if pt := a.ProductTree; pt != nil {
		for i, g := range pt.ProductGroups {
			out = append(out, refs(g.ProductIDs, ptr("product_tree", "product_groups", i, "product_ids"))...)
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
				out = append(out, refs(g.IDs, ptr("vulnerabilities", i, "product_status", g.Name))...)
			}
		}
		for j, s := range v.Scores {
			out = append(out, refs(s.Products, ptr("vulnerabilities", i, "scores", j, "products"))...)
		}
	}
	eachScope(a, func(s scope, path string) { out = append(out, refs(s.products, path+"/product_ids")...) })
	return out
}

// groupReferences lists every use of a product group id.
func groupReferences(a *Advisory) []productRef {
	var out []productRef
	eachScope(a, func(s scope, path string) { out = append(out, refs(s.groups, path+"/group_ids")...) })
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
	return eachVulnerability(a, func(i int, v *Vulnerability) []Finding {
		if v.ProductStatus == nil {
			return nil
		}
		var out []Finding
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
		return out
	})
}

// multipleScores reports a product scored twice with one CVSS version in
// one vulnerability (6.1.7).
func multipleScores(a *Advisory) []Finding {
	return eachVulnerability(a, func(i int, v *Vulnerability) []Finding {
		var out []Finding
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
		return out
	})
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

// scope is what a remediation, flag or threat is about.
type scope struct{ products, groups []string }

// scopesOf maps items to what each is about.
func scopesOf[T any](items []T, of func(T) scope) []scope {
	out := make([]scope, len(items))
	for i, it := range items {
		out[i] = of(it)
	}
	return out
}

func remediationScopes(v *Vulnerability) []scope {
	return scopesOf(v.Remediations, func(r Remediation) scope { return scope{r.ProductIDs, r.GroupIDs} })
}

func flagScopes(v *Vulnerability) []scope {
	return scopesOf(v.Flags, func(f Flag) scope { return scope{f.ProductIDs, f.GroupIDs} })
}

func threatScopes(v *Vulnerability) []scope {
	return scopesOf(v.Threats, func(t Threat) scope { return scope{t.ProductIDs, t.GroupIDs} })
}

// impactScopes are the threats of category impact.
func impactScopes(v *Vulnerability) []scope {
	var out []scope
	for _, t := range v.Threats {
		if t.Category == "impact" {
			out = append(out, scope{t.ProductIDs, t.GroupIDs})
		}
	}
	return out
}

// covered lists the products the scopes name, directly or by group.
func covered(groups map[string][]string, scopes []scope) map[string]bool {
	m := map[string]bool{}
	for _, s := range scopes {
		for _, id := range expand(groups, s.products, s.groups) {
			m[id] = true
		}
	}
	return m
}

// unscoped reports the remediations or flags that name no product
// (6.1.29, 6.1.32).
func unscoped(a *Advisory, field, what string, scopes func(*Vulnerability) []scope) []Finding {
	return eachVulnerability(a, func(i int, v *Vulnerability) []Finding {
		var out []Finding
		for j, s := range scopes(v) {
			if len(s.products) == 0 && len(s.groups) == 0 {
				out = append(out, finding(ptr("vulnerabilities", i, field, j), "%s names no product_ids or group_ids", what))
			}
		}
		return out
	})
}

func remediationProducts(a *Advisory) []Finding {
	return unscoped(a, "remediations", "remediation", remediationScopes)
}

func flagProducts(a *Advisory) []Finding { return unscoped(a, "flags", "flag", flagScopes) }

// multipleFlags reports a product with two VEX justifications in one
// vulnerability (6.1.33).
func multipleFlags(a *Advisory) []Finding {
	groups := groupMembers(a)
	return eachVulnerability(a, func(i int, v *Vulnerability) []Finding {
		var out []Finding
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
		return out
	})
}
