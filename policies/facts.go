package policies

import (
	"slices"
	"strings"
	"time"

	"github.com/sdlkit/sdlkit/practices"
	"github.com/sdlkit/sdlkit/practices/ledger"
	"github.com/sdlkit/sdlkit/sbom"
	"github.com/sdlkit/sdlkit/sbom/validate"
	"github.com/sdlkit/sdlkit/vulnmgmt/scan"
)

// SBOMFacts are the facts of an SBOM and its validation report.
func SBOMFacts(b *sbom.BOM, rep *validate.Report) SBOM {
	s := SBOM{Present: true, Valid: rep != nil && rep.Valid, Components: len(b.Components), Problems: []string{}}
	if rep != nil {
		for _, f := range rep.Findings {
			if f.Severity == validate.SeverityError {
				s.Problems = append(s.Problems, strings.TrimSpace(f.Location+" "+f.Message))
			}
		}
	}
	licenses := map[string]bool{}
	for _, c := range b.Components {
		if c.Version == "" {
			s.WithoutVersion++
		}
		if c.PURL == "" {
			s.WithoutPURL++
		}
		if len(c.Licenses) == 0 {
			s.Unlicensed++
		}
		for _, l := range c.Licenses {
			licenses[l] = true
		}
	}
	for l := range licenses {
		s.Licenses = append(s.Licenses, l)
	}
	slices.Sort(s.Licenses)
	for _, a := range b.Artifacts {
		for _, h := range a.Hashes {
			if h.Algorithm == "SHA-256" {
				s.Bound = append(s.Bound, "sha256:"+strings.ToLower(h.Value))
			}
		}
	}
	return s
}

// ScanFacts are the facts of a scan result at time now.
func ScanFacts(res *scan.Result, now time.Time) Scan {
	s := Scan{Present: true, Findings: []Finding{}}
	if !res.Store.Newest.IsZero() {
		s.StoreAgeDays = days(res.ScannedAt.Sub(res.Store.Newest))
	}
	for _, f := range res.Findings {
		pf := Finding{ID: f.ID, Component: f.Component.Name, Version: f.Component.Version,
			Severity: strings.ToLower(string(f.Severity.Rating)), Score: f.Severity.Score,
			FixAvailable: len(f.Fixed) > 0, Suppressed: f.Suppressed}
		if pf.Severity == "" {
			pf.Severity = "unknown"
		}
		if !f.Published.IsZero() {
			pf.AgeDays = days(now.Sub(f.Published))
		}
		if f.VEX != nil {
			pf.VEXStatus, pf.VEXAction = string(f.VEX.Status), f.VEX.ActionStatement
		}
		s.Findings = append(s.Findings, pf)
	}
	return s
}

func days(d time.Duration) int { return int(d.Hours() / 24) }

// LedgerFacts are the facts of a ledger's status for a release.
func LedgerFacts(st *ledger.Status, c *practices.Catalog) Ledger {
	l := Ledger{Present: true, InScope: st.InScope, Covered: st.Covered, Missing: []string{}, Stale: []string{},
		Requirements: map[string]Requirement{}, Maturity: map[string]int{}}
	for _, p := range st.Practices {
		l.Maturity[p.ID] = p.Maturity
		for _, r := range p.Requirements {
			req, _ := c.Requirement(r.ID)
			l.Requirements[r.ID] = Requirement{InScope: r.InScope, Covered: r.Covered, Stale: len(r.Stale) > 0,
				Evidence: r.Evidence, Automatic: len(c.AutomaticEvidence(req)) > 0}
			if r.InScope && !r.Covered {
				l.Missing = append(l.Missing, r.ID)
			}
			if r.InScope && len(r.Stale) > 0 {
				l.Stale = append(l.Stale, r.ID)
			}
		}
	}
	return l
}
