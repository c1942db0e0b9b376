package report

import (
	"fmt"
	"io"
	"strings"
)

// Markdown writes the summary, the coverage per practice and the open
// items (requirements without evidence, stale evidence, open findings) as
// GitHub-flavoured Markdown, for a pull request or $GITHUB_STEP_SUMMARY.
func Markdown(w io.Writer, in Input) error {
	v, err := build(in)
	if err != nil {
		return err
	}
	var b strings.Builder
	st := in.Status
	fmt.Fprintf(&b, "## IEC 62443-4-1 evidence: %s %s\n\n", md(st.Product), md(st.Version))
	if v.Empty {
		b.WriteString("> **No records for this release**: only evidence tied to no release, if any, counts below.\n\n")
	}
	fmt.Fprintf(&b, "**%d of %d** in-scope requirements have evidence for this release (%d records for the product; ledger head `%.12s`", st.Covered, st.InScope, st.Records, st.Head)
	if in.Checkpoint != nil {
		fmt.Fprintf(&b, ", checkpoint %d", in.Checkpoint.Seq)
	}
	b.WriteString(").\n\n| Practice | Covered | Maturity (estimated) |\n|---|---|---|\n")
	for _, p := range v.Practices {
		fmt.Fprintf(&b, "| %s %s | %d/%d | ML%d |\n", p.ID, md(p.Title), p.Covered, p.InScope, p.Maturity)
	}
	var missing, stale []string
	for _, p := range v.Practices {
		for _, r := range p.Requirements {
			if r.InScope && !r.Covered {
				missing = append(missing, r.ID)
			}
			for _, s := range r.Stale {
				stale = append(stale, r.ID+": "+md(s))
			}
		}
	}
	b.WriteString("\n### Open items\n\n")
	if len(missing) > 0 {
		fmt.Fprintf(&b, "- No evidence for this release: %s\n", strings.Join(missing, ", "))
	}
	for _, s := range stale {
		fmt.Fprintf(&b, "- Stale: %s\n", s)
	}
	fmt.Fprintf(&b, "- Open findings (after VEX): %d\n", v.Open)
	if v.Open > 0 {
		b.WriteString("\n| Severity | ID | Component | Fixed in |\n|---|---|---|---|\n")
		n := 0
		for _, f := range in.Findings {
			if f.Suppressed {
				continue
			}
			if n++; n > 20 {
				fmt.Fprintf(&b, "| | … %d more | | |\n", v.Open-20)
				break
			}
			fmt.Fprintf(&b, "| %s | %s | %s %s | %s |\n", md(f.Severity), md(f.ID), md(f.Component), md(f.Version), md(f.Fixed))
		}
	}
	_, err = io.WriteString(w, b.String())
	return err
}

// md escapes text for a Markdown table cell: no markup, links, HTML or
// line breaks from record data.
func md(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\`*_[]<>|~&", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
