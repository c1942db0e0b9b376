package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/sdlkit/sdlkit/internal/atomicfile"
	"github.com/sdlkit/sdlkit/internal/readlimit"
	"github.com/sdlkit/sdlkit/practices/ledger"
	"github.com/sdlkit/sdlkit/signing"
)

// bundleSuffix is appended to an artifact's name for its default bundle.
const bundleSuffix = ".sigstore.json"

type signCmdOptions struct {
	signerOptions
	bundle string
	rec    recordOptions
}

func newSignCmd(a *app) *cobra.Command {
	var opts signCmdOptions
	cmd := &cobra.Command{
		Use:   "sign FILE... (--key KEY | --keyless)",
		Short: "Sign files into Sigstore bundles",
		Long: `Sign writes, for each FILE, a Sigstore bundle (v0.3 JSON, FILE.sigstore.json by
default) holding a signature over the file's SHA-256 digest and what is
needed to check it: the public key's hint, or the Fulcio certificate.

With --key, the key is a private key file in cosign's format (see 'sdlkit
key') or a KMS URI; the transparency log is off unless --tlog-upload. Such a
bundle verifies offline with the public key alone:
'sdlkit verify FILE --key KEY.pub' or 'cosign verify-blob --bundle …
--key KEY.pub --insecure-ignore-tlog'.

With --keyless, in GitHub Actions with 'permissions: id-token: write', sdlkit
gets the workflow's OIDC token, a short-lived certificate from Fulcio for an
ephemeral key, and a Rekor transparency log entry (the public-good instances
unless --fulcio-url and --rekor-url say otherwise). Nothing secret is kept.

Each FILE must be a regular file: a pipe, device or directory is refused.
Every path is checked before the password is asked, and the bundles are put
in place only when every file was signed, so a failed run writes nothing; a
bundle may not replace a FILE or the key. Each bundle's path is printed on
stdout.`,
		Example: `  SDLKIT_PASSWORD=… sdlkit sign dist/plc-fw-1.2.0.bin --key release.key
  sdlkit sign dist/* --keyless
  sdlkit sign app.tar.gz --key awskms:///alias/release --tlog-upload --bundle app.bundle.json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.check(cmd); err != nil {
				return err
			}
			if opts.bundle != "" && len(args) > 1 {
				return usageErrorf("%s: --bundle names one output; it cannot be used with %d files", cmd.CommandPath(), len(args))
			}
			return runSign(cmd.Context(), a, &opts, args)
		},
	}
	opts.register(cmd)
	opts.rec.register(cmd)
	cmd.Flags().StringVar(&opts.bundle, "bundle", "", "write the bundle here (default FILE.sigstore.json; '-' for stdout)")
	return cmd
}

// runSign checks every artifact and output before it asks for a password,
// signs each file into a temporary bundle, and puts the bundles in place
// only when every file was signed: a failed run leaves nothing.
func runSign(ctx context.Context, a *app, opts *signCmdOptions, files []string) error {
	inputs := opts.inputs()
	outputs := make([]namedPath, len(files))
	for i, f := range files {
		if err := readlimit.CheckRegular(f, "artifact"); err != nil {
			return inputError(err)
		}
		inputs = append(inputs, namedPath{"artifact", f})
		outputs[i] = namedPath{"bundle", opts.bundle}
		if opts.bundle == "" {
			outputs[i].path = f + bundleSuffix
		}
	}
	if err := checkOutputs(outputs, inputs); err != nil {
		return err
	}
	l, err := opts.rec.open(ctx, a)
	if err != nil {
		return err
	}
	pending, err := createOutputs(outputs, atomicfile.Options{})
	if err != nil {
		return err
	}
	defer abortOutputs(pending)
	s, err := opts.signer(ctx, a)
	if err != nil {
		return err
	}
	bundles := make([][]byte, len(files))
	digests := make([]signing.Digest, len(files))
	for i, f := range files {
		b, d, err := s.SignFile(ctx, f, opts.signOptions())
		if err != nil {
			return inputError(err)
		}
		if bundles[i], err = encodeBundle(b, pending[i]); err != nil {
			return inputError(fmt.Errorf("sign %q: %w", f, err))
		}
		digests[i] = d
	}
	if err := commitOutputs(pending); err != nil {
		return err
	}
	for i, f := range files {
		if err := printOutput(a, outputs[i], bundles[i]); err != nil {
			return err
		}
		a.infof("signed %s (%s)", f, digests[i])
	}
	evs := make([]evidence, len(files))
	for i, f := range files {
		evs[i] = signatureEvidence("signature", "sdlkit sign", s, f, digests[i], bundles[i])
	}
	return opts.rec.append(ctx, a, l, evs...)
}

// signatureEvidence is the ledger record of a bundle over file: the
// bundle as evidence, the file's digest as subject, the signer's identity
// (a certificate's, or "key") as a fact.
func signatureEvidence(kind, producer string, s *signing.Signer, file string, d signing.Digest, bundle []byte) evidence {
	signedWith := "key"
	if s.Keyless() {
		signedWith = "keyless certificate"
	}
	name := filepath.Base(file)
	return evidence{
		kind: kind, producer: producer,
		subject: &ledger.Subject{Name: name, Digest: d.String()},
		summary: fmt.Sprintf("%s of %s (%s), signed with a %s", kind, name, d, signedWith),
		facts:   map[string]string{"signed_with": signedWith},
		blobs:   []ledger.Blob{{Name: name + bundleSuffix, Data: bundle}},
	}
}

// encodeBundle encodes b and writes it to its pending file, if any.
func encodeBundle(b *signing.Bundle, p *atomicfile.Pending) ([]byte, error) {
	data, err := b.Encode()
	if err != nil {
		return nil, err
	}
	if p != nil {
		if _, err := p.Write(data); err != nil {
			return nil, fmt.Errorf("write bundle %q: %w", p.Path(), err)
		}
	}
	return data, nil
}

// printOutput prints the path of a written file on stdout, or the data
// itself for "-".
func printOutput(a *app, out namedPath, data []byte) error {
	if out.path == "-" {
		_, err := a.out.Write(data)
		return err
	}
	_, err := fmt.Fprintln(a.out, out.path)
	return err
}
