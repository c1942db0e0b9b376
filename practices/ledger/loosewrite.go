package ledger

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/klauspost/compress/zlib"

	"github.com/sdlkit/sdlkit/internal/readlimit"
)

// storeEvidenceData streams size bytes of evidence from r into a new
// loose blob (see writeStored), hashing them on the way, remembers the
// blob for the record that names it (l.blobs) and returns its File entry.
func (l *Ledger) storeEvidenceData(ctx context.Context, r io.Reader, size int64, name, mediaType string) (File, error) {
	sum := sha256.New()
	h, err := l.writeStored(ctx, plumbing.BlobObject, r, size, sum)
	if err != nil {
		return File{}, err
	}
	digest := "sha256:" + hex.EncodeToString(sum.Sum(nil))
	l.blobs[digest] = h
	return File{Name: name, MediaType: mediaType, Size: size, Digest: digest}, nil
}

// writeStored streams size bytes of an object of type t from r into a new
// loose object, writing them to also too, and returns the object's name.
//
// The object is a normal zlib stream, which git and go-git read like any
// other, but made of deflate's stored blocks (level 0): verifying a ledger
// reads every object, and inflating git's default compression cost about
// 84% of checking evidence (243 MB/s on this project's machines against
// 1.5 GB/s for SHA-256) and most of reading trees, so a verification bound
// by hashing needs objects that inflate at copy speed. Evidence is mostly
// JSON that compresses 3-4 times, so a loose blob takes that much more disk
// until 'git gc' or a fetch packs it (packing compresses it as any
// object); records, trees and commits are a few KiB, and a loose object
// takes a block of the file system whatever its size. go-git's object
// writer offers no compression level, hence this writer.
//
// As git does, it writes a temporary file in the objects directory and
// renames it to the object's name (an object already there is kept), read
// only; a process killed half-way leaves a tmp_obj_ file that git gc
// prunes, never a partial object.
func (l *Ledger) writeStored(ctx context.Context, t plumbing.ObjectType, r io.Reader, size int64, also io.Writer) (plumbing.Hash, error) {
	tmp, err := os.CreateTemp(l.objects, "tmp_obj_")
	if err != nil {
		return plumbing.ZeroHash, err
	}
	keep := false
	defer func() {
		if !keep {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	d, err := l.deflater(tmp)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	defer l.deflaters.Put(d)
	z, bw := d.z, d.bw
	gh := plumbing.NewHasher(t, size)
	if _, err := fmt.Fprintf(z, "%s %d\x00", t, size); err != nil {
		return plumbing.ZeroHash, err
	}
	out := io.MultiWriter(z, gh)
	if also != nil {
		out = io.MultiWriter(z, gh, also)
	}
	n, err := io.Copy(out, io.LimitReader(readlimit.ContextReader(ctx, r), size+1))
	if err == nil && n != size {
		err = fmt.Errorf("changed while being read (%d bytes, expected %d)", n, size)
	}
	if err == nil {
		err = z.Close()
	}
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = tmp.Close()
	}
	if err != nil {
		return plumbing.ZeroHash, err
	}
	h := gh.Sum()
	name := h.String()
	dir := filepath.Join(l.objects, name[:2])
	final := filepath.Join(dir, name[2:])
	if _, err := os.Lstat(final); err == nil || !errors.Is(err, os.ErrNotExist) {
		return h, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return plumbing.ZeroHash, err
	}
	if err := os.Chmod(tmp.Name(), 0o444); err != nil {
		return plumbing.ZeroHash, err
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return plumbing.ZeroHash, err
	}
	keep = true
	return h, nil
}

// writeObject writes obj as writeStored does.
func (l *Ledger) writeObject(obj plumbing.EncodedObject) (plumbing.Hash, error) {
	rd, err := obj.Reader()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	defer rd.Close()
	return l.writeStored(context.Background(), obj.Type(), rd, obj.Size(), nil)
}

// deflater is a zlib writer of stored blocks over a buffered file, kept in
// the ledger's pool between objects: a compressor holds several hundred
// KiB of state whatever its level, which each small object paid for in
// allocation and garbage collection.
type deflater struct {
	bw *bufio.Writer
	z  *zlib.Writer
}

func (l *Ledger) deflater(w io.Writer) (*deflater, error) {
	d, _ := l.deflaters.Get().(*deflater)
	if d == nil {
		bw := bufio.NewWriterSize(w, 64<<10)
		z, err := zlib.NewWriterLevel(bw, zlib.NoCompression)
		if err != nil {
			return nil, err
		}
		return &deflater{bw: bw, z: z}, nil
	}
	d.bw.Reset(w)
	d.z.Reset(d.bw)
	return d, nil
}
