package main

import (
	"context"
	"errors"

	"github.com/spf13/cobra"

	"github.com/sdlkit/sdlkit/signing"
)

type verifyCmdOptions struct {
	bundle            string
	key               string
	identity          string
	identityRegexp    string
	issuer            string
	issuerRegexp      string
	workflowRepo      string
	workflowRef       string
	trustedRoot       string
	typ               string
	format            string
	insecureIgnoreSCT bool
}

const verifyLong = `Verify checks that BUNDLE is a valid Sigstore signature or attestation over
FILE by the expected signer. All checks are made by sigstore-go's verifier:

  - the signature over FILE's digest (or the in-toto statement's subject
    for attestations), with --key or with the bundle's certificate;
  - for certificates: the chain to a Fulcio CA of the trusted root, the
    embedded SCT from a trusted CT log, the identity (--certificate-identity
    or --certificate-identity-regexp) and OIDC issuer
    (--certificate-oidc-issuer or --certificate-oidc-issuer-regexp), and that
    the certificate was valid when the signature was logged or timestamped;
  - every transparency log entry (inclusion proof, checkpoint, signed entry
    timestamp) and every RFC 3161 timestamp in the bundle;
  - with --type, that the bundle is an attestation of that predicate type.

A key-signed bundle without log entries is checked against the key alone.

What a successful verification proves: FILE is byte for byte what the holder
of the key, or the workload with that identity, signed; for keyless bundles,
that it was signed while the certificate was valid and was publicly logged.
What it does not prove: that the signer or the build was trustworthy, that
the identity you gave is the right one for this product (check it against
the supplier's documentation), or anything about a file other than FILE.

Offline: with --trusted-root FILE, verify makes no network request at all.
Without it, a bundle that needs a trusted root (certificates, log entries,
timestamps) makes sdlkit fetch the Sigstore public-good trusted root over
TUF, which needs the network (and caches it under ~/.sigstore/root). On
isolated networks, carry trusted_root.json in - the supplier's copy shipped
with the release, or the target trusted_root.json of the Sigstore TUF
repository fetched on a connected machine - and pass --trusted-root.
Key-signed bundles without log entries need neither.

FILE may also be a digest, sha256:<hex>, when the file itself is not at hand.

Exit status: 0 verified; 1 invalid (signature, digest, identity, log entry
or certificate does not check out); 2 could not read (missing, truncated or
unparsable bundle, unknown bundle version, key or trusted root that does not
parse) or usage error. The verified facts are printed on stderr, and as JSON
on stdout with --format json.`

func newVerifyCmd(a *app) *cobra.Command {
	var opts verifyCmdOptions
	cmd := &cobra.Command{
		Use:   "verify FILE [--bundle B] (--key PUB | --certificate-identity ID --certificate-oidc-issuer ISS)",
		Short: "Verify a file's Sigstore signature or attestation, offline with --trusted-root",
		Long:  verifyLong,
		Example: `  sdlkit verify fw.bin --key release.pub
  sdlkit verify fw.bin --bundle fw.bin.sigstore.json --trusted-root trusted_root.json \
      --certificate-identity https://github.com/acme/fw/.github/workflows/release.yml@refs/tags/v1.2.0 \
      --certificate-oidc-issuer https://token.actions.githubusercontent.com
  sdlkit verify fw.bin --bundle fw.cdx.sigstore.json --key release.pub --type cyclonedx --format json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(opts.format, "text", "json"); err != nil {
				return err
			}
			return runVerify(cmd, a, &opts, args[0])
		},
	}
	opts.registerPolicy(cmd)
	f := cmd.Flags()
	f.StringVar(&opts.bundle, "bundle", "", "the Sigstore bundle (default FILE.sigstore.json)")
	f.StringVar(&opts.typ, "type", "", "require an attestation of this predicate type (short name or URI, as for attest)")
	f.StringVarP(&opts.format, "format", "f", "text", "output format: text or json")
	return cmd
}

// registerPolicy registers the flags that say whom to trust: --key, the
// certificate identity and issuer (exact or regexp), --trusted-root and
// --insecure-ignore-sct. release verify shares them.
func (o *verifyCmdOptions) registerPolicy(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&o.key, "key", "", "public key (PEM) or KMS URI the bundle must be signed with")
	f.StringVar(&o.identity, "certificate-identity", "", "signer identity the certificate must name (SAN: workflow URI or email)")
	f.StringVar(&o.identityRegexp, "certificate-identity-regexp", "", "Go regular expression the certificate identity must match")
	f.StringVar(&o.issuer, "certificate-oidc-issuer", "", "OIDC issuer the certificate must name, e.g. https://token.actions.githubusercontent.com")
	f.StringVar(&o.issuerRegexp, "certificate-oidc-issuer-regexp", "", "Go regular expression the OIDC issuer must match")
	f.StringVar(&o.workflowRepo, "certificate-github-workflow-repository", "", "the repository (owner/name) whose GitHub Actions run the certificate must name: the caller of a reusable workflow")
	f.StringVar(&o.workflowRef, "certificate-github-workflow-ref", "", "the git ref (refs/tags/v1.2.0) of that GitHub Actions run")
	f.StringVar(&o.trustedRoot, "trusted-root", "", "Sigstore trusted_root.json; no network access at all when given")
	f.BoolVar(&o.insecureIgnoreSCT, "insecure-ignore-sct", false, "accept certificates without an SCT (private Sigstore deployments without a CT log only)")
	for _, id := range []string{"certificate-identity", "certificate-identity-regexp", "certificate-oidc-issuer", "certificate-oidc-issuer-regexp"} {
		cmd.MarkFlagsMutuallyExclusive("key", id)
	}
	cmd.MarkFlagsMutuallyExclusive("certificate-identity", "certificate-identity-regexp")
	cmd.MarkFlagsMutuallyExclusive("certificate-oidc-issuer", "certificate-oidc-issuer-regexp")
}

// runVerify checks the artifact first, then reads the key, the bundle and
// the trusted root, and leaves the verification and its rendering to
// package signing.
func runVerify(cmd *cobra.Command, a *app, opts *verifyCmdOptions, file string) error {
	ctx := cmd.Context()
	bundlePath := opts.bundle
	if bundlePath == "" {
		bundlePath = file + bundleSuffix
	}
	if err := signing.CheckArtifact(file); err != nil {
		return inputError(err)
	}
	policy, err := opts.policy(cmd)
	if err != nil {
		return err
	}
	b, err := signing.ReadBundleFileContext(ctx, bundlePath)
	if err != nil {
		return verifyError(err)
	}
	if err := opts.addTrustedRoot(ctx, a, b, &policy); err != nil {
		return err
	}
	v, err := signing.VerifyArtifact(ctx, b, bundlePath, file, policy)
	if v != nil {
		if werr := v.WriteText(a.err, "sdlkit: "); werr != nil {
			return werr
		}
		// With --format json a pipeline learns the verdict, also a
		// failed one, from stdout.
		if opts.format == "json" {
			if werr := v.WriteJSON(a.out); werr != nil {
				return werr
			}
		}
	}
	return verifyError(err)
}

func (o *verifyCmdOptions) policy(cmd *cobra.Command) (signing.Policy, error) {
	p := signing.Policy{InsecureIgnoreSCT: o.insecureIgnoreSCT}
	hasIdentity := o.identity != "" || o.identityRegexp != "" || o.issuer != "" || o.issuerRegexp != ""
	switch {
	case o.key != "" && hasIdentity:
		return p, usageErrorf("%s: give --key or a certificate identity, not both", cmd.CommandPath())
	case o.key != "" && (o.workflowRepo != "" || o.workflowRef != ""):
		return p, usageErrorf("%s: --certificate-github-workflow-repository and -ref check a certificate: they need a certificate identity, not --key", cmd.CommandPath())
	case o.key != "":
		pub, err := signing.LoadPublicKey(cmd.Context(), o.key, nil)
		if err != nil {
			return p, keyError(err)
		}
		p.PublicKey = pub
	case (o.identity == "" && o.identityRegexp == "") || (o.issuer == "" && o.issuerRegexp == ""):
		return p, usageErrorf("%s: give --key PUB, or --certificate-identity[-regexp] with --certificate-oidc-issuer[-regexp]", cmd.CommandPath())
	default:
		p.Identity = &signing.Identity{SAN: o.identity, SANRegexp: o.identityRegexp, Issuer: o.issuer, IssuerRegexp: o.issuerRegexp,
			GitHubWorkflowRepository: o.workflowRepo, GitHubWorkflowRef: o.workflowRef}
	}
	if o.typ != "" {
		pt, err := signing.ParsePredicateType(o.typ)
		if err != nil {
			return p, usageErrorf("%v", err)
		}
		p.PredicateType = pt
	}
	return p, nil
}

// addTrustedRoot loads --trusted-root, or fetches the public-good root over
// TUF when the bundle needs one and none was given.
func (o *verifyCmdOptions) addTrustedRoot(ctx context.Context, a *app, b *signing.Bundle, p *signing.Policy) error {
	if o.trustedRoot != "" {
		tr, err := signing.LoadTrustedRootContext(ctx, o.trustedRoot)
		if err != nil {
			return inputError(err, "pass a Sigstore trusted_root.json (media type application/vnd.dev.sigstore.trustedroot+json)")
		}
		p.TrustedRoot = tr
		return nil
	}
	if p.Identity == nil && !signing.NeedsTrustedRoot(b) {
		return nil
	}
	a.infof("no --trusted-root: fetching the Sigstore public-good trusted root over TUF")
	tr, err := signing.FetchTrustedRoot("")
	if err != nil {
		return inputError(err, "offline, pass --trusted-root trusted_root.json")
	}
	p.TrustedRoot = tr
	return nil
}

// verifyError maps verification errors to exit codes: 1 invalid, 2 could
// not read.
func verifyError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, signing.ErrInvalid):
		return checkFailed(err)
	case errors.Is(err, signing.ErrKeyType):
		return keyError(err)
	}
	return inputError(err)
}
