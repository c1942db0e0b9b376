package ledger

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/objfile"
)

// openBlob streams the blob h and returns its size. A loose object is
// inflated from its file as it is read, and its git hash is checked at the
// end: the Read that reaches EOF fails when the content is not the object
// its name says. go-git would read the whole object into memory first (a
// 2 GiB evidence file, 2 GiB of memory), hash it twice and check neither
// hash against the name; for small blobs, its path resolution (an lstat
// of each directory on the way) cost more than the read. A packed object
// (after 'git gc') is read through go-git.
func (l *Ledger) openBlob(h plumbing.Hash) (io.ReadCloser, int64, error) {
	hex := h.String()
	f, err := os.Open(filepath.Join(l.GitDir(), "objects", hex[:2], hex[2:]))
	if errors.Is(err, os.ErrNotExist) {
		return l.openPackedBlob(h)
	}
	if err != nil {
		return nil, 0, err
	}
	r, err := objfile.NewReader(f)
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("object %s: %w", h, err)
	}
	t, size, err := r.Header()
	if err == nil && t != plumbing.BlobObject {
		err = fmt.Errorf("a %s, not a blob", t)
	}
	if err != nil {
		r.Close()
		f.Close()
		return nil, 0, fmt.Errorf("object %s: %w", h, err)
	}
	return &looseBlob{r: r, f: f, want: h}, size, nil
}

// openPackedBlob reads a blob through go-git, one goroutine at a time. The
// whole of the blob is read before another may start: go-git's reader of
// a packed object shares the pack's file.
func (l *Ledger) openPackedBlob(h plumbing.Hash) (io.ReadCloser, int64, error) {
	l.gitMu.Lock()
	defer l.gitMu.Unlock()
	b, err := l.repo.BlobObject(h)
	if err != nil {
		return nil, 0, err
	}
	rd, err := b.Reader()
	if err != nil {
		return nil, 0, err
	}
	defer rd.Close()
	data, err := io.ReadAll(rd)
	if err != nil {
		return nil, 0, err
	}
	return io.NopCloser(bytes.NewReader(data)), b.Size, nil
}

// readBlob reads a blob of at most max bytes.
func (l *Ledger) readBlob(h plumbing.Hash, max int64) ([]byte, error) {
	rd, size, err := l.openBlob(h)
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	if size > max {
		return nil, fmt.Errorf("blob %s: %d bytes, at most %d", h, size, max)
	}
	data, err := io.ReadAll(io.LimitReader(rd, size+1))
	if err == nil && int64(len(data)) != size {
		err = fmt.Errorf("blob %s: %d bytes, its header says %d", h, len(data), size)
	}
	if err != nil {
		return nil, err
	}
	return data, nil
}

// looseBlob reads a loose object's content and checks its hash at EOF.
type looseBlob struct {
	r    *objfile.Reader
	f    io.Closer
	want plumbing.Hash
}

func (b *looseBlob) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err == io.EOF {
		if got := b.r.Hash(); got != b.want {
			return n, fmt.Errorf("object %s: its content hashes to %s", b.want, got)
		}
	}
	return n, err
}

func (b *looseBlob) Close() error {
	err := b.r.Close()
	if ferr := b.f.Close(); err == nil {
		err = ferr
	}
	return err
}
