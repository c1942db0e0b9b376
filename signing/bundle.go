package signing

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"golang.org/x/mod/semver"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/sdlkit/sdlkit/internal/atomicfile"
	"github.com/sdlkit/sdlkit/internal/readlimit"
)

// BundleMediaType is the media type of the bundles sdlkit writes.
const BundleMediaType = "application/vnd.dev.sigstore.bundle.v0.3+json"

// Bundle is a Sigstore bundle (v0.1 to v0.3), parsed and checked for
// structural validity by sigstore-go.
type Bundle struct {
	b *bundle.Bundle
}

// ReadBundle parses a bundle in its JSON form. name is used in messages.
// JSON that does not parse as a bundle and an unknown media type (bundle
// version) wrap ErrUnreadable: the bundle could not be read. A bundle that
// parses but is not internally consistent (a log entry whose body does not
// match, a missing inclusion proof) wraps ErrInvalid: it was read, and it
// is not a valid bundle.
func ReadBundle(name string, data []byte) (*Bundle, error) {
	if len(data) > MaxBundleSize {
		return nil, unreadable(&readlimit.TooLargeError{Kind: bundleKind, Path: name})
	}
	if !json.Valid(data) {
		return nil, fmt.Errorf("read bundle %q: %w: not valid JSON (truncated?)", name, ErrUnreadable)
	}
	pb := new(protobundle.Bundle)
	if err := protojson.Unmarshal(data, pb); err != nil {
		return nil, fmt.Errorf("read bundle %q: %w: %v", name, ErrUnreadable, err)
	}
	probe := bundle.Bundle{Bundle: pb}
	if v, err := probe.Version(); err != nil || semver.Compare(v, "v0.1") < 0 || semver.Compare(v, "v0.4") >= 0 {
		return nil, fmt.Errorf("read bundle %q: %w: unknown bundle version (media type %q); sdlkit reads Sigstore bundles v0.1 to v0.3", name, ErrUnreadable, pb.GetMediaType())
	}
	b, err := bundle.NewBundle(pb)
	if err != nil {
		return nil, fmt.Errorf("read bundle %q: %w: malformed bundle: %v", name, ErrInvalid, err)
	}
	return &Bundle{b: b}, nil
}

// ReadBundleFile reads and parses the bundle at path, at most
// MaxBundleSize bytes.
func ReadBundleFile(path string) (*Bundle, error) {
	return ReadBundleFileContext(context.Background(), path)
}

// ReadBundleFileContext is ReadBundleFile whose read from a pipe stops
// when ctx is cancelled.
func ReadBundleFileContext(ctx context.Context, path string) (*Bundle, error) {
	data, err := readlimit.ReadFile(ctx, path, bundleKind)
	if err != nil {
		return nil, unreadable(err)
	}
	return ReadBundle(path, data)
}

// MarshalJSON returns the bundle in the Sigstore JSON form, indented.
// protojson varies its whitespace on purpose; json.Indent makes the output
// stable.
func (b *Bundle) MarshalJSON() ([]byte, error) {
	raw, err := protojson.Marshal(b.b.Bundle)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, raw, "", "  "); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// MediaType returns the bundle's media type, which carries its version.
func (b *Bundle) MediaType() string { return b.b.GetMediaType() }

// Sigstore returns the underlying sigstore-go bundle.
func (b *Bundle) Sigstore() *bundle.Bundle { return b.b }

// Encode returns the bundle as it is written to a file: MarshalJSON and a
// final newline. It refuses a bundle larger than MaxBundleSize, which
// ReadBundle would refuse.
func (b *Bundle) Encode() ([]byte, error) {
	data, err := b.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("encode bundle: %w", err)
	}
	if len(data)+1 > MaxBundleSize {
		return nil, fmt.Errorf("encode bundle: %s, larger than the %s limit for a bundle that verify reads", readlimit.FormatSize(int64(len(data)+1)), readlimit.FormatSize(MaxBundleSize))
	}
	return append(data, '\n'), nil
}

// WriteFile writes the bundle to path atomically, replacing an older one.
func (b *Bundle) WriteFile(path string) error {
	data, err := b.Encode()
	if err != nil {
		return fmt.Errorf("write bundle %q: %w", path, err)
	}
	return atomicfile.Write(path, atomicfile.Options{Kind: "bundle"}, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// Statement returns the payload of the bundle's DSSE envelope (the in-toto
// statement of an attestation), unverified: verify the bundle before
// trusting it.
func (b *Bundle) Statement() ([]byte, error) {
	env := b.b.GetDsseEnvelope()
	if env == nil {
		return nil, fmt.Errorf("%w: the bundle holds a message signature, not an attestation", ErrInvalid)
	}
	return env.GetPayload(), nil
}
