package ledger

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/objfile"
)

// openBlob streams the blob h, for evidence that may be large. A loose
// object is inflated from its file as it is read, and its git hash is
// checked at the end: the last Read fails when the content is not the
// object its name says. go-git would read the whole object into memory
// first (a 2 GiB evidence file, 2 GiB of memory) and hash it twice,
// together half of what verifying large evidence cost. A packed object
// (after 'git gc') is read through go-git.
func (l *Ledger) openBlob(h plumbing.Hash) (io.ReadCloser, error) {
	fs := l.storage.Filesystem()
	hex := h.String()
	f, err := fs.Open(fs.Join("objects", hex[:2], hex[2:]))
	if errors.Is(err, os.ErrNotExist) {
		b, err := l.repo.BlobObject(h)
		if err != nil {
			return nil, err
		}
		return b.Reader()
	}
	if err != nil {
		return nil, err
	}
	r, err := objfile.NewReader(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("object %s: %w", h, err)
	}
	t, _, err := r.Header()
	if err == nil && t != plumbing.BlobObject {
		err = fmt.Errorf("a %s, not a blob", t)
	}
	if err != nil {
		r.Close()
		f.Close()
		return nil, fmt.Errorf("object %s: %w", h, err)
	}
	return &looseBlob{r: r, f: f, want: h}, nil
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
