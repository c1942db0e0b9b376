package signing

import (
	"context"
	"crypto"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"github.com/sigstore/sigstore/pkg/signature"

	"github.com/sdlkit/sdlkit/internal/readlimit"
)

// Identity is the signer a certificate (keyless) bundle must name: the
// certificate's subject alternative name and the OIDC issuer that vouched
// for it. Each is matched exactly, or by a Go regular expression in the
// …Regexp field; one of each pair is required.
type Identity struct {
	SAN          string
	SANRegexp    string
	Issuer       string
	IssuerRegexp string
	// GitHubWorkflowRepository (owner/name) and GitHubWorkflowRef
	// (refs/tags/v1.2.0), when set, must equal the certificate's GitHub
	// workflow repository and ref extensions: the repository whose workflow
	// run signed. A reusable workflow's SAN is the same for every
	// repository that calls it; these name the caller, as cosign's
	// --certificate-github-workflow-repository and -ref do.
	GitHubWorkflowRepository string
	GitHubWorkflowRef        string
}

// Policy says whom a bundle must come from. Exactly one of PublicKey and
// Identity is set.
type Policy struct {
	// PublicKey verifies key-signed bundles.
	PublicKey crypto.PublicKey
	// Identity verifies certificate (keyless) bundles.
	Identity *Identity
	// TrustedRoot holds the Fulcio, Rekor, CT log and TSA keys. It is
	// required for certificate bundles and for key bundles that carry
	// transparency log entries or signed timestamps.
	TrustedRoot root.TrustedMaterial
	// PredicateType, when set, requires an attestation (DSSE in-toto
	// statement) of this predicate type.
	PredicateType string
	// InsecureIgnoreSCT accepts certificates without a signed certificate
	// timestamp from a trusted CT log. Only for private Sigstore
	// deployments that run no CT log; like cosign's --insecure-ignore-sct.
	InsecureIgnoreSCT bool
}

// Verify checks bundle b against an artifact's SHA-256 digest under policy
// p. All checks are sigstore-go's. A failed check wraps ErrInvalid.
func Verify(b *Bundle, d Digest, p Policy) (*Result, error) {
	return VerifyDigest(b, "sha256", d[:], p)
}

// VerifyDigest is Verify for a digest of any algorithm sigstore-go knows
// ("sha256", "sha384", "sha512").
func VerifyDigest(b *Bundle, algorithm string, digest []byte, p Policy) (*Result, error) {
	return verifyWith(b, verify.WithArtifactDigest(algorithm, digest), p)
}

// VerifyReader checks b against the artifact's bytes read from r, so that
// in-toto subjects with any digest algorithm can be matched.
func VerifyReader(b *Bundle, r io.Reader, p Policy) (*Result, error) {
	return verifyWith(b, verify.WithArtifact(r), p)
}

// VerifyFile checks b against the file at path, reading it once, and
// returns the file's SHA-256 digest with the result (also when the check
// fails, once the file was read). A file that cannot be read, or is not a
// regular file, wraps ErrUnreadable.
func VerifyFile(b *Bundle, path string, p Policy) (*Result, Digest, error) {
	return VerifyFileContext(context.Background(), b, path, p)
}

// VerifyFileContext is VerifyFile whose reading stops, with an error
// wrapping ctx.Err(), once ctx is cancelled.
func VerifyFileContext(ctx context.Context, b *Bundle, path string, p Policy) (*Result, Digest, error) {
	f, _, err := readlimit.OpenRegular(path, "artifact")
	if err != nil {
		return nil, Digest{}, unreadable(err)
	}
	defer f.Close()
	r := readlimit.ContextReader(ctx, f)
	// Hash what the verifier reads, and whatever it leaves unread.
	h := sha256.New()
	res, verr := VerifyReader(b, io.TeeReader(r, h), p)
	if _, err := io.Copy(h, r); err != nil {
		return nil, Digest{}, readError(ctx, path, err)
	}
	if ctx.Err() != nil {
		return nil, Digest{}, readError(ctx, path, ctx.Err())
	}
	var d Digest
	copy(d[:], h.Sum(nil))
	return res, d, verr
}

// NeedsTrustedRoot reports whether verifying b needs a trusted root beyond
// a public key: it has a certificate, log entries or signed timestamps.
func NeedsTrustedRoot(b *Bundle) bool { return needsTrustedRoot(b.b) }

func needsTrustedRoot(e verify.SignedEntity) bool {
	f, err := bundleFacts(e)
	return err != nil || f.cert || f.tlogs > 0 || f.tsas > 0
}

func verifyWith(b *Bundle, artifact verify.ArtifactPolicyOption, p Policy) (*Result, error) {
	return verifyEntity(b.b, b.MediaType(), artifact, p)
}

// verifyEntity verifies any sigstore-go SignedEntity: a bundle, or in
// tests the in-memory entities of sigstore-go's VirtualSigstore.
func verifyEntity(e verify.SignedEntity, mediaType string, artifact verify.ArtifactPolicyOption, p Policy) (*Result, error) {
	material, identity, err := p.material(e)
	if err != nil {
		return nil, err
	}
	opts, err := verifierOptions(e, p)
	if err != nil {
		return nil, err
	}
	v, err := verify.NewVerifier(material, opts...)
	if err != nil {
		return nil, fmt.Errorf("verify bundle: %w", err)
	}
	res, err := v.Verify(e, verify.NewPolicy(artifact, identity))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if err := p.checkPredicate(res); err != nil {
		return nil, err
	}
	return newResult(e, mediaType, res), nil
}

// material builds the trusted material and identity policy of p.
func (p Policy) material(e verify.SignedEntity) (root.TrustedMaterial, verify.PolicyOption, error) {
	switch {
	case p.PublicKey != nil && p.Identity != nil:
		return nil, nil, errors.New("verify bundle: give a public key or an identity, not both")
	case p.PublicKey == nil && p.Identity == nil:
		return nil, nil, errors.New("verify bundle: no public key and no identity to verify against")
	}
	var coll root.TrustedMaterialCollection
	if p.TrustedRoot != nil {
		coll = append(coll, p.TrustedRoot)
	} else if p.Identity != nil || needsTrustedRoot(e) {
		return nil, nil, ErrNoTrustedRoot
	}
	if p.Identity == nil {
		km, err := keyMaterial(p.PublicKey)
		if err != nil {
			return nil, nil, err
		}
		return append(coll, km), verify.WithKey(), nil
	}
	if f, err := bundleFacts(e); err == nil && !f.cert {
		return nil, nil, fmt.Errorf("%w: the bundle is signed with a key, not a certificate; verify it with the signer's public key", ErrInvalid)
	}
	id, err := verify.NewShortCertificateIdentity(p.Identity.Issuer, p.Identity.IssuerRegexp, p.Identity.SAN, p.Identity.SANRegexp)
	if err != nil {
		return nil, nil, fmt.Errorf("verify bundle: identity: %w", err)
	}
	id.Extensions = certificate.Extensions{GithubWorkflowRepository: p.Identity.GitHubWorkflowRepository, GithubWorkflowRef: p.Identity.GitHubWorkflowRef}
	return coll, verify.WithCertificateIdentity(id), nil
}

// keyMaterial trusts pub for any key ID at any time: a key given on the
// command line has no validity window.
func keyMaterial(pub crypto.PublicKey) (root.TrustedMaterial, error) {
	v, err := signature.LoadDefaultVerifier(pub)
	if err != nil {
		return nil, fmt.Errorf("verify bundle: %w: %v", ErrKeyType, err)
	}
	key := root.NewExpiringKey(v, time.Time{}, time.Time{})
	return root.NewTrustedPublicKeyMaterial(func(string) (root.TimeConstrainedVerifier, error) {
		return key, nil
	}), nil
}

func (p Policy) checkPredicate(res *verify.VerificationResult) error {
	if p.PredicateType == "" {
		return nil
	}
	if res.Statement == nil {
		return fmt.Errorf("%w: the bundle holds a plain signature, not an attestation of type %s", ErrInvalid, p.PredicateType)
	}
	if got := res.Statement.GetPredicateType(); got != p.PredicateType {
		return fmt.Errorf("%w: predicate type is %s, want %s", ErrInvalid, got, p.PredicateType)
	}
	return nil
}
