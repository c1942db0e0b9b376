package ledger

import (
	"errors"
	"fmt"
	"maps"
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
	if a == b {
		return nil
	}
	ea, err := treeEntries(st, a)
	if err != nil {
		return err
	}
	eb, err := treeEntries(st, b)
	if err != nil {
		return err
	}
	ma, mb := entryMap(ea), entryMap(eb)
	names := map[string]bool{}
	for name := range ma {
		names[name] = true
	}
	for name := range mb {
		names[name] = true
	}
	for _, name := range slices.Sorted(maps.Keys(names)) {
		x, y := ma[name], mb[name]
		if x != nil && y != nil && x.Hash == y.Hash && x.Mode == y.Mode {
			continue
		}
		path := prefix + name
		xDir, yDir := x != nil && x.Mode == filemode.Dir, y != nil && y.Mode == filemode.Dir
		if xDir || yDir {
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
			if err := diffTrees(st, ha, hb, path+"/", out); err != nil {
				return err
			}
			continue
		}
		c := change{path: path}
		if x != nil {
			c.from = x.Hash
		}
		if y != nil {
			c.to, c.toMode = y.Hash, y.Mode
		}
		*out = append(*out, c)
	}
	return nil
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

// entryMap indexes a tree's entries by name, so that a diff of two
// trees of n entries costs n lookups, not n².
func entryMap(entries []object.TreeEntry) map[string]*object.TreeEntry {
	m := make(map[string]*object.TreeEntry, len(entries))
	for i := range entries {
		m[entries[i].Name] = &entries[i]
	}
	return m
}

func findEntry(entries []object.TreeEntry, name string) *object.TreeEntry {
	if i := entryIndex(entries, name); i >= 0 {
		return &entries[i]
	}
	return nil
}
