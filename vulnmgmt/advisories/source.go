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
// a directory of OSV JSON or YAML files — in a stable order. A problem with
// src itself (unreadable, not a zip or directory, a corrupt archive) is an
// error naming it; a problem with one entry is passed to fn as the entry's
// error, so that the import skips and counts it.
func readSource(ctx context.Context, src string, fn func(e entry, err error) error) error {
	info, err := os.Stat(src)
	if err != nil {
		return fmt.Errorf("read advisories %q: %w", src, pathCause(err))
	}
	switch {
	case info.IsDir():
		return readDir(ctx, src, fn)
	case info.Mode().IsRegular():
		return readZip(ctx, src, info.Size(), fn)
	}
	return fmt.Errorf("read advisories %q: %w: it is %s", src, readlimit.ErrNotRegular, readlimit.Describe(info.Mode()))
}

// readZip reads an OSV export: a zip of <ID>.json files.
func readZip(ctx context.Context, src string, size int64, fn func(e entry, err error) error) error {
	if size > MaxZipFile {
		return fmt.Errorf("read advisories %q: larger than the %s limit for an export", src, readlimit.FormatSize(MaxZipFile))
	}
	r, err := zip.OpenReader(src)
	if err != nil {
		return fmt.Errorf("read advisories %q: not an OSV zip export: %v", src, err)
	}
	defer r.Close()
	if len(r.File) > MaxZipEntries {
		return fmt.Errorf("read advisories %q: %d entries, more than the %d an export may hold", src, len(r.File), MaxZipEntries)
	}
	var total int64
	for _, f := range r.File {
		if err := ctx.Err(); err != nil {
			return err
		}
		if f.FileInfo().IsDir() || !isAdvisoryName(f.Name) {
			continue
		}
		name := src + ":" + f.Name
		if err := checkEntryName(f.Name); err != nil {
			// No OSV export has such a name: the archive was made to
			// attack whatever unpacks it, and none of it is trusted.
			return fmt.Errorf("read advisories %q: entry %q: %v", src, f.Name, err)
		}
		data, err := readZipEntry(f)
		total += int64(len(data))
		if total > MaxZipUncompressed {
			return fmt.Errorf("read advisories %q: more than %s uncompressed", src, readlimit.FormatSize(MaxZipUncompressed))
		}
		if errors.Is(err, zip.ErrChecksum) || errors.Is(err, zip.ErrFormat) || errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("read advisories %q: entry %q: %v", src, f.Name, err)
		}
		if err := fn(entry{name: name, data: data}, err); err != nil {
			return err
		}
	}
	return nil
}

// readZipEntry reads one entry, at most osv.MaxRecordSize bytes whatever
// its header says (the header's size can lie).
func readZipEntry(f *zip.File) ([]byte, error) {
	if f.UncompressedSize64 > osv.MaxRecordSize {
		return nil, fmt.Errorf("%d bytes uncompressed, more than the %s limit for one advisory", f.UncompressedSize64, readlimit.FormatSize(osv.MaxRecordSize))
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
		return nil, fmt.Errorf("more than the %s limit for one advisory", readlimit.FormatSize(osv.MaxRecordSize))
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
// order, without following symbolic links to directories.
func readDir(ctx context.Context, dir string, fn func(e entry, err error) error) error {
	kind := readlimit.Kind{Name: "advisory", Limit: osv.MaxRecordSize}
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		if err != nil {
			if p == dir {
				return fmt.Errorf("read advisories %q: %w", dir, pathCause(err))
			}
			return fn(entry{name: p}, pathCause(err))
		}
		if d.IsDir() {
			if p != dir && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir // .git and the like
			}
			return nil
		}
		if !isAdvisoryName(p) || !d.Type().IsRegular() && d.Type()&fs.ModeSymlink == 0 {
			return nil
		}
		data, err := readlimit.ReadFile(ctx, p, kind)
		return fn(entry{name: p, data: data}, err)
	})
}

func pathCause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
