// Package readlimit reads the small inputs of sdlkit (keys, bundles,
// manifests, predicates, catalogs, trusted roots) whole and bounded in size,
// and opens the artifacts it hashes only when they are regular files.
//
// The size limit is enforced while reading, so that it holds for a regular
// file, a device such as /dev/zero and a pipe alike: nothing past limit+1
// bytes is ever read. Small inputs are opened without blocking, so that a
// named pipe without a writer is read as empty instead of waiting forever,
// and a read from a pipe or terminal stops when the context is cancelled.
// Artifacts are checked with Stat before they are opened: a named pipe, a
// device or a directory is refused and never opened.
//
// It is not a general file API: it does not write, and it does not stream
// small inputs.
package readlimit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
	"time"
)

// Kind names a kind of input and the most bytes of it that are read.
type Kind struct {
	// Name is what the input is, for messages: "key", "bundle", ….
	Name string
	// Limit is the largest size accepted, in bytes.
	Limit int64
}

// ErrTooLarge is wrapped by the error of a read that went past the limit.
var ErrTooLarge = errors.New("larger than the limit")

// ErrNotRegular is wrapped by the error for a directory, named pipe, device
// or socket where a regular file is needed.
var ErrNotRegular = errors.New("not a regular file")

// TooLargeError is the error of a read past the limit of its kind.
type TooLargeError struct {
	Kind Kind
	Path string
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("read %s %q: larger than the %s limit for %s", e.Kind.Name, e.Path, FormatSize(e.Kind.Limit), withArticle(e.Kind.Name))
}

// Is makes errors.Is(err, ErrTooLarge) true.
func (e *TooLargeError) Is(target error) bool { return target == ErrTooLarge }

// ReadFile reads the file at path whole, refusing more than k.Limit bytes.
// A regular file, a device and a pipe are read; a directory or a socket is
// refused. A read that waits on a pipe or a terminal ends when ctx is
// cancelled, with an error wrapping ctx.Err(). Errors name the file.
func ReadFile(ctx context.Context, path string, k Kind) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, pathError("read", k.Name, path, err)
	}
	switch m := fi.Mode(); {
	case m.IsDir(), m&fs.ModeSocket != 0, m&fs.ModeIrregular != 0:
		return nil, fmt.Errorf("read %s %q: %w: it is %s", k.Name, path, ErrNotRegular, Describe(m))
	case m.IsRegular() && fi.Size() > k.Limit:
		return nil, &TooLargeError{Kind: k, Path: path}
	}
	// O_NONBLOCK: opening a named pipe without a writer does not wait; Go
	// then reads pipes and terminals through its poller, where a deadline
	// can stop a read.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, pathError("read", k.Name, path, err)
	}
	defer f.Close()
	stop := context.AfterFunc(ctx, func() { _ = f.SetReadDeadline(time.Now()) })
	defer stop()
	data, err := io.ReadAll(io.LimitReader(ContextReader(ctx, f), k.Limit+1))
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("read %s %q: %w", k.Name, path, ctx.Err())
		}
		return nil, pathError("read", k.Name, path, err)
	}
	if int64(len(data)) > k.Limit {
		return nil, &TooLargeError{Kind: k, Path: path}
	}
	return data, nil
}

// OpenRegular opens the regular file at path for reading: an artifact to
// hash. It checks with Stat, before opening, that path is a regular file (a
// symbolic link to one is fine), so that a named pipe is never opened and a
// device is never read; it checks again on the opened file, in case path
// was replaced in between. kind names the input in errors ("artifact").
func OpenRegular(path, kind string) (*os.File, fs.FileInfo, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, nil, pathError("read", kind, path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("read %s %q: %w: it is %s", kind, path, ErrNotRegular, Describe(fi.Mode()))
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, nil, pathError("read", kind, path, err)
	}
	opened, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, pathError("read", kind, path, err)
	}
	if !opened.Mode().IsRegular() || !os.SameFile(fi, opened) {
		f.Close()
		return nil, nil, fmt.Errorf("read %s %q: %w: it was replaced while being opened", kind, path, ErrNotRegular)
	}
	return f, opened, nil
}

// CheckRegular reports an error unless path is a regular file (or a
// symbolic link to one), without opening it.
func CheckRegular(path, kind string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return pathError("read", kind, path, err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("read %s %q: %w: it is %s", kind, path, ErrNotRegular, Describe(fi.Mode()))
	}
	return nil
}

// Describe names a file type for messages: "a directory", "a named pipe".
func Describe(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return "a regular file"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0, m&fs.ModeCharDevice != 0:
		return "a device"
	default:
		return "not a regular file"
	}
}

// FormatSize renders a limit for people: "64 KiB", "16 MiB", "512 bytes".
func FormatSize(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	default:
		return fmt.Sprintf("%d bytes", n)
	}
}

// pathError names the file once: "read key "k.key": no such file or
// directory", keeping the cause for errors.Is.
func pathError(op, kind, path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Errorf("%s %s %q: %w", op, kind, path, err)
}

func withArticle(noun string) string {
	if noun != "" && (noun[0] == 'a' || noun[0] == 'e' || noun[0] == 'i' || noun[0] == 'o' || noun[0] == 'u') {
		return "an " + noun
	}
	return "a " + noun
}

// ContextReader returns a reader of r that fails with ctx.Err() once ctx is
// cancelled: a loop that hashes a large file through it stops between two
// reads.
func ContextReader(ctx context.Context, r io.Reader) io.Reader {
	return &ctxReader{ctx: ctx, r: r}
}

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
