package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func TestWriteFileReplaces(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "out.json")
	if err := WriteFile(path, []byte("old")); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, []byte("new")); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "new" {
		t.Errorf("content = %q, want %q", got, "new")
	}
	assertOnlyFile(t, filepath.Dir(path), "out.json")
}

func TestWriteFailureLeavesNothing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "out.json")
	if err := WriteFile(path, []byte("keep")); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := Write(path, Options{}, func(w io.Writer) error {
		io.WriteString(w, "half")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	got, _ := os.ReadFile(path)
	if string(got) != "keep" {
		t.Errorf("content = %q, want the old content kept", got)
	}
	assertOnlyFile(t, dir, "out.json")
}

func TestNoOverwriteAndPerm(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "key")
	opts := Options{Perm: 0o600, NoOverwrite: true}
	write := func(s string) error {
		return Write(path, opts, func(w io.Writer) error { _, err := io.WriteString(w, s); return err })
	}
	if err := write("first"); err != nil {
		t.Fatal(err)
	}
	if err := write("second"); !errors.Is(err, ErrExists) {
		t.Fatalf("second write: err = %v, want ErrExists", err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600", info.Mode().Perm())
	}
	got, _ := os.ReadFile(path)
	if string(got) != "first" {
		t.Errorf("content = %q, want first", got)
	}
	assertOnlyFile(t, dir, "key")
}

func assertOnlyFile(t *testing.T, dir, name string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != name {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("dir holds %v, want only %s", names, name)
	}
}

// TestStreamIsWrittenInPlace writes to a named pipe with a reader: the pipe
// stays a pipe and the reader gets the data. Devices take the same path
// (/dev/null, /dev/stdout): renaming a file over one, as a regular output
// is placed, would replace it for every program on the machine.
func TestStreamIsWrittenInPlace(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "out")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	got := make(chan []byte)
	go func() {
		data, _ := os.ReadFile(fifo) // opens for reading, waits for the writer
		got <- data
	}()
	var err error
	for range 100 { // until the reader has opened its end
		if err = WriteFile(fifo, []byte("streamed\n")); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	if data := <-got; string(data) != "streamed\n" {
		t.Errorf("reader got %q", data)
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("the pipe was replaced: %v", fi.Mode())
	}
	if _, err := Create(fifo, Options{NoOverwrite: true}); !errors.Is(err, ErrExists) {
		t.Errorf("NoOverwrite onto a pipe: %v, want ErrExists", err)
	}
	// Without a reader: an error, not a wait.
	if _, err := Create(fifo, Options{}); err == nil {
		t.Error("a pipe without reader was opened for writing")
	}
}
