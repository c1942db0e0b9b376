package signing

import (
	"context"
	"fmt"

	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/sign"
)

// Public-good Sigstore endpoints, the defaults for keyless signing.
const (
	DefaultFulcioURL = "https://fulcio.sigstore.dev"
	DefaultRekorURL  = "https://rekor.sigstore.dev"
)

// SignOptions tune one signing.
type SignOptions struct {
	// TlogUpload records the signature in the Rekor transparency log and
	// puts the log entry into the bundle.
	TlogUpload bool
	// RekorURL is the Rekor instance (default DefaultRekorURL).
	RekorURL string
}

// SignDigest signs the SHA-256 digest of an artifact and returns a bundle
// with a message signature. The signature equals one over the artifact's
// bytes, so cosign and every Sigstore client verify it against the file.
func (s *Signer) SignDigest(ctx context.Context, d Digest, opts SignOptions) (*Bundle, error) {
	content := &sign.PlainData{Data: d[:]}
	pb, err := s.bundle(ctx, content, prehashed{s}, opts)
	if err != nil {
		return nil, fmt.Errorf("sign %s: %w", d, err)
	}
	return pb, nil
}

// SignFile signs the regular file at path, streaming it through SHA-256
// (see DigestFile).
func (s *Signer) SignFile(ctx context.Context, path string, opts SignOptions) (*Bundle, Digest, error) {
	d, err := DigestFile(ctx, path)
	if err != nil {
		return nil, Digest{}, err
	}
	b, err := s.SignDigest(ctx, d, opts)
	if err != nil {
		return nil, Digest{}, fmt.Errorf("sign %q: %w", path, err)
	}
	return b, d, nil
}

// bundle runs sigstore-go's sign.Bundle with the certificate and log
// providers that s and opts ask for.
func (s *Signer) bundle(ctx context.Context, content sign.Content, kp sign.Keypair, opts SignOptions) (*Bundle, error) {
	bo := sign.BundleOptions{Context: ctx}
	if s.keyless != nil {
		bo.CertificateProvider = s.keyless.certs
		bo.CertificateProviderOptions = &sign.CertificateProviderOptions{IDToken: s.keyless.IDToken}
	}
	if opts.TlogUpload {
		url := opts.RekorURL
		if url == "" {
			url = DefaultRekorURL
		}
		bo.TransparencyLogs = []sign.Transparency{sign.NewRekor(&sign.RekorOptions{BaseURL: url, Retries: 2, UserAgent: "sdlkit"})}
	}
	pb, err := sign.Bundle(content, kp, bo)
	if err != nil {
		return nil, err
	}
	b, err := bundle.NewBundle(pb)
	if err != nil {
		return nil, err
	}
	return &Bundle{b: b}, nil
}
