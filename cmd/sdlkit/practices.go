package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/sdlkit/sdlkit/practices"
	"github.com/spf13/cobra"
)

// catalogOptions are the flags every command that reads the catalog takes.
type catalogOptions struct {
	extensions []string
}

func (o *catalogOptions) register(cmd *cobra.Command) {
	cmd.PersistentFlags().StringArrayVar(&o.extensions, "catalog", nil, "extend the built-in catalog with a supplier's catalog file (YAML or JSON; repeatable)")
}

func (o *catalogOptions) load(ctx context.Context) (*practices.Catalog, error) {
	c, err := practices.LoadContext(ctx, o.extensions...)
	if err != nil {
		return nil, inputError(err, "see 'sdlkit practices schema' for the catalog file format")
	}
	return c, nil
}

func newPracticesCmd(a *app) *cobra.Command {
	var opts catalogOptions
	cmd := &cobra.Command{
		Use:   "practices",
		Short: "The IEC 62443-4-1 practice catalog: practices, requirements, maturity levels",
		Long: `The practice catalog holds the eight practices of IEC 62443-4-1 (SM, SR, SD, SI,
SVV, DM, SUM, SG), their 47 requirements, the kinds of evidence that satisfy each
and the four maturity levels. Summaries are sdlkit's own paraphrase.

A supplier adds its own practices, requirements and evidence kinds with
--catalog FILE, a YAML or JSON file in the same format (see 'sdlkit practices
schema'); the built-in entries cannot be redefined.`,
	}
	opts.register(cmd)
	cmd.AddCommand(
		newPracticesListCmd(a, &opts),
		newPracticesShowCmd(a, &opts),
		newPracticesLevelsCmd(a, &opts),
		newPracticesSchemaCmd(a),
	)
	return cmd
}

// requirementView is a requirement as commands print it.
type requirementView struct {
	practices.Requirement
	// AutomaticEvidence are the accepted kinds sdlkit produces itself.
	AutomaticEvidence []string `json:"automatic_evidence"`
}

func viewOf(c *practices.Catalog, r practices.Requirement) requirementView {
	auto := c.AutomaticEvidence(r)
	if auto == nil {
		auto = []string{}
	}
	return requirementView{Requirement: r, AutomaticEvidence: auto}
}

func newPracticesListCmd(a *app, catalog *catalogOptions) *cobra.Command {
	var practice, format string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List requirements, optionally of one practice",
		Args:  cobra.NoArgs,
		Example: `  sdlkit practices list
  sdlkit practices list --practice SVV
  sdlkit practices list --format json | jq '.requirements | length'`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, "table", "json"); err != nil {
				return err
			}
			c, err := catalog.load(cmd.Context())
			if err != nil {
				return err
			}
			reqs, err := c.RequirementsOf(practice)
			if errors.Is(err, practices.ErrUnknownPractice) {
				return inputError(err, "practices are "+practiceIDs(c))
			}
			if err != nil {
				return err
			}
			views := make([]requirementView, 0, len(reqs))
			for _, r := range reqs {
				views = append(views, viewOf(c, r))
			}
			if format == "json" {
				return writeJSON(a.out, struct {
					Standard     string            `json:"standard"`
					Requirements []requirementView `json:"requirements"`
				}{c.Standard, views})
			}
			return renderRequirementTable(a.out, views)
		},
	}
	cmd.Flags().StringVar(&practice, "practice", "", "only this practice's requirements (SM, SR, SD, SI, SVV, DM, SUM, SG or a supplier's own)")
	cmd.Flags().StringVar(&format, "format", "table", "output format: table or json")
	return cmd
}

func practiceIDs(c *practices.Catalog) string {
	ids := make([]string, 0, len(c.Practices))
	for _, p := range c.Practices {
		ids = append(ids, p.ID)
	}
	return strings.Join(ids, ", ")
}

func renderRequirementTable(w io.Writer, views []requirementView) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTITLE\tAUTOMATION\tEVIDENCE")
	for _, v := range views {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", v.ID, v.Title, v.Automation, strings.Join(v.Evidence, ", "))
	}
	return tw.Flush()
}

func newPracticesShowCmd(a *app, catalog *catalogOptions) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show one requirement",
		Args:  cobra.ExactArgs(1),
		Example: `  sdlkit practices show SVV-3
  sdlkit practices show SM-9 --format json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, "text", "json"); err != nil {
				return err
			}
			c, err := catalog.load(cmd.Context())
			if err != nil {
				return err
			}
			r, err := c.Requirement(args[0])
			if err != nil {
				return inputError(err, "run 'sdlkit practices list' for the IDs")
			}
			v := viewOf(c, r)
			if format == "json" {
				return writeJSON(a.out, v)
			}
			p, _ := c.Practice(r.Practice)
			return renderRequirement(a.out, c, p, v)
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}

func renderRequirement(w io.Writer, c *practices.Catalog, p practices.Practice, v requirementView) error {
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
	_, err := io.WriteString(w, b.String())
	return err
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

func newPracticesLevelsCmd(a *app, catalog *catalogOptions) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "levels",
		Short: "Show the maturity levels and how sdlkit estimates them",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, "text", "json"); err != nil {
				return err
			}
			c, err := catalog.load(cmd.Context())
			if err != nil {
				return err
			}
			if format == "json" {
				return writeJSON(a.out, struct {
					Levels []practices.MaturityLevel `json:"maturity_levels"`
				}{c.MaturityLevels})
			}
			var b strings.Builder
			for _, l := range c.MaturityLevels {
				fmt.Fprintf(&b, "%s  %s\n  %s\n  Estimated: %s\n\n", l.ID, l.Title,
					strings.ReplaceAll(wrap(l.Summary, 76), "\n", "\n  "),
					strings.ReplaceAll(wrap(l.Criteria, 65), "\n", "\n  "))
			}
			_, err = io.WriteString(a.out, strings.TrimSuffix(b.String(), "\n"))
			return err
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}

func newPracticesSchemaCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "schema",
		Short: "Print the JSON schema of catalog files",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			_, err := a.out.Write(practices.SchemaJSON())
			return err
		},
	}
}
