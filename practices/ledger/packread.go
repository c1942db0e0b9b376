package ledger

import (
	"bufio"
	"bytes"
	"container/list"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/idxfile"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
)

// packIndexes finds objects in the repository's packs by their indexes,
// which go-git decodes; each index is read once, and the directory is
// listed again when an object is in none of them (a fetch may have added
// a pack).
type packIndexes struct {
	mu    sync.Mutex
	dir   string
	packs []packIndex
	read  map[string]bool // the .idx files read
}

type packIndex struct {
	pack string // the .pack file
	idx  *idxfile.MemoryIndex
}

// find returns the pack file holding h and the object's offset in it.
func (p *packIndexes) find(h plumbing.Hash) (string, int64, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if pack, off, ok := p.lookup(h); ok {
		return pack, off, nil
	}
	if err := p.rescan(); err != nil {
		return "", 0, err
	}
	if pack, off, ok := p.lookup(h); ok {
		return pack, off, nil
	}
	return "", 0, plumbing.ErrObjectNotFound
}

func (p *packIndexes) lookup(h plumbing.Hash) (string, int64, bool) {
	for _, pk := range p.packs {
		if off, err := pk.idx.FindOffset(h); err == nil {
			return pk.pack, off, true
		}
	}
	return "", 0, false
}

// rescan reads the indexes not read yet.
func (p *packIndexes) rescan() error {
	names, err := filepath.Glob(filepath.Join(p.dir, "pack-*.idx"))
	if err != nil {
		return err
	}
	if p.read == nil {
		p.read = map[string]bool{}
	}
	for _, name := range names {
		if p.read[name] {
			continue
		}
		idx, err := readPackIndex(name)
		if err != nil {
			return err
		}
		p.read[name] = true
		p.packs = append(p.packs, packIndex{pack: strings.TrimSuffix(name, ".idx") + ".pack", idx: idx})
	}
	return nil
}

func readPackIndex(name string) (*idxfile.MemoryIndex, error) {
	f, err := openObjectFile(name)
	if err != nil {
		return nil, fmt.Errorf("pack index: %w", err)
	}
	defer f.Close()
	idx := idxfile.NewMemoryIndex()
	if err := idxfile.NewDecoder(bufio.NewReader(f)).Decode(idx); err != nil {
		return nil, fmt.Errorf("pack index %s: %w", filepath.Base(name), err)
	}
	return idx, nil
}

// errDeltified says a packed object is stored as a delta too large to
// resolve in memory, which sdlkit leaves to go-git.
var errDeltified = errors.New("stored as a delta sdlkit does not resolve")

// maxResolved bounds a delta and an object sdlkit resolves from deltas in
// memory; a larger one goes to go-git, which streams it. Git does not
// deltify files over core.bigFileThreshold (512 MiB) and evidence is
// rarely over a few MiB; trees and records are smaller still.
const maxResolved = 64 << 20

// maxDeltaDepth bounds a chain of deltas (git makes them 50 deep, 250 with
// --aggressive): an endless chain of REF deltas is an error.
const maxDeltaDepth = 4096

// openPackedWhole opens the packed object h: its content is inflated from
// the pack as it is read, by klauspost's zlib from a file of its own, and
// checked like a loose object's; one stored as a delta is resolved in
// memory first, its bases kept in the ledger's delta cache. go-git
// inflates with the standard library's zlib, at half the speed (77% of
// verifying a fetched ledger with 1 GiB of evidence went to it), reads
// objects under 1 MiB whole and resolves deltas one goroutine at a time.
// It returns errDeltified for what it leaves to go-git and
// plumbing.ErrObjectNotFound when no pack holds h.
func (l *Ledger) openPackedWhole(h plumbing.Hash, t plumbing.ObjectType, newHash gitHash) (io.ReadCloser, int64, error) {
	pack, off, err := l.packIndex.find(h)
	if err != nil {
		return nil, 0, err
	}
	f, err := openObjectFile(pack)
	if err != nil {
		return nil, 0, fmt.Errorf("object %s: %w", h, err)
	}
	in := l.inflater(io.NewSectionReader(f, off, 1<<62))
	o := &looseObject{l: l, f: f, in: in}
	typ, size, err := packedHeader(in.br)
	if err == nil && (typ == plumbing.OFSDeltaObject || typ == plumbing.REFDeltaObject) {
		l.inflaters.Put(in)
		defer f.Close()
		return l.openResolved(f, h, t, newHash, pack, off)
	}
	switch {
	case err == nil && typ != t:
		err = fmt.Errorf("object %s: a %s, not a %s", h, typ, t)
	case err == nil:
		if err = in.start(); err != nil {
			err = fmt.Errorf("object %s in %s: %w", h, filepath.Base(pack), err)
		}
	default:
		err = fmt.Errorf("object %s in %s: %w", h, filepath.Base(pack), err)
	}
	if err != nil {
		o.Close()
		return nil, 0, err
	}
	o.typ, o.check = t, newObjectCheck(newHash, h, t, size)
	return o, size, nil
}

// openResolved opens the packed object h, stored as a delta at off in
// pack (open as f), resolved in memory and checked as it is read.
func (l *Ledger) openResolved(f *os.File, h plumbing.Hash, t plumbing.ObjectType, newHash gitHash, pack string, off int64) (io.ReadCloser, int64, error) {
	typ, data, err := l.resolvePacked(f, pack, off, 0)
	switch {
	case errors.Is(err, errDeltified):
		return nil, 0, err
	case err != nil:
		return nil, 0, fmt.Errorf("object %s in %s: %w", h, filepath.Base(pack), err)
	case typ != t:
		return nil, 0, fmt.Errorf("object %s: a %s, not a %s", h, typ, t)
	}
	size := int64(len(data))
	return &packedObject{rd: io.NopCloser(bytes.NewReader(data)), check: newObjectCheck(newHash, h, t, size)}, size, nil
}

// resolvePacked reads the object at off in the pack f, resolving deltas
// (git's format: a base, by offset or name, and copy and insert
// instructions, which go-git's PatchDelta applies), and returns its type
// and content. The content is shared with the delta cache: read only.
func (l *Ledger) resolvePacked(f *os.File, pack string, off int64, depth int) (plumbing.ObjectType, []byte, error) {
	key := deltaKey{pack: pack, off: off}
	if typ, data, ok := l.deltas.get(key); ok {
		return typ, data, nil
	}
	if depth > maxDeltaDepth {
		return 0, nil, errors.New("a chain of more than 4096 deltas")
	}
	in := l.inflater(io.NewSectionReader(f, off, 1<<62))
	defer l.inflaters.Put(in)
	typ, size, err := packedHeader(in.br)
	if err != nil {
		return 0, nil, err
	}
	if size > maxResolved {
		return 0, nil, l.tooLargeToResolve(pack, off)
	}
	basePack, baseOff := "", int64(-1)
	switch typ {
	case plumbing.CommitObject, plumbing.TreeObject, plumbing.BlobObject, plumbing.TagObject:
	case plumbing.OFSDeltaObject, plumbing.REFDeltaObject:
		if basePack, baseOff, err = l.readDeltaBase(in.br, typ, pack, off); err != nil {
			return 0, nil, err
		}
	default:
		return 0, nil, fmt.Errorf("object at %d: unknown type %d", off, typ)
	}
	if err := in.start(); err != nil {
		return 0, nil, fmt.Errorf("object at %d: %w", off, err)
	}
	data := make([]byte, size)
	if _, err := io.ReadFull(in.z, data); err != nil {
		return 0, nil, fmt.Errorf("object at %d: %w", off, err)
	}
	// To the zlib stream's end, where its checksum is checked.
	if more, err := io.ReadAll(io.LimitReader(in.z, 1)); err != nil || len(more) != 0 {
		return 0, nil, fmt.Errorf("object at %d: longer than the %d bytes its header says (%v)", off, size, err)
	}
	if baseOff >= 0 {
		if _, target, err := deltaSizes(data); err != nil || target > maxResolved {
			if err != nil {
				return 0, nil, fmt.Errorf("delta at %d: %w", off, err)
			}
			return 0, nil, l.tooLargeToResolve(pack, off)
		}
		bf := f
		if basePack != pack {
			// A base in another pack (a thin pack stored as fetched).
			if bf, err = openObjectFile(basePack); err != nil {
				return 0, nil, err
			}
			defer bf.Close()
		}
		var base []byte
		if typ, base, err = l.resolvePacked(bf, basePack, baseOff, depth+1); err != nil {
			return 0, nil, err
		}
		if data, err = packfile.PatchDelta(base, data); err != nil {
			return 0, nil, fmt.Errorf("delta at %d: %w", off, err)
		}
	}
	l.deltas.put(key, typ, data)
	return typ, data, nil
}

// tooLargeToResolve returns errDeltified, which leaves the object at off
// in pack to go-git, once the delta chain from it has been walked by its
// headers alone: at most maxDeltaDepth deltas, every base in a pack.
// go-git follows a chain without a bound, so a cycle of REF deltas would
// never end (or end the process).
func (l *Ledger) tooLargeToResolve(pack string, off int64) error {
	for depth := 0; depth <= maxDeltaDepth; depth++ {
		typ, base, baseOff, err := l.deltaBase(pack, off)
		if err != nil {
			return fmt.Errorf("object at %d: %w", off, err)
		}
		if typ != plumbing.OFSDeltaObject && typ != plumbing.REFDeltaObject {
			return errDeltified
		}
		pack, off = base, baseOff
	}
	return errors.New("a chain of more than 4096 deltas")
}

// deltaBase reads the header of the object at off in pack and, for a
// delta, where its base is.
func (l *Ledger) deltaBase(pack string, off int64) (plumbing.ObjectType, string, int64, error) {
	f, err := openObjectFile(pack)
	if err != nil {
		return 0, "", 0, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(io.NewSectionReader(f, off, 1<<62), 64)
	typ, _, err := packedHeader(r)
	if err != nil || (typ != plumbing.OFSDeltaObject && typ != plumbing.REFDeltaObject) {
		return typ, "", 0, err
	}
	basePack, baseOff, err := l.readDeltaBase(r, typ, pack, off)
	return typ, basePack, baseOff, err
}

// readDeltaBase reads, after the header of the delta at off in pack, where
// its base is: an offset delta's distance back, or a REF delta's base by
// name, in this pack or another.
func (l *Ledger) readDeltaBase(r *bufio.Reader, typ plumbing.ObjectType, pack string, off int64) (string, int64, error) {
	if typ == plumbing.OFSDeltaObject {
		back, err := deltaOffset(r)
		if err != nil {
			return "", 0, err
		}
		if back <= 0 || back > off {
			return "", 0, fmt.Errorf("delta at %d: its base at %d bytes back is outside the pack", off, back)
		}
		return pack, off - back, nil
	}
	var base plumbing.Hash
	if _, err := io.ReadFull(r, base[:]); err != nil {
		return "", 0, fmt.Errorf("delta at %d: read its base: %w", off, err)
	}
	basePack, baseOff, err := l.packIndex.find(base)
	if err != nil {
		// Not %w: the delta is in a pack; its base is missing.
		return "", 0, fmt.Errorf("delta at %d: its base %s: %v", off, base, err)
	}
	return basePack, baseOff, nil
}

// deltaOffset reads an offset delta's distance back to its base: 7 bits a
// byte, most significant first, each continuation adding one.
func deltaOffset(r io.ByteReader) (int64, error) {
	b, err := r.ReadByte()
	if err != nil {
		return 0, fmt.Errorf("read delta base offset: %w", err)
	}
	n := int64(b & 0x7f)
	for b&0x80 != 0 {
		if n >= 1<<55 {
			return 0, errors.New("delta base offset too large")
		}
		if b, err = r.ReadByte(); err != nil {
			return 0, fmt.Errorf("read delta base offset: %w", err)
		}
		n = (n+1)<<7 | int64(b&0x7f)
	}
	return n, nil
}

// deltaSizes reads the sizes a delta starts with: its base's and its
// result's, each 7 bits a byte, least significant first.
func deltaSizes(delta []byte) (base, target uint64, err error) {
	var sizes [2]uint64
	for i := range sizes {
		for shift := 0; ; shift += 7 {
			if len(delta) == 0 || shift > 63 {
				return 0, 0, errors.New("invalid delta header")
			}
			b := delta[0]
			delta = delta[1:]
			sizes[i] |= uint64(b&0x7f) << shift
			if b&0x80 == 0 {
				break
			}
		}
	}
	return sizes[0], sizes[1], nil
}

// deltaCache keeps objects resolved from deltas, by pack and offset, up
// to deltaCacheSize bytes, dropping the least recently used: a tree's
// versions are deltas of one another, in chains up to 50 deep, and
// verification reads them in history order, so each resolution mostly
// starts from the last one's result instead of the chain's base.
type deltaCache struct {
	mu    sync.Mutex
	size  int
	order list.List // of *deltaEntry, most recently used first
	byKey map[deltaKey]*list.Element
}

const deltaCacheSize = 32 << 20

type deltaKey struct {
	pack string
	off  int64
}

type deltaEntry struct {
	key  deltaKey
	typ  plumbing.ObjectType
	data []byte
}

func (c *deltaCache) get(k deltaKey) (plumbing.ObjectType, []byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byKey[k]
	if !ok {
		return 0, nil, false
	}
	c.order.MoveToFront(e)
	d := e.Value.(*deltaEntry)
	return d.typ, d.data, true
}

func (c *deltaCache) put(k deltaKey, typ plumbing.ObjectType, data []byte) {
	if len(data) > deltaCacheSize/4 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byKey == nil {
		c.byKey = map[deltaKey]*list.Element{}
	}
	if _, ok := c.byKey[k]; ok {
		return
	}
	c.byKey[k] = c.order.PushFront(&deltaEntry{key: k, typ: typ, data: data})
	c.size += len(data)
	for c.size > deltaCacheSize {
		last := c.order.Back()
		d := last.Value.(*deltaEntry)
		c.order.Remove(last)
		delete(c.byKey, d.key)
		c.size -= len(d.data)
	}
}

// packedHeader reads a packed object's header: its type in bits 4-6 of the
// first byte, its size in the low 4 bits and 7 bits of each byte after,
// while the high bit is set.
func packedHeader(r io.ByteReader) (plumbing.ObjectType, int64, error) {
	b, err := r.ReadByte()
	if err != nil {
		return 0, 0, fmt.Errorf("read header: %w", err)
	}
	typ := plumbing.ObjectType(b >> 4 & 7)
	size := int64(b & 0x0f)
	for shift := 4; b&0x80 != 0; shift += 7 {
		if shift > 56 {
			return 0, 0, errors.New("object size too large")
		}
		if b, err = r.ReadByte(); err != nil {
			return 0, 0, fmt.Errorf("read header: %w", err)
		}
		size |= int64(b&0x7f) << shift
	}
	if size < 0 {
		return 0, 0, errors.New("object size too large")
	}
	return typ, size, nil
}
