package ledger

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"

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

// treeSource reads the content of a tree object.
type treeSource func(h plumbing.Hash) ([]byte, error)

// readTree reads a tree of the ledger, checking its hash when it is loose
// (see readObject).
func (l *Ledger) readTree(h plumbing.Hash) ([]byte, error) {
	return l.readObject(h, plumbing.TreeObject, maxTreeSize)
}

// storerTrees reads trees from go-git's storage.
func storerTrees(st storer.EncodedObjectStorer) treeSource {
	return func(h plumbing.Hash) ([]byte, error) {
		obj, err := st.EncodedObject(plumbing.TreeObject, h)
		if err != nil {
			return nil, err
		}
		rd, err := obj.Reader()
		if err != nil {
			return nil, err
		}
		defer rd.Close()
		return io.ReadAll(io.LimitReader(rd, maxTreeSize))
	}
}

// diffTrees lists the changed files between trees a and b (either may be
// zero), descending only into subtrees whose hashes differ.
func diffTrees(src treeSource, a, b plumbing.Hash, prefix string, out *[]change) error {
	return newTreeReader(src).diff(a, b, prefix, out)
}

// treeReader reads trees for diffs. Verify and the index diff every commit
// against its parent, and a tree that changes is read as the new side of
// one diff and, when its path next changes, possibly many commits later,
// as the old side of another. The reader keeps each tree it read until a
// second diff has taken it, so that each is read once; what it holds is
// about one whole tree, the last commit's. Goroutines diffing different
// commits share one reader: a tree one is reading, another waits for.
type treeReader struct {
	read  treeSource
	mu    sync.Mutex
	trees map[plumbing.Hash]*cachedTree
}

// cachedTree is a tree being read or read, and how many diffs took it.
type cachedTree struct {
	ready chan struct{}
	tree  *rawTree
	err   error
	uses  int
}

func newTreeReader(src treeSource) *treeReader {
	return &treeReader{read: src, trees: map[plumbing.Hash]*cachedTree{}}
}

// tree returns tree h, parsed.
func (r *treeReader) tree(h plumbing.Hash) (*rawTree, error) {
	if h.IsZero() {
		return &rawTree{off: []int32{0}}, nil
	}
	r.mu.Lock()
	e, ok := r.trees[h]
	if !ok {
		e = &cachedTree{ready: make(chan struct{})}
		r.trees[h] = e
	}
	r.mu.Unlock()
	if ok {
		<-e.ready
	} else {
		e.tree, e.err = loadTree(r.read, h)
		close(e.ready)
	}
	r.mu.Lock()
	if e.uses++; (e.uses == 2 || e.err != nil) && r.trees[h] == e {
		delete(r.trees, h)
	}
	r.mu.Unlock()
	return e.tree, e.err
}

// loadTree reads and parses tree h.
func loadTree(read treeSource, h plumbing.Hash) (*rawTree, error) {
	data, err := read(h)
	if err != nil {
		return nil, fmt.Errorf("read tree %s: %w", h, err)
	}
	t, err := parseTree(data)
	if err != nil {
		return nil, fmt.Errorf("read tree %s: %w", h, err)
	}
	return t, nil
}

// diff lists the changed files between trees a and b in name order. The
// entries the two trees begin and end with alike are skipped by comparing
// their bytes; only those between are decoded and walked side by side. A
// record shard of 600 entries that gained one costs a comparison of its
// bytes, not 600 entries decoded and looked up.
func (r *treeReader) diff(a, b plumbing.Hash, prefix string, out *[]change) error {
	if a == b {
		return nil
	}
	ta, err := r.tree(a)
	if err != nil {
		return err
	}
	tb, err := r.tree(b)
	if err != nil {
		return err
	}
	i, j, na, nb := 0, 0, ta.len(), tb.len()
	for i < na && j < nb && bytes.Equal(ta.entry(i), tb.entry(j)) {
		i, j = i+1, j+1
	}
	for na > i && nb > j && bytes.Equal(ta.entry(na-1), tb.entry(nb-1)) {
		na, nb = na-1, nb-1
	}
	for i < na || j < nb {
		// Which side's entry comes first: -1 a's, 1 b's, 0 both (one name).
		var c int
		switch {
		case j == nb:
			c = -1
		case i == na:
			c = 1
		default:
			c = bytes.Compare(ta.name(i), tb.name(j))
		}
		var x, y *object.TreeEntry
		if c <= 0 {
			e := ta.decode(i)
			x, i = &e, i+1
		}
		if c >= 0 {
			e := tb.decode(j)
			y, j = &e, j+1
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
