// Package atomicfile writes files so that a reader sees either the old
// content or the whole new content, never a half-written file: data goes to a
// temporary file in the same directory, is synced, and is renamed into place.
// A failed write leaves nothing behind.
//
// A command that writes several files creates them all first (Create), which
// fails early for a directory that does not exist or cannot be written, does
// its work, and renames them into place together (Commit) only when every
// step succeeded; on failure it aborts them and the folder is as it was.
package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// Options tune a write.
type Options struct {
	// Perm is the mode of the new file (default 0o644).
	Perm fs.FileMode
	// NoOverwrite refuses to replace an existing file.
	NoOverwrite bool
	// Kind says what the file is, for messages: "write bundle "b.json": …".
	Kind string
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
func Write(path string, opts Options, fill func(io.Writer) error) error {
	p, err := Create(path, opts)
	if err != nil {
		return err
	}
	if err := fill(p.tmp); err != nil {
		p.Abort()
		return p.errorf(err)
	}
	return Commit(p)
}

// Pending is a file being written: its content goes to a temporary file
// beside its path until Commit renames it into place, or Abort removes it.
type Pending struct {
	path string
	opts Options
	tmp  *os.File
	done bool
	// stream is true for a device or named pipe at path (/dev/null,
	// /dev/stdout): written in place, since there is no file to replace
	// and renaming a file over it would replace the device.
	stream bool
}

// Create starts writing path. It creates the temporary file at once, so
// that a directory that is missing or not writable, a path that is a
// directory, and (with NoOverwrite) an existing file are errors before any
// work is done. The caller must Commit or Abort.
func Create(path string, opts Options) (*Pending, error) {
	if opts.Perm == 0 {
		opts.Perm = 0o644
	}
	p := &Pending{path: path, opts: opts}
	if fi, err := os.Lstat(path); err == nil {
		switch {
		case opts.NoOverwrite:
			return nil, p.errorf(ErrExists)
		case fi.IsDir():
			return nil, p.errorf(errors.New("it is a directory"))
		}
	}
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() && !fi.IsDir() {
		return createStream(p)
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if fi, err := os.Stat(dir); err != nil {
		return nil, p.errorf(unwrapPath(err))
	} else if !fi.IsDir() {
		return nil, p.errorf(fmt.Errorf("%q is not a directory", dir))
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return nil, p.errorf(unwrapPath(err))
	}
	p.tmp = tmp
	if err := tmp.Chmod(opts.Perm); err != nil {
		p.Abort()
		return nil, p.errorf(err)
	}
	return p, nil
}

// createStream opens a device or named pipe for writing. A pipe without a
// reader is an error rather than a wait.
func createStream(p *Pending) (*Pending, error) {
	f, err := os.OpenFile(p.path, os.O_WRONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, p.errorf(unwrapPath(err))
	}
	p.tmp, p.stream = f, true
	return p, nil
}

// Write appends data to the pending file.
func (p *Pending) Write(data []byte) (int, error) { return p.tmp.Write(data) }

// Path is where the file goes.
func (p *Pending) Path() string { return p.path }

// TempPath is the temporary file, for callers that must leave it out of a
// directory listing.
func (p *Pending) TempPath() string { return p.tmp.Name() }

// Abort removes the temporary file. It is safe to call more than once and
// after Commit, where it does nothing.
func (p *Pending) Abort() {
	if p == nil || p.done {
		return
	}
	p.done = true
	p.tmp.Close()
	if !p.stream {
		os.Remove(p.tmp.Name())
	}
}

// Commit syncs every pending file and renames each into place, in order.
// When a file fails to sync, none is renamed and all are removed. When a
// rename fails (with NoOverwrite: the file appeared meanwhile), the files
// not yet renamed are removed and the NoOverwrite files already placed are
// taken back, so that a failed Commit of new files leaves nothing.
func Commit(files ...*Pending) error {
	abortAll := func() {
		for _, p := range files {
			p.Abort()
		}
	}
	for _, p := range files {
		if p.stream {
			continue
		}
		if err := p.tmp.Sync(); err != nil {
			abortAll()
			return p.errorf(err)
		}
		if err := p.tmp.Close(); err != nil {
			abortAll()
			return p.errorf(err)
		}
	}
	var placed []*Pending
	for _, p := range files {
		if err := p.place(); err != nil {
			abortAll()
			for _, q := range placed {
				if q.opts.NoOverwrite {
					os.Remove(q.path)
				}
			}
			return err
		}
		p.done = true
		placed = append(placed, p)
	}
	return nil
}

func (p *Pending) place() error {
	if p.stream {
		if err := p.tmp.Close(); err != nil {
			return p.errorf(err)
		}
		return nil
	}
	if p.opts.NoOverwrite {
		// Link fails if path appeared meanwhile; rename would replace it.
		if err := os.Link(p.tmp.Name(), p.path); err != nil {
			if errors.Is(err, fs.ErrExist) {
				return p.errorf(ErrExists)
			}
			return p.errorf(unwrapLink(err))
		}
		os.Remove(p.tmp.Name())
		return nil
	}
	if err := os.Rename(p.tmp.Name(), p.path); err != nil {
		return p.errorf(unwrapLink(err))
	}
	return nil
}

func (p *Pending) errorf(err error) error {
	if p.opts.Kind == "" {
		return fmt.Errorf("write %q: %w", p.path, err)
	}
	return fmt.Errorf("write %s %q: %w", p.opts.Kind, p.path, err)
}

// unwrapPath drops the operation and path of an *fs.PathError: the message
// names the file the user gave, not the temporary one.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func unwrapLink(err error) error {
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}

// SamePath reports whether a and b name the same file: the same inode when
// both exist (after symbolic links), else the same cleaned absolute path
// once the symbolic links of the parent directories are resolved. A command
// uses it to refuse an output that would replace one of its inputs.
func SamePath(a, b string) bool {
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	if errA == nil && errB == nil {
		return os.SameFile(fa, fb)
	}
	return Resolve(a) == Resolve(b)
}

// Resolve returns path as a cleaned absolute path whose parent directory
// has its symbolic links resolved (the file itself need not exist).
func Resolve(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return filepath.Clean(path)
	}
	dir, base := filepath.Split(abs)
	if d, err := filepath.EvalSymlinks(dir); err == nil {
		dir = d
	}
	return filepath.Join(dir, base)
}
