package report

import (
	"io"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/sdlkit/sdlkit/sbom"
	"github.com/sdlkit/sdlkit/sbom/cyclonedx"
	"github.com/sdlkit/sdlkit/vulnmgmt/scan"
	"github.com/sdlkit/sdlkit/vulnmgmt/severity"
	"github.com/sdlkit/sdlkit/vulnmgmt/vex"
)

// vexStates maps VEX statuses to CycloneDX analysis states.
var vexStates = map[string]cdx.ImpactAnalysisState{
	string(vex.NotAffected):        cdx.IASNotAffected,
	string(vex.Fixed):              cdx.IASResolved,
	string(vex.Affected):           cdx.IASExploitable,
	string(vex.UnderInvestigation): cdx.IASInTriage,
}

// vexJustifications maps OpenVEX justifications to CycloneDX's.
var vexJustifications = map[string]cdx.ImpactAnalysisJustification{
	"component_not_present":                             cdx.IAJRequiresDependency,
	"vulnerable_code_not_present":                       cdx.IAJCodeNotPresent,
	"vulnerable_code_not_in_execute_path":               cdx.IAJCodeNotReachable,
	"vulnerable_code_cannot_be_controlled_by_adversary": cdx.IAJRequiresEnvironment,
	"inline_mitigations_already_exist":                  cdx.IAJProtectedByMitigatingControl,
}

// CycloneDX writes b, the SBOM that was scanned, with the findings as its
// vulnerabilities section: a vulnerability disclosure report. Each
// vulnerability names the affected component by its bom-ref, its ratings,
// the versions that fix it and, where a VEX statement applies, the
// analysis.
func CycloneDX(w io.Writer, b *sbom.BOM, r *scan.Result) error {
	vulns := make([]cdx.Vulnerability, 0, len(r.Findings))
	for _, f := range r.Findings {
		vulns = append(vulns, vulnerability(f))
	}
	return cyclonedx.Encode(w, b, cyclonedx.EncodeOptions{Vulnerabilities: vulns})
}

func vulnerability(f scan.Finding) cdx.Vulnerability {
	v := cdx.Vulnerability{
		BOMRef:      f.ID + "/" + f.Component.Ref,
		ID:          f.ID,
		Source:      &cdx.Source{Name: "OSV", URL: "https://osv.dev/vulnerability/" + f.ID},
		Description: f.Summary,
		Affects:     &[]cdx.Affects{{Ref: f.Component.Ref}},
	}
	if len(f.Aliases) > 0 {
		refs := make([]cdx.VulnerabilityReference, 0, len(f.Aliases))
		for _, a := range f.Aliases {
			refs = append(refs, cdx.VulnerabilityReference{ID: a, Source: &cdx.Source{URL: "https://osv.dev/vulnerability/" + a}})
		}
		v.References = &refs
	}
	if r, ok := rating(f.Severity); ok {
		v.Ratings = &[]cdx.VulnerabilityRating{r}
	}
	if len(f.Fixed) > 0 {
		v.Recommendation = "Upgrade " + f.Component.Name + " to " + strings.Join(f.Fixed, " or ")
	}
	if !f.Published.IsZero() {
		v.Published = f.Published.Format("2006-01-02T15:04:05Z07:00")
	}
	if !f.Modified.IsZero() {
		v.Updated = f.Modified.Format("2006-01-02T15:04:05Z07:00")
	}
	if s := f.VEX; s != nil {
		a := &cdx.VulnerabilityAnalysis{State: vexStates[string(s.Status)], Justification: vexJustifications[string(s.Justification)]}
		a.Detail = strings.TrimSpace(s.ImpactStatement + " " + s.ActionStatement + " " + s.StatusNotes)
		if a.Detail == "" {
			a.Detail = "VEX statement " + s.Source
		}
		v.Analysis = a
	}
	return v
}

func rating(s severity.Severity) (cdx.VulnerabilityRating, bool) {
	r := cdx.VulnerabilityRating{Severity: cdx.Severity(s.Rating)}
	switch {
	case strings.HasPrefix(s.Vector, "CVSS:4.0/"):
		r.Method = cdx.ScoringMethodCVSSv4
	case strings.HasPrefix(s.Vector, "CVSS:3.1/"):
		r.Method = cdx.ScoringMethodCVSSv31
	case strings.HasPrefix(s.Vector, "CVSS:3.0/"):
		r.Method = cdx.ScoringMethodCVSSv3
	case s.Vector != "":
		r.Method = cdx.ScoringMethodCVSSv2
	case s.Rating == severity.Unknown:
		return r, false
	default:
		r.Method = cdx.ScoringMethodOther
	}
	if s.Vector != "" {
		score := s.Score
		r.Score, r.Vector = &score, s.Vector
	}
	return r, true
}
