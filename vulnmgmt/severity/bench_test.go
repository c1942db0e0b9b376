package severity

import (
	"math"
	"testing"

	pandatix31 "github.com/pandatix/go-cvss/31"
	pandatix40 "github.com/pandatix/go-cvss/40"
)

// BenchmarkScore parses and scores every reference vector per iteration,
// through Score and directly with pandatix/go-cvss, and reports the time
// per vector.
func BenchmarkScore(b *testing.B) {
	scorers := []struct {
		name  string
		file  string
		score func(string) (float64, bool)
	}{
		{"v4.0/sdlkit", "v4.0.json.gz", Score},
		{"v4.0/pandatix", "v4.0.json.gz", func(s string) (float64, bool) {
			v, err := pandatix40.ParseVector(s)
			if err != nil {
				return 0, false
			}
			return math.Round(v.Score()*10) / 10, true
		}},
		{"v3.1/sdlkit", "v3.1.json.gz", Score},
		{"v3.1/pandatix", "v3.1.json.gz", func(s string) (float64, bool) {
			v, err := pandatix31.ParseVector(s)
			if err != nil {
				return 0, false
			}
			return v.BaseScore(), true
		}},
	}
	for _, sc := range scorers {
		var vectors []string
		for _, r := range readReferences(b, sc.file) {
			vectors = append(vectors, r.Vector)
		}
		b.Run(sc.name, func(b *testing.B) {
			b.ReportAllocs()
			sum := 0.0
			for b.Loop() {
				for _, v := range vectors {
					s, ok := sc.score(v)
					if !ok {
						b.Fatalf("no score for %s", v)
					}
					sum += s
				}
			}
			if sum == 0 {
				b.Fatal("every score 0")
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(vectors)), "ns/vector")
		})
	}
}

// BenchmarkDecodeTables40 is what the first CVSS v4.0 score of a run pays
// once to decode the calculator's tables.
func BenchmarkDecodeTables40(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeTables40(calculatorTables); err != nil {
			b.Fatal(err)
		}
	}
}
