package signing

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/sigstore/sigstore/pkg/signature/kms"
	"github.com/sigstore/sigstore/pkg/signature/options"

	"github.com/sdlkit/sdlkit/internal/readlimit"
)

// KMSSchemes are the key reference prefixes that LoadSigner hands to
// sigstore's kms package.
var KMSSchemes = []string{"awskms://", "gcpkms://", "azurekms://", "hashivault://"}

// Signer signs with one key: a decrypted key file, a KMS key, or an
// ephemeral key certified by Fulcio (keyless). It implements sigstore-go's
// sign.Keypair.
type Signer struct {
	sv     signature.SignerVerifier
	pub    crypto.PublicKey
	alg    signature.AlgorithmDetails
	hint   []byte
	keyRef string

	// keyless is set for NewKeylessSigner: certificates come from Fulcio.
	keyless *KeylessOptions
}

// IsKMS reports whether ref is a KMS key reference rather than a file.
func IsKMS(ref string) bool {
	for _, s := range KMSSchemes {
		if strings.HasPrefix(ref, s) {
			return true
		}
	}
	return false
}

// LoadSigner returns a Signer for keyRef: a KMS URI (see KMSSchemes) or the
// path of an encrypted private key file in cosign's format. pass is called
// once for a key file and never for a KMS key. The key file is read once,
// at most MaxKeySize bytes; a read from a pipe stops when ctx is cancelled.
func LoadSigner(ctx context.Context, keyRef string, pass PasswordFunc) (*Signer, error) {
	if IsKMS(keyRef) {
		return loadKMSSigner(ctx, keyRef)
	}
	data, err := readlimit.ReadFile(ctx, keyRef, keyKind)
	if err != nil {
		return nil, unreadable(err)
	}
	priv, err := ParsePrivateKey(keyRef, data, pass)
	if err != nil {
		return nil, err
	}
	return newSigner(keyRef, priv)
}

// NewSigner wraps an in-memory private key (ECDSA or RSA), for tests and
// for callers that manage keys themselves.
func NewSigner(priv crypto.Signer) (*Signer, error) {
	if _, err := checkSigner("in memory", priv); err != nil {
		return nil, err
	}
	return newSigner("", priv)
}

func newSigner(ref string, priv crypto.PrivateKey) (*Signer, error) {
	pub := priv.(crypto.Signer).Public()
	alg, err := signature.GetDefaultAlgorithmDetails(pub)
	if err != nil {
		return nil, fmt.Errorf("load key %q: %w: %v", ref, ErrKeyType, err)
	}
	sv, err := signature.LoadSignerVerifierFromAlgorithmDetails(priv, alg)
	if err != nil {
		return nil, fmt.Errorf("load key %q: %w: %v", ref, ErrKeyType, err)
	}
	return finishSigner(ref, sv, pub, alg)
}

func loadKMSSigner(ctx context.Context, ref string) (*Signer, error) {
	sv, err := kms.Get(ctx, ref, crypto.SHA256)
	if err != nil {
		var nf *kms.ProviderNotFoundError
		if errors.As(err, &nf) {
			scheme, _, _ := strings.Cut(ref, "://")
			return nil, fmt.Errorf("load kms key %s: this sdlkit has no built-in %s provider and no plugin program sigstore-kms-%s on PATH", ref, scheme, scheme)
		}
		return nil, fmt.Errorf("load kms key %s: %w", ref, err)
	}
	pub, err := sv.PublicKey(options.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("load kms key %s: public key: %w", ref, err)
	}
	alg, err := signature.GetDefaultAlgorithmDetails(pub)
	if err != nil {
		return nil, fmt.Errorf("load kms key %s: %w: %v", ref, ErrKeyType, err)
	}
	return finishSigner(ref, sv, pub, alg)
}

func finishSigner(ref string, sv signature.SignerVerifier, pub crypto.PublicKey, alg signature.AlgorithmDetails) (*Signer, error) {
	if alg.GetHashType() != crypto.SHA256 {
		return nil, fmt.Errorf("load key %q: %w: %s signs with %v, sdlkit signs SHA-256 digests; use an ECDSA P-256 key", ref, ErrKeyType, alg.GetSignatureAlgorithm(), alg.GetHashType())
	}
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("load key %q: %w", ref, err)
	}
	sum := sha256.Sum256(der)
	return &Signer{sv: sv, pub: pub, alg: alg, keyRef: ref, hint: []byte(base64.StdEncoding.EncodeToString(sum[:]))}, nil
}

// newEphemeralSigner makes a fresh ECDSA P-256 key for one keyless signing.
func newEphemeralSigner() (*Signer, error) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	return newSigner("ephemeral", priv)
}

// PublicKey returns the signer's public key.
func (s *Signer) PublicKey() crypto.PublicKey { return s.pub }

// PublicKeyPEM returns the signer's public key as PEM.
func (s *Signer) PublicKeyPEM() ([]byte, error) { return cryptoutils.MarshalPublicKeyToPEM(s.pub) }

// Keyless reports whether the signer gets its certificate from Fulcio.
func (s *Signer) Keyless() bool { return s.keyless != nil }

// GetHashAlgorithm implements sign.Keypair.
func (s *Signer) GetHashAlgorithm() protocommon.HashAlgorithm { return s.alg.GetProtoHashType() }

// GetSigningAlgorithm implements sign.Keypair.
func (s *Signer) GetSigningAlgorithm() protocommon.PublicKeyDetails {
	return s.alg.GetSignatureAlgorithm()
}

// GetHint implements sign.Keypair: base64 of the SHA-256 of the PKIX key.
func (s *Signer) GetHint() []byte { return s.hint }

// GetKeyAlgorithm implements sign.Keypair.
func (s *Signer) GetKeyAlgorithm() string {
	switch s.alg.GetKeyType() {
	case signature.ECDSA:
		return "ECDSA"
	case signature.RSA:
		return "RSA"
	default:
		return ""
	}
}

// GetPublicKey implements sign.Keypair.
func (s *Signer) GetPublicKey() crypto.PublicKey { return s.pub }

// GetPublicKeyPem implements sign.Keypair.
func (s *Signer) GetPublicKeyPem() (string, error) {
	b, err := s.PublicKeyPEM()
	return string(b), err
}

// SignData implements sign.Keypair: it hashes data and signs the digest.
func (s *Signer) SignData(ctx context.Context, data []byte) ([]byte, []byte, error) {
	h := s.alg.GetHashType().New()
	h.Write(data)
	return s.signDigest(ctx, h.Sum(nil))
}

func (s *Signer) signDigest(ctx context.Context, digest []byte) ([]byte, []byte, error) {
	sig, err := s.sv.SignMessage(bytes.NewReader(nil), options.WithDigest(digest),
		options.WithCryptoSignerOpts(s.alg.GetHashType()), options.WithContext(ctx))
	if err != nil {
		return nil, nil, fmt.Errorf("sign: %w", err)
	}
	return sig, digest, nil
}

// prehashed is the Keypair handed to sign.Bundle for message signatures
// over a digest computed while streaming the file: the "data" it is given
// is already the SHA-256 digest. This keeps multi-gigabyte firmware images
// out of memory; the resulting signature is the same as over the file.
type prehashed struct{ *Signer }

func (p prehashed) SignData(ctx context.Context, digest []byte) ([]byte, []byte, error) {
	return p.signDigest(ctx, digest)
}
