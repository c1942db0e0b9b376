package release

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"path/filepath"
	"testing"

	"github.com/sdlkit/sdlkit/signing"
)

func newSigner(t *testing.T) *signing.Signer {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := signing.NewSigner(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSignAndVerifySigned(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := writeTree(t, map[string]string{"a/abc.txt": "abc", "bin/app": "binary"})
	s, other := newSigner(t), newSigner(t)
	opts := Options{Exclude: []string{filepath.Join(dir, DefaultName), filepath.Join(dir, DefaultName+BundleSuffix)}}
	signed, err := Sign(ctx, dir, s, opts, signing.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, DefaultName, string(signed.Bytes)) // excluded: no extra file
	good := signing.Policy{PublicKey: s.PublicKey()}

	v, err := VerifySigned(ctx, dir, signed.Bytes, signed.Bundle, good, opts)
	if err != nil {
		t.Fatalf("VerifySigned() = %v", err)
	}
	if v.Files.Matched != 2 || v.Signature.SignedWith != "key" || v.ManifestDigest != signed.Digest.String() {
		t.Errorf("VerifySigned() = %+v, files %+v", v, v.Files)
	}

	if _, err := VerifySigned(ctx, dir, signed.Bytes, signed.Bundle, signing.Policy{PublicKey: other.PublicKey()}, opts); !errors.Is(err, signing.ErrInvalid) {
		t.Errorf("VerifySigned(other key) = %v, want signing.ErrInvalid", err)
	}
	edited := append([]byte(nil), signed.Bytes...)
	edited[len(edited)-3] = ' '
	if _, err := VerifySigned(ctx, dir, edited, signed.Bundle, good, opts); !errors.Is(err, signing.ErrInvalid) {
		t.Errorf("VerifySigned(edited manifest) = %v, want signing.ErrInvalid", err)
	}

	write(t, dir, "bin/app", "binarY")
	v, err = VerifySigned(ctx, dir, signed.Bytes, signed.Bundle, good, opts)
	if !errors.Is(err, ErrMismatch) || v == nil || v.Signature == nil || len(v.Files.Problems) != 1 {
		t.Errorf("VerifySigned(changed file) = %+v, %v; want the verification and ErrMismatch", v, err)
	}
}

func TestVerifySignedRefusesUnsafeSignedManifest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := writeTree(t, map[string]string{"a": "abc"})
	s := newSigner(t)
	evil := []byte(manifestJSON(entryJSON("../etc/passwd")))
	b, err := s.SignDigest(ctx, signing.DigestBytes(evil), signing.SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = VerifySigned(ctx, dir, evil, b, signing.Policy{PublicKey: s.PublicKey()}, Options{})
	if !errors.Is(err, ErrUnsafePath) {
		t.Errorf("VerifySigned(../etc/passwd) = %v, want ErrUnsafePath", err)
	}
}
