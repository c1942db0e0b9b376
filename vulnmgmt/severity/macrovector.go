package severity

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"sync"
)

// The CVSS v4.0 score (Specification, section 8.2): a vector falls in one
// of 270 MacroVectors (eq1…eq6), whose score FIRST's calculator tabulates;
// from it, the vector loses the mean, over the MacroVector's groups with
// a lower neighbour, of the score gap to that neighbour times how far the
// vector lies below the MacroVector's most severe vectors relative to the
// MacroVector's depth. Everything is computed in integer tenths and exact
// fractions, then rounded half up.
//
// How far: the calculator searches the most severe vectors for the first
// that is at least as severe in every metric, and sums the vector's
// distance from it per group. Every most severe vector of a group's level
// sums to the same level (decodeGroup checks it), so that sum is the
// vector's summed level less that common one, whichever vector the search
// would find.

//go:embed first-calculator/calculator-tables.json
var calculatorTables []byte

// levels40 orders the values of each metric the score depends on from
// most to least severe, one step (0.1 in FIRST's calculator) apart: a
// value's level is its index. SC has no S, so its H is one step down (the
// "_" holds the place); E's levels serve only eq5.
var levels40 = [mAR + 1]string{
	mAV: "NALP", mAC: "LH", mAT: "NP", mPR: "NLH", mUI: "NPA",
	mVC: "HLN", mVI: "HLN", mVA: "HLN", mSC: "_HLN", mSI: "SHLN", mSA: "SHLN",
	mE: "APU", mCR: "HML", mIR: "HML", mAR: "HML",
}

// groups40 are the metrics whose distance from the MacroVector's most
// severe vectors counts for eq1, eq2, eq3 with eq6, and eq4 (eq5's always
// counts 0).
var groups40 = [4][]int{
	{mAV, mPR, mUI},
	{mAC, mAT},
	{mVC, mVI, mVA, mCR, mIR, mAR},
	{mSC, mSI, mSA},
}

// tables40 holds FIRST's calculator tables, decoded.
type tables40 struct {
	// score is cvssLookup_global in tenths, by eq1…eq6; -1 where no
	// MacroVector exists.
	score [3][2][3][3][3][2]int8
	// top is the summed level of the group's metrics in the most
	// severe vectors (maxComposed), -1 where there are none, and depth
	// is maxSeverity, 0 where there is none; both by group (groups40) and
	// the group's level (groupLevel40).
	top   [4][6]int64
	depth [4][6]int64
}

var loadTables40 = sync.OnceValue(func() *tables40 {
	t, err := decodeTables40(calculatorTables)
	if err != nil {
		panic(err) // the embedded file is broken: TestTables40 catches it
	}
	return t
})

// effective40 returns the values the score uses: a Modified metric over
// its Base one, and the worst case (E:A, CR/IR/AR:H) for an omitted or X
// Threat or Requirement metric.
func (v *vector40) effective40() [mAR + 1]byte {
	var e [mAR + 1]byte
	for m := mAV; m <= mSA; m++ {
		e[m] = v[m]
		if mod := v[m+modified40]; mod != 0 && mod != 'X' {
			e[m] = mod
		}
	}
	e[mE], e[mCR], e[mIR], e[mAR] = 'A', 'H', 'H', 'H'
	for m := mE; m <= mAR; m++ {
		if v[m] != 0 && v[m] != 'X' {
			e[m] = v[m]
		}
	}
	return e
}

// macroVector40 returns eq1…eq6 of effective values e (section 8.2,
// table 24).
func macroVector40(e *[mAR + 1]byte) [6]int {
	var eq [6]int
	av, pr, ui := e[mAV], e[mPR], e[mUI]
	switch {
	case av == 'N' && pr == 'N' && ui == 'N':
	case (av == 'N' || pr == 'N' || ui == 'N') && av != 'P':
		eq[0] = 1
	default:
		eq[0] = 2
	}
	if e[mAC] != 'L' || e[mAT] != 'N' {
		eq[1] = 1
	}
	vc, vi, va := e[mVC], e[mVI], e[mVA]
	switch {
	case vc == 'H' && vi == 'H':
	case vc == 'H' || vi == 'H' || va == 'H':
		eq[2] = 1
	default:
		eq[2] = 2
	}
	switch {
	case e[mSI] == 'S' || e[mSA] == 'S': // MSI:S or MSA:S
	case e[mSC] == 'H' || e[mSI] == 'H' || e[mSA] == 'H':
		eq[3] = 1
	default:
		eq[3] = 2
	}
	eq[4] = strings.IndexByte(levels40[mE], e[mE])
	if !(e[mCR] == 'H' && vc == 'H' || e[mIR] == 'H' && vi == 'H' || e[mAR] == 'H' && va == 'H') {
		eq[5] = 1
	}
	return eq
}

// score40 returns the score of v in tenths.
func (v *vector40) score40() int {
	e := v.effective40()
	if e[mVC] == 'N' && e[mVI] == 'N' && e[mVA] == 'N' && e[mSC] == 'N' && e[mSI] == 'N' && e[mSA] == 'N' {
		return 0
	}
	var lv [mAR + 1]int8
	for m, order := range levels40 {
		lv[m] = int8(strings.IndexByte(order, e[m]))
	}
	eq := macroVector40(&e)
	t := loadTables40()
	value, _ := t.lookup(eq) // every parsed vector has a MacroVector

	// score = value − Σ gap_g·dist_g/depth_g / n over the n groups with a
	// lower MacroVector. With d = Π depth_g, in units of 1/(d·n) tenths:
	// x = value·d·n − Σ gap_g·dist_g·(d/depth_g).
	d, n := int64(1), int64(0)
	for g := range groups40 {
		d *= t.depth[g][groupLevel40(eq, g)]
	}
	var sum int64
	for g, metrics := range groups40 {
		lower, ok := t.lower(eq, g)
		if !ok {
			continue
		}
		n++
		k := groupLevel40(eq, g)
		dist := -t.top[g][k]
		for _, m := range metrics {
			dist += int64(lv[m])
		}
		sum += int64(value-lower) * dist * (d / t.depth[g][k])
	}
	if _, ok := t.lookup([6]int{eq[0], eq[1], eq[2], eq[3], eq[4] + 1, eq[5]}); ok {
		n++ // eq5 has a lower MacroVector; its proportion is always 0
	}
	if n == 0 {
		return value
	}
	den := d * n
	x := int64(value)*den - sum
	if x <= 0 {
		return 0
	}
	return int(min(100, (2*x+den)/(2*den))) // round half up: ⌊x/den + ½⌋
}

// groupLevel40 is the index of MacroVector eq in the tables of group g.
func groupLevel40(eq [6]int, g int) int {
	switch g {
	case 0, 1:
		return eq[g]
	case 2:
		return eq[2]*2 + eq[5]
	}
	return eq[3]
}

// lower returns the score of the next lower MacroVector in group g, as
// FIRST's calculator picks it; ok is false where there is none.
func (t *tables40) lower(eq [6]int, g int) (int, bool) {
	switch {
	case g == 0 || g == 1:
		eq[g]++
	case g == 3:
		eq[3]++
	case eq[2] == 0 && eq[5] == 0: // 00 → 01 or 10, whichever scores higher
		left, right := eq, eq
		left[5]++
		right[2]++
		l, lok := t.lookup(left)
		r, rok := t.lookup(right)
		if lok && rok && l > r {
			return l, true
		}
		return r, rok
	case eq[5] == 0: // 10 → 11
		eq[5]++
	case eq[2] == 2: // 21 → 32, which does not exist
		eq[2]++
		eq[5]++
	default: // 01 → 11, 11 → 21
		eq[2]++
	}
	return t.lookup(eq)
}

// lookup returns the score of MacroVector eq in tenths.
func (t *tables40) lookup(eq [6]int) (int, bool) {
	if !inRange40(eq) {
		return 0, false
	}
	s := t.score[eq[0]][eq[1]][eq[2]][eq[3]][eq[4]][eq[5]]
	return int(s), s >= 0
}

// inRange40 reports whether each of eq1…eq6 is a level the tables have.
func inRange40(eq [6]int) bool {
	for i, n := range [6]int{3, 2, 3, 3, 3, 2} {
		if eq[i] < 0 || eq[i] >= n {
			return false
		}
	}
	return true
}

// decodeTables40 reads calculator-tables.json.
func decodeTables40(data []byte) (*tables40, error) {
	type byLevel = map[string][]string
	type depthByLevel = map[string]int64
	var raw struct {
		Lookup      map[string]float64 `json:"cvssLookup_global"`
		MaxComposed struct {
			EQ1 byLevel            `json:"eq1"`
			EQ2 byLevel            `json:"eq2"`
			EQ3 map[string]byLevel `json:"eq3"`
			EQ4 byLevel            `json:"eq4"`
		} `json:"maxComposed"`
		MaxSeverity struct {
			EQ1    depthByLevel            `json:"eq1"`
			EQ2    depthByLevel            `json:"eq2"`
			EQ3EQ6 map[string]depthByLevel `json:"eq3eq6"`
			EQ4    depthByLevel            `json:"eq4"`
		} `json:"maxSeverity"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("decode cvss v4.0 tables: %w", err)
	}
	t := &tables40{}
	for g := range t.top {
		for k := range t.top[g] {
			t.top[g][k] = -1
		}
	}
	if err := t.decodeScores(raw.Lookup); err != nil {
		return nil, err
	}
	maxes := [4]byLevel{raw.MaxComposed.EQ1, raw.MaxComposed.EQ2, flatten36(raw.MaxComposed.EQ3), raw.MaxComposed.EQ4}
	depths := [4]depthByLevel{raw.MaxSeverity.EQ1, raw.MaxSeverity.EQ2, flatten36(raw.MaxSeverity.EQ3EQ6), raw.MaxSeverity.EQ4}
	for g := range groups40 {
		if err := t.decodeGroup(g, maxes[g], depths[g]); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// flatten36 turns the tables' eq3 → eq6 → x into level → x, level being
// "eq3*2+eq6" (groupLevel40); a key other than one digit, or eq6 other
// than 0 or 1, gives a key decodeGroup rejects.
func flatten36[X any](m map[string]map[string]X) map[string]X {
	out := map[string]X{}
	for eq3, m6 := range m {
		for eq6, x := range m6 {
			k := "?"
			if a, b := digit(eq3), digit(eq6); a >= 0 && b >= 0 && b <= 1 {
				k = string(rune('0' + a*2 + b))
			}
			out[k] = x
		}
	}
	return out
}

// digit reads a one-digit key, -1 for anything else.
func digit(s string) int {
	if len(s) != 1 || s[0] < '0' || s[0] > '9' {
		return -1
	}
	return int(s[0] - '0')
}

// decodeScores reads cvssLookup_global: MacroVector "eq1…eq6" → score.
func (t *tables40) decodeScores(lookup map[string]float64) error {
	for i := range t.score {
		for j := range t.score[i] {
			for k := range t.score[i][j] {
				for l := range t.score[i][j][k] {
					for m := range t.score[i][j][k][l] {
						t.score[i][j][k][l][m] = [2]int8{-1, -1}
					}
				}
			}
		}
	}
	for key, s := range lookup {
		var eq [6]int
		for i := range eq {
			eq[i] = -1
			if len(key) == len(eq) {
				eq[i] = digit(key[i : i+1])
			}
		}
		tenths := math.Round(s * 10)
		if _, dup := t.lookup(eq); dup || !inRange40(eq) || tenths < 0 || tenths > 100 || math.Abs(tenths-s*10) > 1e-9 {
			return fmt.Errorf("decode cvss v4.0 tables: MacroVector %q: score %v", key, s)
		}
		t.score[eq[0]][eq[1]][eq[2]][eq[3]][eq[4]][eq[5]] = int8(tenths)
	}
	return nil
}

// decodeGroup reads the most severe vectors and the depth of group g by
// level: each most severe vector gives a value for exactly the group's
// metrics, and all of a level sum to the same level.
func (t *tables40) decodeGroup(g int, maxes map[string][]string, depths map[string]int64) error {
	for key, frags := range maxes {
		k := digit(key)
		if k < 0 || k >= len(t.top[g]) {
			return fmt.Errorf("decode cvss v4.0 tables: group %d level %q", g, key)
		}
		for _, f := range frags {
			top, err := decodeMaxVector(f, groups40[g])
			if err != nil {
				return err
			}
			if t.top[g][k] >= 0 && t.top[g][k] != top {
				return fmt.Errorf("decode cvss v4.0 tables: most severe vector %q is %d steps from the others of its level", f, top-t.top[g][k])
			}
			t.top[g][k] = top
		}
	}
	for key, depth := range depths {
		k := digit(key)
		if k < 0 || k >= len(t.depth[g]) || depth <= 0 {
			return fmt.Errorf("decode cvss v4.0 tables: group %d level %q depth %d", g, key, depth)
		}
		t.depth[g][k] = depth
	}
	return nil
}

// decodeMaxVector reads a most severe vector's fragment such as
// "AV:N/PR:N/UI:N/", which must set each of metrics once, and returns its
// summed level.
func decodeMaxVector(frag string, metrics []int) (int64, error) {
	var seen [mAR + 1]bool
	var sum int64
	n := 0
	for part := range strings.SplitSeq(strings.TrimSuffix(frag, "/"), "/") {
		name, value, _ := strings.Cut(part, ":")
		m := metricIndex40(name, metrics)
		if m < 0 || seen[m] || len(value) != 1 || strings.IndexByte(levels40[m], value[0]) < 0 {
			return 0, fmt.Errorf("decode cvss v4.0 tables: most severe vector %q", frag)
		}
		seen[m] = true
		sum += int64(strings.IndexByte(levels40[m], value[0]))
		n++
	}
	if n != len(metrics) {
		return 0, fmt.Errorf("decode cvss v4.0 tables: most severe vector %q", frag)
	}
	return sum, nil
}

// metricIndex40 finds the metric called name among metrics, -1 if absent.
func metricIndex40(name string, metrics []int) int {
	for _, m := range metrics {
		if metrics40[m].name == name {
			return m
		}
	}
	return -1
}
