package practices

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sdlkit/sdlkit/internal/readlimit"
)

const extension = `format: sdlkit.catalog/v1
practices:
  - id: ACME
    title: ACME product safety
    summary: Safety requirements that ACME's products follow.
`

// TestLoadRefusesBadFiles checks the catalog files that used to be read
// whole, partly, or forever.
func TestLoadRefusesBadFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	sparse := filepath.Join(dir, "sparse.yaml")
	if f, err := os.Create(sparse); err != nil {
		t.Fatal(err)
	} else {
		if err := f.Truncate(1 << 40); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	fifo := filepath.Join(dir, "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, want string
		is               error
	}{
		{"one document", write("one.yaml", extension), "", nil},
		{"explicit document start", write("start.yaml", "---\n"+extension), "", nil},
		{"second document", write("two.yaml", extension+"---\n"+strings.Replace(extension, "ACME", "EVIL", -1)), "a second YAML document at line 6", ErrInvalidCatalog},
		{"empty second document", write("trail.yaml", extension+"---\n"), "a second YAML document", ErrInvalidCatalog},
		{"second json document", write("two.json", `{"format": "sdlkit.catalog/v1"} {"format": "x"}`), "", ErrInvalidCatalog},
		{"not utf-8", write("latin1.yaml", strings.Replace(extension, "ACME's", "ACME\xb4s", 1)), "not valid UTF-8", ErrInvalidCatalog},
		{"device without end", "/dev/zero", `read catalog "/dev/zero": larger than the 4 MiB limit for a catalog`, readlimit.ErrTooLarge},
		{"sparse terabyte", sparse, "larger than the 4 MiB limit for a catalog", readlimit.ErrTooLarge},
		{"named pipe without writer", fifo, "", ErrInvalidCatalog},
		{"directory", dir, "it is a directory", readlimit.ErrNotRegular},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := Load(tt.path)
			if tt.is == nil {
				if err != nil {
					t.Fatalf("Load() = %v", err)
				}
				if _, err := c.Practice("ACME"); err != nil {
					t.Errorf("the extension's practice is missing: %v", err)
				}
				return
			}
			if !errors.Is(err, tt.is) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load() = %v, want %v and %q", err, tt.is, tt.want)
			}
		})
	}
}

// TestLoadContextStops reads a catalog from a pipe whose writer stalls: the
// read ends when the context does.
func TestLoadContextStops(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "stalled.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	w, err := os.OpenFile(fifo, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.WriteString("format: sdlkit.catalog/v1\n"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := LoadContext(ctx, fifo); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("LoadContext() = %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("LoadContext() took %v", d)
	}
}
