// Package report renders a scan result (vulnmgmt/scan) for people and
// machines: a table for terminals, the versioned JSON result, Markdown for
// pull requests and $GITHUB_STEP_SUMMARY, SARIF 2.1.0 for GitHub code
// scanning, and a CycloneDX vulnerability disclosure report (the SBOM with
// its vulnerabilities and their VEX analysis).
//
// SARIF is written by hand: the Go SARIF library (owenrumney/go-sarif) links
// a JSON schema validator and the SARIF schema into its model package, a
// start-up cost every sdlkit call would pay for a format of a few objects.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/sdlkit/sdlkit/internal/textsafe"
	"github.com/sdlkit/sdlkit/vulnmgmt/scan"
	"github.com/sdlkit/sdlkit/vulnmgmt/severity"
)

// Formats are the formats Write renders.
var Formats = []string{"table", "json", "sarif", "cyclonedx", "markdown"}

// JSON writes the versioned JSON result.
func JSON(w io.Writer, r *scan.Result) error { return writeJSON(w, r) }

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// Table writes the findings as a table, then what was not checked and
// what the scan was checked against.
func Table(w io.Writer, r *scan.Result) error {
	fmt.Fprintf(w, "%s: %s\n", textsafe.Escape(title(r)), summaryLine(r))
	if len(r.Findings) > 0 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "\nSEVERITY\tSCORE\tID\tCOMPONENT\tVERSION\tFIXED IN\tVEX")
		for _, f := range r.Findings {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", f.Severity.Rating, score(f.Severity), textsafe.Cell(f.ID),
				textsafe.Cell(f.Component.Name), textsafe.Cell(f.Component.Version), textsafe.Cell(strings.Join(f.Fixed, ", ")), vexCell(f))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	for _, u := range r.Unchecked {
		fmt.Fprintf(w, "not checked: %s: %s\n", textsafe.Escape(uncheckedName(u)), textsafe.Escape(u.Reason))
	}
	_, err := fmt.Fprintf(w, "checked against advisory store %s (%d records, newest %s)\n", r.Store.Digest, r.Store.Records, r.Store.Newest.Format("2006-01-02"))
	return err
}

func title(r *scan.Result) string {
	return strings.TrimSpace(r.Target.Name + " " + r.Target.Version)
}

func summaryLine(r *scan.Result) string {
	s := r.Summary
	return fmt.Sprintf("%d components, %d critical, %d high, %d medium, %d low, %d unrated, %d suppressed by VEX",
		r.Target.Components, s.Critical, s.High, s.Medium, s.Low, s.Unknown, s.Suppressed)
}

func score(s severity.Severity) string {
	if s.Vector == "" {
		return "-"
	}
	return fmt.Sprintf("%.1f", s.Score)
}

func vexCell(f scan.Finding) string {
	if f.VEX == nil {
		return "-"
	}
	cell := string(f.VEX.Status)
	if f.VEX.Justification != "" {
		cell += " (" + string(f.VEX.Justification) + ")"
	}
	return textsafe.Escape(cell)
}

func uncheckedName(u scan.Unchecked) string {
	if u.Ecosystem != "" {
		return "ecosystem " + u.Ecosystem
	}
	return u.Component
}

// Markdown writes a summary for a pull request or a job summary.
func Markdown(w io.Writer, r *scan.Result) error {
	var b strings.Builder
	fmt.Fprintf(&b, "## Vulnerability scan: %s\n\n", md(title(r)))
	s := r.Summary
	b.WriteString("| Critical | High | Medium | Low | Unrated | Suppressed (VEX) |\n|---|---|---|---|---|---|\n")
	fmt.Fprintf(&b, "| %d | %d | %d | %d | %d | %d |\n", s.Critical, s.High, s.Medium, s.Low, s.Unknown, s.Suppressed)
	var open, suppressed []scan.Finding
	for _, f := range r.Findings {
		if f.Suppressed {
			suppressed = append(suppressed, f)
		} else {
			open = append(open, f)
		}
	}
	writeFindings := func(heading string, fs []scan.Finding) {
		if len(fs) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n### %s\n\n| Severity | ID | Component | Version | Fixed in | VEX |\n|---|---|---|---|---|---|\n", heading)
		for _, f := range fs {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", severityCell(f.Severity), mdLink(f.ID), md(f.Component.Name),
				md(f.Component.Version), md(orDash(strings.Join(f.Fixed, ", "))), md(vexCell(f)))
		}
	}
	writeFindings("Open findings", open)
	writeFindings("Suppressed by VEX", suppressed)
	if len(r.Unchecked) > 0 {
		b.WriteString("\n### Not checked\n\n")
		for _, u := range r.Unchecked {
			fmt.Fprintf(&b, "- %s: %s\n", md(uncheckedName(u)), md(u.Reason))
		}
	}
	fmt.Fprintf(&b, "\n%d components checked against advisory store `%s` (%d records, newest %s).\n",
		r.Target.Components, r.Store.Digest, r.Store.Records, r.Store.Newest.Format("2006-01-02"))
	_, err := io.WriteString(w, b.String())
	return err
}

// severityCell is the rating, with the score when a vector gave one.
func severityCell(s severity.Severity) string {
	if s.Vector == "" {
		return string(s.Rating)
	}
	return fmt.Sprintf("%s %.1f", s.Rating, s.Score)
}

// mdLink links an advisory id to its page on osv.dev, when the id is one
// a URL path can carry as it is.
func mdLink(id string) string {
	for _, r := range id {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' || r == ':') {
			return md(id)
		}
	}
	return "[" + id + "](https://osv.dev/vulnerability/" + id + ")"
}

// md escapes text for a Markdown table cell.
func md(s string) string {
	r := strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ", "<", "&lt;", ">", "&gt;", "`", "'")
	return textsafe.Escape(r.Replace(s))
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
