package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/sdlkit/sdlkit/internal/readlimit"

	"github.com/sdlkit/sdlkit/sbom/format"

	"github.com/sdlkit/sdlkit/sbom/cyclonedx"
	"github.com/sdlkit/sdlkit/sbom/merge"

	"github.com/spf13/cobra"

	"github.com/sdlkit/sdlkit/internal/atomicfile"
	"github.com/sdlkit/sdlkit/sbom"
)

// sbomMergeOptions are the flags of 'sdlkit sbom merge'.
type sbomMergeOptions struct {
	files                   []string
	output                  string
	name, version, supplier string
	format, specVersion     string
}

func newSBOMMergeCmd(a *app) *cobra.Command {
	var opts sbomMergeOptions
	cmd := &cobra.Command{
		Use:   "merge SBOM... [-o OUT]",
		Short: "Merge the SBOMs of a product's parts into one product SBOM",
		Long: `Merge makes one product SBOM from the SBOMs of its parts (one per binary,
container image or lockfile), made by sdlkit or by other tools such as trivy,
syft or cyclonedx-gomod: CycloneDX 1.2 to 1.7 (JSON, XML) or SPDX 2.2 and 2.3
(JSON, tag-value). The output is CycloneDX.

Components are deduplicated by package URL (version included; qualifiers
that tools spell differently, such as trivy's distro, left out; arch and
Maven classifiers kept); their hashes, licenses, locations and properties
are united. Every bom-ref becomes the component's package URL, and each
input's dependency graph is rewritten to those refs and kept. Each input's
product becomes a component the merged product depends on; when every input
describes the same product and --name is not given, that product is kept.

The output is reproducible: the same inputs in the same order give the same
bytes. Its timestamp is SOURCE_DATE_EPOCH when set, else the latest input
timestamp. It is written atomically: a failed merge leaves no file.`,
		Example: `  # One SBOM for a release made of a Go binary and a container image.
  sdlkit sbom merge gateway.cdx.json image.cdx.json -o release.cdx.json \
    --name plc-gateway --version 1.2.0 --supplier "Example Automation GmbH"`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.files = args
			return runSBOMMerge(cmd.Context(), a, opts)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.output, "output", "o", "-", "write the merged SBOM to this file ('-' for stdout)")
	f.StringVar(&opts.name, "name", "", "product name (required when the inputs describe different products)")
	f.StringVar(&opts.version, "version", "", "product version")
	f.StringVar(&opts.supplier, "supplier", "", "product supplier")
	f.StringVar(&opts.format, "format", "cyclonedx-json", "output format: cyclonedx-json or cyclonedx-xml")
	f.StringVar(&opts.specVersion, "spec-version", cyclonedx.SpecVersion16, "CycloneDX spec version: 1.6 or 1.5")
	return cmd
}

func runSBOMMerge(ctx context.Context, a *app, opts sbomMergeOptions) error {
	if err := checkFormat(opts.format, "cyclonedx-json", "cyclonedx-xml"); err != nil {
		return err
	}
	if opts.specVersion != cyclonedx.SpecVersion16 && opts.specVersion != cyclonedx.SpecVersion15 {
		return usageErrorf("unknown --spec-version %q: use 1.6 or 1.5", opts.specVersion)
	}
	mopts, err := mergeOptions(a, opts)
	if err != nil {
		return err
	}
	inputs := make([]namedPath, len(opts.files))
	for i, f := range opts.files {
		inputs[i] = namedPath{kind: "sbom", path: f}
	}
	if err := checkOutputs([]namedPath{{kind: "merged sbom", path: opts.output}}, inputs); err != nil {
		return err
	}
	if err := checkMergeInputs(opts.files); err != nil {
		return err
	}
	var boms []*sbom.BOM
	for _, name := range opts.files {
		b, err := readSBOMFile(ctx, name)
		if err != nil {
			return err
		}
		boms = append(boms, b)
	}
	merged, err := merge.SBOMs(boms, mopts)
	if err != nil {
		return inputError(fmt.Errorf("merge sboms: %w", err), "name the product with --name and --version")
	}
	var buf bytes.Buffer
	if err := cyclonedx.Encode(&buf, merged, cyclonedx.EncodeOptions{XML: opts.format == "cyclonedx-xml", SpecVersion: opts.specVersion}); err != nil {
		return err
	}
	if buf.Len() > format.MaxSize {
		return inputError(fmt.Errorf("merge sboms: the merged SBOM would be %d MiB, more than the %d MiB that sdlkit and other tools read", buf.Len()>>20, format.MaxSize>>20))
	}
	return writeOutput(a, opts.output, buf.Bytes())
}

// checkMergeInputs refuses inputs that together hold more than a merged SBOM
// may, before reading any of them.
func checkMergeInputs(files []string) error {
	var total, largest int64
	var largestName string
	for _, name := range files {
		if info, err := os.Stat(name); err == nil && info.Mode().IsRegular() {
			total += info.Size()
			if info.Size() >= largest {
				largest, largestName = info.Size(), name
			}
		}
	}
	if total > format.MaxSize {
		return inputError(fmt.Errorf("merge sboms: the inputs hold %s, more than the %s a merged SBOM may hold (the largest, %q, holds %s)",
			readlimit.FormatSize(total), readlimit.FormatSize(format.MaxSize), largestName, readlimit.FormatSize(largest)))
	}
	return nil
}

// mergeOptions builds the library options from the flags and environment.
func mergeOptions(a *app, opts sbomMergeOptions) (merge.Options, error) {
	ts, err := sourceDateEpoch(a.getenv("SOURCE_DATE_EPOCH"))
	return merge.Options{Name: opts.name, Version: opts.version, Supplier: opts.supplier, Timestamp: ts,
		Tool: sbom.Tool{Vendor: "sdlkit", Name: "sdlkit", Version: readBuildVersion().Version}}, err
}

// writeOutput writes data to stdout for "-", else atomically to the file.
func writeOutput(a *app, path string, data []byte) error {
	if path == "-" {
		_, err := a.out.Write(data)
		return err
	}
	return atomicfile.Write(path, atomicfile.Options{}, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}
