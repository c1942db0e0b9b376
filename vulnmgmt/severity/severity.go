// Package severity rates an OSV advisory: the score and rating of its
// CVSS v4.0, v3.1, v3.0 or v2.0 vectors, or, where the advisory has no
// vector, the severity word its database gives (database_specific.severity,
// as GitHub's advisories carry). It does not fetch advisories or judge
// whether one applies.
//
// CVSS v3.1, v3.0 and v2.0 vectors are scored with pandatix/go-cvss (the
// scorer osv-scanner, OSV.dev, grype and trivy use), which is exact on
// v3.1: it gives every one of 2,971 reference Base scores and 318
// Environmental scores.
//
// CVSS v4.0 vectors are parsed and scored here, by hand, because no Go
// library scores them exactly: pandatix/go-cvss v0.6.4 gives 2,421 of 2,487
// reference scores, rounding the x.x5 ties one way or the other as
// floating point falls, and 0.1 too little on 24 vectors with Modified
// metrics. This package follows the specification's MacroVector algorithm
// (CVSS v4.0 Specification, section 8.2) in integer tenths and exact
// fractions and rounds half up, so a tie scores what Red Hat's calculator
// gives since its 2024 rounding fix (FIRST's calculator, in floating
// point, gives 0.1 less on 157 of the 40,515 vectors of FIRST's reference
// set), and every other vector what both calculators give. The parser is
// strict: the metrics in the specification's order, each at most once,
// every Base metric, and only defined values.
//
// The MacroVector scores and the most severe vectors and depths of each
// MacroVector (cvssLookup_global, maxComposed, maxSeverity) are FIRST's
// calculator's, FIRSTdotorg/cvss-v4-calculator, Copyright (c) 2023
// FIRST.ORG, Inc., Red Hat, and contributors, under the BSD-2-Clause
// license: first-calculator/ holds them with that LICENSE. CVSS is owned
// by FIRST and used by permission.
package severity

import (
	"cmp"
	"strings"

	osvpb "github.com/ossf/osv-schema/bindings/go/osvschema"
)

// Rating is a CVSS qualitative rating, or unknown.
type Rating string

// Ratings, from the CVSS specifications' tables.
const (
	Critical Rating = "critical"
	High     Rating = "high"
	Medium   Rating = "medium"
	Low      Rating = "low"
	None     Rating = "none"
	Unknown  Rating = "unknown"
)

// Rank orders ratings: unknown below none.
func (r Rating) Rank() int {
	switch r {
	case Critical:
		return 5
	case High:
		return 4
	case Medium:
		return 3
	case Low:
		return 2
	case None:
		return 1
	}
	return 0
}

// AtLeast reports whether r is o or higher. An unknown rating is at least
// nothing but unknown: a threshold never fails on a finding it cannot rate.
func (r Rating) AtLeast(o Rating) bool { return r.Rank() >= o.Rank() && r != Unknown || o == Unknown }

// ParseRating reads a rating in any case ("HIGH", "Moderate" as GitHub
// spells medium); unknown words give Unknown and false.
func ParseRating(s string) (Rating, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "critical":
		return Critical, true
	case "high", "important":
		return High, true
	case "medium", "moderate":
		return Medium, true
	case "low":
		return Low, true
	case "none":
		return None, true
	}
	return Unknown, false
}

// FromScore rates a CVSS score (v3 and v4 share the table).
func FromScore(score float64) Rating {
	switch {
	case score >= 9.0:
		return Critical
	case score >= 7.0:
		return High
	case score >= 4.0:
		return Medium
	case score >= 0.1:
		return Low
	}
	return None
}

// Severity is how severe an advisory is.
type Severity struct {
	Rating Rating `json:"rating"`
	// Score is the CVSS base score (the score of the whole vector for
	// v4.0), 0 without a vector.
	Score float64 `json:"score,omitempty"`
	// Vector is the CVSS vector the score comes from.
	Vector string `json:"vector,omitempty"`
	// Source says where the rating comes from: "CVSS_V4", "CVSS_V3",
	// "CVSS_V2", or "database" for a database's own word.
	Source string `json:"source,omitempty"`
}

// Max returns the more severe of a and b: higher rating, then higher
// score; a vector-based rating beats a word of the same rating.
func Max(a, b Severity) Severity {
	if a.Rating == "" {
		return b
	}
	switch c := cmp.Compare(a.Rating.Rank(), b.Rating.Rank()); {
	case c > 0:
		return a
	case c < 0:
		return b
	}
	if b.Score > a.Score || b.Score == a.Score && a.Vector == "" && b.Vector != "" {
		return b
	}
	return a
}

// Of rates an advisory for a package of ecosystem eco: the highest of its
// CVSS vectors (the record's and those of its affected entries for eco);
// without one, the database's severity word; Unknown when there is
// neither.
func Of(v *osvpb.Vulnerability, eco string) Severity {
	var best Severity
	consider := func(ss []*osvpb.Severity) {
		for _, s := range ss {
			if sev, ok := fromVector(s.GetType().String(), s.GetScore()); ok {
				best = Max(best, sev)
			}
		}
	}
	consider(v.GetSeverity())
	for _, a := range v.GetAffected() {
		if a.GetPackage().GetEcosystem() == eco || eco == "" {
			consider(a.GetSeverity())
		}
	}
	if best.Rating != "" {
		return best
	}
	if r, ok := databaseRating(v); ok {
		return Severity{Rating: r, Source: "database"}
	}
	return Severity{Rating: Unknown}
}

// databaseRating reads database_specific.severity: GitHub's advisories say
// LOW, MODERATE, HIGH or CRITICAL there.
func databaseRating(v *osvpb.Vulnerability) (Rating, bool) {
	return ParseRating(v.GetDatabaseSpecific().GetFields()["severity"].GetStringValue())
}
