package ledger

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"sigs.k8s.io/yaml"

	"github.com/sdlkit/sdlkit/practices"
)

// Formats of the ledger's own files.
const (
	InfoFormat  = "sdlkit.ledger/v1"
	ScopeFormat = "sdlkit.scope/v1"
)

// Paths of the ledger's own files.
const (
	infoPath  = "ledger.json"
	scopePath = "scope.json"
)

// Info is the ledger's ledger.json, written once by Init.
type Info struct {
	Format  string    `json:"format"`
	Product string    `json:"product,omitempty"`
	Created time.Time `json:"created"`
}

// Scope is the SM-5 record of which requirements apply to the product:
// every requirement of the catalog except those listed out of scope, each
// with the rationale for leaving it out.
type Scope struct {
	Format     string      `json:"format"`
	OutOfScope []Exclusion `json:"out_of_scope,omitempty"`
}

// Exclusion is one requirement that does not apply, and why.
type Exclusion struct {
	Requirement string `json:"requirement"`
	Rationale   string `json:"rationale"`
}

// MaxScopeSize bounds a scope file.
const MaxScopeSize = 1 << 20

// ErrInvalidScope marks a scope file that breaks the format.
var ErrInvalidScope = errors.New("invalid scope")

// ParseScope reads a scope file (YAML or JSON) named name and checks it
// against catalog c.
func ParseScope(data []byte, c *practices.Catalog) (*Scope, error) {
	if len(data) > MaxScopeSize {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrInvalidScope, MaxScopeSize)
	}
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("%w: not UTF-8", ErrInvalidScope)
	}
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidScope, err)
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	var s Scope
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidScope, err)
	}
	if err := s.check(c); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidScope, err)
	}
	return &s, nil
}

func (s *Scope) check(c *practices.Catalog) error {
	if s.Format != ScopeFormat {
		return fmt.Errorf("format %q, want %q", s.Format, ScopeFormat)
	}
	seen := map[string]bool{}
	for _, e := range s.OutOfScope {
		if _, err := c.Requirement(e.Requirement); err != nil {
			return fmt.Errorf("requirement %q is not in the catalog", e.Requirement)
		}
		if seen[e.Requirement] {
			return fmt.Errorf("requirement %s listed twice", e.Requirement)
		}
		seen[e.Requirement] = true
		if strings.TrimSpace(e.Rationale) == "" {
			return fmt.Errorf("requirement %s is out of scope without a rationale", e.Requirement)
		}
		if len(e.Rationale) > maxSummary {
			return fmt.Errorf("requirement %s: rationale longer than %d bytes", e.Requirement, maxSummary)
		}
	}
	return nil
}

// InScope returns the IDs of the catalog's requirements that apply, in
// catalog order.
func (s *Scope) InScope(c *practices.Catalog) []string {
	var ids []string
	for _, r := range c.Requirements {
		if _, out := s.Rationale(r.ID); !out {
			ids = append(ids, r.ID)
		}
	}
	return ids
}

// Rationale returns why requirement id is out of scope, and whether it is.
func (s *Scope) Rationale(id string) (string, bool) {
	i := slices.IndexFunc(s.OutOfScope, func(e Exclusion) bool { return e.Requirement == id })
	if i < 0 {
		return "", false
	}
	return s.OutOfScope[i].Rationale, true
}
