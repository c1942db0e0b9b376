package ledger

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// errPathTaken: a path to add already holds other content.
var errPathTaken = errors.New("path already holds other content")

// treeEditor adds files to a tree, reading only the subtrees on the paths
// it touches and writing only the trees that changed.
type treeEditor struct {
	st   storer.EncodedObjectStorer
	root *treeNode
}

type treeNode struct {
	hash    plumbing.Hash // the tree as read; zero for a new tree
	loaded  bool
	entries []object.TreeEntry
	kids    map[string]*treeNode
	dirty   bool
}

func newTreeEditor(st storer.EncodedObjectStorer, root plumbing.Hash) *treeEditor {
	return &treeEditor{st: st, root: &treeNode{hash: root, loaded: root.IsZero()}}
}

func (e *treeEditor) load(n *treeNode) error {
	if n.loaded {
		return nil
	}
	t, err := object.GetTree(e.st, n.hash)
	if err != nil {
		return fmt.Errorf("read tree %s: %w", n.hash, err)
	}
	n.entries = slices.Clone(t.Entries)
	n.loaded = true
	return nil
}

func entryIndex(entries []object.TreeEntry, name string) int {
	return slices.IndexFunc(entries, func(te object.TreeEntry) bool { return te.Name == name })
}

// add puts the blob h at path. It reports false when path already holds h
// (nothing changes) and errPathTaken when it holds anything else.
func (e *treeEditor) add(path string, h plumbing.Hash) (bool, error) {
	parts := strings.Split(path, "/")
	n := e.root
	var trail []*treeNode
	for _, dir := range parts[:len(parts)-1] {
		if err := e.load(n); err != nil {
			return false, err
		}
		trail = append(trail, n)
		child := n.kids[dir]
		if child == nil {
			switch i := entryIndex(n.entries, dir); {
			case i < 0:
				child = &treeNode{loaded: true}
			case n.entries[i].Mode == filemode.Dir:
				child = &treeNode{hash: n.entries[i].Hash}
			default:
				return false, fmt.Errorf("add %s: %w", path, errPathTaken)
			}
			if n.kids == nil {
				n.kids = map[string]*treeNode{}
			}
			n.kids[dir] = child
		}
		n = child
	}
	if err := e.load(n); err != nil {
		return false, err
	}
	name := parts[len(parts)-1]
	if i := entryIndex(n.entries, name); i >= 0 {
		if n.entries[i].Hash == h && n.entries[i].Mode == filemode.Regular {
			return false, nil
		}
		return false, fmt.Errorf("add %s: %w", path, errPathTaken)
	}
	if n.kids[name] != nil {
		return false, fmt.Errorf("add %s: %w", path, errPathTaken)
	}
	n.entries = append(n.entries, object.TreeEntry{Name: name, Mode: filemode.Regular, Hash: h})
	n.dirty = true
	for _, t := range trail {
		t.dirty = true
	}
	return true, nil
}

// write stores every changed tree and returns the root's hash.
func (e *treeEditor) write() (plumbing.Hash, error) {
	return e.writeNode(e.root)
}

func (e *treeEditor) writeNode(n *treeNode) (plumbing.Hash, error) {
	if !n.dirty {
		return n.hash, nil
	}
	for name, kid := range n.kids {
		if !kid.dirty {
			continue
		}
		h, err := e.writeNode(kid)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		if i := entryIndex(n.entries, name); i >= 0 {
			n.entries[i].Hash = h
		} else {
			n.entries = append(n.entries, object.TreeEntry{Name: name, Mode: filemode.Dir, Hash: h})
		}
	}
	sortTreeEntries(n.entries)
	t := &object.Tree{Entries: n.entries}
	obj := e.st.NewEncodedObject()
	if err := t.Encode(obj); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("encode tree: %w", err)
	}
	h, err := e.st.SetEncodedObject(obj)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("write tree: %w", err)
	}
	n.hash, n.dirty = h, false
	return h, nil
}

// sortTreeEntries orders entries as git does: by name, a tree's name
// compared as if it ended in "/".
func sortTreeEntries(entries []object.TreeEntry) {
	key := func(te object.TreeEntry) string {
		if te.Mode == filemode.Dir {
			return te.Name + "/"
		}
		return te.Name
	}
	slices.SortFunc(entries, func(a, b object.TreeEntry) int { return strings.Compare(key(a), key(b)) })
}

// change is one path a commit added, modified or deleted.
type change struct {
	path     string
	from, to plumbing.Hash // zero when added / deleted
	toMode   filemode.FileMode
}

// diffTrees lists the changed files between trees a and b (either may be
// zero), descending only into subtrees whose hashes differ.
func diffTrees(st storer.EncodedObjectStorer, a, b plumbing.Hash, prefix string, out *[]change) error {
	return newTreeReader(st).diff(a, b, prefix, out)
}

// treeReader reads trees for diffs. Verify and the index diff every commit
// against its parent, so each tree is read twice, as the new side of one
// diff and the old side of the next: the reader keeps the trees of the
// last diff at hand, parsed, for the next one.
type treeReader struct {
	st        storer.EncodedObjectStorer
	cur, prev map[plumbing.Hash][]object.TreeEntry
}

func newTreeReader(st storer.EncodedObjectStorer) *treeReader {
	return &treeReader{st: st, cur: map[plumbing.Hash][]object.TreeEntry{}}
}

// next starts a diff: only the trees of the one before stay at hand.
func (r *treeReader) next() {
	r.prev, r.cur = r.cur, make(map[plumbing.Hash][]object.TreeEntry, len(r.cur))
}

// entries returns a tree's entries sorted by name, one per name.
func (r *treeReader) entries(h plumbing.Hash) ([]object.TreeEntry, error) {
	if h.IsZero() {
		return nil, nil
	}
	if e, ok := r.cur[h]; ok {
		return e, nil
	}
	e, ok := r.prev[h]
	if !ok {
		t, err := treeEntries(r.st, h)
		if err != nil {
			return nil, err
		}
		e = byName(t)
	}
	r.cur[h] = e
	return e, nil
}

// diff lists the changed files between trees a and b in name order,
// walking both trees' entries side by side: a diff costs the entries of
// the trees it reads, where looking each name up cost their square (a
// shard of 500 records, 250,000 comparisons, on every commit verified).
func (r *treeReader) diff(a, b plumbing.Hash, prefix string, out *[]change) error {
	if a == b {
		return nil
	}
	ea, err := r.entries(a)
	if err != nil {
		return err
	}
	eb, err := r.entries(b)
	if err != nil {
		return err
	}
	for i, j := 0, 0; i < len(ea) || j < len(eb); {
		var x, y *object.TreeEntry
		switch {
		case j == len(eb) || i < len(ea) && ea[i].Name < eb[j].Name:
			x, i = &ea[i], i+1
		case i == len(ea) || eb[j].Name < ea[i].Name:
			y, j = &eb[j], j+1
		default:
			x, y, i, j = &ea[i], &eb[j], i+1, j+1
		}
		if err := r.diffEntry(x, y, prefix, out); err != nil {
			return err
		}
	}
	return nil
}

// diffEntry compares the entries of one name in the old tree (x) and the
// new (y); either may be nil.
func (r *treeReader) diffEntry(x, y *object.TreeEntry, prefix string, out *[]change) error {
	if x != nil && y != nil && x.Hash == y.Hash && x.Mode == y.Mode {
		return nil
	}
	name := x
	if name == nil {
		name = y
	}
	path := prefix + name.Name
	xDir, yDir := x != nil && x.Mode == filemode.Dir, y != nil && y.Mode == filemode.Dir
	if !xDir && !yDir {
		c := change{path: path}
		if x != nil {
			c.from = x.Hash
		}
		if y != nil {
			c.to, c.toMode = y.Hash, y.Mode
		}
		*out = append(*out, c)
		return nil
	}
	var ha, hb plumbing.Hash
	if xDir {
		ha = x.Hash
	} else if x != nil {
		*out = append(*out, change{path: path, from: x.Hash})
	}
	if yDir {
		hb = y.Hash
	} else if y != nil {
		*out = append(*out, change{path: path, to: y.Hash, toMode: y.Mode})
	}
	return r.diff(ha, hb, path+"/", out)
}

// byName returns entries sorted by name with one entry per name, the
// first, as a lookup by name finds it. Trees git writes come sorted and
// are returned as they are; a tree with entries out of order or twice
// (written by hand, to hide a change from a diff) is sorted into a copy.
func byName(entries []object.TreeEntry) []object.TreeEntry {
	sorted := true
	for i := 1; i < len(entries) && sorted; i++ {
		sorted = entries[i-1].Name < entries[i].Name
	}
	if sorted {
		return entries
	}
	out := slices.Clone(entries)
	slices.SortStableFunc(out, func(a, b object.TreeEntry) int { return strings.Compare(a.Name, b.Name) })
	return slices.CompactFunc(out, func(a, b object.TreeEntry) bool { return a.Name == b.Name })
}

func treeEntries(st storer.EncodedObjectStorer, h plumbing.Hash) ([]object.TreeEntry, error) {
	if h.IsZero() {
		return nil, nil
	}
	t, err := object.GetTree(st, h)
	if err != nil {
		return nil, fmt.Errorf("read tree %s: %w", h, err)
	}
	return t.Entries, nil
}

func findEntry(entries []object.TreeEntry, name string) *object.TreeEntry {
	if i := entryIndex(entries, name); i >= 0 {
		return &entries[i]
	}
	return nil
}
