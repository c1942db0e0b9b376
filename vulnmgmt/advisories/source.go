package advisories

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/sdlkit/sdlkit/internal/readlimit"
	"github.com/sdlkit/sdlkit/vulnmgmt/osv"
)

// Limits on what an import reads, so that a hostile export cannot exhaust
// memory or disk: one record is at most osv.MaxRecordSize; a zip export may
// hold at most MaxZipEntries entries and MaxZipUncompressed bytes in all
// (the OSV project's largest export, PyPI's or npm's, is well under both).
const (
	MaxZipEntries      = 2_000_000
	MaxZipUncompressed = 16 << 30
	// MaxZipFile is the largest export file read (a zip is read in place,
	// not into memory).
	MaxZipFile = 8 << 30
)

// entry is one advisory file of a source: its name for messages (the zip
// entry or the file below the directory) and its bytes.
type entry struct {
	name string
	data []byte
}

// readSource calls fn for every advisory file of src — an OSV zip export or
// a directory of OSV JSON or YAML files — in a stable order; name is how
// messages call src (its path, or the address it was downloaded from). A
// problem with src itself (unreadable, not a zip or directory, a corrupt
// archive) is an error naming it; a problem with one entry is passed to fn
// as the entry's error, so that the import skips and counts it.
func readSource(ctx context.Context, src, name string, fn func(e entry, err error) error) error {
	info, err := os.Stat(src)
	if err != nil {
		return fmt.Errorf("read advisories %q: %w", name, pathCause(err))
	}
	switch {
	case info.IsDir():
		return readDir(ctx, src, fn)
	case info.Mode().IsRegular():
		return readZip(ctx, src, name, info.Size(), fn)
	}
	return fmt.Errorf("read advisories %q: %w: it is %s", name, readlimit.ErrNotRegular, readlimit.Describe(info.Mode()))
}

// readZip reads an OSV export: a zip of <ID>.json files. An entry whose
// name or size is out of bounds is skipped; one that cannot be read (a
// corrupt archive) fails the source.
func readZip(ctx context.Context, src, name string, size int64, fn func(e entry, err error) error) error {
	if size > MaxZipFile {
		return fmt.Errorf("read advisories %q: larger than the %s limit for an export", name, readlimit.FormatSize(MaxZipFile))
	}
	r, err := zip.OpenReader(src)
	if err != nil {
		return fmt.Errorf("read advisories %q: not an OSV zip export: %v", name, err)
	}
	defer r.Close()
	if len(r.File) > MaxZipEntries {
		return fmt.Errorf("read advisories %q: %d entries, more than the %d an export may hold", name, len(r.File), MaxZipEntries)
	}
	var total int64
	for _, f := range r.File {
		if err := ctx.Err(); err != nil {
			return err
		}
		if f.FileInfo().IsDir() || !isAdvisoryName(f.Name) {
			continue
		}
		e := entry{name: name + ":" + f.Name}
		if err := checkEntryName(f.Name); err != nil {
			// No OSV export has such a name: the archive was made to
			// attack whatever unpacks it, and none of it is trusted.
			return fmt.Errorf("read advisories %q: entry %q: %v", name, f.Name, err)
		}
		e.data, err = readZipEntry(f)
		total += int64(len(e.data))
		if total > MaxZipUncompressed {
			return fmt.Errorf("read advisories %q: more than %s uncompressed", name, readlimit.FormatSize(MaxZipUncompressed))
		}
		if err != nil && !errors.Is(err, errEntryTooLarge) {
			return fmt.Errorf("read advisories %q: entry %q: %v", name, f.Name, err)
		}
		if err := fn(e, err); err != nil {
			return err
		}
	}
	return nil
}

// errEntryTooLarge is the cause of the error for an entry over
// osv.MaxRecordSize: the entry is skipped, the rest of the export read.
var errEntryTooLarge = fmt.Errorf("more than the %s limit for one advisory", readlimit.FormatSize(osv.MaxRecordSize))

// readZipEntry reads one entry, at most osv.MaxRecordSize bytes whatever
// its header says (the header's size can lie).
func readZipEntry(f *zip.File) ([]byte, error) {
	if f.UncompressedSize64 > osv.MaxRecordSize {
		return nil, fmt.Errorf("%d bytes uncompressed, %w", f.UncompressedSize64, errEntryTooLarge)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, osv.MaxRecordSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > osv.MaxRecordSize {
		return nil, errEntryTooLarge
	}
	return data, nil
}

// checkEntryName refuses entry names that are paths out of the archive.
// Nothing is extracted to disk, but such a name is no OSV export's.
func checkEntryName(name string) error {
	if strings.HasPrefix(name, "/") || strings.Contains(name, `\`) {
		return errors.New("entry name is an absolute or Windows path")
	}
	for _, seg := range strings.Split(name, "/") {
		if seg == ".." {
			return errors.New("entry name climbs out of the archive (..)")
		}
	}
	return nil
}

// isAdvisoryName is true for the files an advisory database holds.
func isAdvisoryName(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".json", ".yaml", ".yml":
		return true
	}
	return false
}

// readDir reads a directory tree of OSV JSON and YAML files, in lexical
// order. dir may be a symbolic link; below it, links to directories are
// not followed, and a link to a file is read only when the file is a
// regular file inside the tree. An advisory-named file that is not a
// regular file (a named pipe, a device) is skipped, never opened.
func readDir(ctx context.Context, dir string, fn func(e entry, err error) error) error {
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return fmt.Errorf("read advisories %q: %w", dir, pathCause(err))
	}
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		name := dir
		if rel, relErr := filepath.Rel(root, p); relErr == nil && rel != "." {
			name = filepath.Join(dir, rel)
		}
		if err != nil {
			if p == root {
				return fmt.Errorf("read advisories %q: %w", dir, pathCause(err))
			}
			return fn(entry{name: name}, pathCause(err))
		}
		if d.IsDir() {
			if p != root && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir // .git and the like
			}
			return nil
		}
		if !isAdvisoryName(p) {
			return nil
		}
		data, err := readTreeFile(root, p, d)
		return fn(entry{name: name, data: data}, err)
	})
}

// readTreeFile reads the advisory file p of the tree at root, bounded.
func readTreeFile(root, p string, d fs.DirEntry) ([]byte, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return nil, pathCause(err)
	}
	if d.Type()&fs.ModeSymlink != 0 {
		target, err := filepath.EvalSymlinks(p)
		if err != nil {
			return nil, pathCause(err)
		}
		if rel, err := filepath.Rel(root, target); err != nil || !filepath.IsLocal(rel) {
			return nil, fmt.Errorf("a symbolic link to %s, outside the directory", target)
		}
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: it is %s", readlimit.ErrNotRegular, readlimit.Describe(fi.Mode()))
	}
	f, _, err := readlimit.OpenRegular(p, "advisory") // checks again, on the opened file
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, osv.MaxRecordSize+1))
	if err != nil {
		return nil, pathCause(err)
	}
	if len(data) > osv.MaxRecordSize {
		return nil, errEntryTooLarge
	}
	return data, nil
}

func pathCause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
