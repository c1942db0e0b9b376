package severity

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// reference is an entry of testdata/cvss/v4.0.json.gz or v3.1.json.gz.
type reference struct {
	Vector   string  `json:"vector"`
	Score    float64 `json:"score"`
	Severity string  `json:"severity"`
	// RoundingTie marks the v4.0 vectors FIRST's and Red Hat's
	// calculators round differently; ScoreRedHat is the exact, half-up
	// value.
	RoundingTie bool    `json:"rounding_tie"`
	ScoreFIRST  float64 `json:"score_first_calculator"`
	ScoreRedHat float64 `json:"score_redhat_calculator"`
}

func readReferences(tb testing.TB, name string) []reference {
	tb.Helper()
	f, err := os.Open(filepath.Join("testdata", "cvss", name))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		tb.Fatal(err)
	}
	var refs []reference
	if err := json.NewDecoder(zr).Decode(&refs); err != nil {
		tb.Fatalf("decode %s: %v", name, err)
	}
	return refs
}

// TestScoreReference scores every reference vector through Score and
// FromScore: the exact score (Red Hat's calculator's on the v4.0 rounding
// ties, which exact arithmetic gives) and its rating.
func TestScoreReference(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file      string
		vectors   int
		ties      int
		wantScore func(reference) float64
	}{
		{"v4.0.json.gz", 2487, 163, func(r reference) float64 {
			if r.RoundingTie {
				return r.ScoreRedHat
			}
			return r.Score
		}},
		{"v3.1.json.gz", 2971, 0, func(r reference) float64 { return r.Score }},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			refs := readReferences(t, tt.file)
			if len(refs) != tt.vectors {
				t.Fatalf("%s has %d vectors, want %d", tt.file, len(refs), tt.vectors)
			}
			ties := 0
			for _, r := range refs {
				want := tt.wantScore(r)
				if r.RoundingTie {
					ties++
					if math.Round(r.ScoreRedHat*10)-math.Round(r.ScoreFIRST*10) != 1 {
						t.Errorf("%s: tie %v (FIRST) / %v (Red Hat) is not 0.1 up", r.Vector, r.ScoreFIRST, r.ScoreRedHat)
					}
				}
				got, ok := Score(r.Vector)
				if !ok {
					t.Errorf("Score(%s) does not parse", r.Vector)
					continue
				}
				if got != want {
					t.Errorf("Score(%s) = %v, want %v", r.Vector, got, want)
				}
				if rating, want := FromScore(got), Rating(strings.ToLower(r.Severity)); rating != want {
					t.Errorf("FromScore(%v) of %s = %s, want %s", got, r.Vector, rating, want)
				}
			}
			if ties != tt.ties {
				t.Errorf("%s has %d rounding ties, want %d", tt.file, ties, tt.ties)
			}
		})
	}
}

// TestScoreRejectsInvalid feeds Score invalid CVSS v4.0 vectors of FIRST's
// reference set; those without the CVSS:4.0/ prefix start with "AV:" and
// so reach the v2.0 parser, which must reject them too.
func TestScoreRejectsInvalid(t *testing.T) {
	t.Parallel()
	f, err := os.Open(filepath.Join("testdata", "cvss", "v4.0-invalid.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	for sc := bufio.NewScanner(f); sc.Scan(); n++ {
		if s, ok := Score(sc.Text()); ok {
			t.Errorf("Score(%q) = %v, want no score", sc.Text(), s)
		}
	}
	if n != 352 {
		t.Errorf("read %d invalid vectors, want 352", n)
	}
}
