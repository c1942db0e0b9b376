package release

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/sdlkit/sdlkit/internal/readlimit"
	"github.com/sdlkit/sdlkit/signing"
)

// BundleSuffix is appended to the manifest's path to name its bundle when
// the user names none, as 'sdlkit sign' names the bundle of any file.
const BundleSuffix = ".sigstore.json"

// Signed is a release manifest with its Sigstore bundle.
type Signed struct {
	Manifest *Manifest
	// Bytes are the manifest's canonical bytes, the signed artifact.
	Bytes []byte
	// Digest is the SHA-256 digest of Bytes.
	Digest signing.Digest
	Bundle *signing.Bundle
}

// Sign builds the manifest of dir and signs its canonical bytes with s: a
// message signature over the manifest, which any Sigstore client (cosign
// verify-blob) verifies against the manifest file.
func Sign(ctx context.Context, dir string, s *signing.Signer, opts Options, so signing.SignOptions) (*Signed, error) {
	m, err := Build(ctx, dir, opts)
	if err != nil {
		return nil, err
	}
	data, err := m.Marshal()
	if err != nil {
		return nil, err
	}
	if len(data) > MaxManifestSize {
		return nil, fmt.Errorf("read release %q: %w: its manifest would be %s, larger than the %s limit for a manifest that verify reads", dir, ErrInvalidManifest, readlimit.FormatSize(int64(len(data))), readlimit.FormatSize(MaxManifestSize))
	}
	d := signing.DigestBytes(data)
	b, err := s.SignDigest(ctx, d, so)
	if err != nil {
		return nil, fmt.Errorf("sign release manifest: %w", err)
	}
	return &Signed{Manifest: m, Bytes: data, Digest: d, Bundle: b}, nil
}

// Verification is what a successful or failed release verification found;
// it is what 'sdlkit release verify' reports, as text on stderr (WriteText)
// and as JSON on stdout (WriteJSON).
type Verification struct {
	// Directory, Manifest and Bundle locate the release (Paths).
	Directory string `json:"directory"`
	Manifest  string `json:"manifest"`
	Bundle    string `json:"bundle"`
	// Verified is true when the signature and every file checked out.
	Verified bool `json:"verified"`
	// ManifestDigest is "sha256:…" of the manifest's bytes.
	ManifestDigest string `json:"manifestDigest"`
	// Signature holds the verified facts about the manifest's signature.
	Signature *signing.Result `json:"signature"`
	// Files is the comparison of the directory with the manifest.
	Files *Report `json:"files"`
}

// VerifySigned checks a release in the order a customer needs: the bundle
// against the manifest's bytes under policy p (package signing: a failure
// wraps signing.ErrInvalid, an unreadable bundle or root
// signing.ErrUnreadable), then the manifest's format and paths
// (ErrInvalidManifest, ErrUnsafePath), then every file of dir against it
// (ErrMismatch). Nothing in the manifest is trusted, or even parsed, before
// its signature verifies. The returned Verification is non-nil whenever the
// signature verified, also when the files did not match.
func VerifySigned(ctx context.Context, dir string, manifest []byte, b *signing.Bundle, p signing.Policy, opts Options) (*Verification, error) {
	return verifySigned(ctx, Paths{Dir: dir}, manifest, b, p, opts)
}

// Verify is VerifySigned for the release at p, whose manifest's bytes and
// bundle the caller read from p.Manifest (ReadManifestFile) and p.Bundle.
// The Verification names the three paths, and a signature that does not
// verify is an error naming the manifest and the bundle.
func (p Paths) Verify(ctx context.Context, manifest []byte, b *signing.Bundle, policy signing.Policy, opts Options) (*Verification, error) {
	return verifySigned(ctx, p, manifest, b, policy, opts)
}

func verifySigned(ctx context.Context, paths Paths, manifest []byte, b *signing.Bundle, p signing.Policy, opts Options) (*Verification, error) {
	d := signing.DigestBytes(manifest)
	res, err := signing.Verify(b, d, p)
	if err != nil {
		if paths.Manifest == "" {
			return nil, fmt.Errorf("verify release manifest signature: %w", err)
		}
		return nil, fmt.Errorf("verify release manifest %q with bundle %q: %w", paths.Manifest, paths.Bundle, err)
	}
	v := &Verification{Directory: paths.Dir, Manifest: paths.Manifest, Bundle: paths.Bundle, ManifestDigest: d.String(), Signature: res}
	m, err := Parse(manifest)
	if err != nil {
		return v, fmt.Errorf("read signed release manifest: %w", err)
	}
	v.Files, err = Verify(ctx, paths.Dir, m, opts)
	v.Verified = err == nil
	return v, err
}

// WriteJSON writes the verification as indented JSON with a final
// newline: the stable form that 'sdlkit release verify --format json'
// prints.
func (v *Verification) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// WriteText writes what was verified, one line each starting with prefix:
// the signature's facts, then every file that differs, or the summary when
// none does.
func (v *Verification) WriteText(w io.Writer, prefix string) error {
	if v.Signature != nil {
		if err := v.Signature.WriteFacts(w, prefix, v.Manifest); err != nil {
			return err
		}
	}
	if v.Files == nil {
		return nil
	}
	var b strings.Builder
	for _, p := range v.Files.Problems {
		fmt.Fprintf(&b, "%s  %-12s %q: %s\n", prefix, string(p.Kind)+":", p.Path, p.Detail)
	}
	if len(v.Files.Problems) == 0 {
		fmt.Fprintf(&b, "%sverified release %s: %d files, %d bytes match %s\n", prefix, v.Directory, v.Files.Matched, v.Files.MatchedBytes, v.ManifestDigest)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
