// Package practices is the catalog of IEC 62443-4-1: its eight practices, 47
// requirements, the kinds of evidence that satisfy each, and the maturity
// levels sdlkit estimates from recorded evidence.
//
// The catalog is data, not code: catalog.yaml is embedded and checked at load
// against schema/catalog.schema.json, and a supplier extends it with its own
// practices, requirements and evidence kinds through a file of the same
// format, without rebuilding. Titles and IDs follow the standard; every
// summary is sdlkit's own paraphrase, never the standard's text.
//
// The package does not record evidence; the ledger (practices/ledger) does,
// and passes what it holds to Assess.
package practices

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	yamlv3 "gopkg.in/yaml.v3"
	"sigs.k8s.io/yaml"

	"github.com/sdlkit/sdlkit/internal/readlimit"
)

//go:embed catalog.yaml
var builtinCatalog []byte

// Format is the catalog format this version of sdlkit reads.
const Format = "sdlkit.catalog/v1"

// Catalog is the set of practices and requirements that evidence is recorded
// against.
type Catalog struct {
	Format         string          `json:"format"`
	Standard       string          `json:"standard,omitempty"`
	EvidenceKinds  []EvidenceKind  `json:"evidence_kinds,omitempty"`
	Practices      []Practice      `json:"practices,omitempty"`
	Requirements   []Requirement   `json:"requirements,omitempty"`
	MaturityLevels []MaturityLevel `json:"maturity_levels,omitempty"`
}

// EvidenceKind is a kind of record that can satisfy a requirement.
type EvidenceKind struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Automatic is true when sdlkit produces this evidence itself.
	Automatic bool `json:"automatic"`
	// Producer is the sdlkit command that produces it, if any.
	Producer string `json:"producer,omitempty"`
}

// Practice is one of the standard's practices (SM, SR, …) or a supplier's own.
type Practice struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Clause  string `json:"clause,omitempty"`
	Summary string `json:"summary"`
}

// Automation says how much of a requirement's evidence sdlkit can produce.
type Automation string

// Automation levels.
const (
	AutomationFull    Automation = "full"
	AutomationPartial Automation = "partial"
	AutomationManual  Automation = "manual"
)

// Requirement is one requirement, e.g. SVV-3.
type Requirement struct {
	ID       string `json:"id"`
	Practice string `json:"practice"`
	Clause   string `json:"clause,omitempty"`
	Title    string `json:"title"`
	Summary  string `json:"summary"`
	// Evidence lists the evidence kinds that can satisfy the requirement.
	Evidence       []string   `json:"evidence"`
	Automation     Automation `json:"automation"`
	AutomationNote string     `json:"automation_note,omitempty"`
}

// Builtin returns the embedded IEC 62443-4-1 catalog. Its schema check
// runs in the package's tests, not on every call: compiling the schema
// costs a few milliseconds that every command reading the catalog would pay.
func Builtin() (*Catalog, error) {
	c, err := parse(builtinCatalog, "builtin catalog", false)
	if err != nil {
		return nil, err
	}
	if err := c.check(); err != nil {
		return nil, fmt.Errorf("load builtin catalog: %w", err)
	}
	return c, nil
}

// MaxCatalogSize bounds a catalog file: the built-in catalog of 47
// requirements is about 40 KB.
const MaxCatalogSize = 4 << 20

// Load returns the built-in catalog extended with each file in extensions.
func Load(extensions ...string) (*Catalog, error) {
	return LoadContext(context.Background(), extensions...)
}

// LoadContext is Load whose reading of a file stops when ctx is cancelled
// (a read from a pipe). Each file is read whole, at most MaxCatalogSize
// bytes, and must hold one YAML or JSON document.
func LoadContext(ctx context.Context, extensions ...string) (*Catalog, error) {
	c, err := Builtin()
	if err != nil {
		return nil, err
	}
	kind := readlimit.Kind{Name: "catalog", Limit: MaxCatalogSize}
	for _, path := range extensions {
		data, err := readlimit.ReadFile(ctx, path, kind)
		if err != nil {
			return nil, err
		}
		ext, err := parse(data, path, true)
		if err != nil {
			return nil, err
		}
		if err := c.extend(ext); err != nil {
			return nil, fmt.Errorf("load catalog %q: %w", path, err)
		}
	}
	return c, nil
}

// Parse reads a whole catalog (not an extension): one the ledger exported
// with its evidence, so that an assessor checks records against the
// catalog that was in force. It must pass the same checks as the built-in
// one, and at most MaxCatalogSize bytes are read.
func Parse(data []byte, name string) (*Catalog, error) {
	if len(data) > MaxCatalogSize {
		return nil, fmt.Errorf("load catalog %q: %w: larger than %d bytes", name, ErrInvalidCatalog, MaxCatalogSize)
	}
	c, err := parse(data, name, true)
	if err != nil {
		return nil, err
	}
	if err := c.check(); err != nil {
		return nil, fmt.Errorf("load catalog %q: %w", name, err)
	}
	return c, nil
}

// ErrInvalidCatalog marks a catalog file that does not follow the format.
var ErrInvalidCatalog = errors.New("invalid catalog")

// parse reads a YAML or JSON catalog document and, with checkSchema,
// checks it against the schema.
func parse(data []byte, name string, checkSchema bool) (*Catalog, error) {
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("load catalog %q: %w: not valid UTF-8", name, ErrInvalidCatalog)
	}
	if err := oneDocument(data); err != nil {
		return nil, fmt.Errorf("load catalog %q: %w: %v", name, ErrInvalidCatalog, err)
	}
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		return nil, fmt.Errorf("load catalog %q: %w: %v", name, ErrInvalidCatalog, err)
	}
	var doc any
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("load catalog %q: %w: %v", name, ErrInvalidCatalog, err)
	}
	if _, ok := doc.(map[string]any); !ok {
		return nil, fmt.Errorf("load catalog %q: %w: not a mapping of format, practices, requirements", name, ErrInvalidCatalog)
	}
	if checkSchema {
		if err := checkAgainstSchema(doc, name); err != nil {
			return nil, err
		}
	}
	var c Catalog
	strict := json.NewDecoder(bytes.NewReader(js))
	strict.DisallowUnknownFields()
	if err := strict.Decode(&c); err != nil {
		return nil, fmt.Errorf("load catalog %q: %w: %v", name, ErrInvalidCatalog, err)
	}
	return &c, nil
}

// checkAgainstSchema reports the first way doc breaks the catalog schema.
func checkAgainstSchema(doc any, name string) error {
	schema, err := catalogSchema()
	if err != nil {
		return err
	}
	findings, err := schema.Validate(doc)
	if err != nil {
		return fmt.Errorf("load catalog %q: %w", name, err)
	}
	if len(findings) > 0 {
		more := ""
		if len(findings) > 1 {
			more = " (and " + strconv.Itoa(len(findings)-1) + " more)"
		}
		return fmt.Errorf("load catalog %q: %w: %s%s", name, ErrInvalidCatalog, describe(doc, findings[0]), more)
	}
	return nil
}

// oneDocument refuses a YAML stream of more than one document ("---"): the
// YAML to JSON conversion reads the first and would silently drop the rest.
func oneDocument(data []byte) error {
	dec := yamlv3.NewDecoder(bytes.NewReader(data))
	var first, second yamlv3.Node
	if err := dec.Decode(&first); err != nil {
		// Empty input and syntax errors are reported by the conversion,
		// with the line of the error.
		return nil
	}
	switch err := dec.Decode(&second); {
	case errors.Is(err, io.EOF):
		return nil
	case err != nil:
		return fmt.Errorf("yaml: after the first document: %v", err)
	}
	return fmt.Errorf("a second YAML document at line %d: a catalog file holds one", second.Line)
}

// extend adds ext's evidence kinds, practices and requirements to c. An
// extension may not redefine what c has, nor define maturity levels.
func (c *Catalog) extend(ext *Catalog) error {
	if len(ext.MaturityLevels) > 0 {
		return fmt.Errorf("%w: maturity_levels cannot be redefined by an extension", ErrInvalidCatalog)
	}
	c.EvidenceKinds = append(c.EvidenceKinds, ext.EvidenceKinds...)
	c.Practices = append(c.Practices, ext.Practices...)
	c.Requirements = append(c.Requirements, ext.Requirements...)
	return c.check()
}

// check enforces what the schema cannot: unique IDs, references that
// resolve, and requirement IDs named after their practice.
func (c *Catalog) check() error {
	kinds := map[string]bool{}
	for _, k := range c.EvidenceKinds {
		if kinds[k.ID] {
			return fmt.Errorf("%w: evidence kind %q defined twice", ErrInvalidCatalog, k.ID)
		}
		kinds[k.ID] = true
	}
	practices := map[string]bool{}
	for _, p := range c.Practices {
		if practices[p.ID] {
			return fmt.Errorf("%w: practice %q defined twice", ErrInvalidCatalog, p.ID)
		}
		practices[p.ID] = true
	}
	reqs := map[string]bool{}
	for _, r := range c.Requirements {
		if reqs[r.ID] {
			return fmt.Errorf("%w: requirement %q defined twice", ErrInvalidCatalog, r.ID)
		}
		reqs[r.ID] = true
		if !practices[r.Practice] {
			return fmt.Errorf("%w: requirement %q: unknown practice %q", ErrInvalidCatalog, r.ID, r.Practice)
		}
		if !strings.HasPrefix(r.ID, r.Practice+"-") {
			return fmt.Errorf("%w: requirement %q: ID must start with its practice %q", ErrInvalidCatalog, r.ID, r.Practice+"-")
		}
		automatic := false
		for _, e := range r.Evidence {
			if !kinds[e] {
				return fmt.Errorf("%w: requirement %q: unknown evidence kind %q", ErrInvalidCatalog, r.ID, e)
			}
			k, _ := c.EvidenceKind(e)
			automatic = automatic || k.Automatic
		}
		if r.Automation == AutomationFull && !automatic {
			return fmt.Errorf("%w: requirement %q: automation is full but no evidence kind it accepts is automatic", ErrInvalidCatalog, r.ID)
		}
	}
	return checkLevels(c.MaturityLevels, kinds)
}

// ErrUnknownRequirement is returned for an ID the catalog does not have.
var ErrUnknownRequirement = errors.New("unknown requirement")

// ErrUnknownPractice is returned for a practice the catalog does not have.
var ErrUnknownPractice = errors.New("unknown practice")

// Requirement returns the requirement with the given ID (case-insensitive).
func (c *Catalog) Requirement(id string) (Requirement, error) {
	for _, r := range c.Requirements {
		if strings.EqualFold(r.ID, id) {
			return r, nil
		}
	}
	return Requirement{}, fmt.Errorf("%w %q", ErrUnknownRequirement, id)
}

// Practice returns the practice with the given ID (case-insensitive).
func (c *Catalog) Practice(id string) (Practice, error) {
	for _, p := range c.Practices {
		if strings.EqualFold(p.ID, id) {
			return p, nil
		}
	}
	return Practice{}, fmt.Errorf("%w %q", ErrUnknownPractice, id)
}

// RequirementsOf returns the requirements of one practice, in catalog order;
// with an empty practice, all of them.
func (c *Catalog) RequirementsOf(practice string) ([]Requirement, error) {
	if practice == "" {
		return slices.Clone(c.Requirements), nil
	}
	p, err := c.Practice(practice)
	if err != nil {
		return nil, err
	}
	var out []Requirement
	for _, r := range c.Requirements {
		if r.Practice == p.ID {
			out = append(out, r)
		}
	}
	return out, nil
}

// EvidenceKind returns the evidence kind with the given ID.
func (c *Catalog) EvidenceKind(id string) (EvidenceKind, bool) {
	for _, k := range c.EvidenceKinds {
		if k.ID == id {
			return k, true
		}
	}
	return EvidenceKind{}, false
}

// AutomaticEvidence returns the evidence kinds of r that sdlkit produces
// itself, in r's order.
func (c *Catalog) AutomaticEvidence(r Requirement) []string {
	var out []string
	for _, id := range r.Evidence {
		if k, ok := c.EvidenceKind(id); ok && k.Automatic {
			out = append(out, id)
		}
	}
	return out
}
