package csaf

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/sdlkit/sdlkit/internal/jsonschema"
	"github.com/sdlkit/sdlkit/vulnmgmt/csaf/schema"
)

// Finding is one way a document breaks the standard.
type Finding struct {
	// Test is the number of the mandatory test (section 6.1) that fails,
	// "6.1.8" for a CVSS object that breaks its schema, or "schema" for
	// the rest of the JSON schema.
	Test string `json:"test"`
	// Path is a JSON Pointer to the offending value.
	Path    string `json:"path"`
	Message string `json:"message"`
}

func (f Finding) String() string {
	p := f.Path
	if p == "" {
		p = "/"
	}
	return fmt.Sprintf("%s: %s: %s", f.Test, p, f.Message)
}

// Report is the result of validating one document.
type Report struct {
	File     string    `json:"file"`
	Valid    bool      `json:"valid"`
	Findings []Finding `json:"findings"`
}

// Tests fails the findings' test numbers, each once, sorted.
func (r *Report) Tests() []string {
	var ts []string
	for _, f := range r.Findings {
		ts = append(ts, f.Test)
	}
	slices.SortFunc(ts, compareTests)
	return slices.Compact(ts)
}

// compareTests orders test numbers numerically: 6.1.9 before 6.1.10.
func compareTests(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		if c := compareNumbers(pa[i], pb[i]); c != 0 {
			return c
		}
	}
	return len(pa) - len(pb)
}

func compareNumbers(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}

// documentSchema compiles the CSAF schema on first use: most sdlkit runs
// never validate a CSAF document.
var documentSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	return compile(schema.Document)
})

var providerSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	return compile(schema.Provider)
})

func compile(root string) (*jsonschema.Schema, error) {
	fsys, err := schema.FS()
	if err != nil {
		return nil, err
	}
	return jsonschema.Compile(fsys, schema.BaseURL, root)
}

// Validate checks a CSAF 2.0 document against the JSON schema and the
// mandatory tests of section 6.1 (those listed in Mandatory). A document
// that is not JSON, or not CSAF, is an error; a CSAF document that breaks a
// rule is a report with findings.
func Validate(data []byte, name string) (*Report, error) {
	a, err := Parse(data, name)
	if err != nil {
		var e *Error
		if !errors.As(err, &e) || e.Pointer == "" || strings.HasPrefix(e.Pointer, "/document/csaf_version") {
			return nil, err
		}
		a = nil // the schema says more than the decoder
	}
	var generic any
	if err := json.Unmarshal(data, &generic); err != nil {
		return nil, &Error{File: name, Err: err}
	}
	r := &Report{File: name}
	s, err := documentSchema()
	if err != nil {
		return nil, err
	}
	fs, err := s.Validate(generic)
	if err != nil {
		return nil, err
	}
	for _, f := range fs {
		test := "schema"
		if isCVSSPath(f.Path) {
			test = "6.1.8"
		}
		r.Findings = append(r.Findings, Finding{Test: test, Path: f.Path, Message: f.Message})
	}
	if a != nil {
		r.Findings = append(r.Findings, Mandatory(a)...)
	}
	r.Valid = len(r.Findings) == 0
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
	return r, nil
}

// isCVSSPath tells whether a pointer is inside a CVSS object of a score.
func isCVSSPath(p string) bool {
	parts := strings.Split(p, "/")
	return len(parts) >= 6 && parts[1] == "vulnerabilities" && parts[3] == "scores" && strings.HasPrefix(parts[5], "cvss_v")
}

// Err is nil for a valid document, else an error naming the first
// finding's place and test.
func (r *Report) Err() error {
	if r.Valid {
		return nil
	}
	f := r.Findings[0]
	return &Error{File: r.File, Pointer: f.Path, Err: fmt.Errorf("%w (%s, %d findings): %s", ErrInvalid, f.Test, len(r.Findings), f.Message)}
}

// ErrInvalid is wrapped by Report.Err.
var ErrInvalid = errors.New("invalid CSAF 2.0")

// ParseValid reads a document that must pass Validate.
func ParseValid(data []byte, name string) (*Advisory, error) {
	r, err := Validate(data, name)
	if err != nil {
		return nil, err
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	return Parse(data, name)
}

// ValidateAdvisory checks a document held in memory, as Validate does.
func ValidateAdvisory(a *Advisory, name string) (*Report, error) {
	data, err := Marshal(a)
	if err != nil {
		return nil, err
	}
	return Validate(data, name)
}
