package ledger

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
)

// appendRecords appends n records, one commit each.
func appendRecords(t *testing.T, l *Ledger, n int) {
	t.Helper()
	w := &Writer{Ledger: l, Now: clock()}
	var entries []Entry
	for i := range n {
		entries = append(entries, Entry{
			Record: Record{Actor: "ci", Version: "1.0.0", Requirements: []string{"SVV-1"}, Kind: "test-report", Summary: fmt.Sprint(i)},
			Blobs:  []Blob{{Name: "report.json", Data: fmt.Appendf(nil, `{"run":%d}`, i)}},
		})
	}
	if _, err := w.Append(context.Background(), entries); err != nil {
		t.Fatal(err)
	}
}

// commitFile commits data at path as it is, bypassing every check.
func commitFile(t *testing.T, l *Ledger, path, data string) {
	t.Helper()
	head, _ := l.Head()
	c, err := l.commit(head)
	if err != nil {
		t.Fatal(err)
	}
	blob, err := l.writeBlob([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	ed := newTreeEditor(l.storage, c.TreeHash)
	if _, err := ed.add(path, blob); err != nil {
		t.Fatal(err)
	}
	tree, err := ed.write()
	if err != nil {
		t.Fatal(err)
	}
	w := &Writer{Ledger: l}
	next, err := w.writeCommit(tree, []plumbing.Hash{head}, "raw\n", "test", t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.updateRef(head, next); err != nil {
		t.Fatal(err)
	}
}

// Without a cache, the records are read by several goroutines; a bad
// record is reported as a serial read reports it: the first in the tree.
func TestSummariesFirstBadRecord(t *testing.T) {
	t.Parallel()
	l := newTestLedger(t)
	appendRecords(t, l, 50)
	commitFile(t, l, RecordPath("ff0000000000000000000000"), "{}")
	commitFile(t, l, RecordPath("0a0000000000000000000000"), "not json")
	for range 5 {
		os.Remove(l.indexPath())
		_, _, err := l.Summaries(context.Background())
		if err == nil || !strings.Contains(err.Error(), "records/0a/0a0000000000000000000000.json") {
			t.Fatalf("err = %v, want the first bad record in the tree", err)
		}
	}
}

// Packed records (after git gc) are read through go-git, one goroutine at
// a time.
func TestSummariesPacked(t *testing.T) {
	t.Parallel()
	l := newTestLedger(t)
	appendRecords(t, l, 40)
	r, err := git.PlainOpen(l.loc.Repo)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.RepackObjects(&git.RepackConfig{}); err != nil {
		t.Fatal(err)
	}
	dirs, _ := filepath.Glob(filepath.Join(l.GitDir(), "objects", "[0-9a-f][0-9a-f]"))
	for _, d := range dirs {
		os.RemoveAll(d)
	}
	os.Remove(l.indexPath())
	l, err = Open(l.loc, l.catalog)
	if err != nil {
		t.Fatal(err)
	}
	recs, _, err := l.Summaries(context.Background())
	if err != nil || len(recs) != 41 {
		t.Fatalf("%d records, %v", len(recs), err)
	}
}
