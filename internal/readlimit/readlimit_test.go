package readlimit

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

var testKind = Kind{Name: "key", Limit: 64 << 10}

func TestReadFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	small := write("small.key", []byte("hello"))
	atLimit := write("limit.key", bytes.Repeat([]byte("x"), int(testKind.Limit)))
	overByOne := write("over.key", bytes.Repeat([]byte("x"), int(testKind.Limit)+1))
	sparse := filepath.Join(dir, "sparse.key")
	f, err := os.Create(sparse)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(1 << 40); err != nil {
		t.Fatal(err)
	}
	f.Close()
	fifo := filepath.Join(dir, "fifo.key")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.key")
	if err := os.Symlink(small, link); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		path    string
		want    string
		wantErr string
		is      error
	}{
		{"small file", small, "hello", "", nil},
		{"symbolic link to a file", link, "hello", "", nil},
		{"exactly the limit", atLimit, strings.Repeat("x", int(testKind.Limit)), "", nil},
		{"one byte over", overByOne, "", `read key "` + overByOne + `": larger than the 64 KiB limit for a key`, ErrTooLarge},
		{"sparse terabyte", sparse, "", "larger than the 64 KiB limit for a key", ErrTooLarge},
		{"device without end", "/dev/zero", "", `read key "/dev/zero": larger than the 64 KiB limit for a key`, ErrTooLarge},
		{"named pipe without writer reads empty", fifo, "", "", nil},
		{"directory", dir, "", "it is a directory", ErrNotRegular},
		{"missing", filepath.Join(dir, "nope.key"), "", `read key "` + filepath.Join(dir, "nope.key") + `": no such file or directory`, fs.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ReadFile(context.Background(), tt.path, testKind)
			if tt.wantErr == "" {
				if err != nil || string(got) != tt.want {
					t.Fatalf("ReadFile() = %d bytes, %v; want %d bytes", len(got), err, len(tt.want))
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("ReadFile() error = %v, want it to contain %q", err, tt.wantErr)
			}
			if !errors.Is(err, tt.is) {
				t.Errorf("ReadFile() error = %v, want errors.Is %v", err, tt.is)
			}
		})
	}
}

// TestReadFileStopsOnCancel reads a named pipe whose writer sends nothing
// and never closes: the read must end when the context is cancelled.
func TestReadFileStopsOnCancel(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "stalled.json")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	// A writer that holds the pipe open: O_RDWR does not wait for a reader.
	w, err := os.OpenFile(fifo, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.WriteString("{"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = ReadFile(ctx, fifo, Kind{Name: "bundle", Limit: 1 << 20})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("ReadFile() = %v, want context.DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("ReadFile() took %v after cancel", d)
	}
}

func TestOpenRegular(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "fw.bin")
	if err := os.WriteFile(file, []byte("firmware"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "latest.bin")
	if err := os.Symlink(file, link); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo.bin")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, wantErr string
	}{
		{"regular file", file, ""},
		{"symbolic link to a regular file", link, ""},
		// Opening a named pipe without O_NONBLOCK would wait forever for a
		// writer: it must be refused before it is opened.
		{"named pipe", fifo, `read artifact "` + fifo + `": not a regular file: it is a named pipe`},
		{"device", "/dev/zero", `read artifact "/dev/zero": not a regular file: it is a device`},
		{"directory", dir, "it is a directory"},
		{"missing", filepath.Join(dir, "nope"), "no such file or directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, fi, err := OpenRegular(tt.path, "artifact")
			if cerr := CheckRegular(tt.path, "artifact"); (cerr == nil) != (err == nil) {
				t.Errorf("CheckRegular() = %v, OpenRegular() = %v: they disagree", cerr, err)
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("OpenRegular() = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			data, err := io.ReadAll(f)
			if err != nil || string(data) != "firmware" || fi.Size() != 8 {
				t.Errorf("read %q (size %d), %v", data, fi.Size(), err)
			}
		})
	}
}

func TestContextReaderStops(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	r := ContextReader(ctx, bytes.NewReader(make([]byte, 10)))
	buf := make([]byte, 4)
	if n, err := r.Read(buf); n != 4 || err != nil {
		t.Fatalf("Read() = %d, %v", n, err)
	}
	cancel()
	if _, err := r.Read(buf); !errors.Is(err, context.Canceled) {
		t.Fatalf("Read() after cancel = %v, want context.Canceled", err)
	}
}

func TestFormatSize(t *testing.T) {
	t.Parallel()
	for n, want := range map[int64]string{
		100:                   "100 bytes",
		64 << 10:              "64 KiB",
		16 << 20:              "16 MiB",
		2 << 30:               "2 GiB",
		(63 << 20) / 4 * 3:    "47.2 MiB",
		1<<20 + 1<<10*512:     "1.5 MiB",
		1<<10 + 1:             "1025 bytes",
		(1 << 40) + (1 << 30): "1025 GiB",
	} {
		if got := FormatSize(n); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", n, got, want)
		}
	}
}
