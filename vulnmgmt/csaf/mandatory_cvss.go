package csaf

import (
	"math"
	"strings"

	cvss20 "github.com/pandatix/go-cvss/20"
	cvss30 "github.com/pandatix/go-cvss/30"
	cvss31 "github.com/pandatix/go-cvss/31"

	"github.com/sdlkit/sdlkit/vulnmgmt/severity"
)

// vector is a parsed CVSS v2.0 or v3.x vector, as pandatix/go-cvss (the
// scorer vulnmgmt/severity uses) parses and scores it.
type vector interface {
	BaseScore() float64
	TemporalScore() float64
	EnvironmentalScore() float64
	Get(metric string) (string, error)
}

// parseVector parses the vectorString of a CVSS object; nil when it does
// not parse (the schema check, 6.1.8, says so).
func parseVector(c CVSS) vector {
	s := c.String("vectorString")
	var (
		v   vector
		err error
	)
	switch {
	case strings.HasPrefix(s, "CVSS:3.1/"):
		v, err = cvss31.ParseVector(s)
	case strings.HasPrefix(s, "CVSS:3.0/"):
		v, err = cvss30.ParseVector(s)
	case s != "" && !strings.HasPrefix(s, "CVSS:"):
		v, err = cvss20.ParseVector(s)
	default:
		return nil
	}
	if err != nil {
		return nil
	}
	return v
}

// eachVector calls fn for every CVSS object of every score whose vector
// parses, with its path.
func eachVector(a *Advisory, fn func(c CVSS, vec vector, path string, v3 bool)) {
	for i, v := range a.Vulnerabilities {
		if v == nil {
			continue
		}
		for j, s := range v.Scores {
			for _, o := range []struct {
				c    CVSS
				name string
			}{{s.CVSSv2, "cvss_v2"}, {s.CVSSv3, "cvss_v3"}} {
				if vec := parseVector(o.c); vec != nil {
					fn(o.c, vec, ptr("vulnerabilities", i, "scores", j, o.name), o.name == "cvss_v3")
				}
			}
		}
	}
}

// cvssComputation reports scores and severities that are not what the
// vector computes to (6.1.9).
func cvssComputation(a *Advisory) []Finding {
	var out []Finding
	eachVector(a, func(c CVSS, vec vector, path string, v3 bool) {
		scores := []struct {
			score, severity string
			want            float64
		}{
			{"baseScore", "baseSeverity", vec.BaseScore()},
			{"temporalScore", "temporalSeverity", vec.TemporalScore()},
			{"environmentalScore", "environmentalSeverity", vec.EnvironmentalScore()},
		}
		for _, s := range scores {
			if got, ok := c.Number(s.score); ok && math.Abs(got-s.want) > 1e-9 {
				out = append(out, finding(path+"/"+s.score, "%s is %v, the vector computes to %v", s.score, got, s.want))
			}
			if !v3 {
				continue
			}
			want := strings.ToUpper(string(severity.FromScore(s.want)))
			if got := c.String(s.severity); got != "" && got != want {
				out = append(out, finding(path+"/"+s.severity, "%s is %s, the vector's score %v is %s", s.severity, got, s.want, want))
			}
		}
	})
	return out
}

// cvssConsistency reports spelled-out metrics that contradict the vector
// (6.1.10). Only the metrics the vector gives are compared: where it leaves
// a temporal or environmental metric out, the property may spell out the
// value that stands in for it (a modified metric's base value), as the
// OASIS test documents do.
func cvssConsistency(a *Advisory) []Finding {
	var out []Finding
	eachVector(a, func(c CVSS, _ vector, path string, v3 bool) {
		props := cvss2Properties
		if v3 {
			props = cvss3Properties
		}
		given := vectorMetrics(c.String("vectorString"))
		for _, p := range props {
			got, abbr := c.String(p.name), given[p.metric]
			if got == "" || abbr == "" {
				continue
			}
			if want := p.values[abbr]; want != got {
				out = append(out, finding(path+"/"+p.name, "%s is %s, the vector says %s:%s (%s)", p.name, got, p.metric, abbr, want))
			}
		}
	})
	return out
}

// vectorMetrics maps the metrics a vector string gives to their values.
func vectorMetrics(s string) map[string]string {
	m := map[string]string{}
	for _, part := range strings.Split(s, "/") {
		if k, v, ok := strings.Cut(part, ":"); ok && k != "CVSS" {
			m[k] = v
		}
	}
	return m
}

// cvssProperty maps a vector metric to the property that spells it out.
type cvssProperty struct {
	name, metric string
	values       map[string]string
}

var (
	cia3    = map[string]string{"N": "NONE", "L": "LOW", "H": "HIGH"}
	mcia3   = map[string]string{"X": "NOT_DEFINED", "N": "NONE", "L": "LOW", "H": "HIGH"}
	req3    = map[string]string{"X": "NOT_DEFINED", "L": "LOW", "M": "MEDIUM", "H": "HIGH"}
	av3     = map[string]string{"N": "NETWORK", "A": "ADJACENT_NETWORK", "L": "LOCAL", "P": "PHYSICAL"}
	mav3    = map[string]string{"X": "NOT_DEFINED", "N": "NETWORK", "A": "ADJACENT_NETWORK", "L": "LOCAL", "P": "PHYSICAL"}
	ac3     = map[string]string{"L": "LOW", "H": "HIGH"}
	mac3    = map[string]string{"X": "NOT_DEFINED", "L": "LOW", "H": "HIGH"}
	ui3     = map[string]string{"N": "NONE", "R": "REQUIRED"}
	mui3    = map[string]string{"X": "NOT_DEFINED", "N": "NONE", "R": "REQUIRED"}
	scope3  = map[string]string{"U": "UNCHANGED", "C": "CHANGED"}
	mscope3 = map[string]string{"X": "NOT_DEFINED", "U": "UNCHANGED", "C": "CHANGED"}

	cvss3Properties = []cvssProperty{
		{"attackVector", "AV", av3}, {"attackComplexity", "AC", ac3}, {"privilegesRequired", "PR", cia3},
		{"userInteraction", "UI", ui3}, {"scope", "S", scope3},
		{"confidentialityImpact", "C", cia3}, {"integrityImpact", "I", cia3}, {"availabilityImpact", "A", cia3},
		{"exploitCodeMaturity", "E", map[string]string{"X": "NOT_DEFINED", "U": "UNPROVEN", "P": "PROOF_OF_CONCEPT", "F": "FUNCTIONAL", "H": "HIGH"}},
		{"remediationLevel", "RL", map[string]string{"X": "NOT_DEFINED", "O": "OFFICIAL_FIX", "T": "TEMPORARY_FIX", "W": "WORKAROUND", "U": "UNAVAILABLE"}},
		{"reportConfidence", "RC", map[string]string{"X": "NOT_DEFINED", "U": "UNKNOWN", "R": "REASONABLE", "C": "CONFIRMED"}},
		{"confidentialityRequirement", "CR", req3}, {"integrityRequirement", "IR", req3}, {"availabilityRequirement", "AR", req3},
		{"modifiedAttackVector", "MAV", mav3}, {"modifiedAttackComplexity", "MAC", mac3}, {"modifiedPrivilegesRequired", "MPR", mcia3},
		{"modifiedUserInteraction", "MUI", mui3}, {"modifiedScope", "MS", mscope3},
		{"modifiedConfidentialityImpact", "MC", mcia3}, {"modifiedIntegrityImpact", "MI", mcia3}, {"modifiedAvailabilityImpact", "MA", mcia3},
	}

	cia2            = map[string]string{"N": "NONE", "P": "PARTIAL", "C": "COMPLETE"}
	req2            = map[string]string{"ND": "NOT_DEFINED", "L": "LOW", "M": "MEDIUM", "H": "HIGH"}
	cvss2Properties = []cvssProperty{
		{"accessVector", "AV", map[string]string{"L": "LOCAL", "A": "ADJACENT_NETWORK", "N": "NETWORK"}},
		{"accessComplexity", "AC", map[string]string{"H": "HIGH", "M": "MEDIUM", "L": "LOW"}},
		{"authentication", "Au", map[string]string{"M": "MULTIPLE", "S": "SINGLE", "N": "NONE"}},
		{"confidentialityImpact", "C", cia2}, {"integrityImpact", "I", cia2}, {"availabilityImpact", "A", cia2},
		{"exploitability", "E", map[string]string{"ND": "NOT_DEFINED", "U": "UNPROVEN", "POC": "PROOF_OF_CONCEPT", "F": "FUNCTIONAL", "H": "HIGH"}},
		{"remediationLevel", "RL", map[string]string{"ND": "NOT_DEFINED", "OF": "OFFICIAL_FIX", "TF": "TEMPORARY_FIX", "W": "WORKAROUND", "U": "UNAVAILABLE"}},
		{"reportConfidence", "RC", map[string]string{"ND": "NOT_DEFINED", "UC": "UNCONFIRMED", "UR": "UNCORROBORATED", "C": "CONFIRMED"}},
		{"collateralDamagePotential", "CDP", map[string]string{"ND": "NOT_DEFINED", "N": "NONE", "L": "LOW", "LM": "LOW_MEDIUM", "MH": "MEDIUM_HIGH", "H": "HIGH"}},
		{"targetDistribution", "TD", map[string]string{"ND": "NOT_DEFINED", "N": "NONE", "L": "LOW", "M": "MEDIUM", "H": "HIGH"}},
		{"confidentialityRequirement", "CR", req2}, {"integrityRequirement", "IR", req2}, {"availabilityRequirement", "AR", req2},
	}
)
