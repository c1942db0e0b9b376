package generate

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/sdlkit/sdlkit/sbom/internal/lockfile"
)

// DefaultSkipDirs are the directories Generate does not descend into. They
// hold installed or vendored copies of what the lockfiles already pin
// (node_modules, vendor), their own projects' lockfiles (a vendored Go
// module's go.mod is not a requirement of the product), version control
// data, or test inputs that are not part of the product (testdata, which the
// go tool ignores too).
var DefaultSkipDirs = []string{".git", ".hg", ".svn", "node_modules", "vendor", "testdata"}

// FileError is a file that could not be read or parsed. Generate returns it,
// or records it in the BOM's properties under KeepGoing.
type FileError = lockfile.FileError

// ErrTooLarge is the cause of a FileError for a lockfile over the size limit.
var ErrTooLarge = lockfile.ErrTooLarge

// walkFiles calls visit for each regular file (or symlink to one) under
// root, slash-separated and relative to root, in lexical order. Symlinks to
// directories are not followed, so that a link loop cannot trap the walk;
// broken links are visited, so that a broken lockfile is reported.
// An unreadable directory is a FileError passed to onErr, which decides
// whether the walk stops.
func walkFiles(root string, skip []string, visit func(rel string, d fs.DirEntry) error, onErr func(*FileError) error) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		rel, relErr := filepath.Rel(root, path)
		if relErr != nil {
			return relErr
		}
		rel = filepath.ToSlash(rel)
		if err != nil {
			if rel == "." {
				return err
			}
			if ferr := onErr(&FileError{Path: rel, Err: unwrapPathError(err)}); ferr != nil {
				return ferr
			}
			if d != nil && d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if rel != "." && slices.Contains(skip, d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			// A broken link or loop goes on to visit: if its name is a
			// lockfile's, reading it reports the problem.
			if info, err := os.Stat(path); err == nil && !info.Mode().IsRegular() {
				return nil
			}
		} else if !d.Type().IsRegular() {
			return nil
		}
		return visit(rel, d)
	})
}

// unwrapPathError drops the path from an *fs.PathError: FileError names the
// file already.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}

// Reads reports whether generating the SBOM of target reads the file at
// path: target itself, or a file inside the tree that a lockfile format,
// a manifest beside one, go.sum or a Go binary extractor reads. Commands
// use it to refuse an output path that would replace an input.
func Reads(target, path string, opts Options) (bool, error) {
	same := func(a, b string) bool {
		ia, errA := os.Stat(a)
		ib, errB := os.Stat(b)
		return errA == nil && errB == nil && os.SameFile(ia, ib)
	}
	if same(target, path) {
		return true, nil
	}
	info, err := os.Stat(target)
	if err != nil {
		return false, nil
	}
	root, fileTarget := target, !info.IsDir()
	if fileTarget {
		// A lockfile target reads itself and the files beside it that
		// its reader asks for: its manifest, go.sum.
		root = filepath.Dir(target)
	}
	absTarget, err := filepath.Abs(root)
	if err != nil {
		return false, err
	}
	absPath, err := filepath.Abs(path)
	if err != nil {
		return false, err
	}
	rel, err := filepath.Rel(absTarget, absPath)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return false, nil
	}
	skip := opts.SkipDirs
	if skip == nil {
		skip = DefaultSkipDirs
	}
	dirs := strings.Split(filepath.ToSlash(filepath.Dir(rel)), "/")
	for _, d := range dirs {
		if slices.Contains(skip, d) {
			return false, nil
		}
	}
	kinds, err := newKinds()
	if err != nil {
		return false, err
	}
	base := filepath.Base(rel)
	if fileTarget && filepath.Dir(rel) != "." {
		return false, nil
	}
	for _, k := range kinds {
		if k.Manifest == base || !fileTarget && slices.Contains(k.Files, base) {
			return true, nil
		}
		if !fileTarget && k.extractor != nil && k.extractor.FileRequired(&fileAPI{rel: filepath.ToSlash(rel), abs: absPath}) {
			return true, nil
		}
	}
	return base == "go.sum", nil
}
