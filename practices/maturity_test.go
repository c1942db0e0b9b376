package practices

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// recordsFor makes evidence for every requirement of a practice: a process
// document each, and execution evidence (each requirement's first non-document
// kind) in the given releases.
func recordsFor(t *testing.T, c *Catalog, practice string, releases []string, at time.Time) []Record {
	t.Helper()
	reqs, err := c.RequirementsOf(practice)
	if err != nil {
		t.Fatal(err)
	}
	var out []Record
	for _, r := range reqs {
		out = append(out, Record{Requirement: r.ID, Kind: "document", Time: at})
		kind := r.Evidence[0]
		for _, k := range r.Evidence {
			if k != "document" {
				kind = k
				break
			}
		}
		for _, rel := range releases {
			out = append(out, Record{Requirement: r.ID, Kind: kind, Release: rel, Time: at})
		}
	}
	return out
}

func TestAssess(t *testing.T) {
	t.Parallel()
	c, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	recent := now.AddDate(0, -1, 0)
	improvement := []Record{
		{Requirement: "SVV-1", Kind: "metrics", Time: recent},
		{Requirement: "SVV-1", Kind: "review", Time: recent},
	}
	full := recordsFor(t, c, "SVV", []string{"v1", "v2", "v3"}, recent)
	tests := []struct {
		name      string
		records   []Record
		scope     []string
		wantLevel int
		wantGap   string
	}{
		{"nothing recorded", nil, nil, 1, "SVV-1: no process document recorded"},
		{"documented only", recordsFor(t, c, "SVV", nil, recent), nil, 2, "SVV-1: execution evidence in 0 release(s), want 1"},
		{"practiced in one release", recordsFor(t, c, "SVV", []string{"v1"}, recent), nil, 3, "execution evidence in 1 release(s), want 3"},
		{"three releases but no metrics", full, nil, 3, `SVV: no "metrics" record of process improvement within 365 days`},
		{"improving", slices.Concat(full, improvement), nil, 4, ""},
		{"stale improvement", slices.Concat(full, []Record{{Requirement: "SVV-1", Kind: "metrics", Time: now.AddDate(-2, 0, 0)}, {Requirement: "SVV-1", Kind: "review", Time: recent}}), nil, 3, "metrics"},
		{"one requirement short", dropExecution(recordsFor(t, c, "SVV", []string{"v1"}, recent), "SVV-5"), nil, 2, "SVV-5: execution evidence in 0 release(s)"},
		{"out of scope requirement ignored", dropExecution(recordsFor(t, c, "SVV", []string{"v1"}, recent), "SVV-5"), []string{"SVV-1", "SVV-2", "SVV-3", "SVV-4"}, 3, ""},
		{"a document is no execution evidence", withoutExecution(recordsFor(t, c, "SVV", nil, recent), "v1"), nil, 2, "execution evidence in 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, err := c.Assess("SVV", tt.scope, tt.records, now)
			if err != nil {
				t.Fatal(err)
			}
			if a.Level != tt.wantLevel || a.LevelID != fmt.Sprintf("ML%d", tt.wantLevel) {
				t.Errorf("level = %d (%s), want %d; gaps %v", a.Level, a.LevelID, tt.wantLevel, a.Gaps)
			}
			if tt.wantGap != "" && !strings.Contains(strings.Join(a.Gaps, "\n"), tt.wantGap) {
				t.Errorf("gaps = %q, want one containing %q", a.Gaps, tt.wantGap)
			}
			if a.Level == 4 && len(a.Gaps) != 0 {
				t.Errorf("ML4 with gaps %v", a.Gaps)
			}
		})
	}
}

// dropExecution keeps id's process document but drops its execution evidence.
func dropExecution(recs []Record, id string) []Record {
	var out []Record
	for _, r := range recs {
		if r.Requirement != id || r.Kind == "document" {
			out = append(out, r)
		}
	}
	return out
}

// withoutExecution ties the documents to a release, which must not count as
// execution evidence for requirements that accept other kinds.
func withoutExecution(recs []Record, release string) []Record {
	out := make([]Record, len(recs))
	for i, r := range recs {
		r.Release = release
		out[i] = r
	}
	return out
}

func TestAssessAllCoversEveryPractice(t *testing.T) {
	t.Parallel()
	c, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	all, err := c.AssessAll(nil, nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 8 {
		t.Fatalf("assessed %d practices, want 8", len(all))
	}
	for _, a := range all {
		if a.Level != 1 || len(a.Gaps) == 0 {
			t.Errorf("%s: level %d gaps %v; want ML1 with gaps when nothing is recorded", a.Practice, a.Level, a.Gaps)
		}
	}
}
