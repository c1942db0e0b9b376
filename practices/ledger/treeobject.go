package ledger

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// rawTree is a tree object's entries as git encodes them, "<mode>
// <name>\x00<20-byte hash>", in name order with one entry per name, each
// found by where it starts. Diffs compare entries as bytes and decode only
// those that differ.
type rawTree struct {
	data []byte
	off  []int32 // where each entry starts, then len(data)
}

// hashSize is the length of a hash in a tree entry (SHA-1).
const hashSize = len(plumbing.Hash{})

// errTreeFormat: a tree object that is not a list of git tree entries.
var errTreeFormat = errors.New("malformed tree entry")

// parseTree finds the entries of a tree object's content. Trees git writes
// come sorted and are kept as they are; a tree with entries out of order or
// a name twice (written by hand, to hide a change from a diff) is sorted
// into a copy that keeps the first entry of each name, as a lookup by name
// finds it.
func parseTree(data []byte) (*rawTree, error) {
	t := &rawTree{data: data, off: make([]int32, 0, len(data)/64+2)}
	sorted := true
	var prev []byte
	for p := 0; p < len(data); {
		sp := bytes.IndexByte(data[p:], ' ')
		if sp < 0 {
			return nil, fmt.Errorf("%w at byte %d", errTreeFormat, p)
		}
		nul := bytes.IndexByte(data[p+sp:], 0)
		end := p + sp + nul + 1 + hashSize
		if _, ok := parseMode(data[p : p+sp]); !ok || nul < 0 || end > len(data) {
			return nil, fmt.Errorf("%w at byte %d", errTreeFormat, p)
		}
		name := data[p+sp+1 : p+sp+nul]
		if len(t.off) > 0 && bytes.Compare(prev, name) >= 0 {
			sorted = false
		}
		t.off, prev = append(t.off, int32(p)), name
		p = end
	}
	t.off = append(t.off, int32(len(data)))
	if !sorted {
		t.sortByName()
	}
	return t, nil
}

// parseMode reads an entry's mode, octal digits as git writes them.
func parseMode(b []byte) (filemode.FileMode, bool) {
	var m uint64
	for _, c := range b {
		if c < '0' || c > '7' {
			return 0, false
		}
		m = m<<3 | uint64(c-'0')
		if m > 1<<32-1 {
			return 0, false
		}
	}
	return filemode.FileMode(m), len(b) > 0
}

func (t *rawTree) len() int { return len(t.off) - 1 }

func (t *rawTree) entry(i int) []byte { return t.data[t.off[i]:t.off[i+1]] }

func (t *rawTree) name(i int) []byte {
	e := t.entry(i)
	return e[bytes.IndexByte(e, ' ')+1 : len(e)-1-hashSize]
}

// decode returns entry i as go-git's type.
func (t *rawTree) decode(i int) object.TreeEntry {
	e := t.entry(i)
	sp := bytes.IndexByte(e, ' ')
	mode, _ := parseMode(e[:sp])
	te := object.TreeEntry{Name: string(e[sp+1 : len(e)-1-hashSize]), Mode: mode}
	copy(te.Hash[:], e[len(e)-hashSize:])
	return te
}

// sortByName rewrites the tree sorted by name, the first entry of each
// name kept.
func (t *rawTree) sortByName() {
	order := make([]int, t.len())
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return bytes.Compare(t.name(a), t.name(b)) })
	order = slices.CompactFunc(order, func(a, b int) bool { return bytes.Equal(t.name(a), t.name(b)) })
	data := make([]byte, 0, len(t.data))
	off := make([]int32, 0, len(order)+1)
	for _, i := range order {
		off = append(off, int32(len(data)))
		data = append(data, t.entry(i)...)
	}
	t.data, t.off = data, append(off, int32(len(data)))
}

// find returns the entry named name.
func (t *rawTree) find(name string) (object.TreeEntry, bool) {
	i := sort.Search(t.len(), func(i int) bool { return string(t.name(i)) >= name })
	if i == t.len() || string(t.name(i)) != name {
		return object.TreeEntry{}, false
	}
	return t.decode(i), true
}

// lookup returns the entry at path (slash-separated) under tree root.
func (l *Ledger) lookup(root plumbing.Hash, path string) (object.TreeEntry, error) {
	e := object.TreeEntry{Mode: filemode.Dir, Hash: root}
	for name := range strings.SplitSeq(path, "/") {
		if e.Mode != filemode.Dir {
			return object.TreeEntry{}, fmt.Errorf("%s: %w", path, object.ErrFileNotFound)
		}
		t, err := loadTree(l.readTree, e.Hash)
		if err != nil {
			return object.TreeEntry{}, err
		}
		var ok bool
		if e, ok = t.find(name); !ok {
			return object.TreeEntry{}, fmt.Errorf("%s: %w", path, object.ErrFileNotFound)
		}
	}
	return e, nil
}
