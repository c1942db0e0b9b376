package signing

import (
	"context"
	"fmt"

	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/tuf"

	"github.com/sdlkit/sdlkit/internal/readlimit"
)

// LoadTrustedRoot reads a Sigstore trusted_root.json, at most
// MaxTrustedRootSize bytes. It makes no network request. A file that cannot
// be read or does not parse wraps ErrUnreadable.
func LoadTrustedRoot(path string) (*root.TrustedRoot, error) {
	return LoadTrustedRootContext(context.Background(), path)
}

// LoadTrustedRootContext is LoadTrustedRoot whose read from a pipe stops
// when ctx is cancelled.
func LoadTrustedRootContext(ctx context.Context, path string) (*root.TrustedRoot, error) {
	data, err := readlimit.ReadFile(ctx, path, trustedRootKind)
	if err != nil {
		return nil, unreadable(err)
	}
	tr, err := root.NewTrustedRootFromJSON(data)
	if err != nil {
		return nil, fmt.Errorf("read trusted root %q: %w: %v", path, ErrUnreadable, err)
	}
	return tr, nil
}

// FetchTrustedRoot gets the Sigstore public-good trusted root over TUF,
// starting from the TUF root embedded in sigstore-go and caching under
// cacheDir (sigstore-go's default when empty). It needs the network unless
// the cache is fresh.
func FetchTrustedRoot(cacheDir string) (*root.TrustedRoot, error) {
	opts := tuf.DefaultOptions()
	if cacheDir != "" {
		opts.CachePath = cacheDir
	}
	tr, err := root.FetchTrustedRootWithOptions(opts)
	if err != nil {
		return nil, fmt.Errorf("fetch sigstore trusted root over tuf: %w", err)
	}
	return tr, nil
}
