package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/sdlkit/sdlkit/signing"
)

// bundleSuffix is appended to an artifact's name for its default bundle.
const bundleSuffix = ".sigstore.json"

type signCmdOptions struct {
	signerOptions
	bundle string
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

Each bundle's path is printed on stdout.`,
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
	cmd.Flags().StringVar(&opts.bundle, "bundle", "", "write the bundle here (default FILE.sigstore.json; '-' for stdout)")
	return cmd
}

func runSign(ctx context.Context, a *app, opts *signCmdOptions, files []string) error {
	s, err := opts.signer(ctx, a)
	if err != nil {
		return err
	}
	for _, f := range files {
		b, d, err := s.SignFile(ctx, f, opts.signOptions())
		if err != nil {
			return inputError(err)
		}
		out := opts.bundle
		if out == "" {
			out = f + bundleSuffix
		}
		if err := writeBundle(a, b, out); err != nil {
			return err
		}
		a.infof("signed %s (%s)", f, d)
	}
	return nil
}

// writeBundle writes b to path, or to stdout for "-", and prints the path
// of a written file on stdout.
func writeBundle(a *app, b *signing.Bundle, path string) error {
	if path == "-" {
		data, err := b.MarshalJSON()
		if err != nil {
			return err
		}
		_, err = a.out.Write(append(data, '\n'))
		return err
	}
	if err := b.WriteFile(path); err != nil {
		return inputError(err)
	}
	_, err := a.out.Write([]byte(path + "\n"))
	return err
}
