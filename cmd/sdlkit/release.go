package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/sdlkit/sdlkit/internal/atomicfile"
	"github.com/sdlkit/sdlkit/internal/progress"
	"github.com/sdlkit/sdlkit/practices/ledger"
	"github.com/sdlkit/sdlkit/signing"
	"github.com/sdlkit/sdlkit/signing/release"
)

func newReleaseCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "release",
		Short: "Sign and verify whole release directories",
		Long: `A release is a directory of files shipped together: firmware images, packages,
SBOMs, bundles, notes. 'release sign' lists every file with its size, SHA-256
and SHA-512 in a manifest and signs the manifest; 'release verify' checks the
signature, then every file, in one offline command for the customer.

The manifest is DIR/sdlkit-release.json and its Sigstore bundle
DIR/sdlkit-release.json.sigstore.json unless --manifest and --bundle say
otherwise. Neither is part of the release: files at those two default paths
and at the paths given are left out of the manifest, and are not reported
as extra files by verify (a file the manifest lists is always checked). Ship
the directory as it is, manifest and bundle included.`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErrorf("unknown command %q for %q", args[0], cmd.CommandPath())
			}
			return cmd.Help()
		},
	}
	cmd.AddCommand(newReleaseSignCmd(a), newReleaseVerifyCmd(a))
	return cmd
}

// releasePaths are the manifest and bundle flags of a release command.
type releasePaths struct {
	manifest string
	bundle   string
}

func (p *releasePaths) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&p.manifest, "manifest", "", "the release manifest (default DIR/"+release.DefaultName+")")
	cmd.Flags().StringVar(&p.bundle, "bundle", "", "the manifest's Sigstore bundle (default MANIFEST"+release.BundleSuffix+")")
}

// options are the release package options: the manifest and its bundle, at
// the default place and where the flags say, and the temporary files
// exclude, are not part of the release. Hashing shows a progress meter on a
// terminal; the caller stops it when the work is done.
func releaseOptions(a *app, p release.Paths, exclude ...string) (release.Options, *progress.Meter) {
	meter := a.progress("hashing release")
	return release.Options{Exclude: append(p.Exclude(), exclude...), Progress: meter}, meter
}

type releaseSignOptions struct {
	signerOptions
	releasePaths
	rec recordOptions
}

func newReleaseSignCmd(a *app) *cobra.Command {
	var opts releaseSignOptions
	cmd := &cobra.Command{
		Use:   "sign DIR (--key KEY | --keyless)",
		Short: "Write and sign the manifest of a release directory",
		Long: `Sign walks DIR, hashes every regular file with SHA-256 and SHA-512 (in
parallel, each file read once), writes the release manifest and signs its
bytes into a Sigstore bundle, exactly as 'sdlkit sign' signs a file. The
manifest is canonical: the same files give the same bytes.

Symbolic links, devices and pipes are refused, not followed: what a link
points to is not part of the release, and a verifier must never be led
outside DIR. File names must be portable: valid UTF-8, no backslashes or
control characters. Empty directories are not recorded.

Sign the files you ship one by one first (sdlkit sign, sdlkit attest) if
you want per-file bundles: they are then files of the release like any other.

The manifest and its bundle never replace a file of the release: inside DIR
they go to their default paths or to paths where no file exists yet. Both
are written only when the release was signed; a failed run writes nothing.
The manifest's and the bundle's paths are printed on stdout. Key and keyless
options are those of 'sdlkit sign'.`,
		Example: `  SDLKIT_PASSWORD=… sdlkit release sign dist --key release.key
  sdlkit release sign dist --keyless
  sdlkit release sign dist --key release.key --manifest out/manifest.json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := opts.check(cmd); err != nil {
				return err
			}
			for _, flag := range []string{"bundle", "manifest"} {
				if cmd.Flags().Lookup(flag).Value.String() == "-" {
					return usageErrorf("%s: --%s - is not supported: the manifest and its bundle are written to files beside each other", cmd.CommandPath(), flag)
				}
			}
			return runReleaseSign(cmd.Context(), a, &opts, release.NewPaths(args[0], opts.manifest, opts.bundle))
		},
	}
	opts.signerOptions.register(cmd)
	opts.releasePaths.register(cmd)
	opts.rec.register(cmd)
	return cmd
}

// runReleaseSign checks the directory and every output before it asks for
// a password, hashes the release, and puts the manifest and its bundle in
// place only when both were made: a failed run leaves nothing.
func runReleaseSign(ctx context.Context, a *app, opts *releaseSignOptions, paths release.Paths) error {
	if err := paths.CheckDir(); err != nil {
		return inputError(err)
	}
	if err := paths.CheckOutputs(); err != nil {
		return inputError(err, "write the manifest and its bundle outside the release directory, or at their default paths")
	}
	outputs := []namedPath{{"release manifest", paths.Manifest}, {"release bundle", paths.Bundle}}
	if err := checkOutputs(outputs, opts.inputs()); err != nil {
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
	ro, meter := releaseOptions(a, paths, pending[0].TempPath(), pending[1].TempPath())
	signed, err := release.Sign(ctx, paths.Dir, s, ro, opts.signOptions())
	meter.Stop()
	if err != nil {
		return releaseSignError(err)
	}
	if _, err := pending[0].Write(signed.Bytes); err != nil {
		return inputError(fmt.Errorf("write release manifest %q: %w", paths.Manifest, err))
	}
	bundle, err := encodeBundle(signed.Bundle, pending[1])
	if err != nil {
		return inputError(fmt.Errorf("sign release manifest %q: %w", paths.Manifest, err))
	}
	if err := commitOutputs(pending); err != nil {
		return err
	}
	if _, err := fmt.Fprintf(a.out, "%s\n%s\n", paths.Manifest, paths.Bundle); err != nil {
		return err
	}
	var bytes int64
	for _, f := range signed.Manifest.Files {
		bytes += f.Size
	}
	a.infof("signed release %s: %d files, %d bytes, manifest %s", paths.Dir, len(signed.Manifest.Files), bytes, signed.Digest)
	ev := signatureEvidence("release-manifest", "sdlkit release sign", s, paths.Manifest, signed.Digest, bundle)
	ev.blobs = append(ev.blobs, ledger.Blob{Name: filepath.Base(paths.Manifest), Data: signed.Bytes})
	ev.facts["files"] = strconv.Itoa(len(signed.Manifest.Files))
	ev.summary = fmt.Sprintf("release manifest of %s: %d files, %d bytes, %s", filepath.Base(paths.Dir), len(signed.Manifest.Files), bytes, signed.Digest)
	return opts.rec.append(ctx, a, l, ev)
}

// releaseSignError adds the hint that helps with a release that cannot be
// listed.
func releaseSignError(err error) error {
	switch {
	case errors.Is(err, release.ErrUnsupportedFile):
		return inputError(err, "replace the link by the file it points to, or move it out of the release directory")
	case errors.Is(err, release.ErrUnsafePath):
		return inputError(err, "rename the file: release paths must be portable (UTF-8, no backslashes or control characters)")
	}
	return inputError(err)
}

type releaseVerifyOptions struct {
	verifyCmdOptions
	releasePaths
}

const releaseVerifyLong = `Verify checks a release directory in one command, offline:

  1. the manifest's Sigstore bundle, with --key or with the certificate
     identity and the trusted root, exactly as 'sdlkit verify' checks a file;
  2. the manifest itself: its version, and that every path is a plain
     relative path inside DIR (a manifest listing ../etc/passwd is refused
     before any file is opened);
  3. every file in DIR: listed, same size, same SHA-256 and SHA-512; nothing
     listed is missing, nothing unlisted was added, no symbolic links.

Nothing in the manifest is used before its signature verifies. Every
difference is listed on stderr (and in the JSON with --format json), not
just the first.

What it proves: DIR holds exactly the files the signer released, byte for
byte. What it does not prove: that the signer is the right one for this
product (check the key or identity against the supplier's documentation),
or that the files are free of vulnerabilities.

Exit status: 0 verified; 1 invalid (bad signature, wrong key or identity,
unsafe manifest, files that differ); 2 could not read (missing or
unparsable manifest, bundle, key or trusted root) or usage error.`

func newReleaseVerifyCmd(a *app) *cobra.Command {
	var opts releaseVerifyOptions
	cmd := &cobra.Command{
		Use:   "verify DIR (--key PUB | --certificate-identity ID --certificate-oidc-issuer ISS)",
		Short: "Verify a signed release directory, offline",
		Long:  releaseVerifyLong,
		Example: `  sdlkit release verify plc-fw-1.2.0 --key acme-release.pub
  sdlkit release verify plc-fw-1.2.0 --trusted-root trusted_root.json \
      --certificate-identity https://github.com/acme/fw/.github/workflows/release.yml@refs/tags/v1.2.0 \
      --certificate-oidc-issuer https://token.actions.githubusercontent.com
  sdlkit release verify dist --key release.pub --format json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(opts.format, "text", "json"); err != nil {
				return err
			}
			return runReleaseVerify(cmd, a, &opts, release.NewPaths(args[0], opts.releasePaths.manifest, opts.releasePaths.bundle))
		},
	}
	opts.releasePaths.register(cmd)
	opts.registerPolicy(cmd)
	cmd.Flags().StringVarP(&opts.format, "format", "f", "text", "output format: text or json")
	return cmd
}

// runReleaseVerify reads the manifest, the bundle, the key and the trusted
// root, and leaves the verification and its rendering to package release.
func runReleaseVerify(cmd *cobra.Command, a *app, opts *releaseVerifyOptions, paths release.Paths) error {
	ctx := cmd.Context()
	policy, err := opts.policy(cmd)
	if err != nil {
		return err
	}
	manifest, err := release.ReadManifestFile(ctx, paths.Manifest)
	if errors.Is(err, fs.ErrNotExist) {
		return inputError(err, "sign the release with 'sdlkit release sign DIR', or pass --manifest")
	} else if err != nil {
		return inputError(err)
	}
	b, err := signing.ReadBundleFileContext(ctx, paths.Bundle)
	if err != nil {
		return verifyError(err)
	}
	if err := opts.addTrustedRoot(ctx, a, b, &policy); err != nil {
		return err
	}
	ro, meter := releaseOptions(a, paths)
	v, verr := paths.Verify(ctx, manifest, b, policy, ro)
	meter.Stop()
	if v != nil {
		if err := v.WriteText(a.err, "sdlkit: "); err != nil {
			return err
		}
		if opts.format == "json" {
			if err := v.WriteJSON(a.out); err != nil {
				return err
			}
		}
	}
	return releaseVerifyError(verr)
}

// releaseVerifyError maps errors to exit codes: 1 for a release that was
// read and is not what was signed, 2 for what could not be read.
func releaseVerifyError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, release.ErrMismatch):
		return checkFailed(err, "the directory is not what was signed: do not install it; the files above differ")
	case errors.Is(err, release.ErrUnsafePath):
		return checkFailed(err, "the signed manifest has a path that is not a plain relative path inside the release directory: do not use this release")
	case errors.Is(err, release.ErrInvalidManifest):
		return inputError(err)
	}
	return verifyError(err)
}
