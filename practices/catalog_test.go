package practices

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func wantIDs() []string {
	counts := []struct {
		practice string
		n        int
	}{{"SM", 13}, {"SR", 5}, {"SD", 4}, {"SI", 2}, {"SVV", 5}, {"DM", 6}, {"SUM", 5}, {"SG", 7}}
	var ids []string
	for _, c := range counts {
		for i := 1; i <= c.n; i++ {
			ids = append(ids, fmt.Sprintf("%s-%d", c.practice, i))
		}
	}
	return ids
}

func TestBuiltinHasExactly47Requirements(t *testing.T) {
	t.Parallel()
	c, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range c.Requirements {
		got = append(got, r.ID)
	}
	want := wantIDs()
	if len(want) != 47 {
		t.Fatalf("test is wrong: %d IDs", len(want))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("requirement IDs (-want +got):\n%s", diff)
	}
	var practices []string
	for _, p := range c.Practices {
		practices = append(practices, p.ID)
	}
	if diff := cmp.Diff([]string{"SM", "SR", "SD", "SI", "SVV", "DM", "SUM", "SG"}, practices); diff != "" {
		t.Errorf("practices (-want +got):\n%s", diff)
	}
}

func TestBuiltinRequirementsAreComplete(t *testing.T) {
	t.Parallel()
	c, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	summaries := map[string]string{}
	for _, r := range c.Requirements {
		t.Run(r.ID, func(t *testing.T) {
			if strings.TrimSpace(r.Title) == "" || len(strings.Fields(r.Summary)) < 12 {
				t.Errorf("title %q, summary %q: want a title and a paragraph", r.Title, r.Summary)
			}
			if len(r.Evidence) == 0 {
				t.Error("no evidence kinds")
			}
			if r.Automation == "" {
				t.Error("no automation")
			}
			if strings.Contains(strings.ToLower(r.Summary), " shall ") {
				t.Error("summary reads like the standard's text (\"shall\"); paraphrase it")
			}
		})
		if other, ok := summaries[r.Summary]; ok {
			t.Errorf("%s and %s share a summary", r.ID, other)
		}
		summaries[r.Summary] = r.ID
	}
	if len(c.MaturityLevels) != 4 {
		t.Errorf("maturity levels = %d, want 4", len(c.MaturityLevels))
	}
	// sdlkit's own outputs must satisfy the requirements the issue names.
	for id, kind := range map[string]string{"SM-9": "sbom", "SM-6": "signature", "SUM-4": "signature"} {
		r, err := c.Requirement(id)
		if err != nil {
			t.Fatal(err)
		}
		if !contains(c.AutomaticEvidence(r), kind) {
			t.Errorf("%s: automatic evidence %v lacks %q", id, c.AutomaticEvidence(r), kind)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestLookups(t *testing.T) {
	t.Parallel()
	c, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	if r, err := c.Requirement("svv-3"); err != nil || r.ID != "SVV-3" {
		t.Errorf("Requirement(svv-3) = %v, %v; want SVV-3", r.ID, err)
	}
	if _, err := c.Requirement("NOPE-1"); !errors.Is(err, ErrUnknownRequirement) {
		t.Errorf("Requirement(NOPE-1) err = %v, want ErrUnknownRequirement", err)
	}
	svv, err := c.RequirementsOf("SVV")
	if err != nil || len(svv) != 5 {
		t.Errorf("RequirementsOf(SVV) = %d, %v; want 5", len(svv), err)
	}
	if _, err := c.RequirementsOf("XX"); !errors.Is(err, ErrUnknownPractice) {
		t.Errorf("RequirementsOf(XX) err = %v, want ErrUnknownPractice", err)
	}
}

func TestLoadExtensions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		file    string
		wantErr string // substring; empty means success
	}{
		{"supplier requirement", "acme.yaml", ""},
		{"json works too", "acme.json", ""},
		{"redefines SM-1", "dup.yaml", `requirement "SM-1" defined twice`},
		{"unknown evidence kind", "badkind.yaml", `requirement "ACME-1": unknown evidence kind "gut-feeling"`},
		{"no evidence", "noevidence.yaml", `requirements[0] (ACME-1) evidence: minItems`},
		{"unknown field", "unknownfield.yaml", `requirements[0] (ACME-1): additional properties 'owner' not allowed`},
		{"wrong format", "format.yaml", `/format: value must be 'sdlkit.catalog/v1'`},
		{"not YAML", "broken.yaml", `yaml: line 3`},
		{"ID not of its practice", "prefix.yaml", `ID must start with its practice "ACME-"`},
		{"maturity levels", "levels.yaml", `maturity_levels cannot be redefined`},
		{"missing file", "nope.yaml", `no such file or directory`},
		{"scalar document", "scalar.yaml", `not a mapping`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join("testdata", "extensions", tt.file)
			c, err := Load(path)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Load: %v", err)
				}
				r, err := c.Requirement("ACME-1")
				if err != nil {
					t.Fatal(err)
				}
				if r.Practice != "ACME" || len(c.Requirements) != 48 {
					t.Errorf("got %+v and %d requirements", r, len(c.Requirements))
				}
				return
			}
			if err == nil {
				t.Fatalf("Load succeeded, want error containing %q", tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err = %q, want it to contain %q", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.file) {
				t.Errorf("err = %q does not name the file", err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("err = %q spans lines", err)
			}
			if _, statErr := os.Stat(path); !errors.Is(statErr, fs.ErrNotExist) && !errors.Is(err, ErrInvalidCatalog) {
				t.Errorf("err = %v, want ErrInvalidCatalog for a file that exists", err)
			}
		})
	}
}

// TestParseWholeCatalog reads back the built-in catalog as the ledger
// exports it (JSON), and refuses a changed one.
func TestParseWholeCatalog(t *testing.T) {
	t.Parallel()
	c, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse(data, "catalog.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Requirements) != 47 {
		t.Fatalf("%d requirements", len(back.Requirements))
	}
	bad := strings.Replace(string(data), `"practice":"SM"`, `"practice":"XX"`, 1)
	if _, err := Parse([]byte(bad), "catalog.json"); !errors.Is(err, ErrInvalidCatalog) {
		t.Fatalf("a requirement of an unknown practice: %v", err)
	}
}
