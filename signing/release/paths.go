package release

import (
	"context"

	"github.com/sdlkit/sdlkit/internal/readlimit"
)

// manifestKind is the limit on a manifest file.
var manifestKind = readlimit.Kind{Name: "release manifest", Limit: MaxManifestSize}

// ReadManifestFile reads the manifest file at path, at most
// MaxManifestSize bytes, without parsing it: its signature is checked
// before anything in it is used (VerifySigned). A read from a pipe stops
// when ctx is cancelled.
func ReadManifestFile(ctx context.Context, path string) ([]byte, error) {
	return readlimit.ReadFile(ctx, path, manifestKind)
}
