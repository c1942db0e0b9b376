package csaf

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sdlkit/sdlkit/internal/sbomtest"
)

func corpusDir(t *testing.T) string {
	t.Helper()
	return sbomtest.Tree(t, filepath.Join("testdata", "corpus"))
}

// oasisCase is one validator test document and what testcases.json says of
// it.
type oasisCase struct {
	test  string
	group string
	file  string
	valid bool
}

func oasisCases(t *testing.T, dir string) []oasisCase {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "oasis", "validator", "testcases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var tc struct {
		Tests []struct {
			ID       string `json:"id"`
			Group    string `json:"group"`
			Failures []struct {
				Name string `json:"name"`
			} `json:"failures"`
			Valid []struct {
				Name string `json:"name"`
			} `json:"valid"`
		} `json:"tests"`
	}
	if err := json.Unmarshal(data, &tc); err != nil {
		t.Fatal(err)
	}
	var out []oasisCase
	for _, test := range tc.Tests {
		// A document that fails an optional or informative test is still
		// valid: it earns a warning or a note.
		mandatory := test.Group == "mandatory"
		for _, f := range test.Failures {
			out = append(out, oasisCase{test.ID, test.Group, f.Name, !mandatory})
		}
		for _, f := range test.Valid {
			out = append(out, oasisCase{test.ID, test.Group, f.Name, true})
		}
	}
	return out
}

// oasisDisagreements are the OASIS test documents meant to be valid that
// break a mandatory test all the same: the examples of optional tests 6.2.8
// and 6.2.9 (MD5 or SHA-1 as the only hash) list the same algorithm twice
// in one file_hashes, which 6.1.25 forbids.
var oasisDisagreements = map[string][]string{
	"optional/oasis_csaf_tc-csaf_2_0-2021-6-2-08-02.json": {"6.1.25"},
	"optional/oasis_csaf_tc-csaf_2_0-2021-6-2-09-02.json": {"6.1.25"},
}

// TestOASISValidatorCases runs every document of the OASIS validator
// tests. A document listed as failing a mandatory test must be invalid with
// that test's number among the findings; every other document (valid for a
// mandatory test, or failing only an optional or informative one) must pass
// every check, but for oasisDisagreements. The log gives the agreement
// figures.
func TestOASISValidatorCases(t *testing.T) {
	t.Parallel()
	dir := corpusDir(t)
	implemented := MandatoryTests()
	agree, total := map[string]int{}, map[string]int{}
	t.Cleanup(func() {
		for _, g := range []string{"mandatory", "optional", "informative"} {
			t.Logf("%s: %d of %d OASIS test documents get the expected verdict", g, agree[g], total[g])
		}
	})
	for _, c := range oasisCases(t, dir) {
		t.Run(strings.TrimSuffix(filepath.Base(c.file), ".json"), func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, "oasis", "validator", filepath.FromSlash(c.file)))
			if err != nil {
				t.Fatal(err)
			}
			r, err := Validate(data, c.file)
			if err != nil {
				t.Fatal(err)
			}
			total[c.group]++
			known, disagree := oasisDisagreements[c.file]
			switch {
			case disagree:
				if diff := cmp.Diff(known, r.Tests()); diff != "" {
					t.Errorf("known disagreement changed (-want +got):\n%s", diff)
				}
			case c.group == "mandatory" && !slices.Contains(implemented, c.test):
				t.Errorf("%s is not implemented", c.test)
			case c.valid && !r.Valid:
				t.Errorf("valid, but found %v", r.Findings)
			case !c.valid && !slices.Contains(r.Tests(), c.test):
				t.Errorf("fails %s, but found %v", c.test, r.Findings)
			default:
				agree[c.group]++
			}
		})
	}
}

// knownInvalid are the real documents that fail a mandatory test: two Red
// Hat VEX documents say version 1 while their revision history ends with
// revision 2 (6.1.16).
var knownInvalid = map[string][]string{
	"CVE-2023-20862.json": {"6.1.16"},
	"cve-2023-0044.json":  {"6.1.16"},
}

// TestRealDocumentsValid checks that the OASIS examples and the CISA
// advisories pass every check, and the Red Hat ones all but knownInvalid.
func TestRealDocumentsValid(t *testing.T) {
	t.Parallel()
	dir := corpusDir(t)
	for _, f := range realDocuments(t, dir) {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			r, err := Validate(data, f)
			if err != nil {
				t.Fatal(err)
			}
			want := knownInvalid[filepath.Base(f)]
			if diff := cmp.Diff(want, r.Tests(), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("failed tests (-want +got):\n%s\n%v", diff, r.Findings)
			}
		})
	}
}

func realDocuments(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	for _, sub := range []string{"oasis/examples", "cisa", "redhat"} {
		fs, err := filepath.Glob(filepath.Join(dir, filepath.FromSlash(sub), "*.json"))
		if err != nil || len(fs) == 0 {
			t.Fatalf("no documents in %s: %v", sub, err)
		}
		out = append(out, fs...)
	}
	if len(out) != 31 {
		t.Fatalf("%d real documents, want 31", len(out))
	}
	return out
}

// BenchmarkValidate validates the 31 real documents (schema and mandatory
// tests), the largest the Cisco example of 130 KB.
func BenchmarkValidate(b *testing.B) {
	dir := sbomtest.Tree(b, filepath.Join("testdata", "corpus"))
	var docs [][]byte
	for _, sub := range []string{"oasis/examples", "cisa", "redhat"} {
		fs, _ := filepath.Glob(filepath.Join(dir, filepath.FromSlash(sub), "*.json"))
		for _, f := range fs {
			data, err := os.ReadFile(f)
			if err != nil {
				b.Fatal(err)
			}
			docs = append(docs, data)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		for _, d := range docs {
			if _, err := Validate(d, "bench.json"); err != nil {
				b.Fatal(err)
			}
		}
	}
}
