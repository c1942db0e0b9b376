package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func testContext(status string) *evalContext {
	return &evalContext{status: status, vars: map[string]any{
		"inputs": map[string]any{"artifact-name": "bin", "flag": true, "empty": "", "n": 3.0},
		"github": map[string]any{"ref": "refs/tags/v1.2.3", "ref_type": "tag", "event": map[string]any{}},
		"steps":  map[string]any{"run": map[string]any{"outcome": "failure", "outputs": map[string]any{"decision": "fail"}}},
		"env":    map[string]any{"HOME": "/root"},
	}}
}

func TestEval(t *testing.T) {
	t.Parallel()
	tests := []struct {
		expr string
		want any
	}{
		{"1 == 1", true},
		{"'abc' == 'ABC'", true}, // strings compare case-insensitively
		{"'1' == 1", true},       // unlike types compare as numbers
		{"null == 0", true},
		{"true == 1", true},
		{"'' == 0", true},
		{"'x' == 0", false}, // NaN equals nothing
		{"!''", true},
		{"!0", true},
		{"!'false'", false}, // a non-empty string is true, even 'false'
		{"inputs.flag && 'yes' || 'no'", "yes"},
		{"inputs.empty && 'yes' || 'no'", "no"},
		{"inputs.empty || inputs.artifact-name", "bin"}, // || returns an operand
		{"inputs['artifact-name']", "bin"},
		{"INPUTS.Artifact-Name", "bin"}, // contexts and properties ignore case
		{"inputs.missing", nil},
		{"github.event.pull_request.number", nil},
		{"inputs.n > 2 && inputs.n <= 3", true},
		{"'b' > 'A'", true},
		{"inputs.n >= '3'", true},
		{"-1 < 0", true},
		{"0x10 == 16", true},
		{"1.5e1", 15.0},
		{"format('{0}/{1}.sarif', 'dist', 'scan')", "dist/scan.sarif"},
		{"format('{{0}} {0}', 'x')", "{0} x"},
		{"contains('Hello', 'ELL')", true},
		{"contains(fromJSON('[\"a\",\"b\"]'), 'B')", true},
		{"startsWith(github.ref, 'refs/tags/')", true},
		{"endsWith(github.ref, '.3')", true},
		{"fromJSON('[1,2]')[1]", 2.0},
		{"fromJSON('{\"a\":{\"b\":true}}').a.b", true},
		{"join(fromJSON('[1,2]'), '+')", "1+2"},
		{"steps.run.outputs.decision != ''", true},
		{"steps.run.outcome == 'failure'", true},
		{"'it''s'", "it's"},
		{"(1 == 2) || (2 == 2)", true},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			t.Parallel()
			n, err := parseExpr(tt.expr)
			if err != nil {
				t.Fatal(err)
			}
			got, err := testContext("success").eval(n)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

func TestEvalErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ expr, want string }{
		{"hashFiles('go.sum')", "does not implement the function hashfiles()"},
		{"foo.bar", `unknown context "foo"`},
		{"'open", "unterminated string"},
		{"1 ==", "unexpected end"},
		{"(1", `expected ")"`},
		{"inputs.", "expected a property name"},
		{"contains('a')", "takes 2 to 2 arguments"},
		{"format('{1}', 'a')", "bad placeholder"},
		{"1 $ 2", "unexpected character"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			t.Parallel()
			n, err := parseExpr(tt.expr)
			if err == nil {
				_, err = testContext("success").eval(n)
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestCondition(t *testing.T) {
	t.Parallel()
	tests := []struct {
		cond   string
		status string
		want   bool
	}{
		{"", "success", true},
		{"", "failure", false},
		{"true", "failure", false}, // an implicit success() &&
		{"always()", "failure", true},
		{"failure()", "failure", true},
		{"failure()", "success", false},
		{"${{ failure() }}", "failure", true},
		{"success() || failure()", "failure", true},
		{"always() && inputs.flag", "failure", true},
		{"always() && steps.run.outputs.decision == 'pass'", "failure", false},
		{"inputs.artifact-name != ''", "success", true},
		{"${{ inputs.empty != '' }}", "success", false},
		{"!cancelled()", "failure", true}, // a status function: no implicit success()
		{"cancelled()", "cancelled", true},
		{"success()", "skipped", false},
		{"failure()", "skipped", false},
	}
	for _, tt := range tests {
		t.Run(tt.cond+"/"+tt.status, func(t *testing.T) {
			t.Parallel()
			got, err := testContext(tt.status).condition(tt.cond)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("condition(%q) with status %s = %v, want %v", tt.cond, tt.status, got, tt.want)
			}
		})
	}
	if _, err := testContext("success").condition("${{ inputs.flag }} && true"); err == nil {
		t.Error("an if: mixing text and ${{ }} (always true on GitHub) is accepted")
	}
}

func TestInterpolate(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"${{ inputs.artifact-name }}", "bin"},
		{"a-${{ inputs.artifact-name }}-b-${{ inputs.n }}", "a-bin-b-3"},
		{"${{ inputs.flag }}", "true"},
		{"${{ inputs.missing }}", ""},
		{"${{ format('{0}}}', 'x') }}", "x}"}, // }} inside a string literal does not end the expression
		{"${{ env.HOME }}/x", "/root/x"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := testContext("success").interpolate(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("interpolate(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	if _, err := testContext("success").interpolate("${{ inputs.x "); err == nil {
		t.Error("an unclosed ${{ is accepted")
	}
}
