// Package vex reads the statements a supplier makes about whether a
// vulnerability affects a product — OpenVEX, CycloneDX VEX (standalone, or
// the vulnerabilities of a BOM) and CSAF 2.0 (the csaf_vex profile, and the
// product_status and flags of any CSAF document) — into one model, OpenVEX's
// statements as github.com/openvex/go-vex types them, and decides which
// statement applies to a finding. It writes OpenVEX documents with go-vex.
//
// Products are named by package URL; a statement for a purl without version
// covers every version. A CycloneDX statement's bom-refs are resolved to the
// purls of the BOM's components; a CSAF statement's product ids to the purls
// of its product tree's identification helpers.
//
// CSAF is read by hand: go-vex's CSAF model fails on real documents
// (product_identification_helper.hashes is a list, go-vex expects a map of
// strings), leaves out full_product_names and product_groups, and drops the
// flags that carry the justification; gocsaf/csaf's model package links a JSON
// schema compiler whose initialisation would cost every sdlkit call about
// 10 ms. The part of CSAF that VEX needs is small: the product tree, the
// vulnerabilities' ids, product_status, flags and threats.
package vex

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	ovex "github.com/openvex/go-vex/pkg/vex"
)

// Statuses, as OpenVEX names them.
const (
	NotAffected        = ovex.StatusNotAffected
	Affected           = ovex.StatusAffected
	Fixed              = ovex.StatusFixed
	UnderInvestigation = ovex.StatusUnderInvestigation
)

// MaxDocumentSize is the largest VEX document read (64 MiB).
const MaxDocumentSize = 64 << 20

// ErrUnknownFormat is returned for a document that is neither OpenVEX,
// CycloneDX nor CSAF.
var ErrUnknownFormat = errors.New("not an OpenVEX, CycloneDX or CSAF document")

// Statement is one VEX statement with where it came from.
type Statement struct {
	ovex.Statement
	// Source names the document and the statement in it, for people:
	// "triage.vex.json#3", or the CSAF vulnerability index.
	Source string `json:"source"`
	// Format is "openvex", "cyclonedx" or "csaf".
	Format string `json:"format"`
}

// MarshalJSON writes the OpenVEX statement with Source and Format beside
// its fields; without it, the embedded statement's own MarshalJSON would
// be promoted and drop them.
func (s *Statement) MarshalJSON() ([]byte, error) {
	inner, err := json.Marshal(&s.Statement)
	if err != nil {
		return nil, err
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(inner, &fields); err != nil {
		return nil, err
	}
	for k, v := range map[string]string{"source": s.Source, "format": s.Format} {
		raw, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		fields[k] = raw
	}
	return json.Marshal(fields)
}

// Suppresses reports whether the statement makes a finding no longer
// count: not_affected (with a justification or impact statement) and fixed.
func (s *Statement) Suppresses() bool {
	return s.Status == NotAffected || s.Status == Fixed
}

// Read reads the statements of one VEX document of any supported format.
// name is used in errors and in each statement's Source.
func Read(r io.Reader, name string) ([]Statement, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxDocumentSize+1))
	if err != nil {
		return nil, fmt.Errorf("read vex %q: %w", name, err)
	}
	if len(data) > MaxDocumentSize {
		return nil, fmt.Errorf("read vex %q: larger than the %d MiB limit for a VEX document", name, MaxDocumentSize>>20)
	}
	return Parse(data, name)
}

// Parse reads the statements of a VEX document held in data.
func Parse(data []byte, name string) ([]Statement, error) {
	var probe struct {
		Context   string          `json:"@context"`
		BOMFormat string          `json:"bomFormat"`
		Document  json.RawMessage `json:"document"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&probe); err != nil {
		return nil, fmt.Errorf("read vex %q: %v", name, err)
	}
	var (
		stmts []Statement
		err   error
	)
	switch {
	case probe.Context != "":
		stmts, err = parseOpenVEX(data, probe.Context, name)
	case probe.BOMFormat == "CycloneDX":
		stmts, err = parseCycloneDX(data, name)
	case len(probe.Document) > 0:
		stmts, err = parseCSAF(data, name)
	default:
		err = ErrUnknownFormat
	}
	if err != nil {
		return nil, fmt.Errorf("read vex %q: %w", name, err)
	}
	return stmts, nil
}

// parseOpenVEX reads OpenVEX 0.2 and, through go-vex's compatibility
// reader, 0.0.1.
func parseOpenVEX(data []byte, context, name string) ([]Statement, error) {
	var doc *ovex.VEX
	var err error
	if context == ovex.ContextLocator() {
		doc, err = ovex.Parse(data)
	} else {
		doc, err = openLegacy(data)
	}
	if err != nil {
		return nil, err
	}
	out := make([]Statement, 0, len(doc.Statements))
	for i, s := range doc.Statements {
		if s.Timestamp == nil {
			s.Timestamp = doc.Timestamp
		}
		if err := s.Validate(); err != nil {
			return nil, fmt.Errorf("statement %d: %w", i, err)
		}
		out = append(out, Statement{Statement: s, Source: fmt.Sprintf("%s#/statements/%d", name, i), Format: "openvex"})
	}
	return out, nil
}

// openLegacy reads an older OpenVEX version: go-vex converts those only
// when it opens them from a file, so the document goes through a private
// temporary file.
func openLegacy(data []byte) (*ovex.VEX, error) {
	dir, err := os.MkdirTemp("", "sdlkit-vex-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "vex.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return nil, err
	}
	return ovex.Open(path)
}

// Decider applies statements to findings: the latest statement about a
// vulnerability and a package wins, as OpenVEX orders a document's history.
type Decider struct {
	statements []Statement
}

// NewDecider holds the statements of every document given, in order.
func NewDecider(docs ...[]Statement) *Decider {
	d := &Decider{}
	for _, doc := range docs {
		d.statements = append(d.statements, doc...)
	}
	slices.SortStableFunc(d.statements, func(a, b Statement) int {
		return timeOf(a).Compare(timeOf(b))
	})
	return d
}

func timeOf(s Statement) time.Time {
	if s.Timestamp == nil {
		return time.Time{}
	}
	return *s.Timestamp
}

// Len is the number of statements held.
func (d *Decider) Len() int { return len(d.statements) }

// Decide returns the statement that applies to the vulnerability known by
// any of ids in the package purl (of the product named product, "" when
// unknown), nil when none does. A statement applies when it names the
// vulnerability (by its name or an alias) and the package: as one of its
// products, or as a subcomponent of a product that is the scanned product
// (or of any product when product is "").
func (d *Decider) Decide(ids []string, purl, product string) *Statement {
	for i := len(d.statements) - 1; i >= 0; i-- {
		s := &d.statements[i]
		if namesVulnerability(s, ids) && namesPackage(s, purl, product) {
			return s
		}
	}
	return nil
}

func namesVulnerability(s *Statement, ids []string) bool {
	for _, id := range ids {
		if s.Vulnerability.Matches(id) {
			return true
		}
	}
	return false
}

func namesPackage(s *Statement, purl, product string) bool {
	for i := range s.Products {
		p := &s.Products[i]
		if p.Component.Matches(purl) {
			return true
		}
		if product != "" && !p.Component.Matches(product) {
			continue
		}
		for j := range p.Subcomponents {
			if p.Subcomponents[j].Matches(purl) {
				return true
			}
		}
	}
	return false
}
