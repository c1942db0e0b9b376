package signing

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sigstore/sigstore-go/pkg/root"
)

func emptyRoot(t *testing.T) *root.TrustedRoot {
	t.Helper()
	tr, err := root.NewTrustedRoot(root.TrustedRootMediaType01, nil, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestSignVerifyKey(t *testing.T) {
	t.Parallel()
	s, pubPath := testSigner(t)
	other, otherPub := testSigner(t)
	_ = other
	art := filepath.Join(t.TempDir(), "firmware.bin")
	if err := os.WriteFile(art, []byte("firmware image v1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b, d, err := s.SignFile(context.Background(), art, SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := b.MediaType(); got != BundleMediaType {
		t.Errorf("media type %q, want %q", got, BundleMediaType)
	}
	// Round trip through JSON, as a customer receives it.
	data, err := b.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	rb, err := ReadBundle("b", data)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ReadPublicKeyFile(pubPath)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Verify(rb, d, Policy{PublicKey: pub})
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if res.SignedWith != "key" || res.Content != "messageSignature" {
		t.Errorf("result %+v", res)
	}
	f, _ := os.Open(art)
	defer f.Close()
	if _, err := VerifyReader(rb, f, Policy{PublicKey: pub}); err != nil {
		t.Fatalf("verify reader: %v", err)
	}

	if _, err := Verify(rb, d, Policy{Identity: &Identity{SAN: "a", Issuer: "b"}, TrustedRoot: emptyRoot(t)}); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "signed with a key, not a certificate") {
		t.Errorf("identity policy on a key bundle: got %v", err)
	}
	wrongPub, err := ReadPublicKeyFile(otherPub)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(rb, d, Policy{PublicKey: wrongPub}); !errors.Is(err, ErrInvalid) {
		t.Errorf("wrong key: got %v, want ErrInvalid", err)
	}
	flipped := d
	flipped[0] ^= 1
	if _, err := Verify(rb, flipped, Policy{PublicKey: pub}); !errors.Is(err, ErrInvalid) {
		t.Errorf("other file: got %v, want ErrInvalid", err)
	}
}

func TestAttestVerifyKey(t *testing.T) {
	t.Parallel()
	s, pubPath := testSigner(t)
	pub, err := ReadPublicKeyFile(pubPath)
	if err != nil {
		t.Fatal(err)
	}
	d := DigestBytes([]byte("app"))
	pt, _ := ParsePredicateType("cyclonedx")
	b, err := s.Attest(context.Background(), []Subject{SubjectFor("app", d)}, pt, []byte(`{"bomFormat":"CycloneDX"}`), SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Verify(b, d, Policy{PublicKey: pub, PredicateType: pt})
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if res.PredicateType != pt || res.Content != "dsseEnvelope" {
		t.Errorf("result %+v", res)
	}
	if _, err := Verify(b, d, Policy{PublicKey: pub, PredicateType: PredicateTypes["spdx"]}); !errors.Is(err, ErrInvalid) {
		t.Errorf("wrong predicate type: got %v, want ErrInvalid", err)
	}
	d[3] ^= 1
	if _, err := Verify(b, d, Policy{PublicKey: pub}); !errors.Is(err, ErrInvalid) {
		t.Errorf("other subject: got %v, want ErrInvalid", err)
	}
}

func TestVerifyFile(t *testing.T) {
	t.Parallel()
	s, pubPath := testSigner(t)
	pub, err := ReadPublicKeyFile(pubPath)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	art := filepath.Join(dir, "firmware.bin")
	if err := os.WriteFile(art, []byte(strings.Repeat("firmware image v1\n", 100000)), 0o644); err != nil {
		t.Fatal(err)
	}
	b, want, err := s.SignFile(context.Background(), art, SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, got, err := VerifyFile(b, art, Policy{PublicKey: pub}); err != nil || got != want {
		t.Errorf("VerifyFile = %s, %v; want %s, nil", got, err, want)
	}
	tampered := filepath.Join(dir, "tampered.bin")
	if err := os.WriteFile(tampered, []byte("firmware image v2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, got, err := VerifyFile(b, tampered, Policy{PublicKey: pub}); !errors.Is(err, ErrInvalid) || got != DigestBytes([]byte("firmware image v2\n")) {
		t.Errorf("tampered file: digest %s, err %v; want its own digest and ErrInvalid", got, err)
	}
	if _, _, err := VerifyFile(b, filepath.Join(dir, "missing.bin"), Policy{PublicKey: pub}); !errors.Is(err, ErrUnreadable) {
		t.Errorf("missing file: err %v, want ErrUnreadable", err)
	}
}
