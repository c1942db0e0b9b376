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
	"syscall"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	githash "github.com/go-git/go-git/v5/plumbing/hash"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/go-git/go-git/v5/storage/filesystem/dotgit"
	"github.com/klauspost/compress/zlib"

	"github.com/sdlkit/sdlkit/internal/readlimit"
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
	z  io.ReadCloser // zlib.Resetter too; nil until start
}

// inflater returns a pooled inflater reading r. The caller reads what
// precedes the zlib stream from its br, calls start, and puts it back in
// l.inflaters when done.
func (l *Ledger) inflater(r io.Reader) *inflater {
	in, _ := l.inflaters.Get().(*inflater)
	if in == nil {
		return &inflater{br: bufio.NewReaderSize(r, 32<<10)}
	}
	in.br.Reset(r)
	return in
}

// start reads the zlib stream's header.
func (in *inflater) start() error {
	if in.z == nil {
		z, err := zlib.NewReader(in.br)
		if err != nil {
			return err
		}
		in.z = z
		return nil
	}
	return in.z.(zlib.Resetter).Reset(in.br, nil)
}

// openObjectFile opens a file of the object store. Something other than a
// regular file in its place (a FIFO, a device, a symbolic link to one) is
// an error, not a read that blocks or never ends.
func openObjectFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = fmt.Errorf("%s: %w: it is %s", filepath.Base(path), readlimit.ErrNotRegular, readlimit.Describe(fi.Mode()))
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// objectCheck checks an object's content as it is read: that it is as long
// as the object's header says and hashes to the object's name.
type objectCheck struct {
	sum  hash.Hash
	want plumbing.Hash
	size int64 // from the header
	n    int64 // read so far
}

func newObjectCheck(newHash gitHash, want plumbing.Hash, t plumbing.ObjectType, size int64) objectCheck {
	sum := newHash()
	fmt.Fprintf(sum, "%s %d\x00", t, size)
	return objectCheck{sum: sum, want: want, size: size}
}

// read takes what a Read of the content gave, p and err, and returns the
// error that Read returns: the one the check found, else err.
func (c *objectCheck) read(p []byte, err error) error {
	c.sum.Write(p)
	c.n += int64(len(p))
	switch {
	case c.n > c.size:
		return fmt.Errorf("object %s: longer than the %d bytes its header says", c.want, c.size)
	case err != io.EOF:
		return err
	case c.n != c.size:
		return fmt.Errorf("object %s: %d bytes, its header says %d", c.want, c.n, c.size)
	}
	var got plumbing.Hash
	c.sum.Sum(got[:0])
	if got != c.want {
		return fmt.Errorf("object %s: its content hashes to %s", c.want, got)
	}
	return io.EOF
}

// looseObject reads a loose object's content (or a packed one's stored
// whole: see openPackedWhole), inflated from its file as it is read. The
// Read that reaches the end fails when the content is not as long as the
// header says or does not hash to the object's name.
type looseObject struct {
	l     *Ledger
	f     *os.File
	in    *inflater
	typ   plumbing.ObjectType
	check objectCheck
}

// openLoose opens the loose object h and reads its header. It returns an
// error satisfying errors.Is(err, os.ErrNotExist) when h is not loose.
func (l *Ledger) openLoose(h plumbing.Hash, newHash gitHash) (*looseObject, error) {
	name := h.String()
	f, err := openObjectFile(filepath.Join(l.objects, name[:2], name[2:]))
	if err != nil {
		return nil, err
	}
	o := &looseObject{l: l, f: f, in: l.inflater(f)}
	if err = o.in.start(); err == nil {
		err = o.header(h, newHash)
	}
	if err != nil {
		o.Close()
		return nil, fmt.Errorf("object %s: %w", h, err)
	}
	return o, nil
}

// header reads "<type> <size>\x00" and starts the check of object h.
func (o *looseObject) header(h plumbing.Hash, newHash gitHash) error {
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
	typ, sizeText, ok := bytes.Cut(buf[:n-1], []byte(" "))
	t, err := plumbing.ParseObjectType(string(typ))
	if !ok || err != nil {
		return fmt.Errorf("invalid header %q", buf[:n-1])
	}
	size, err := strconv.ParseInt(string(sizeText), 10, 64)
	if err != nil || size < 0 {
		return fmt.Errorf("invalid header %q", buf[:n-1])
	}
	o.typ = t
	o.check = newObjectCheck(newHash, h, t, size)
	return nil
}

func (o *looseObject) Read(p []byte) (int, error) {
	n, err := o.in.z.Read(p)
	return n, o.check.read(p[:n], err)
}

// Close closes the file and returns the inflater to the pool.
func (o *looseObject) Close() error {
	if o.in != nil {
		o.l.inflaters.Put(o.in)
		o.in = nil
	}
	return o.f.Close()
}

// packedObject reads a packed object's content through go-git and checks
// it as looseObject does: go-git trusts the pack, so an object rewritten
// in a pack (with an index to match) would otherwise read as genuine.
type packedObject struct {
	rd    io.ReadCloser
	check objectCheck
}

func (o *packedObject) Read(p []byte) (int, error) {
	n, err := o.rd.Read(p)
	return n, o.check.read(p[:n], err)
}

func (o *packedObject) Close() error { return o.rd.Close() }

// largePackedObject is the size from which go-git streams a packed object
// from its pack instead of inflating it whole on opening.
const largePackedObject = 1 << 20

// openPacked opens the packed object h, of type t. go-git reads the pack
// one goroutine at a time (its packfile reader shares the pack's file);
// a large object is then read from a file of its own, so large evidence
// blobs are inflated and hashed in parallel.
func (l *Ledger) openPacked(h plumbing.Hash, t plumbing.ObjectType, newHash gitHash) (*packedObject, int64, error) {
	l.gitMu.Lock()
	defer l.gitMu.Unlock()
	var obj plumbing.EncodedObject
	err := plumbing.ErrObjectNotFound
	if l.packs != nil {
		obj, err = l.packs.EncodedObject(t, h)
	}
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		// go-git lists the packs once; a fetch since may have added one.
		l.packs = filesystem.NewObjectStorageWithOptions(dotgit.New(osfs.New(l.GitDir())), cache.NewObjectLRUDefault(),
			filesystem.Options{LargeObjectThreshold: largePackedObject})
		obj, err = l.packs.EncodedObject(t, h)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("object %s: %w", h, err)
	}
	rd, err := obj.Reader()
	if err != nil {
		return nil, 0, fmt.Errorf("object %s: %w", h, err)
	}
	return &packedObject{rd: rd, check: newObjectCheck(newHash, h, obj.Type(), obj.Size())}, obj.Size(), nil
}

// openObject streams object h, of type t, and returns its size. Its git
// hash (made by newHash) is checked at the end: the Read that reaches EOF
// fails when the content is not the object its name says. A loose object
// is inflated from its file as it is read. go-git would read the whole
// object into memory first (a 2 GiB evidence file, 2 GiB of memory), hash
// it twice and check neither hash against the name; for small objects,
// its path resolution (an lstat of each directory on the way) cost more
// than the read, and klauspost's inflate takes half the time of the
// standard library's, which go-git uses. A packed object (after 'git gc',
// or fetched) is streamed the same way from its pack when stored whole
// (openPackedWhole), and read through go-git when a delta or in an
// alternate object store (openPacked).
func (l *Ledger) openObject(h plumbing.Hash, t plumbing.ObjectType, newHash gitHash) (io.ReadCloser, int64, error) {
	o, err := l.openLoose(h, newHash)
	if errors.Is(err, os.ErrNotExist) {
		rd, size, err := l.openPackedWhole(h, t, newHash)
		if errors.Is(err, errDeltified) || errors.Is(err, plumbing.ErrObjectNotFound) {
			// A delta, or an object of an alternate object store.
			return l.openPacked(h, t, newHash)
		}
		return rd, size, err
	}
	if err != nil {
		return nil, 0, err
	}
	if o.typ != t {
		o.Close()
		return nil, 0, fmt.Errorf("object %s: a %s, not a %s", h, o.typ, t)
	}
	return o, o.check.size, nil
}

// openBlob streams the blob h and returns its size (see openObject).
func (l *Ledger) openBlob(h plumbing.Hash, newHash gitHash) (io.ReadCloser, int64, error) {
	return l.openObject(h, plumbing.BlobObject, newHash)
}

// readObject reads the whole of object h, of type t and at most max bytes,
// and checks its git hash.
func (l *Ledger) readObject(h plumbing.Hash, t plumbing.ObjectType, max int64) ([]byte, error) {
	rd, size, err := l.openObject(h, t, collisionSHA1)
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	if size > max {
		return nil, fmt.Errorf("%s %s: %d bytes, at most %d", t, h, size, max)
	}
	data := make([]byte, size)
	if _, err := io.ReadFull(rd, data); err != nil {
		return nil, err
	}
	// To the end of the stream, where the length and the hash are checked.
	if _, err := io.Copy(io.Discard, rd); err != nil {
		return nil, err
	}
	return data, nil
}

// readBlob reads a blob of at most max bytes.
func (l *Ledger) readBlob(h plumbing.Hash, max int64) ([]byte, error) {
	return l.readObject(h, plumbing.BlobObject, max)
}
