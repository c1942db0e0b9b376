package vex

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	ovex "github.com/openvex/go-vex/pkg/vex"
)

// cdxStates maps CycloneDX analysis states to VEX statuses.
var cdxStates = map[cdx.ImpactAnalysisState]ovex.Status{
	cdx.IASNotAffected:          NotAffected,
	cdx.IASFalsePositive:        NotAffected,
	cdx.IASResolved:             Fixed,
	cdx.IASResolvedWithPedigree: Fixed,
	cdx.IASExploitable:          Affected,
	cdx.IASInTriage:             UnderInvestigation,
}

// cdxJustifications maps CycloneDX justifications to the nearest OpenVEX
// one; the CycloneDX word is kept in the impact statement.
var cdxJustifications = map[cdx.ImpactAnalysisJustification]ovex.Justification{
	cdx.IAJCodeNotPresent:               ovex.VulnerableCodeNotPresent,
	cdx.IAJCodeNotReachable:             ovex.VulnerableCodeNotInExecutePath,
	cdx.IAJRequiresConfiguration:        ovex.VulnerableCodeCannotBeControlledByAdversary,
	cdx.IAJRequiresDependency:           ovex.VulnerableCodeCannotBeControlledByAdversary,
	cdx.IAJRequiresEnvironment:          ovex.VulnerableCodeCannotBeControlledByAdversary,
	cdx.IAJProtectedByCompiler:          ovex.InlineMitigationsAlreadyExist,
	cdx.IAJProtectedAtRuntime:           ovex.InlineMitigationsAlreadyExist,
	cdx.IAJProtectedAtPerimeter:         ovex.InlineMitigationsAlreadyExist,
	cdx.IAJProtectedByMitigatingControl: ovex.InlineMitigationsAlreadyExist,
}

// parseCycloneDX reads the vulnerabilities with an analysis of a CycloneDX
// BOM or standalone VEX (JSON or XML is told apart by cyclonedx-go's
// decoder; here the probe already saw JSON).
func parseCycloneDX(data []byte, name string) ([]Statement, error) {
	var bom cdx.BOM
	if err := cdx.NewBOMDecoder(bytes.NewReader(data), cdx.BOMFileFormatJSON).Decode(&bom); err != nil {
		return nil, err
	}
	purls := bomRefPURLs(&bom)
	if bom.Vulnerabilities == nil {
		// An SBOM given where triage decisions were meant: saying nothing
		// would let every finding through unremarked.
		return nil, errors.New("a CycloneDX document without vulnerabilities: an SBOM, not VEX")
	}
	var out []Statement
	for i, v := range *bom.Vulnerabilities {
		if v.Analysis == nil || v.Analysis.State == "" {
			continue // a finding without a decision is no VEX statement
		}
		status, ok := cdxStates[v.Analysis.State]
		if !ok {
			return nil, fmt.Errorf("vulnerabilities[%d]: unknown analysis state %q", i, v.Analysis.State)
		}
		s := ovex.Statement{
			Vulnerability: ovex.Vulnerability{Name: ovex.VulnerabilityID(v.ID)},
			Status:        status,
			Timestamp:     cdxTime(v.Updated, v.Published, bomTime(&bom)),
		}
		if v.References != nil {
			for _, r := range *v.References {
				if r.ID != "" {
					s.Vulnerability.Aliases = append(s.Vulnerability.Aliases, ovex.VulnerabilityID(r.ID))
				}
			}
		}
		describeAnalysis(&s, v.Analysis)
		if v.Affects != nil {
			for _, a := range *v.Affects {
				s.Products = append(s.Products, ovex.Product{Component: ovex.Component{ID: resolveRef(a.Ref, purls)}})
			}
		}
		out = append(out, Statement{Statement: s, Source: fmt.Sprintf("%s#/vulnerabilities/%d", name, i), Format: "cyclonedx"})
	}
	return out, nil
}

// describeAnalysis sets the justification, impact and action statements.
func describeAnalysis(s *ovex.Statement, a *cdx.VulnerabilityAnalysis) {
	var impact []string
	if j, ok := cdxJustifications[a.Justification]; ok {
		s.Justification = j
		impact = append(impact, "CycloneDX justification: "+string(a.Justification))
	}
	if a.State == cdx.IASFalsePositive {
		impact = append(impact, "CycloneDX analysis: false positive")
	}
	if a.Detail != "" {
		impact = append(impact, a.Detail)
	}
	switch s.Status {
	case NotAffected:
		s.ImpactStatement = strings.Join(impact, "; ")
	case Affected:
		var resp []string
		if a.Response != nil {
			for _, r := range *a.Response {
				resp = append(resp, string(r))
			}
		}
		s.ActionStatement = strings.TrimPrefix(strings.Join(resp, ", ")+"; "+a.Detail, "; ")
	default:
		s.StatusNotes = a.Detail
	}
}

// bomRefPURLs maps every component's bom-ref, nested ones and the product
// included, to its purl.
func bomRefPURLs(bom *cdx.BOM) map[string]string {
	out := map[string]string{}
	var walk func(cs *[]cdx.Component)
	add := func(c cdx.Component) {
		if c.BOMRef != "" && c.PackageURL != "" {
			out[c.BOMRef] = c.PackageURL
		}
		walk(c.Components)
	}
	walk = func(cs *[]cdx.Component) {
		if cs == nil {
			return
		}
		for _, c := range *cs {
			add(c)
		}
	}
	if bom.Metadata != nil && bom.Metadata.Component != nil {
		add(*bom.Metadata.Component)
	}
	walk(bom.Components)
	return out
}

// resolveRef turns an affects ref into a purl: a bom-ref of this BOM, a
// BOM-Link (urn:cdx:serial/version#ref) whose fragment is a purl or a ref
// of this BOM, or the ref itself.
func resolveRef(ref string, purls map[string]string) string {
	if p, ok := purls[ref]; ok {
		return p
	}
	if strings.HasPrefix(ref, "urn:cdx:") {
		if _, frag, ok := strings.Cut(ref, "#"); ok {
			if p, ok := purls[frag]; ok {
				return p
			}
			return frag
		}
	}
	return ref
}

func bomTime(bom *cdx.BOM) string {
	if bom.Metadata == nil {
		return ""
	}
	return bom.Metadata.Timestamp
}

// cdxTime is the first of the times that parses.
func cdxTime(times ...string) *time.Time {
	for _, t := range times {
		if p, err := time.Parse(time.RFC3339, t); err == nil {
			return &p
		}
	}
	return nil
}
