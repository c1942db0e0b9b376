package signing

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"
)

// Digest is a SHA-256 digest of an artifact. Sigstore message signatures and
// in-toto subjects in sdlkit use SHA-256.
type Digest [sha256.Size]byte

// String returns "sha256:<hex>".
func (d Digest) String() string { return "sha256:" + d.Hex() }

// Hex returns the digest as lowercase hex.
func (d Digest) Hex() string { return hex.EncodeToString(d[:]) }

// DigestBytes returns the SHA-256 digest of b.
func DigestBytes(b []byte) Digest { return sha256.Sum256(b) }

// DigestReader returns the SHA-256 digest of everything r yields.
func DigestReader(r io.Reader) (Digest, error) {
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return Digest{}, err
	}
	var d Digest
	copy(d[:], h.Sum(nil))
	return d, nil
}

// DigestFile returns the SHA-256 digest of the file at path.
func DigestFile(path string) (Digest, error) {
	f, err := os.Open(path)
	if err != nil {
		return Digest{}, fmt.Errorf("digest %s: %w", path, err)
	}
	defer f.Close()
	d, err := DigestReader(f)
	if err != nil {
		return Digest{}, fmt.Errorf("digest %s: %w", path, err)
	}
	return d, nil
}

// ParseDigest parses "sha256:<hex>" (or bare hex) into a Digest.
func ParseDigest(s string) (Digest, error) {
	hexPart := strings.TrimPrefix(s, "sha256:")
	b, err := hex.DecodeString(hexPart)
	if err != nil || len(b) != sha256.Size {
		return Digest{}, fmt.Errorf("parse digest %q: want sha256:<64 hex digits>", s)
	}
	var d Digest
	copy(d[:], b)
	return d, nil
}

func (d Digest) bytes() []byte { return d[:] }
