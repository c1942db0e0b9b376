package signing

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testSigner generates a real encrypted key pair, writes it like 'sdlkit key
// generate' does, and loads it back.
func testSigner(t testing.TB) (*Signer, string) {
	t.Helper()
	kp, err := GenerateKey(StaticPassword([]byte("correct horse")))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	keyPath := filepath.Join(dir, "test.key")
	pubPath := filepath.Join(dir, "test.pub")
	if err := os.WriteFile(keyPath, kp.PrivatePEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pubPath, kp.PublicPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := LoadSigner(context.Background(), keyPath, StaticPassword([]byte("correct horse")))
	if err != nil {
		t.Fatal(err)
	}
	return s, pubPath
}

func TestGenerateKeyFormat(t *testing.T) {
	t.Parallel()
	kp, err := GenerateKey(StaticPassword([]byte("pw")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(kp.PrivatePEM), "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n") {
		t.Errorf("private key PEM header: %q", strings.SplitN(string(kp.PrivatePEM), "\n", 2)[0])
	}
	if !strings.HasPrefix(string(kp.PublicPEM), "-----BEGIN PUBLIC KEY-----\n") {
		t.Errorf("public key PEM header: %q", strings.SplitN(string(kp.PublicPEM), "\n", 2)[0])
	}
	// The encrypted box is cosign's JSON (scrypt KDF, nacl/secretbox).
	if _, err := GenerateKey(StaticPassword(nil)); !errors.Is(err, ErrNoPassword) {
		t.Errorf("empty password: got %v, want ErrNoPassword", err)
	}
}

func TestParsePrivateKeyErrors(t *testing.T) {
	t.Parallel()
	kp, err := GenerateKey(StaticPassword([]byte("Rt-9f2!pw")))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data []byte
		pw   string
		want error
	}{
		{"wrong password", kp.PrivatePEM, "Wr-7x1?pw", ErrWrongPassword},
		{"public key", kp.PublicPEM, "Rt-9f2!pw", ErrKeyType},
		{"not pem", []byte("hello"), "Rt-9f2!pw", ErrUnreadable},
		{"unencrypted", []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), "Rt-9f2!pw", ErrKeyType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParsePrivateKey("k", tt.data, StaticPassword([]byte(tt.pw)))
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if strings.Contains(err.Error(), tt.pw) || strings.Contains(err.Error(), "BEGIN") {
				t.Errorf("error leaks secret material: %v", err)
			}
		})
	}
}

func TestNewSignerRejectsP384(t *testing.T) {
	t.Parallel()
	priv, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewSigner(priv); !errors.Is(err, ErrKeyType) {
		t.Fatalf("P-384 key: got %v, want ErrKeyType", err)
	}
}

// TestCosignKeyFiles loads key files that cosign wrote (testdata/cosign,
// from cosign's own tests) and signs with them.
func TestCosignKeyFiles(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"sigstore-ecdsa.key", "cosign-rsa.key"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join("testdata", "cosign", name)
			if _, err := LoadSigner(context.Background(), path, StaticPassword([]byte("not-hello"))); !errors.Is(err, ErrWrongPassword) {
				t.Fatalf("wrong password: got %v, want ErrWrongPassword", err)
			}
			s, err := LoadSigner(context.Background(), path, StaticPassword([]byte("hello")))
			if err != nil {
				t.Fatal(err)
			}
			d := DigestBytes([]byte("artifact"))
			b, err := s.SignDigest(context.Background(), d, SignOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Verify(b, d, Policy{PublicKey: s.PublicKey()}); err != nil {
				t.Fatalf("verify: %v", err)
			}
		})
	}
}
