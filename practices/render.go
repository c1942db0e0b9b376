package practices

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/sdlkit/sdlkit/internal/textsafe"
)

// RequirementView is a requirement as sdlkit shows it: with the evidence
// kinds among those it accepts that sdlkit produces itself.
type RequirementView struct {
	Requirement
	// AutomaticEvidence are the accepted kinds sdlkit produces itself.
	AutomaticEvidence []string `json:"automatic_evidence"`
}

// View returns r with its automatic evidence.
func (c *Catalog) View(r Requirement) RequirementView {
	auto := c.AutomaticEvidence(r)
	if auto == nil {
		auto = []string{}
	}
	return RequirementView{Requirement: r, AutomaticEvidence: auto}
}

// RequirementList is the result of 'sdlkit practices list'.
type RequirementList struct {
	Standard     string            `json:"standard"`
	Requirements []RequirementView `json:"requirements"`
}

// List returns the requirements of one practice, or all for "".
func (c *Catalog) List(practice string) (*RequirementList, error) {
	reqs, err := c.RequirementsOf(practice)
	if err != nil {
		return nil, err
	}
	l := &RequirementList{Standard: c.Standard, Requirements: make([]RequirementView, 0, len(reqs))}
	for _, r := range reqs {
		l.Requirements = append(l.Requirements, c.View(r))
	}
	return l, nil
}

// WriteTable writes the list as a table for people.
func (l *RequirementList) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTITLE\tAUTOMATION\tEVIDENCE")
	for _, v := range l.Requirements {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", textsafe.Cell(v.ID), textsafe.Cell(v.Title), v.Automation, textsafe.Cell(strings.Join(v.Evidence, ", ")))
	}
	return tw.Flush()
}

// WriteRequirement writes one requirement as text for people: its
// practice, clause, automation, evidence kinds and summary.
func (c *Catalog) WriteRequirement(w io.Writer, v RequirementView) error {
	p, _ := c.Practice(v.Practice)
	var b strings.Builder
	fmt.Fprintf(&b, "%s  %s\n\n", v.ID, v.Title)
	fmt.Fprintf(&b, "practice:    %s  %s\n", p.ID, p.Title)
	if v.Clause != "" {
		fmt.Fprintf(&b, "clause:      %s\n", v.Clause)
	}
	fmt.Fprintf(&b, "automation:  %s\n", v.Automation)
	b.WriteString("evidence:\n")
	for _, id := range v.Evidence {
		k, _ := c.EvidenceKind(id)
		line := fmt.Sprintf("  %-18s %s", id, k.Title)
		if k.Producer != "" {
			line += " (" + k.Producer + ")"
		}
		b.WriteString(line + "\n")
	}
	fmt.Fprintf(&b, "\n%s\n", wrap(v.Summary, 78))
	if v.AutomationNote != "" {
		fmt.Fprintf(&b, "\n%s\n", wrap("Automation: "+v.AutomationNote, 78))
	}
	_, err := io.WriteString(w, escapeLines(b.String()))
	return err
}

// Levels is the result of 'sdlkit practices levels'.
type Levels struct {
	Levels []MaturityLevel `json:"maturity_levels"`
}

// WriteText writes the levels with how sdlkit estimates each.
func (l Levels) WriteText(w io.Writer) error {
	var b strings.Builder
	for _, lv := range l.Levels {
		fmt.Fprintf(&b, "%s  %s\n  %s\n  Estimated: %s\n\n", lv.ID, lv.Title,
			strings.ReplaceAll(wrap(lv.Summary, 76), "\n", "\n  "),
			strings.ReplaceAll(wrap(lv.Criteria, 65), "\n", "\n  "))
	}
	_, err := io.WriteString(w, escapeLines(strings.TrimSuffix(b.String(), "\n")))
	return err
}

// escapeLines escapes control characters (from a supplier's catalog file)
// line by line, keeping the newlines of the layout.
func escapeLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = textsafe.Escape(l)
	}
	return strings.Join(lines, "\n")
}

// wrap folds text at width columns on word boundaries.
func wrap(text string, width int) string {
	var b strings.Builder
	col := 0
	for _, word := range strings.Fields(text) {
		if col > 0 && col+1+len(word) > width {
			b.WriteByte('\n')
			col = 0
		} else if col > 0 {
			b.WriteByte(' ')
			col++
		}
		b.WriteString(word)
		col += len(word)
	}
	return b.String()
}
