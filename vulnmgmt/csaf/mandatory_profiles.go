package csaf

import "slices"

func isCategory(a *Advisory, cs ...string) bool { return slices.Contains(cs, a.Document.Category) }

const (
	incidentResponse = "csaf_security_incident_response"
	informational    = "csaf_informational_advisory"
	securityAdvisory = "csaf_security_advisory"
	vexProfile       = "csaf_vex"
)

func profileDocumentNotes(a *Advisory) []Finding {
	if !isCategory(a, incidentResponse, informational) {
		return nil
	}
	for _, n := range a.Document.Notes {
		if slices.Contains([]string{"description", "details", "general", "summary"}, n.Category) {
			return nil
		}
	}
	return []Finding{finding("/document/notes", "a %s needs a note of category description, details, general or summary", a.Document.Category)}
}

func profileDocumentReferences(a *Advisory) []Finding {
	if !isCategory(a, incidentResponse, informational) {
		return nil
	}
	for _, r := range a.Document.References {
		if r.Category == "external" {
			return nil
		}
	}
	return []Finding{finding("/document/references", "a %s needs an external reference", a.Document.Category)}
}

func profileNoVulnerabilities(a *Advisory) []Finding {
	if isCategory(a, informational) && a.Vulnerabilities != nil {
		return []Finding{finding("/vulnerabilities", "an informational advisory has no vulnerabilities")}
	}
	return nil
}

func profileProductTree(a *Advisory) []Finding {
	if isCategory(a, securityAdvisory, vexProfile) && a.ProductTree == nil {
		return []Finding{finding("/product_tree", "a %s needs a product_tree", a.Document.Category)}
	}
	return nil
}

// eachVulnerability calls fn for each vulnerability (of a document of one
// of the categories cs, when given).
func eachVulnerability(a *Advisory, fn func(i int, v *Vulnerability) []Finding, cs ...string) []Finding {
	if len(cs) > 0 && !isCategory(a, cs...) {
		return nil
	}
	var out []Finding
	for i, v := range a.Vulnerabilities {
		if v != nil {
			out = append(out, fn(i, v)...)
		}
	}
	return out
}

func profileVulnerabilityNotes(a *Advisory) []Finding {
	return eachVulnerability(a, func(i int, v *Vulnerability) []Finding {
		if len(v.Notes) == 0 {
			return []Finding{finding(ptr("vulnerabilities", i, "notes"), "a %s needs notes for each vulnerability", a.Document.Category)}
		}
		return nil
	}, securityAdvisory, vexProfile)
}

func profileProductStatus(a *Advisory) []Finding {
	return eachVulnerability(a, func(i int, v *Vulnerability) []Finding {
		if v.ProductStatus == nil {
			return []Finding{finding(ptr("vulnerabilities", i, "product_status"), "a %s needs the product_status of each vulnerability", a.Document.Category)}
		}
		return nil
	}, securityAdvisory, vexProfile)
}

func profileVEXStatus(a *Advisory) []Finding {
	return eachVulnerability(a, func(i int, v *Vulnerability) []Finding {
		ps := v.ProductStatus
		if ps == nil || len(ps.Fixed)+len(ps.KnownAffected)+len(ps.KnownNotAffected)+len(ps.UnderInvestigation) == 0 {
			return []Finding{finding(ptr("vulnerabilities", i, "product_status"), "a VEX needs fixed, known_affected, known_not_affected or under_investigation")}
		}
		return nil
	}, vexProfile)
}

func profileVulnerabilityID(a *Advisory) []Finding {
	return eachVulnerability(a, func(i int, v *Vulnerability) []Finding {
		if v.CVE == "" && len(v.IDs) == 0 {
			return []Finding{finding(ptr("vulnerabilities", i), "a VEX needs a cve or ids for each vulnerability")}
		}
		return nil
	}, vexProfile)
}

// unstated reports the products of a status group of a VEX document that
// no statement of the kind needed covers (6.1.27.9, 6.1.27.10).
func unstated(a *Advisory, group string, ids func(*ProductStatus) []string, scopes func(*Vulnerability) []scope, need string) []Finding {
	groups := groupMembers(a)
	return eachVulnerability(a, func(i int, v *Vulnerability) []Finding {
		if v.ProductStatus == nil {
			return nil
		}
		said := covered(groups, scopes(v))
		var out []Finding
		for k, id := range ids(v.ProductStatus) {
			if !said[id] {
				out = append(out, finding(ptr("vulnerabilities", i, "product_status", group, k), "product %q is %s without %s", id, group, need))
			}
		}
		return out
	}, vexProfile)
}

func profileImpactStatement(a *Advisory) []Finding {
	return unstated(a, "known_not_affected", func(ps *ProductStatus) []string { return ps.KnownNotAffected },
		func(v *Vulnerability) []scope { return append(flagScopes(v), impactScopes(v)...) }, "a flag or an impact statement")
}

func profileActionStatement(a *Advisory) []Finding {
	return unstated(a, "known_affected", func(ps *ProductStatus) []string { return ps.KnownAffected }, remediationScopes, "a remediation")
}

func profileVulnerabilities(a *Advisory) []Finding {
	if isCategory(a, securityAdvisory) && len(a.Vulnerabilities) == 0 {
		return []Finding{finding("/vulnerabilities", "a security advisory needs vulnerabilities")}
	}
	return nil
}
