package csaf

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	ovex "github.com/openvex/go-vex/pkg/vex"

	"github.com/sdlkit/sdlkit/vulnmgmt/scan"
	"github.com/sdlkit/sdlkit/vulnmgmt/vex"
)

// Categories Create writes.
const (
	CategoryVEX              = vexProfile
	CategorySecurityAdvisory = securityAdvisory
)

// ScanResult is a scan result and the file it came from.
type ScanResult struct {
	Result *scan.Result
	File   string
}

// Inputs are what a document is made from: the releases it covers, the
// VEX statements about them and the scans of them.
type Inputs struct {
	Releases []Release
	// Statements are the VEX documents' statements, each with its Source
	// ("file#/statements/3").
	Statements []vex.Statement
	Scans      []ScanResult
}

// Options are the document-level choices.
type Options struct {
	// ID is tracking.id; default: the product's name and versions.
	ID string
	// Category is csaf_vex (default) or csaf_security_advisory.
	Category  string
	Title     string
	Publisher Publisher
	// Status is draft, interim or final (default).
	Status string
	// TLP is the distribution's label (default WHITE: public).
	TLP  string
	Now  time.Time
	Tool Engine
}

// ErrOtherProduct is wrapped by the errors for a statement or a scan that
// is about none of the releases.
var ErrOtherProduct = errors.New("not about the releases given")

// Create writes a CSAF document about the releases: the product status of
// each vulnerability from the statements and findings (a finding no
// statement decides is under_investigation), with flags, impact threats,
// remediations, scores and notes. A statement or scan about another
// product or a version none of the releases has is an error naming its
// file and place.
func Create(in Inputs, o Options) (*Advisory, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	if len(in.Releases) == 0 {
		return nil, errors.New("create advisory: no release SBOM")
	}
	t, err := newTree(o.Publisher.Name, in.Releases)
	if err != nil {
		return nil, err
	}
	vs := newVulns(t)
	for _, s := range in.Scans {
		if err := vs.addScan(s); err != nil {
			return nil, err
		}
	}
	stmts := slices.Clone(in.Statements)
	slices.SortStableFunc(stmts, func(a, b vex.Statement) int { return timeOf(a).Compare(timeOf(b)) })
	for _, s := range stmts {
		if err := vs.addStatement(s); err != nil {
			return nil, err
		}
	}
	a := &Advisory{Document: o.document(t), ProductTree: t.productTree(), Vulnerabilities: vs.render(o.Category)}
	return a, nil
}

func timeOf(s vex.Statement) time.Time {
	if s.Timestamp == nil {
		return time.Time{}
	}
	return *s.Timestamp
}

func (o *Options) check() error {
	switch o.Category {
	case "":
		o.Category = CategoryVEX
	case CategoryVEX, CategorySecurityAdvisory:
	default:
		return fmt.Errorf("create advisory: category %q: use %s or %s", o.Category, CategoryVEX, CategorySecurityAdvisory)
	}
	switch o.Status {
	case "":
		o.Status = "final"
	case "draft", "interim", "final":
	default:
		return fmt.Errorf("create advisory: status %q: use draft, interim or final", o.Status)
	}
	if o.TLP == "" {
		o.TLP = "WHITE"
	}
	if !slices.Contains([]string{"WHITE", "GREEN", "AMBER", "RED"}, o.TLP) {
		return fmt.Errorf("create advisory: TLP label %q: use WHITE, GREEN, AMBER or RED", o.TLP)
	}
	return o.Publisher.Check()
}

// Check tells whether a publisher has what CSAF requires: a name, a
// namespace URL and a category.
func (p Publisher) Check() error {
	switch {
	case p.Name == "":
		return errors.New("publisher: no name")
	case !strings.HasPrefix(p.Namespace, "https://") && !strings.HasPrefix(p.Namespace, "http://"):
		return fmt.Errorf("publisher: namespace %q is not a URL (https://…)", p.Namespace)
	case !slices.Contains([]string{"coordinator", "discoverer", "other", "translator", "user", "vendor"}, p.Category):
		return fmt.Errorf("publisher: category %q: use vendor, coordinator, discoverer, translator, user or other", p.Category)
	}
	return nil
}

func (o *Options) document(t *tree) Document {
	now := o.Now.UTC().Format(time.RFC3339)
	var names []string
	for _, r := range t.releases {
		names = append(names, r.BOM.Product.Name+" "+r.BOM.Product.Version)
	}
	products := strings.Join(names, ", ")
	id := o.ID
	if id == "" {
		id = strings.Join(names, "_")
	}
	title := o.Title
	if title == "" {
		kind := "Vulnerability status (VEX)"
		if o.Category == CategorySecurityAdvisory {
			kind = "Security advisory"
		}
		title = kind + " for " + products
	}
	tool := o.Tool
	if tool.Name == "" {
		tool.Name = "sdlkit"
	}
	return Document{
		Category: o.Category, CSAFVersion: "2.0", Lang: "en", Title: title, Publisher: o.Publisher,
		Distribution: &Distribution{TLP: &TLP{Label: o.TLP, URL: "https://www.first.org/tlp/"}},
		Notes:        []Note{{Category: "summary", Title: "Summary", Text: fmt.Sprintf("The status of the vulnerabilities known in %s, from the supplier's analysis.", products)}},
		Tracking: Tracking{
			ID: id, Status: o.Status, Version: "1", InitialReleaseDate: now, CurrentReleaseDate: now,
			RevisionHistory: []Revision{{Date: now, Number: "1", Summary: "Initial version."}},
			Generator:       &Generator{Date: now, Engine: tool},
		},
	}
}

// statuses maps VEX statuses to CSAF product status groups.
var statuses = map[ovex.Status]string{
	vex.NotAffected: "known_not_affected", vex.Affected: "known_affected",
	vex.Fixed: "fixed", vex.UnderInvestigation: "under_investigation",
}

// sourcePointer is the place a statement came from, as a JSON Pointer.
func sourcePointer(s vex.Statement) (file, pointer string) {
	file, pointer, _ = strings.Cut(s.Source, "#")
	return file, pointer
}
