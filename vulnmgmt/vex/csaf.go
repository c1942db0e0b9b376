package vex

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	ovex "github.com/openvex/go-vex/pkg/vex"
)

// csafDocument is the part of a CSAF 2.0 document that VEX needs.
type csafDocument struct {
	Document struct {
		Category string `json:"category"`
		Tracking struct {
			ID                 string `json:"id"`
			CurrentReleaseDate string `json:"current_release_date"`
		} `json:"tracking"`
	} `json:"document"`
	ProductTree struct {
		Branches         []csafBranch  `json:"branches"`
		FullProductNames []csafProduct `json:"full_product_names"`
		Relationships    []struct {
			Category            string      `json:"category"`
			FullProductName     csafProduct `json:"full_product_name"`
			ProductReference    string      `json:"product_reference"`
			RelatesToProductRef string      `json:"relates_to_product_reference"`
		} `json:"relationships"`
		ProductGroups []struct {
			GroupID    string   `json:"group_id"`
			ProductIDs []string `json:"product_ids"`
		} `json:"product_groups"`
	} `json:"product_tree"`
	Vulnerabilities []csafVulnerability `json:"vulnerabilities"`
}

type csafBranch struct {
	Product  *csafProduct `json:"product"`
	Branches []csafBranch `json:"branches"`
}

type csafProduct struct {
	Name      string `json:"name"`
	ProductID string `json:"product_id"`
	Helper    *struct {
		PURL string `json:"purl"`
		CPE  string `json:"cpe"`
	} `json:"product_identification_helper"`
}

// csafScoped is a flag, threat or remediation: something said of some
// products and groups.
type csafScoped struct {
	Label      string   `json:"label"`
	Category   string   `json:"category"`
	Details    string   `json:"details"`
	ProductIDs []string `json:"product_ids"`
	GroupIDs   []string `json:"group_ids"`
}

type csafVulnerability struct {
	CVE string `json:"cve"`
	IDs []struct {
		Text string `json:"text"`
	} `json:"ids"`
	ProductStatus map[string][]string `json:"product_status"`
	Flags         []csafScoped        `json:"flags"`
	Threats       []csafScoped        `json:"threats"`
	Remediations  []csafScoped        `json:"remediations"`
}

// csafStatuses maps product_status groups to VEX statuses; "recommended"
// names versions the vendor recommends, which is no statement about a
// vulnerability, and is left out.
var csafStatuses = map[string]ovex.Status{
	"known_not_affected":  NotAffected,
	"fixed":               Fixed,
	"first_fixed":         Fixed,
	"known_affected":      Affected,
	"first_affected":      Affected,
	"last_affected":       Affected,
	"under_investigation": UnderInvestigation,
}

// csafProducts resolves product ids to what a statement names.
type csafProducts struct {
	byID   map[string]ovex.Product
	groups map[string][]string
}

func newCSAFProducts(doc *csafDocument) *csafProducts {
	ps := &csafProducts{byID: map[string]ovex.Product{}, groups: map[string][]string{}}
	var walk func(bs []csafBranch)
	walk = func(bs []csafBranch) {
		for _, b := range bs {
			if b.Product != nil {
				ps.add(*b.Product)
			}
			walk(b.Branches)
		}
	}
	walk(doc.ProductTree.Branches)
	for _, p := range doc.ProductTree.FullProductNames {
		ps.add(p)
	}
	for _, r := range doc.ProductTree.Relationships {
		id := r.FullProductName.ProductID
		if r.FullProductName.Helper != nil {
			ps.add(r.FullProductName)
			continue
		}
		// "component as part of product": the component is a
		// subcomponent of the product it relates to.
		comp, prod := ps.byID[r.ProductReference], ps.byID[r.RelatesToProductRef]
		if comp.ID != "" && prod.ID != "" {
			ps.byID[id] = ovex.Product{Component: prod.Component, Subcomponents: []ovex.Subcomponent{{Component: comp.Component}}}
		}
	}
	for _, g := range doc.ProductTree.ProductGroups {
		ps.groups[g.GroupID] = g.ProductIDs
	}
	return ps
}

// add names a product by its purl, else its CPE, else its product id.
func (ps *csafProducts) add(p csafProduct) {
	c := ovex.Component{ID: p.ProductID}
	if h := p.Helper; h != nil {
		switch {
		case h.PURL != "":
			c.ID = h.PURL
			c.Identifiers = map[ovex.IdentifierType]string{ovex.PURL: h.PURL}
		case h.CPE != "":
			c.ID = h.CPE
			c.Identifiers = map[ovex.IdentifierType]string{ovex.CPE23: h.CPE}
		}
	}
	ps.byID[p.ProductID] = ovex.Product{Component: c}
}

// covers reports whether a flag, threat or remediation is about product id.
func (ps *csafProducts) covers(s csafScoped, id string) bool {
	if slices.Contains(s.ProductIDs, id) {
		return true
	}
	for _, g := range s.GroupIDs {
		if slices.Contains(ps.groups[g], id) {
			return true
		}
	}
	return false
}

// parseCSAF reads the product_status of every vulnerability of a CSAF
// document as statements, one per vulnerability and status, with the
// flags' justification and the threats' and remediations' text.
func parseCSAF(data []byte, name string) ([]Statement, error) {
	var doc csafDocument
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if doc.Document.Category == "" {
		return nil, errors.New("not a CSAF document: document.category is missing")
	}
	ps := newCSAFProducts(&doc)
	ts := cdxTime(doc.Document.Tracking.CurrentReleaseDate)
	var out []Statement
	for i, v := range doc.Vulnerabilities {
		vuln := csafVulnerabilityID(v)
		if vuln.Name == "" {
			continue // no id: nothing a scanner can match
		}
		for _, group := range slices.Sorted(maps.Keys(v.ProductStatus)) {
			status, ok := csafStatuses[group]
			if !ok {
				continue
			}
			for _, id := range v.ProductStatus[group] {
				prod, ok := ps.byID[id]
				if !ok {
					return nil, fmt.Errorf("vulnerabilities[%d].product_status.%s: product %q is not in the product tree", i, group, id)
				}
				s := ovex.Statement{Vulnerability: vuln, Status: status, Timestamp: ts, Products: []ovex.Product{prod}}
				describeCSAF(&s, ps, v, id)
				out = append(out, Statement{Statement: s, Source: fmt.Sprintf("%s#/vulnerabilities/%d/product_status/%s", name, i, group), Format: "csaf"})
			}
		}
	}
	return out, nil
}

func csafVulnerabilityID(v csafVulnerability) ovex.Vulnerability {
	var ids []ovex.VulnerabilityID
	if v.CVE != "" {
		ids = append(ids, ovex.VulnerabilityID(v.CVE))
	}
	for _, id := range v.IDs {
		if id.Text != "" {
			ids = append(ids, ovex.VulnerabilityID(id.Text))
		}
	}
	if len(ids) == 0 {
		return ovex.Vulnerability{}
	}
	return ovex.Vulnerability{Name: ids[0], Aliases: ids[1:]}
}

// describeCSAF sets the justification (a flag's label: CSAF uses OpenVEX's
// five), the impact statement (threats of category impact) and the action
// statement (remediations) for product id.
func describeCSAF(s *ovex.Statement, ps *csafProducts, v csafVulnerability, id string) {
	for _, f := range v.Flags {
		if ps.covers(f, id) && ovex.Justification(f.Label).Valid() {
			s.Justification = ovex.Justification(f.Label)
		}
	}
	var impact, action []string
	for _, t := range v.Threats {
		if t.Category == "impact" && ps.covers(t, id) {
			impact = append(impact, t.Details)
		}
	}
	for _, r := range v.Remediations {
		if ps.covers(r, id) {
			action = append(action, strings.TrimSpace(r.Category+": "+r.Details))
		}
	}
	switch s.Status {
	case NotAffected:
		s.ImpactStatement = strings.Join(impact, "; ")
	case Affected:
		s.ActionStatement = strings.Join(action, "; ")
	}
}
