package generate

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sdlkit/sdlkit/sbom"
	"github.com/sdlkit/sdlkit/sbom/purl"
)

// TestPathLikeNames refuses lockfile entries whose names are paths or hold
// control characters — a package-lock.json key climbing out of
// node_modules, a go.mod requirement with "..": an error naming the file
// and the entry, or with KeepGoing the entry left out and recorded.
func TestPathLikeNames(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, file, data, bad string
	}{
		{"npm key with ..", "package-lock.json", `{"lockfileVersion": 3, "packages": {
"": {"name": "app", "dependencies": {"ok": "1.0.0"}},
"node_modules/ok": {"version": "1.0.0"},
"node_modules/../../../../etc/passwd": {"version": "6.6.6"}}}`, "../../../../etc/passwd"},
		{"npm name with NUL", "package-lock.json", `{"lockfileVersion": 3, "packages": {
"node_modules/ok": {"version": "1.0.0"},
"node_modules/a\u0000b": {"version": "1.0.0"}}}`, "a\x00b"},
		{"go.mod requirement with ..", "go.mod", "module example.com/app\n\ngo 1.22\n\nrequire (\n\texample.com/ok v1.0.0\n\texample.com/../../../etc v1.0.0\n)\n", "example.com/../../../etc"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			write(t, dir, tc.file, tc.data)
			_, err := SBOM(context.Background(), dir, Options{NoGoModuleCache: true})
			var ferr *FileError
			if !errors.As(err, &ferr) || ferr.Path != filepath.ToSlash(filepath.Join(dir, tc.file)) || !errors.Is(err, purl.ErrInvalidName) {
				t.Fatalf("err = %v, want an invalid name in %s", err, tc.file)
			}
			b, err := SBOM(context.Background(), dir, Options{NoGoModuleCache: true, KeepGoing: true})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range b.Components {
				if c.Name == tc.bad {
					t.Errorf("%q is a component", tc.bad)
				}
			}
			if n := len(slices.DeleteFunc(b.Components, func(c sbom.Component) bool { return c.Name == "stdlib" })); n != 1 {
				t.Errorf("%d components besides the Go standard library, want the valid one", n)
			}
			skipped := Skipped(b)
			if len(skipped) != 1 || !strings.HasPrefix(skipped[0], tc.file+": invalid package name") {
				t.Errorf("skipped = %q, want the entry named", skipped)
			}
		})
	}
}
