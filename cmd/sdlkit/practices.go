package main

import (
	"context"
	"errors"
	"strings"

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
			list, err := c.List(practice)
			if errors.Is(err, practices.ErrUnknownPractice) {
				return inputError(err, "practices are "+practiceIDs(c))
			}
			if err != nil {
				return err
			}
			if format == "json" {
				return writeJSON(a.out, list)
			}
			return list.WriteTable(a.out)
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
			v := c.View(r)
			if format == "json" {
				return writeJSON(a.out, v)
			}
			return c.WriteRequirement(a.out, v)
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
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
			levels := practices.Levels{Levels: c.MaturityLevels}
			if format == "json" {
				return writeJSON(a.out, levels)
			}
			return levels.WriteText(a.out)
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
