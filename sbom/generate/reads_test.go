package generate

import (
	"path/filepath"
	"testing"
)

// TestReads tells the files a generation reads from those it does not, so
// that an output path never replaces an input.
func TestReads(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, "go.mod", "module example.com/app\n")
	write(t, dir, "go.sum", "")
	write(t, dir, "web/package-lock.json", "{}")
	write(t, dir, "web/package.json", "{}")
	write(t, dir, "node_modules/x/package-lock.json", "{}")
	write(t, dir, "requirements-dev.txt", "")
	for _, tc := range []struct {
		target, path string
		want         bool
	}{
		{dir, "go.mod", true},
		{dir, "go.sum", true},
		{dir, "web/package-lock.json", true},
		{dir, "web/package.json", true},
		{dir, "requirements-dev.txt", true},
		{dir, "sbom.cdx.json", false},
		{dir, "node_modules/x/package-lock.json", false},
		{filepath.Join(dir, "go.mod"), "go.mod", true},
		{filepath.Join(dir, "go.mod"), "go.sum", true},
		{filepath.Join(dir, "go.mod"), "web/package-lock.json", false},
		{filepath.Join(dir, "web", "package-lock.json"), "web/package.json", true},
		{dir, "../elsewhere/go.mod", false},
	} {
		got, err := Reads(tc.target, filepath.Join(dir, tc.path), Options{})
		if err != nil || got != tc.want {
			t.Errorf("Reads(%s, %s) = %v, %v; want %v", tc.target, tc.path, got, err, tc.want)
		}
	}
}
