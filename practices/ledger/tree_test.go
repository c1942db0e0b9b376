package ledger

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/memory"
	"github.com/google/go-cmp/cmp"
)

// testTrees writes trees into memory storage from a flat description:
// path → blob content ("" for an empty directory is not needed here).
type testTrees struct {
	t  *testing.T
	st *memory.Storage
}

func (tt testTrees) blob(content string) plumbing.Hash {
	obj := tt.st.NewEncodedObject()
	obj.SetType(plumbing.BlobObject)
	w, _ := obj.Writer()
	w.Write([]byte(content))
	w.Close()
	h, err := tt.st.SetEncodedObject(obj)
	if err != nil {
		tt.t.Fatal(err)
	}
	return h
}

// tree writes entries as they are, in the order given, encoded by hand:
// a test can write what git (and go-git's encoder) would not.
func (tt testTrees) tree(entries ...object.TreeEntry) plumbing.Hash {
	obj := tt.st.NewEncodedObject()
	obj.SetType(plumbing.TreeObject)
	w, _ := obj.Writer()
	for _, e := range entries {
		fmt.Fprintf(w, "%o %s\x00", e.Mode, e.Name)
		w.Write(e.Hash[:])
	}
	w.Close()
	h, err := tt.st.SetEncodedObject(obj)
	if err != nil {
		tt.t.Fatal(err)
	}
	return h
}

// build writes the tree of files (path → content) with the editor.
func (tt testTrees) build(files map[string]string) plumbing.Hash {
	ed := newTreeEditor(tt.st, plumbing.ZeroHash)
	for _, p := range slices.Sorted(maps.Keys(files)) {
		if _, err := ed.add(p, tt.blob(files[p])); err != nil {
			tt.t.Fatal(err)
		}
	}
	h, err := ed.write()
	if err != nil {
		tt.t.Fatal(err)
	}
	return h
}

func file(name string, h plumbing.Hash) object.TreeEntry {
	return object.TreeEntry{Name: name, Mode: filemode.Regular, Hash: h}
}

func dir(name string, h plumbing.Hash) object.TreeEntry {
	return object.TreeEntry{Name: name, Mode: filemode.Dir, Hash: h}
}

// changeList renders changes as "path from→to" lines, hashes cut short.
func changeList(changes []change) []string {
	short := func(h plumbing.Hash) string {
		if h.IsZero() {
			return "-"
		}
		return h.String()[:7]
	}
	var out []string
	for _, c := range changes {
		out = append(out, fmt.Sprintf("%s %s→%s", c.path, short(c.from), short(c.to)))
	}
	return out
}

func TestDiffTrees(t *testing.T) {
	t.Parallel()
	tt := testTrees{t: t, st: memory.NewStorage()}
	x, y := tt.blob("x"), tt.blob("y")
	s := func(h plumbing.Hash) string { return h.String()[:7] }
	base := map[string]string{"ledger.json": "l", "records/ab/ab1.json": "r1", "records/cd/cd1.json": "r2", "evidence/sha256/ef/ef1": "e"}
	with := func(extra map[string]string, drop ...string) plumbing.Hash {
		m := maps.Clone(base)
		maps.Copy(m, extra)
		for _, d := range drop {
			delete(m, d)
		}
		return tt.build(m)
	}
	bh := tt.blob
	tests := []struct {
		name string
		a, b plumbing.Hash
		want []string
	}{
		{"same tree", with(nil), with(nil), nil},
		{"a record and its evidence added", with(nil), with(map[string]string{"records/ab/ab2.json": "r3", "evidence/sha256/00/001": "e2"}),
			[]string{"evidence/sha256/00/001 -→" + s(bh("e2")), "records/ab/ab2.json -→" + s(bh("r3"))}},
		{"a record changed", with(nil), with(map[string]string{"records/cd/cd1.json": "r2'"}),
			[]string{"records/cd/cd1.json " + s(bh("r2")) + "→" + s(bh("r2'"))}},
		{"a shard deleted", with(nil), with(nil, "records/ab/ab1.json"),
			[]string{"records/ab/ab1.json " + s(bh("r1")) + "→-"}},
		{"from nothing", plumbing.ZeroHash, tt.build(map[string]string{"a/b": "x", "c": "y"}),
			[]string{"a/b -→" + s(x), "c -→" + s(y)}},
		{"a file turned into a directory", tt.tree(file("d", x)), tt.tree(dir("d", tt.tree(file("e", y)))),
			[]string{"d " + s(x) + "→-", "d/e -→" + s(y)}},
		{"a directory turned into a file", tt.tree(dir("d", tt.tree(file("e", y)))), tt.tree(file("d", x)),
			[]string{"d -→" + s(x), "d/e " + s(y) + "→-"}},
		// Trees git never writes: entries out of order, a name twice. The
		// diff sees what a lookup by name sees (the first entry of a name),
		// in name order.
		{"entries out of order", tt.tree(file("a", x), file("b", x)), tt.tree(file("b", y), file("c", x), file("a", x)),
			[]string{"b " + s(x) + "→" + s(y), "c -→" + s(x)}},
		{"a name twice", tt.tree(file("a", x)), tt.tree(file("a", x), file("a", y), file("b", y)),
			[]string{"b -→" + s(y)}},
		{"a name twice, the first changed", tt.tree(file("a", x)), tt.tree(file("a", y), file("a", x)),
			[]string{"a " + s(x) + "→" + s(y)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []change
			if err := diffTrees(storerTrees(tt.st), tc.a, tc.b, "", &got); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, changeList(got)); d != "" {
				t.Errorf("diff (-want +got):\n%s", d)
			}
		})
	}
}

// countingStorage counts the objects read from it.
type countingStorage struct {
	*memory.Storage
	reads map[plumbing.Hash]int
}

func (c *countingStorage) EncodedObject(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	c.reads[h]++
	return c.Storage.EncodedObject(t, h)
}

// In a chain of diffs, each commit against its parent, every tree is read
// once: not once on each side, and a shard that changes every third commit
// is not read again as the old side of its next change.
func TestTreeReaderReadsEachTreeOnce(t *testing.T) {
	t.Parallel()
	st := &countingStorage{Storage: memory.NewStorage(), reads: map[plumbing.Hash]int{}}
	tt := testTrees{t: t, st: st.Storage}
	files := map[string]string{}
	var roots []plumbing.Hash
	for i := range 20 {
		files[fmt.Sprintf("records/%02x/%d.json", i%3, i)] = fmt.Sprint(i)
		roots = append(roots, tt.build(files))
	}
	r := newTreeReader(storerTrees(st))
	for i := 1; i < len(roots); i++ {
		var changes []change
		if err := r.diff(roots[i-1], roots[i], "", &changes); err != nil {
			t.Fatal(err)
		}
		if len(changes) != 1 {
			t.Fatalf("diff %d: %v", i, changeList(changes))
		}
	}
	for h, n := range st.reads {
		if n != 1 {
			t.Errorf("tree %s read %d times", h, n)
		}
	}
	for i, h := range roots {
		if st.reads[h] != 1 {
			t.Errorf("root %d read %d times", i, st.reads[h])
		}
	}
}

// A writer appending record after record reuses its tree editor; a record
// another writer appends meanwhile is kept, and the ledger verifies.
func TestAppendAfterAnotherWriter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l := newTestLedger(t)
	other, err := Open(l.loc, l.catalog)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	now := clock()
	w, w2 := &Writer{Ledger: l, Now: now}, &Writer{Ledger: other, Now: now}
	record := func(w *Writer, i int) {
		t.Helper()
		f := writeFile(t, dir, fmt.Sprintf("report-%d.json", i), fmt.Sprintf(`{"run":%d}`, i))
		if _, err := w.Append(ctx, []Entry{{Record: Record{Actor: "ci", Version: "1.0.0", Requirements: []string{"SVV-1"},
			Kind: "test-report", Summary: fmt.Sprint(i)}, Files: []string{f}}}); err != nil {
			t.Fatal(err)
		}
	}
	record(w, 1)
	record(w, 2)
	head, _ := l.Head()
	c, _ := l.commit(head)
	if l.tree == nil || l.tree.root.hash != c.TreeHash {
		t.Fatal("the writer's tree editor is not at the head's tree")
	}
	record(w2, 3)
	record(w, 4)
	recs, _, err := l.Summaries(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range recs {
		got = append(got, r.Summary)
	}
	if want := []string{"SM-5 scope of app: 46 of 47 requirements in scope", "1", "2", "3", "4"}; !cmp.Equal(want, got) {
		t.Fatalf("records (-want +got):\n%s", cmp.Diff(want, got))
	}
	rep, err := l.Verify(ctx, VerifyOptions{})
	if err != nil || !rep.OK() || rep.EvidenceFiles != 5 {
		t.Fatalf("verify: %+v, %v", rep, err)
	}
	if strings.Join(rep.Problems, "") != "" {
		t.Fatal(rep.Problems)
	}
}
