package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sdlkit/sdlkit/internal/atomicfile"
	"github.com/sdlkit/sdlkit/internal/readlimit"
	"github.com/sdlkit/sdlkit/signing"
)

type attestCmdOptions struct {
	signerOptions
	predicate string
	typ       string
	bundle    string
	rec       recordOptions
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
64 MiB that verify reads; the bundle may not replace FILE, P or the key.

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
	opts.rec.register(cmd)
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

// runAttest reads and checks the predicate and every path before it asks
// for a password, and puts the bundle in place only when the attestation
// was signed.
func runAttest(ctx context.Context, a *app, opts *attestCmdOptions, file string) error {
	pt, err := signing.ParsePredicateType(opts.typ)
	if err != nil {
		return usageErrorf("%v", err)
	}
	if err := readlimit.CheckRegular(file, "artifact"); err != nil {
		return inputError(err)
	}
	predicate, err := signing.ReadPredicateFile(ctx, opts.predicate)
	if err != nil {
		return inputError(err)
	}
	out := namedPath{"bundle", opts.bundle}
	if out.path == "" {
		out.path = file + bundleSuffix
	}
	inputs := append(opts.inputs(), namedPath{"artifact", file}, namedPath{"predicate", opts.predicate})
	if err := checkOutputs([]namedPath{out}, inputs); err != nil {
		return err
	}
	l, err := opts.rec.open(ctx, a)
	if err != nil {
		return err
	}
	pending, err := createOutputs([]namedPath{out}, atomicfile.Options{})
	if err != nil {
		return err
	}
	defer abortOutputs(pending)
	d, err := signing.DigestFile(ctx, file)
	if err != nil {
		return inputError(err)
	}
	subjects := []signing.Subject{signing.SubjectFor(filepath.Base(file), d)}
	if _, err := signing.Statement(subjects, pt, predicate); err != nil {
		return inputError(fmt.Errorf("predicate %q: %w", opts.predicate, err))
	}
	s, err := opts.signer(ctx, a)
	if err != nil {
		return err
	}
	b, err := s.Attest(ctx, subjects, pt, predicate, opts.signOptions())
	if err != nil {
		return inputError(err)
	}
	data, err := encodeBundle(b, pending[0])
	if err != nil {
		return inputError(fmt.Errorf("attest %q: %w", file, err))
	}
	if err := commitOutputs(pending); err != nil {
		return err
	}
	if err := printOutput(a, out, data); err != nil {
		return err
	}
	a.infof("attested %s (%s) with %s", file, d, pt)
	ev := signatureEvidence("attestation", "sdlkit attest", s, file, d, data)
	ev.facts["predicate_type"] = pt
	return opts.rec.append(ctx, a, l, ev)
}
