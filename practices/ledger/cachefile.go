package ledger

import (
	"encoding/binary"
	"hash/crc32"
	"math"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
)

// The ledger's caches (the index of records, the last clean verification)
// are files in the git directory, written and read here in a small binary
// form: a header of magic bytes and a version, fields as unsigned varints,
// strings as their length and bytes, and a CRC-32C of all before it at the
// end. A file that is short, corrupt, of another version or of another
// kind reads as no cache at all; the caller then reads the ledger.

// cacheWriter appends a cache file's fields.
type cacheWriter struct{ buf []byte }

// newCacheWriter starts a file of about size bytes.
func newCacheWriter(magic string, version uint64, size int) *cacheWriter {
	w := &cacheWriter{buf: append(make([]byte, 0, size+len(magic)+16), magic...)}
	w.uint(version)
	return w
}

func (w *cacheWriter) uint(v uint64) { w.buf = binary.AppendUvarint(w.buf, v) }

func (w *cacheWriter) int(v int) { w.uint(uint64(v)) }

func (w *cacheWriter) int64(v int64) { w.uint(uint64(v)) }

func (w *cacheWriter) str(s string) {
	w.uint(uint64(len(s)))
	w.buf = append(w.buf, s...)
}

func (w *cacheWriter) strs(ss []string) {
	w.int(len(ss))
	for _, s := range ss {
		w.str(s)
	}
}

func (w *cacheWriter) hash(h plumbing.Hash) { w.buf = append(w.buf, h[:]...) }

// time writes t as time.Time's binary form, which keeps its zone offset.
func (w *cacheWriter) time(t time.Time) {
	b, err := t.MarshalBinary()
	if err != nil { // a year time cannot write: as the zero time
		b, _ = time.Time{}.MarshalBinary()
	}
	w.buf = append(append(w.buf, byte(len(b))), b...)
}

// bytes returns the file: the fields and their checksum.
func (w *cacheWriter) bytes() []byte {
	return binary.LittleEndian.AppendUint32(w.buf, crc32.Checksum(w.buf, castagnoli()))
}

func castagnoli() *crc32.Table { return crc32.MakeTable(crc32.Castagnoli) }

// cacheReader reads the fields a cacheWriter wrote. The first problem
// sticks: every later read returns a zero value, so a decoder reads its
// fields and asks ok once at the end. Strings are slices of one copy of
// the file: reading one allocates nothing.
type cacheReader struct {
	data string
	off  int
	bad  bool
}

// openCache checks a file's magic, version and checksum; nil means no
// cache.
func openCache(file []byte, magic string, version uint64) *cacheReader {
	n := len(file) - 4
	if n < len(magic) || string(file[:len(magic)]) != magic ||
		binary.LittleEndian.Uint32(file[n:]) != crc32.Checksum(file[:n], castagnoli()) {
		return nil
	}
	r := &cacheReader{data: string(file[:n]), off: len(magic)}
	if r.uint() != version || r.bad {
		return nil
	}
	return r
}

func (r *cacheReader) uint() uint64 {
	var v uint64
	for shift := 0; shift < 64 && r.off < len(r.data); shift += 7 {
		b := r.data[r.off]
		r.off++
		if shift == 63 && b > 1 {
			break
		}
		v |= uint64(b&0x7f) << shift
		if b < 0x80 {
			return v
		}
	}
	r.bad = true
	return 0
}

// upTo reads a number of at most max.
func (r *cacheReader) upTo(max uint64) uint64 {
	v := r.uint()
	if v > max {
		r.bad = true
		return 0
	}
	return v
}

// int reads a count, a length or a number of things.
func (r *cacheReader) int() int { return int(r.upTo(math.MaxInt32)) }

// int64 reads a size.
func (r *cacheReader) int64() int64 { return int64(r.upTo(math.MaxInt64)) }

// count reads how many elements follow, each at least size bytes long: a
// count the rest of the file cannot hold is corrupt, so it never makes a
// decoder allocate more than the file's size.
func (r *cacheReader) count(size int) int {
	n := r.int()
	if n > (len(r.data)-r.off)/size {
		r.bad = true
		return 0
	}
	return n
}

// take returns the next n bytes.
func (r *cacheReader) take(n int) string {
	if r.bad || n > len(r.data)-r.off {
		r.bad = true
		return ""
	}
	s := r.data[r.off : r.off+n]
	r.off += n
	return s
}

func (r *cacheReader) str() string { return r.take(r.int()) }

func (r *cacheReader) strs() []string {
	n := r.count(1)
	if n == 0 {
		return nil
	}
	ss := make([]string, n)
	for i := range ss {
		ss[i] = r.str()
	}
	return ss
}

func (r *cacheReader) hash() plumbing.Hash {
	var h plumbing.Hash
	copy(h[:], r.take(len(h)))
	return h
}

func (r *cacheReader) time() time.Time {
	var t time.Time
	n := r.take(1)
	if r.bad {
		return t
	}
	if b := r.take(int(n[0])); !r.bad && t.UnmarshalBinary([]byte(b)) != nil {
		r.bad = true
	}
	return t
}

// ok reports whether every field read was whole and the file holds no
// more.
func (r *cacheReader) ok() bool { return !r.bad && r.off == len(r.data) }
