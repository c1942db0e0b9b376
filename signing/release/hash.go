package release

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
)

// bufSize is the read buffer of each hashing worker: large reads keep the
// hash functions, not system calls, the bottleneck.
const bufSize = 1 << 20

// ErrUnsupportedFile is returned when a release directory holds a symbolic
// link, a device, a socket or a pipe: only regular files can be listed.
var ErrUnsupportedFile = errors.New("not a regular file")

// Options tune Build and Verify.
type Options struct {
	// Exclude names files (as OS paths) that are not part of the release
	// even though they may lie inside the directory: the manifest and its
	// bundle. Paths outside the directory are ignored.
	Exclude []string
	// Workers is how many files are hashed at once; 0 means GOMAXPROCS.
	Workers int
	// Progress, if set, is told how many bytes will be hashed and how
	// many have been.
	Progress Progress
}

// Progress follows the hashing of a release. Add is called concurrently.
type Progress interface {
	SetTotal(bytes int64)
	Add(bytes int)
}

// noProgress is the Progress of callers that pass none.
type noProgress struct{}

func (noProgress) SetTotal(int64) {}
func (noProgress) Add(int)        {}

func (o Options) progress(files []File) Progress {
	if o.Progress == nil {
		return noProgress{}
	}
	var total int64
	for _, f := range files {
		total += f.Size
	}
	o.Progress.SetTotal(total)
	return o.Progress
}

// entry is a file found under the release directory.
type entry struct {
	path string // slash-separated, relative
	mode fs.FileMode
	size int64
}

// Build walks dir and returns the manifest of its regular files, hashing
// them in parallel. A symbolic link or other non-regular file is an error
// wrapping ErrUnsupportedFile; a name that breaks the path rules is an error
// wrapping ErrUnsafePath.
func Build(ctx context.Context, dir string, opts Options) (*Manifest, error) {
	root, err := openDir(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	skip := excludedSet(dir, opts.Exclude)
	entries, err := walk(root, dir, func(p string) bool { return skip[p] })
	if err != nil {
		return nil, err
	}
	files := make([]File, 0, len(entries))
	for _, e := range entries {
		if !e.mode.IsRegular() {
			return nil, fmt.Errorf("read release %q: %q: %w (%s); symbolic links are not followed, copy the file into the release instead", dir, e.path, ErrUnsupportedFile, kindOf(e.mode))
		}
		if err := checkPath(e.path); err != nil {
			return nil, fmt.Errorf("read release %q: %w", dir, err)
		}
		files = append(files, File{Path: e.path, Size: e.size})
	}
	err = hashAll(ctx, root, opts.Workers, opts.progress(files), len(files), func(i int) *File { return &files[i] })
	if err != nil {
		return nil, fmt.Errorf("read release %q: %w", dir, err)
	}
	return &Manifest{Files: files}, nil
}

// openDir opens the release directory as an os.Root. It checks first that
// dir is a directory: opening a named pipe would wait for a writer.
func openDir(dir string) (*os.Root, error) {
	if err := checkDir(dir); err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open release directory: %w", err)
	}
	return root, nil
}

// checkDir reports an error unless dir is a directory.
func checkDir(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("open release directory %q: %w", dir, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("open release directory %q: it is %s, not a directory", dir, kindOf(fi.Mode()))
	}
	return nil
}

// walk lists every non-directory entry under root, sorted by path, without
// following symbolic links, leaving out the paths skip reports.
func walk(root *os.Root, dir string, skip func(string) bool) ([]entry, error) {
	var entries []entry
	err := fs.WalkDir(root.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || skip(p) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		entries = append(entries, entry{path: p, mode: info.Mode(), size: info.Size()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read release %q: %w", dir, err)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].path < entries[j].path })
	return entries, nil
}

// excludedSet maps the excluded OS paths that lie inside dir to their
// slash-separated relative paths.
func excludedSet(dir string, exclude []string) map[string]bool {
	set := make(map[string]bool, len(exclude))
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return set
	}
	for _, p := range exclude {
		abs, err := filepath.Abs(p)
		if err != nil {
			continue
		}
		rel, err := filepath.Rel(absDir, abs)
		if err != nil || !filepath.IsLocal(rel) {
			continue
		}
		set[filepath.ToSlash(rel)] = true
	}
	return set
}

// kindOf names a non-regular file type for messages.
func kindOf(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m.IsRegular():
		return "a regular file"
	default:
		return "not a regular file"
	}
}

// hashAll fills in the digests (and the size actually read) of n files with
// a bounded pool of workers; file(i) returns the i-th entry to fill. The
// first error stops the work.
func hashAll(ctx context.Context, root *os.Root, workers int, p Progress, n int, file func(int) *File) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, n)
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			buf := make([]byte, bufSize)
			for i := range next {
				if err := hashFile(ctx, root, file(i), buf, p); err != nil {
					cancel(err)
				}
			}
		})
	}
	func() {
		defer close(next)
		for i := range n {
			select {
			case next <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	wg.Wait()
	return context.Cause(ctx)
}

// hashFile streams one file once through SHA-256 and SHA-512 and records the
// digests and the number of bytes read in f.
func hashFile(ctx context.Context, root *os.Root, f *File, buf []byte, p Progress) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r, err := root.Open(filepath.FromSlash(f.Path))
	if err != nil {
		return err
	}
	defer r.Close()
	h256, h512 := sha256.New(), sha512.New()
	var size int64
	for {
		n, err := r.Read(buf)
		if n > 0 {
			h256.Write(buf[:n])
			h512.Write(buf[:n])
			size += int64(n)
			p.Add(n)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("read %q: %w", f.Path, err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	f.Size = size
	f.Digest = Digests{SHA256: hex.EncodeToString(h256.Sum(nil)), SHA512: hex.EncodeToString(h512.Sum(nil))}
	return nil
}
