package vex

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	ovex "github.com/openvex/go-vex/pkg/vex"

	"github.com/sdlkit/sdlkit/sbom/purl"
)

// Document is an OpenVEX document.
type Document = ovex.VEX

// NewDocument starts an empty OpenVEX 0.2 document by author (a person or
// organisation, ideally a URI or e-mail) in role (e.g. "supplier"), issued
// at now.
func NewDocument(author, role string, now time.Time) (*Document, error) {
	if strings.TrimSpace(author) == "" {
		return nil, errors.New("an OpenVEX document needs an author")
	}
	now = now.UTC().Truncate(time.Second)
	return &Document{
		Metadata: ovex.Metadata{
			Context: ovex.ContextLocator(), Author: author, AuthorRole: role,
			Version: 1, Timestamp: &now, Tooling: "sdlkit",
		},
		Statements: []ovex.Statement{},
	}, nil
}

// ReadOpenVEX reads an OpenVEX 0.2 document to extend it.
func ReadOpenVEX(data []byte, name string) (*Document, error) {
	var probe struct {
		Context string `json:"@context"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("read vex %q: %v", name, err)
	}
	if probe.Context != ovex.ContextLocator() {
		return nil, fmt.Errorf("read vex %q: @context %q: only an OpenVEX %s document can be extended", name, probe.Context, strings.TrimPrefix(ovex.ContextLocator(), ovex.Context+"/"))
	}
	doc, err := ovex.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("read vex %q: %w", name, err)
	}
	return doc, nil
}

// Add appends s to doc, stamped now when it has no timestamp: its products
// must be package URLs, and it must follow OpenVEX's rules (a not_affected
// statement has a justification or an impact statement, an affected one
// an action statement, and neither has the other's fields).
func Add(doc *Document, s ovex.Statement, now time.Time) error {
	if s.Vulnerability.Name == "" {
		return errors.New("a statement needs a vulnerability")
	}
	if len(s.Products) == 0 {
		return errors.New("a statement needs at least one product")
	}
	for _, p := range s.Products {
		if err := checkPURL(p.ID); err != nil {
			return err
		}
		for _, sc := range p.Subcomponents {
			if err := checkPURL(sc.ID); err != nil {
				return err
			}
		}
	}
	now = now.UTC().Truncate(time.Second)
	if s.Timestamp == nil {
		s.Timestamp = &now
	}
	if err := s.Validate(); err != nil {
		return err
	}
	doc.Statements = append(doc.Statements, s)
	return nil
}

// Touch records that an existing document changed at now: its version goes
// up and its last_updated is now, as OpenVEX asks of an edited document.
func Touch(doc *Document, now time.Time) {
	now = now.UTC().Truncate(time.Second)
	doc.Version++
	doc.LastUpdated = &now
}

func checkPURL(p string) error {
	if _, err := purl.Parse(p); err != nil || !strings.HasPrefix(p, "pkg:") {
		return fmt.Errorf("product %q is not a package URL (pkg:TYPE/NAMESPACE/NAME@VERSION)", p)
	}
	return nil
}

// WriteOpenVEX writes doc as JSON, with a canonical id (a hash of its
// statements) when it has none yet; an edited document keeps its id, as
// OpenVEX asks, and says it changed by its version.
func WriteOpenVEX(w io.Writer, doc *Document) error {
	if doc.ID == "" {
		if _, err := doc.GenerateCanonicalID(); err != nil {
			return err
		}
	}
	return doc.ToJSON(w)
}
