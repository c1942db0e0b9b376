package severity

import (
	"strings"

	cvss20 "github.com/pandatix/go-cvss/20"
	cvss30 "github.com/pandatix/go-cvss/30"
	cvss31 "github.com/pandatix/go-cvss/31"
)

// fromVector scores a CVSS vector of an OSV severity entry (type CVSS_V2,
// CVSS_V3 or CVSS_V4); ok is false for another type or a vector that does
// not parse.
func fromVector(typ, vector string) (Severity, bool) {
	score, ok := Score(vector)
	if !ok {
		return Severity{}, false
	}
	return Severity{Rating: FromScore(score), Score: score, Vector: vector, Source: typ}, true
}

// Score computes the score of a CVSS vector: the base score for v2.0, v3.0
// and v3.1, the score of the whole vector for v4.0 (its threat and
// environmental metrics included, as CVSS v4.0 defines it). ok is false
// when the vector does not parse.
func Score(vector string) (float64, bool) {
	switch {
	case strings.HasPrefix(vector, prefix40):
		v, err := parse40(vector)
		if err != nil {
			return 0, false
		}
		return float64(v.score40()) / 10, true
	case strings.HasPrefix(vector, "CVSS:3.1/"):
		v, err := cvss31.ParseVector(vector)
		if err != nil {
			return 0, false
		}
		return v.BaseScore(), true
	case strings.HasPrefix(vector, "CVSS:3.0/"):
		v, err := cvss30.ParseVector(vector)
		if err != nil {
			return 0, false
		}
		return v.BaseScore(), true
	case strings.HasPrefix(vector, "AV:"):
		v, err := cvss20.ParseVector(vector)
		if err != nil {
			return 0, false
		}
		return v.BaseScore(), true
	}
	return 0, false
}
