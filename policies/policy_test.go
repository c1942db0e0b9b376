package policies

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestBuiltinPolicies runs every built-in policy's own tests.
func TestBuiltinPolicies(t *testing.T) {
	t.Parallel()
	names := Names()
	if len(names) < 2 {
		t.Fatalf("built-in policies: %v", names)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			p, err := Builtin(name)
			if err != nil {
				t.Fatal(err)
			}
			data, err := BuiltinTests(name)
			if err != nil {
				t.Fatalf("%s has no tests: %v", name, err)
			}
			tf, err := ParseTests(data, name+".test.yaml")
			if err != nil {
				t.Fatal(err)
			}
			results, err := tf.Run(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range results {
				for _, f := range r.Failures {
					t.Errorf("%s: %s", r.Name, f)
				}
			}
		})
	}
}

// TestParseErrors checks that a policy that does not load is one line
// naming the file, the line and the column.
func TestParseErrors(t *testing.T) {
	t.Parallel()
	head := "format: sdlkit.policy/v1\nname: p\nrules:\n"
	tests := []struct {
		name, policy, want string
	}{
		{"unknown field", head + "  - id: a\n    action: deny\n    condition: sbom.nope > 1\n", "p.yaml:6:20: invalid policy: undefined field 'nope'"},
		{"unknown field in a block", head + "  - id: a\n    action: deny\n    condition: |\n      sbom.present &&\n        scan.foo\n", "p.yaml:8:13: invalid policy: undefined field 'foo'"},
		{"syntax", head + "  - id: a\n    action: deny\n    condition: 'sbom.present &&'\n", "p.yaml:6:"},
		{"not a bool", head + "  - id: a\n    action: deny\n    condition: sbom.components\n", "the condition is a int, want a bool"},
		{"unknown variable", head + "  - id: a\n    action: deny\n    condition: secrets.present\n", "undeclared reference to 'secrets'"},
		{"bad action", head + "  - id: a\n    action: block\n    condition: sbom.present\n", `action "block", want deny or warn`},
		{"bad id", head + "  - id: A B\n    action: deny\n    condition: sbom.present\n", `rule id "A B"`},
		{"duplicate", head + "  - id: a\n    action: deny\n    condition: sbom.present\n  - id: a\n    action: warn\n    condition: sbom.valid\n", `rule "a" defined twice`},
		{"unknown key", head + "  - id: a\n    action: deny\n    when: sbom.present\n", "field when not found"},
		{"no rules", "format: sdlkit.policy/v1\nname: p\n", "1 to 256 rules"},
		{"other format", "format: v2\nname: p\nrules: []\n", `format "v2"`},
		{"not yaml", "\x00\x01", "p.yaml:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.policy), "p.yaml")
			if !errors.Is(err, ErrInvalidPolicy) && tt.name != "not yaml" {
				t.Fatalf("err = %v, want ErrInvalidPolicy", err)
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("err = %v, want one line with %q", err, tt.want)
			}
		})
	}
}

// TestEvaluationFailsClosed checks that a rule that errors at evaluation
// (a map key that is not there) stops the check instead of passing it.
func TestEvaluationFailsClosed(t *testing.T) {
	t.Parallel()
	p, err := Parse([]byte("format: sdlkit.policy/v1\nname: p\nrules:\n  - id: a\n    action: warn\n    condition: ledger.requirements['SVV-3'].covered\n"), "p.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Evaluate(context.Background(), Input{}, time.Now())
	var ee *EvalError
	if !errors.As(err, &ee) || ee.Line != 6 || !strings.Contains(err.Error(), "p.yaml:6: rule a could not be evaluated") {
		t.Fatalf("err = %v", err)
	}
}

// TestEvaluationIsBounded checks that an expression that would run for
// ever is stopped by the cost limit.
func TestEvaluationIsBounded(t *testing.T) {
	t.Parallel()
	p, err := Parse([]byte("format: sdlkit.policy/v1\nname: p\nrules:\n  - id: a\n    action: deny\n    condition: scan.findings.all(a, scan.findings.all(b, scan.findings.all(c, a.id + b.id + c.id != 'x')))\n"), "p.yaml")
	if err != nil {
		t.Fatal(err)
	}
	in := Input{}
	for i := 0; i < 1000; i++ {
		in.Scan.Findings = append(in.Scan.Findings, Finding{ID: "x"})
	}
	start := time.Now()
	_, err = p.Evaluate(context.Background(), in, time.Now())
	if err == nil || !strings.Contains(err.Error(), "cost") {
		t.Fatalf("err = %v after %v", err, time.Since(start))
	}
}
