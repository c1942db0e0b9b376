package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

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
	f.StringVar(&o.trustedRoot, "trusted-root", "", "Sigstore trusted_root.json; no network access at all when given")
	f.BoolVar(&o.insecureIgnoreSCT, "insecure-ignore-sct", false, "accept certificates without an SCT (private Sigstore deployments without a CT log only)")
	for _, id := range []string{"certificate-identity", "certificate-identity-regexp", "certificate-oidc-issuer", "certificate-oidc-issuer-regexp"} {
		cmd.MarkFlagsMutuallyExclusive("key", id)
	}
	cmd.MarkFlagsMutuallyExclusive("certificate-identity", "certificate-identity-regexp")
	cmd.MarkFlagsMutuallyExclusive("certificate-oidc-issuer", "certificate-oidc-issuer-regexp")
}

// verifyOutput is the JSON result of verify.
type verifyOutput struct {
	Artifact string `json:"artifact"`
	Digest   string `json:"digest,omitempty"`
	Bundle   string `json:"bundle"`
	Verified bool   `json:"verified"`
	// Error says why verification failed, when it did.
	Error string `json:"error,omitempty"`
	*signing.Result
}

func runVerify(cmd *cobra.Command, a *app, opts *verifyCmdOptions, file string) error {
	bundlePath := opts.bundle
	if bundlePath == "" {
		bundlePath = file + bundleSuffix
	}
	policy, err := opts.policy(cmd)
	if err != nil {
		return err
	}
	b, err := signing.ReadBundleFileContext(cmd.Context(), bundlePath)
	if err != nil {
		return verifyError(err)
	}
	if err := opts.addTrustedRoot(cmd.Context(), a, b, &policy); err != nil {
		return err
	}
	res, digest, err := verifyArtifact(cmd.Context(), b, file, policy)
	if err != nil {
		err = fmt.Errorf("verify %s with %s: %w", file, bundlePath, err)
		if opts.format == "json" && errors.Is(err, signing.ErrInvalid) {
			// A pipeline reading JSON learns the verdict from stdout too.
			if werr := writeJSON(a.out, verifyOutput{Artifact: file, Digest: digest, Bundle: bundlePath, Error: oneLine(err.Error())}); werr != nil {
				return werr
			}
		}
		return verifyError(err)
	}
	printFacts(a, file, res)
	if opts.format == "json" {
		return writeJSON(a.out, verifyOutput{Artifact: file, Digest: digest, Bundle: bundlePath, Verified: true, Result: res})
	}
	return nil
}

// verifyArtifact verifies b against FILE, or against a sha256: digest when
// FILE is one and no such file exists.
func verifyArtifact(ctx context.Context, b *signing.Bundle, file string, p signing.Policy) (*signing.Result, string, error) {
	if strings.HasPrefix(file, "sha256:") {
		if _, statErr := os.Stat(file); statErr != nil {
			d, err := signing.ParseDigest(file)
			if err != nil {
				return nil, "", fmt.Errorf("%w: %v", signing.ErrUnreadable, err)
			}
			res, err := signing.Verify(b, d, p)
			return res, d.String(), err
		}
	}
	res, d, err := signing.VerifyFileContext(ctx, b, file, p)
	if err != nil {
		return nil, "", err
	}
	return res, d.String(), nil
}

func (o *verifyCmdOptions) policy(cmd *cobra.Command) (signing.Policy, error) {
	p := signing.Policy{InsecureIgnoreSCT: o.insecureIgnoreSCT}
	hasIdentity := o.identity != "" || o.identityRegexp != "" || o.issuer != "" || o.issuerRegexp != ""
	switch {
	case o.key != "" && hasIdentity:
		return p, usageErrorf("%s: give --key or a certificate identity, not both", cmd.CommandPath())
	case o.key != "":
		pub, err := signing.LoadPublicKey(cmd.Context(), o.key, nil)
		if err != nil {
			return p, keyError(err)
		}
		p.PublicKey = pub
	case (o.identity == "" && o.identityRegexp == "") || (o.issuer == "" && o.issuerRegexp == ""):
		return p, usageErrorf("%s: give --key PUB, or --certificate-identity[-regexp] with --certificate-oidc-issuer[-regexp]", cmd.CommandPath())
	default:
		p.Identity = &signing.Identity{SAN: o.identity, SANRegexp: o.identityRegexp, Issuer: o.issuer, IssuerRegexp: o.issuerRegexp}
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
	case errors.Is(err, signing.ErrInvalid):
		return checkFailed(err)
	case errors.Is(err, signing.ErrKeyType):
		return keyError(err)
	}
	return inputError(err)
}

// printFacts prints what was verified on stderr.
func printFacts(a *app, file string, r *signing.Result) {
	a.infof("verified %s", file)
	if r.Identity != "" {
		a.infof("  signer identity: %s", r.Identity)
		a.infof("  oidc issuer:     %s", r.Issuer)
	} else {
		a.infof("  signed with:     the given public key")
	}
	if r.PredicateType != "" {
		a.infof("  predicate type:  %s", r.PredicateType)
	}
	for _, e := range r.Tlog {
		if e.IntegratedTime.IsZero() {
			a.infof("  log index:       %d", e.LogIndex)
		} else {
			a.infof("  log index:       %d, integrated %s", e.LogIndex, e.IntegratedTime.Format("2006-01-02T15:04:05Z"))
		}
	}
	for _, t := range r.Timestamps {
		if t.Source != "Tlog" {
			a.infof("  timestamp:       %s (%s)", t.Time.Format("2006-01-02T15:04:05Z"), t.Source)
		}
	}
}
