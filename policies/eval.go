package policies

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"cel.dev/cel-go/common/types/ref"
)

// DecisionFormat identifies the JSON form of Decision.
const DecisionFormat = "sdlkit.policy.decision/v1"

// Outcomes of a rule.
const (
	Pass = "pass"
)

// Decision is the result of a policy over one release.
type Decision struct {
	Format  string    `json:"format"`
	Policy  string    `json:"policy"`
	Source  string    `json:"source"`
	Digest  string    `json:"digest"`
	Release Release   `json:"release"`
	Time    time.Time `json:"time"`
	// Allowed is false when any deny rule failed.
	Allowed bool     `json:"allowed"`
	Results []Result `json:"results"`
	// Counts of outcomes.
	Passed, Warned, Denied int
}

// Result is one rule's outcome and why.
type Result struct {
	Rule         string   `json:"rule"`
	Description  string   `json:"description"`
	Requirements []string `json:"requirements,omitempty"`
	Action       string   `json:"action"`
	// Outcome is pass, warn or deny.
	Outcome string `json:"outcome"`
	// Values are what the rule's explain expression gave: the values that
	// made it pass or fail.
	Values any `json:"values,omitempty"`
}

// EvalError is a rule that could not be evaluated: the check fails closed.
type EvalError struct {
	Source string
	Line   int
	Rule   string
	Err    error
}

func (e *EvalError) Error() string {
	return fmt.Sprintf("%s:%d: rule %s could not be evaluated: %v (the check fails closed)", e.Source, e.Line, e.Rule, e.Err)
}

func (e *EvalError) Unwrap() error { return e.Err }

// Evaluate runs every rule of p over in. A rule that errors makes
// Evaluate return an *EvalError and no decision.
func (p *Policy) Evaluate(ctx context.Context, in Input, now time.Time) (*Decision, error) {
	vars := activation(in)
	d := &Decision{Format: DecisionFormat, Policy: p.Name, Source: p.Source, Digest: p.Digest, Release: in.Release, Time: now, Allowed: true, Results: []Result{}}
	for _, r := range p.Rules {
		ok, err := r.holds(ctx, vars)
		if err != nil {
			return nil, &EvalError{Source: p.Source, Line: r.Line, Rule: r.ID, Err: err}
		}
		res := Result{Rule: r.ID, Description: r.Description, Requirements: r.Requirements, Action: r.Action, Outcome: Pass}
		if r.explain != nil {
			v, _, err := r.explain.ContextEval(ctx, vars)
			if err != nil {
				return nil, &EvalError{Source: p.Source, Line: r.Line, Rule: r.ID, Err: fmt.Errorf("explain: %w", err)}
			}
			res.Values = native(v)
		}
		switch {
		case ok:
			d.Passed++
		case r.Action == Deny:
			res.Outcome, d.Allowed = Deny, false
			d.Denied++
		default:
			res.Outcome = Warn
			d.Warned++
		}
		d.Results = append(d.Results, res)
	}
	return d, nil
}

func (r *Rule) holds(ctx context.Context, vars map[string]any) (bool, error) {
	v, _, err := r.condition.ContextEval(ctx, vars)
	if err != nil {
		return false, err
	}
	b, ok := v.Value().(bool)
	if !ok {
		return false, fmt.Errorf("the condition gave %v, not a bool", v)
	}
	return b, nil
}

// activation binds the input's parts to the variables rules read. Nil
// slices and maps become empty ones, so that rules never meet null.
func activation(in Input) map[string]any {
	for _, l := range []*[]string{&in.SBOM.Problems, &in.SBOM.Licenses, &in.SBOM.Bound, &in.Ledger.Missing, &in.Ledger.Stale} {
		if *l == nil {
			*l = []string{}
		}
	}
	if in.Scan.Findings == nil {
		in.Scan.Findings = []Finding{}
	}
	if in.Artifacts == nil {
		in.Artifacts = []Artifact{}
	}
	if in.Ledger.Requirements == nil {
		in.Ledger.Requirements = map[string]Requirement{}
	}
	if in.Ledger.Maturity == nil {
		in.Ledger.Maturity = map[string]int{}
	}
	return map[string]any{"release": in.Release, "sbom": in.SBOM, "scan": in.Scan, "artifacts": in.Artifacts, "ledger": in.Ledger}
}

// native turns a CEL value into plain JSON-able data for the decision.
func native(v ref.Val) any {
	data, err := json.Marshal(v.Value())
	if err != nil {
		return fmt.Sprint(v)
	}
	var out any
	if json.Unmarshal(data, &out) != nil {
		return fmt.Sprint(v)
	}
	return out
}
