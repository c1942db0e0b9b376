package diff

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/sdlkit/sdlkit/internal/textsafe"
)

// Formats are the formats Diff.Render writes.
var Formats = []string{"table", "json", "markdown"}

// Render writes d as "table" (for terminals and logs), "json" (the
// versioned result) or "markdown" (for release notes).
func (d *Diff) Render(w io.Writer, format string) error {
	switch format {
	case "table":
		return d.writeTable(w)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(d)
	case "markdown":
		return d.writeMarkdown(w)
	}
	return fmt.Errorf("render diff: unknown format %q", format)
}

// Summary counts the changes in one line.
func (d *Diff) Summary() string {
	return fmt.Sprintf("%d added, %d removed, %d upgraded, %d downgraded, %d changed, %d license changes, %d unchanged",
		d.Count(Added), d.Count(Removed), d.Count(Upgraded), d.Count(Downgraded),
		d.Count(Changed), len(d.Licenses), d.Unchanged)
}

func (d *Diff) writeTable(w io.Writer) error {
	fmt.Fprintf(w, "%s: %s\n", textsafe.Escape(d.Title()), d.Summary())
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if len(d.Changes) > 0 {
		fmt.Fprintln(tw, "\nCHANGE\tCOMPONENT\tECOSYSTEM\tOLD\tNEW")
		for _, c := range d.Changes {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.Kind, textsafe.Cell(c.Name), textsafe.Cell(c.Ecosystem), textsafe.Cell(c.OldVersion), textsafe.Cell(c.NewVersion))
		}
	}
	if len(d.Licenses) > 0 {
		fmt.Fprintln(tw, "\nLICENSE CHANGE\tOLD VERSION\tNEW VERSION\tOLD LICENSES\tNEW LICENSES")
		for _, l := range d.Licenses {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", textsafe.Cell(l.Name), textsafe.Cell(l.OldVersion), textsafe.Cell(l.NewVersion), licenseList(l.OldLicenses), licenseList(l.NewLicenses))
		}
	}
	return tw.Flush()
}

func (d *Diff) writeMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "## SBOM changes: %s\n\n%s.\n", mdCell(d.Title()), d.Summary())
	sections := []struct {
		kind    ChangeKind
		title   string
		version bool // one version column instead of from/to
	}{
		{Added, "Added", true}, {Removed, "Removed", true},
		{Upgraded, "Upgraded", false}, {Downgraded, "Downgraded", false},
		{Changed, "Changed (version order unknown)", false},
	}
	for _, s := range sections {
		if d.Count(s.kind) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n### %s\n\n", s.title)
		if s.version {
			b.WriteString("| Component | Ecosystem | Version | Licenses |\n|---|---|---|---|\n")
		} else {
			b.WriteString("| Component | Ecosystem | From | To |\n|---|---|---|---|\n")
		}
		for _, c := range d.Changes {
			if c.Kind != s.kind {
				continue
			}
			if s.version {
				fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", mdCell(c.Name), mdCell(textsafe.Cell(c.Ecosystem)), mdCell(c.OldVersion+c.NewVersion), mdCell(licenseList(c.Licenses)))
			} else {
				fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", mdCell(c.Name), mdCell(textsafe.Cell(c.Ecosystem)), mdCell(c.OldVersion), mdCell(c.NewVersion))
			}
		}
	}
	if len(d.Licenses) > 0 {
		b.WriteString("\n### License changes\n\n| Component | Version | From | To |\n|---|---|---|---|\n")
		for _, l := range d.Licenses {
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", mdCell(l.Name), mdCell(versionSpan(l.OldVersion, l.NewVersion)), mdCell(licenseList(l.OldLicenses)), mdCell(licenseList(l.NewLicenses)))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// licenseList shows licenses in one cell.
func licenseList(ls []string) string {
	return textsafe.Cell(strings.Join(ls, ", "))
}

// versionSpan shows "v1" or "v1 → v2".
func versionSpan(o, n string) string {
	if o == n {
		return o
	}
	return o + " → " + n
}

// mdCell escapes text for a Markdown table cell.
func mdCell(s string) string {
	r := strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ", "<", "&lt;", ">", "&gt;")
	return textsafe.Escape(r.Replace(s))
}
