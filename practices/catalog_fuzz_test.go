package practices

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// FuzzParseCatalog feeds arbitrary bytes to the catalog reader: it may not
// panic, every error must be one line wrapping ErrInvalidCatalog, and a
// catalog it accepts must extend the built-in one or be refused with
// ErrInvalidCatalog.
func FuzzParseCatalog(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "extensions", "*"))
	for _, p := range paths {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(extension))
	f.Add([]byte(extension + "---\n" + extension))
	f.Add([]byte("format: sdlkit.catalog/v1\nrequirements: [{id: [unclosed\n"))
	f.Add([]byte("a: &a [*a, *a]\n"))
	f.Add([]byte(`{"format": "sdlkit.catalog/v1", "practices": []}`))
	base, err := Builtin()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ext, err := parse(data, "fuzz.yaml", true)
		if err != nil {
			if !errors.Is(err, ErrInvalidCatalog) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("parse() = %q, want one line wrapping ErrInvalidCatalog", err)
			}
			return
		}
		c := *base
		c.EvidenceKinds = slices.Clone(base.EvidenceKinds)
		c.Practices = slices.Clone(base.Practices)
		c.Requirements = slices.Clone(base.Requirements)
		if err := c.extend(ext); err != nil && !errors.Is(err, ErrInvalidCatalog) {
			t.Fatalf("extend() = %v, want nil or ErrInvalidCatalog", err)
		}
	})
}
