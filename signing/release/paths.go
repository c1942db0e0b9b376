package release

import (
	"context"
	"path/filepath"

	"github.com/sdlkit/sdlkit/internal/readlimit"
)

// Paths locate a release on disk: its directory, its manifest and the
// manifest's bundle.
type Paths struct {
	Dir      string
	Manifest string
	Bundle   string
}

// NewPaths returns the paths of the release in dir, with the defaults for
// an empty manifest (DIR/DefaultName) and bundle (MANIFEST+BundleSuffix).
func NewPaths(dir, manifest, bundle string) Paths {
	if manifest == "" {
		manifest = filepath.Join(dir, DefaultName)
	}
	if bundle == "" {
		bundle = manifest + BundleSuffix
	}
	return Paths{Dir: dir, Manifest: manifest, Bundle: bundle}
}

// Exclude lists the files that are not part of the release even where they
// lie inside its directory: the manifest and the bundle, at the paths given
// and at the default paths.
func (p Paths) Exclude() []string {
	def := filepath.Join(p.Dir, DefaultName)
	return []string{p.Manifest, p.Bundle, def, def + BundleSuffix}
}

// manifestKind is the limit on a manifest file.
var manifestKind = readlimit.Kind{Name: "release manifest", Limit: MaxManifestSize}

// ReadManifestFile reads the manifest file at path, at most
// MaxManifestSize bytes, without parsing it: its signature is checked
// before anything in it is used (VerifySigned). A read from a pipe stops
// when ctx is cancelled.
func ReadManifestFile(ctx context.Context, path string) ([]byte, error) {
	return readlimit.ReadFile(ctx, path, manifestKind)
}
