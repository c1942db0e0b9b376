package policies

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// fuzzHead starts a policy of one rule.
const fuzzHead = "format: sdlkit.policy/v1\nname: p\nrules:\n  - id: a\n    action: deny\n    condition: "

// addPolicySeeds adds the built-in policies and their tests, and rules
// that reach each part of the language the environment offers.
func addPolicySeeds(f *testing.F) {
	for _, name := range Names() {
		for _, read := range []func(string) ([]byte, error){BuiltinSource, BuiltinTests} {
			data, err := read(name)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	for _, cond := range []string{
		"sbom.present && sbom.valid",
		"|\n      scan.findings.all(a, scan.findings.all(b, a.id + b.id != 'x'))",
		"ledger.requirements['SVV-3'].covered",
		"'SVV-3' in ledger.requirements && ledger.maturity.all(k, ledger.maturity[k] >= 3)",
		"sbom.licenses.exists(l, l.matches('^(GPL|AGPL)'))",
		"artifacts.map(a, a.name.split('/')).flatten().size() < 10",
		"lists.range(3).all(i, i < 3) && sets.contains([1, 2], [1])",
		"lists.range(100000000).size() > 0",
		"'abc'.replace('', 'abcabcabcabc').replace('', 'abcabcabcabc').replace('', 'abcabcabcabc').size() > 0",
		"'%s-%d'.format([release.product, sbom.components]).size() > 0",
		"sbom.bound.sort().distinct() == sbom.bound",
		"dyn(sbom.components) / 0 == 1",
		"\"abc\".indexOf(\"c\") == 2 && 'x'.lowerAscii() == 'x' && strings.quote('a') != ''",
	} {
		f.Add([]byte(fuzzHead + cond + "\n    explain: scan.findings.map(f, f.id)\n"))
	}
	f.Add([]byte(fuzzHead + "'sbom.present &&'\n"))
	f.Add([]byte(fuzzHead + "sbom.present\n  - id: a\n    action: warn\n    condition: sbom.valid\n"))
	f.Add([]byte(fuzzHead + "&c sbom.present\n    explain: *c\n"))
}

// richInput is an input with every fact set: the built-in policies'
// test inputs together.
func richInput(f *testing.F) Input {
	var in Input
	for _, name := range Names() {
		data, err := BuiltinTests(name)
		if err != nil {
			f.Fatal(err)
		}
		tf, err := ParseTests(data, name)
		if err != nil {
			f.Fatal(err)
		}
		for _, c := range tf.Tests {
			in = merge(in, c.Input)
		}
	}
	if in.Ledger.Requirements == nil || len(in.Scan.Findings) == 0 || len(in.Artifacts) == 0 {
		f.Fatalf("the built-in tests' inputs leave facts unset: %+v", in)
	}
	return in
}

// merge adds b's facts to a.
func merge(a, b Input) Input {
	if b.Release.Product != "" {
		a.Release = b.Release
	}
	a.SBOM.Present, a.SBOM.Valid = a.SBOM.Present || b.SBOM.Present, a.SBOM.Valid || b.SBOM.Valid
	a.SBOM.Problems = append(a.SBOM.Problems, b.SBOM.Problems...)
	a.SBOM.Licenses = append(a.SBOM.Licenses, b.SBOM.Licenses...)
	a.SBOM.Bound = append(a.SBOM.Bound, b.SBOM.Bound...)
	a.SBOM.Components += b.SBOM.Components
	a.Scan.Present = a.Scan.Present || b.Scan.Present
	a.Scan.Findings = append(a.Scan.Findings, b.Scan.Findings...)
	a.Scan.StoreAgeDays = max(a.Scan.StoreAgeDays, b.Scan.StoreAgeDays)
	a.Artifacts = append(a.Artifacts, b.Artifacts...)
	a.Ledger.Present = a.Ledger.Present || b.Ledger.Present
	a.Ledger.Missing = append(a.Ledger.Missing, b.Ledger.Missing...)
	a.Ledger.Stale = append(a.Ledger.Stale, b.Ledger.Stale...)
	for k, v := range b.Ledger.Requirements {
		if a.Ledger.Requirements == nil {
			a.Ledger.Requirements = map[string]Requirement{}
		}
		a.Ledger.Requirements[k] = v
	}
	for k, v := range b.Ledger.Maturity {
		if a.Ledger.Maturity == nil {
			a.Ledger.Maturity = map[string]int{}
		}
		a.Ledger.Maturity[k] = v
	}
	return a
}

// evaluate runs p over in and checks the outcome: a decision with one
// result per rule, counted, that writes as JSON; or an *EvalError. A
// watchdog turns an evaluation that outlives the cost limit into a crash
// with a stack.
func evaluate(t *testing.T, p *Policy, in Input) {
	t.Helper()
	wd := time.AfterFunc(10*time.Second, func() { panic("the evaluation outlives the cost limit") })
	d, err := p.Evaluate(context.Background(), in, time.Time{})
	wd.Stop()
	if err != nil {
		var ee *EvalError
		if d != nil || !errors.As(err, &ee) {
			t.Fatalf("Evaluate = %v, %v: want a decision or an *EvalError", d, err)
		}
		return
	}
	if len(d.Results) != len(p.Rules) || d.Passed+d.Warned+d.Denied != len(p.Rules) || d.Allowed != (d.Denied == 0) {
		t.Fatalf("a decision of %d results (%d passed, %d warned, %d denied, allowed %t) for %d rules",
			len(d.Results), d.Passed, d.Warned, d.Denied, d.Allowed, len(p.Rules))
	}
	if _, err := json.Marshal(d); err != nil {
		t.Fatalf("a decision does not write as JSON: %v", err)
	}
}

// FuzzParse reads arbitrary bytes as a policy. It may not panic; errors
// are one line naming the file and wrap ErrInvalidPolicy; a policy it
// accepts evaluates over an empty and a full input, within the cost limit,
// to a decision or an *EvalError.
func FuzzParse(f *testing.F) {
	addPolicySeeds(f)
	rich := richInput(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data, "fuzz.yaml")
		if err != nil {
			msg := err.Error()
			if !errors.Is(err, ErrInvalidPolicy) || strings.ContainsAny(msg, "\r\n") || !strings.HasPrefix(msg, "fuzz.yaml:") {
				t.Fatalf("error is not one line naming the file and wrapping ErrInvalidPolicy: %q", msg)
			}
			return
		}
		if len(p.Rules) == 0 || p.Name == "" {
			t.Fatalf("accepted a policy without a name or rules: %+v", p)
		}
		evaluate(t, p, Input{})
		evaluate(t, p, rich)
	})
}

// FuzzParseTests reads arbitrary bytes as a policy's test file. It may not
// panic; errors are one line naming the file; a test file it accepts reads
// back the same from its JSON, and runs against the baseline policy.
func FuzzParseTests(f *testing.F) {
	addPolicySeeds(f)
	f.Add([]byte("format: sdlkit.policy-test/v1\ntests:\n  - name: x\n    input: {sbom: {nope: 1}}\n"))
	f.Add([]byte("format: sdlkit.policy-test/v1\ntests:\n  - name: x\n    input: {scan: {storeAgeDays: !!int x}}\n"))
	baseline, err := Builtin("baseline")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tf, err := ParseTests(data, "fuzz.test.yaml")
		if err != nil {
			if msg := err.Error(); strings.ContainsAny(msg, "\r\n") || !strings.HasPrefix(msg, "fuzz.test.yaml:") {
				t.Fatalf("error is not one line naming the file: %q", msg)
			}
			return
		}
		out, err := json.Marshal(tf)
		if err != nil {
			t.Fatalf("an accepted test file does not write as JSON: %v", err)
		}
		again, err := ParseTests(out, "again")
		if err != nil {
			t.Fatalf("the JSON of an accepted test file does not read: %v\n%s", err, out)
		}
		if diff := cmp.Diff(tf, again, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("the JSON of an accepted test file reads as another (-first +again):\n%s", diff)
		}
		wd := time.AfterFunc(10*time.Second, func() { panic("the tests outlive the cost limit") })
		_, err = tf.Run(context.Background(), baseline)
		wd.Stop()
		var ee *EvalError
		if err != nil && !errors.As(err, &ee) {
			t.Fatalf("Run = %v, want results or an *EvalError", err)
		}
	})
}
