package signing

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"github.com/sdlkit/sdlkit/internal/readlimit"
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

// DigestFile returns the SHA-256 digest of the regular file at path. A
// named pipe, a device or a directory is refused before it is opened
// (readlimit.OpenRegular), and hashing stops, with an error wrapping
// ctx.Err(), once ctx is cancelled.
func DigestFile(ctx context.Context, path string) (Digest, error) {
	f, _, err := readlimit.OpenRegular(path, "artifact")
	if err != nil {
		return Digest{}, unreadable(err)
	}
	defer f.Close()
	d, err := DigestReader(readlimit.ContextReader(ctx, f))
	if err != nil {
		return Digest{}, readError(ctx, path, err)
	}
	return d, nil
}

// readError names the artifact that could not be read, and keeps
// ctx.Err() in the chain when the read stopped because ctx was cancelled.
func readError(ctx context.Context, path string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("read artifact %q: %w", path, ctx.Err())
	}
	return unreadable(fmt.Errorf("read artifact %q: %w", path, err))
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
