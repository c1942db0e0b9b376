package severity

import (
	"errors"
	"fmt"
	"strings"
)

// CVSS v4.0 metrics, in the order a vector must list them (CVSS v4.0
// Specification, section 7, table 23): eleven mandatory Base metrics, then
// the optional Threat, Environmental and Supplemental ones.
const (
	mAV = iota
	mAC
	mAT
	mPR
	mUI
	mVC
	mVI
	mVA
	mSC
	mSI
	mSA
	mE
	mCR
	mIR
	mAR
	mMAV
	mMAC
	mMAT
	mMPR
	mMUI
	mMVC
	mMVI
	mMVA
	mMSC
	mMSI
	mMSA
	mS
	mAU
	mR
	mV
	mRE
	mU
	numMetrics40

	numBase40 = mSA + 1
	// modified40 is the distance from a Base metric to its Modified one
	// (AV to MAV, …, SA to MSA).
	modified40 = mMAV - mAV
)

// metrics40 names each metric and its values. Every value of a metric
// starts with a different letter, so a parsed vector keeps only that
// letter.
var metrics40 = [numMetrics40]struct {
	name   string
	values []string
}{
	{"AV", []string{"N", "A", "L", "P"}},
	{"AC", []string{"L", "H"}},
	{"AT", []string{"N", "P"}},
	{"PR", []string{"N", "L", "H"}},
	{"UI", []string{"N", "P", "A"}},
	{"VC", []string{"H", "L", "N"}},
	{"VI", []string{"H", "L", "N"}},
	{"VA", []string{"H", "L", "N"}},
	{"SC", []string{"H", "L", "N"}},
	{"SI", []string{"H", "L", "N"}},
	{"SA", []string{"H", "L", "N"}},
	{"E", []string{"X", "A", "P", "U"}},
	{"CR", []string{"X", "H", "M", "L"}},
	{"IR", []string{"X", "H", "M", "L"}},
	{"AR", []string{"X", "H", "M", "L"}},
	{"MAV", []string{"X", "N", "A", "L", "P"}},
	{"MAC", []string{"X", "L", "H"}},
	{"MAT", []string{"X", "N", "P"}},
	{"MPR", []string{"X", "N", "L", "H"}},
	{"MUI", []string{"X", "N", "P", "A"}},
	{"MVC", []string{"X", "H", "L", "N"}},
	{"MVI", []string{"X", "H", "L", "N"}},
	{"MVA", []string{"X", "H", "L", "N"}},
	{"MSC", []string{"X", "H", "L", "N"}},
	{"MSI", []string{"X", "S", "H", "L", "N"}},
	{"MSA", []string{"X", "S", "H", "L", "N"}},
	{"S", []string{"X", "N", "P"}},
	{"AU", []string{"X", "N", "Y"}},
	{"R", []string{"X", "A", "U", "I"}},
	{"V", []string{"X", "D", "C"}},
	{"RE", []string{"X", "L", "M", "H"}},
	{"U", []string{"X", "Clear", "Green", "Amber", "Red"}},
}

// vector40 is a parsed CVSS v4.0 vector: per metric the first letter of
// its value, 0 where the vector omits the metric.
type vector40 [numMetrics40]byte

const prefix40 = "CVSS:4.0/"

// errVector40 is the cause of every rejected CVSS v4.0 vector.
var errVector40 = errors.New("invalid cvss v4.0 vector")

// parse40 reads a CVSS v4.0 vector strictly, as the specification
// requires: the "CVSS:4.0/" prefix, every Base metric, each metric at
// most once and in the specification's order, and only the values it
// defines (case matters).
func parse40(s string) (vector40, error) {
	var v vector40
	rest, ok := strings.CutPrefix(s, prefix40)
	if !ok {
		return v, fmt.Errorf("%w: no %q prefix", errVector40, prefix40)
	}
	next := 0 // metrics before next have been read or skipped
	for more := true; more; {
		var part string
		part, rest, more = strings.Cut(rest, "/")
		name, value, ok := strings.Cut(part, ":")
		if !ok {
			return v, fmt.Errorf("%w: %q is not metric:value", errVector40, part)
		}
		m := next
		for m < numMetrics40 && metrics40[m].name != name {
			m++
		}
		switch {
		case m == numMetrics40:
			return v, fmt.Errorf("%w: metric %q unknown, repeated or out of order", errVector40, name)
		case next < numBase40 && m != next:
			return v, fmt.Errorf("%w: base metric %s missing", errVector40, metrics40[next].name)
		}
		c, ok := value40(m, value)
		if !ok {
			return v, fmt.Errorf("%w: %s has no value %q", errVector40, name, value)
		}
		v[m] = c
		next = m + 1
	}
	if next < numBase40 {
		return v, fmt.Errorf("%w: base metric %s missing", errVector40, metrics40[next].name)
	}
	return v, nil
}

// value40 returns the letter that stands for value of metric m.
func value40(m int, value string) (byte, bool) {
	for _, want := range metrics40[m].values {
		if value == want {
			return want[0], true
		}
	}
	return 0, false
}
