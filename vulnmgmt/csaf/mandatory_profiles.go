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

// eachVulnerability calls fn for each vulnerability of a document of one
// of the categories cs.
func eachVulnerability(a *Advisory, fn func(i int, v *Vulnerability) []Finding, cs ...string) []Finding {
	if !isCategory(a, cs...) {
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

// profileImpactStatement reports known_not_affected products without a
// flag or an impact threat (6.1.27.9).
func profileImpactStatement(a *Advisory) []Finding {
	groups := groupMembers(a)
	return eachVulnerability(a, func(i int, v *Vulnerability) []Finding {
		if v.ProductStatus == nil {
			return nil
		}
		said := map[string]bool{}
		for _, f := range v.Flags {
			for _, id := range expand(groups, f.ProductIDs, f.GroupIDs) {
				said[id] = true
			}
		}
		for _, t := range v.Threats {
			if t.Category == "impact" {
				for _, id := range expand(groups, t.ProductIDs, t.GroupIDs) {
					said[id] = true
				}
			}
		}
		var out []Finding
		for k, id := range v.ProductStatus.KnownNotAffected {
			if !said[id] {
				out = append(out, finding(ptr("vulnerabilities", i, "product_status", "known_not_affected", k), "product %q is known_not_affected without a flag or an impact statement", id))
			}
		}
		return out
	}, vexProfile)
}

// profileActionStatement reports known_affected products without a
// remediation (6.1.27.10).
func profileActionStatement(a *Advisory) []Finding {
	groups := groupMembers(a)
	return eachVulnerability(a, func(i int, v *Vulnerability) []Finding {
		if v.ProductStatus == nil {
			return nil
		}
		said := map[string]bool{}
		for _, r := range v.Remediations {
			for _, id := range expand(groups, r.ProductIDs, r.GroupIDs) {
				said[id] = true
			}
		}
		var out []Finding
		for k, id := range v.ProductStatus.KnownAffected {
			if !said[id] {
				out = append(out, finding(ptr("vulnerabilities", i, "product_status", "known_affected", k), "product %q is known_affected without a remediation", id))
			}
		}
		return out
	}, vexProfile)
}

func profileVulnerabilities(a *Advisory) []Finding {
	if isCategory(a, securityAdvisory) && len(a.Vulnerabilities) == 0 {
		return []Finding{finding("/vulnerabilities", "a security advisory needs vulnerabilities")}
	}
	return nil
}
