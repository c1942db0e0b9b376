package severity

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"

	pandatix40 "github.com/pandatix/go-cvss/40"
)

// format40 writes v back as a vector string.
func format40(v vector40) string {
	var b strings.Builder
	b.WriteString("CVSS:4.0")
	for m, c := range v {
		if c == 0 {
			continue
		}
		for _, value := range metrics40[m].values {
			if value[0] == c {
				b.WriteString("/" + metrics40[m].name + ":" + value)
			}
		}
	}
	return b.String()
}

// TestParse40 varies real vectors, the first of FIRST's macro-scores and
// one of Red Hat's with supplemental metrics, in the ways the
// specification forbids.
func TestParse40(t *testing.T) {
	t.Parallel()
	const (
		macro = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:A/CR:H/IR:H/AR:H/MSI:S/MSA:S"
		base  = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H"
		suppl = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N/S:N/AU:N/R:A/V:D/RE:L/U:Clear"
	)
	tests := []struct {
		name, vector, err string // err: "" to accept, else part of the error
	}{
		{"macro-scores vector", macro, ""},
		{"base only", base, ""},
		{"supplemental", suppl, ""},
		{"explicit X", base + "/E:X/CR:X/MAV:X/U:X", ""},
		{"no prefix", strings.TrimPrefix(base, "CVSS:4.0/"), "prefix"},
		{"v3.1 prefix", "CVSS:3.1/" + strings.TrimPrefix(base, "CVSS:4.0/"), "prefix"},
		{"lower-case prefix", "cvss" + strings.TrimPrefix(base, "CVSS"), "prefix"},
		{"prefix only", "CVSS:4.0/", `"" is not metric:value`},
		{"empty", "", "prefix"},
		{"trailing slash", base + "/", `"" is not metric:value`},
		{"double slash", strings.Replace(base, "/AC", "//AC", 1), `"" is not metric:value`},
		{"trailing space", base + " ", `SA has no value "H "`},
		{"base out of order", strings.Replace(base, "AV:N/AC:L", "AC:L/AV:N", 1), "base metric AV missing"},
		{"base missing", strings.Replace(base, "/VI:H", "", 1), "base metric VI missing"},
		{"last base missing", strings.TrimSuffix(base, "/SA:H"), "base metric SA missing"},
		{"threat after environmental", strings.Replace(macro, "E:A/CR:H", "CR:H/E:A", 1), `metric "E" unknown, repeated or out of order`},
		{"supplemental out of order", strings.Replace(suppl, "S:N/AU:N", "AU:N/S:N", 1), `metric "S" unknown, repeated or out of order`},
		{"repeated", base + "/E:A/E:A", `metric "E" unknown, repeated or out of order`},
		{"repeated base", base + "/AV:N", `metric "AV" unknown, repeated or out of order`},
		{"unknown metric", base + "/XX:X", `metric "XX" unknown`},
		{"lower-case metric", strings.Replace(base, "VC:H", "vc:H", 1), `metric "vc" unknown`},
		{"lower-case value", strings.Replace(base, "AV:N", "AV:n", 1), `AV has no value "n"`},
		{"X in base", strings.Replace(base, "AV:N", "AV:X", 1), `AV has no value "X"`},
		{"S outside MSI", strings.Replace(base, "SI:H", "SI:S", 1), `SI has no value "S"`},
		{"lower-case U", strings.Replace(suppl, "U:Clear", "U:clear", 1), `U has no value "clear"`},
		{"U by letter", strings.Replace(suppl, "U:Clear", "U:C", 1), `U has no value "C"`},
		{"empty value", strings.Replace(base, "PR:N", "PR:", 1), `PR has no value ""`},
		{"two colons", strings.Replace(base, "PR:N", "PR:N:N", 1), `PR has no value "N:N"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v, err := parse40(tt.vector)
			switch {
			case tt.err == "" && err != nil:
				t.Fatalf("parse40(%q): %v", tt.vector, err)
			case tt.err == "":
				if got := format40(v); got != tt.vector {
					t.Errorf("parse40(%q) reads back as %q", tt.vector, got)
				}
			case err == nil:
				t.Fatalf("parse40(%q) accepted, want error with %q", tt.vector, tt.err)
			case !errors.Is(err, errVector40) || !strings.Contains(err.Error(), tt.err):
				t.Errorf("parse40(%q) = %v, want errVector40 with %q", tt.vector, err, tt.err)
			}
		})
	}
}

// TestTables40 checks the decoded calculator tables: every one of the 270
// MacroVectors scored, and most severe vectors and a depth for every level
// of every group.
func TestTables40(t *testing.T) {
	t.Parallel()
	tab, err := decodeTables40(calculatorTables)
	if err != nil {
		t.Fatal(err)
	}
	macroVectors := 0
	for e1 := range 3 {
		for e2 := range 2 {
			for e3 := range 3 {
				for e4 := range 3 {
					for e5 := range 3 {
						for e6 := range 2 {
							if _, ok := tab.lookup([6]int{e1, e2, e3, e4, e5, e6}); ok {
								macroVectors++
							}
						}
					}
				}
			}
		}
	}
	if macroVectors != 270 {
		t.Errorf("%d MacroVectors scored, want 270", macroVectors)
	}
	levels := [4][]int{{0, 1, 2}, {0, 1}, {0, 1, 2, 3, 5}, {0, 1, 2}} // eq3 2 has only eq6 1
	for g, ls := range levels {
		for _, k := range ls {
			if tab.top[g][k] < 0 || tab.depth[g][k] == 0 {
				t.Errorf("group %d level %d: most severe vectors at %d, depth %d", g, k, tab.top[g][k], tab.depth[g][k])
			}
		}
	}
}

// TestDecodeTables40Errors breaks the real tables in the ways the decoder
// guards against.
func TestDecodeTables40Errors(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, old, new string }{
		{"not JSON", `{`, `[`},
		{"score not in tenths", `"000000": 10,`, `"000000": 9.95,`},
		{"score above 10", `"000000": 10,`, `"000000": 11,`},
		{"MacroVector out of range", `"000000": 10,`, `"300000": 10,`},
		{"MacroVector too short", `"000000": 10,`, `"00000": 10,`},
		{"metric missing from a most severe vector", `"AV:N/PR:N/UI:N/"`, `"AV:N/PR:N/"`},
		{"metric of another group", `"AV:N/PR:N/UI:N/"`, `"AV:N/PR:N/AC:L/"`},
		{"metric twice", `"AV:N/PR:N/UI:N/"`, `"AV:N/PR:N/PR:N/"`},
		{"undefined value", `"AV:N/PR:N/UI:N/"`, `"AV:N/PR:N/UI:Q/"`},
		{"most severe vectors of a level apart", `"AV:A/PR:N/UI:N/"`, `"AV:L/PR:N/UI:N/"`},
		{"depth 0", `"eq2": {
   "0": 1,`, `"eq2": {
   "0": 0,`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data := bytes.Replace(calculatorTables, []byte(tt.old), []byte(tt.new), 1)
			if bytes.Equal(data, calculatorTables) {
				t.Fatalf("%q is not in the tables", tt.old)
			}
			if _, err := decodeTables40(data); err == nil {
				t.Errorf("decodeTables40 accepted tables with %s", tt.name)
			}
		})
	}
}

// FuzzParse40 checks that the parser never panics, that what it accepts
// it reads exactly (so it accepts each vector in one spelling only) and
// scores within 0.0–10.0, and that it accepts what pandatix/go-cvss
// accepts.
func FuzzParse40(f *testing.F) {
	for _, s := range []string{
		"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/E:A/CR:H/IR:H/AR:H/MSI:S/MSA:S",
		"CVSS:4.0/AV:A/AC:H/AT:P/PR:H/UI:P/VC:H/VI:H/VA:H/SC:L/SI:L/SA:N/E:U/CR:H/IR:H/AR:H/MAV:L/MAC:H/MAT:N/MPR:N/MUI:A/MVC:N/MVI:X/MVA:H/MSC:L/MSI:N/MSA:X/S:N/AU:X/R:X/V:D/RE:H/U:Green",
		"CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N",
		"CVSS:4.0/AV:L/AC:L/AT:N/PR://UI:P/VC:H/VI:L/VA:H/SC:H/SI:H/SA:N",
		"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H/",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := parse40(s)
		_, perr := pandatix40.ParseVector(s)
		if (err == nil) != (perr == nil) {
			t.Errorf("parse40(%q): %v; pandatix: %v", s, err, perr)
		}
		if err != nil {
			return
		}
		if got := format40(v); got != s {
			t.Errorf("parse40(%q) reads back as %q", s, got)
		}
		if score := v.score40(); score < 0 || score > 100 {
			t.Errorf("score40(%q) = %d tenths", s, score)
		}
	})
}

// FuzzScore40 builds valid vectors from the fuzzer's bytes, one a metric
// (for an optional metric, 0 omits it), and checks each scores within 0.1
// of pandatix/go-cvss, the most widely used Go scorer, which differs from
// the reference calculators by at most 0.1 (its floating-point rounding).
func FuzzScore40(f *testing.F) {
	f.Add([]byte{})
	f.Add(bytes.Repeat([]byte{1}, numMetrics40))
	f.Add([]byte{1, 0, 1, 1, 2, 0, 2, 1, 0, 2, 1, 3, 1, 0, 2, 0, 0, 0, 2, 0, 2, 0, 0, 0, 1, 0})
	f.Fuzz(func(t *testing.T, choices []byte) {
		var b strings.Builder
		b.WriteString("CVSS:4.0")
		for m, metric := range metrics40 {
			var c int
			if m < len(choices) {
				c = int(choices[m])
			}
			if m >= numBase40 {
				if c %= len(metric.values) + 1; c == 0 {
					continue
				}
				c--
			}
			b.WriteString("/" + metric.name + ":" + metric.values[c%len(metric.values)])
		}
		s := b.String()
		v, err := parse40(s)
		if err != nil {
			t.Fatalf("parse40(%q): %v", s, err)
		}
		p, err := pandatix40.ParseVector(s)
		if err != nil {
			t.Fatalf("pandatix rejects %q: %v", s, err)
		}
		got, theirs := v.score40(), int(math.Round(p.Score()*10))
		if got < 0 || got > 100 || got-theirs > 1 || theirs-got > 1 {
			t.Errorf("score40(%q) = %d tenths, pandatix %d", s, got, theirs)
		}
	})
}
