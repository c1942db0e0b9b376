package signing

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/secure-systems-lab/go-securesystemslib/encrypted"
	"github.com/sigstore/sigstore/pkg/cryptoutils"

	"github.com/sdlkit/sdlkit/internal/readlimit"
)

// PEM block types of private keys that sdlkit reads and writes. The first is
// what cosign writes today, the second what older cosign releases wrote.
const (
	pemEncryptedSigstore = "ENCRYPTED SIGSTORE PRIVATE KEY"
	pemEncryptedCosign   = "ENCRYPTED COSIGN PRIVATE KEY"
	pemPublicKey         = "PUBLIC KEY"
)

// PasswordFunc returns the password of a private key. confirm is true when a
// new key is being encrypted, so that an interactive prompt asks twice.
type PasswordFunc func(confirm bool) ([]byte, error)

// StaticPassword returns a PasswordFunc that always returns pw.
func StaticPassword(pw []byte) PasswordFunc {
	return func(bool) ([]byte, error) { return pw, nil }
}

// KeyPair is a newly generated key pair, PEM encoded.
type KeyPair struct {
	// PrivatePEM is the private key, encrypted with the password, in
	// cosign's "ENCRYPTED SIGSTORE PRIVATE KEY" format.
	PrivatePEM []byte
	// PublicPEM is the PKIX public key.
	PublicPEM []byte
}

// GenerateKey creates an ECDSA P-256 key pair and encrypts the private key
// with the password from pass. An empty password is refused: a private key
// is never written in the clear.
func GenerateKey(pass PasswordFunc) (*KeyPair, error) {
	pw, err := pass(true)
	if err != nil {
		return nil, fmt.Errorf("generate key: %w", err)
	}
	if len(pw) == 0 {
		return nil, fmt.Errorf("generate key: %w: the password is empty", ErrNoPassword)
	}
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("generate key: %w", err)
	}
	box, err := encrypted.Encrypt(der, pw)
	if err != nil {
		return nil, fmt.Errorf("generate key: encrypt: %w", err)
	}
	pub, err := cryptoutils.MarshalPublicKeyToPEM(priv.Public())
	if err != nil {
		return nil, fmt.Errorf("generate key: %w", err)
	}
	return &KeyPair{
		PrivatePEM: pem.EncodeToMemory(&pem.Block{Type: pemEncryptedSigstore, Bytes: box}),
		PublicPEM:  pub,
	}, nil
}

// ParsePrivateKey decrypts a cosign-format private key. name is used in
// error messages only. The password is asked only when the file is a
// private key of a known kind. The file must hold exactly one PEM block.
func ParsePrivateKey(name string, data []byte, pass PasswordFunc) (crypto.Signer, error) {
	block, err := decodePEM(data)
	if err != nil {
		return nil, fmt.Errorf("read key %q: %w", name, err)
	}
	switch block.Type {
	case pemEncryptedSigstore, pemEncryptedCosign:
	case pemPublicKey, "CERTIFICATE":
		return nil, fmt.Errorf("read key %q: %w: it holds a %s, signing needs the private key", name, ErrKeyType, strings.ToLower(block.Type))
	default:
		return nil, fmt.Errorf("read key %q: %w: PEM type %q; sdlkit signs with encrypted keys (%q) as made by 'sdlkit key generate' or 'cosign generate-key-pair'", name, ErrKeyType, block.Type, pemEncryptedSigstore)
	}
	if pass == nil {
		return nil, fmt.Errorf("read key %q: %w: no way to ask for the password", name, ErrNoPassword)
	}
	pw, err := pass(false)
	if err != nil {
		return nil, fmt.Errorf("read key %q: %w", name, err)
	}
	der, err := encrypted.Decrypt(block.Bytes, pw)
	if err != nil {
		return nil, fmt.Errorf("read key %q: %w", name, ErrWrongPassword)
	}
	key, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("read key %q: %w: decrypted key does not parse", name, ErrUnreadable)
	}
	return checkSigner(name, key)
}

// decodePEM decodes the one PEM block a key file holds. Text around it,
// and a second block, are refused: a file with two keys is ambiguous.
func decodePEM(data []byte) (*pem.Block, error) {
	begin := []byte("-----BEGIN ")
	trimmed := bytes.TrimSpace(data)
	if !bytes.HasPrefix(trimmed, begin) {
		if bytes.Contains(data, begin) {
			return nil, fmt.Errorf("%w: text before the PEM block", ErrUnreadable)
		}
		return nil, fmt.Errorf("%w: not a PEM file", ErrUnreadable)
	}
	block, rest := pem.Decode(trimmed)
	switch {
	case block == nil:
		return nil, fmt.Errorf("%w: not a PEM file (truncated?)", ErrUnreadable)
	case bytes.Contains(rest, begin):
		return nil, fmt.Errorf("%w: more than one PEM block; a key file holds one key", ErrUnreadable)
	case len(bytes.TrimSpace(rest)) > 0:
		return nil, fmt.Errorf("%w: data after the PEM block", ErrUnreadable)
	}
	return block, nil
}

// checkSigner accepts the key kinds that can sign a SHA-256 digest.
func checkSigner(name string, key any) (crypto.Signer, error) {
	switch k := key.(type) {
	case *ecdsa.PrivateKey:
		return k, nil
	case *rsa.PrivateKey:
		return k, nil
	case ed25519.PrivateKey:
		return nil, fmt.Errorf("read key %q: %w: ed25519 signs whole messages, sdlkit signs digests; use an ECDSA P-256 key", name, ErrKeyType)
	default:
		return nil, fmt.Errorf("read key %q: %w: %T", name, ErrKeyType, key)
	}
}

// ParsePublicKey parses a PEM "PUBLIC KEY", the one block of the file. A
// private key or certificate passed by mistake is refused with ErrKeyType.
func ParsePublicKey(name string, data []byte) (crypto.PublicKey, error) {
	block, err := decodePEM(data)
	if err != nil {
		return nil, fmt.Errorf("read public key %q: %w", name, err)
	}
	if block.Type != pemPublicKey {
		hint := ""
		if strings.Contains(block.Type, "PRIVATE") {
			hint = "; pass the public key ('sdlkit key public KEY' prints it)"
		}
		return nil, fmt.Errorf("read public key %q: %w: PEM type %q, want %q%s", name, ErrKeyType, block.Type, pemPublicKey, hint)
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("read public key %q: %w: %v", name, ErrUnreadable, err)
	}
	if err := cryptoutils.ValidatePubKey(pub); err != nil {
		return nil, fmt.Errorf("read public key %q: %w: %v", name, ErrKeyType, err)
	}
	return pub, nil
}

// ReadPublicKeyFile reads a PEM public key file, at most MaxKeySize bytes.
func ReadPublicKeyFile(path string) (crypto.PublicKey, error) {
	data, err := readlimit.ReadFile(context.Background(), path, publicKeyKind)
	if err != nil {
		return nil, unreadable(err)
	}
	return ParsePublicKey(path, data)
}

// LoadPublicKey returns the public key that ref names: a KMS URI, a public
// key file, or a private key file (decrypted with the password from pass).
// With a nil pass, a private key file is refused with ErrKeyType, for
// callers that verify and must be given the public key. The file is read
// once, at most MaxKeySize bytes; a read from a pipe stops when ctx is
// cancelled.
func LoadPublicKey(ctx context.Context, ref string, pass PasswordFunc) (crypto.PublicKey, error) {
	if IsKMS(ref) {
		s, err := loadKMSSigner(ctx, ref)
		if err != nil {
			return nil, err
		}
		return s.PublicKey(), nil
	}
	data, err := readlimit.ReadFile(ctx, ref, keyKind)
	if err != nil {
		return nil, unreadable(err)
	}
	if block, _ := pem.Decode(data); pass == nil || (block != nil && block.Type == pemPublicKey) {
		return ParsePublicKey(ref, data)
	}
	priv, err := ParsePrivateKey(ref, data, pass)
	if err != nil {
		return nil, err
	}
	return priv.Public(), nil
}

// MarshalPublicKey returns pub as PEM.
func MarshalPublicKey(pub crypto.PublicKey) ([]byte, error) {
	if pub == nil {
		return nil, errors.New("marshal public key: no key")
	}
	return cryptoutils.MarshalPublicKeyToPEM(pub)
}
