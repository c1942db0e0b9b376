package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sdlkit/sdlkit/signing"
)

type attestCmdOptions struct {
	signerOptions
	predicate string
	typ       string
	bundle    string
}

func newAttestCmd(a *app) *cobra.Command {
	var opts attestCmdOptions
	cmd := &cobra.Command{
		Use:   "attest FILE --predicate P --type T (--key KEY | --keyless)",
		Short: "Attest to a file with an SBOM, VEX, scan report or provenance",
		Long: fmt.Sprintf(`Attest signs an in-toto Statement v1 whose subject is FILE (its name and
SHA-256 digest) and whose predicate is the JSON document P, in a DSSE
envelope, in a Sigstore bundle (FILE.sigstore.json unless --bundle). It binds
a release's SBOM, vulnerability report or VEX to the exact artifact they
describe; 'sdlkit verify FILE --bundle … --type T' checks it. P must be a
JSON object in UTF-8, at most 47.2 MiB, so that its bundle stays within the
64 MiB that verify reads.

--type is a short name, mapped to the predicate type URI as cosign maps it,
or any absolute URI:
%s
Keys, keyless signing and the transparency log work as for 'sdlkit sign'.`, predicateTypeHelp()),
		Example: `  sdlkit attest dist/fw.bin --predicate fw.cdx.json --type cyclonedx --key release.key \
      --bundle fw.bin.cdx.sigstore.json
  sdlkit attest dist/fw.bin --predicate fw.vex.json --type openvex --keyless`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.check(cmd); err != nil {
				return err
			}
			if opts.predicate == "" || opts.typ == "" {
				return usageErrorf("%s: --predicate and --type are required", cmd.CommandPath())
			}
			return runAttest(cmd.Context(), a, &opts, args[0])
		},
	}
	opts.register(cmd)
	cmd.Flags().StringVar(&opts.predicate, "predicate", "", "the predicate: a JSON document (SBOM, VEX, scan report, provenance)")
	cmd.Flags().StringVar(&opts.typ, "type", "", "predicate type: a short name (see above) or a URI")
	cmd.Flags().StringVar(&opts.bundle, "bundle", "", "write the bundle here (default FILE.sigstore.json; '-' for stdout)")
	return cmd
}

func predicateTypeHelp() string {
	var b strings.Builder
	for _, n := range signing.PredicateTypeNames() {
		fmt.Fprintf(&b, "  %-17s %s\n", n, signing.PredicateTypes[n])
	}
	return b.String()
}

func runAttest(ctx context.Context, a *app, opts *attestCmdOptions, file string) error {
	pt, err := signing.ParsePredicateType(opts.typ)
	if err != nil {
		return usageErrorf("%v", err)
	}
	predicate, err := signing.ReadPredicateFile(ctx, opts.predicate)
	if err != nil {
		return inputError(err)
	}
	d, err := signing.DigestFile(ctx, file)
	if err != nil {
		return inputError(err)
	}
	if _, err := signing.Statement([]signing.Subject{signing.SubjectFor("x", d)}, pt, predicate); err != nil {
		return inputError(fmt.Errorf("predicate %q: %w", opts.predicate, err))
	}
	s, err := opts.signer(ctx, a)
	if err != nil {
		return err
	}
	b, err := s.Attest(ctx, []signing.Subject{signing.SubjectFor(filepath.Base(file), d)}, pt, predicate, opts.signOptions())
	if err != nil {
		return inputError(err)
	}
	out := opts.bundle
	if out == "" {
		out = file + bundleSuffix
	}
	if err := writeBundle(a, b, out); err != nil {
		return err
	}
	a.infof("attested %s (%s) with %s", file, d, pt)
	return nil
}
