// Package policies is sdlkit's release gate: policy files of rules, each a
// CEL expression (the expression language of Kubernetes admission
// policies, cel.dev/cel-go) over one documented input, the facts of a
// release (see Input), that must hold for the release to pass.
//
// A policy is type-checked when it is loaded: a rule that does not
// compile, or names a field the input does not have, is an error with the
// file, line and column. A rule that fails at evaluation fails the check
// (fail closed): a release never passes because a rule could not be
// evaluated. Built-in policies ship embedded (Builtin, Names).
package policies

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/ext"
	yaml "gopkg.in/yaml.v3"
)

// Format is the policy file format this version reads.
const Format = "sdlkit.policy/v1"

// MaxPolicySize bounds a policy file.
const MaxPolicySize = 1 << 20

// Actions a rule takes when its condition does not hold.
const (
	Deny = "deny"
	Warn = "warn"
)

// ErrInvalidPolicy marks a policy file that does not load.
var ErrInvalidPolicy = errors.New("invalid policy")

// Policy is a loaded, type-checked policy.
type Policy struct {
	Name        string
	Description string
	// Source names the file (or "builtin:NAME").
	Source string
	// Digest is the SHA-256 of the file, recorded with every decision.
	Digest string
	Rules  []*Rule
}

// Rule is one rule of a policy.
type Rule struct {
	ID           string
	Description  string
	Requirements []string
	Action       string
	// Condition must hold for the release to pass the rule.
	Condition string
	// Explain, when set, is evaluated for the values that made the rule
	// pass or fail (the offending findings, the missing requirements).
	Explain string
	// Line is the rule's line in the file.
	Line      int
	condition cel.Program
	explain   cel.Program
}

// file is the YAML form of a policy.
type file struct {
	Format      string     `yaml:"format"`
	Name        string     `yaml:"name"`
	Description string     `yaml:"description"`
	Rules       []fileRule `yaml:"rules"`
}

type fileRule struct {
	ID           string    `yaml:"id"`
	Description  string    `yaml:"description"`
	Requirements []string  `yaml:"requirements"`
	Action       string    `yaml:"action"`
	Condition    yaml.Node `yaml:"condition"`
	Explain      yaml.Node `yaml:"explain"`
}

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// Limits on evaluation, so that a policy cannot hang or exhaust a check.
const (
	costLimit      = 10_000_000
	maxRules       = 256
	maxExpression  = 16 << 10
	interruptEvery = 100
)

// env is the CEL environment every rule compiles in: the input's
// variables, typed from the Go types, with the strings and lists
// extensions.
func env() (*cel.Env, error) {
	return cel.NewEnv(
		ext.NativeTypes(types.ParseStructTag("json"), reflect.TypeFor[Input]()),
		cel.Variable("release", cel.ObjectType("policies.Release")),
		cel.Variable("sbom", cel.ObjectType("policies.SBOM")),
		cel.Variable("scan", cel.ObjectType("policies.Scan")),
		cel.Variable("artifacts", cel.ListType(cel.ObjectType("policies.Artifact"))),
		cel.Variable("ledger", cel.ObjectType("policies.Ledger")),
		ext.Strings(),
		ext.Lists(),
		ext.Sets(),
	)
}

// Parse loads a policy file: YAML with format, name, description and
// rules. source names it in messages ("policies/release.yaml").
func Parse(data []byte, source string) (*Policy, error) {
	if len(data) > MaxPolicySize {
		return nil, fmt.Errorf("%s: %w: larger than %d bytes", source, ErrInvalidPolicy, MaxPolicySize)
	}
	var f file
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%s: %w: %v", source, ErrInvalidPolicy, oneLine(err.Error()))
	}
	if f.Format != Format {
		return nil, fmt.Errorf("%s: %w: format %q, want %q", source, ErrInvalidPolicy, f.Format, Format)
	}
	if f.Name == "" || len(f.Rules) == 0 || len(f.Rules) > maxRules {
		return nil, fmt.Errorf("%s: %w: a policy needs a name and 1 to %d rules", source, ErrInvalidPolicy, maxRules)
	}
	e, err := env()
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	p := &Policy{Name: f.Name, Description: f.Description, Source: source, Digest: "sha256:" + hex.EncodeToString(sum[:])}
	seen := map[string]bool{}
	lines := strings.Split(string(data), "\n")
	for _, fr := range f.Rules {
		r, err := compileRule(e, fr, source, lines)
		if err != nil {
			return nil, err
		}
		if seen[r.ID] {
			return nil, fmt.Errorf("%s:%d: %w: rule %q defined twice", source, r.Line, ErrInvalidPolicy, r.ID)
		}
		seen[r.ID] = true
		p.Rules = append(p.Rules, r)
	}
	return p, nil
}

func compileRule(e *cel.Env, fr fileRule, source string, lines []string) (*Rule, error) {
	r := &Rule{ID: fr.ID, Description: fr.Description, Requirements: fr.Requirements, Action: fr.Action,
		Condition: fr.Condition.Value, Explain: fr.Explain.Value, Line: fr.Condition.Line}
	at := fmt.Sprintf("%s:%d", source, fr.Condition.Line)
	switch {
	case !idPattern.MatchString(r.ID):
		return nil, fmt.Errorf("%s: %w: rule id %q: want lowercase letters, digits and dashes", at, ErrInvalidPolicy, r.ID)
	case r.Action != Deny && r.Action != Warn:
		return nil, fmt.Errorf("%s: %w: rule %s: action %q, want deny or warn", at, ErrInvalidPolicy, r.ID, r.Action)
	case fr.Condition.Kind != yaml.ScalarNode || strings.TrimSpace(r.Condition) == "":
		return nil, fmt.Errorf("%s: %w: rule %s: no condition", at, ErrInvalidPolicy, r.ID)
	}
	var err error
	if r.condition, err = compile(e, fr.Condition, cel.BoolType, source, lines); err != nil {
		return nil, err
	}
	if fr.Explain.Kind == yaml.ScalarNode && strings.TrimSpace(r.Explain) != "" {
		if r.explain, err = compile(e, fr.Explain, nil, source, lines); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// compile type-checks one expression; want, when set, is the type it must
// have. Errors name the file, line and column of the first issue.
func compile(e *cel.Env, n yaml.Node, want *cel.Type, source string, lines []string) (cel.Program, error) {
	if len(n.Value) > maxExpression {
		return nil, fmt.Errorf("%s:%d:%d: %w: expression longer than %d bytes", source, n.Line, n.Column, ErrInvalidPolicy, maxExpression)
	}
	ast, iss := e.Compile(n.Value)
	if iss != nil && iss.Err() != nil {
		first := iss.Errors()[0]
		line, col := position(n, lines, first.Location.Line(), first.Location.Column())
		return nil, fmt.Errorf("%s:%d:%d: %w: %s", source, line, col, ErrInvalidPolicy, oneLine(first.Message))
	}
	if want != nil && !ast.OutputType().IsExactType(want) {
		return nil, fmt.Errorf("%s:%d:%d: %w: the condition is a %s, want a bool", source, n.Line, n.Column, ErrInvalidPolicy, ast.OutputType())
	}
	prg, err := e.Program(ast, cel.CostLimit(costLimit), cel.InterruptCheckFrequency(interruptEvery))
	if err != nil {
		return nil, fmt.Errorf("%s:%d:%d: %w: %v", source, n.Line, n.Column, ErrInvalidPolicy, err)
	}
	return prg, nil
}

// position maps a CEL location (1-based line, 0-based column within the
// expression) to the file: a plain or quoted scalar starts at the node; a
// block scalar (| or >) on the line after it, at the indentation of its
// first line.
func position(n yaml.Node, lines []string, line, col int) (int, int) {
	if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		indent := 0
		if n.Line < len(lines) {
			first := lines[n.Line] // the line after the indicator (lines is 0-based)
			indent = len(first) - len(strings.TrimLeft(first, " "))
		}
		return n.Line + line, indent + col + 1
	}
	if line <= 1 {
		offset := 0
		if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
			offset = 1
		}
		return n.Line, n.Column + col + offset
	}
	return n.Line + line - 1, col + 1
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
