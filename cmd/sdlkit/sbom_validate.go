package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/sdlkit/sdlkit/internal/readlimit"

	"github.com/sdlkit/sdlkit/sbom/validate"

	"github.com/spf13/cobra"
)

// sbomValidateOptions are the flags of 'sdlkit sbom validate'.
type sbomValidateOptions struct {
	files  []string
	format string
	strict bool
}

func newSBOMValidateCmd(a *app) *cobra.Command {
	var opts sbomValidateOptions
	cmd := &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check SBOMs against the CycloneDX or SPDX schemas and semantic rules",
		Long: `Validate checks each SBOM against the official schema of its format and
version, and against rules a schema cannot express.

Formats: CycloneDX 1.4 to 1.7 as JSON or XML, SPDX 2.x as JSON or tag-value.
The format and version are read from the document. FILE '-' reads stdin.

  - CycloneDX JSON is checked against the official JSON schemas, built into
    sdlkit (no network). CycloneDX XML is decoded with cyclonedx-go and its
    JSON form is checked: XML elements cyclonedx-go does not know are not
    reported. SPDX is decoded with spdx/tools-golang and checked for the
    fields SPDX 2.3 requires; the SPDX JSON schema is not built in.
  - Errors: bom-refs (SPDXIDs) that are not unique, nested components
    included; dependencies (relationships) naming no component or service;
    package URLs that do not parse.
  - Warnings: library components without a version (optional in CycloneDX,
    but a vulnerability scan cannot match them), two dependency entries for
    one ref. --strict makes warnings fail the check.

Each finding names its place as a JSON Pointer into the document (for XML
and tag-value, into the document's JSON form).

Exit status: 0 every file valid, 1 a file is invalid, 2 a file could not be
read, parsed or recognised (this wins over 1).`,
		Example: `  # Validate the SBOM a build made, and fail the pipeline if it is invalid.
  sdlkit sbom validate dist/app.cdx.json

  # Validate several SBOMs, machine-readable, warnings fail too.
  sdlkit sbom validate --strict --format json dist/*.cdx.json dist/*.spdx.json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.files = args
			return runSBOMValidate(cmd.Context(), a, opts)
		},
	}
	cmd.Flags().StringVar(&opts.format, "format", "text", "output format: text or json")
	cmd.Flags().BoolVar(&opts.strict, "strict", false, "fail on warnings as well as errors")
	return cmd
}

func runSBOMValidate(ctx context.Context, a *app, opts sbomValidateOptions) error {
	if err := checkFormat(opts.format, "text", "json"); err != nil {
		return err
	}
	res := validate.NewResult(opts.strict)
	var unchecked []error
	for _, name := range opts.files {
		r, err := validateInput(ctx, a, name)
		if err != nil {
			res.AddError(name, err)
			unchecked = append(unchecked, err)
			continue
		}
		res.Add(r)
	}
	if err := writeValidation(a.out, res, opts.format); err != nil {
		return err
	}
	return validationVerdict(res, unchecked)
}

// validateInput validates one file, or stdin for "-".
func validateInput(ctx context.Context, a *app, name string) (*validate.Report, error) {
	if name == "-" {
		return validate.Read(readlimit.ContextReader(ctx, a.in), "stdin")
	}
	data, err := readlimit.ReadFile(ctx, name, sbomInput)
	if err != nil {
		return nil, err
	}
	return validate.Document(data, name)
}

func writeValidation(w io.Writer, res *validate.Result, format string) error {
	if format == "json" {
		return writeJSON(w, res)
	}
	return res.WriteText(w)
}

// validationVerdict maps the result to the exit code: input errors first.
func validationVerdict(res *validate.Result, unchecked []error) error {
	if len(unchecked) > 0 {
		msgs := make([]string, len(unchecked))
		for i, err := range unchecked {
			msgs[i] = err.Error()
		}
		return inputError(errors.New(strings.Join(msgs, "; ")),
			"sdlkit validates CycloneDX 1.4-1.7 (JSON, XML) and SPDX 2.x (JSON, tag-value)")
	}
	failed, _ := res.Counts()
	if failed == 0 {
		return nil
	}
	what := "errors"
	if res.Strict {
		what = "errors or warnings"
	}
	return checkFailed(fmt.Errorf("%d of %d SBOMs invalid: they have %s (listed on stdout)", failed, len(res.Files), what))
}
