package validate

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/sdlkit/sdlkit/internal/textsafe"
)

// Result is the outcome of validating several documents, the
// versioned JSON result of 'sdlkit sbom validate --format json'.
type Result struct {
	// Valid is true when every document was checked and passed.
	Valid bool `json:"valid"`
	// Strict says that warnings counted as failures.
	Strict bool      `json:"strict"`
	Files  []*Report `json:"files"`
}

// NewResult starts an empty result.
func NewResult(strict bool) *Result {
	return &Result{Valid: true, Strict: strict, Files: []*Report{}}
}

// Add records the report of one document.
func (v *Result) Add(r *Report) {
	v.Files = append(v.Files, r)
	v.Valid = v.Valid && r.Passes(v.Strict)
}

// AddError records a document that could not be checked.
func (v *Result) AddError(name string, err error) {
	v.Add(&Report{File: name, Findings: []Finding{}, Error: err.Error()})
}

// Counts returns how many documents failed their check and how many could
// not be checked at all.
func (v *Result) Counts() (failed, unchecked int) {
	for _, r := range v.Files {
		switch {
		case r.Error != "":
			unchecked++
		case !r.Passes(v.Strict):
			failed++
		}
	}
	return failed, unchecked
}

// WriteText renders the result for people: one line per finding, in the
// style of compiler messages (FILE: LOCATION: severity: rule: message), then
// a table with one row per document.
func (v *Result) WriteText(w io.Writer) error {
	for _, r := range v.Files {
		for _, f := range r.Findings {
			loc := f.Location
			if loc == "" {
				loc = "/"
			}
			if _, err := fmt.Fprintf(w, "%s: %s: %s: %s: %s\n", textsafe.Escape(r.File), textsafe.Escape(loc), f.Severity, f.Rule, textsafe.Escape(f.Message)); err != nil {
				return err
			}
		}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FILE\tFORMAT\tVERSION\tRESULT\tERRORS\tWARNINGS")
	for _, r := range v.Files {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\n", textsafe.Cell(r.File), textsafe.Cell(string(r.Format)), textsafe.Cell(r.SpecVersion), v.verdict(r), r.Errors, r.Warnings)
	}
	return tw.Flush()
}

// verdict is the RESULT column.
func (v *Result) verdict(r *Report) string {
	switch {
	case r.Error != "":
		return "unreadable"
	case r.Passes(v.Strict):
		return "valid"
	}
	return "invalid"
}
