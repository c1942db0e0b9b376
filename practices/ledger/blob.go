package ledger

import (
	"bufio"
	"bytes"
	"crypto"
	"crypto/sha1"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/go-git/go-git/v5/plumbing"
	githash "github.com/go-git/go-git/v5/plumbing/hash"
	"github.com/klauspost/compress/zlib"
)

// Bounds on the objects read whole: a crafted object cannot make a reader
// allocate more than this.
const (
	maxTreeSize   = 64 << 20
	maxCommitSize = 8 << 20
)

// gitHash makes the hash a loose object's content is checked with. Every
// object is checked with go-git's SHA-1, which detects the collision
// attacks on SHA-1 (sha1cd), as git does; evidence blobs use the plain
// SHA-1 (see fastSHA1).
type gitHash func() hash.Hash

// collisionSHA1 is go-git's SHA-1, collision detecting.
func collisionSHA1() hash.Hash { return githash.New(crypto.SHA1) }

// fastSHA1 is the standard library's SHA-1, several times faster than the
// collision-detecting one. Verify checks an evidence blob's git hash with
// it because the same pass checks the SHA-256 its path names: a blob
// crafted to collide with another under SHA-1 still fails that.
func fastSHA1() hash.Hash { return sha1.New() }

// inflater is a zlib reader over a buffered file, kept in the ledger's pool
// between objects: its window and tables are the cost of a small object.
type inflater struct {
	br *bufio.Reader
	z  io.ReadCloser // zlib.Resetter too
}

func (l *Ledger) inflate(f *os.File) (*inflater, error) {
	in, _ := l.inflaters.Get().(*inflater)
	if in == nil {
		in = &inflater{br: bufio.NewReaderSize(f, 32<<10)}
		z, err := zlib.NewReader(in.br)
		if err != nil {
			return nil, err
		}
		in.z = z
		return in, nil
	}
	in.br.Reset(f)
	if err := in.z.(zlib.Resetter).Reset(in.br, nil); err != nil {
		l.inflaters.Put(in)
		return nil, err
	}
	return in, nil
}

// looseObject reads a loose object's content, inflated from its file as it
// is read. The Read that reaches the end fails when the content is not as
// long as the header says or does not hash to the object's name.
type looseObject struct {
	l    *Ledger
	f    *os.File
	in   *inflater
	sum  hash.Hash
	want plumbing.Hash
	typ  plumbing.ObjectType
	size int64 // from the header
	n    int64 // read so far
}

// openLoose opens the loose object h and reads its header. It returns an
// error satisfying errors.Is(err, os.ErrNotExist) when h is not loose.
func (l *Ledger) openLoose(h plumbing.Hash, newHash gitHash) (*looseObject, error) {
	name := h.String()
	f, err := os.Open(filepath.Join(l.objects, name[:2], name[2:]))
	if err != nil {
		return nil, err
	}
	o := &looseObject{l: l, f: f, want: h}
	if o.in, err = l.inflate(f); err == nil {
		err = o.header(newHash)
	}
	if err != nil {
		o.Close()
		return nil, fmt.Errorf("object %s: %w", h, err)
	}
	return o, nil
}

// header reads "<type> <size>\x00" and starts the hash of the object.
func (o *looseObject) header(newHash gitHash) error {
	var buf [32]byte
	n := 0
	for ; n == 0 || buf[n-1] != 0; n++ {
		if n == len(buf) {
			return errors.New("header too long")
		}
		if _, err := io.ReadFull(o.in.z, buf[n:n+1]); err != nil {
			return fmt.Errorf("read header: %w", err)
		}
	}
	typ, size, ok := bytes.Cut(buf[:n-1], []byte(" "))
	t, err := plumbing.ParseObjectType(string(typ))
	if !ok || err != nil {
		return fmt.Errorf("invalid header %q", buf[:n-1])
	}
	o.typ = t
	if o.size, err = strconv.ParseInt(string(size), 10, 64); err != nil || o.size < 0 {
		return fmt.Errorf("invalid header %q", buf[:n-1])
	}
	o.sum = newHash()
	fmt.Fprintf(o.sum, "%s %d\x00", t, o.size)
	return nil
}

func (o *looseObject) Read(p []byte) (int, error) {
	n, err := o.in.z.Read(p)
	o.sum.Write(p[:n])
	o.n += int64(n)
	switch {
	case o.n > o.size:
		return n, fmt.Errorf("object %s: longer than the %d bytes its header says", o.want, o.size)
	case err != io.EOF:
		return n, err
	case o.n != o.size:
		return n, fmt.Errorf("object %s: %d bytes, its header says %d", o.want, o.n, o.size)
	}
	var got plumbing.Hash
	o.sum.Sum(got[:0])
	if got != o.want {
		return n, fmt.Errorf("object %s: its content hashes to %s", o.want, got)
	}
	return n, io.EOF
}

// Close closes the file and returns the inflater to the pool.
func (o *looseObject) Close() error {
	if o.in != nil {
		o.l.inflaters.Put(o.in)
		o.in = nil
	}
	return o.f.Close()
}

// openBlob streams the blob h and returns its size. A loose object is
// inflated from its file as it is read, and its git hash (made by newHash)
// is checked at the end: the Read that reaches EOF fails when the content
// is not the object its name says. go-git would read the whole object into
// memory first (a 2 GiB evidence file, 2 GiB of memory), hash it twice and
// check neither hash against the name; for small objects, its path
// resolution (an lstat of each directory on the way) cost more than the
// read, and klauspost's inflate takes half the time of the standard
// library's, which go-git uses. A packed object (after 'git gc') is read
// through go-git, whole, at the first Read.
func (l *Ledger) openBlob(h plumbing.Hash, newHash gitHash) (io.ReadCloser, int64, error) {
	o, err := l.openLoose(h, newHash)
	if errors.Is(err, os.ErrNotExist) {
		l.gitMu.Lock()
		defer l.gitMu.Unlock()
		size, err := l.storage.EncodedObjectSize(h)
		if err != nil {
			return nil, 0, err
		}
		return &packedBlob{l: l, h: h}, size, nil
	}
	if err != nil {
		return nil, 0, err
	}
	if o.typ != plumbing.BlobObject {
		o.Close()
		return nil, 0, fmt.Errorf("object %s: a %s, not a blob", h, o.typ)
	}
	return o, o.size, nil
}

// packedBlob is a packed blob, read whole through go-git at its first
// Read: the one who opens it learns its size without holding its content.
type packedBlob struct {
	l  *Ledger
	h  plumbing.Hash
	rd *bytes.Reader
}

func (b *packedBlob) Read(p []byte) (int, error) {
	if b.rd == nil {
		data, err := b.l.readPacked(b.h, plumbing.BlobObject, 1<<62)
		if err != nil {
			return 0, err
		}
		b.rd = bytes.NewReader(data)
	}
	return b.rd.Read(p)
}

func (b *packedBlob) Close() error {
	b.rd = nil
	return nil
}

// readObject reads the whole of object h, of type t and at most max bytes,
// and checks its git hash when it is loose.
func (l *Ledger) readObject(h plumbing.Hash, t plumbing.ObjectType, max int64) ([]byte, error) {
	o, err := l.openLoose(h, collisionSHA1)
	if errors.Is(err, os.ErrNotExist) {
		return l.readPacked(h, t, max)
	}
	if err != nil {
		return nil, err
	}
	defer o.Close()
	switch {
	case o.typ != t:
		return nil, fmt.Errorf("object %s: a %s, not a %s", h, o.typ, t)
	case o.size > max:
		return nil, fmt.Errorf("%s %s: %d bytes, at most %d", t, h, o.size, max)
	}
	data := make([]byte, o.size)
	if _, err := io.ReadFull(o, data); err != nil {
		return nil, err
	}
	// To the end of the stream, where the length and the hash are checked.
	if _, err := io.Copy(io.Discard, o); err != nil {
		return nil, err
	}
	return data, nil
}

// readPacked reads an object that is not loose through go-git, one
// goroutine at a time: go-git's reader of a packed object shares the
// pack's file.
func (l *Ledger) readPacked(h plumbing.Hash, t plumbing.ObjectType, max int64) ([]byte, error) {
	l.gitMu.Lock()
	defer l.gitMu.Unlock()
	obj, err := l.storage.EncodedObject(t, h)
	if err != nil {
		return nil, err
	}
	if obj.Size() > max {
		return nil, fmt.Errorf("%s %s: %d bytes, at most %d", t, h, obj.Size(), max)
	}
	rd, err := obj.Reader()
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	data, err := io.ReadAll(rd)
	if err == nil && int64(len(data)) != obj.Size() {
		err = fmt.Errorf("%s %s: %d bytes, its header says %d", t, h, len(data), obj.Size())
	}
	if err != nil {
		return nil, err
	}
	return data, nil
}

// readBlob reads a blob of at most max bytes.
func (l *Ledger) readBlob(h plumbing.Hash, max int64) ([]byte, error) {
	return l.readObject(h, plumbing.BlobObject, max)
}
