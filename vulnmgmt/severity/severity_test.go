package severity

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sdlkit/sdlkit/vulnmgmt/osv"
)

func advisory(t *testing.T, id string) *osv.Vulnerability {
	t.Helper()
	path := filepath.Join("testdata", "ghsa", id+".json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	v, err := osv.Parse(data, path)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

const (
	jj78v3 = "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:N/A:N"
	jj78v4 = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:N/VI:N/VA:N/SC:L/SI:N/SA:N/E:P"
	qw6hv3 = "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:L/A:L"
)

// TestOf rates real GitHub advisories: by their highest CVSS vector
// (v3.1 4.7 and 5.0 over v4.0 2.1 and 2.3, which pandatix/go-cvss gives too), whatever
// the database's word, and by that word without a vector.
func TestOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		id, eco string
		want    Severity
	}{
		{"GHSA-jj78-5fmv-mv28", "npm", Severity{Rating: Medium, Score: 4.7, Vector: jj78v3, Source: "CVSS_V3"}},
		{"GHSA-qw6h-vgh9-j6wx", "npm", Severity{Rating: Medium, Score: 5.0, Vector: qw6hv3, Source: "CVSS_V3"}},
		// The record-level vectors count for any ecosystem.
		{"GHSA-qw6h-vgh9-j6wx", "PyPI", Severity{Rating: Medium, Score: 5.0, Vector: qw6hv3, Source: "CVSS_V3"}},
		{"GHSA-78xj-cgh5-2h22", "npm", Severity{Rating: High, Source: "database"}},
	}
	for _, tt := range tests {
		t.Run(tt.id+"/"+tt.eco, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, Of(advisory(t, tt.id), tt.eco)); diff != "" {
				t.Errorf("Of (-want +got):\n%s", diff)
			}
		})
	}
}

// TestMax orders severities of the real advisories.
func TestMax(t *testing.T) {
	t.Parallel()
	jj78, qw6h, ip := Of(advisory(t, "GHSA-jj78-5fmv-mv28"), "npm"), Of(advisory(t, "GHSA-qw6h-vgh9-j6wx"), "npm"), Of(advisory(t, "GHSA-78xj-cgh5-2h22"), "npm")
	jj78low, ok := fromVector("CVSS_V4", jj78v4)
	if !ok {
		t.Fatalf("no score for %s", jj78v4)
	}
	word, ok := databaseRating(advisory(t, "GHSA-jj78-5fmv-mv28"))
	if !ok {
		t.Fatal("GHSA-jj78-5fmv-mv28 has no database severity")
	}
	jj78word := Severity{Rating: word, Source: "database"}
	tests := []struct {
		name       string
		a, b, want Severity
	}{
		{"higher score, same rating", jj78, qw6h, qw6h},
		{"higher rating, from a word", jj78, ip, ip},
		{"higher rating, from a vector", jj78low, jj78, jj78},
		{"vector over word of the same rating", jj78word, jj78low, jj78low},
		{"nothing yet", Severity{}, jj78word, jj78word},
		{"nothing", jj78word, Severity{}, jj78word},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, Max(tt.a, tt.b)); diff != "" {
				t.Errorf("Max(a, b) (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.want, Max(tt.b, tt.a)); diff != "" {
				t.Errorf("Max(b, a) (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseRating(t *testing.T) {
	t.Parallel()
	tests := []struct {
		word string
		want Rating
		ok   bool
	}{
		{"LOW", Low, true}, // GitHub's words
		{"MODERATE", Medium, true},
		{"HIGH", High, true},
		{"CRITICAL", Critical, true},
		{"Important", High, true}, // Red Hat's
		{"medium", Medium, true},
		{" high\n", High, true},
		{"None", None, true},
		{"", Unknown, false},
		{"unknown", Unknown, false},
		{"severe", Unknown, false},
	}
	for _, tt := range tests {
		if got, ok := ParseRating(tt.word); got != tt.want || ok != tt.ok {
			t.Errorf("ParseRating(%q) = %s, %v, want %s, %v", tt.word, got, ok, tt.want, tt.ok)
		}
	}
}

func TestAtLeast(t *testing.T) {
	t.Parallel()
	tests := []struct {
		r, threshold Rating
		want         bool
	}{
		{Critical, High, true},
		{High, High, true},
		{Medium, High, false},
		{Low, Medium, false},
		{None, Low, false},
		{Low, None, true},
		{None, None, true},
		// An unknown rating never reaches a threshold, and every rating
		// reaches an unknown one.
		{Unknown, Low, false},
		{Unknown, None, false},
		{None, Unknown, true},
		{Critical, Unknown, true},
		{Unknown, Unknown, true},
	}
	for _, tt := range tests {
		if got := tt.r.AtLeast(tt.threshold); got != tt.want {
			t.Errorf("%s.AtLeast(%s) = %v, want %v", tt.r, tt.threshold, got, tt.want)
		}
	}
}
