// Package validate recognises an SBOM document's format, checks it against
// the official schema of its spec version and then against the semantic
// rules a schema cannot express. It is the library behind 'sdlkit sbom validate'.
//
// How each format is checked, and why:
//   - CycloneDX JSON 1.4–1.7: the official JSON schemas, embedded from
//     CycloneDX/specification (see sbom/internal/schemas), run by
//     internal/jsonschema with format assertions on and every $ref
//     resolved from the embedded files (no network), then the rules below.
//   - CycloneDX XML 1.4–1.7: Go has no XSD validator, so the document is
//     decoded with cyclonedx-go, re-encoded as JSON without any version
//     conversion and checked like a JSON document. This catches wrong
//     values, missing required fields and broken references, but not XML
//     elements cyclonedx-go does not know (encoding/xml ignores them) nor
//     XSD-only constraints on attributes; the report says "via-json".
//   - SPDX 2.x JSON and tag-value: decoded with spdx/tools-golang, then the
//     fields SPDX 2.3 requires and the same semantic rules. The official SPDX
//     JSON schema is not embedded (it is not among the vendored fixtures).
//
// The semantic rules (rule names are stable; they appear in JSON output):
//   - unique-bom-ref (error): every bom-ref is unique in the whole BOM,
//     nested components included, as the spec requires.
//   - dangling-ref (error): every dependencies[].ref, dependsOn[] and
//     provides[] names the bom-ref of a component (metadata.component and
//     nested components included) or a service.
//   - invalid-purl (error): every purl parses as a package URL.
//   - missing-version (warning): a library or framework component has no
//     version. CycloneDX made version optional in 1.4 (valid official test
//     BOMs omit it), so it is a warning: a vulnerability scan cannot match a
//     component without version, and --strict turns it into a failure.
//   - duplicate-dependency (warning): two dependencies[] entries for the same
//     ref, which makes the graph ambiguous.
package validate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/sdlkit/sdlkit/sbom/format"
	"github.com/sdlkit/sdlkit/sbom/internal/docread"
	"github.com/sdlkit/sdlkit/sbom/internal/textpos"
)

// Severity says whether a finding makes a document invalid.
type Severity string

// Severities: an error makes the document invalid, a warning does not.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Rule names of the checks, as they appear in findings.
const (
	RuleSchema              = "schema"
	RuleUniqueBOMRef        = "unique-bom-ref"
	RuleDanglingRef         = "dangling-ref"
	RuleInvalidPURL         = "invalid-purl"
	RuleMissingVersion      = "missing-version"
	RuleDuplicateDependency = "duplicate-dependency"
	RuleSPDXRequired        = "spdx-required"
	RuleUniqueSPDXID        = "unique-spdx-id"
)

// Finding is one problem in a document.
type Finding struct {
	Severity Severity `json:"severity"`
	Rule     string   `json:"rule"`
	// Location is a JSON Pointer (RFC 6901) into the document, "" for the
	// whole document. For XML and tag-value documents it points into the
	// document's JSON form (same field names as the JSON format).
	Location string `json:"location"`
	Message  string `json:"message"`
}

// Report is the result of validating one document.
type Report struct {
	File        string        `json:"file"`
	Format      format.Format `json:"format"`
	SpecVersion string        `json:"specVersion"`
	// Schema says what the document was checked against, e.g.
	// "bom-1.6.schema.json" or "bom-1.6.schema.json via-json" for XML.
	Schema string `json:"schema"`
	// Valid is true when no finding is an error.
	Valid    bool      `json:"valid"`
	Errors   int       `json:"errors"`
	Warnings int       `json:"warnings"`
	Findings []Finding `json:"findings"`
	// Error is set, and the rest left empty, when the document could not
	// be checked at all (see Result.AddError).
	Error string `json:"error,omitempty"`
}

// Passes reports whether the document passed: no errors, and with strict
// no warnings either. A document that could not be checked never passes.
func (r *Report) Passes(strict bool) bool {
	return r.Error == "" && r.Errors == 0 && (!strict || r.Warnings == 0)
}

// ErrUnsupportedVersion is returned for a spec version that has no schema
// here (CycloneDX before 1.4).
var ErrUnsupportedVersion = errors.New("unsupported spec version")

// maxSchemaFindings caps schema findings per document: a BOM broken
// everywhere would otherwise print thousands of lines.
const maxSchemaFindings = 100

// Document checks one document and reports its findings. name is used in
// errors and in the report. It returns an error, never a report, when the
// document cannot be checked at all: malformed JSON or XML, an unknown format
// or an unsupported spec version. A document that was read and breaks the
// schema or a rule gives a report with Valid false and a nil error.
func Document(data []byte, name string) (*Report, error) {
	r, err := validate(data)
	if err != nil {
		return nil, fmt.Errorf("validate %q: %w", name, err)
	}
	r.File = name
	r.finish()
	return r, nil
}

// Read reads one document from r, up to MaxDocumentSize, and
// validates it.
func Read(r io.Reader, name string) (*Report, error) {
	data, err := docread.ReadAll(r, name)
	if err != nil {
		return nil, err
	}
	return Document(data, name)
}

func validate(data []byte) (*Report, error) {
	if trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff"); len(trimmed) > 0 && trimmed[0] == '{' {
		// One full decode, not a detection scan and a decode.
		return validateJSON(data)
	}
	f, err := format.Detect(data)
	if err != nil {
		return nil, err
	}
	switch f {
	case format.CycloneDXXML:
		return validateCycloneDXXML(data)
	case format.SPDXTagValue:
		return validateSPDXTagValue(data)
	}
	return validateJSON(data)
}

// validateJSON dispatches a JSON document on its top-level keys.
func validateJSON(data []byte) (*Report, error) {
	if err := textpos.CheckJSONUTF8(data); err != nil {
		return nil, fmt.Errorf("parse json: %w", err)
	}
	doc, err := decodeJSON(data)
	if err != nil {
		return nil, err
	}
	obj, _ := doc.(map[string]any)
	f, err := format.FromJSONKeys(func(k string) bool { _, ok := obj[k]; return ok })
	if err != nil {
		return nil, err
	}
	if f == format.SPDXJSON {
		return validateSPDXJSON(data, obj)
	}
	return validateCycloneDX(obj, format.CycloneDXJSON, "")
}

// finish counts the findings and sets Valid.
func (r *Report) finish() {
	r.Errors, r.Warnings = 0, 0
	for _, f := range r.Findings {
		if f.Severity == SeverityError {
			r.Errors++
		} else {
			r.Warnings++
		}
	}
	r.Valid = r.Errors == 0
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
}

// add appends a finding.
func (r *Report) add(sev Severity, rule, loc, format string, args ...any) {
	r.Findings = append(r.Findings, Finding{Severity: sev, Rule: rule, Location: loc, Message: fmt.Sprintf(format, args...)})
}

// decodeJSON decodes data with numbers kept exact, as the schema validator
// wants them, and names the line and column of a syntax error.
func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("parse json: %s", textpos.JSONErrorAt(data, err))
	}
	if _, err := dec.Token(); err == nil {
		return nil, errors.New("parse json: unexpected data after the top-level value")
	}
	return doc, nil
}
