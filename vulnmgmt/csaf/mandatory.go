package csaf

import (
	"fmt"
	"slices"
	"strconv"
)

// A mandatoryTest is one test of section 6.1.
type mandatoryTest struct {
	id    string
	check func(a *Advisory) []Finding
}

// mandatoryTests are the tests of section 6.1, in order; 6.1.8 (a CVSS
// object that breaks its FIRST schema) is the schema check's part.
var mandatoryTests = []mandatoryTest{
	{"6.1.1", missingProductIDs},
	{"6.1.2", multipleProductIDs},
	{"6.1.3", circularProductIDs},
	{"6.1.4", missingGroupIDs},
	{"6.1.5", multipleGroupIDs},
	{"6.1.6", contradictingStatus},
	{"6.1.7", multipleScores},
	{"6.1.9", cvssComputation},
	{"6.1.10", cvssConsistency},
	{"6.1.11", cweNamed},
	{"6.1.12", languages},
	{"6.1.13", purls},
	{"6.1.14", sortedRevisions},
	{"6.1.15", translator},
	{"6.1.16", latestVersion},
	{"6.1.17", draftStatus},
	{"6.1.18", releasedRevisions},
	{"6.1.19", preReleaseRevisions},
	{"6.1.20", nonDraftVersion},
	{"6.1.21", missingRevisions},
	{"6.1.22", multipleRevisions},
	{"6.1.23", multipleCVEs},
	{"6.1.24", multipleInvolvements},
	{"6.1.25", multipleHashAlgorithms},
	{"6.1.26", prohibitedCategory},
	{"6.1.27.1", profileDocumentNotes},
	{"6.1.27.2", profileDocumentReferences},
	{"6.1.27.3", profileNoVulnerabilities},
	{"6.1.27.4", profileProductTree},
	{"6.1.27.5", profileVulnerabilityNotes},
	{"6.1.27.6", profileProductStatus},
	{"6.1.27.7", profileVEXStatus},
	{"6.1.27.8", profileVulnerabilityID},
	{"6.1.27.9", profileImpactStatement},
	{"6.1.27.10", profileActionStatement},
	{"6.1.27.11", profileVulnerabilities},
	{"6.1.28", translation},
	{"6.1.29", remediationProducts},
	{"6.1.30", mixedVersioning},
	{"6.1.31", versionRangeInVersion},
	{"6.1.32", flagProducts},
	{"6.1.33", multipleFlags},
}

// Mandatory runs the mandatory tests on a document that decoded, and
// returns what fails, each finding marked with its test's number.
func Mandatory(a *Advisory) []Finding {
	var out []Finding
	for _, t := range mandatoryTests {
		for _, f := range t.check(a) {
			f.Test = t.id
			out = append(out, f)
		}
	}
	return out
}

// MandatoryTests lists the numbers of the mandatory tests implemented:
// those of Mandatory, and 6.1.8 of the schema check.
func MandatoryTests() []string {
	ids := []string{"6.1.8"}
	for _, t := range mandatoryTests {
		ids = append(ids, t.id)
	}
	slices.SortFunc(ids, compareTests)
	return ids
}

func finding(path, format string, args ...any) Finding {
	return Finding{Path: path, Message: fmt.Sprintf(format, args...)}
}

// ptr joins JSON Pointer steps: ptr("vulnerabilities", 0, "cve").
func ptr(steps ...any) string {
	var b []byte
	for _, s := range steps {
		b = append(b, '/')
		switch v := s.(type) {
		case int:
			b = strconv.AppendInt(b, int64(v), 10)
		case string:
			b = append(b, escapeToken(v)...)
		}
	}
	return string(b)
}

func escapeToken(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '~':
			out = append(out, "~0"...)
		case '/':
			out = append(out, "~1"...)
		default:
			out = append(out, s[i])
		}
	}
	return string(out)
}
