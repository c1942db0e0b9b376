package main

import (
	"bytes"
	"context"
	"strconv"

	"github.com/sdlkit/sdlkit/internal/readlimit"

	"github.com/sdlkit/sdlkit/sbom/diff"
	"github.com/sdlkit/sdlkit/sbom/format"

	"github.com/spf13/cobra"

	"github.com/sdlkit/sdlkit/sbom"
)

// sbomDiffOptions are the flags of 'sdlkit sbom diff'.
type sbomDiffOptions struct {
	oldFile, newFile string
	format           string
}

func newSBOMDiffCmd(a *app) *cobra.Command {
	var opts sbomDiffOptions
	cmd := &cobra.Command{
		Use:   "diff OLD NEW",
		Short: "Show the components added, removed, upgraded or downgraded between two SBOMs",
		Long: `Diff compares two SBOMs of a product (CycloneDX or SPDX, JSON, XML or
tag-value), typically two releases, and
lists the components added, removed, upgraded, downgraded or changed, and the
components whose licenses changed: the input to release notes and to the
evidence of update management.

Components are matched by package URL without version and qualifiers (else
by ecosystem and name), so SBOMs from different tools compare. Versions are
ordered by each ecosystem's rules (Go, npm, PyPI, Maven, crates.io, NuGet,
RubyGems, Packagist, Debian, RPM, Alpine and more, as osv-scanner orders
them); a version change in an ecosystem without a known order is "changed".

A diff is information, not a check: the exit status is 0 whatever changed,
2 when an SBOM cannot be read.`,
		Example: `  # Release notes for v1.1.0, in Markdown.
  sdlkit sbom diff v1.0.0.cdx.json v1.1.0.cdx.json --format markdown >> notes.md

  # Machine-readable, e.g. to count upgrades in CI.
  sdlkit sbom diff old.cdx.json new.cdx.json --format json | jq '.changes | length'`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.oldFile, opts.newFile = args[0], args[1]
			return runSBOMDiff(cmd.Context(), a, opts)
		},
	}
	cmd.Flags().StringVar(&opts.format, "format", "table", "output format: table, json or markdown")
	return cmd
}

func runSBOMDiff(ctx context.Context, a *app, opts sbomDiffOptions) error {
	if err := checkFormat(opts.format, diff.Formats...); err != nil {
		return err
	}
	oldBOM, err := readSBOMFile(ctx, opts.oldFile)
	if err != nil {
		return err
	}
	newBOM, err := readSBOMFile(ctx, opts.newFile)
	if err != nil {
		return err
	}
	return diff.Compare(oldBOM, newBOM, opts.oldFile, opts.newFile).Render(a.out, opts.format)
}

// sbomInput is an SBOM read whole: up to the size an SBOM may have. A named
// pipe without a writer reads as empty instead of waiting.
var sbomInput = readlimit.Kind{Name: "sbom", Limit: format.MaxSize}

// readSBOMFile decodes an SBOM file, CycloneDX or SPDX, into the model.
func readSBOMFile(ctx context.Context, name string) (*sbom.BOM, error) {
	data, err := readlimit.ReadFile(ctx, name, sbomInput)
	if err != nil {
		return nil, inputError(err)
	}
	b, err := format.Decode(bytes.NewReader(data), strconv.Quote(name))
	if err != nil {
		return nil, inputError(err, "sdlkit reads CycloneDX 1.2 to 1.7 (JSON, XML) and SPDX 2.2 and 2.3 (JSON, tag-value); check the file with 'sdlkit sbom validate'")
	}
	return b, nil
}
