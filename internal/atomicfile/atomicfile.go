// Package atomicfile writes files so that a reader sees either the old
// content or the whole new content, never a half-written file: data goes to a
// temporary file in the same directory, is synced, and is renamed into place.
// A failed write leaves nothing behind.
package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Options tune a write.
type Options struct {
	// Perm is the mode of the new file (default 0o644).
	Perm fs.FileMode
	// NoOverwrite refuses to replace an existing file.
	NoOverwrite bool
}

// ErrExists is returned when NoOverwrite is set and the file exists.
var ErrExists = errors.New("file exists")

// WriteFile writes data to path atomically with mode 0o644.
func WriteFile(path string, data []byte) error {
	return Write(path, Options{}, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// Write calls fill with a temporary file in path's directory and, when fill
// succeeds, renames it to path. When fill or any step fails, the temporary
// file is removed and path is untouched.
func Write(path string, opts Options, fill func(io.Writer) error) (err error) {
	perm := opts.Perm
	if perm == 0 {
		perm = 0o644
	}
	if opts.NoOverwrite {
		if _, statErr := os.Lstat(path); statErr == nil {
			return fmt.Errorf("write %s: %w", path, ErrExists)
		}
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(perm); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := fill(tmp); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if opts.NoOverwrite {
		// Link fails if path appeared meanwhile; rename would replace it.
		if err := os.Link(tmp.Name(), path); err != nil {
			if errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("write %s: %w", path, ErrExists)
			}
			return fmt.Errorf("write %s: %w", path, err)
		}
		return os.Remove(tmp.Name())
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
