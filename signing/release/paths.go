package release

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/sdlkit/sdlkit/internal/atomicfile"
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

// CheckDir reports an error unless the release directory is a directory,
// without opening it (a named pipe would wait for a writer).
func (p Paths) CheckDir() error { return checkDir(p.Dir) }

// CheckOutputs refuses manifest and bundle paths that Sign's caller must
// not write: the same path for both, the release directory itself, and a
// path inside the release directory, other than the default manifest and
// bundle paths, where a file exists already. Such a file is a file of the
// release, and writing the manifest over it would replace what is being
// signed.
func (p Paths) CheckOutputs() error {
	if atomicfile.SamePath(p.Manifest, p.Bundle) {
		return fmt.Errorf("write release bundle %q: it is the path of the manifest too", p.Bundle)
	}
	def := filepath.Join(p.Dir, DefaultName)
	for _, out := range []struct{ kind, path string }{{"release manifest", p.Manifest}, {"release bundle", p.Bundle}} {
		if atomicfile.SamePath(out.path, p.Dir) {
			return fmt.Errorf("write %s %q: it is the release directory", out.kind, out.path)
		}
		if atomicfile.SamePath(out.path, def) || atomicfile.SamePath(out.path, def+BundleSuffix) || !p.inside(out.path) {
			continue
		}
		if fi, err := os.Lstat(out.path); err == nil {
			return fmt.Errorf("write %s %q: it would replace %s of the release %q", out.kind, out.path, readlimit.Describe(fi.Mode()), p.Dir)
		}
	}
	return nil
}

// inside reports whether path lies inside the release directory, once
// symbolic links of both are resolved.
func (p Paths) inside(path string) bool {
	dir, err := filepath.Abs(p.Dir)
	if err != nil {
		return false
	}
	if d, err := filepath.EvalSymlinks(dir); err == nil {
		dir = d
	}
	rel, err := filepath.Rel(dir, atomicfile.Resolve(path))
	return err == nil && filepath.IsLocal(rel)
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
