package policies

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"sigs.k8s.io/yaml"
)

// TestFormat is the format of a policy's test file.
const TestFormat = "sdlkit.policy-test/v1"

// TestFile is a policy's tests: example inputs and the outcome each rule
// must have, kept beside the policy (NAME.test.yaml for NAME.yaml), so that
// a supplier unit-tests its own rules.
type TestFile struct {
	Format string `json:"format"`
	Tests  []Case `json:"tests"`
}

// Case is one example input and what the policy must decide.
type Case struct {
	Name  string `json:"name"`
	Input Input  `json:"input"`
	// Allowed is the decision the policy must reach.
	Allowed bool `json:"allowed"`
	// Outcomes are the outcomes (pass, warn, deny) some rules must have.
	Outcomes map[string]string `json:"outcomes"`
}

// CaseResult is one case's result: the failures, one line each.
type CaseResult struct {
	Name     string   `json:"name"`
	Failures []string `json:"failures,omitempty"`
}

// ParseTests reads a test file strictly: unknown fields (a misspelt input
// fact) are errors, so that a test never passes by testing nothing.
func ParseTests(data []byte, source string) (*TestFile, error) {
	if len(data) > MaxPolicySize {
		return nil, fmt.Errorf("%s: larger than %d bytes", source, MaxPolicySize)
	}
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", source, oneLine(err.Error()))
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	var tf TestFile
	if err := dec.Decode(&tf); err != nil {
		return nil, fmt.Errorf("%s: %v", source, err)
	}
	if tf.Format != TestFormat || len(tf.Tests) == 0 {
		return nil, fmt.Errorf("%s: want format %q and at least one test", source, TestFormat)
	}
	return &tf, nil
}

// Run evaluates every case against p.
func (tf *TestFile) Run(ctx context.Context, p *Policy) ([]CaseResult, error) {
	var out []CaseResult
	for _, c := range tf.Tests {
		res := CaseResult{Name: c.Name}
		d, err := p.Evaluate(ctx, c.Input, time.Time{})
		if err != nil {
			return nil, fmt.Errorf("test %q: %w", c.Name, err)
		}
		if d.Allowed != c.Allowed {
			res.Failures = append(res.Failures, fmt.Sprintf("allowed = %t, want %t", d.Allowed, c.Allowed))
		}
		for _, rule := range sortedKeys(c.Outcomes) {
			want := c.Outcomes[rule]
			i := slices.IndexFunc(d.Results, func(r Result) bool { return r.Rule == rule })
			switch {
			case i < 0:
				res.Failures = append(res.Failures, fmt.Sprintf("rule %s: no such rule in policy %s", rule, p.Name))
			case d.Results[i].Outcome != want:
				res.Failures = append(res.Failures, fmt.Sprintf("rule %s: %s, want %s", rule, d.Results[i].Outcome, want))
			}
		}
		out = append(out, res)
	}
	return out, nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// TestPath is the path of a policy file's tests.
func TestPath(policyPath string) string {
	for _, ext := range []string{".yaml", ".yml"} {
		if base, ok := strings.CutSuffix(policyPath, ext); ok {
			return base + ".test" + ext
		}
	}
	return policyPath + ".test.yaml"
}
